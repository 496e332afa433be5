#include "review/queuestore.h"

#include "review/assessment.h"
#include "review/sqlitesupport.h"

#include "filter/jsonline.h"
#include "filter/linereader.h"
#include "io/fileinfo.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <atomic>
#include <cmath>

namespace pcs {

namespace {

const QString kPending = QStringLiteral("pending");
const QString kAssessed = QStringLiteral("assessed");
const QString kFailed = QStringLiteral("error");

// Every column of `items`, in QueueItem order (rowToItem reads them by position).
const char *const kItemColumns
    = "id, source_file, source_sha256, source_line, record, text, state, llm_score, llm_reasoning, "
      "logprob_coverage, rule_score, fasttext_score, score, auto_decision, human_decision, "
      "revised_text, revised_score, edited_text, error, error_code, attempts, created_at, "
      "assessed_at, decided_at, logprob_note, request_id, logprob_status";

const char *const kFinalDecision = "COALESCE(human_decision, auto_decision)";

// The automatic decision for `score_sql`, from the thresholds stored in settings. Kept in SQL so
// that recordAssessment and setThresholds can never disagree.
QString autoDecisionSql(const QString &scoreSql)
{
    return QStringLiteral("(SELECT CASE WHEN %1 > filter_threshold THEN 'filter' "
                          "WHEN %1 > revise_threshold THEN 'revise' ELSE 'keep' END "
                          "FROM settings WHERE id = 1)")
        .arg(scoreSql);
}

// Schema 1, as first released; later versions are migrations on top (kMigrations), so a new
// queue and a migrated one are the same.
const char *const kSchema[] = {
    "CREATE TABLE IF NOT EXISTS items ("
    " id INTEGER PRIMARY KEY,"
    " source_file TEXT NOT NULL,"
    " source_sha256 TEXT NOT NULL,"
    " source_line INTEGER NOT NULL,"
    " record TEXT NOT NULL,"
    " text TEXT NOT NULL,"
    " state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'assessed', 'error')),"
    " llm_score REAL,"
    " llm_reasoning TEXT,"
    " logprob_coverage REAL,"
    " rule_score REAL,"
    " fasttext_score REAL,"
    " score REAL,"
    " auto_decision TEXT CHECK (auto_decision IN ('keep', 'revise', 'filter')),"
    " human_decision TEXT CHECK (human_decision IN ('keep', 'revise', 'filter')),"
    " revised_text TEXT,"
    " revised_score REAL,"
    " edited_text TEXT,"
    " error TEXT,"
    " error_code TEXT,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " created_at TEXT NOT NULL,"
    " assessed_at TEXT,"
    " decided_at TEXT,"
    " UNIQUE (source_sha256, source_line))",
    // An index on one column also orders by rowid, so ORDER BY score, id walks it directly.
    "CREATE INDEX IF NOT EXISTS items_state ON items (state)",
    "CREATE INDEX IF NOT EXISTS items_score ON items (score)",
    // Partial: most items have no decision for a long time, and every index entry costs on
    // import. The counts in status() ask for "IS NOT NULL" and so can use them.
    "CREATE INDEX IF NOT EXISTS items_auto_decision ON items (auto_decision)"
    " WHERE auto_decision IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS items_human_decision ON items (human_decision)"
    " WHERE human_decision IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS items_final_decision"
    " ON items (COALESCE(human_decision, auto_decision))",
    // A decision filter sorted by score (the review table's usual view) reads this range
    // directly instead of walking the whole score index.
    "CREATE INDEX IF NOT EXISTS items_decision_score"
    " ON items (COALESCE(human_decision, auto_decision), score)"
    " WHERE COALESCE(human_decision, auto_decision) IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS settings ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " filter_threshold REAL NOT NULL DEFAULT 80,"
    " revise_threshold REAL NOT NULL DEFAULT 50)",
    "INSERT OR IGNORE INTO settings (id) VALUES (1)",
    // Named values of the project, e.g. the criteria the queue is assessed with.
    "CREATE TABLE IF NOT EXISTS properties (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    // Which files were imported (the export refuses to overwrite them).
    "CREATE TABLE IF NOT EXISTS sources ("
    " path TEXT NOT NULL,"
    " sha256 TEXT NOT NULL,"
    " size_bytes INTEGER NOT NULL,"
    " imported_at TEXT NOT NULL,"
    " PRIMARY KEY (path, sha256))",
};

// The statements that take a queue from schema `version` - 1 to `version`, in order.
struct MigrationStep {
    int version;
    const char *statement;
};
const MigrationStep kMigrations[] = {
    // An item handed to a run's client: no other run may pick it until it is recorded or given
    // back. The claims of a run that died are released when the next run takes the lease.
    { 2, "ALTER TABLE items ADD COLUMN claimed_by TEXT" },
    { 2, "ALTER TABLE items ADD COLUMN claimed_at TEXT" },
    { 2,
      "CREATE INDEX IF NOT EXISTS items_claimed ON items (claimed_by)"
      " WHERE claimed_by IS NOT NULL" },
    // The one run allowed at a time (a row while held); see QueueStore::acquireRunLease.
    { 2,
      "CREATE TABLE IF NOT EXISTS run_lease ("
      " id INTEGER PRIMARY KEY CHECK (id = 1),"
      " lease_id TEXT NOT NULL,"
      " pid INTEGER NOT NULL,"
      " host TEXT NOT NULL,"
      " started_at TEXT NOT NULL,"
      " heartbeat_at TEXT NOT NULL,"
      " heartbeat_ms INTEGER NOT NULL)" },
    // Why the log-probs asked for did not give the score ("code: explanation", LogprobNote in
    // assessment.h); NULL when they did, or when none were asked for (see logprob_status).
    { 3, "ALTER TABLE items ADD COLUMN logprob_note TEXT" },
    { 3,
      "CREATE INDEX IF NOT EXISTS items_logprob_note ON items (logprob_note)"
      " WHERE logprob_note IS NOT NULL" },
    // The server's x-request-id of the answer (or failure) an item got, for support requests;
    // and why no log-probs were asked for (LogprobStatus in queuestore.h: not requested by the
    // run, or refused by the model).
    { 4, "ALTER TABLE items ADD COLUMN request_id TEXT" },
    { 4, "ALTER TABLE items ADD COLUMN logprob_status TEXT" },
};

Error newerSchema(int stored, const QString &path)
{
    return Error::badInput(
        QStringLiteral("the review queue was written by a newer version of Perplexity "
                       "Correlations Studio (schema %1; this version reads up to %2)")
            .arg(stored)
            .arg(QueueStore::kSchemaVersion),
        path);
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

bool isDecision(const QString &decision)
{
    return decision == QLatin1String("keep") || decision == QLatin1String("revise")
        || decision == QLatin1String("filter");
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
    item.state = next().toString();
    item.llmScore = optionalDouble(next());
    item.llmReasoning = next().toString();
    item.logprobCoverage = optionalDouble(next());
    item.ruleScore = optionalDouble(next());
    item.fastTextScore = optionalDouble(next());
    item.score = optionalDouble(next());
    item.autoDecision = next().toString();
    item.humanDecision = next().toString();
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
    return item;
}

// The SQL of the sort key and the WHERE clause (with its binds) of a query's filters.
struct QueryParts {
    QString key;
    QString where = QStringLiteral("1");
    QVariantList binds;
};

Result<QueryParts> queryParts(const PageQuery &query)
{
    QueryParts parts;
    switch (query.sortBy) {
    case QueueSortColumn::Score:
        parts.key = QStringLiteral("score");
        break;
    case QueueSortColumn::Id:
        parts.key = QStringLiteral("id");
        break;
    case QueueSortColumn::State:
        parts.key = QStringLiteral("state");
        break;
    case QueueSortColumn::Decision:
        parts.key = QString::fromLatin1(kFinalDecision);
        break;
    }
    if (!query.state.isEmpty()) {
        if (query.state != kPending && query.state != kAssessed && query.state != kFailed)
            return Error::badInput(QStringLiteral("unknown item state '%1' (expected pending, "
                                                  "assessed or error)")
                                       .arg(query.state));
        parts.where += QStringLiteral(" AND state = ?");
        parts.binds << query.state;
    }
    if (query.decision == QLatin1String("none")) {
        parts.where += QStringLiteral(" AND %1 IS NULL").arg(QLatin1String(kFinalDecision));
    } else if (!query.decision.isEmpty()) {
        if (!isDecision(query.decision))
            return Error::badInput(QStringLiteral("unknown decision '%1' (expected keep, revise, "
                                                  "filter or none)")
                                       .arg(query.decision));
        parts.where += QStringLiteral(" AND %1 = ?").arg(QLatin1String(kFinalDecision));
        parts.binds << query.decision;
    }
    // A score range leaves out the items without a score (pending or in error).
    if (query.minScore) {
        parts.where += QStringLiteral(" AND score >= ?");
        parts.binds << *query.minScore;
    }
    if (query.maxScore) {
        parts.where += QStringLiteral(" AND score <= ?");
        parts.binds << *query.maxScore;
    }
    if (!query.textSearch.isEmpty()) {
        QString pattern = query.textSearch;
        pattern.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
            .replace(QLatin1Char('%'), QLatin1String("\\%"))
            .replace(QLatin1Char('_'), QLatin1String("\\_"));
        parts.where += QStringLiteral(" AND text LIKE ? ESCAPE '\\'");
        parts.binds << QStringLiteral("%") + pattern + QStringLiteral("%");
    }
    return parts;
}

}  // namespace

QJsonObject ImportSummary::toJson() const
{
    return QJsonObject { { QStringLiteral("lines"), lines },
                         { QStringLiteral("imported"), imported },
                         { QStringLiteral("duplicates"), duplicates },
                         { QStringLiteral("malformed"), malformed },
                         { QStringLiteral("problems"), QJsonArray::fromStringList(problems) } };
}

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

Status QueueStore::beginTransaction()
{
    // IMMEDIATE, not QSqlDatabase::transaction()'s deferred BEGIN: these transactions read before
    // they write (see sqlite::Transaction). Ended by m_db.commit()/rollback() (COMMIT/ROLLBACK).
    QSqlQuery begin(m_db);
    if (!sqlite::execRetryingBusy(begin, QStringLiteral("BEGIN IMMEDIATE")))
        return databaseError(QStringLiteral("starting a transaction"), begin);
    return Done {};
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

Status QueueStore::initialize()
{
    QSqlQuery probe(m_db);
    // SQLite opens anything lazily; the first read tells whether the file is a database (and, in
    // WAL mode, whether its -wal and -shm files beside it can be written).
    if (!sqlite::execRetryingBusy(probe, QStringLiteral("SELECT count(*) FROM sqlite_master")))
        return databaseError(QStringLiteral("opening the queue"), probe);
    probe.finish();
    // WAL + synchronous=NORMAL: a commit is durable against the process being killed (the WAL
    // is written before commit returns); only an OS crash or power loss can drop the last
    // commits, never corrupt the file. The journal mode is stored in the file: set only when it
    // is not WAL yet (a new queue), so that opening a queue never needs the write lock.
    if (!sqlite::execRetryingBusy(probe, QStringLiteral("PRAGMA journal_mode")) || !probe.next())
        return databaseError(QStringLiteral("reading the journal mode"), probe);
    if (probe.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
        probe.finish();
        if (!sqlite::execRetryingBusy(probe, QStringLiteral("PRAGMA journal_mode = WAL"))
            || !probe.next())
            return databaseError(QStringLiteral("switching the queue to WAL mode"), probe);
        if (probe.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
            return Error::internal(QStringLiteral("SQLite refused WAL mode (journal mode %1)")
                                       .arg(probe.value(0).toString()),
                                   m_path);
    }
    probe.finish();
    // Settings of this connection only (nothing is written): temp_store and a 64 MiB page cache
    // (an upper bound, not an allocation) speed up imports and sorting.
    for (const char *pragma : { "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",
                                "PRAGMA temp_store = MEMORY", "PRAGMA cache_size = -65536" }) {
        if (Status done = exec(QString::fromLatin1(pragma)); !done)
            return done;
    }

    // Read without a transaction: a current schema needs no write at all.
    if (!sqlite::execRetryingBusy(probe,
                                  QStringLiteral("SELECT count(*) FROM sqlite_master WHERE "
                                                 "type = 'table' AND name = 'schema_version'"))
        || !probe.next())
        return databaseError(QStringLiteral("reading the schema version"), probe);
    QVariant stored;
    if (probe.value(0).toInt() > 0) {
        probe.finish();
        if (!sqlite::execRetryingBusy(probe,
                                      QStringLiteral("SELECT max(version) FROM schema_version"))
            || !probe.next())
            return databaseError(QStringLiteral("reading the schema version"), probe);
        stored = probe.value(0);
    }
    probe.finish();
    if (!stored.isNull() && stored.toInt() > kSchemaVersion)
        return newerSchema(stored.toInt(), m_path);
    if (stored.isNull() || stored.toInt() != kSchemaVersion)
        if (Status ready = createOrMigrateSchema(); !ready)
            return ready;

    m_recordAssessment = std::make_unique<QSqlQuery>(m_db);
    if (!m_recordAssessment->prepare(
            QStringLiteral("UPDATE items SET state = 'assessed', llm_score = ?, llm_reasoning = ?, "
                           "logprob_coverage = ?, rule_score = ?, fasttext_score = ?, score = ?, "
                           "attempts = ?, assessed_at = ?, error = NULL, error_code = NULL, "
                           "request_id = ?, logprob_status = ?, logprob_note = ?, "
                           "claimed_by = NULL, claimed_at = NULL, auto_decision = %1 WHERE id = ?")
                .arg(autoDecisionSql(QStringLiteral("?")))))
        return databaseError(QStringLiteral("preparing the assessment update"),
                             *m_recordAssessment);
    return Done {};
}

Status QueueStore::createOrMigrateSchema()
{
    // Another process may be creating or migrating the same queue: decide inside the write lock.
    sqlite::Transaction transaction(m_db, m_path);
    if (Status begun = transaction.begin(); !begun)
        return begun;
    QSqlQuery version(m_db);
    if (!version.exec(
            QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
        || !version.exec(QStringLiteral("SELECT max(version) FROM schema_version")))
        return databaseError(QStringLiteral("reading the schema version"), version);
    const QVariant stored = version.next() ? version.value(0) : QVariant();
    version.finish();
    const int from = stored.isNull() ? 0 : stored.toInt();
    if (from > kSchemaVersion)
        return newerSchema(from, m_path);
    if (from == kSchemaVersion)
        return transaction.commit();
    if (from == 0) {
        for (const char *statement : kSchema)
            if (Status done = exec(QString::fromLatin1(statement)); !done)
                return done;
    }
    // A new queue starts at schema 1 (kSchema) and takes the same steps as an old one.
    for (const MigrationStep &step : kMigrations) {
        if (step.version <= std::max(from, 1))
            continue;
        if (Status done = exec(QString::fromLatin1(step.statement)); !done)
            return done;
    }
    if (!version.exec(QStringLiteral("DELETE FROM schema_version"))
        || !version.exec(
            QStringLiteral("INSERT INTO schema_version (version) VALUES (%1)").arg(kSchemaVersion)))
        return databaseError(QStringLiteral("writing the schema version"), version);
    return transaction.commit();
}

Result<ImportSummary> QueueStore::importJsonl(const QString &path, const QString &textField,
                                              const TaskControl &control)
{
    // The content hash keys the items, so the same data imported again adds nothing.
    auto described = describeInputFile(QStringLiteral("review"), path);
    if (!described)
        return described.error();
    const QString sourceFile
        = described->path.isEmpty() ? QFileInfo(path).absoluteFilePath() : described->path;
    auto opened = LineReader::open(path);
    if (!opened)
        return opened.error();
    LineReader &reader = **opened;
    // A number beyond a double would reach the export's readers as infinity or 0, or make them
    // refuse the record: such a line is malformed here, located like any other problem.
    JsonLineScanner::Options strict;
    strict.rejectOutOfRangeNumbers = true;
    JsonLineScanner scanner({ textField.toStdString() }, strict);

    const QString createdAt = nowUtc();
    const QVariant fileValue(sourceFile);
    const QVariant shaValue(described->sha256);
    const QVariant createdValue(createdAt);

    if (Status begun = beginTransaction(); !begun)
        return begun.error();
    const auto fail = [this](Error error) {
        m_db.rollback();
        return error;
    };
    QSqlQuery source(m_db);
    source.prepare(QStringLiteral("INSERT OR REPLACE INTO sources (path, sha256, size_bytes, "
                                  "imported_at) VALUES (?, ?, ?, ?)"));
    source.addBindValue(fileValue);
    source.addBindValue(shaValue);
    source.addBindValue(described->sizeBytes);
    source.addBindValue(createdValue);
    if (!source.exec())
        return fail(databaseError(QStringLiteral("recording the source file"), source));

    QSqlQuery insert(m_db);
    // Positional binds on one prepared statement: the fastest path through Qt Sql.
    if (!insert.prepare(QStringLiteral("INSERT OR IGNORE INTO items (source_file, source_sha256, "
                                       "source_line, record, text, created_at) "
                                       "VALUES (?, ?, ?, ?, ?, ?)")))
        return fail(databaseError(QStringLiteral("preparing the import"), insert));

    ImportSummary summary;
    qint64 rowsInTransaction = 0;
    std::string_view line;
    while (reader.next(line)) {
        if (line.find_first_not_of(" \t\r") == std::string_view::npos)
            continue;
        ++summary.lines;
        if ((summary.lines & 4095) == 0) {
            if (control.isCanceled())
                return fail(Error::canceled());
            control.reportProgress(reader.compressedBytesRead(), reader.fileSize());
        }
        const auto problem = scanner.scan(line);
        const JsonLineScanner::Field &text = scanner.field(0);
        if (problem || text.kind != JsonLineScanner::Kind::String) {
            ++summary.malformed;
            if (summary.problems.size() < ImportSummary::kMaxListedProblems) {
                const Error error = problem
                    ? Error::badInput(problem->reason, sourceFile, reader.lineNumber(),
                                      problem->column)
                    : Error::badInput(text.kind == JsonLineScanner::Kind::Missing
                                          ? QStringLiteral("no \"%1\" field").arg(textField)
                                          : QStringLiteral("\"%1\" is not a string").arg(textField),
                                      sourceFile, reader.lineNumber());
                summary.problems << error.toString();
            }
            continue;
        }
        // A byte order mark belongs to the file, not to the first record.
        std::string_view record = line;
        if (record.substr(0, 3) == "\xEF\xBB\xBF")
            record.remove_prefix(3);

        insert.bindValue(0, fileValue);
        insert.bindValue(1, shaValue);
        insert.bindValue(2, reader.lineNumber());
        insert.bindValue(3, QString::fromUtf8(record.data(), qsizetype(record.size())));
        insert.bindValue(4, QString::fromUtf8(text.value.data(), qsizetype(text.value.size())));
        insert.bindValue(5, createdValue);
        if (!insert.exec())
            return fail(databaseError(
                QStringLiteral("importing line %1 of %2").arg(reader.lineNumber()).arg(sourceFile),
                insert));
        if (insert.numRowsAffected() > 0)
            ++summary.imported;
        else
            ++summary.duplicates;
        // Commit in batches: the WAL stays small and a long import keeps what it has done.
        if (++rowsInTransaction >= kImportBatchRows) {
            if (!m_db.commit() || !m_db.transaction())
                return fail(Error::internal(
                    QStringLiteral("cannot commit the import: %1").arg(m_db.lastError().text()),
                    m_path));
            rowsInTransaction = 0;
        }
    }
    if (reader.error())
        return fail(*reader.error());
    insert.finish();
    if (!m_db.commit())
        return fail(Error::internal(
            QStringLiteral("cannot commit the import: %1").arg(m_db.lastError().text()), m_path));
    control.reportProgress(std::max<qint64>(1, reader.fileSize()),
                           std::max<qint64>(1, reader.fileSize()));
    return summary;
}

Result<std::vector<QueueItem>> QueueStore::pending(int limit, qint64 afterId)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1 FROM items WHERE state = 'pending' AND id > ? "
                                 "ORDER BY id LIMIT ?")
                      .arg(QLatin1String(kItemColumns)));
    query.addBindValue(afterId);
    query.addBindValue(limit);
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("reading pending items"), query);
    std::vector<QueueItem> items;
    while (query.next())
        items.push_back(rowToItem(query));
    return items;
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
    query.prepare(QStringLiteral("SELECT %1 FROM items WHERE state = 'pending' AND claimed_by IS "
                                 "NULL AND id > ? ORDER BY id LIMIT ?")
                      .arg(QLatin1String(kItemColumns)));
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

Result<QueueItem> QueueStore::item(qint64 id)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(
        QStringLiteral("SELECT %1 FROM items WHERE id = ?").arg(QLatin1String(kItemColumns)));
    query.addBindValue(id);
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("reading item %1").arg(id), query);
    if (!query.next())
        return Error::badInput(QStringLiteral("the review queue has no item %1").arg(id), m_path);
    return rowToItem(query);
}

