// QueueStore's counts: by state and decision (from the tallies the triggers keep), for candidate
// thresholds, the score histogram, and the status report.
#include "core/review/assessment.h"
#include "core/review/queuesql.h"
#include "core/review/queuestore.h"
#include "core/review/sqlitesupport.h"

#include <QJsonArray>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <cmath>
#include <map>

namespace pcs {

using namespace queuesql;

Result<QJsonObject> QueueStore::status()
{
    // Counted from the tallies (and, for the automatic decisions of items a human decided, from
    // the items_decided index alone): never a pass over the rows.
    auto current = thresholds();
    if (!current)
        return current.error();
    auto tallied = countsFor(*current);
    if (!tallied)
        return tallied.error();
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    const QStringList decisions { QStringLiteral("keep"), QStringLiteral("revise"),
                                  QStringLiteral("filter") };
    QJsonObject states { { itemStateName(ItemState::Pending), tallied->pending },
                         { itemStateName(ItemState::Assessed), tallied->assessed },
                         { itemStateName(ItemState::Error), tallied->errors } };
    const qint64 total = tallied->total;
    QJsonObject finalDecisions { { decisionName(Decision::Keep), tallied->keep },
                                 { decisionName(Decision::Revise), tallied->revise },
                                 { decisionName(Decision::Filter), tallied->filter } };
    // The automatic decisions: those of the undecided items (the candidate counts without the
    // human decisions), plus those of the decided items, by score range.
    QJsonObject humanDecisions, autoDecisions;
    for (const QString &name : decisions)
        humanDecisions.insert(name, 0);
    if (!sqlite::execRetryingBusy(
            query,
            QStringLiteral("SELECT substr(name, 7), items FROM item_tallies WHERE name LIKE "
                           "'human\\_%' ESCAPE '\\'")))
        return databaseError(QStringLiteral("counting items"), query);
    qint64 human[3] = { 0, 0, 0 };
    while (query.next())
        if (const auto decision = decisionFromName(query.value(0).toString())) {
            human[int(*decision)] = query.value(1).toLongLong();
            humanDecisions.insert(decisionName(*decision), human[int(*decision)]);
        }
    for (const Decision decision : { Decision::Keep, Decision::Revise, Decision::Filter }) {
        QueryParts parts;
        appendRange(parts, QStringLiteral("score"), autoDecisionRange(decision, *current));
        if (!query.prepare(
                QStringLiteral("SELECT count(*) FROM items WHERE human_decision IN ('keep', "
                               "'revise', 'filter') AND state = 'assessed' AND score IS NOT "
                               "NULL AND %1")
                    .arg(parts.where)))
            return databaseError(QStringLiteral("preparing a statement"), query);
        for (const QVariant &bind : parts.binds)
            query.addBindValue(bind);
        if (!sqlite::execRetryingBusy(query) || !query.next())
            return databaseError(QStringLiteral("counting items"), query);
        const qint64 undecided = (decision == Decision::Keep         ? tallied->keep
                                      : decision == Decision::Revise ? tallied->revise
                                                                     : tallied->filter)
            - human[int(decision)];
        autoDecisions.insert(decisionName(decision), undecided + query.value(0).toLongLong());
        query.finish();
    }

    // Assessed items whose run wanted log-probs but whose score is not the probability-weighted
    // one, by reason: the model refused them (logprob_status), or the note's code. Items of runs
    // that asked for none ("not_requested") got what was wanted and are not counted.
    QJsonObject withoutLogprobs;
    qint64 withoutLogprobsTotal = 0;
    if (!sqlite::execRetryingBusy(
            query,
            // Two partial indexes, one per reason (items_logprob_not_allowed is on '%1').
            QStringLiteral("SELECT code, count(*) FROM (SELECT substr(logprob_note, 1, "
                           "instr(logprob_note, ':') - 1) AS code FROM items INDEXED BY "
                           "items_logprob_note WHERE logprob_note IS NOT NULL AND state = "
                           "'assessed' UNION ALL SELECT logprob_status FROM items INDEXED BY "
                           "items_logprob_not_allowed WHERE logprob_status = '%1' AND "
                           "logprob_note IS NULL AND state = 'assessed') GROUP BY code ORDER BY "
                           "code")
                .arg(QLatin1String(LogprobStatus::kNotAllowed))))
        return databaseError(QStringLiteral("counting the log-prob notes"), query);
    while (query.next()) {
        withoutLogprobs.insert(query.value(0).toString(), query.value(1).toLongLong());
        withoutLogprobsTotal += query.value(1).toLongLong();
    }

    auto limits = thresholds();
    if (!limits)
        return limits.error();
    QJsonArray sources;
    if (!sqlite::execRetryingBusy(
            query,
            QStringLiteral(
                "SELECT path, sha256, size_bytes, imported_at FROM sources ORDER BY imported_at")))
        return databaseError(QStringLiteral("reading the sources"), query);
    while (query.next())
        sources.append(
            QJsonObject { { QStringLiteral("path"), query.value(0).toString() },
                          { QStringLiteral("sha256"), query.value(1).toString() },
                          { QStringLiteral("size_bytes"), query.value(2).toLongLong() },
                          { QStringLiteral("imported_at"), query.value(3).toString() } });
    // Who is running the queue now, if anyone (a stale lease shows until the next run starts).
    auto lease = currentRunLease();
    if (!lease)
        return lease.error();
    const QJsonValue run = *lease
        ? QJsonValue(QJsonObject { { QStringLiteral("pid"), (*lease)->pid },
                                   { QStringLiteral("host"), (*lease)->host },
                                   { QStringLiteral("started_at"), (*lease)->startedAt },
                                   { QStringLiteral("heartbeat_at"), (*lease)->heartbeatAt } })
        : QJsonValue();
    return QJsonObject {
        { QStringLiteral("database"), m_path },
        { QStringLiteral("items"), total },
        { QStringLiteral("run"), run },
        { QStringLiteral("states"), states },
        { QStringLiteral("auto_decisions"), autoDecisions },
        { QStringLiteral("human_decisions"), humanDecisions },
        { QStringLiteral("final_decisions"), finalDecisions },
        { QStringLiteral("thresholds"),
          QJsonObject { { QStringLiteral("filter"), limits->filter },
                        { QStringLiteral("revise"), limits->revise } } },
        { QStringLiteral("scored_without_logprobs"),
          QJsonObject { { QStringLiteral("items"), withoutLogprobsTotal },
                        { QStringLiteral("reasons"), withoutLogprobs } } },
        { QStringLiteral("sources"), sources },
    };
}

Status QueueStore::checkTallies()
{
    const sqlite::ReadSnapshot snapshot(m_db);  // the tallies and the counts from one snapshot
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    // What the items say, under the tallies' names, then what the tallies say.
    std::map<QString, std::pair<qint64, qint64>> counts;  // name: counted, tallied
    enum class Source { States, HumanDecisions, FixedItems, Tallies };
    // The items whose decision is not derived, by human decision and state, as fixed_bands
    // holds them (from the items_decided index); and the histogram and fixed_bands together,
    // which must hold every item once.
    const QString notDerived = QStringLiteral(
        "NOT (state = 'assessed' AND human_decision IS NULL AND score IS NOT NULL)");
    const std::pair<Source, QString> reads[] = {
        { Source::FixedItems,
          QStringLiteral("SELECT 'fixed_' || coalesce(human_decision, '') || '_' || state, "
                         "count(*) FROM items INDEXED BY items_decided WHERE %1 GROUP BY "
                         "human_decision, state")
              .arg(notDerived) },
        { Source::Tallies,
          QStringLiteral("SELECT 'fixed_' || decision || '_' || state, sum(items) FROM "
                         "fixed_bands GROUP BY decision, state HAVING sum(items) <> 0") },
        { Source::Tallies,
          QStringLiteral("SELECT 'histogram and fixed_bands', (SELECT coalesce(sum(items), 0) "
                         "FROM score_histogram) + (SELECT coalesce(sum(items), 0) FROM "
                         "fixed_bands)") },
        { Source::States,
          QStringLiteral("SELECT state, count(*) FROM items INDEXED BY items_state GROUP BY "
                         "state") },
        { Source::HumanDecisions,
          QStringLiteral("SELECT 'human_' || human_decision, count(*) FROM items WHERE "
                         "human_decision IS NOT NULL GROUP BY human_decision") },
        { Source::Tallies, QStringLiteral("SELECT name, items FROM item_tallies") },
    };
    for (const auto &[source, sql] : reads) {
        if (!sqlite::execRetryingBusy(query, sql))
            return databaseError(QStringLiteral("checking the counts"), query);
        while (query.next()) {
            const qint64 items = query.value(1).toLongLong();
            auto &[counted, tallied] = counts[query.value(0).toString()];
            (source == Source::Tallies ? tallied : counted) = items;
            if (source == Source::States)
                counts[QStringLiteral("total")].first += items;
        }
        query.finish();
    }
    counts[QStringLiteral("histogram and fixed_bands")].first
        = counts[QStringLiteral("total")].first;
    for (const auto &[name, values] : counts)
        if (values.first != values.second)
            return Error::badInput(
                QStringLiteral("the review queue's counts disagree with its items (%1: %2 "
                               "counted, %3 kept)")
                    .arg(name)
                    .arg(values.first)
                    .arg(values.second),
                m_path);
    return Done {};
}

Result<QueueCounts> QueueStore::counts()
{
    auto current = thresholds();
    if (!current)
        return current.error();
    return countsFor(*current);
}

Result<QueueCounts> QueueStore::countsFor(const Thresholds &candidate)
{
    if (Status valid = candidate.validate(); !valid)
        return valid.error();
    // One read transaction (a snapshot), so that the tallies and the histogram agree while a
    // run writes beside it; it only reads, so it ends by a rollback.
    const sqlite::ReadSnapshot snapshot(m_db);
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!sqlite::execRetryingBusy(query,
                                  QStringLiteral("SELECT name, items FROM item_tallies "
                                                 "UNION ALL SELECT '', coalesce(sum(items), "
                                                 "0) FROM score_bands")))
        return databaseError(QStringLiteral("counting items"), query);
    QueueCounts counts;
    qint64 derived = 0;  // assessed, scored, without a human decision
    qint64 human[3] = { 0, 0, 0 };
    while (query.next()) {
        const QString name = query.value(0).toString();
        const qint64 items = query.value(1).toLongLong();
        if (name.isEmpty())
            derived = items;
        else if (name == QLatin1String("total"))
            counts.total = items;
        else if (const auto state = itemStateFromName(name))
            (*state == ItemState::Pending        ? counts.pending
                 : *state == ItemState::Assessed ? counts.assessed
                                                 : counts.errors)
                = items;
        else if (name.startsWith(QLatin1String("human_")))
            if (const auto decision = decisionFromName(name.mid(6)))
                human[int(*decision)] = items;
    }
    query.finish();

