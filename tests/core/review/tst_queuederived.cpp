// Decisions derived when read (schema 5): the one threshold rule in C++ and SQL, the names at
// the SQL boundary, exact counts for any candidate thresholds against a naive count, undoable
// batches, the migration of a schema 4 queue, --id-field ids, the export of derived "revise"
// decisions, and a run's writes beside threshold and batch changes on other threads.
#include "core/review/queuestore.h"
#include "tests/common/testdata.h"

#include <QFile>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <mutex>
#include <thread>

using namespace pcs;
using pcs::test::writeFile;

namespace {

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
    return record;
}

QByteArray jsonl(int count)
{
    QByteArray data;
    for (int i = 1; i <= count; ++i)
        data += "{\"id\":\"doc-" + QByteArray::number(i) + "\",\"text\":\"text "
            + QByteArray::number(i) + "\"}\n";
    return data;
}

// Every band tally recounted from the items through a second connection: the rows that
// disagree ("" when none). The histogram, score bands and scored bands, and fixed_bands.
QString bandTallyDifferences(const QString &path)
{
    QString differences;
    {
        QSqlDatabase raw
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("recount"));
        raw.setDatabaseName(path);
        if (!raw.open())
            return QStringLiteral("cannot open %1").arg(path);
        QSqlQuery query(raw);
        const QString band
            = QStringLiteral("(CAST(score AS INTEGER) - (score < CAST(score AS INTEGER)))");
        const QString derived
            = QStringLiteral("state = 'assessed' AND human_decision IS NULL AND score IS NOT NULL");
        const std::pair<QString, QString> pairs[] = {
            { QStringLiteral("SELECT score AS k, count(*) AS n FROM items WHERE %1 GROUP BY k")
                  .arg(derived),
              QStringLiteral("SELECT score AS k, items AS n FROM score_histogram") },
            { QStringLiteral("SELECT %1 AS k, count(*) AS n FROM items WHERE %2 GROUP BY k")
                  .arg(band, derived),
              QStringLiteral("SELECT band AS k, items AS n FROM score_bands") },
            { QStringLiteral("SELECT %1 AS k, count(*) AS n FROM items WHERE score IS NOT NULL "
                             "GROUP BY k")
                  .arg(band),
              QStringLiteral("SELECT band AS k, items AS n FROM scored_bands") },
            { QStringLiteral("SELECT coalesce(human_decision, '') || '/' || state || '/' || "
                             "(score IS NOT NULL) || '/' || coalesce(%1, 0) AS k, count(*) AS n "
                             "FROM items WHERE NOT (%2) GROUP BY k")
                  .arg(band, derived),
              QStringLiteral("SELECT decision || '/' || state || '/' || scored || '/' || band AS "
                             "k, items AS n FROM fixed_bands") },
        };
        for (const auto &[counted, kept] : pairs) {
            // Rows of zero items may stay in a tally: only the non-zero ones must agree.
            const QString sql = QStringLiteral("SELECT counted.k, counted.n, kept.n FROM (%1) AS "
                                               "counted FULL OUTER JOIN (SELECT * FROM (%2) "
                                               "WHERE n <> 0) AS kept USING (k) WHERE counted.n "
                                               "IS NOT kept.n")
                                    .arg(counted, kept);
            if (!query.exec(sql)) {
                differences += query.lastError().text() + QLatin1Char('\n');
                continue;
            }
            while (query.next())
                differences += QStringLiteral("%1: %2 counted, %3 kept\n")
                                   .arg(query.value(0).toString(), query.value(1).toString(),
                                        query.value(2).toString());
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("recount"));
    return differences;
}

// Counts by the definition: every item read back, its final decision from decide().
QueueCounts naiveCounts(QueueStore &store, const Thresholds &thresholds)
{
    QueueCounts counts;
    PageQuery all;
    all.sortBy = QueueSortColumn::Id;
    all.ascending = true;
    all.limit = 1000000;
    const auto items = store.page(all);  // held: the loop must not outlive the Result
    for (const QueueItem &item : items.value()) {
        ++counts.total;
        ++(item.state == ItemState::Pending        ? counts.pending
               : item.state == ItemState::Assessed ? counts.assessed
                                                   : counts.errors);
        std::optional<Decision> decision = item.humanDecision;
        if (decision)
            ++counts.humanDecided;
        else if (item.state == ItemState::Assessed)
            decision = decide(*item.score, thresholds);
        if (decision)
            ++(*decision == Decision::Keep         ? counts.keep
                   : *decision == Decision::Revise ? counts.revise
                                                   : counts.filter);
    }
    return counts;
}

// The final decision by the definition: the human one, else decide() on an assessed score.
std::optional<Decision> naiveFinal(const QueueItem &item, const Thresholds &thresholds)
{
    if (item.humanDecision)
        return item.humanDecision;
    if (item.state == ItemState::Assessed && item.score)
        return decide(*item.score, thresholds);
    return std::nullopt;
}

QString describe(const QueueCounts &c)
{
    return QStringLiteral("total %1 pending %2 assessed %3 errors %4 keep %5 revise %6 filter %7 "
                          "human %8")
        .arg(c.total)
        .arg(c.pending)
        .arg(c.assessed)
        .arg(c.errors)
        .arg(c.keep)
        .arg(c.revise)
        .arg(c.filter)
        .arg(c.humanDecided);
}

