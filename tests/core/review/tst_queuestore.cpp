// QueueStore: import (counts, malformed lines, duplicates, gzip), recording results and
// decisions, thresholds, paging against a naive sort, export contents, durability across
// connections and after the writing process is killed.
#include "core/io/fileinfo.h"
#include "core/review/queuestore.h"
#include "tests/common/testdata.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

using namespace pcs;
using pcs::test::writeFile;

namespace {

const char *const kCrashChildFlag = "--queuestore-crash-child";

QByteArray gzipped(const QByteArray &data)
{
    z_stream stream {};
    if (deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        qFatal("deflateInit2 failed");
    QByteArray out(qsizetype(deflateBound(&stream, uLong(data.size()))), Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    if (deflate(&stream, Z_FINISH) != Z_STREAM_END)
        qFatal("deflate did not finish");
    out.resize(qsizetype(stream.total_out));
    deflateEnd(&stream);
    return out;
}

QByteArray jsonl(int count, const QByteArray &prefix = "doc")
{
    QByteArray data;
    for (int i = 1; i <= count; ++i)
        data += "{\"id\":" + QByteArray::number(i) + ",\"text\":\"" + prefix + ' '
            + QByteArray::number(i) + "\",\"z\":true}\n";
    return data;
}

std::unique_ptr<QueueStore> openStore(const QString &path)
{
    auto opened = QueueStore::open(path);
    if (!opened)
        qFatal("open: %s", qPrintable(opened.error().toString()));
    return std::move(opened).value();
}

AssessmentRecord assessment(double score)
{
    AssessmentRecord record;
    record.score = score;
    record.llmScore = score;
    record.llmReasoning = QStringLiteral("because");
    record.attempts = 1;
    return record;
}

QList<QByteArray> fileLines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> lines = file.readAll().split('\n');
    if (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines;
}

// A queue as schema 1 (the first release) wrote it: its tables, indexes and rows.
const char *const kSchemaOneQueue[] = {
    "PRAGMA journal_mode = WAL",
    "CREATE TABLE items (id INTEGER PRIMARY KEY, source_file TEXT NOT NULL, source_sha256 TEXT "
    "NOT NULL, source_line INTEGER NOT NULL, record TEXT NOT NULL, text TEXT NOT NULL, state TEXT "
    "NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'assessed', 'error')), llm_score "
    "REAL, llm_reasoning TEXT, logprob_coverage REAL, rule_score REAL, fasttext_score REAL, score "
    "REAL, auto_decision TEXT CHECK (auto_decision IN ('keep', 'revise', 'filter')), "
    "human_decision TEXT CHECK (human_decision IN ('keep', 'revise', 'filter')), revised_text "
    "TEXT, revised_score REAL, edited_text TEXT, error TEXT, error_code TEXT, attempts INTEGER "
    "NOT NULL DEFAULT 0, created_at TEXT NOT NULL, assessed_at TEXT, decided_at TEXT, UNIQUE "
    "(source_sha256, source_line))",
    "CREATE INDEX items_state ON items (state)",
    "CREATE INDEX items_score ON items (score)",
    "CREATE INDEX items_auto_decision ON items (auto_decision) WHERE auto_decision IS NOT NULL",
    "CREATE INDEX items_human_decision ON items (human_decision) WHERE human_decision IS NOT NULL",
    "CREATE INDEX items_final_decision ON items (COALESCE(human_decision, auto_decision))",
    "CREATE INDEX items_decision_score ON items (COALESCE(human_decision, auto_decision), score) "
    "WHERE COALESCE(human_decision, auto_decision) IS NOT NULL",
    "CREATE TABLE settings (id INTEGER PRIMARY KEY CHECK (id = 1), filter_threshold REAL NOT "
    "NULL DEFAULT 80, revise_threshold REAL NOT NULL DEFAULT 50)",
    "INSERT INTO settings (id, filter_threshold, revise_threshold) VALUES (1, 70, 40)",
    "CREATE TABLE properties (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "INSERT INTO properties (key, value) VALUES ('criteria', '{\"name\": \"old\"}')",
    "CREATE TABLE sources (path TEXT NOT NULL, sha256 TEXT NOT NULL, size_bytes INTEGER NOT "
    "NULL, imported_at TEXT NOT NULL, PRIMARY KEY (path, sha256))",
    "INSERT INTO sources VALUES ('/data/old.jsonl', 'abc', 30, '2024-05-01T12:00:00.000Z')",
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    "INSERT INTO schema_version (version) VALUES (1)",
    "INSERT INTO items (source_file, source_sha256, source_line, record, text, created_at) VALUES "
    "('/data/old.jsonl', 'abc', 1, '{\"text\":\"one\"}', 'one', '2024-05-01T12:00:00.000Z')",
    "INSERT INTO items (source_file, source_sha256, source_line, record, text, state, llm_score, "
    "score, auto_decision, attempts, created_at, assessed_at) VALUES ('/data/old.jsonl', 'abc', "
    "2, '{\"text\":\"two\"}', 'two', 'assessed', 75, 75, 'filter', 1, "
    "'2024-05-01T12:00:00.000Z', '2024-05-01T12:01:00.000Z')",
    "INSERT INTO items (source_file, source_sha256, source_line, record, text, state, error, "
    "error_code, attempts, created_at) VALUES ('/data/old.jsonl', 'abc', 3, "
    "'{\"text\":\"three\"}', 'three', 'error', 'refused', 'refusal', 1, "
    "'2024-05-01T12:00:00.000Z')",
};

// What schema 2 and 3 added to it, as released (3: the log-prob notes of batch/log-prob work),
// with a note on the assessed item.
const char *const kSchemaThreeSteps[] = {
    "ALTER TABLE items ADD COLUMN claimed_by TEXT",
    "ALTER TABLE items ADD COLUMN claimed_at TEXT",
    "CREATE INDEX IF NOT EXISTS items_claimed ON items (claimed_by) WHERE claimed_by IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS run_lease (id INTEGER PRIMARY KEY CHECK (id = 1), lease_id TEXT "
    "NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL, heartbeat_at "
    "TEXT NOT NULL, heartbeat_ms INTEGER NOT NULL)",
    "ALTER TABLE items ADD COLUMN logprob_note TEXT",
    "CREATE INDEX IF NOT EXISTS items_logprob_note ON items (logprob_note) WHERE logprob_note IS "
    "NOT NULL",
    "UPDATE items SET logprob_note = 'unaligned: the tokens do not spell it' WHERE id = 2",
    "UPDATE schema_version SET version = 3",
};

// Runs statements on a plain connection (not a QueueStore); false at the first failure.
bool execRaw(const QString &path, std::initializer_list<QString> statements,
             QString *failure = nullptr)
{
    bool ok = true;
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw-exec"));
        db.setDatabaseName(path);
        ok = db.open();
        QSqlQuery query(db);
        for (const QString &statement : statements) {
            if (!ok)
                break;
            ok = query.exec(statement);
            if (!ok && failure)
                *failure = statement + QStringLiteral(": ") + query.lastError().text();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw-exec"));
    return ok;
}

// Imports `jsonlPath` and records assessments forever, printing each id once it is committed.
int runCrashChild(const QString &databasePath, const QString &jsonlPath)
{
    auto store = openStore(databasePath);
    auto imported = store->importJsonl(jsonlPath, QStringLiteral("text"));
    if (!imported)
        return 3;
    std::printf("imported %lld\n", imported->imported);
    std::fflush(stdout);
    for (qint64 id = 1;; id = id % imported->imported + 1) {
        if (!store->recordAssessment(id, assessment(double(id % 100))))
            return 4;
        std::printf("%lld\n", id);
        std::fflush(stdout);
    }
}

}  // namespace

class TestQueueStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void importCountsMalformedAndDuplicates();
    void importGzip();
    void refusesNewerSchemaAndNonDatabase();
    void recordsAndReadsBack();
    void thresholdsRederiveDecisions();
    void resetErrorsMakesThemPending();
    void committedResultsVisibleToAnotherConnection();
    void pageMatchesNaiveSort();
    void exportContents();
    void exportRefusesToOverwriteInput();
    void statusCounts();
    void survivesKill();
    void countsAndCandidateCounts();
    void scoreHistogramBins();
    void batchHumanDecisionsAndRestore();
    void migratesSchemaOne();
    void migratesSchemaThree();
    void openingACurrentQueueWritesNothing();
    void storesTheRevisionCritique();
    void migratesSchemaFive();
    void migratesSchemaSix();
    void runLeaseAndClaims();
    void deadHoldersLeaseIsTakenOver();
};

void TestQueueStore::importCountsMalformedAndDuplicates()
{
    QTemporaryDir dir;
    const QByteArray data = "{\"id\":1,\"text\":\"one\"}\n"
                            "\n"
                            "{\"id\":2,\"text\":\"two\"}\n"
                            "{\"id\":3,\"text\":}\n"  // invalid JSON
                            "{\"id\":4}\n"  // no text
                            "{\"id\":5,\"text\":5}\n"  // not a string
                            "{\"id\":6,\"text\":\"bad \xff utf8\"}\n"
                            "{\"id\":7,\"text\":\"seven \\u00e9\"}\n";
    const QString input = writeFile(dir, QStringLiteral("in.jsonl"), data);
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));

