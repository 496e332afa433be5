// QueueStore's reads of items: one item, pages in any order (OFFSET and keyset), counts of a
// filter; and the SQL the store's parts share (queuesql.h).
#include "core/review/queuesql.h"
#include "core/review/queuestore.h"
#include "core/review/sqlitesupport.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>

namespace pcs {

namespace queuesql {

QString itemsWithThresholds()
{
    // CROSS JOIN keeps items the outer loop, so its indexes still order and bound the scan.
    return QStringLiteral("items CROSS JOIN (SELECT filter_threshold AS filter_t, "
                          "revise_threshold AS revise_t FROM settings WHERE id = 1) AS t");
}

QString autoDecision()
{
    return QStringLiteral("(CASE WHEN items.state = 'assessed' THEN %1 END)")
        .arg(autoDecisionSql(QStringLiteral("items.score"), QStringLiteral("t.filter_t"),
                             QStringLiteral("t.revise_t")));
}

QString finalDecision()
{
    return QStringLiteral("COALESCE(items.human_decision, %1)").arg(autoDecision());
}

QString itemColumns()
{
    return QStringLiteral(
               "items.id, source_file, source_sha256, source_line, record, text, state, llm_score, "
               "llm_reasoning, logprob_coverage, rule_score, fasttext_score, score, %1, "
               "human_decision, revised_text, revised_score, edited_text, error, error_code, "
               "attempts, created_at, assessed_at, decided_at, logprob_note, request_id, "
               "logprob_status, source_id, revision_critique")
        .arg(autoDecision());
}

QString stateSql(ItemState state)
{
    return itemStateName(state);
}

QVariant decisionSql(std::optional<Decision> decision)
{
    return decision ? QVariant(decisionName(*decision)) : QVariant();
}

std::optional<Decision> decisionFromSql(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return decisionFromName(value.toString());
}

QueueItem rowToItem(const QSqlQuery &query)
{
    QueueItem item;
    int column = 0;
    const auto next = [&] { return query.value(column++); };
    item.id = next().toLongLong();
    item.sourceFile = next().toString();
    item.sourceSha256 = next().toString();
    item.sourceLine = next().toLongLong();
    item.record = next().toString();
    item.text = next().toString();
    item.state = itemStateFromName(next().toString()).value_or(ItemState::Pending);
    item.llmScore = optionalDouble(next());
    item.llmReasoning = next().toString();
    item.logprobCoverage = optionalDouble(next());
    item.ruleScore = optionalDouble(next());
    item.fastTextScore = optionalDouble(next());
    item.score = optionalDouble(next());
    item.autoDecision = decisionFromSql(next());
    item.humanDecision = decisionFromSql(next());
    item.revisedText = next().toString();
    item.revisedScore = optionalDouble(next());
    item.editedText = next().toString();
    item.error = next().toString();
    item.errorCode = next().toString();
    item.attempts = next().toInt();
    item.createdAt = next().toString();
    item.assessedAt = next().toString();
    item.decidedAt = next().toString();
    item.logprobNote = next().toString();
    item.requestId = next().toString();
    item.logprobStatus = next().toString();
    const QVariant sourceId = next();
    item.sourceId = sourceId.isNull() ? QString::number(item.id) : sourceId.toString();
    item.revisionCritique = next().toString();
    return item;
}

void appendRange(QueryParts &parts, const QString &column, const ScoreRange &range)
{
    if (range.min) {
        parts.where
            += QStringLiteral(" AND %1 %2 ?")
                   .arg(column, range.minInclusive ? QStringLiteral(">=") : QStringLiteral(">"));
        parts.binds << *range.min;
    }
    if (range.max) {
        parts.where
            += QStringLiteral(" AND %1 %2 ?")
                   .arg(column, range.maxInclusive ? QStringLiteral("<=") : QStringLiteral("<"));
        parts.binds << *range.max;
    }
}

QString QueryParts::filter() const
{
    if (arms.empty())
        return where;
    QStringList conditions;
    for (const FilterArm &arm : arms)
        conditions << arm.where;
    return QStringLiteral("%1 AND ((%2))").arg(where, conditions.join(QStringLiteral(") OR (")));
}

QVariantList QueryParts::filterBinds() const
{
    QVariantList all = binds;
    for (const FilterArm &arm : arms)
        all += arm.binds;
    return all;
}

std::vector<FilterArm> decisionArms(std::optional<Decision> decision, const Thresholds &thresholds)
{
    const QString assessed = stateSql(ItemState::Assessed);
    if (!decision) {
        // No human decision, and no automatic one: not assessed, or assessed without a score.
        std::vector<FilterArm> arms;
        for (const ItemState state : { ItemState::Pending, ItemState::Error })
            arms.push_back({ QStringLiteral("items.human_decision IS NULL AND items.state = '%1'")
                                 .arg(stateSql(state)),
                             {} });
        arms.push_back({ QStringLiteral("items.human_decision IS NULL AND items.state = '%1' AND "
                                        "items.score IS NULL")
                             .arg(assessed),
                         {} });
        return arms;
    }
    // The human decision in each state (one index range each), or none and the rule's range.
    std::vector<FilterArm> arms;
    for (const ItemState state : { ItemState::Assessed, ItemState::Pending, ItemState::Error })
        arms.push_back({ QStringLiteral("items.human_decision = '%1' AND items.state = '%2'")
                             .arg(decisionName(*decision), stateSql(state)),
                         {} });
    QueryParts derived;
    derived.where = QStringLiteral("items.human_decision IS NULL AND items.state = '%1' AND "
                                   "items.score IS NOT NULL")
                        .arg(assessed);
    appendRange(derived, QStringLiteral("items.score"), autoDecisionRange(*decision, thresholds));
    arms.push_back({ derived.where, derived.binds });
    return arms;
}

QueryParts queryParts(const PageQuery &query, const Thresholds &thresholds)
{
    QueryParts parts;
    switch (query.sortBy) {
    case QueueSortColumn::Score:
        parts.key = QStringLiteral("items.score");
        break;
    case QueueSortColumn::Id:
        parts.key = QStringLiteral("items.id");
        break;
    case QueueSortColumn::State:
        parts.key = QStringLiteral("items.state");
        break;
    case QueueSortColumn::Decision:
        parts.key = finalDecision();
        break;
    }
    if (query.state) {
        parts.where += QStringLiteral(" AND items.state = ?");
        parts.binds << stateSql(*query.state);
    }
    if (query.withoutDecision || query.decision)
        parts.arms
            = decisionArms(query.withoutDecision ? std::nullopt : query.decision, thresholds);
    if (query.withoutHumanDecision)
        parts.where += QStringLiteral(" AND items.human_decision IS NULL");
    // The audit's own table (queueauditstore.cpp), one row per sampled item.
    if (query.auditSampleOnly)
        parts.where += QStringLiteral(" AND items.id IN (SELECT item_id FROM audit_sample)");
    // A score range leaves out the items without a score (pending or in error).
    appendRange(parts, QStringLiteral("items.score"), query.scores);
    if (!query.textSearch.isEmpty()) {
        QString pattern = query.textSearch;
        pattern.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
            .replace(QLatin1Char('%'), QLatin1String("\\%"))
            .replace(QLatin1Char('_'), QLatin1String("\\_"));
        parts.where += QStringLiteral(" AND items.text LIKE ? ESCAPE '\\'");
        parts.binds << QStringLiteral("%") + pattern + QStringLiteral("%");
    }
    return parts;
}

QString nowUtc()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QVariant nullable(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant();
}

QVariant nullable(const QString &text)
{
    return text.isEmpty() ? QVariant() : QVariant(text);
}

std::optional<double> optionalDouble(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toDouble();
}

bool allFinite(std::initializer_list<std::optional<double>> values)
{
    for (const auto &value : values)
        if (value && !std::isfinite(*value))
            return false;
    return true;
}

}  // namespace queuesql

using namespace queuesql;

Result<std::vector<QueueItem>> QueueStore::pending(int limit, qint64 afterId)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.prepare(
            QStringLiteral("SELECT %1 FROM %2 WHERE items.state = 'pending' AND items.id > ? "
                           "ORDER BY items.id LIMIT ?")
                .arg(itemColumns(), itemsWithThresholds())))
        return databaseError(QStringLiteral("preparing a statement"), query);
    query.addBindValue(afterId);
    query.addBindValue(limit);
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("reading pending items"), query);
    std::vector<QueueItem> items;
    while (query.next())
        items.push_back(rowToItem(query));
    return items;
}

