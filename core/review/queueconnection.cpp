#include "core/review/queueconnection.h"

#include "core/review/sqlitesupport.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

#include <atomic>

namespace pcs {

QueueConnection::QueueConnection(QString path, QString connectionName)
    : m_path(std::move(path))
    , m_connectionName(std::move(connectionName))
{
}

QueueConnection::~QueueConnection()
{
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

Result<std::unique_ptr<QueueConnection>> QueueConnection::open(const QString &path)
{
    const QFileInfo info(path);
    // SQLite would create a missing file: a mistyped path must be said, not made into a queue.
    if (!info.exists())
        return Error::badInput(QStringLiteral("no such review queue"), path);
    if (!info.isFile())
        return Error::badInput(QStringLiteral("the review queue is not a file"), path);
    static std::atomic<quint64> nextConnection { 0 };
    const QString absolutePath = info.absoluteFilePath();
    std::unique_ptr<QueueConnection> connection(new QueueConnection(
        absolutePath,
        QStringLiteral("pcstudio-queueconnection-%1").arg(nextConnection.fetch_add(1))));
    connection->m_db
        = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection->m_connectionName);
    if (!connection->m_db.isValid())
        return Error::internal(QStringLiteral("the Qt SQLite driver (QSQLITE) is not available"));
    connection->m_db.setDatabaseName(absolutePath);
    // The queue's own writers (a run, the app) hold the write lock for moments: wait for them.
    connection->m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!connection->m_db.open())
        return sqlite::describeFailure(connection->m_db, connection->m_db.lastError(),
                                       QStringLiteral("opening the queue"), absolutePath);
    QSqlQuery probe(connection->m_db);
    if (!sqlite::execRetryingBusy(probe, QStringLiteral("SELECT count(*) FROM sqlite_master")))
        return sqlite::describeFailure(connection->m_db, probe.lastError(),
                                       QStringLiteral("opening the queue"), absolutePath);
    return connection;
}

}  // namespace pcs