    // Derived items scored above `bound`: the integer bands wholly above it, plus the exact
    // scores above it in its own band. Exact for any real bound, whatever the scores are.
    QSqlQuery above(m_db);
    above.setForwardOnly(true);
    if (!above.prepare(QStringLiteral(
            "SELECT (SELECT coalesce(sum(items), 0) FROM score_bands WHERE band > ?) + (SELECT "
            "coalesce(sum(items), 0) FROM score_histogram WHERE score > ? AND score < ?)")))
        return databaseError(QStringLiteral("preparing a statement"), above);
    const auto countAbove = [&](std::optional<double> bound) -> std::optional<qint64> {
        if (!bound)
            return 0;
        const double band = std::floor(*bound);
        above.bindValue(0, qint64(band));
        above.bindValue(1, *bound);
        above.bindValue(2, band + 1);
        if (!sqlite::execRetryingBusy(above) || !above.next())
            return std::nullopt;
        const qint64 count = above.value(0).toLongLong();
        above.finish();
        return count;
    };
    // The automatic decisions by the rule's ranges, each open below and closed above.
    for (const Decision decision : { Decision::Keep, Decision::Revise, Decision::Filter }) {
        const ScoreRange range = autoDecisionRange(decision, candidate);
        Q_ASSERT(!range.minInclusive && range.maxInclusive);
        const auto fromBelow = range.min ? countAbove(range.min) : std::optional<qint64>(derived);
        const auto fromAbove = countAbove(range.max);
        if (!fromBelow || !fromAbove)
            return databaseError(QStringLiteral("counting items for candidate thresholds"), above);
        const qint64 count = *fromBelow - *fromAbove + human[int(decision)];
        (decision == Decision::Keep         ? counts.keep
             : decision == Decision::Revise ? counts.revise
                                            : counts.filter)
            = count;
    }
    counts.humanDecided = human[0] + human[1] + human[2];
    return counts;
}

Result<std::vector<qint64>> QueueStore::scoreHistogram(int bins)
{
    if (bins < 1)
        return Error::badInput(QStringLiteral("a histogram needs at least one bin"));
    // The exact-score histogram of the derived items, plus the scored items a human decided;
    // scores are clamped into [0, 100] bins.
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.prepare(QStringLiteral(
            "SELECT min(max(CAST(score * ? / 100.0 AS INTEGER), 0), ?) AS bin, sum(items) FROM ("
            "SELECT score, items FROM score_histogram UNION ALL SELECT score, 1 FROM items WHERE "
            "human_decision IS NOT NULL AND state = 'assessed' AND score IS NOT NULL) GROUP BY "
            "bin")))
        return databaseError(QStringLiteral("preparing a statement"), query);
    query.addBindValue(bins);
    query.addBindValue(bins - 1);
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("reading the score histogram"), query);
    std::vector<qint64> histogram(std::size_t(bins), 0);
    while (query.next())
        histogram[std::size_t(query.value(0).toInt())] = query.value(1).toLongLong();
    return histogram;
}

}  // namespace pcs
