#pragma once

#include "core/common/result.h"

#include <QSqlDatabase>
#include <QString>

#include <string_view>
#include <utility>

class QSqlError;
class QSqlQuery;
struct sqlite3;
struct sqlite3_stmt;

// What the review queue needs of SQLite beyond Qt Sql: write transactions that take the write
// lock before reading, reads retried where SQLite's busy handler cannot wait, and failures said
// the way a user can act on them (the disk is full, the folder is read-only, the file is damaged).
namespace pcs::sqlite {

// BEGIN IMMEDIATE ... COMMIT; rolled back on destruction unless committed. Why not
// QSqlDatabase::transaction(): it issues a deferred BEGIN, and in WAL mode a deferred transaction
// that reads and then writes is answered SQLITE_BUSY at once (without the busy handler) when
// another connection committed in between. IMMEDIATE takes the write lock first, waiting through
// the connection's busy timeout, so every transaction that reads before writing uses it.
class Transaction {
public:
    // `path` names the database in errors.
    Transaction(QSqlDatabase db, QString path);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    Status begin();
    Status commit();
    void rollback();
    bool isActive() const { return m_active; }

private:
    QSqlDatabase m_db;
    QString m_path;
    bool m_active = false;
};

// A deferred transaction that only reads, so that every query in it sees one snapshot (a run
// may write beside it); ended by a rollback when it goes out of scope. Without a transaction
// (one already open, say) the queries simply run on their own.
class ReadSnapshot {
public:
    explicit ReadSnapshot(QSqlDatabase db)
        : m_db(std::move(db))
        , m_active(m_db.transaction())
    {
    }
    ~ReadSnapshot()
    {
        if (m_active)
            m_db.rollback();
    }
    ReadSnapshot(const ReadSnapshot &) = delete;
    ReadSnapshot &operator=(const ReadSnapshot &) = delete;

private:
    QSqlDatabase m_db;
    bool m_active = false;
};

// The connection's own SQLite handle (Qt's QSQLITE driver hands it out), or nullptr.
sqlite3 *nativeHandle(const QSqlDatabase &db);

// One prepared statement on a connection's native handle, for the hot loop of an import: text
// is bound as UTF-8 straight from the input, without Qt Sql's UTF-16 round trip. Finalized on
// destruction (before the connection closes).
class Statement {
public:
    Statement(const QSqlDatabase &db, const char *sql);
    ~Statement();
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    bool isValid() const { return m_statement != nullptr; }
    // Parameters count from 1, as in SQLite. The bytes must live until step() returns.
    void bindText(int index, std::string_view utf8);
    void bindInt64(int index, qint64 value);
    void bindNull(int index);
    void bindDouble(int index, double value);
    // Runs the statement to its end and resets it: true when done; rows changed in changes().
    bool run();
    // One row at a time (a read): true while a row is there to read; at the end, or on a
    // failure, false and failed() tells which. Reset by reset() (run() resets by itself).
    bool step();
    bool failed() const;
    void reset();
    // The current row's columns, counted from 0. A text's bytes are valid until the next
    // step(); NULL reads as an empty view, 0 or 0.0 (isNull() tells).
    std::string_view columnText(int column) const;
    qint64 columnInt64(int column) const;
    double columnDouble(int column) const;
    bool isNull(int column) const;
    qint64 changes() const;
    // The last failure as a Qt Sql error (for describeFailure).
    QSqlError lastError() const;

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_statement = nullptr;
    int m_lastCode = 0;
};

// SQLITE_BUSY or SQLITE_LOCKED: another connection holds a lock.
bool isBusy(const QSqlError &error);

// query.exec() (of a prepared query, or of `sql`), run again while SQLite answers busy or locked
// where its busy handler does not wait (a reader meeting WAL recovery or a checkpoint resetting
// the WAL; a lock upgrade): up to kBusyRetryMs in all.
bool execRetryingBusy(QSqlQuery &query);
bool execRetryingBusy(QSqlQuery &query, const QString &sql);
inline constexpr int kBusyRetryMs = 10000;

// The failure of `what` on the database at `path` as an Error: a full disk, a quota or file size
// limit, a read-only file or folder (Internal: the machine's problem, exit 1), a damaged file or
// not a database at all (BadInput: the file the user gave, exit 2), or SQLite's own words.
// Reads the operating system's error of the failed call from the connection where it can.
Error describeFailure(const QSqlDatabase &db, const QSqlError &error, const QString &what,
                      const QString &path);

}  // namespace pcs::sqlite