    auto summary = store->importJsonl(input, QStringLiteral("text"));
    QVERIFY2(summary.ok(), summary.ok() ? "" : qPrintable(summary.error().toString()));
    QCOMPARE(summary->lines, 7);
    QCOMPARE(summary->imported, 3);
    QCOMPARE(summary->duplicates, 0);
    QCOMPARE(summary->malformed, 4);
    QCOMPARE(summary->problems.size(), 4);
    QVERIFY2(summary->problems[0].startsWith(input + QStringLiteral(":4:")),
             qPrintable(summary->problems[0]));
    QCOMPARE(summary->problems[1], input + QStringLiteral(":5: no \"text\" field"));
    QCOMPARE(summary->problems[2], input + QStringLiteral(":6: \"text\" is not a string"));
    QVERIFY(summary->problems[3].startsWith(input + QStringLiteral(":7:")));

    auto pending = store->pending(10);
    QVERIFY(pending.ok());
    QCOMPARE(pending->size(), 3u);
    const QueueItem &seventh = pending->at(2);
    QCOMPARE(seventh.sourceFile, input);
    QCOMPARE(seventh.sourceLine, 8);
    QCOMPARE(seventh.record, QStringLiteral("{\"id\":7,\"text\":\"seven \\u00e9\"}"));
    QCOMPARE(seventh.text, QStringLiteral("seven \u00e9"));
    QCOMPARE(seventh.state, ItemState::Pending);
    QCOMPARE(seventh.sourceSha256, describeInputFile(QStringLiteral("x"), input)->sha256);
    QVERIFY(!seventh.score);
    QVERIFY(seventh.createdAt.endsWith(QLatin1Char('Z')));
    QCOMPARE(store->pending(10, pending->at(0).id)->size(), 2u);

    auto again = store->importJsonl(input, QStringLiteral("text"));
    QVERIFY(again.ok());
    QCOMPARE(again->imported, 0);
    QCOMPARE(again->duplicates, 3);
    QCOMPARE(again->malformed, 4);

    const QString other = writeFile(dir, QStringLiteral("other.jsonl"), jsonl(4, "other"));
    auto second = store->importJsonl(other, QStringLiteral("text"));
    QVERIFY(second.ok());
    QCOMPARE(second->imported, 4);
    QCOMPARE(*store->count({}), 7);

    // Same path, new content: new items (the content hash keys them).
    writeFile(dir, QStringLiteral("other.jsonl"), jsonl(5, "other"));
    QCOMPARE(store->importJsonl(other, QStringLiteral("text"))->imported, 5);
    QCOMPARE(*store->count({}), 12);

    QVERIFY(
        !store->importJsonl(dir.filePath(QStringLiteral("missing.jsonl")), QStringLiteral("text"))
             .ok());
}

void TestQueueStore::importGzip()
{
    QTemporaryDir dir;
    const QString plain = writeFile(dir, QStringLiteral("a.jsonl"), jsonl(1000));
    const QString gz = writeFile(dir, QStringLiteral("a.jsonl.gz"), gzipped(jsonl(1000)));
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    auto fromGz = store->importJsonl(gz, QStringLiteral("text"));
    QVERIFY(fromGz.ok());
    QCOMPARE(fromGz->imported, 1000);
    QCOMPARE(store->item(1000)->text, QStringLiteral("doc 1000"));
    // The compressed file has another hash than its content: imported as another source.
    QCOMPARE(store->importJsonl(plain, QStringLiteral("text"))->imported, 1000);

    // A truncated gzip file is an error naming the file.
    QByteArray truncated = gzipped(jsonl(1000));
    truncated.chop(20);
    const QString broken = writeFile(dir, QStringLiteral("b.jsonl.gz"), truncated);
    auto failed = store->importJsonl(broken, QStringLiteral("text"));
    QVERIFY(!failed.ok());
    QCOMPARE(failed.error().file, broken);

    // Cancel stops an import; what it did not commit is rolled back.
    const QString big = writeFile(dir, QStringLiteral("big.jsonl"), jsonl(20000, "big"));
    TaskControl control;
    control.requestCancel();
    auto canceled = store->importJsonl(big, QStringLiteral("text"), control);
    QVERIFY(!canceled.ok());
    QCOMPARE(canceled.error().kind, ErrorKind::Canceled);
    QCOMPARE(*store->count({}), 2000);
}

void TestQueueStore::refusesNewerSchemaAndNonDatabase()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("queue.sqlite"));
    openStore(path).reset();
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("UPDATE schema_version SET version = 99")));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    auto newer = QueueStore::open(path);
    QVERIFY(!newer.ok());
    QVERIFY2(newer.error().reason.contains(QStringLiteral("newer version")),
             qPrintable(newer.error().reason));

    const QString junk = writeFile(dir, QStringLiteral("junk.sqlite"), QByteArray(4096, 'x'));
    auto notDatabase = QueueStore::open(junk);
    QVERIFY(!notDatabase.ok());
    QCOMPARE(notDatabase.error().kind, ErrorKind::BadInput);
}

void TestQueueStore::recordsAndReadsBack()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(5)),
                              QStringLiteral("text"))
                .ok());

    AssessmentRecord record;
    record.llmScore = 91;
    record.llmReasoning = QStringLiteral("spam");
    record.logprobCoverage = 0.75;
    record.ruleScore = 10;
    record.fastTextScore = 0.5;
    record.score = 85.5;
    record.attempts = 2;
    QVERIFY(store->recordAssessment(1, record).ok());
    QueueItem first = *store->item(1);
    QCOMPARE(first.state, ItemState::Assessed);
    QCOMPARE(first.llmScore, 91.0);
    QCOMPARE(first.llmReasoning, QStringLiteral("spam"));
    QCOMPARE(first.logprobCoverage, 0.75);
    QCOMPARE(first.ruleScore, 10.0);
    QCOMPARE(first.fastTextScore, 0.5);
    QCOMPARE(first.score, 85.5);
    QCOMPARE(first.attempts, 2);
    QCOMPARE(first.autoDecision, std::optional(Decision::Filter));
    QVERIFY(!first.assessedAt.isEmpty());

    QVERIFY(store->recordAssessment(2, assessment(60)).ok());
    QCOMPARE(store->item(2)->autoDecision, std::optional(Decision::Revise));
    QVERIFY(!store->item(2)->logprobCoverage);
    QVERIFY(store->recordAssessment(3, assessment(50)).ok());  // not above revise: keep
    QCOMPARE(store->item(3)->autoDecision, std::optional(Decision::Keep));

    // An error replaces an earlier score: no score, no decision.
    QVERIFY(store->recordAssessment(4, assessment(10)).ok());
    QVERIFY(
        store->recordError(4, QStringLiteral("http_500"), QStringLiteral("server error"), 3).ok());
    QueueItem failed = *store->item(4);
    QCOMPARE(failed.state, ItemState::Error);
    QCOMPARE(failed.errorCode, QStringLiteral("http_500"));
    QCOMPARE(failed.error, QStringLiteral("server error"));
    QCOMPARE(failed.attempts, 3);
    QVERIFY(!failed.score);
    QVERIFY(failed.autoDecision.has_value() == false);
    QCOMPARE(store->pending(10)->size(), 1u);

    QVERIFY(store->recordRevision(2, QStringLiteral("better two"), 20.0).ok());
    QCOMPARE(store->item(2)->revisedText, QStringLiteral("better two"));
    QCOMPARE(store->item(2)->revisedScore, 20.0);

    QVERIFY(store->setHumanDecision(1, Decision::Keep, QStringLiteral("edited")).ok());
    QueueItem decided = *store->item(1);
    QCOMPARE(decided.humanDecision, std::optional(Decision::Keep));
    QCOMPARE(decided.editedText, QStringLiteral("edited"));
    QCOMPARE(decided.finalDecision(), std::optional(Decision::Keep));
    QVERIFY(!decided.decidedAt.isEmpty());
    QVERIFY(store->setHumanDecision(1, std::nullopt).ok());
    decided = *store->item(1);
    QVERIFY(decided.humanDecision.has_value() == false);
    QVERIFY(decided.editedText.isEmpty());
    QCOMPARE(decided.finalDecision(), std::optional(Decision::Filter));

    // Unknown ids, decisions and non-finite scores are refused.
    QVERIFY(!store->recordAssessment(99, assessment(1)).ok());
    QVERIFY(!store->recordError(99, QStringLiteral("x"), QStringLiteral("y"), 1).ok());
    QVERIFY(!store->recordRevision(99, QStringLiteral("x"), {}).ok());
    QVERIFY(!store->setHumanDecision(99, Decision::Keep).ok());
    QVERIFY(!store->recordAssessment(5, assessment(qQNaN())).ok());
    QCOMPARE(store->item(5)->state, ItemState::Pending);
}