// A queue as schema 4 (the code before decisions were derived) wrote it, with the statements it
// ran: schema 1 and the steps to 4, as released.
const char *const kSchemaFourQueue[] = {
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
    "CREATE TABLE sources (path TEXT NOT NULL, sha256 TEXT NOT NULL, size_bytes INTEGER NOT "
    "NULL, imported_at TEXT NOT NULL, PRIMARY KEY (path, sha256))",
    "ALTER TABLE items ADD COLUMN claimed_by TEXT",
    "ALTER TABLE items ADD COLUMN claimed_at TEXT",
    "CREATE INDEX items_claimed ON items (claimed_by) WHERE claimed_by IS NOT NULL",
    "CREATE TABLE run_lease (id INTEGER PRIMARY KEY CHECK (id = 1), lease_id TEXT NOT NULL, pid "
    "INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL, heartbeat_at TEXT NOT NULL, "
    "heartbeat_ms INTEGER NOT NULL)",
    "ALTER TABLE items ADD COLUMN logprob_note TEXT",
    "CREATE INDEX items_logprob_note ON items (logprob_note) WHERE logprob_note IS NOT NULL",
    "ALTER TABLE items ADD COLUMN request_id TEXT",
    "ALTER TABLE items ADD COLUMN logprob_status TEXT",
    "CREATE TABLE schema_version (version INTEGER NOT NULL)",
    "INSERT INTO schema_version (version) VALUES (4)",
};

}  // namespace

class TestQueueDerived : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void namesRoundTrip();
    void ruleInSqlMatchesCpp();
    void countsForMatchNaiveCounts();
    void batchesUndoExactly();
    void migratesSchemaFour();
    void importKeepsSourceIds();
    void exportHoldsDerivedReviseWithoutRevision();
    void runWritesBesideThresholdAndBatchChanges();
    void importsKeepTalliesExact();
    void pagesMatchNaiveFilterAndOrder();
    void batchThenUndoKeepsEveryTally();
};

void TestQueueDerived::namesRoundTrip()
{
    for (const ItemState state : { ItemState::Pending, ItemState::Assessed, ItemState::Error })
        QCOMPARE(itemStateFromName(itemStateName(state)), std::optional(state));
    QCOMPARE(itemStateName(ItemState::Error), QStringLiteral("error"));
    QVERIFY(!itemStateFromName(QStringLiteral("done")));
    QVERIFY(!itemStateFromName(QString()));
    for (const Decision decision : { Decision::Keep, Decision::Revise, Decision::Filter })
        QCOMPARE(decisionFromName(decisionName(decision)), std::optional(decision));
    QCOMPARE(decisionText(std::nullopt), QString());
    QCOMPARE(decisionText(Decision::Revise), QStringLiteral("revise"));
    QVERIFY(!decisionFromName(QStringLiteral("none")));
}

// decide() and the SQL of autoDecisionSql() agree on every score, exact thresholds and their
// neighbours included, and a NULL score has no decision in SQL.
void TestQueueDerived::ruleInSqlMatchesCpp()
{
    const QString connection = QStringLiteral("rule");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(QStringLiteral(":memory:"));
        QVERIFY(db.open());
        const QString sql
            = autoDecisionSql(QStringLiteral("s"), QStringLiteral("f"), QStringLiteral("r"));
        QSqlQuery named(db);
        QVERIFY(named.prepare(
            QStringLiteral("SELECT %1 FROM (SELECT ? AS s, ? AS f, ? AS r)").arg(sql)));
        QRandomGenerator random(7);
        std::vector<Thresholds> pairs { { 80, 50 }, { 50, 50 },   { 100, 0 },
                                        { 0, 0 },   { 100, 100 }, { 33.3, 12.7 } };
        for (int i = 0; i < 40; ++i) {
            const double a = random.bounded(100.0), b = random.bounded(100.0);
            pairs.push_back({ std::max(a, b), std::min(a, b) });
        }
        int compared = 0;
        for (const Thresholds &thresholds : pairs) {
            std::vector<double> scores { -1, 0, 100, 101, 1e300, -1e300 };
            for (const double edge : { thresholds.filter, thresholds.revise }) {
                scores.push_back(edge);
                scores.push_back(std::nextafter(edge, -1e9));
                scores.push_back(std::nextafter(edge, 1e9));
            }
            for (int i = 0; i < 50; ++i)
                scores.push_back(random.bounded(100.0));
            for (int i = 0; i <= 100; ++i)
                scores.push_back(i);
            for (const double score : scores) {
                named.bindValue(0, score);
                named.bindValue(1, thresholds.filter);
                named.bindValue(2, thresholds.revise);
                QVERIFY2(named.exec() && named.next(), qPrintable(named.lastError().text()));
                const QString inSql = named.value(0).toString();
                QCOMPARE(inSql, decisionName(decide(score, thresholds)));
                // The range each decision owns holds the score exactly when decide() says so.
                for (const Decision decision :
                     { Decision::Keep, Decision::Revise, Decision::Filter })
                    QCOMPARE(autoDecisionRange(decision, thresholds).contains(score),
                             decide(score, thresholds) == decision);
                ++compared;
            }
            named.bindValue(0, QVariant());
            QVERIFY(named.exec() && named.next());
            QVERIFY(named.value(0).isNull());
        }
        QVERIFY(compared > 5000);
        // Equal to a threshold is the milder decision; NaN is never kept.
        QCOMPARE(decide(80, { 80, 50 }), Decision::Revise);
        QCOMPARE(decide(50, { 80, 50 }), Decision::Keep);
        QCOMPARE(decide(qQNaN(), { 80, 50 }), Decision::Filter);
    }
    QSqlDatabase::removeDatabase(connection);
}