Status QueueStore::recordAssessment(qint64 id, const AssessmentRecord &assessment)
{
    if (!std::isfinite(assessment.score)
        || !allFinite({ assessment.llmScore, assessment.logprobCoverage, assessment.ruleScore,
                        assessment.fastTextScore }))
        return Error::badInput(
            QStringLiteral("item %1: assessment scores must be finite numbers").arg(id), m_path);
    QSqlQuery &query = *m_recordAssessment;
    int position = 0;
    query.bindValue(position++, nullable(assessment.llmScore));
    query.bindValue(position++, assessment.llmReasoning);
    query.bindValue(position++, nullable(assessment.logprobCoverage));
    query.bindValue(position++, nullable(assessment.ruleScore));
    query.bindValue(position++, nullable(assessment.fastTextScore));
    query.bindValue(position++, assessment.score);
    query.bindValue(position++, assessment.attempts);
    query.bindValue(position++, nowUtc());
    query.bindValue(position++, nullable(assessment.requestId));
    query.bindValue(position++, nullable(assessment.logprobStatus));
    query.bindValue(position++, nullable(assessment.logprobNote));
    query.bindValue(position++, assessment.score);
    query.bindValue(position++, assessment.score);
    query.bindValue(position++, id);
    // Autocommit: the statement is its own transaction, durable when exec returns.
    if (!query.exec())
        return databaseError(QStringLiteral("recording the assessment of item %1").arg(id), query);
    return requireChanged(query, id);
}