void TestQueueStore::thresholdsRederiveDecisions()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(5)),
                              QStringLiteral("text"))
                .ok());
    QCOMPARE(store->thresholds()->filter, 80.0);
    QCOMPARE(store->thresholds()->revise, 50.0);
    const double scores[] = { 10, 40, 60, 90 };
    for (int i = 0; i < 4; ++i)
        QVERIFY(store->recordAssessment(i + 1, assessment(scores[i])).ok());
    QVERIFY(store->recordError(5, QStringLiteral("timeout"), QStringLiteral("slow"), 1).ok());

    QVERIFY(store->setThresholds(50, 30).ok());
    QCOMPARE(store->thresholds()->filter, 50.0);
    QCOMPARE(store->thresholds()->revise, 30.0);
    QCOMPARE(store->item(1)->autoDecision, std::optional(Decision::Keep));
    QCOMPARE(store->item(2)->autoDecision, std::optional(Decision::Revise));
    QCOMPARE(store->item(3)->autoDecision, std::optional(Decision::Filter));
    QCOMPARE(store->item(4)->autoDecision, std::optional(Decision::Filter));
    QVERIFY(store->item(5)->autoDecision.has_value() == false);  // an error gets no decision
    // New assessments use the new thresholds too.
    QVERIFY(store->recordAssessment(1, assessment(45)).ok());
    QCOMPARE(store->item(1)->autoDecision, std::optional(Decision::Revise));

    QVERIFY(!store->setThresholds(30, 50).ok());
    QVERIFY(!store->setThresholds(qInf(), 50).ok());
    QCOMPARE(store->thresholds()->filter, 50.0);

    // Stored in the database: another store sees them.
    QCOMPARE(openStore(store->path())->thresholds()->revise, 30.0);
}

void TestQueueStore::resetErrorsMakesThemPending()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(3)),
                              QStringLiteral("text"))
                .ok());
    QVERIFY(store->recordAssessment(1, assessment(10)).ok());
    QVERIFY(store->recordError(2, QStringLiteral("timeout"), QStringLiteral("slow"), 2).ok());
    QCOMPARE(store->pending(10)->size(), 1u);
    QVERIFY(store->resetErrors().ok());
    auto pending = store->pending(10);
    QCOMPARE(pending->size(), 2u);
    QCOMPARE(pending->at(0).id, 2);
    QVERIFY(pending->at(0).errorCode.isEmpty());
    QCOMPARE(pending->at(0).attempts, 2);  // kept: the runner may cap retries
    QCOMPARE(store->item(1)->state, ItemState::Assessed);
}

void TestQueueStore::committedResultsVisibleToAnotherConnection()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("queue.sqlite"));
    auto writer = openStore(path);
    QVERIFY(writer
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(3)),
                              QStringLiteral("text"))
                .ok());
    auto reader = openStore(path);  // a second connection on the same file
    QVERIFY(writer->recordAssessment(2, assessment(70)).ok());
    QueueItem seen = *reader->item(2);
    QCOMPARE(seen.state, ItemState::Assessed);
    QCOMPARE(seen.score, 70.0);
    QCOMPARE(seen.autoDecision, std::optional(Decision::Revise));
    // And the other way round, while both stay open.
    QVERIFY(reader->setHumanDecision(3, Decision::Filter).ok());
    QCOMPARE(writer->item(3)->humanDecision, std::optional(Decision::Filter));
}

void TestQueueStore::pageMatchesNaiveSort()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    const int count = 3000;
    QByteArray data;
    QRandomGenerator random(7);
    for (int i = 1; i <= count; ++i)
        data += "{\"text\":\"" + QByteArray(random.bounded(3) == 0 ? "needle_%x " : "hay ")
            + QByteArray::number(i) + "\"}\n";
    QVERIFY(
        store->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), data), QStringLiteral("text"))
            .ok());
    std::vector<QueueItem> all;
    for (int id = 1; id <= count; ++id) {
        const int roll = random.bounded(10);
        if (roll == 0) {
            QVERIFY(store->recordError(id, QStringLiteral("e"), QStringLiteral("m"), 1).ok());
        } else if (roll > 1) {
            // Few distinct scores: many ties, ordered by id.
            QVERIFY(store->recordAssessment(id, assessment(double(random.bounded(20) * 5))).ok());
            if (roll == 9)
                QVERIFY(store->setHumanDecision(id, Decision::Keep).ok());
        }
        all.push_back(*store->item(id));
    }

    // The documented order: key (missing smallest), ties by id, both in the chosen direction.
    const auto naive = [&](const PageQuery &query) {
        std::vector<QueueItem> selected;
        for (const QueueItem &item : all) {
            if (query.state && item.state != *query.state)
                continue;
            if (query.withoutDecision ? item.finalDecision().has_value()
                                      : query.decision && item.finalDecision() != query.decision)
                continue;
            if (!query.textSearch.isEmpty()
                && !item.text.contains(query.textSearch, Qt::CaseInsensitive))
                continue;
            // A score range leaves out unscored items.
            if (!query.scores.isUnbounded() && (!item.score || !query.scores.contains(*item.score)))
                continue;
            selected.push_back(item);
        }
        const auto less = [&](const QueueItem &a, const QueueItem &b) {
            switch (query.sortBy) {
            case QueueSortColumn::Score:
                if (a.score != b.score)
                    return a.score < b.score;  // nullopt is smallest
                break;
            case QueueSortColumn::State:  // by name, as SQL sorts them
                if (a.state != b.state)
                    return itemStateName(a.state) < itemStateName(b.state);
                break;
            case QueueSortColumn::Decision: {
                const auto name = [](const QueueItem &item) {
                    return item.finalDecision() ? decisionName(*item.finalDecision()) : QString();
                };
                if (name(a) != name(b))
                    return name(a) < name(b);
                break;
            }
            case QueueSortColumn::Id:
                break;
            }
            return a.id < b.id;
        };
        std::sort(selected.begin(), selected.end(), less);
        if (!query.ascending)
            std::reverse(selected.begin(), selected.end());
        return selected;
    };
    const auto ids = [](const std::vector<QueueItem> &items, std::size_t from, std::size_t n) {
        QList<qint64> result;
        for (std::size_t i = from; i < std::min(items.size(), from + n); ++i)
            result << items[i].id;
        return result;
    };

    for (QueueSortColumn sort : { QueueSortColumn::Score, QueueSortColumn::Id,
                                  QueueSortColumn::State, QueueSortColumn::Decision }) {
        for (bool ascending : { true, false }) {
            for (const auto state :
                 { std::optional<ItemState>(), std::optional(ItemState::Assessed),
                   std::optional(ItemState::Error) }) {
                for (const QString &decision :
                     { QString(), QStringLiteral("keep"), QStringLiteral("filter"),
                       QStringLiteral("none") }) {
                    for (const QString &search : { QString(), QStringLiteral("NEEDLE_%") }) {
                        for (const bool ranged : { false, true }) {
                            PageQuery query;
                            if (ranged) {
                                query.scores = ScoreRange { 20, true, 40, true };
                            }
                            query.sortBy = sort;
                            query.ascending = ascending;
                            query.state = state;
                            query.withoutDecision = decision == QLatin1String("none");
                            if (decision == QLatin1String("keep"))
                                query.decision = Decision::Keep;
                            if (decision == QLatin1String("filter"))
                                query.decision = Decision::Filter;
                            query.textSearch = search;
                            query.limit = 97;
                            const std::vector<QueueItem> expected = naive(query);
                            QCOMPARE(*store->count(query), qint64(expected.size()));
                            // (from 1000 on, a score-sorted page starts at its score band)
                            for (qint64 offset : { qint64(0), qint64(500), qint64(1234),
                                                   qint64(2100), qint64(2900) }) {
                                query.offset = offset;
                                auto page = store->page(query);
                                QVERIFY(page.ok());
                                QCOMPARE(ids(*page, 0, 1000),
                                         ids(expected, std::size_t(offset), 97));
                            }
                            // Keyset paging walks the same order to the end.
                            query.offset = 0;
                            std::vector<QueueItem> walked = *store->page(query);
                            while (!walked.empty()) {
                                auto next = store->pageAfter(query, walked.back());
                                QVERIFY(next.ok());
                                if (next->empty())
                                    break;
                                walked.insert(walked.end(), next->begin(), next->end());
                            }
                            QCOMPARE(ids(walked, 0, walked.size()),
                                     ids(expected, 0, expected.size()));
                        }
                    }
                }
            }
        }
    }
}

