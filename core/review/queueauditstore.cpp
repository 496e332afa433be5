// The audit sample in the queue file: a table of the audit's own, beside the queue's schema
// (which it neither reads nor versions), one row per sampled item.
#include "core/review/queueaudit.h"
#include "core/review/queueconnection.h"
#include "core/review/sqlitesupport.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <map>

namespace pcs {

namespace {

// Everything a report needs rides on each row: the stratum (decision as drawn, band, size in the
// queue then) and the draw (seed, thresholds, time), the same on every row.
const char *const kCreateAuditSample = "CREATE TABLE IF NOT EXISTS audit_sample ("
                                       " item_id INTEGER PRIMARY KEY,"
                                       " auto_decision TEXT NOT NULL,"
                                       " score_band INTEGER NOT NULL,"
                                       " stratum_population INTEGER NOT NULL,"
                                       " score REAL NOT NULL,"
                                       " seed TEXT NOT NULL,"
                                       " filter_threshold REAL NOT NULL,"
                                       " revise_threshold REAL NOT NULL,"
                                       " drawn_at TEXT NOT NULL)";

Error failure(QueueConnection &queue, const QSqlQuery &query, const QString &what)
{
    return sqlite::describeFailure(queue.database(), query.lastError(), what, queue.path());
}

Error inconsistent(QueueConnection &queue, const QString &why)
{
    return Error::badInput(
        QStringLiteral("the audit sample stored in the queue does not hang together (%1); draw "
                       "a new one")
            .arg(why),
        queue.path());
}

}  // namespace

Status saveAuditSample(QueueConnection &queue, const AuditSample &sample)
{
    sqlite::Transaction transaction(queue.database(), queue.path());
    if (Status begun = transaction.begin(); !begun)
        return begun.error();
    QSqlQuery query(queue.database());
    if (!query.exec(QString::fromLatin1(kCreateAuditSample)))
        return failure(queue, query, QStringLiteral("creating the audit sample table"));
    if (!query.exec(QStringLiteral("DELETE FROM audit_sample")))
        return failure(queue, query, QStringLiteral("replacing the audit sample"));
    query.prepare(QStringLiteral(
        "INSERT INTO audit_sample (item_id, auto_decision, score_band, stratum_population, score, "
        "seed, filter_threshold, revise_threshold, drawn_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const AuditSampleItem &item : sample.items) {
        const AuditStratum &stratum = sample.strata.at(item.stratum);
        query.addBindValue(item.id);
        query.addBindValue(decisionName(stratum.automatic));
        query.addBindValue(stratum.band);
        query.addBindValue(stratum.population);
        query.addBindValue(item.score);
        query.addBindValue(QString::number(sample.seed));
        query.addBindValue(sample.thresholds.filter);
        query.addBindValue(sample.thresholds.revise);
        query.addBindValue(sample.drawnAt);
        if (!query.exec())
            return failure(queue, query, QStringLiteral("storing the audit sample"));
    }
    return transaction.commit();
}

Result<std::optional<AuditSample>> loadAuditSample(QueueConnection &queue)
{
    QSqlQuery query(queue.database());
    query.setForwardOnly(true);
    if (!sqlite::execRetryingBusy(query,
                                  QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = "
                                                 "'table' AND name = 'audit_sample'"))
        || !query.next())
        return failure(queue, query, QStringLiteral("looking for the audit sample"));
    if (query.value(0).toInt() == 0)
        return std::optional<AuditSample>();
    if (!sqlite::execRetryingBusy(
            query,
            QStringLiteral("SELECT item_id, auto_decision, score_band, stratum_population, score, "
                           "seed, filter_threshold, revise_threshold, drawn_at FROM audit_sample "
                           "ORDER BY item_id")))
        return failure(queue, query, QStringLiteral("reading the audit sample"));
    AuditSample sample;
    std::map<std::pair<int, int>, std::size_t> strata;
    bool first = true;
    while (query.next()) {
        const auto decision = decisionFromName(query.value(1).toString());
        const int band = query.value(2).toInt();
        const qint64 population = query.value(3).toLongLong();
        if (!decision || band < 0 || band >= kAuditScoreBands || population < 1)
            return inconsistent(queue, QStringLiteral("item %1").arg(query.value(0).toLongLong()));
        bool seedOk = false;
        const quint64 seed = query.value(5).toString().toULongLong(&seedOk);
        const Thresholds thresholds { query.value(6).toDouble(), query.value(7).toDouble() };
        if (first) {
            sample.seed = seed;
            sample.thresholds = thresholds;
            sample.drawnAt = query.value(8).toString();
            first = false;
        } else if (!seedOk || seed != sample.seed || thresholds.filter != sample.thresholds.filter
                   || thresholds.revise != sample.thresholds.revise) {
            return inconsistent(queue, QStringLiteral("rows of different draws"));
        }
        const auto key = std::make_pair(int(*decision), band);
        auto found = strata.find(key);
        if (found == strata.end()) {
            found = strata.emplace(key, sample.strata.size()).first;
            sample.strata.push_back({ *decision, band, population, 0 });
        }
        AuditStratum &stratum = sample.strata[found->second];
        if (stratum.population != population)
            return inconsistent(queue, QStringLiteral("two sizes for %1").arg(stratum.label()));
        ++stratum.sampleSize;
        if (stratum.sampleSize > stratum.population)
            return inconsistent(queue,
                                QStringLiteral("more items than %1 had").arg(stratum.label()));
        sample.items.push_back(
            { query.value(0).toLongLong(), found->second, query.value(4).toDouble() });
    }
    if (query.lastError().isValid())
        return failure(queue, query, QStringLiteral("reading the audit sample"));
    if (sample.items.empty())
        return std::optional<AuditSample>();
    // Strata in the order a draw gives them (decision, then band).
    std::vector<AuditStratum> ordered;
    std::vector<std::size_t> newIndex(sample.strata.size());
    for (const auto &[key, index] : strata) {
        newIndex[index] = ordered.size();
        ordered.push_back(sample.strata[index]);
    }
    sample.strata = std::move(ordered);
    for (AuditSampleItem &item : sample.items)
        item.stratum = newIndex[item.stratum];
    return std::optional<AuditSample>(std::move(sample));
}

}  // namespace pcs
