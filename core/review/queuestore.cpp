// QueueStore: opening a queue, its properties, item claims and the integrity check. The other
// parts: queueschema (schema and migrations), queueimport, queuequery (items and pages),
// queuedecisions (results, decisions, undo, thresholds), queuecounts, queueexport, queuelease.
#include "core/review/queuestore.h"

#include "core/review/queuesql.h"
#include "core/review/sqlitesupport.h"

#include <QDir>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <atomic>

namespace pcs {

using namespace queuesql;

QueueStore::QueueStore(QString path, QString connectionName)
    : m_path(std::move(path))
    , m_connectionName(std::move(connectionName))
{
}

QueueStore::~QueueStore()
{
    if (holdsRunLease())
        releaseRunLease();  // best effort: a lease left behind goes stale
    // Every query and handle must be gone before the connection can be removed.
    m_recordAssessment.reset();
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

Result<std::unique_ptr<QueueStore>> QueueStore::open(const QString &path)
{
    static std::atomic<quint64> nextConnection { 0 };
    const QString absolutePath = QFileInfo(path).absoluteFilePath();
    const QString connectionName
        = QStringLiteral("pcstudio-queuestore-%1").arg(nextConnection.fetch_add(1));
    std::unique_ptr<QueueStore> store(new QueueStore(absolutePath, connectionName));
    store->m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
    if (!store->m_db.isValid())
        return Error::internal(QStringLiteral("the Qt SQLite driver (QSQLITE) is not available"));
    store->m_db.setDatabaseName(absolutePath);
    // Another store on the same file (a reader, the GUI beside a CLI run) may hold the write
    // lock for a moment: wait rather than fail.
    store->m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!store->m_db.open()) {
        // A path into a missing folder is the user's; anything else is said as the disk's.
        if (!QFileInfo(absolutePath).dir().exists())
            return Error::badInput(QStringLiteral("cannot open the review queue: the folder does "
                                                  "not exist"),
                                   absolutePath);
        return sqlite::describeFailure(store->m_db, store->m_db.lastError(),
                                       QStringLiteral("opening the queue"), absolutePath);
    }
    if (Status ready = store->initialize(); !ready)
        return ready.error();
    return store;
}

Error QueueStore::databaseError(const QString &what, const QSqlQuery &query) const
{
    return sqlite::describeFailure(m_db, query.lastError(), what, m_path);
}

Status QueueStore::exec(const QString &sql)
{
    QSqlQuery query(m_db);
    if (!query.exec(sql))
        return databaseError(sql.section(QLatin1Char(' '), 0, 2), query);
    return Done {};
}

Status QueueStore::requireChanged(const QSqlQuery &query, qint64 id) const
{
    if (query.numRowsAffected() < 1)
        return Error::badInput(QStringLiteral("the review queue has no item %1").arg(id), m_path);
    return Done {};
}

Result<std::vector<QueueItem>> QueueStore::claimPending(int limit, qint64 afterId)
{
    if (m_leaseId.isEmpty())
        return Error::internal(QStringLiteral("claiming items needs the run lease"), m_path);
    // Pick and claim in one write transaction: no other connection can pick the same items.
    sqlite::Transaction transaction(m_db, m_path);
    if (Status begun = transaction.begin(); !begun)
        return begun.error();
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT lease_id FROM run_lease WHERE id = 1"));
    if (!query.exec())
        return databaseError(QStringLiteral("reading the run lease"), query);
    if (!query.next() || query.value(0).toString() != m_leaseId) {
        m_leaseId.clear();  // taken over: the other run released our claims
        return Error::internal(QStringLiteral("this run lost its lease on the queue"), m_path);
    }
    query.finish();
    query.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE items.state = 'pending' AND "
                                 "items.claimed_by IS NULL AND items.id > ? ORDER BY items.id "
                                 "LIMIT ?")
                      .arg(itemColumns(), itemsWithThresholds()));
    query.addBindValue(afterId);
    query.addBindValue(limit);
    if (!query.exec())
        return databaseError(QStringLiteral("reading pending items"), query);
    std::vector<QueueItem> items;
    while (query.next())
        items.push_back(rowToItem(query));
    query.finish();
    query.prepare(QStringLiteral("UPDATE items SET claimed_by = ?, claimed_at = ? WHERE id = ?"));
    const QString claimedAt = nowUtc();
    for (const QueueItem &item : items) {
        query.bindValue(0, m_leaseId);
        query.bindValue(1, claimedAt);
        query.bindValue(2, item.id);
        if (!query.exec())
            return databaseError(QStringLiteral("claiming item %1").arg(item.id), query);
    }
    if (Status committed = transaction.commit(); !committed)
        return committed.error();
    return items;
}

Status QueueStore::releaseClaim(qint64 id)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE items SET claimed_by = NULL, claimed_at = NULL "
                                 "WHERE id = ? AND claimed_by = ?"));
    query.addBindValue(id);
    query.addBindValue(m_leaseId);
    if (!query.exec())
        return databaseError(QStringLiteral("releasing the claim on item %1").arg(id), query);
    return Done {};
}

Status QueueStore::quickCheck()
{
    // Reads every page (not the cross-checks of integrity_check): O(size of the file).
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!sqlite::execRetryingBusy(query, QStringLiteral("PRAGMA quick_check(1)")))
        return databaseError(QStringLiteral("checking the queue"), query);
    // One line: "*** in database main ***\nPage 41: btreeInitPage() returns error code 11".
    const QString verdict = query.next()
        ? query.value(0).toString().replace(QLatin1Char('\n'), QLatin1Char(' '))
        : QString();
    if (verdict == QLatin1String("ok"))
        return Done {};
    return Error::badInput(QStringLiteral("the review queue is damaged (SQLite's quick_check: %1)")
                               .arg(verdict.isEmpty() ? QStringLiteral("no answer") : verdict),
                           m_path);
}

Status QueueStore::setProperty(const QString &key, const QString &value)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("INSERT INTO properties (key, value) VALUES (?, ?) "
                                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    query.addBindValue(key);
    query.addBindValue(value);
    if (!query.exec())
        return databaseError(QStringLiteral("storing %1").arg(key), query);
    return Done {};
}

Result<QString> QueueStore::property(const QString &key)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT value FROM properties WHERE key = ?"));
    query.addBindValue(key);
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("reading %1").arg(key), query);
    return query.next() ? query.value(0).toString() : QString();
}

Result<QList<QPair<QString, QString>>> QueueStore::propertiesWithPrefix(const QString &prefix)
{
    QSqlQuery query(m_db);
    // substr, not LIKE: keys hold URLs, whose '%' and '_' LIKE would read as wildcards.
    query.prepare(QStringLiteral("SELECT key, value FROM properties WHERE substr(key, 1, ?) = ? "
                                 "ORDER BY key"));
    query.addBindValue(prefix.size());
    query.addBindValue(prefix);
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("reading %1*").arg(prefix), query);
    QList<QPair<QString, QString>> properties;
    while (query.next())
        properties.append({ query.value(0).toString(), query.value(1).toString() });
    return properties;
}

}  // namespace pcs