void TestQueueStore::exportContents()
{
    QTemporaryDir dir;
    const QByteArray data = "{\"id\":1,\"text\":\"keep me\",\"meta\":{\"b\":1}}\n"
                            "{\"text\":\"revise me\",\"id\":2}\n"
                            "{\"id\":3,\"text\":\"drop me\"}\n"
                            "{\"id\":4,\"text\":\"broken\"}\n"
                            "{\"id\":5,\"text\":\"not yet\"}\n"
                            "{\"id\":6,\"text\":\"human edit\"}\n"
                            "{\"id\":7,\"text\":\"revise without revision\"}\n";
    const QString input = writeFile(dir, QStringLiteral("in, \"quoted\".jsonl"), data);
    const QString hashBefore = describeInputFile(QStringLiteral("in"), input)->sha256;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store->importJsonl(input, QStringLiteral("text")).ok());
    AssessmentRecord withoutLogprobs = assessment(10);
    withoutLogprobs.requestId = QStringLiteral("req_1");
    withoutLogprobs.logprobStatus = QStringLiteral("not_allowed");
    QVERIFY(store->recordAssessment(1, withoutLogprobs).ok());
    QCOMPARE(store->item(1)->requestId, QStringLiteral("req_1"));
    QCOMPARE(store->item(1)->logprobStatus, QStringLiteral("not_allowed"));
    QVERIFY(store->recordAssessment(2, assessment(60)).ok());
    QVERIFY(store->recordRevision(2, QStringLiteral("revised"), 5.0).ok());
    AssessmentRecord unusableLogprobs = assessment(95.5);
    unusableLogprobs.logprobNote = QStringLiteral("split_digits: \"95\" spans 2 tokens, 1 used");
    QVERIFY(store->recordAssessment(3, unusableLogprobs).ok());
    QCOMPARE(store->item(3)->logprobNote, unusableLogprobs.logprobNote);
    QVERIFY(store->item(3)->logprobStatus.isEmpty());
    QVERIFY(store->recordAssessment(4, assessment(1)).ok());
    QVERIFY(store
                ->recordError(4, QStringLiteral("parse"), QStringLiteral("no score"), 2,
                              QStringLiteral("req \"4\""))
                .ok());
    QCOMPARE(store->item(4)->requestId, QStringLiteral("req \"4\""));
    QVERIFY(store->item(4)->logprobStatus.isEmpty());  // an error has no assessment
    QVERIFY(store->item(4)->logprobNote.isEmpty());
    QVERIFY(store->setHumanDecision(4, Decision::Keep).ok());  // still an error
    QVERIFY(store->recordAssessment(6, assessment(90)).ok());
    QVERIFY(store->setHumanDecision(6, Decision::Keep, QStringLiteral("edited")).ok());
    QVERIFY(store->recordAssessment(7, assessment(70)).ok());

    const QString curated = dir.filePath(QStringLiteral("curated.jsonl"));
    const QString dropped = dir.filePath(QStringLiteral("dropped.jsonl"));
    const QString log = dir.filePath(QStringLiteral("log.csv"));
    auto summary = store->exportCurated(curated, dropped, log, QStringLiteral("text"));
    QVERIFY2(summary.ok(), summary.ok() ? "" : qPrintable(summary.error().toString()));
    QCOMPARE(summary->curated, 3);
    QCOMPARE(summary->kept, 2);
    QCOMPARE(summary->revised, 1);
    QCOMPARE(summary->textChanged, 2);
    QCOMPARE(summary->dropped, 1);
    QCOMPARE(summary->pending, 1);
    QCOMPARE(summary->errors, 1);
    // "revise" without a revision is held back by default, and said so.
    QCOMPARE(summary->reviseMissing, 1);
    QCOMPARE(summary->held, 1);
    QCOMPARE(summary->reviseMissingIds, QList<qint64> { 7 });
    QCOMPARE(summary->failed, 0);

    // Unchanged items are their input lines byte for byte; a new text replaces only the text's
    // value, the old one follows as "original_text". Score and decision are in the log.
    const QList<QByteArray> expectedCurated {
        R"({"id":1,"text":"keep me","meta":{"b":1}})",
        R"({"text":"revised","id":2,"original_text":"revise me"})",
        R"({"id":6,"text":"edited","original_text":"human edit"})",
    };
    QCOMPARE(fileLines(curated), expectedCurated);
    QCOMPARE(fileLines(dropped), QList<QByteArray> { R"({"id":3,"text":"drop me"})" });
    const QByteArray quotedInput = "\"" + input.toUtf8().replace("\"", "\"\"") + "\"";
    QCOMPARE(
        fileLines(log),
        (QList<QByteArray> {
            "id,source_file,source_line,score,auto_decision,human_decision,final_decision,"
            "error_code,decided_by,text_source,output,request_id,logprob_status,logprob_note,"
            "source_id",
            "1," + quotedInput + ",1,10,keep,,keep,,auto,original,curated,req_1,not_allowed,,1",
            "2," + quotedInput + ",2,60,revise,,revise,,auto,revision,curated,,,,2",
            "3," + quotedInput
                + ",3,95.5,filter,,filter,,auto,original,dropped,,,"
                  "\"split_digits: \"\"95\"\" spans 2 tokens, 1 used\",3",
            "4," + quotedInput + ",4,,,keep,,parse,,,,\"req \"\"4\"\"\",,,4",
            "5," + quotedInput + ",5,,,,,,,,,,,,5",
            "6," + quotedInput + ",6,90,filter,keep,keep,,human,edit,curated,,,,6",
            "7," + quotedInput + ",7,70,revise,,revise,,auto,,held,,,,7",
        }));

    // Optional outputs may be left out; the error item is never curated.
    QVERIFY(store->exportCurated(curated, {}, {}, QStringLiteral("text")).ok());
    QCOMPARE(fileLines(curated), expectedCurated);
    // No temporary file or journal is left behind.
    QCOMPARE(
        QDir(dir.path()).entryList({ QStringLiteral(".*pcstudio*") }, QDir::Files | QDir::Hidden),
        QStringList());

    QCOMPARE(describeInputFile(QStringLiteral("in"), input)->sha256, hashBefore);
}

void TestQueueStore::exportRefusesToOverwriteInput()
{
    QTemporaryDir dir;
    const QString input = writeFile(dir, QStringLiteral("in.jsonl"), jsonl(3));
    const QByteArray before = fileLines(input).join('\n');
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store->importJsonl(input, QStringLiteral("text")).ok());
    QVERIFY(store->recordAssessment(1, assessment(1)).ok());
    auto onInput = store->exportCurated(input, {}, {}, QStringLiteral("text"));
    QVERIFY(!onInput.ok());
    QCOMPARE(onInput.error().kind, ErrorKind::BadInput);
    QVERIFY(!store
                 ->exportCurated(dir.filePath(QStringLiteral("out.jsonl")), input, {},
                                 QStringLiteral("text"))
                 .ok());
    QVERIFY(!store->exportCurated(store->path(), {}, {}, QStringLiteral("text")).ok());
    const QString out = dir.filePath(QStringLiteral("out.jsonl"));
    QVERIFY(!store->exportCurated(out, out, {}, QStringLiteral("text")).ok());
    QCOMPARE(fileLines(input).join('\n'), before);
}

void TestQueueStore::statusCounts()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    const QString input = writeFile(dir, QStringLiteral("a.jsonl"), jsonl(6));
    QVERIFY(store->importJsonl(input, QStringLiteral("text")).ok());
    QVERIFY(store->recordAssessment(1, assessment(10)).ok());
    QVERIFY(store->recordAssessment(2, assessment(90)).ok());
    QVERIFY(store->recordAssessment(3, assessment(60)).ok());
    QVERIFY(store->setHumanDecision(2, Decision::Keep).ok());
    QVERIFY(store->recordError(4, QStringLiteral("x"), QStringLiteral("y"), 1).ok());
    auto status = store->status();
    QVERIFY(status.ok());
    const QJsonObject json = *status;
    QCOMPARE(json[QStringLiteral("items")].toInteger(), 6);
    QCOMPARE(json[QStringLiteral("states")].toObject(),
             (QJsonObject { { QStringLiteral("pending"), 2 },
                            { QStringLiteral("assessed"), 3 },
                            { QStringLiteral("error"), 1 } }));
    QCOMPARE(json[QStringLiteral("auto_decisions")].toObject(),
             (QJsonObject { { QStringLiteral("keep"), 1 },
                            { QStringLiteral("revise"), 1 },
                            { QStringLiteral("filter"), 1 } }));
    QCOMPARE(json[QStringLiteral("human_decisions")].toObject()[QStringLiteral("keep")].toInt(), 1);
    QCOMPARE(json[QStringLiteral("final_decisions")].toObject(),
             (QJsonObject { { QStringLiteral("keep"), 2 },
                            { QStringLiteral("revise"), 1 },
                            { QStringLiteral("filter"), 0 } }));
    QCOMPARE(json[QStringLiteral("thresholds")].toObject()[QStringLiteral("filter")].toDouble(),
             80.0);
    const QJsonArray sources = json[QStringLiteral("sources")].toArray();
    QCOMPARE(sources.size(), 1);
    QCOMPARE(sources[0].toObject()[QStringLiteral("path")].toString(), input);
}