Status QueueStore::recordError(qint64 id, const QString &errorCode, const QString &message,
                               int attempts, const QString &requestId)
{
    QSqlQuery query(m_db);
    // A failed assessment has no score and so no automatic decision (never a silent "keep").
    query.prepare(
        QStringLiteral("UPDATE items SET state = 'error', error_code = ?, error = ?, attempts = ?, "
                       "request_id = ?, logprob_status = NULL, logprob_note = NULL, "
                       "assessed_at = ?, score = NULL, auto_decision = NULL, claimed_by = NULL, "
                       "claimed_at = NULL WHERE id = ?"));
    query.addBindValue(errorCode.isEmpty() ? QStringLiteral("error") : errorCode);
    query.addBindValue(message);
    query.addBindValue(attempts);
    query.addBindValue(nullable(requestId));
    query.addBindValue(nowUtc());
    query.addBindValue(id);
    if (!query.exec())
        return databaseError(QStringLiteral("recording the error of item %1").arg(id), query);
    return requireChanged(query, id);
}

Status QueueStore::recordRevision(qint64 id, const QString &revisedText,
                                  std::optional<double> revisedScore)
{
    if (!allFinite({ revisedScore }))
        return Error::badInput(QStringLiteral("item %1: the revised score must be finite").arg(id),
                               m_path);
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("UPDATE items SET revised_text = ?, revised_score = ? WHERE id = ?"));
    query.addBindValue(nullable(revisedText));
    query.addBindValue(nullable(revisedScore));
    query.addBindValue(id);
    if (!query.exec())
        return databaseError(QStringLiteral("recording the revision of item %1").arg(id), query);
    return requireChanged(query, id);
}

