// QueueStore's schema: creating a queue, and migrating an older one in place when it is opened.
#include "core/review/queuesql.h"
#include "core/review/queuestore.h"
#include "core/review/sqlitesupport.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <vector>

namespace pcs {

namespace {

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
    QString statement;
};

// What an item contributes to the tallies (item_tallies: "total", its state, "human_" + its
// human decision) and, when its decision is derived (assessed, scored, no human decision), to
// the score histogram, else to fixed_bands: +1 (`add`) or -1 for the row `row` (NEW or OLD) of
// a trigger.
QString tallyStatements(const QString &row, bool add)
{
    const QString derived
        = QStringLiteral("%1.state = 'assessed' AND %1.human_decision IS NULL AND %1.score IS "
                         "NOT NULL")
              .arg(row);
    const QString band = queuesql::scoreBandSql(row + QStringLiteral(".score"));
    if (add)
        return QStringLiteral(
                   "INSERT INTO item_tallies (name, items) VALUES (%1.state, 1) ON CONFLICT (name) "
                   "DO UPDATE SET items = items + 1; "
                   "INSERT INTO item_tallies (name, items) SELECT 'human_' || %1.human_decision, 1 "
                   "WHERE %1.human_decision IS NOT NULL ON CONFLICT (name) DO UPDATE SET items = "
                   "items + 1; "
                   "INSERT INTO score_histogram (score, items) SELECT %1.score, 1 WHERE %2 "
                   "ON CONFLICT (score) DO UPDATE SET items = items + 1; "
                   "INSERT INTO score_bands (band, items) SELECT %3, 1 WHERE %2 "
                   "ON CONFLICT (band) DO UPDATE SET items = items + 1; "
                   "INSERT INTO scored_bands (band, items) SELECT %3, 1 WHERE %1.score IS NOT "
                   "NULL ON CONFLICT (band) DO UPDATE SET items = items + 1; "
                   "INSERT INTO fixed_bands (decision, state, scored, band, items) SELECT "
                   "coalesce(%1.human_decision, ''), %1.state, %1.score IS NOT NULL, "
                   "coalesce(%3, 0), 1 WHERE NOT (%2) ON CONFLICT (decision, state, scored, band) "
                   "DO UPDATE SET items = items + 1; ")
            .arg(row, derived, band);
    return QStringLiteral("UPDATE item_tallies SET items = items - 1 WHERE name = %1.state OR "
                          "name = 'human_' || %1.human_decision; "
                          "UPDATE score_histogram SET items = items - 1 WHERE score = %1.score AND "
                          "%2; "
                          "DELETE FROM score_histogram WHERE score = %1.score AND items <= 0; "
                          "UPDATE score_bands SET items = items - 1 WHERE band = %3 AND %2; "
                          "UPDATE scored_bands SET items = items - 1 WHERE band = %3 AND "
                          "%1.score IS NOT NULL; "
                          "UPDATE fixed_bands SET items = items - 1 WHERE decision = "
                          "coalesce(%1.human_decision, '') AND state = %1.state AND scored = "
                          "(%1.score IS NOT NULL) AND band = coalesce(%3, 0) AND NOT (%2); ")
        .arg(row, derived, band);
}

// Schema 5: decisions derived when read, and the tallies that make counting instant.
std::vector<MigrationStep> deriveDecisionsMigration()
{
    std::vector<MigrationStep> steps;
    const auto add = [&](const QString &statement) { steps.push_back({ 5, statement }); };
    // The automatic decision is no longer stored: it follows from the score and the thresholds,
    // so that changing the thresholds writes one row.
    for (const char *index :
         { "items_auto_decision", "items_final_decision", "items_decision_score" })
        add(QStringLiteral("DROP INDEX IF EXISTS %1").arg(QLatin1String(index)));
    add(QStringLiteral("ALTER TABLE items DROP COLUMN auto_decision"));
    // The record's own id (import --id-field), shown in place of the internal one.
    add(QStringLiteral("ALTER TABLE items ADD COLUMN source_id TEXT"));
    // Counts kept as items change: "total", per state, "human_<decision>".
    add(QStringLiteral("CREATE TABLE item_tallies (name TEXT PRIMARY KEY, items INTEGER NOT NULL)"
                       " WITHOUT ROWID"));
    // The items whose decision is derived (assessed, no human decision), by exact score, and by
    // floor(score): any threshold's count is the bands above it plus one band's exact scores.
    add(QStringLiteral("CREATE TABLE score_histogram (score REAL PRIMARY KEY, items INTEGER NOT "
                       "NULL) WITHOUT ROWID"));
    add(QStringLiteral("CREATE TABLE score_bands (band INTEGER PRIMARY KEY, items INTEGER NOT "
                       "NULL)"));
    add(QStringLiteral(
        "INSERT INTO item_tallies (name, items) SELECT 'total', count(*) FROM items"));
    add(QStringLiteral("INSERT INTO item_tallies (name, items) SELECT state, count(*) FROM items "
                       "GROUP BY state"));
    add(QStringLiteral("INSERT INTO item_tallies (name, items) SELECT 'human_' || human_decision, "
                       "count(*) FROM items WHERE human_decision IS NOT NULL GROUP BY "
                       "human_decision"));
    const QString derived
        = QStringLiteral("state = 'assessed' AND human_decision IS NULL AND score IS NOT NULL");
    add(QStringLiteral("INSERT INTO score_histogram (score, items) SELECT score, count(*) FROM "
                       "items WHERE %1 GROUP BY score")
            .arg(derived));
    add(QStringLiteral("INSERT INTO score_bands (band, items) SELECT CAST(score AS INTEGER) - "
                       "(score < CAST(score AS INTEGER)) AS band, count(*) FROM items WHERE %1 "
                       "GROUP BY band")
            .arg(derived));
    // (The triggers that keep them are created by schema 6, with its own tally.)
    // Batches of human decisions, undone as one step: the decisions they replaced.
    add(QStringLiteral("CREATE TABLE undo_steps (step INTEGER PRIMARY KEY, label TEXT NOT NULL, "
                       "created_at TEXT NOT NULL)"));
    add(QStringLiteral("CREATE TABLE undo_items (step INTEGER NOT NULL, id INTEGER NOT NULL, "
                       "human_decision TEXT, edited_text TEXT, decided_at TEXT, "
                       "PRIMARY KEY (step, id)) WITHOUT ROWID"));
    return steps;
}

// Schema 6: pages filtered and sorted by the derived decision read indexes alone, the revision's
// critique is kept.
std::vector<MigrationStep> schemaSixMigration()
{
    std::vector<MigrationStep> steps;
    const auto add = [&](const char *statement) {
        steps.push_back({ 6, QString::fromLatin1(statement) });
    };
    // Why the LLM rewrote the text as it did (Revision::critique).
    add("ALTER TABLE items ADD COLUMN revision_critique TEXT");
    // A final decision is the human one, or the rule over (state, score): each decision is a few
    // ranges of this index, each already in score order (queryParts, page()).
    add("CREATE INDEX IF NOT EXISTS items_decided ON items (human_decision, state, score)");
    // The same columns in id order: id-sorted pages with a decision or state filter are read
    // from this index alone, never from the wide rows.
    add("CREATE INDEX IF NOT EXISTS items_id_decided ON items (id, human_decision, state, score)");
    // status(): the items whose model refused log-probs, without reading every row.
    add("CREATE INDEX IF NOT EXISTS items_logprob_not_allowed ON items (state)"
        " WHERE logprob_status = 'not_allowed'");
    // Every scored item by integer band: a page deep in score order starts at the band its
    // offset falls in (QueueStore::readPage) instead of stepping over every row before it.
    add("CREATE TABLE scored_bands (band INTEGER PRIMARY KEY, items INTEGER NOT NULL)");
    steps.push_back({ 6,
                      QStringLiteral("INSERT INTO scored_bands (band, items) SELECT %1 AS band, "
                                     "count(*) FROM items WHERE score IS NOT NULL GROUP BY band")
                          .arg(queuesql::scoreBandSql(QStringLiteral("score"))) });
    // The tally triggers as they are now (schema 5 had them without scored_bands).
    for (const QString &name : queuesql::tallyTriggerNames())
        steps.push_back({ 6, QStringLiteral("DROP TRIGGER IF EXISTS %1").arg(name) });
    for (const QString &trigger : queuesql::createTallyTriggers())
        steps.push_back({ 6, trigger });
    return steps;
}

// Schema 7: the items whose final decision does not follow from the thresholds (a human decided,
// or no automatic decision: not assessed, or no score) counted by human decision, state and
// score band. With the score histogram (the other items) they partition the queue, so that a
// page deep in a filtered score order starts at the band its offset falls in.
std::vector<MigrationStep> schemaSevenMigration()
{
    std::vector<MigrationStep> steps;
    const auto add = [&](const QString &statement) { steps.push_back({ 7, statement }); };
    // decision: the human decision, '' for none; scored = 0 (band 0) for the items without one.
    add(QStringLiteral("CREATE TABLE IF NOT EXISTS fixed_bands (decision TEXT NOT NULL, state "
                       "TEXT NOT NULL, scored INTEGER NOT NULL, band INTEGER NOT NULL, items "
                       "INTEGER NOT NULL, PRIMARY KEY (decision, state, scored, band)) "
                       "WITHOUT ROWID"));
    add(QStringLiteral("DELETE FROM fixed_bands"));
    add(QStringLiteral("INSERT INTO fixed_bands (decision, state, scored, band, items) SELECT "
                       "coalesce(human_decision, ''), state, score IS NOT NULL, coalesce(%1, 0) "
                       "AS band, count(*) FROM items WHERE NOT (state = 'assessed' AND "
                       "human_decision IS NULL AND score IS NOT NULL) GROUP BY 1, 2, 3, 4")
            .arg(queuesql::scoreBandSql(QStringLiteral("score"))));
    for (const QString &name : queuesql::tallyTriggerNames())
        add(QStringLiteral("DROP TRIGGER IF EXISTS %1").arg(name));
    for (const QString &trigger : queuesql::createTallyTriggers())
        add(trigger);
    return steps;
}

std::vector<MigrationStep> migrations()
{
    std::vector<MigrationStep> steps;
    const auto add = [&](int version, const char *statement) {
        steps.push_back({ version, QString::fromLatin1(statement) });
    };
    for (const auto &[version, statement] : std::initializer_list<std::pair<int, const char *>> {
             // An item handed to a run's client: no other run may pick it until it is recorded or
             // given
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
             // Why the log-probs asked for did not give the score ("code: explanation", LogprobNote
             // in
             // assessment.h); NULL when they did, or when none were asked for (see logprob_status).
             { 3, "ALTER TABLE items ADD COLUMN logprob_note TEXT" },
             { 3,
               "CREATE INDEX IF NOT EXISTS items_logprob_note ON items (logprob_note)"
               " WHERE logprob_note IS NOT NULL" },
             // The server's x-request-id of the answer (or failure) an item got, for support
             // requests;
             // and why no log-probs were asked for (LogprobStatus in queuestore.h: not requested by
             // the
             // run, or refused by the model).
             { 4, "ALTER TABLE items ADD COLUMN request_id TEXT" },
             { 4, "ALTER TABLE items ADD COLUMN logprob_status TEXT" },
         })
        add(version, statement);
    for (MigrationStep &step : deriveDecisionsMigration())
        steps.push_back(std::move(step));
    for (MigrationStep &step : schemaSixMigration())
        steps.push_back(std::move(step));
    for (MigrationStep &step : schemaSevenMigration())
        steps.push_back(std::move(step));
    return steps;
}

Error newerSchema(int stored, const QString &path)
{
    return Error::badInput(
        QStringLiteral("the review queue was written by a newer version of Perplexity "
                       "Correlations Studio (schema %1; this version reads up to %2)")
            .arg(stored)
            .arg(QueueStore::kSchemaVersion),
        path);
}

}  // namespace