Result<QueueItem> QueueStore::item(qint64 id)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE items.id = ?")
                           .arg(itemColumns(), itemsWithThresholds())))
        return databaseError(QStringLiteral("preparing the read of item %1").arg(id), query);
    query.addBindValue(id);
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("reading item %1").arg(id), query);
    if (!query.next())
        return Error::badInput(QStringLiteral("the review queue has no item %1").arg(id), m_path);
    return rowToItem(query);
}

namespace {

// Whether count() answers `query` from the tallies alone: no filter but a state and a final
// decision (or none), each from item_tallies, both from fixed_bands and the histogram.
bool countedByTallies(const PageQuery &query)
{
    return query.textSearch.isEmpty() && query.scores.isUnbounded() && !query.withoutHumanDecision
        && !query.auditSampleOnly;
}

// The final decisions in the order of their SQL names (none smallest), as a Decision sort
// orders them when ascending.
const std::optional<Decision> kDecisionOrder[]
    = { std::nullopt, Decision::Filter, Decision::Keep, Decision::Revise };

// `query` narrowed to the items whose final decision is `group`, or nullopt when its own
// decision filter leaves none of them.
std::optional<PageQuery> decisionGroup(const PageQuery &query, std::optional<Decision> group)
{
    if (query.withoutDecision && group)
        return std::nullopt;
    if (!query.withoutDecision && query.decision && query.decision != group)
        return std::nullopt;
    PageQuery narrowed = query;
    narrowed.decision = group;
    narrowed.withoutDecision = !group;
    narrowed.sortBy = QueueSortColumn::Id;
    return narrowed;
}

}  // namespace