// countsFor over random candidate thresholds (many of them equal to stored scores) equals the
// naive count, through assessments, re-assessments, failures, human decisions, batches and undo.
void TestQueueDerived::countsForMatchNaiveCounts()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    const int count = 1500;
    QVERIFY(store
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(count)),
                              QStringLiteral("text"))
                .ok());
    QRandomGenerator random(11);
    std::vector<double> used;
    const auto randomScore = [&] {
        switch (random.bounded(4)) {
        case 0:
            return double(random.bounded(101));  // integers: ties and exact threshold hits
        case 1:
            return random.bounded(10000) / 100.0;  // two decimals
        case 2:
            return random.bounded(100.0);  // any double
        default:
            return used.empty() ? 50.0 : used[std::size_t(random.bounded(int(used.size())))];
        }
    };
    for (int id = 1; id <= count; ++id) {
        const int roll = random.bounded(20);
        if (roll == 0) {
            QVERIFY(store->recordError(id, QStringLiteral("e"), QStringLiteral("m"), 1).ok());
        } else if (roll > 2) {
            const double score = randomScore();
            used.push_back(score);
            QVERIFY(store->recordAssessment(id, assessment(score)).ok());
            if (roll == 19)
                QVERIFY(store->setHumanDecision(id, Decision(random.bounded(3))).ok());
        }
    }
    // Scores outside 0-100 and re-assessments move items between bins.
    QVERIFY(store->recordAssessment(1, assessment(-3.5)).ok());
    QVERIFY(store->recordAssessment(2, assessment(250)).ok());
    for (int id = 3; id < 60; ++id)
        QVERIFY(store->recordAssessment(id, assessment(randomScore())).ok());
    QVERIFY(store->setHumanDecision(5, Decision::Filter).ok());
    QVERIFY(store->recordError(6, QStringLiteral("e"), QStringLiteral("m"), 2).ok());

    const auto checkMany = [&](int candidates) {
        for (int i = 0; i < candidates; ++i) {
            double a = randomScore(), b = randomScore();
            a = std::clamp(a, 0.0, 100.0);
            b = std::clamp(b, 0.0, 100.0);
            const Thresholds candidate { std::max(a, b), std::min(a, b) };
            const QueueCounts expected = naiveCounts(*store, candidate);
            const QueueCounts actual = store->countsFor(candidate).value();
            QVERIFY2(actual == expected,
                     qPrintable(QStringLiteral("filter %1 revise %2: %3, expected %4")
                                    .arg(candidate.filter, 0, 'g', 17)
                                    .arg(candidate.revise, 0, 'g', 17)
                                    .arg(describe(actual), describe(expected))));
        }
    };
    checkMany(60);
    QVERIFY(store->setThresholds(70, 30).ok());
    QCOMPARE(store->counts().value(), naiveCounts(*store, { 70, 30 }));

    // Batches and their undo keep the tallies exact.
    auto accepted = store->acceptBelow(40);
    QVERIFY(accepted.ok());
    QVERIFY(accepted->changed > 0);
    checkMany(10);
    auto filtered = store->filterAbove(90);
    QVERIFY(filtered.ok());
    checkMany(10);
    QVERIFY(store->undoDecisions(accepted->undoStep).ok());
    checkMany(10);
    QVERIFY(store->resetErrors().ok());
    checkMany(10);
    QVERIFY(store->undoDecisions(filtered->undoStep).ok());
    checkMany(10);

    // The stored tallies equal a count from scratch (what the migration builds).
    PageQuery assessedOnly;
    assessedOnly.state = ItemState::Assessed;
    assessedOnly.textSearch = QStringLiteral("text");  // forces the SQL count
    QCOMPARE(store->count(assessedOnly).value(), store->counts()->assessed);
    QVERIFY(!store->countsFor({ 40, 60 }).ok());  // revise above filter
    QVERIFY(!store->countsFor({ 101, 50 }).ok());
}