void TestQueueStore::survivesKill()
{
    QTemporaryDir dir;
    const QString database = dir.filePath(QStringLiteral("queue.sqlite"));
    const QString input = writeFile(dir, QStringLiteral("a.jsonl"), jsonl(5000));
    QProcess child;
    child.start(QCoreApplication::applicationFilePath(),
                { QString::fromLatin1(kCrashChildFlag), database, input });
    QVERIFY(child.waitForStarted());
    // Kill it somewhere in the stream of commits.
    const int killAfter = 300 + QRandomGenerator::global()->bounded(700);
    QByteArray output;
    while (output.count('\n') < killAfter + 1) {
        if (!child.waitForReadyRead(30000))
            QFAIL(qPrintable(QStringLiteral("child stopped: ") + child.readAllStandardError()));
        output += child.readAllStandardOutput();
    }
    child.kill();  // SIGKILL: no destructor, no close
    QVERIFY(child.waitForFinished());
    output += child.readAllStandardOutput();

    QList<QByteArray> lines = output.split('\n');
    lines.removeLast();  // empty or a partial line
    QCOMPARE(lines.takeFirst(), QByteArray("imported 5000"));
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        db.setDatabaseName(database);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("PRAGMA integrity_check")) && query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("ok"));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("check"));

    auto store = openStore(database);
    QCOMPARE(*store->count({}), 5000);
    for (const QByteArray &line : std::as_const(lines)) {
        const qint64 id = line.toLongLong();
        const QueueItem item = *store->item(id);
        QCOMPARE(item.state, ItemState::Assessed);
        QCOMPARE(item.score, double(id % 100));
    }
    // Still writable after the crash.
    QVERIFY(store->recordAssessment(5000, assessment(1)).ok());
}

int main(int argc, char **argv)
{
    if (argc == 4 && std::strcmp(argv[1], kCrashChildFlag) == 0) {
        QCoreApplication app(argc, argv);
        return runCrashChild(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]));
    }
    QCoreApplication app(argc, argv);
    TestQueueStore test;
    return QTest::qExec(&test, argc, argv);
}

void TestQueueStore::countsAndCandidateCounts()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(8)),
                              QStringLiteral("text"))
                .ok());
    const double scores[] = { 10, 40, 60, 90, 55 };
    for (int i = 0; i < 5; ++i)
        QVERIFY(store->recordAssessment(i + 1, assessment(scores[i])).ok());
    QVERIFY(store->recordError(6, QStringLiteral("x"), QStringLiteral("y"), 1).ok());
    QVERIFY(store->setHumanDecision(4, Decision::Keep).ok());  // auto filter
    QVERIFY(store->setHumanDecision(7, Decision::Filter).ok());  // pending

    // Stored thresholds 80/50: keep 1, 2, 4(h); revise 3, 5; filter 7(h).
    const QueueCounts now = *store->counts();
    QCOMPARE(now.total, 8);
    QCOMPARE(now.pending, 2);
    QCOMPARE(now.assessed, 5);
    QCOMPARE(now.errors, 1);
    QCOMPARE(now.keep, 3);
    QCOMPARE(now.revise, 2);
    QCOMPARE(now.filter, 1);
    QCOMPARE(now.humanDecided, 2);
    QVERIFY(*store->countsFor(*store->thresholds()) == now);

    // 50/30 as a preview: keep 1, 4(h); revise 2; filter 3, 5, 7(h). Nothing is written.
    const QueueCounts preview = *store->countsFor({ 50, 30 });
    QCOMPARE(preview.keep, 2);
    QCOMPARE(preview.revise, 1);
    QCOMPARE(preview.filter, 3);
    QCOMPARE(store->thresholds()->filter, 80.0);
    QVERIFY(*store->counts() == now);
    QVERIFY(store->setThresholds(50, 30).ok());
    QVERIFY(*store->counts() == preview);
    QVERIFY(!store->countsFor({ 30, 50 }).ok());
}

void TestQueueStore::scoreHistogramBins()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(6)),
                              QStringLiteral("text"))
                .ok());
    const double scores[] = { 0, 9.99, 10, 55, 100 };
    for (int i = 0; i < 5; ++i)
        QVERIFY(store->recordAssessment(i + 1, assessment(scores[i])).ok());
    const std::vector<qint64> histogram = *store->scoreHistogram(10);
    const std::vector<qint64> expected { 2, 1, 0, 0, 0, 1, 0, 0, 0, 1 };
    QCOMPARE(histogram, expected);
    QCOMPARE(*store->scoreHistogram(1), std::vector<qint64> { 5 });
    QVERIFY(!store->scoreHistogram(0).ok());
}

void TestQueueStore::batchHumanDecisionsAndRestore()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(10)),
                              QStringLiteral("text"))
                .ok());
    for (int id = 1; id <= 8; ++id)
        QVERIFY(store->recordAssessment(id, assessment(id * 10)).ok());  // 10..80
    QVERIFY(store->setHumanDecision(2, Decision::Revise, QStringLiteral("edited")).ok());
    const QueueItem second = *store->item(2);

    PageQuery assessed;
    assessed.state = ItemState::Assessed;
    assessed.scores = ScoreRange::below(35.0);
    auto batch = store->decideMatching(assessed, Decision::Filter);
    QVERIFY(batch.ok());
    QCOMPARE(batch->changed, 3);  // 10, 20, 30
    for (qint64 id : { 1, 2, 3 })
        QCOMPARE(store->item(id)->humanDecision, std::optional(Decision::Filter));
    QCOMPARE(store->item(2)->editedText, QStringLiteral("edited"));
    QVERIFY(!store->item(4)->humanDecision);
    QVERIFY(!store->item(9)->humanDecision);  // pending: not matched

    QVERIFY(store->undoDecisions(batch->undoStep).ok());
    QVERIFY(!store->item(1)->humanDecision);
    QVERIFY(store->item(1)->decidedAt.isEmpty());
    const QueueItem restored = *store->item(2);
    QCOMPARE(restored.humanDecision, second.humanDecision);
    QCOMPARE(restored.editedText, second.editedText);
    QCOMPARE(restored.decidedAt, second.decidedAt);
    QVERIFY(!store->undoDecisions(batch->undoStep).ok());  // undone already

    // Clearing clears the edited texts too; a restore naming a missing item changes nothing.
    auto cleared = store->decideMatching(PageQuery {}, std::nullopt);
    QVERIFY(cleared.ok());
    QCOMPARE(cleared->changed, 1);  // only item 2 had a decision
    QVERIFY(store->item(2)->editedText.isEmpty());
    std::vector<QueueItem> withMissing { second, QueueItem {} };
    withMissing.back().id = 999;
    QVERIFY(!store->restoreHumanDecisions(withMissing).ok());
    QVERIFY(!store->item(2)->humanDecision);
}