Result<std::vector<QueueItem>> QueueStore::readPage(const PageQuery &pageQuery,
                                                    const QString &afterWhere,
                                                    const QVariantList &afterBinds, int limit,
                                                    qint64 offset)
{
    std::vector<QueueItem> items;
    if (limit <= 0)
        return items;
    // One snapshot: the thresholds the filter is built from are those the rows are read with.
    const sqlite::ReadSnapshot snapshot(m_db);
    auto limits = thresholds();
    if (!limits)
        return limits.error();
    // Past the last match (an empty filter, say): nothing to read, and no index to walk to
    // find that out.
    if (afterWhere.isEmpty() && countedByTallies(pageQuery)) {
        auto matching = count(pageQuery);
        if (!matching)
            return matching.error();
        if (offset >= *matching)
            return items;
    }
    QueryParts parts = queryParts(pageQuery, *limits);
    if (pageQuery.sortBy == QueueSortColumn::Score && pageQuery.state && parts.arms.empty()) {
        // A state sorted by score: one range of items_decided per human decision (none
        // included), merged in score order, instead of every item of the state sorted.
        PageQuery withoutState = pageQuery;
        withoutState.state.reset();
        parts = queryParts(withoutState, *limits);
        const QString state = stateSql(*pageQuery.state);
        parts.arms.push_back(
            { QStringLiteral("items.human_decision IS NULL AND items.state = '%1'").arg(state),
              {} });
        for (const Decision decision : { Decision::Keep, Decision::Revise, Decision::Filter })
            parts.arms.push_back(
                { QStringLiteral("items.human_decision = '%1' AND items.state = '%2'")
                      .arg(decisionName(decision), state),
                  {} });
    }
    const QString direction = pageQuery.ascending ? QStringLiteral("ASC") : QStringLiteral("DESC");
    const bool byId = pageQuery.sortBy == QueueSortColumn::Id;
    const QString order = byId ? QStringLiteral("items.id %1").arg(direction)
                               : QStringLiteral("%1 %2, items.id %2").arg(parts.key, direction);
    QString after = afterWhere.isEmpty() ? QStringLiteral("1") : afterWhere;
    QVariantList afterValues = afterBinds;
    // Every item by id, when the ids have no gaps (items are never deleted, so they have none
    // unless edited by hand): the offset is an id, and only the page is read.
    if (byId && parts.filter() == QLatin1String("1") && afterWhere.isEmpty() && offset > 0) {
        QSqlQuery span(m_db);
        if (!sqlite::execRetryingBusy(
                span,
                QStringLiteral("SELECT (SELECT min(id) FROM items), (SELECT max(id) FROM "
                               "items), (SELECT items FROM item_tallies WHERE name = "
                               "'total')"))
            || !span.next())
            return databaseError(QStringLiteral("reading a page of the queue"), span);
        const qint64 first = span.value(0).toLongLong(), last = span.value(1).toLongLong();
        if (!span.value(0).isNull() && last - first + 1 == span.value(2).toLongLong()) {
            after = pageQuery.ascending ? QStringLiteral("items.id >= ?")
                                        : QStringLiteral("items.id <= ?");
            afterValues = { pageQuery.ascending ? first + offset : last - offset };
            offset = 0;
        }
    }
    // By score, deep in: the page starts in the integer band its offset falls in (counted by
    // scored_bands for every item, by the histogram and fixed_bands under a state or decision
    // filter), so only that band's rows are stepped over. The items without a score come last
    // when descending, first when ascending.
    if (pageQuery.sortBy == QueueSortColumn::Score && afterWhere.isEmpty()
        && offset >= kBandSkipOffset) {
        auto counted = scoreBands(pageQuery, *limits);
        if (!counted)
            return counted.error();
        if (*counted) {
            const ScoreBands &bands = **counted;
            qint64 skip = offset - (pageQuery.ascending ? bands.unscored : 0);
            if (!pageQuery.ascending && skip >= bands.scored) {
                // In the unscored tail.
                return readPage(pageQuery, QStringLiteral("items.score IS NULL"), {}, limit,
                                skip - bands.scored);
            }
            if (skip >= 0 && skip < bands.scored) {
                for (const auto &[band, inBand] : bands.bands) {
                    if (skip < inBand) {
                        if (pageQuery.ascending)
                            return readPage(pageQuery, QStringLiteral("items.score >= ?"),
                                            { double(band) }, limit, skip);
                        // The page may run on into the unscored tail.
                        auto rows = readPage(pageQuery, QStringLiteral("items.score < ?"),
                                             { double(band + 1) }, limit, skip);
                        if (!rows || int(rows->size()) >= limit)
                            return rows;
                        auto tail = readPage(pageQuery, QStringLiteral("items.score IS NULL"), {},
                                             limit - int(rows->size()), 0);
                        if (!tail)
                            return tail.error();
                        std::move(tail->begin(), tail->end(), std::back_inserter(*rows));
                        return rows;
                    }
                    skip -= inBand;
                }
            }
        }
    }
    // The ids of the page, from indexes alone where the filter allows.
    QString ids;
    QVariantList binds;
    if (!parts.arms.empty() && pageQuery.sortBy == QueueSortColumn::Score) {
        // Each arm is a range of items_decided in score order: SQLite merges them.
        QStringList selects;
        for (const FilterArm &arm : parts.arms) {
            selects << QStringLiteral("SELECT items.id AS id, items.score AS k FROM items WHERE "
                                      "%1 AND %2 AND %3")
                           .arg(parts.where, after, arm.where);
            binds += parts.binds;
            binds += afterValues;
            binds += arm.binds;
        }
        ids = QStringLiteral("SELECT id FROM (%1 ORDER BY k %2, id %2 LIMIT ? OFFSET ?)")
                  .arg(selects.join(QStringLiteral(" UNION ALL ")), direction);
    } else {
        // By id, the narrow items_id_decided index holds every column a filter but the text
        // search reads: the wide rows are never walked.
        const QString source = byId && pageQuery.textSearch.isEmpty()
            ? QStringLiteral("items INDEXED BY items_id_decided")
            : QStringLiteral("items");
        ids = QStringLiteral("SELECT items.id FROM %1 WHERE %2 AND %3 ORDER BY %4 LIMIT ? "
                             "OFFSET ?")
                  .arg(source, parts.filter(), after, order);
        binds += parts.filterBinds();
        binds += afterValues;
    }
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE items.id IN (%3) ORDER BY %4")
                           .arg(itemColumns(), itemsWithThresholds(), ids, order)))
        return databaseError(QStringLiteral("preparing a statement"), query);
    for (const QVariant &bind : binds)
        query.addBindValue(bind);
    query.addBindValue(limit);
    query.addBindValue(std::max<qint64>(0, offset));
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("reading a page of the queue"), query);
    items.reserve(std::size_t(limit));
    while (query.next())
        items.push_back(rowToItem(query));
    return items;
}

