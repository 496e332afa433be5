#include "core/review/sqlitesupport.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QStorageInfo>
#include <QThread>
#include <QVariant>

#include <sqlite3.h>

#include <cerrno>

namespace pcs::sqlite {

namespace {

// SQLite's primary result code of a Qt Sql error (Qt reports the code as a decimal string;
// extended codes carry the primary one in their low byte).
int primaryCode(const QSqlError &error)
{
    bool ok = false;
    const int code = error.nativeErrorCode().toInt(&ok);
    return ok ? (code & 0xff) : -1;
}

// The operating system's error of the connection's last failed file operation, or 0. Qt's
// SQLite driver hands out its sqlite3* (documented for QSqlDriver::handle()); on Debian it is
// the system libsqlite3 this library links too.
int systemErrno(const QSqlDatabase &db)
{
    if (!db.driver())
        return 0;
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return 0;
    sqlite3 *connection = *static_cast<sqlite3 *const *>(handle.constData());
    return connection ? sqlite3_system_errno(connection) : 0;
}

}  // namespace

sqlite3 *nativeHandle(const QSqlDatabase &db)
{
    if (!db.driver())
        return nullptr;
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}

Statement::Statement(const QSqlDatabase &db, const char *sql)
    : m_db(nativeHandle(db))
{
    if (m_db)
        m_lastCode = sqlite3_prepare_v2(m_db, sql, -1, &m_statement, nullptr);
}

Statement::~Statement()
{
    sqlite3_finalize(m_statement);  // a no-op on nullptr
}

void Statement::bindText(int index, std::string_view utf8)
{
    // An empty view may have no data: still an empty string, never NULL.
    sqlite3_bind_text(m_statement, index, utf8.data() ? utf8.data() : "", int(utf8.size()),
                      SQLITE_STATIC);
}

void Statement::bindInt64(int index, qint64 value)
{
    sqlite3_bind_int64(m_statement, index, value);
}

void Statement::bindNull(int index)
{
    sqlite3_bind_null(m_statement, index);
}

void Statement::bindDouble(int index, double value)
{
    sqlite3_bind_double(m_statement, index, value);
}

bool Statement::step()
{
    m_lastCode = sqlite3_step(m_statement);
    return m_lastCode == SQLITE_ROW;
}

bool Statement::failed() const
{
    return m_lastCode != SQLITE_ROW && m_lastCode != SQLITE_DONE && m_lastCode != SQLITE_OK;
}

void Statement::reset()
{
    sqlite3_reset(m_statement);
}

std::string_view Statement::columnText(int column) const
{
    const auto *bytes = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
    // (the size is asked after the text, so that it is the size of the UTF-8 form)
    return bytes ? std::string_view(bytes, std::size_t(sqlite3_column_bytes(m_statement, column)))
                 : std::string_view();
}

qint64 Statement::columnInt64(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

double Statement::columnDouble(int column) const
{
    return sqlite3_column_double(m_statement, column);
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

bool Statement::run()
{
    m_lastCode = sqlite3_step(m_statement);
    sqlite3_reset(m_statement);
    return m_lastCode == SQLITE_DONE;
}

qint64 Statement::changes() const
{
    return sqlite3_changes64(m_db);
}

QSqlError Statement::lastError() const
{
    const QString message = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db))
                                 : QStringLiteral("no native SQLite handle");
    return QSqlError(QStringLiteral("SQLite"), message, QSqlError::StatementError,
                     QString::number(m_lastCode));
}

Transaction::Transaction(QSqlDatabase db, QString path)
    : m_db(std::move(db))
    , m_path(std::move(path))
{
}

Transaction::~Transaction()
{
    rollback();
}

Status Transaction::begin()
{
    QSqlQuery query(m_db);
    // The busy timeout waits for the write lock; a retry covers what it cannot (see the header).
    if (!execRetryingBusy(query, QStringLiteral("BEGIN IMMEDIATE")))
        return describeFailure(m_db, query.lastError(), QStringLiteral("starting a transaction"),
                               m_path);
    m_active = true;
    return Done {};
}

Status Transaction::commit()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("COMMIT"))) {
        const Error error = describeFailure(m_db, query.lastError(),
                                            QStringLiteral("committing a transaction"), m_path);
        rollback();
        return error;
    }
    m_active = false;
    return Done {};
}