// A queue written by schema 1 opens, is migrated in place (claims and the run lease) and keeps
// every row, setting and property.
void TestQueueStore::migratesSchemaOne()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("old.sqlite"));
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("old"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        for (const char *statement : kSchemaOneQueue)
            QVERIFY2(query.exec(QString::fromUtf8(statement)), statement);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("old"));

    auto store = openStore(path);
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check-version"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT count(*), max(version) FROM schema_version"))
                && query.next());
        QCOMPARE(query.value(0).toInt(), 1);
        QCOMPARE(query.value(1).toInt(), QueueStore::kSchemaVersion);
        QVERIFY(query.exec(QStringLiteral("SELECT count(*) FROM items WHERE claimed_by IS NULL "
                                          "AND claimed_at IS NULL AND request_id IS NULL AND "
                                          "logprob_status IS NULL AND logprob_note IS NULL"))
                && query.next());
        QCOMPARE(query.value(0).toInt(), 3);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("check-version"));

    QCOMPARE(store->count({}).value(), 3);
    const QueueItem assessed = store->item(2).value();
    QCOMPARE(assessed.state, ItemState::Assessed);
    QCOMPARE(assessed.score, 75.0);
    QCOMPARE(assessed.autoDecision, std::optional(Decision::Filter));
    QCOMPARE(store->item(3).value().errorCode, QStringLiteral("refusal"));
    QCOMPARE(store->thresholds().value().filter, 70.0);
    QCOMPARE(store->property(QStringLiteral("criteria")).value(),
             QStringLiteral("{\"name\": \"old\"}"));
    const QJsonObject status = store->status().value();
    QCOMPARE(status[QStringLiteral("sources")].toArray().size(), 1);
    QVERIFY(status[QStringLiteral("run")].isNull());

    // The migrated queue runs: lease, claim, record.
    auto lease = store->acquireRunLease();
    QVERIFY(lease.ok() && lease->acquired);
    auto claimed = store->claimPending(10);
    QVERIFY(claimed.ok());
    QCOMPARE(claimed->size(), std::size_t(1));
    QCOMPARE(claimed->front().text, QStringLiteral("one"));
    QVERIFY(store->recordAssessment(claimed->front().id, assessment(10)).ok());
    QVERIFY(store->releaseRunLease().ok());
    QVERIFY(store->quickCheck().ok());
    store.reset();
    // And opens again as a current queue.
    QCOMPARE(openStore(path)->count({}).value(), 3);
}

// A queue at schema 3 (log-prob notes, no request ids yet) gains request_id and logprob_status
// and keeps its notes, which status() still counts.
void TestQueueStore::migratesSchemaThree()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("three.sqlite"));
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("three"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        for (const char *statement : kSchemaOneQueue)
            QVERIFY2(query.exec(QString::fromUtf8(statement)), statement);
        for (const char *statement : kSchemaThreeSteps)
            QVERIFY2(query.exec(QString::fromUtf8(statement)), statement);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("three"));

    auto store = openStore(path);
    QCOMPARE(QueueStore::kSchemaVersion, 7);
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check-three"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT max(version) FROM schema_version"))
                && query.next());
        QCOMPARE(query.value(0).toInt(), QueueStore::kSchemaVersion);
        QVERIFY(query.exec(QStringLiteral("SELECT count(*) FROM items WHERE request_id IS NULL "
                                          "AND logprob_status IS NULL"))
                && query.next());
        QCOMPARE(query.value(0).toInt(), 3);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("check-three"));

    const QueueItem noted = store->item(2).value();
    QCOMPARE(noted.logprobNote, QStringLiteral("unaligned: the tokens do not spell it"));
    QVERIFY(noted.logprobStatus.isEmpty());
    QVERIFY(noted.requestId.isEmpty());
    const QJsonObject without
        = store->status().value()[QStringLiteral("scored_without_logprobs")].toObject();
    QCOMPARE(without[QStringLiteral("items")].toInteger(), 1);
    QCOMPARE(without[QStringLiteral("reasons")].toObject()[QStringLiteral("unaligned")].toInteger(),
             1);

    // The new columns take values; a model's refusal counts beside the notes.
    AssessmentRecord refused = assessment(20);
    refused.requestId = QStringLiteral("req_7");
    refused.logprobStatus = QStringLiteral("not_allowed");
    QVERIFY(store->recordAssessment(1, refused).ok());
    QCOMPARE(store->item(1)->requestId, QStringLiteral("req_7"));
    const QJsonObject after
        = store->status().value()[QStringLiteral("scored_without_logprobs")].toObject();
    QCOMPARE(after[QStringLiteral("items")].toInteger(), 2);
    QCOMPARE(after[QStringLiteral("reasons")].toObject()[QStringLiteral("not_allowed")].toInteger(),
             1);
}

// Opening a queue whose schema is current needs no write lock: it succeeds at once while
// another connection holds the lock mid-transaction (before, the open's own schema writes
// waited out the busy timeout and failed with "database is locked"), and so do the reads.
// The critique of a revision is stored with it and read back; a revision without one has none.
void TestQueueStore::storesTheRevisionCritique()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(3)),
                              QStringLiteral("text"))
                .ok());
    const QString critique = QStringLiteral("Too vague; name the source. \"Quotes\" and ünïcode.");
    QVERIFY(store->recordRevision(1, QStringLiteral("Revised one."), 12.5, critique).ok());
    QVERIFY(store->recordRevision(2, QStringLiteral("Revised two."), std::nullopt).ok());
    QCOMPARE(store->item(1)->revisionCritique, critique);
    QCOMPARE(store->item(1)->revisedText, QStringLiteral("Revised one."));
    QVERIFY(store->item(2)->revisionCritique.isEmpty());
    QVERIFY(store->item(3)->revisionCritique.isEmpty());
    // A new revision replaces the critique with its own.
    QVERIFY(store->recordRevision(1, QStringLiteral("Revised again."), std::nullopt, {}).ok());
    QVERIFY(store->item(1)->revisionCritique.isEmpty());
    QVERIFY(!store->recordRevision(99, QStringLiteral("x"), std::nullopt, critique).ok());
    PageQuery all;
    all.sortBy = QueueSortColumn::Id;
    all.ascending = true;
    QVERIFY(
        store->recordRevision(3, QStringLiteral("Revised three."), std::nullopt, critique).ok());
    QCOMPARE(store->page(all)->at(2).revisionCritique, critique);
}