// acceptBelow / filterAbove change only undecided assessed items in range, in one step; the
// undo puts back every prior human decision, edited text and time exactly.
void TestQueueDerived::batchesUndoExactly()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(12)),
                              QStringLiteral("text"))
                .ok());
    for (int id = 1; id <= 10; ++id)
        QVERIFY(store->recordAssessment(id, assessment(id * 10)).ok());  // 10..100
    QVERIFY(store->setHumanDecision(2, Decision::Revise, QStringLiteral("edited")).ok());
    QVERIFY(store->setHumanDecision(9, Decision::Keep).ok());
    std::vector<QueueItem> before;
    for (int id = 1; id <= 12; ++id)
        before.push_back(store->item(id).value());

    auto accepted = store->acceptBelow(30);  // 10, 20 (human: untouched); 30 is not below
    QVERIFY(accepted.ok());
    QCOMPARE(accepted->changed, 1);
    QCOMPARE(store->item(1)->humanDecision, std::optional(Decision::Keep));
    QVERIFY(!store->item(1)->decidedAt.isEmpty());
    QCOMPARE(store->item(2)->humanDecision, std::optional(Decision::Revise));
    QVERIFY(!store->item(3)->humanDecision);

    auto filtered = store->filterAbove(80);  // 90 (human keep: untouched), 100
    QVERIFY(filtered.ok());
    QCOMPARE(filtered->changed, 1);
    QCOMPARE(store->item(10)->humanDecision, std::optional(Decision::Filter));
    QCOMPARE(store->item(9)->humanDecision, std::optional(Decision::Keep));
    QVERIFY(!store->item(8)->humanDecision);  // 80 is not above 80
    QVERIFY(!store->item(11)->humanDecision);  // pending: never

    // Nothing to change: no step.
    auto none = store->filterAbove(100);
    QVERIFY(none.ok());
    QCOMPARE(none->changed, 0);

    QVERIFY(store->undoDecisions(filtered->undoStep).ok());
    QVERIFY(store->undoDecisions(accepted->undoStep).ok());
    for (const QueueItem &was : before) {
        const QueueItem now = store->item(was.id).value();
        QCOMPARE(now.humanDecision, was.humanDecision);
        QCOMPARE(now.editedText, was.editedText);
        QCOMPARE(now.decidedAt, was.decidedAt);
    }
    QVERIFY(!store->undoDecisions(accepted->undoStep).ok());
    QVERIFY(!store->acceptBelow(qInf()).ok());

    // Clearing decisions through a filter is a batch too, and undone exactly.
    PageQuery human;
    human.decision = Decision::Keep;
    auto cleared = store->decideMatching(human, std::nullopt);
    QVERIFY(cleared.ok());
    QCOMPARE(cleared->changed, 1);  // item 9 (the auto keeps have no human decision to clear)
    QVERIFY(!store->item(9)->humanDecision);
    QVERIFY(store->undoDecisions(cleared->undoStep).ok());
    QCOMPARE(store->item(9)->humanDecision, std::optional(Decision::Keep));
    QCOMPARE(store->item(9)->decidedAt, before[8].decidedAt);
}

// A queue written by schema 4 (stored automatic decisions) opens as schema 5: every item, its
// human decision and edited text survive, the automatic decisions read back as the stored ones,
// the tallies count it, and the thresholds now change by one row.
void TestQueueDerived::migratesSchemaFour()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("four.sqlite"));
    struct OldItem {
        const char *state;
        QVariant score;
        const char *autoDecision;
        const char *humanDecision;
        const char *editedText;
    };
    // Thresholds 70/40 (as stored by schema 4).
    const std::vector<OldItem> old {
        { "pending", {}, nullptr, nullptr, nullptr },
        { "assessed", 75.0, "filter", nullptr, nullptr },
        { "assessed", 70.0, "revise", nullptr, nullptr },
        { "assessed", 40.0, "keep", "filter", nullptr },
        { "assessed", 55.5, "revise", "revise", "my text" },
        { "error", {}, nullptr, "keep", nullptr },
        { "assessed", 0.0, "keep", nullptr, nullptr },
    };
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("four"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        for (const char *statement : kSchemaFourQueue)
            QVERIFY2(query.exec(QString::fromUtf8(statement)), statement);
        QVERIFY(query.prepare(QStringLiteral(
            "INSERT INTO items (source_file, source_sha256, source_line, record, text, state, "
            "score, auto_decision, human_decision, edited_text, decided_at, created_at) VALUES "
            "('/data/old.jsonl', 'abc', ?, ?, ?, ?, ?, ?, ?, ?, ?, '2024-05-01T12:00:00.000Z')")));
        for (std::size_t i = 0; i < old.size(); ++i) {
            const QString text = QStringLiteral("text %1").arg(i + 1);
            query.addBindValue(qint64(i + 1));
            query.addBindValue(QStringLiteral("{\"text\":\"%1\"}").arg(text));
            query.addBindValue(text);
            query.addBindValue(QString::fromLatin1(old[i].state));
            query.addBindValue(old[i].score);
            const auto nullable = [](const char *value) {
                return value ? QVariant(QString::fromLatin1(value)) : QVariant();
            };
            query.addBindValue(nullable(old[i].autoDecision));
            query.addBindValue(nullable(old[i].humanDecision));
            query.addBindValue(nullable(old[i].editedText));
            query.addBindValue(old[i].humanDecision
                                   ? QVariant(QStringLiteral("2024-05-02T00:00:00.000Z"))
                                   : QVariant());
            QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("four"));

    auto store = openStore(path);
    QCOMPARE(store->count({}).value(), qint64(old.size()));
    for (std::size_t i = 0; i < old.size(); ++i) {
        const QueueItem item = store->item(qint64(i + 1)).value();
        QCOMPARE(itemStateName(item.state), QString::fromLatin1(old[i].state));
        QCOMPARE(item.text, QStringLiteral("text %1").arg(i + 1));
        QCOMPARE(item.score.has_value(), !old[i].score.isNull());
        QCOMPARE(decisionText(item.autoDecision), QString::fromLatin1(old[i].autoDecision));
        QCOMPARE(decisionText(item.humanDecision), QString::fromLatin1(old[i].humanDecision));
        QCOMPARE(item.editedText, QString::fromLatin1(old[i].editedText));
        QCOMPARE(item.sourceId, QString::number(i + 1));  // none stored: the internal id
    }
    QCOMPARE(store->counts().value(), naiveCounts(*store, { 70, 40 }));
    QCOMPARE(store->counts()->humanDecided, 3);
    QCOMPARE(store->counts()->filter, 2);  // 75 auto, 40 human
    // Derived: lowering the thresholds changes the automatic decisions without a rewrite.
    QVERIFY(store->setThresholds(50, 10).ok());
    QCOMPARE(store->item(3)->autoDecision, std::optional(Decision::Filter));
    QCOMPARE(store->counts().value(), naiveCounts(*store, { 50, 10 }));
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("four-check"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT max(version) FROM schema_version"))
                && query.next());
        QCOMPARE(query.value(0).toInt(), QueueStore::kSchemaVersion);
        // The automatic decision is no longer a column.
        QVERIFY(!query.exec(QStringLiteral("SELECT auto_decision FROM items")));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("four-check"));
}