Status QueueStore::setHumanDecision(qint64 id, const QString &decision, const QString &editedText)
{
    if (!decision.isEmpty() && !isDecision(decision))
        return Error::badInput(
            QStringLiteral("unknown decision '%1' (expected keep, revise or filter)")
                .arg(decision));
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "UPDATE items SET human_decision = ?, edited_text = ?, decided_at = ? WHERE id = ?"));
    query.addBindValue(nullable(decision));
    query.addBindValue(decision.isEmpty() ? QVariant() : nullable(editedText));
    query.addBindValue(decision.isEmpty() ? QVariant() : QVariant(nowUtc()));
    query.addBindValue(id);
    if (!query.exec())
        return databaseError(QStringLiteral("recording the decision on item %1").arg(id), query);
    return requireChanged(query, id);
}

Status QueueStore::setThresholds(double filter, double revise)
{
    if (Status valid = Thresholds { filter, revise }.validate(); !valid)
        return valid.error();
    if (Status begun = beginTransaction(); !begun)
        return begun.error();
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "UPDATE settings SET filter_threshold = ?, revise_threshold = ? WHERE id = 1"));
    query.addBindValue(filter);
    query.addBindValue(revise);
    bool done = query.exec();
    // Only the thresholds changed: every decision is re-derived from the stored scores, and only
    // the rows whose decision changes are rewritten.
    const QString decision = QStringLiteral("CASE WHEN score > ? THEN 'filter' WHEN score > ? "
                                            "THEN 'revise' ELSE 'keep' END");
    done = done
        && query.prepare(QStringLiteral("UPDATE items SET auto_decision = %1 "
                                        "WHERE state = 'assessed' AND auto_decision IS NOT %1")
                             .arg(decision));
    for (int repeat = 0; repeat < 2; ++repeat) {
        query.addBindValue(filter);
        query.addBindValue(revise);
    }
    done = done && query.exec();
    if (!done) {
        const Error error = databaseError(QStringLiteral("changing the thresholds"), query);
        m_db.rollback();
        return error;
    }
    if (!m_db.commit())
        return Error::internal(
            QStringLiteral("cannot commit the thresholds: %1").arg(m_db.lastError().text()),
            m_path);
    return Done {};
}