namespace queuesql {

const QStringList &tallyTriggerNames()
{
    static const QStringList names { QStringLiteral("items_tally_insert"),
                                     QStringLiteral("items_tally_delete"),
                                     QStringLiteral("items_tally_update") };
    return names;
}

QStringList createTallyTriggers()
{
    return {
        QStringLiteral("CREATE TRIGGER items_tally_insert AFTER INSERT ON items BEGIN "
                       "INSERT INTO item_tallies (name, items) VALUES ('total', 1) ON CONFLICT "
                       "(name) DO UPDATE SET items = items + 1; %1END")
            .arg(tallyStatements(QStringLiteral("NEW"), true)),
        QStringLiteral("CREATE TRIGGER items_tally_delete AFTER DELETE ON items BEGIN "
                       "UPDATE item_tallies SET items = items - 1 WHERE name = 'total'; %1END")
            .arg(tallyStatements(QStringLiteral("OLD"), false)),
        QStringLiteral(
            "CREATE TRIGGER items_tally_update AFTER UPDATE OF state, score, "
            "human_decision ON items WHEN OLD.state IS NOT NEW.state OR OLD.score IS "
            "NOT NEW.score OR OLD.human_decision IS NOT NEW.human_decision BEGIN %1%2END")
            .arg(tallyStatements(QStringLiteral("OLD"), false),
                 tallyStatements(QStringLiteral("NEW"), true)),
    };
}

QString scoreBandSql(const QString &score)
{
    // floor() for any real, without SQLite's optional math functions.
    return QStringLiteral("(CAST(%1 AS INTEGER) - (%1 < CAST(%1 AS INTEGER)))").arg(score);
}

}  // namespace queuesql