Result<std::optional<QueueStore::ScoreBands>> QueueStore::scoreBands(const PageQuery &pageQuery,
                                                                     const Thresholds &thresholds)
{
    if (!pageQuery.textSearch.isEmpty() || !pageQuery.scores.isUnbounded()
        || pageQuery.withoutHumanDecision || pageQuery.auditSampleOnly)
        return std::optional<ScoreBands>();
    ScoreBands counted;
    std::map<qint64, qint64> byBand;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    const bool filtered = pageQuery.state || pageQuery.decision || pageQuery.withoutDecision;
    if (!filtered) {
        // Every scored item is in scored_bands; the rest have no score.
        if (!sqlite::execRetryingBusy(
                query, QStringLiteral("SELECT band, items FROM scored_bands WHERE items > 0")))
            return databaseError(QStringLiteral("reading a page of the queue"), query);
        while (query.next())
            byBand[query.value(0).toLongLong()] += query.value(1).toLongLong();
        query.finish();
        if (!sqlite::execRetryingBusy(
                query, QStringLiteral("SELECT items FROM item_tallies WHERE name = 'total'")))
            return databaseError(QStringLiteral("reading a page of the queue"), query);
        counted.unscored = query.next() ? query.value(0).toLongLong() : 0;
        query.finish();
        for (const auto &[band, items] : byBand)
            counted.unscored -= items;
    } else {
        // The items whose decision is not derived: fixed_bands, by human decision (the final
        // one: none is '') and state.
        QString where = QStringLiteral("items <> 0");
        QVariantList binds;
        if (pageQuery.withoutDecision)
            where += QStringLiteral(" AND decision = ''");
        else if (pageQuery.decision) {
            where += QStringLiteral(" AND decision = ?");
            binds << decisionName(*pageQuery.decision);
        }
        if (pageQuery.state) {
            where += QStringLiteral(" AND state = ?");
            binds << stateSql(*pageQuery.state);
        }
        if (!query.prepare(QStringLiteral("SELECT scored, band, sum(items) FROM fixed_bands "
                                          "WHERE %1 GROUP BY scored, band")
                               .arg(where)))
            return databaseError(QStringLiteral("reading a page of the queue"), query);
        for (const QVariant &bind : binds)
            query.addBindValue(bind);
        if (!sqlite::execRetryingBusy(query))
            return databaseError(QStringLiteral("reading a page of the queue"), query);
        while (query.next()) {
            if (query.value(0).toBool())
                byBand[query.value(1).toLongLong()] += query.value(2).toLongLong();
            else
                counted.unscored += query.value(2).toLongLong();
        }
        query.finish();
        // The derived ones (assessed, scored, no human decision; each has a final decision):
        // the histogram by exact score, within the decision's range of the thresholds.
        if (!pageQuery.withoutDecision
            && (!pageQuery.state || *pageQuery.state == ItemState::Assessed)) {
            QueryParts range;
            range.where = QStringLiteral("items > 0");
            if (pageQuery.decision)
                appendRange(range, QStringLiteral("score"),
                            autoDecisionRange(*pageQuery.decision, thresholds));
            if (!query.prepare(QStringLiteral("SELECT score, items FROM score_histogram WHERE %1")
                                   .arg(range.where)))
                return databaseError(QStringLiteral("reading a page of the queue"), query);
            for (const QVariant &bind : range.binds)
                query.addBindValue(bind);
            if (!sqlite::execRetryingBusy(query))
                return databaseError(QStringLiteral("reading a page of the queue"), query);
            while (query.next())
                byBand[qint64(std::floor(query.value(0).toDouble()))]
                    += query.value(1).toLongLong();
            query.finish();
        }
    }
    for (const auto &[band, items] : byBand) {
        if (items <= 0)
            continue;
        counted.bands.emplace_back(band, items);
        counted.scored += items;
    }
    if (!pageQuery.ascending)
        std::reverse(counted.bands.begin(), counted.bands.end());
    return std::optional(std::move(counted));
}