void TestQueueDerived::importKeepsSourceIds()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    const QString input = writeFile(dir, QStringLiteral("ids.jsonl"),
                                    "{\"uid\":\"a-1\",\"text\":\"one\"}\n"
                                    "{\"uid\":12345678901234567890,\"text\":\"two\"}\n"
                                    "{\"text\":\"three\"}\n"
                                    "{\"uid\":{\"nested\":1},\"text\":\"four\"}\n"
                                    "{\"uid\":\"\\u00e9t\\u00e9\",\"text\":\"five\"}\n");
    auto imported = store->importJsonl(input, QStringLiteral("text"), TaskControl::none(),
                                       QStringLiteral("uid"));
    QVERIFY(imported.ok());
    QCOMPARE(imported->imported, 5);
    QCOMPARE(store->item(1)->sourceId, QStringLiteral("a-1"));
    QCOMPARE(store->item(2)->sourceId, QStringLiteral("12345678901234567890"));  // JSON text
    QCOMPARE(store->item(3)->sourceId, QStringLiteral("3"));  // none: the internal id
    QCOMPARE(store->item(4)->sourceId, QStringLiteral("4"));  // not a string or number
    QCOMPARE(store->item(5)->sourceId, QStringLiteral("été"));
    PageQuery all;
    all.sortBy = QueueSortColumn::Id;
    all.ascending = true;
    QCOMPARE(store->page(all)->front().sourceId, QStringLiteral("a-1"));
}

// A "revise" that comes from lowering the thresholds after the run (so no revision was asked
// for) is held back by default, listed by its own id, and never curated silently.
void TestQueueDerived::exportHoldsDerivedReviseWithoutRevision()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(4)),
                              QStringLiteral("text"), TaskControl::none(), QStringLiteral("id"))
                .ok());
    for (int id = 1; id <= 4; ++id)
        QVERIFY(store->recordAssessment(id, assessment(id * 20 - 5)).ok());  // 15 35 55 75
    QVERIFY(store->recordRevision(3, QStringLiteral("better three"), 20.0).ok());
    const QString curated = dir.filePath(QStringLiteral("curated.jsonl"));
    auto before = store->exportCurated(curated, {}, {}, QStringLiteral("text"));
    QVERIFY(before.ok());
    QCOMPARE(before->curated, 4 - 1);  // 75 revise without revision: held
    QCOMPARE(before->held, 1);

    QVERIFY(store->setThresholds(80, 30).ok());  // 35 becomes revise, without a revision
    auto summary = store->exportCurated(curated, {}, {}, QStringLiteral("text"));
    QVERIFY(summary.ok());
    QCOMPARE(summary->reviseMissing, 2);
    QCOMPARE(summary->held, 2);
    QCOMPARE(summary->reviseMissingSourceIds,
             (QStringList { QStringLiteral("doc-2"), QStringLiteral("doc-4") }));
    QFile file(curated);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll();
    QVERIFY(written.contains("\"text 1\""));
    QVERIFY(written.contains("better three"));
    QVERIFY(!written.contains("\"text 2\""));
    QVERIFY(!written.contains("\"text 4\""));
    // Asked for, they go where the policy says.
    auto dropped = store->exportCurated(curated, dir.filePath(QStringLiteral("dropped.jsonl")), {},
                                        QStringLiteral("text"), ReviseMissingPolicy::Drop);
    QVERIFY(dropped.ok());
    QCOMPARE(dropped->dropped, 2);
    QCOMPARE(dropped->held, 0);
}

// One thread records assessments as a run does while another changes the thresholds and applies
// and undoes batches, each on its own connection: nothing fails, nothing is lost.
void TestQueueDerived::runWritesBesideThresholdAndBatchChanges()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("queue.sqlite"));
    const int count = 3000;
    {
        auto store = openStore(path);
        QVERIFY(store
                    ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(count)),
                                  QStringLiteral("text"))
                    .ok());
    }
    std::atomic<bool> writerDone { false };
    std::atomic<int> writerFailures { 0 }, otherFailures { 0 }, otherActions { 0 };
    QStringList problems;
    std::mutex problemsMutex;
    const auto report = [&](const Error &error) {
        std::lock_guard lock(problemsMutex);
        problems << error.toString();
    };
    std::thread writer([&] {
        auto opened = QueueStore::open(path);
        if (!opened) {
            ++writerFailures;
            report(opened.error());
        } else {
            for (int id = 1; id <= count; ++id) {
                if (Status recorded = (*opened)->recordAssessment(id, assessment(id % 101));
                    !recorded) {
                    ++writerFailures;
                    report(recorded.error());
                }
            }
        }
        writerDone = true;
    });
    std::thread other([&] {
        auto opened = QueueStore::open(path);
        if (!opened) {
            ++otherFailures;
            report(opened.error());
            return;
        }
        QueueStore &store = **opened;
        QRandomGenerator random(3);
        while (!writerDone || otherActions < 20) {
            const double revise = random.bounded(50), filter = 50 + random.bounded(50);
            if (Status set = store.setThresholds(filter, revise); !set) {
                ++otherFailures;
                report(set.error());
            }
            auto batch = random.bounded(2) ? store.acceptBelow(revise) : store.filterAbove(filter);
            if (!batch) {
                ++otherFailures;
                report(batch.error());
            } else if (batch->changed > 0) {
                if (Status undone = store.undoDecisions(batch->undoStep); !undone) {
                    ++otherFailures;
                    report(undone.error());
                }
            }
            if (auto counts = store.countsFor({ filter, revise }); !counts) {
                ++otherFailures;
                report(counts.error());
            }
            ++otherActions;
        }
    });
    writer.join();
    other.join();
    QVERIFY2(writerFailures == 0 && otherFailures == 0,
             qPrintable(problems.mid(0, 5).join(QLatin1Char('\n'))));
    QVERIFY(otherActions >= 20);

    auto store = openStore(path);
    const Thresholds thresholds = store->thresholds().value();
    QCOMPARE(store->counts().value(), naiveCounts(*store, thresholds));
    QCOMPARE(store->counts()->assessed, count);
    QCOMPARE(store->counts()->humanDecided, 0);  // every batch was undone
    for (int id = 1; id <= count; id += 97)
        QCOMPARE(store->item(id)->score, std::optional(double(id % 101)));
}

