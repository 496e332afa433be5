// QueueStore's reads of items: one item, pages in any order (OFFSET and keyset), counts of a
// filter; and the SQL the store's parts share (queuesql.h).
#include "review/queuesql.h"
#include "review/queuestore.h"
#include "review/sqlitesupport.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

#include <cmath>

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
               "logprob_status, source_id")
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

QueryParts queryParts(const PageQuery &query)
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
    if (query.withoutDecision) {
        parts.where += QStringLiteral(" AND %1 IS NULL").arg(finalDecision());
    } else if (query.decision) {
        parts.where += QStringLiteral(" AND %1 = ?").arg(finalDecision());
        parts.binds << decisionName(*query.decision);
    }
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
    query.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE items.state = 'pending' AND items.id > ? "
                                 "ORDER BY items.id LIMIT ?")
                      .arg(itemColumns(), itemsWithThresholds()));
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
    query.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE items.id = ?")
                      .arg(itemColumns(), itemsWithThresholds()));
    query.addBindValue(id);
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("reading item %1").arg(id), query);
    if (!query.next())
        return Error::badInput(QStringLiteral("the review queue has no item %1").arg(id), m_path);
    return rowToItem(query);
}

Result<std::vector<QueueItem>> QueueStore::page(const PageQuery &pageQuery)
{
    const QueryParts parts = queryParts(pageQuery);
    const QString direction = pageQuery.ascending ? QStringLiteral("ASC") : QStringLiteral("DESC");
    const QString order = parts.key == QLatin1String("items.id")
        ? QStringLiteral("items.id %1").arg(direction)
        : QStringLiteral("%1 %2, items.id %2").arg(parts.key, direction);
    // The inner query skips the offset on the index alone; only the page's rows are read.
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE items.id IN (SELECT items.id FROM %2 "
                                 "WHERE %3 ORDER BY %4 LIMIT ? OFFSET ?) ORDER BY %4")
                      .arg(itemColumns(), itemsWithThresholds(), parts.where, order));
    for (const QVariant &bind : parts.binds)
        query.addBindValue(bind);
    query.addBindValue(std::max(0, pageQuery.limit));
    query.addBindValue(std::max<qint64>(0, pageQuery.offset));
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("reading a page of the queue"), query);
    std::vector<QueueItem> items;
    items.reserve(std::size_t(std::max(0, pageQuery.limit)));
    while (query.next())
        items.push_back(rowToItem(query));
    return items;
}

Result<std::vector<QueueItem>> QueueStore::pageAfter(const PageQuery &pageQuery,
                                                     const QueueItem &last)
{
    const QueryParts parts = queryParts(pageQuery);
    const QString &key = parts.key;
    const bool ascending = pageQuery.ascending;
    const QString direction = ascending ? QStringLiteral("ASC") : QStringLiteral("DESC");
    const QString idAfter
        = ascending ? QStringLiteral("items.id > ?") : QStringLiteral("items.id < ?");
    const bool byId = pageQuery.sortBy == QueueSortColumn::Id;

    // The rest of the order after `last`, as up to two index ranges (NULL keys sort first when
    // ascending): one OR'ed condition would make SQLite scan from the start.
    struct Segment {
        QString where;
        QVariantList binds;
    };
    std::vector<Segment> segments;
    if (byId) {
        segments.push_back({ idAfter, { last.id } });
    } else {
        QVariant lastKey;
        if (pageQuery.sortBy == QueueSortColumn::Score)
            lastKey = nullable(last.score);
        else if (pageQuery.sortBy == QueueSortColumn::State)
            lastKey = stateSql(last.state);
        else
            lastKey = decisionSql(last.finalDecision());
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

    const QString order = byId ? QStringLiteral("items.id %1").arg(direction)
                               : QStringLiteral("%1 %2, items.id %2").arg(key, direction);
    std::vector<QueueItem> items;
    for (const Segment &segment : segments) {
        const int remaining = pageQuery.limit - int(items.size());
        if (remaining <= 0)
            break;
        QSqlQuery query(m_db);
        query.setForwardOnly(true);
        query.prepare(
            QStringLiteral("SELECT %1 FROM %2 WHERE %3 AND %4 ORDER BY %5 LIMIT ?")
                .arg(itemColumns(), itemsWithThresholds(), parts.where, segment.where, order));
        for (const QVariant &bind : parts.binds)
            query.addBindValue(bind);
        for (const QVariant &bind : segment.binds)
            query.addBindValue(bind);
        query.addBindValue(remaining);
        if (!sqlite::execRetryingBusy(query))
            return databaseError(QStringLiteral("reading a page of the queue"), query);
        while (query.next())
            items.push_back(rowToItem(query));
    }
    return items;
}

Result<qint64> QueueStore::count(const PageQuery &filterOnly)
{
    // The common filters (none, a state, a decision) are answered from the tallies.
    if (filterOnly.textSearch.isEmpty() && filterOnly.scores.isUnbounded()
        && !filterOnly.withoutHumanDecision && !filterOnly.auditSampleOnly
        && !(filterOnly.state && (filterOnly.decision || filterOnly.withoutDecision))) {
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
    const QueryParts parts = queryParts(filterOnly);
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("SELECT count(*) FROM %1 WHERE %2").arg(itemsWithThresholds(), parts.where));
    for (const QVariant &bind : parts.binds)
        query.addBindValue(bind);
    if (!sqlite::execRetryingBusy(query) || !query.next())
        return databaseError(QStringLiteral("counting items"), query);
    return query.value(0).toLongLong();
}

}  // namespace pcs