Result<std::vector<QueueItem>> QueueStore::page(const PageQuery &pageQuery)
{
    if (pageQuery.sortBy == QueueSortColumn::State && countedByTallies(pageQuery)
        && (pageQuery.decision || pageQuery.withoutDecision)) {
        // By state under a decision filter: the states in the order of their names, each by
        // id, skipped by their counts (from the tallies), as the decision groups below.
        std::vector<QueueItem> items;
        qint64 skip = std::max<qint64>(0, pageQuery.offset);
        const int limit = std::max(0, pageQuery.limit);
        std::vector<ItemState> states { ItemState::Pending, ItemState::Assessed, ItemState::Error };
        std::sort(states.begin(), states.end(), [&](ItemState a, ItemState b) {
            return pageQuery.ascending ? stateSql(a) < stateSql(b) : stateSql(a) > stateSql(b);
        });
        for (const ItemState state : states) {
            if (int(items.size()) >= limit)
                break;
            if (pageQuery.state && *pageQuery.state != state)
                continue;
            PageQuery group = pageQuery;
            group.state = state;
            group.sortBy = QueueSortColumn::Id;
            auto inGroup = count(group);
            if (!inGroup)
                return inGroup.error();
            if (skip >= *inGroup) {
                skip -= *inGroup;
                continue;
            }
            auto rows = readPage(group, {}, {}, limit - int(items.size()), skip);
            if (!rows)
                return rows.error();
            skip = 0;
            std::move(rows->begin(), rows->end(), std::back_inserter(items));
        }
        return items;
    }
    if (pageQuery.sortBy != QueueSortColumn::Decision)
        return readPage(pageQuery, {}, {}, pageQuery.limit, pageQuery.offset);
    // By final decision: the decision groups in order, each by id; the offset is skipped by
    // the groups' counts (kept as tallies), so only the page's own rows are read.
    std::vector<QueueItem> items;
    qint64 skip = std::max<qint64>(0, pageQuery.offset);
    const int limit = std::max(0, pageQuery.limit);
    for (int i = 0; i < 4 && int(items.size()) < limit; ++i) {
        const auto group
            = decisionGroup(pageQuery, kDecisionOrder[pageQuery.ascending ? i : 3 - i]);
        if (!group)
            continue;
        auto inGroup = count(*group);
        if (!inGroup)
            return inGroup.error();
        if (skip >= *inGroup) {
            skip -= *inGroup;
            continue;
        }
        auto rows = readPage(*group, {}, {}, limit - int(items.size()), skip);
        if (!rows)
            return rows.error();
        skip = 0;
        std::move(rows->begin(), rows->end(), std::back_inserter(items));
    }
    return items;
}