Result<Thresholds> QueueStore::thresholds()
{
    QSqlQuery query(m_db);
    if (!sqlite::execRetryingBusy(
            query,
            QStringLiteral("SELECT filter_threshold, revise_threshold FROM settings WHERE id = 1"))
        || !query.next())
        return databaseError(QStringLiteral("reading the thresholds"), query);
    return Thresholds { query.value(0).toDouble(), query.value(1).toDouble() };
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

Status QueueStore::resetErrors()
{
    return exec(QStringLiteral("UPDATE items SET state = 'pending', error = NULL, "
                               "error_code = NULL WHERE state = 'error'"));
}

Result<std::vector<QueueItem>> QueueStore::page(const PageQuery &pageQuery)
{
    auto parts = queryParts(pageQuery);
    if (!parts)
        return parts.error();
    const QString direction = pageQuery.ascending ? QStringLiteral("ASC") : QStringLiteral("DESC");
    const QString order = parts->key == QLatin1String("id")
        ? QStringLiteral("id %1").arg(direction)
        : QStringLiteral("%1 %2, id %2").arg(parts->key, direction);
    // The inner query skips the offset on the index alone; only the page's rows are read.
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1 FROM items WHERE id IN (SELECT id FROM items WHERE %2 "
                                 "ORDER BY %3 LIMIT ? OFFSET ?) ORDER BY %3")
                      .arg(QLatin1String(kItemColumns), parts->where, order));
    for (const QVariant &bind : parts->binds)
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
    auto parts = queryParts(pageQuery);
    if (!parts)
        return parts.error();
    const QString &key = parts->key;
    const bool ascending = pageQuery.ascending;
    const QString direction = ascending ? QStringLiteral("ASC") : QStringLiteral("DESC");
    const QString idAfter = ascending ? QStringLiteral("id > ?") : QStringLiteral("id < ?");

    // The rest of the order after `last`, as up to two index ranges (NULL keys sort first when
    // ascending): one OR'ed condition would make SQLite scan from the start.
    struct Segment {
        QString where;
        QVariantList binds;
    };
    std::vector<Segment> segments;
    if (key == QLatin1String("id")) {
        segments.push_back({ idAfter, { last.id } });
    } else {
        QVariant lastKey;
        if (pageQuery.sortBy == QueueSortColumn::Score)
            lastKey = nullable(last.score);
        else if (pageQuery.sortBy == QueueSortColumn::State)
            lastKey = last.state;
        else
            lastKey = nullable(last.finalDecision());
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

    const QString order = key == QLatin1String("id")
        ? QStringLiteral("id %1").arg(direction)
        : QStringLiteral("%1 %2, id %2").arg(key, direction);
    std::vector<QueueItem> items;
    for (const Segment &segment : segments) {
        const int remaining = pageQuery.limit - int(items.size());
        if (remaining <= 0)
            break;
        QSqlQuery query(m_db);
        query.setForwardOnly(true);
        query.prepare(QStringLiteral("SELECT %1 FROM items WHERE %2 AND %3 ORDER BY %4 LIMIT ?")
                          .arg(QLatin1String(kItemColumns), parts->where, segment.where, order));
        for (const QVariant &bind : parts->binds)
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
    auto parts = queryParts(filterOnly);
    if (!parts)
        return parts.error();
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT count(*) FROM items WHERE %1").arg(parts->where));
    for (const QVariant &bind : parts->binds)
        query.addBindValue(bind);
    if (!sqlite::execRetryingBusy(query) || !query.next())
        return databaseError(QStringLiteral("counting items"), query);
    return query.value(0).toLongLong();
}

Result<QJsonObject> QueueStore::status()
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    // Counts per value of one column (every known value present, zero when absent).
    const auto countsBy
        = [&](const QString &column, const QStringList &values, QJsonObject &counts) -> bool {
        for (const QString &value : values)
            counts.insert(value, 0);
        if (!sqlite::execRetryingBusy(
                query,
                QStringLiteral("SELECT %1, count(*) FROM items WHERE %1 IS NOT NULL "
                               "GROUP BY %1")
                    .arg(column)))
            return false;
        while (query.next())
            counts.insert(query.value(0).toString(), query.value(1).toLongLong());
        return true;
    };
    const QStringList decisions { QStringLiteral("keep"), QStringLiteral("revise"),
                                  QStringLiteral("filter") };
    QJsonObject states, autoDecisions, humanDecisions, finalDecisions;
    if (!countsBy(QStringLiteral("state"), { kPending, kAssessed, kFailed }, states)
        || !countsBy(QStringLiteral("auto_decision"), decisions, autoDecisions)
        || !countsBy(QStringLiteral("human_decision"), decisions, humanDecisions)
        || !countsBy(QString::fromLatin1(kFinalDecision), decisions, finalDecisions))
        return databaseError(QStringLiteral("counting items"), query);
    qint64 total = 0;
    for (const auto &value : std::as_const(states))
        total += value.toInteger();

    // Assessed items whose run wanted log-probs but whose score is not the probability-weighted
    // one, by reason: the model refused them (logprob_status), or the note's code. Items of runs
    // that asked for none ("not_requested") got what was wanted and are not counted.
    QJsonObject withoutLogprobs;
    qint64 withoutLogprobsTotal = 0;
    if (!sqlite::execRetryingBusy(
            query,
            QStringLiteral("SELECT CASE WHEN logprob_note IS NOT NULL "
                           "THEN substr(logprob_note, 1, instr(logprob_note, ':') - 1) "
                           "ELSE logprob_status END AS code, count(*) FROM items "
                           "WHERE (logprob_note IS NOT NULL OR logprob_status = '%1') "
                           "AND state = 'assessed' GROUP BY code ORDER BY code")
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

Result<QueueCounts> QueueStore::counts()
{
    // Three index-only aggregates in one statement (state, human and final decision indexes).
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!sqlite::execRetryingBusy(
            query,
            QStringLiteral("SELECT (SELECT count(*) FROM items),"
                           " (SELECT count(*) FROM items WHERE state = 'pending'),"
                           " (SELECT count(*) FROM items WHERE state = 'assessed'),"
                           " (SELECT count(*) FROM items WHERE state = 'error'),"
                           " (SELECT count(*) FROM items WHERE %1 = 'keep'),"
                           " (SELECT count(*) FROM items WHERE %1 = 'revise'),"
                           " (SELECT count(*) FROM items WHERE %1 = 'filter'),"
                           " (SELECT count(*) FROM items WHERE human_decision IS NOT NULL)")
                .arg(QLatin1String(kFinalDecision)))
        || !query.next())
        return databaseError(QStringLiteral("counting items"), query);
    QueueCounts counts;
    int column = 0;
    for (qint64 *field : { &counts.total, &counts.pending, &counts.assessed, &counts.errors,
                           &counts.keep, &counts.revise, &counts.filter, &counts.humanDecided })
        *field = query.value(column++).toLongLong();
    return counts;
}

Result<QueueCounts> QueueStore::countsFor(const Thresholds &candidate)
{
    if (Status valid = candidate.validate(); !valid)
        return valid.error();
    // Automatic decisions come from ranges of the score index (a score exists exactly when the
    // item is assessed); the items with a human decision are few, so their automatic decisions
    // are taken back out and their human ones counted instead.
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(
        QStringLiteral("WITH human AS (SELECT human_decision AS decision, state, score FROM items"
                       " WHERE human_decision IS NOT NULL)"
                       " SELECT (SELECT count(*) FROM items),"
                       " (SELECT count(*) FROM items WHERE state = 'pending'),"
                       " (SELECT count(*) FROM items WHERE state = 'assessed'),"
                       " (SELECT count(*) FROM items WHERE state = 'error'),"
                       " (SELECT count(*) FROM items WHERE score > ?),"
                       " (SELECT count(*) FROM items WHERE score > ?),"
                       " (SELECT count(*) FROM human),"
                       " (SELECT count(*) FROM human WHERE decision = 'keep'),"
                       " (SELECT count(*) FROM human WHERE decision = 'revise'),"
                       " (SELECT count(*) FROM human WHERE decision = 'filter'),"
                       " (SELECT count(*) FROM human WHERE state = 'assessed'),"
                       " (SELECT count(*) FROM human WHERE state = 'assessed' AND score > ?),"
                       " (SELECT count(*) FROM human WHERE state = 'assessed' AND score > ?)"));
    query.addBindValue(candidate.filter);
    query.addBindValue(candidate.revise);
    query.addBindValue(candidate.filter);
    query.addBindValue(candidate.revise);
    if (!sqlite::execRetryingBusy(query) || !query.next())
        return databaseError(QStringLiteral("counting items for candidate thresholds"), query);
    const auto value = [&](int column) { return query.value(column).toLongLong(); };
    QueueCounts counts;
    counts.total = value(0);
    counts.pending = value(1);
    counts.assessed = value(2);
    counts.errors = value(3);
    const qint64 aboveFilter = value(4), aboveRevise = value(5);
    counts.humanDecided = value(6);
    const qint64 humanAssessed = value(10), humanAboveFilter = value(11),
                 humanAboveRevise = value(12);
    counts.keep = (counts.assessed - aboveRevise) - (humanAssessed - humanAboveRevise) + value(7);
    counts.revise = (aboveRevise - aboveFilter) - (humanAboveRevise - humanAboveFilter) + value(8);
    counts.filter = aboveFilter - humanAboveFilter + value(9);
    return counts;
}

Result<std::vector<qint64>> QueueStore::scoreHistogram(int bins)
{
    if (bins < 1)
        return Error::badInput(QStringLiteral("a histogram needs at least one bin"));
    // One pass over the score index; scores are clamped into [0, 100] bins.
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral(
        "SELECT min(max(CAST(score * ? / 100.0 AS INTEGER), 0), ?) AS bin, count(*) FROM items"
        " WHERE score IS NOT NULL GROUP BY bin"));
    query.addBindValue(bins);
    query.addBindValue(bins - 1);
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("reading the score histogram"), query);
    std::vector<qint64> histogram(std::size_t(bins), 0);
    while (query.next())
        histogram[std::size_t(query.value(0).toInt())] = query.value(1).toLongLong();
    return histogram;
}

Result<std::vector<QueueItem>> QueueStore::setHumanDecisions(const PageQuery &filter,
                                                             const QString &decision,
                                                             std::optional<double> scoreBelow)
{
    if (!decision.isEmpty() && !isDecision(decision))
        return Error::badInput(
            QStringLiteral("unknown decision '%1' (expected keep, revise or filter)")
                .arg(decision));
    if (scoreBelow && !std::isfinite(*scoreBelow))
        return Error::badInput(QStringLiteral("the score bound must be a finite number"));
    auto parts = queryParts(filter);
    if (!parts)
        return parts.error();
    QString where = parts->where;
    QVariantList binds = parts->binds;
    if (scoreBelow) {
        where += QStringLiteral(" AND score < ?");
        binds << *scoreBelow;
    }
    if (Status begun = beginTransaction(); !begun)
        return begun.error();
    const auto fail = [this](Error error) {
        m_db.rollback();
        return error;
    };
    // Read and write inside one transaction, so the items returned are exactly those changed.
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1 FROM items WHERE %2 ORDER BY id")
                      .arg(QLatin1String(kItemColumns), where));
    for (const QVariant &bind : std::as_const(binds))
        query.addBindValue(bind);
    if (!query.exec())
        return fail(databaseError(QStringLiteral("reading the items to decide"), query));
    std::vector<QueueItem> before;
    while (query.next())
        before.push_back(rowToItem(query));
    query.finish();
    query.prepare(QStringLiteral("UPDATE items SET human_decision = ?, edited_text = CASE WHEN ? "
                                 "IS NULL THEN NULL ELSE edited_text END, decided_at = ? WHERE %1")
                      .arg(where));
    query.addBindValue(nullable(decision));
    query.addBindValue(nullable(decision));
    query.addBindValue(decision.isEmpty() ? QVariant() : QVariant(nowUtc()));
    for (const QVariant &bind : std::as_const(binds))
        query.addBindValue(bind);
    if (!query.exec())
        return fail(databaseError(QStringLiteral("recording the decisions"), query));
    if (!m_db.commit())
        return fail(Error::internal(
            QStringLiteral("cannot commit the decisions: %1").arg(m_db.lastError().text()),
            m_path));
    return before;
}

Status QueueStore::restoreHumanDecisions(const std::vector<QueueItem> &before)
{
    if (Status begun = beginTransaction(); !begun)
        return begun.error();
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "UPDATE items SET human_decision = ?, edited_text = ?, decided_at = ? WHERE id = ?"));
    for (const QueueItem &item : before) {
        query.bindValue(0, nullable(item.humanDecision));
        query.bindValue(1, nullable(item.editedText));
        query.bindValue(2, nullable(item.decidedAt));
        query.bindValue(3, item.id);
        if (!query.exec() || query.numRowsAffected() < 1) {
            const Error error = query.lastError().isValid()
                ? databaseError(QStringLiteral("restoring the decision on item %1").arg(item.id),
                                query)
                : Error::badInput(QStringLiteral("the review queue has no item %1").arg(item.id),
                                  m_path);
            m_db.rollback();
            return error;
        }
    }
    if (!m_db.commit()) {
        const Error error = Error::internal(
            QStringLiteral("cannot commit the restored decisions: %1").arg(m_db.lastError().text()),
            m_path);
        m_db.rollback();
        return error;
    }
    return Done {};
}

}  // namespace pcs