// Tallies are exact after imports that add items beside assessed, failed and decided ones, and
// after a re-import that adds nothing: counts, candidate counts and the index check agree with
// the items.
void TestQueueDerived::importsKeepTalliesExact()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    const QString first = writeFile(dir, QStringLiteral("a.jsonl"), jsonl(400));
    QVERIFY(store->importJsonl(first, QStringLiteral("text")).ok());
    QRandomGenerator random(3);
    for (int id = 1; id <= 400; ++id) {
        const int roll = random.bounded(10);
        if (roll < 6)
            QVERIFY(store->recordAssessment(id, assessment(random.bounded(101))).ok());
        else if (roll == 6)
            QVERIFY(store->recordError(id, QStringLiteral("e"), QStringLiteral("m"), 1).ok());
        if (roll == 0 || roll == 9)  // decided: assessed ones and pending ones
            QVERIFY(store->setHumanDecision(id, Decision(random.bounded(3))).ok());
    }
    QByteArray more;
    for (int i = 0; i < 700; ++i)
        more += "{\"text\":\"second " + QByteArray::number(i) + "\"}\n";
    more += "not json\n";
    const QString second = writeFile(dir, QStringLiteral("b.jsonl"), more);
    auto imported = store->importJsonl(second, QStringLiteral("text"));
    QVERIFY(imported.ok());
    QCOMPARE(imported->imported, 700);
    QCOMPARE(imported->malformed, 1);
    auto again = store->importJsonl(first, QStringLiteral("text"));
    QVERIFY(again.ok());
    QCOMPARE(again->imported, 0);
    QCOMPARE(again->duplicates, 400);

    const Thresholds current = store->thresholds().value();
    const QueueCounts expected = naiveCounts(*store, current);
    QCOMPARE(expected.total, 1100);
    QVERIFY2(store->counts().value() == expected,
             qPrintable(describe(store->counts().value()) + QStringLiteral(" vs ")
                        + describe(expected)));
    for (const Thresholds candidate : { Thresholds { 90, 10 }, Thresholds { 50, 50 },
                                        Thresholds { 100, 0 }, Thresholds { 33.3, 12.5 } })
        QVERIFY(store->countsFor(candidate).value() == naiveCounts(*store, candidate));
    QVERIFY(store->checkTallies().ok());
    // The status report counts the same, and its automatic decisions include decided items.
    const QJsonObject status = store->status().value();
    QCOMPARE(status.value(QStringLiteral("items")).toInteger(), 1100);
    QCOMPARE(status.value(QStringLiteral("states"))
                 .toObject()
                 .value(QStringLiteral("pending"))
                 .toInteger(),
             expected.pending);
    qint64 autoTotal = 0, assessedScored = 0;
    for (const QString &name :
         { QStringLiteral("keep"), QStringLiteral("revise"), QStringLiteral("filter") })
        autoTotal
            += status.value(QStringLiteral("auto_decisions")).toObject().value(name).toInteger();
    PageQuery assessed;
    assessed.state = ItemState::Assessed;
    assessedScored = store->count(assessed).value();
    QCOMPARE(autoTotal, assessedScored);
    QCOMPARE(status.value(QStringLiteral("final_decisions"))
                 .toObject()
                 .value(QStringLiteral("keep"))
                 .toInteger(),
             expected.keep);
}