Result<std::vector<QueueItem>> QueueStore::pageAfter(const PageQuery &pageQuery,
                                                     const QueueItem &last)
{
    const bool ascending = pageQuery.ascending;
    const QString idAfter
        = ascending ? QStringLiteral("items.id > ?") : QStringLiteral("items.id < ?");
    std::vector<QueueItem> items;
    const int limit = std::max(0, pageQuery.limit);
    if (pageQuery.sortBy == QueueSortColumn::Decision) {
        // The rest of last's decision group by id, then the groups after it.
        bool reached = false;
        for (int i = 0; i < 4 && int(items.size()) < limit; ++i) {
            const std::optional<Decision> decision = kDecisionOrder[ascending ? i : 3 - i];
            const bool lastGroup = decision == last.finalDecision();
            if (!reached && !lastGroup)
                continue;
            const auto group = decisionGroup(pageQuery, decision);
            if (group) {
                auto rows = lastGroup && !reached
                    ? readPage(*group, idAfter, { last.id }, limit - int(items.size()), 0)
                    : readPage(*group, {}, {}, limit - int(items.size()), 0);
                if (!rows)
                    return rows.error();
                std::move(rows->begin(), rows->end(), std::back_inserter(items));
            }
            reached = true;
        }
        return items;
    }

    // The rest of the order after `last`, as up to two index ranges (NULL keys sort first when
    // ascending): one OR'ed condition would make SQLite scan from the start.
    struct Segment {
        QString where;
        QVariantList binds;
    };
    std::vector<Segment> segments;
    if (pageQuery.sortBy == QueueSortColumn::Id) {
        segments.push_back({ idAfter, { last.id } });
    } else {
        const QString key = pageQuery.sortBy == QueueSortColumn::Score
            ? QStringLiteral("items.score")
            : QStringLiteral("items.state");
        const QVariant lastKey = pageQuery.sortBy == QueueSortColumn::Score
            ? nullable(last.score)
            : QVariant(stateSql(last.state));
        const QString beyond = ascending ? QStringLiteral(">") : QStringLiteral("<");
        const QString range
            = QStringLiteral("%1 %2= ? AND (%1 %2 ? OR %3)").arg(key, beyond, idAfter);
        const Segment nullTail { QStringLiteral("%1 IS NULL AND %2").arg(key, idAfter),
                                 { last.id } };
        if (ascending) {
            if (lastKey.isNull())
                segments = { nullTail, { QStringLiteral("%1 IS NOT NULL").arg(key), {} } };
            else
                segments = { { range, { lastKey, lastKey, last.id } } };
        } else {
            if (lastKey.isNull())
                segments = { nullTail };
            else
                segments = { { range, { lastKey, lastKey, last.id } },
                             { QStringLiteral("%1 IS NULL").arg(key), {} } };
        }
    }
    for (const Segment &segment : segments) {
        if (int(items.size()) >= limit)
            break;
        auto rows = readPage(pageQuery, segment.where, segment.binds, limit - int(items.size()), 0);
        if (!rows)
            return rows.error();
        std::move(rows->begin(), rows->end(), std::back_inserter(items));
    }
    return items;
}