Status QueueStore::pauseTallyTriggers()
{
    // Inside the caller's write transaction: no other connection ever sees the queue without
    // them (a rollback puts them back), and its statements re-prepare by themselves.
    for (const QString &name : queuesql::tallyTriggerNames())
        if (Status dropped = exec(QStringLiteral("DROP TRIGGER IF EXISTS %1").arg(name)); !dropped)
            return dropped;
    return Done {};
}

Status QueueStore::resumeTallyTriggers()
{
    for (const QString &trigger : queuesql::createTallyTriggers())
        if (Status created = exec(trigger); !created)
            return created;
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
        // 16 KiB pages for a new queue (the size is fixed when the file is first written, so
        // this does nothing to an existing one): a row of ~700 bytes and its index entries cost
        // ~40% less to insert than with 4 KiB pages, and deep index walks read fewer pages.
        if (Status sized = exec(QStringLiteral("PRAGMA page_size = %1").arg(kPageBytes)); !sized)
            return sized;
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
                           "claimed_by = NULL, claimed_at = NULL WHERE id = ?")))
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
    for (const MigrationStep &step : migrations()) {
        if (step.version <= std::max(from, 1))
            continue;
        if (Status done = exec(step.statement); !done)
            return done;
    }
    if (!version.exec(QStringLiteral("DELETE FROM schema_version"))
        || !version.exec(
            QStringLiteral("INSERT INTO schema_version (version) VALUES (%1)").arg(kSchemaVersion)))
        return databaseError(QStringLiteral("writing the schema version"), version);
    return transaction.commit();
}

}  // namespace pcs