// Every page the queue panel can ask for: each sort both ways, filtered by final decision (none
// included), state, both, undecided only and a score range; read at many offsets and by keyset
// from the first page on, against the items filtered and sorted by the definitions.
void TestQueueDerived::pagesMatchNaiveFilterAndOrder()
{
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("queue.sqlite")));
    const int count = 1300;  // beyond QueueStore::kBandSkipOffset: deep score pages skip by band
    QVERIFY(store
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(count)),
                              QStringLiteral("text"))
                .ok());
    QVERIFY(store->setThresholds(70, 40).ok());
    QRandomGenerator random(17);
    for (int id = 1; id <= count; ++id) {
        const int roll = random.bounded(12);
        // Integers hit the thresholds exactly; ties make the id order matter.
        const double score
            = random.bounded(3) == 0 ? random.bounded(100.0) : double(random.bounded(15) * 7);
        if (roll < 8 || roll == 11)
            QVERIFY(store->recordAssessment(id, assessment(score)).ok());
        else if (roll == 8)
            QVERIFY(store->recordError(id, QStringLiteral("e"), QStringLiteral("m"), 1).ok());
        if (roll == 1 || roll == 8 || roll == 10)  // decided: assessed, failed and pending items
            QVERIFY(store->setHumanDecision(id, Decision(random.bounded(3))).ok());
    }
    const Thresholds thresholds = store->thresholds().value();
    std::vector<QueueItem> all;
    for (int id = 1; id <= count; ++id)
        all.push_back(store->item(id).value());

    struct Filter {
        const char *name;
        std::function<void(PageQuery &)> apply;
    };
    const std::vector<Filter> filters = {
        { "all", [](PageQuery &) {} },
        { "keep", [](PageQuery &q) { q.decision = Decision::Keep; } },
        { "revise", [](PageQuery &q) { q.decision = Decision::Revise; } },
        { "filter", [](PageQuery &q) { q.decision = Decision::Filter; } },
        { "no decision", [](PageQuery &q) { q.withoutDecision = true; } },
        { "assessed", [](PageQuery &q) { q.state = ItemState::Assessed; } },
        { "pending", [](PageQuery &q) { q.state = ItemState::Pending; } },
        { "error keep",
          [](PageQuery &q) {
              q.state = ItemState::Error;
              q.decision = Decision::Keep;
          } },
        { "assessed revise",
          [](PageQuery &q) {
              q.state = ItemState::Assessed;
              q.decision = Decision::Revise;
          } },
        { "undecided filter",
          [](PageQuery &q) {
              q.withoutHumanDecision = true;
              q.decision = Decision::Filter;
          } },
        { "keep in 10-60",
          [](PageQuery &q) {
              q.decision = Decision::Keep;
              q.scores = ScoreRange { 10.0, true, 60.0, false };
          } },
    };
    const auto matches = [&](const QueueItem &item, const PageQuery &q) {
        const std::optional<Decision> final = naiveFinal(item, thresholds);
        if (q.state && item.state != *q.state)
            return false;
        if (q.withoutDecision ? final.has_value() : (q.decision && final != q.decision))
            return false;
        if (q.withoutHumanDecision && item.humanDecision)
            return false;
        if (!q.scores.isUnbounded() && !(item.score && q.scores.contains(*item.score)))
            return false;
        return true;
    };
    // Sort keys as SQL orders them: NULL smallest, names as text.
    const auto less = [&](const QueueItem &a, const QueueItem &b, const PageQuery &q) {
        const auto keyOf = [&](const QueueItem &item) -> std::optional<QVariant> {
            switch (q.sortBy) {
            case QueueSortColumn::Score:
                return item.score ? std::optional(QVariant(*item.score)) : std::nullopt;
            case QueueSortColumn::State:
                return QVariant(itemStateName(item.state));
            case QueueSortColumn::Decision: {
                const auto final = naiveFinal(item, thresholds);
                return final ? std::optional(QVariant(decisionName(*final))) : std::nullopt;
            }
            case QueueSortColumn::Id:
                return std::nullopt;
            }
            return std::nullopt;
        };
        const auto ka = keyOf(a), kb = keyOf(b);
        const auto compare = [&]() -> int {
            if (q.sortBy == QueueSortColumn::Id || (!ka && !kb))
                return 0;
            if (!ka || !kb)
                return !ka ? -1 : 1;
            const QPartialOrdering order = QVariant::compare(*ka, *kb);
            return order == QPartialOrdering::Less   ? -1
                : order == QPartialOrdering::Greater ? 1
                                                     : 0;
        };
        const int byKey = compare();
        const int c = byKey != 0 ? byKey : (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
        return q.ascending ? c < 0 : c > 0;
    };
    const auto ids = [](const std::vector<QueueItem> &items) {
        QList<qint64> list;
        for (const QueueItem &item : items)
            list << item.id;
        return list;
    };
    int checkedPages = 0;
    for (const QueueSortColumn sort : { QueueSortColumn::Score, QueueSortColumn::Id,
                                        QueueSortColumn::State, QueueSortColumn::Decision }) {
        for (const bool ascending : { true, false }) {
            for (const Filter &filter : filters) {
                PageQuery query;
                query.sortBy = sort;
                query.ascending = ascending;
                filter.apply(query);
                std::vector<QueueItem> expected;
                for (const QueueItem &item : all)
                    if (matches(item, query))
                        expected.push_back(item);
                std::sort(
                    expected.begin(), expected.end(),
                    [&](const QueueItem &a, const QueueItem &b) { return less(a, b, query); });
                const QString where = QStringLiteral("sort %1 %2, %3")
                                          .arg(int(sort))
                                          .arg(ascending ? "asc" : "desc")
                                          .arg(QLatin1String(filter.name));
                QCOMPARE(store->count(query).value(), qint64(expected.size()));
                for (const qint64 offset : { 0, 1, 37, 211, 999, 1000, 1001, 1060, 1075, 1090, 1170,
                                             1290, int(expected.size()) - 5 }) {
                    query.offset = std::max<qint64>(0, offset);
                    query.limit = 23;
                    const auto page = store->page(query);
                    QVERIFY2(page.ok(), qPrintable(where));
                    std::vector<QueueItem> slice;
                    for (qint64 i = query.offset;
                         i < std::min<qint64>(qint64(expected.size()), query.offset + 23); ++i)
                        slice.push_back(expected[std::size_t(i)]);
                    QVERIFY2(ids(*page) == ids(slice),
                             qPrintable(where + QStringLiteral(" offset %1").arg(query.offset)));
                    ++checkedPages;
                }
                // Keyset: the first page, then pageAfter to the end.
                query.offset = 0;
                query.limit = 31;
                std::vector<QueueItem> walked = store->page(query).value();
                while (!walked.empty()) {
                    const auto next = store->pageAfter(query, walked.back());
                    QVERIFY2(next.ok(), qPrintable(where));
                    if (next->empty())
                        break;
                    QVERIFY2(walked.size() <= expected.size(), qPrintable(where));
                    walked.insert(walked.end(), next->begin(), next->end());
                }
                QVERIFY2(ids(walked) == ids(expected),
                         qPrintable(where + QStringLiteral(" keyset")));
            }
        }
    }
    QVERIFY(checkedPages > 800);
    static_assert(QueueStore::kBandSkipOffset <= 1000);
}