Result<qint64> QueueStore::count(const PageQuery &filterOnly)
{
    // The common filters (none, a state, a decision, both) are answered from the tallies.
    const bool stateAndDecision
        = filterOnly.state && (filterOnly.decision || filterOnly.withoutDecision);
    if (countedByTallies(filterOnly) && stateAndDecision) {
        // A state and a final decision: the items of both in fixed_bands and the histogram.
        const sqlite::ReadSnapshot snapshot(m_db);
        auto limits = thresholds();
        if (!limits)
            return limits.error();
        auto bands = scoreBands(filterOnly, *limits);
        if (!bands)
            return bands.error();
        if (*bands)
            return (*bands)->scored + (*bands)->unscored;
    }
    if (countedByTallies(filterOnly) && !stateAndDecision) {
        auto tallied = counts();
        if (!tallied)
            return tallied.error();
        if (filterOnly.state) {
            switch (*filterOnly.state) {
            case ItemState::Pending:
                return tallied->pending;
            case ItemState::Assessed:
                return tallied->assessed;
            case ItemState::Error:
                return tallied->errors;
            }
        }
        if (filterOnly.withoutDecision)
            return tallied->total - tallied->keep - tallied->revise - tallied->filter;
        if (filterOnly.decision) {
            switch (*filterOnly.decision) {
            case Decision::Keep:
                return tallied->keep;
            case Decision::Revise:
                return tallied->revise;
            case Decision::Filter:
                return tallied->filter;
            }
        }
        return tallied->total;
    }
    const sqlite::ReadSnapshot snapshot(m_db);
    auto limits = thresholds();
    if (!limits)
        return limits.error();
    const QueryParts parts = queryParts(filterOnly, *limits);
    QSqlQuery query(m_db);
    if (!query.prepare(QStringLiteral("SELECT count(*) FROM items WHERE %1").arg(parts.filter())))
        return databaseError(QStringLiteral("preparing a statement"), query);
    for (const QVariant &bind : parts.filterBinds())
        query.addBindValue(bind);
    if (!sqlite::execRetryingBusy(query) || !query.next())
        return databaseError(QStringLiteral("counting items"), query);
    return query.value(0).toLongLong();
}

}  // namespace pcs