void Transaction::rollback()
{
    if (!m_active)
        return;
    m_active = false;
    QSqlQuery query(m_db);
    query.exec(QStringLiteral("ROLLBACK"));  // fails only when SQLite already rolled back
}

bool isBusy(const QSqlError &error)
{
    const int code = primaryCode(error);
    return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

bool execRetryingBusy(QSqlQuery &query)
{
    QDeadlineTimer deadline(kBusyRetryMs);
    for (int delayMs = 5;; delayMs = std::min(delayMs * 2, 200)) {
        if (query.exec())
            return true;
        if (!isBusy(query.lastError()) || deadline.hasExpired())
            return false;
        QThread::msleep(ulong(delayMs));
    }
}

bool execRetryingBusy(QSqlQuery &query, const QString &sql)
{
    QDeadlineTimer deadline(kBusyRetryMs);
    for (int delayMs = 5;; delayMs = std::min(delayMs * 2, 200)) {
        if (query.exec(sql))
            return true;
        if (!isBusy(query.lastError()) || deadline.hasExpired())
            return false;
        QThread::msleep(ulong(delayMs));
    }
}

Error describeFailure(const QSqlDatabase &db, const QSqlError &error, const QString &what,
                      const QString &path)
{
    const int code = primaryCode(error);
    const QString sqliteText = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    const QString cause = QStringLiteral(" (%1: %2)").arg(what, sqliteText);
    int osError = (code == SQLITE_IOERR || code == SQLITE_CANTOPEN) ? systemErrno(db) : 0;
    if (code == SQLITE_FULL)
        osError = ENOSPC;
    const auto machine = [&](const QString &reason) { return Error::internal(reason, path); };

    switch (osError) {
    case ENOSPC:
        return machine(QStringLiteral("cannot write the queue: the disk is full") + cause);
    case EDQUOT:
        return machine(QStringLiteral("cannot write the queue: the disk quota is exceeded")
                       + cause);
    case EFBIG:
        return machine(QStringLiteral("cannot write the queue: the file size limit is reached "
                                      "(ulimit -f or the file system's largest file)")
                       + cause);
    case EROFS:
    case EACCES:
    case EPERM:
        return machine(
            QStringLiteral("cannot write the queue: read-only (%1)").arg(qt_error_string(osError))
            + cause);
    default:
        break;
    }
    switch (code) {
    case SQLITE_READONLY:
        return machine(QStringLiteral("cannot write the queue: read-only") + cause);
    case SQLITE_CORRUPT:
        return Error::badInput(QStringLiteral("the review queue is damaged") + cause, path);
    case SQLITE_NOTADB:
        return Error::badInput(QStringLiteral("not a review queue database") + cause, path);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return machine(QStringLiteral("the queue stayed locked by another process") + cause);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN: {
        // No system error recorded: judge by the file system the queue is on.
        const QStorageInfo volume(QFileInfo(path).absolutePath());
        if (volume.isValid() && volume.isReadOnly())
            return machine(QStringLiteral("cannot write the queue: read-only (the file system is "
                                          "mounted read-only)")
                           + cause);
        if (volume.isValid() && volume.bytesAvailable() == 0)
            return machine(QStringLiteral("cannot write the queue: the disk is full") + cause);
        const QString system
            = osError ? QStringLiteral(": ") + qt_error_string(osError) : QString();
        return machine(QStringLiteral("cannot read or write the queue%1").arg(system) + cause);
    }
    default:
        return machine(QStringLiteral("%1: %2").arg(what, sqliteText));
    }
}

}  // namespace pcs::sqlite