// A batch over every assessed item and its undo (one step each): afterwards checkTallies()
// agrees, the counts equal a naive recount, every band tally equals a recount from the items,
// and a page deep in a filtered score order still starts where the naive order does.
void TestQueueDerived::batchThenUndoKeepsEveryTally()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("queue.sqlite"));
    auto store = openStore(path);
    const int count = 1800;
    QVERIFY(store
                ->importJsonl(writeFile(dir, QStringLiteral("a.jsonl"), jsonl(count)),
                              QStringLiteral("text"))
                .ok());
    QRandomGenerator random(29);
    for (int id = 1; id <= count; ++id) {
        const int roll = random.bounded(10);
        if (roll < 7)
            QVERIFY(store->recordAssessment(id, assessment(random.bounded(10000) / 100.0)).ok());
        else if (roll == 7)
            QVERIFY(store->recordError(id, QStringLiteral("e"), QStringLiteral("m"), 1).ok());
        if (roll == 0 || roll == 7 || roll == 9)  // decided: assessed, failed and pending items
            QVERIFY(store->setHumanDecision(id, Decision(random.bounded(3))).ok());
    }
    const Thresholds thresholds = store->thresholds().value();
    const auto everythingAgrees = [&](const char *when) {
        const Status checked = store->checkTallies();
        QVERIFY2(checked.ok(), checked.ok() ? when : qPrintable(checked.error().toString()));
        const QueueCounts expected = naiveCounts(*store, thresholds);
        QVERIFY2(store->counts().value() == expected,
                 qPrintable(QLatin1String(when) + QStringLiteral(": ")
                            + describe(store->counts().value()) + QStringLiteral(" vs ")
                            + describe(expected)));
        const QString differences = bandTallyDifferences(path);
        QVERIFY2(differences.isEmpty(),
                 qPrintable(QLatin1String(when) + QStringLiteral(": ") + differences));
        // The last pages of the assessed items and of the "keep" items by score (from the
        // bands, deep enough for the assessed ones), against the naive order.
        for (const bool byState : { true, false }) {
            PageQuery query;
            query.sortBy = QueueSortColumn::Score;
            if (byState)
                query.state = ItemState::Assessed;
            else
                query.decision = Decision::Keep;
            std::vector<QueueItem> ordered;
            for (int id = 1; id <= count; ++id) {
                const QueueItem item = store->item(id).value();
                if (byState ? item.state == ItemState::Assessed
                            : naiveFinal(item, thresholds) == Decision::Keep)
                    ordered.push_back(item);
            }
            // Descending: the highest score first, ties by the highest id; no score last.
            std::sort(ordered.begin(), ordered.end(), [](const QueueItem &a, const QueueItem &b) {
                return a.score != b.score ? a.score > b.score : a.id > b.id;
            });
            query.offset = std::max<qint64>(0, qint64(ordered.size()) - 40);
            query.limit = 40;
            if (byState)
                QVERIFY(query.offset >= QueueStore::kBandSkipOffset);
            const std::vector<QueueItem> page = store->page(query).value();
            QCOMPARE(page.size(), std::min<std::size_t>(40, ordered.size()));
            for (std::size_t i = 0; i < page.size(); ++i)
                QCOMPARE(page[i].id, ordered[std::size_t(query.offset) + i].id);
        }
    };
    everythingAgrees("before");

    const auto all = store->acceptBelow(101);
    QVERIFY(all.ok());
    QVERIFY(all->changed > 900);
    everythingAgrees("after the batch");
    QVERIFY(store->undoDecisions(all->undoStep).ok());
    everythingAgrees("after its undo");
    const auto filtered = store->filterAbove(50);
    QVERIFY(filtered.ok());
    everythingAgrees("after filterAbove");
    PageQuery anyKeep;
    anyKeep.decision = Decision::Keep;
    const auto cleared = store->decideMatching(anyKeep, std::nullopt);
    QVERIFY(cleared.ok());
    everythingAgrees("after clearing");
    QVERIFY(store->undoDecisions(cleared->undoStep).ok());
    QVERIFY(store->undoDecisions(filtered->undoStep).ok());
    everythingAgrees("after both undos");
}

QTEST_GUILESS_MAIN(TestQueueDerived)
#include "tst_queuederived.moc"