// A queue written by schema 5 (no critique column, none of the decision indexes) opens as
// schema 6: its items, decisions and counts survive, the critique can be stored, the indexes
// exist and the decision pages read them.
void TestQueueStore::migratesSchemaFive()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("queue.sqlite"));
    QueueCounts before;
    {
        auto store = openStore(path);
        QVERIFY(store
                    ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(30)),
                                  QStringLiteral("text"))
                    .ok());
        for (int id = 1; id <= 20; ++id)
            QVERIFY(store->recordAssessment(id, assessment(id * 5.0)).ok());
        QVERIFY(store->recordRevision(12, QStringLiteral("Revised."), 20.0).ok());
        QVERIFY(store->setHumanDecision(3, Decision::Filter).ok());
        QVERIFY(store->setHumanDecision(25, Decision::Keep).ok());
        before = store->counts().value();
    }
    {
        // Back to schema 5 as it was released: what schemas 6 and 7 added, removed, and the
        // tally triggers as schema 5 made them (the same, without their scored_bands and
        // fixed_bands statements).
        QSqlDatabase raw
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("downgrade"));
        raw.setDatabaseName(path);
        QVERIFY(raw.open());
        QSqlQuery query(raw);
        QVERIFY(query.exec(QStringLiteral("SELECT sql FROM sqlite_master WHERE type = 'trigger'")));
        QStringList schemaFiveTriggers;
        while (query.next())
            schemaFiveTriggers << query.value(0).toString().remove(QRegularExpression(
                QStringLiteral("(INSERT INTO|UPDATE) (scored_bands|fixed_bands) [^;]*; ")));
        QCOMPARE(schemaFiveTriggers.size(), 3);
        for (const QString &trigger : schemaFiveTriggers) {
            QVERIFY(!trigger.contains(QStringLiteral("scored_bands")));
            QVERIFY(!trigger.contains(QStringLiteral("fixed_bands")));
        }
        for (const char *statement :
             { "DROP INDEX items_decided", "DROP INDEX items_id_decided",
               "DROP INDEX items_logprob_not_allowed", "DROP TRIGGER items_tally_insert",
               "DROP TRIGGER items_tally_delete", "DROP TRIGGER items_tally_update",
               "DROP TABLE scored_bands", "DROP TABLE fixed_bands",
               "ALTER TABLE items DROP COLUMN revision_critique",
               "UPDATE schema_version SET version = 5" })
            QVERIFY2(query.exec(QLatin1String(statement)), statement);
        for (const QString &trigger : schemaFiveTriggers)
            QVERIFY2(query.exec(trigger), qPrintable(query.lastError().text()));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("downgrade"));

    auto store = openStore(path);
    {
        const auto reopened = store->counts();
        QVERIFY2(reopened.ok(),
                 qPrintable(reopened.ok() ? QString() : reopened.error().toString()));
        QCOMPARE(*reopened, before);
    }
    QVERIFY(store->checkTallies().ok());
    {
        const auto migrated = store->item(12);
        QVERIFY2(migrated.ok(),
                 qPrintable(migrated.ok() ? QString() : migrated.error().toString()));
    }
    QCOMPARE(store->item(12)->revisedText, QStringLiteral("Revised."));
    QVERIFY(store->item(12)->revisionCritique.isEmpty());
    QCOMPARE(store->item(3)->humanDecision, std::optional(Decision::Filter));
    QVERIFY(
        store->recordRevision(12, QStringLiteral("Again."), std::nullopt, QStringLiteral("Why."))
            .ok());
    QCOMPARE(store->item(12)->revisionCritique, QStringLiteral("Why."));
    // The tally triggers are back: new results and decisions are counted.
    QVERIFY(store->recordAssessment(21, assessment(99)).ok());
    QVERIFY(store->setHumanDecision(22, Decision::Revise).ok());
    QCOMPARE(store->counts()->assessed, before.assessed + 1);
    QCOMPARE(store->counts()->filter, before.filter + 1);
    QCOMPARE(store->counts()->revise, before.revise + 1);
    QVERIFY(store->checkTallies().ok());
    before = store->counts().value();
    {
        QSqlDatabase raw
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("inspect"));
        raw.setDatabaseName(path);
        QVERIFY(raw.open());
        QSqlQuery query(raw);
        QVERIFY(query.exec(QStringLiteral("SELECT max(version) FROM schema_version"))
                && query.next());
        QCOMPARE(query.value(0).toInt(), QueueStore::kSchemaVersion);
        QCOMPARE(QueueStore::kSchemaVersion, 7);
        QVERIFY(query.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = "
                                          "'index' AND name IN ('items_decided', "
                                          "'items_id_decided', 'items_logprob_not_allowed')"))
                && query.next());
        QCOMPARE(query.value(0).toInt(), 3);
        // scored_bands was filled by the migration and is kept by the new triggers (the
        // assessment above): every band holds its scored items.
        QVERIFY(query.exec(QStringLiteral(
                    "SELECT count(*) FROM (SELECT CAST(score AS INTEGER) - (score < CAST(score AS "
                    "INTEGER)) AS band, count(*) AS n FROM items WHERE score IS NOT NULL GROUP BY "
                    "band) AS naive FULL OUTER JOIN (SELECT band, items FROM scored_bands WHERE "
                    "items != 0) AS kept USING (band) WHERE naive.n IS NOT kept.items"))
                && query.next());
        QCOMPARE(query.value(0).toInt(), 0);
        QVERIFY(query.exec(QStringLiteral("SELECT sum(items) FROM scored_bands")) && query.next());
        QCOMPARE(query.value(0).toInt(), 21);
        // A decision filter sorted by score reads index ranges, not the rows, and sorts nothing.
        QVERIFY(query.exec(QStringLiteral(
            "EXPLAIN QUERY PLAN SELECT items.id AS id, items.score AS k FROM items WHERE "
            "items.human_decision = 'keep' AND items.state = 'assessed' UNION ALL SELECT "
            "items.id AS id, items.score AS k FROM items WHERE items.human_decision IS NULL AND "
            "items.state = 'assessed' AND items.score IS NOT NULL AND items.score <= 50 "
            "ORDER BY k DESC, id DESC LIMIT 10")));
        QString plan;
        while (query.next())
            plan += query.value(3).toString() + QLatin1Char('\n');
        QVERIFY2(plan.contains(QStringLiteral("COVERING INDEX items_decided")), qPrintable(plan));
        QVERIFY2(!plan.contains(QStringLiteral("TEMP B-TREE")), qPrintable(plan));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("inspect"));
    PageQuery keep;
    keep.decision = Decision::Keep;
    keep.ascending = true;
    QCOMPARE(store->count(keep).value(), before.keep);
    const auto page = store->page(keep);
    QVERIFY(page.ok());
    QCOMPARE(qint64(page->size()), before.keep);
}

// A queue written by schema 6 (no fixed_bands, tally triggers without it) opens as schema 7:
// fixed_bands is counted from the items, the new triggers keep it, the counts survive, and a
// page deep in a filtered score order (read from the bands) matches the order by definition.
void TestQueueStore::migratesSchemaSix()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("queue.sqlite"));
    const int count = 1300;
    QueueCounts before;
    {
        auto store = openStore(path);
        QVERIFY(store
                    ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(count)),
                                  QStringLiteral("text"))
                    .ok());
        QRandomGenerator random(11);
        for (int id = 1; id <= count; ++id) {
            const int roll = random.bounded(10);
            if (roll < 8)
                QVERIFY(store->recordAssessment(id, assessment(random.bounded(100.0))).ok());
            else if (roll == 8)
                QVERIFY(store->recordError(id, QStringLiteral("e"), QStringLiteral("m"), 1).ok());
            if (roll == 0 || roll == 8)
                QVERIFY(store->setHumanDecision(id, Decision(random.bounded(3))).ok());
        }
        before = store->counts().value();
    }
    {
        // Back to schema 6: no fixed_bands, and its statements gone from the triggers.
        QSqlDatabase raw
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("downgrade"));
        raw.setDatabaseName(path);
        QVERIFY(raw.open());
        QSqlQuery query(raw);
        QVERIFY(query.exec(QStringLiteral("SELECT sql FROM sqlite_master WHERE type = 'trigger'")));
        QStringList schemaSixTriggers;
        while (query.next())
            schemaSixTriggers << query.value(0).toString().remove(
                QRegularExpression(QStringLiteral("(INSERT INTO|UPDATE) fixed_bands [^;]*; ")));
        QCOMPARE(schemaSixTriggers.size(), 3);
        for (const QString &trigger : schemaSixTriggers) {
            QVERIFY(!trigger.contains(QStringLiteral("fixed_bands")));
            QVERIFY(trigger.contains(QStringLiteral("scored_bands")));
        }
        for (const char *statement :
             { "DROP TRIGGER items_tally_insert", "DROP TRIGGER items_tally_delete",
               "DROP TRIGGER items_tally_update", "DROP TABLE fixed_bands",
               "UPDATE schema_version SET version = 6" })
            QVERIFY2(query.exec(QLatin1String(statement)), statement);
        for (const QString &trigger : schemaSixTriggers)
            QVERIFY2(query.exec(trigger), qPrintable(query.lastError().text()));
        // Written by schema 6 after its last count: fixed_bands must come from the items.
        QVERIFY(query.exec(QStringLiteral("UPDATE items SET human_decision = 'filter' WHERE id = "
                                          "1")));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("downgrade"));

    auto store = openStore(path);
    {
        const Status checked = store->checkTallies();
        QVERIFY2(checked.ok(), checked.ok() ? "" : qPrintable(checked.error().toString()));
    }
    const QueueItem first = store->item(1).value();
    QCOMPARE(first.humanDecision, std::optional(Decision::Filter));
    QCOMPARE(store->counts()->total, before.total);
    {
        QSqlDatabase raw
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("inspect"));
        raw.setDatabaseName(path);
        QVERIFY(raw.open());
        QSqlQuery query(raw);
        QVERIFY(query.exec(QStringLiteral("SELECT max(version) FROM schema_version"))
                && query.next());
        QCOMPARE(query.value(0).toInt(), 7);
        QCOMPARE(QueueStore::kSchemaVersion, 7);
        // A new queue's file has the store's page size.
        QVERIFY(query.exec(QStringLiteral("PRAGMA page_size")) && query.next());
        QCOMPARE(query.value(0).toInt(), QueueStore::kPageBytes);
        // fixed_bands as counted from the items, band by band.
        const QString band
            = QStringLiteral("(CAST(score AS INTEGER) - (score < CAST(score AS INTEGER)))");
        QVERIFY2(
            query.exec(
                QStringLiteral(
                    "SELECT count(*) FROM (SELECT coalesce(human_decision, '') AS decision, "
                    "state, score IS NOT NULL AS scored, coalesce(%1, 0) AS band, count(*) AS n "
                    "FROM items WHERE NOT (state = 'assessed' AND human_decision IS NULL AND "
                    "score IS NOT NULL) GROUP BY 1, 2, 3, 4) AS naive FULL OUTER JOIN (SELECT * "
                    "FROM fixed_bands WHERE items <> 0) AS kept USING (decision, state, scored, "
                    "band) WHERE naive.n IS NOT kept.items")
                    .arg(band)),
            qPrintable(query.lastError().text()));
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toInt(), 0);
        QVERIFY(query.exec(QStringLiteral("SELECT sum(items) FROM fixed_bands")) && query.next());
        QVERIFY(query.value(0).toInt() > 0);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("inspect"));

    // The new triggers keep it: a result, an error and a decision later, still exact.
    QVERIFY(store->recordAssessment(2, assessment(42.5)).ok());
    QVERIFY(store->recordError(3, QStringLiteral("e"), QStringLiteral("m"), 2).ok());
    QVERIFY(store->setHumanDecision(4, Decision::Keep).ok());
    QVERIFY(store->checkTallies().ok());

    // The assessed items by score, deep in, against the order by definition.
    std::vector<QueueItem> assessed;
    for (int id = 1; id <= count; ++id) {
        const QueueItem item = store->item(id).value();
        if (item.state == ItemState::Assessed)
            assessed.push_back(item);
    }
    std::sort(assessed.begin(), assessed.end(), [](const QueueItem &a, const QueueItem &b) {
        return a.score != b.score ? a.score > b.score : a.id > b.id;
    });
    PageQuery query;
    query.state = ItemState::Assessed;
    query.sortBy = QueueSortColumn::Score;
    query.offset = qint64(assessed.size()) - 30;
    query.limit = 30;
    QVERIFY(query.offset >= QueueStore::kBandSkipOffset);
    const std::vector<QueueItem> page = store->page(query).value();
    QCOMPARE(page.size(), std::size_t(30));
    for (std::size_t i = 0; i < page.size(); ++i)
        QCOMPARE(page[i].id, assessed[std::size_t(query.offset) + i].id);
}

