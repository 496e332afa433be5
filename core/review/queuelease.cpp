// QueueStore's run lease: one assessment run per queue at a time (see RunLease).
#include "core/review/queuestore.h"
#include "core/review/sqlitesupport.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>
#include <QUuid>
#include <QVariant>

#include <cerrno>

#ifdef Q_OS_UNIX
#include <signal.h>
#endif

namespace pcs {

namespace {

const QLatin1String kLeaseColumns("lease_id, pid, host, started_at, heartbeat_at, heartbeat_ms");

struct StoredLease {
    RunLease lease;
    qint64 heartbeatMs = 0;
};

StoredLease rowToLease(const QSqlQuery &query)
{
    StoredLease stored;
    stored.lease.id = query.value(0).toString();
    stored.lease.pid = query.value(1).toLongLong();
    stored.lease.host = query.value(2).toString();
    stored.lease.startedAt = query.value(3).toString();
    stored.lease.heartbeatAt = query.value(4).toString();
    stored.heartbeatMs = query.value(5).toLongLong();
    return stored;
}

// kill(pid, 0) answers ESRCH only when no such process exists (EPERM: it exists, not ours).
bool processIsGone(qint64 pid)
{
#ifdef Q_OS_UNIX
    return pid > 0 && ::kill(pid_t(pid), 0) == -1 && errno == ESRCH;
#else
    Q_UNUSED(pid);
    return false;  // only the heartbeat tells
#endif
}

// Why `stored` no longer holds the queue, or empty while it does.
QString staleness(const StoredLease &stored, qint64 nowMs, qint64 staleAfterMs)
{
    if (stored.lease.host == QSysInfo::machineHostName() && processIsGone(stored.lease.pid))
        return QStringLiteral("its process is gone");
    if (nowMs - stored.heartbeatMs > staleAfterMs)
        return QStringLiteral("no heartbeat since %1").arg(stored.lease.heartbeatAt);
    return {};
}

}  // namespace

QString RunLease::busyReason() const
{
    return QStringLiteral("queue is being run by PID %1 on %2 since %3")
        .arg(pid)
        .arg(host, startedAt);
}

Result<std::optional<RunLease>> QueueStore::currentRunLease()
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!sqlite::execRetryingBusy(
            query, QStringLiteral("SELECT %1 FROM run_lease WHERE id = 1").arg(kLeaseColumns)))
        return databaseError(QStringLiteral("reading the run lease"), query);
    if (!query.next())
        return std::optional<RunLease>();
    return std::optional(rowToLease(query).lease);
}

Result<RunLeaseAttempt> QueueStore::acquireRunLease(qint64 staleAfterMs)
{
    // Read the lease and write ours in one write transaction: two runs starting together
    // cannot both see it free.
    sqlite::Transaction transaction(m_db, m_path);
    if (Status begun = transaction.begin(); !begun)
        return begun.error();
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT %1 FROM run_lease WHERE id = 1").arg(kLeaseColumns)))
        return databaseError(QStringLiteral("reading the run lease"), query);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    RunLeaseAttempt attempt;
    if (query.next()) {
        const StoredLease stored = rowToLease(query);
        query.finish();
        if (!m_leaseId.isEmpty() && stored.lease.id == m_leaseId) {
            attempt.acquired = true;
            attempt.holder = stored.lease;
            return attempt;
        }
        attempt.takeoverReason = staleness(stored, now.toMSecsSinceEpoch(), staleAfterMs);
        if (attempt.takeoverReason.isEmpty()) {
            attempt.holder = stored.lease;
            return attempt;  // rolled back: nothing written
        }
        attempt.takenOver = stored.lease;
    }
    query.finish();

    RunLease lease;
    lease.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    lease.pid = QCoreApplication::applicationPid();
    lease.host = QSysInfo::machineHostName();
    lease.startedAt = lease.heartbeatAt = now.toString(Qt::ISODateWithMs);
    query.prepare(QStringLiteral("INSERT OR REPLACE INTO run_lease (id, %1) VALUES (1, ?, ?, ?, ?, "
                                 "?, ?)")
                      .arg(kLeaseColumns));
    for (const QVariant &value :
         { QVariant(lease.id), QVariant(lease.pid), QVariant(lease.host), QVariant(lease.startedAt),
           QVariant(lease.heartbeatAt), QVariant(now.toMSecsSinceEpoch()) })
        query.addBindValue(value);
    if (!query.exec())
        return databaseError(QStringLiteral("writing the run lease"), query);
    // Only the lease holder claims items, so any claim now belongs to a run that is over.
    if (!query.exec(QStringLiteral("UPDATE items SET claimed_by = NULL, claimed_at = NULL "
                                   "WHERE claimed_by IS NOT NULL")))
        return databaseError(QStringLiteral("releasing the claims of an earlier run"), query);
    attempt.releasedClaims = query.numRowsAffected();
    if (Status committed = transaction.commit(); !committed)
        return committed.error();
    m_leaseId = lease.id;
    attempt.acquired = true;
    attempt.holder = lease;
    return attempt;
}

Status QueueStore::refreshRunLease()
{
    if (m_leaseId.isEmpty())
        return Error::internal(QStringLiteral("this run holds no run lease"), m_path);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE run_lease SET heartbeat_at = ?, heartbeat_ms = ? "
                                 "WHERE id = 1 AND lease_id = ?"));
    query.addBindValue(now.toString(Qt::ISODateWithMs));
    query.addBindValue(now.toMSecsSinceEpoch());
    query.addBindValue(m_leaseId);
    if (!query.exec()) {
        // Another connection holds the write lock longer than the busy timeout: skip this beat;
        // the lease goes stale only after many missed ones.
        if (sqlite::isBusy(query.lastError()))
            return Done {};
        return databaseError(QStringLiteral("refreshing the run lease"), query);
    }
    if (query.numRowsAffected() > 0)
        return Done {};
    // Another run judged this one dead (no heartbeat for too long) and took over.
    m_leaseId.clear();
    auto holder = currentRunLease();
    return Error::internal(
        QStringLiteral("this run lost its lease on the queue%1")
            .arg(holder && *holder ? QStringLiteral(": ") + (*holder)->busyReason() : QString()),
        m_path);
}

Status QueueStore::releaseRunLease()
{
    if (m_leaseId.isEmpty())
        return Done {};
    const QString leaseId = std::exchange(m_leaseId, QString());
    sqlite::Transaction transaction(m_db, m_path);
    if (Status begun = transaction.begin(); !begun)
        return begun;
    QSqlQuery query(m_db);
    // What this run claimed and did not record stays pending for the next run.
    query.prepare(QStringLiteral(
        "UPDATE items SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by = ?"));
    query.addBindValue(leaseId);
    if (!query.exec())
        return databaseError(QStringLiteral("releasing the claimed items"), query);
    query.prepare(QStringLiteral("DELETE FROM run_lease WHERE id = 1 AND lease_id = ?"));
    query.addBindValue(leaseId);
    if (!query.exec())
        return databaseError(QStringLiteral("releasing the run lease"), query);
    return transaction.commit();
}

}  // namespace pcs