void TestQueueStore::openingACurrentQueueWritesNothing()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("queue.sqlite"));
    const QString input = writeFile(dir, QStringLiteral("a.jsonl"), jsonl(20));
    QVERIFY(openStore(path)->importJsonl(input, QStringLiteral("text")).ok());

    QSqlDatabase writer
        = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("writer"));
    writer.setDatabaseName(path);
    QVERIFY(writer.open());
    {
        QSqlQuery query(writer);
        QVERIFY(query.exec(QStringLiteral("BEGIN IMMEDIATE")));
        QVERIFY(query.exec(QStringLiteral("UPDATE items SET attempts = 7 WHERE id = 1")));
    }
    QElapsedTimer clock;
    clock.start();
    {
        auto store = QueueStore::open(path);
        QVERIFY2(store.ok(), store.ok() ? "" : qPrintable(store.error().toString()));
        auto status = (*store)->status();
        QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().toString()));
        auto count = (*store)->count({});
        QVERIFY2(count.ok(), qPrintable(count.ok() ? QString() : count.error().toString()));
        QCOMPARE(*count, 20);
        QVERIFY((*store)->page(PageQuery {}).ok());
        auto first = (*store)->item(1);
        QVERIFY2(first.ok(), qPrintable(first.ok() ? QString() : first.error().toString()));
        QCOMPARE(first->attempts, 0);  // the uncommitted write is not seen
        QVERIFY((*store)->quickCheck().ok());
    }
    QVERIFY2(clock.elapsed() < 2000, qPrintable(QString::number(clock.elapsed())));
    {
        QSqlQuery query(writer);
        QVERIFY(query.exec(QStringLiteral("COMMIT")));
    }
    writer.close();
    writer = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("writer"));
    QCOMPARE(openStore(path)->item(1).value().attempts, 7);
}

// One lease at a time; claims keep items from a second picker; a lease whose heartbeat is older
// than the limit is taken over with its claims released, and its old holder learns it lost it.
void TestQueueStore::runLeaseAndClaims()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("queue.sqlite"));
    auto first = openStore(path);
    QVERIFY(first
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(20)),
                              QStringLiteral("text"))
                .ok());
    auto second = openStore(path);
    QVERIFY(!first->claimPending(5).ok());  // no lease, no claims

    auto taken = first->acquireRunLease();
    QVERIFY(taken.ok() && taken->acquired && !taken->takenOver);
    QCOMPARE(taken->holder.pid, QCoreApplication::applicationPid());
    QCOMPARE(taken->holder.host, QSysInfo::machineHostName());
    QVERIFY(first->holdsRunLease());
    QVERIFY(first->acquireRunLease().value().acquired);  // already ours

    auto refused = second->acquireRunLease();
    QVERIFY(refused.ok());
    QVERIFY(!refused->acquired);
    QVERIFY(!second->holdsRunLease());
    QCOMPARE(refused->holder.id, taken->holder.id);
    QCOMPARE(refused->holder.busyReason(),
             QStringLiteral("queue is being run by PID %1 on %2 since %3")
                 .arg(QCoreApplication::applicationPid())
                 .arg(QSysInfo::machineHostName(), taken->holder.startedAt));
    QCOMPARE(second->status().value()[QStringLiteral("run")][QStringLiteral("pid")].toInteger(),
             QCoreApplication::applicationPid());

    auto claimed = first->claimPending(5);
    QVERIFY(claimed.ok());
    QCOMPARE(claimed->size(), std::size_t(5));
    QCOMPARE(claimed->front().id, 1);
    // Still pending (claims are not a state), and skipped by the next pick.
    PageQuery pending;
    pending.state = ItemState::Pending;
    QCOMPARE(second->count(pending).value(), 20);
    QCOMPARE(first->claimPending(3).value().front().id, 6);  // 6, 7, 8 now claimed too
    QVERIFY(first->releaseClaim(2).ok());
    QVERIFY(first->recordAssessment(3, assessment(10)).ok());
    QVERIFY(first->recordError(4, QStringLiteral("refusal"), QStringLiteral("no"), 1).ok());
    QCOMPARE(first->claimPending(1, 8).value().front().id, 9);
    QCOMPARE(first->claimPending(1).value().front().id, 2);  // given back: free again

    // Stale by heartbeat (limit 0 ms): taken over, the claims of the old run released.
    QTest::qWait(5);
    QVERIFY(first->refreshRunLease().ok());
    QTest::qWait(5);
    auto takeover = second->acquireRunLease(0);
    QVERIFY(takeover.ok() && takeover->acquired);
    QVERIFY(takeover->takenOver && takeover->takenOver->id == taken->holder.id);
    QVERIFY2(takeover->takeoverReason.startsWith(QLatin1String("no heartbeat since")),
             qPrintable(takeover->takeoverReason));
    QCOMPARE(takeover->releasedClaims, 7);  // 1, 2, 5, 6, 7, 8, 9
    auto lost = first->refreshRunLease();
    QVERIFY(!lost.ok());
    QVERIFY2(lost.error().reason.contains(QLatin1String("lost its lease")),
             qPrintable(lost.error().reason));
    QVERIFY(!first->holdsRunLease());
    QVERIFY(!first->claimPending(1).ok());
    QCOMPARE(second->claimPending(100).value().size(), std::size_t(18));  // all but 3 and 4

    // Released with its claims: the next run finds everything pending and unclaimed.
    QVERIFY(second->releaseRunLease().ok());
    QVERIFY(!second->currentRunLease().value().has_value());
    auto again = first->acquireRunLease();
    QVERIFY(again.ok() && again->acquired && !again->takenOver);
    QCOMPARE(again->releasedClaims, 0);
    QCOMPARE(first->claimPending(100).value().size(), std::size_t(18));
    first.reset();  // the destructor releases the lease
    QVERIFY(!second->currentRunLease().value().has_value());
}

// A lease whose holder on this host no longer exists is stale at once, whatever its heartbeat.
void TestQueueStore::deadHoldersLeaseIsTakenOver()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("queue.sqlite"));
    auto store = openStore(path);
    QVERIFY(store
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(4)),
                              QStringLiteral("text"))
                .ok());
    QProcess gone;
    gone.start(QStringLiteral("true"), {});
    QVERIFY(gone.waitForStarted());
    const qint64 deadPid = gone.processId();
    QVERIFY(gone.waitForFinished());
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    QString failure;
    QVERIFY2(execRaw(path,
                     { QStringLiteral("INSERT INTO run_lease VALUES (1, 'dead-run', %1, '%2', "
                                      "'2024-05-01T12:00:00.000Z', 'now', %3)")
                           .arg(deadPid)
                           .arg(QSysInfo::machineHostName())
                           .arg(nowMs),
                       QStringLiteral("UPDATE items SET claimed_by = 'dead-run', claimed_at = "
                                      "'now' WHERE id <= 2") },
                     &failure),
             qPrintable(failure));
    auto taken = store->acquireRunLease();
    QVERIFY(taken.ok() && taken->acquired);
    QVERIFY(taken->takenOver && taken->takenOver->pid == deadPid);
    QCOMPARE(taken->takeoverReason, QStringLiteral("its process is gone"));
    QCOMPARE(taken->releasedClaims, 2);

    // A live holder on another host with a fresh heartbeat is not stale: only time tells there.
    QVERIFY(store->releaseRunLease().ok());
    QVERIFY(execRaw(path,
                    { QStringLiteral("INSERT INTO run_lease VALUES (1, 'remote', %1, "
                                     "'elsewhere.example', 'then', 'now', %2)")
                          .arg(deadPid)
                          .arg(QDateTime::currentMSecsSinceEpoch()) }));
    auto busy = store->acquireRunLease();
    QVERIFY(busy.ok() && !busy->acquired);
    QCOMPARE(busy->holder.host, QStringLiteral("elsewhere.example"));
}

#include "tst_queuestore.moc"
