// ReviewRunner in-process against the scripted OpenAI-compatible server: runs, one-off reassess
// and revise, "try on this text", errors, a fatal pause, cancel and the concurrency limit, each
// checked in the records the store keeps; and ReviewProject's settings, saved by one caller and
// read by another (the CLI's path and the app's session).
#include "core/review/queuestore.h"
#include "core/review/reviewproject.h"
#include "core/review/reviewrunner.h"
#include "core/workspace/reviewsession.h"
#include "tests/common/fakeopenaiserver.h"
#include "tests/common/testdata.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace pcs;
using pcs::test::FakeOpenAiServer;
using pcs::test::writeFile;

namespace {

Criteria criteria()
{
    auto loaded = Criteria::load(
        QStringLiteral(PCSTUDIO_SOURCE_DIR "/resources/criteria/deceptive-content.json"));
    if (!loaded)
        qFatal("criteria: %s", qPrintable(loaded.error().toString()));
    return std::move(loaded).value();
}

// One record per text, ids from 1.
QByteArray jsonl(const QStringList &texts)
{
    QByteArray data;
    for (qsizetype i = 0; i < texts.size(); ++i)
        data += QJsonDocument(QJsonObject { { QStringLiteral("id"), int(i + 1) },
                                            { QStringLiteral("text"), texts.at(i) } })
                    .toJson(QJsonDocument::Compact)
            + '\n';
    return data;
}

QStringList numbered(int count, const std::function<QString(int)> &marker)
{
    QStringList texts;
    for (int i = 1; i <= count; ++i)
        texts << QStringLiteral("document %1 %2").arg(i).arg(marker(i));
    return texts;
}

// A rule assessor scoring 90 for "phishing" (and nothing else).
std::shared_ptr<const RuleAssessor> phishingRule()
{
    auto rules = RuleAssessor::create({ ScoringRule { QStringLiteral("phishing"), false, 90 } });
    if (!rules)
        qFatal("rules: %s", qPrintable(rules.error().toString()));
    return std::make_shared<const RuleAssessor>(std::move(rules).value());
}

}  // namespace

class TestReviewRunner : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void runRecordsEveryItemWithinTheConcurrencyLimit();
    void runCombinesLocalScoresAndReassessUsesTheSameCombination();
    void localOnlyRunSendsNothing();
    void runRevisesAndReassessesTheRewrites();
    void oneOffReassessAndRevise();
    void oneOffFailuresAreRecordedOrReported();
    void tryTextRecordsNothing();
    void fatalFailurePausesTheRunAfterOneRequest();
    void stopLeavesTheRestPendingForTheNextRun();

    void projectSettingsRoundTrip();
    void projectSavedByTheCliPathOpensInTheSession();
    void projectSavedByTheSessionIsWhatTheCliPathReads();
    void projectSettingsRejectWrongTypes();

private:
    // A queue with these texts, and a client for the server.
    void makeQueue(const QStringList &texts, int concurrency = 4);
    // Runs to the end; the summary.
    ReviewRunSummary runToEnd(ReviewRunner &runner);
    ReviewRunOptions llmOnly() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeOpenAiServer> m_server;
    std::unique_ptr<QueueStore> m_store;
    std::unique_ptr<LlmClient> m_client;
};

void TestReviewRunner::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<FakeOpenAiServer>();
    QVERIFY(m_server->listen());
}

void TestReviewRunner::cleanup()
{
    m_client.reset();
    m_store.reset();
    m_server.reset();
    m_dir.reset();
}

void TestReviewRunner::makeQueue(const QStringList &texts, int concurrency)
{
    auto store = QueueStore::open(m_dir->filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store.ok());
    m_store = std::move(store).value();
    const QString input = writeFile(*m_dir, QStringLiteral("in.jsonl"), jsonl(texts));
    auto imported = m_store->importJsonl(input, QStringLiteral("text"));
    QVERIFY(imported.ok());
    QCOMPARE(imported->imported, texts.size());
    ClientLimits limits;
    limits.concurrency = concurrency;
    limits.initialBackoffMs = 10;
    m_client = std::make_unique<LlmClient>(
        LlmEndpoint { m_server->url(), QStringLiteral("fake-model"), QString() }, limits);
}

ReviewRunOptions TestReviewRunner::llmOnly() const
{
    ReviewRunOptions options;
    options.withLogprobs = false;
    return options;
}

ReviewRunSummary TestReviewRunner::runToEnd(ReviewRunner &runner)
{
    auto lease = m_store->acquireRunLease();
    if (!lease || !lease->acquired)
        qFatal("no run lease");
    QSignalSpy finished(&runner, &ReviewRunner::finished);
    QSignalSpy failed(&runner, &ReviewRunner::failed);
    runner.start();
    if (finished.isEmpty() && failed.isEmpty())
        finished.wait(20000);
    if (!failed.isEmpty())
        qFatal("run failed: %s", qPrintable(failed.first().first().value<Error>().toString()));
    if (finished.isEmpty())
        qFatal("run did not finish");
    return finished.first().first().value<ReviewRunSummary>();
}

// 30 items, three of them failing in different ways: every item ends assessed or in the error
// state with its reason, the progress struct counts them, and never more than the configured
// requests are in flight at once.
void TestReviewRunner::runRecordsEveryItemWithinTheConcurrencyLimit()
{
    m_server->setBaseLatencyMs(20);
    makeQueue(numbered(30,
                       [](int i) {
                           if (i == 4)
                               return QStringLiteral("[[refusal]]");
                           if (i == 9)
                               return QStringLiteral("[[truncated]]");
                           if (i == 15)
                               return QStringLiteral("[[range]]");
                           return QStringLiteral("[[score=%1]]").arg(i * 3);
                       }),
              3);
    ReviewRunner runner(*m_store, *m_client, criteria(), llmOnly());
    QSignalSpy recorded(&runner, &ReviewRunner::itemRecorded);
    QSignalSpy progress(&runner, &ReviewRunner::progress);
    const ReviewRunSummary summary = runToEnd(runner);

    QCOMPARE(summary.assessed, 27);
    QCOMPARE(summary.errors, 3);
    QCOMPARE(summary.errorCodes.value(QStringLiteral("refusal")), 1);
    QCOMPARE(summary.errorCodes.value(QStringLiteral("truncated")), 1);
    QCOMPARE(summary.errorCodes.value(QStringLiteral("out_of_range")), 1);
    QVERIFY(!summary.canceled && !summary.paused);
    QVERIFY(m_server->maxConcurrent() <= 3);
    QVERIFY(m_server->maxConcurrent() >= 2);  // after the first answer, more than one at once
    QCOMPARE(m_server->totalRequests(), 30);

    QCOMPARE(recorded.size(), 30);
    QList<qint64> ids;
    for (const QList<QVariant> &signal : std::as_const(recorded))
        ids << signal.at(0).toLongLong();
    std::sort(ids.begin(), ids.end());
    for (qint64 id = 1; id <= 30; ++id)
        QCOMPARE(ids.at(id - 1), id);

    const auto last = progress.last().first().value<RunProgress>();
    QCOMPARE(last.done, 30);
    QCOMPARE(last.total, 30);
    QCOMPARE(last.errors, 3);
    QVERIFY(last.promptTokens > 0);
    QVERIFY(last.completionTokens > 0);
    QVERIFY(last.itemsPerSecond > 0);
    QCOMPARE(progress.first().first().value<RunProgress>().done, 0);

    for (qint64 id = 1; id <= 30; ++id) {
        const QueueItem item = *m_store->item(id);
        if (id == 4 || id == 9 || id == 15) {
            QCOMPARE(item.state, ItemState::Error);
            QVERIFY(!item.score);
            continue;
        }
        QCOMPARE(item.state, ItemState::Assessed);
        QCOMPARE(*item.score, double(id * 3));
        QCOMPARE(*item.llmScore, double(id * 3));
        QCOMPARE(item.logprobStatus, QStringLiteral("not_requested"));
        QVERIFY(item.requestId.startsWith(QStringLiteral("req_fake_")));
    }
    QCOMPARE(m_store->item(4)->errorCode, QStringLiteral("refusal"));
    QCOMPARE(m_store->item(15)->errorCode, QStringLiteral("out_of_range"));
    QVERIFY(!m_store->holdsRunLease());  // released at the end
}

// The rule score is recorded beside the LLM's and the maximum decides; a one-off reassessment
// of the same item combines the same way (it used to record the LLM's score alone).
void TestReviewRunner::runCombinesLocalScoresAndReassessUsesTheSameCombination()
{
    makeQueue({ QStringLiteral("a phishing text [[score=10]]"),
                QStringLiteral("a calm text [[score=30]]") });
    ReviewRunOptions options = llmOnly();
    options.rules = phishingRule();
    options.combination.mode = ScoreCombination::Mode::Max;
    ReviewRunner runner(*m_store, *m_client, criteria(), options);
    runToEnd(runner);
    QueueItem phishing = *m_store->item(1);
    QCOMPARE(*phishing.llmScore, 10.0);
    QCOMPARE(*phishing.ruleScore, 90.0);
    QCOMPARE(*phishing.score, 90.0);
    QCOMPARE(phishing.autoDecision, std::optional(Decision::Filter));
    QCOMPARE(*m_store->item(2)->score, 30.0);
    QCOMPARE(*m_store->item(2)->ruleScore, 0.0);

    // Forget the scores, then reassess: the same combination gives the same record.
    QVERIFY(m_store->recordAssessment(1, AssessmentRecord {}).ok());
    QCOMPARE(*m_store->item(1)->score, 0.0);
    QSignalSpy recorded(&runner, &ReviewRunner::itemRecorded);
    QVERIFY(runner.submit({ 1 }, ReviewRunner::Request::Reassess).ok());
    QVERIFY(recorded.wait(10000));
    QCOMPARE(recorded.first().at(0).toLongLong(), 1);
    const auto outcome = recorded.first().at(1).value<RecordedItem>();
    QCOMPARE(outcome.kind, RecordedItem::Kind::Assessed);
    QCOMPARE(*outcome.score, 90.0);
    phishing = *m_store->item(1);
    QCOMPARE(*phishing.ruleScore, 90.0);
    QCOMPARE(*phishing.llmScore, 10.0);
    QCOMPARE(*phishing.score, 90.0);
}

void TestReviewRunner::localOnlyRunSendsNothing()
{
    makeQueue({ QStringLiteral("phishing here"), QStringLiteral("nothing here") });
    ReviewRunOptions options = llmOnly();
    options.rules = phishingRule();
    options.combination.mode = ScoreCombination::Mode::LocalOnly;
    ReviewRunner runner(*m_store, *m_client, criteria(), options);
    const ReviewRunSummary summary = runToEnd(runner);
    QCOMPARE(summary.assessed, 2);
    QCOMPARE(m_server->totalRequests(), 0);
    QCOMPARE(*m_store->item(1)->score, 90.0);
    QVERIFY(!m_store->item(1)->llmScore);
    QCOMPARE(*m_store->item(2)->score, 0.0);
}

// Thresholds 80/50: a 60 is revised, and with reassessRevisions the rewrite gets its own score
// (the scripted rewrite carries no marker: 10). A 20 is kept and not revised.
void TestReviewRunner::runRevisesAndReassessesTheRewrites()
{
    makeQueue({ QStringLiteral("text [[score=60]]"), QStringLiteral("text [[score=20]]") });
    ReviewRunOptions options = llmOnly();
    options.revise = true;
    options.reassessRevisions = true;
    ReviewRunner runner(*m_store, *m_client, criteria(), options);
    QSignalSpy recorded(&runner, &ReviewRunner::itemRecorded);
    const ReviewRunSummary summary = runToEnd(runner);
    QCOMPARE(summary.assessed, 2);
    QCOMPARE(summary.revised, 1);
    QCOMPARE(summary.revisionErrors, 0);
    QCOMPARE(m_server->totalRequests(), 4);  // two assessments, one rewrite, its assessment
    const QueueItem revised = *m_store->item(1);
    QCOMPARE(revised.revisedText, QStringLiteral("A calmer, accurate rewrite."));
    QCOMPARE(*revised.revisedScore, 10.0);
    QCOMPARE(*revised.score, 60.0);  // the assessment stands
    QVERIFY(m_store->item(2)->revisedText.isEmpty());
    QCOMPARE(recorded.size(), 3);
    QCOMPARE(recorded.last().at(1).value<RecordedItem>().kind, RecordedItem::Kind::Revised);
}

void TestReviewRunner::oneOffReassessAndRevise()
{
    makeQueue({ QStringLiteral("first [[score=70]]"), QStringLiteral("second [[score=40]]") });
    ReviewRunner runner(*m_store, *m_client, criteria(), llmOnly());
    QSignalSpy recorded(&runner, &ReviewRunner::itemRecorded);
    QVERIFY(runner.submit({ 1, 2 }, ReviewRunner::Request::Reassess).ok());
    QTRY_COMPARE_WITH_TIMEOUT(recorded.size(), 2, 10000);
    QCOMPARE(*m_store->item(1)->score, 70.0);
    QCOMPARE(m_store->item(1)->autoDecision, std::optional(Decision::Revise));
    QCOMPARE(*m_store->item(2)->score, 40.0);
    QVERIFY(!m_store->holdsRunLease());  // one-offs need no lease

    QVERIFY(runner.submit({ 1 }, ReviewRunner::Request::Revise).ok());
    QVERIFY(recorded.wait(10000));
    QCOMPARE(recorded.last().at(1).value<RecordedItem>().kind, RecordedItem::Kind::Revised);
    const QueueItem item = *m_store->item(1);
    QCOMPARE(item.revisedText, QStringLiteral("A calmer, accurate rewrite."));
    QCOMPARE(*item.score, 70.0);
    // The rewrite was asked with the item's reasoning.
    QVERIFY(QString::fromUtf8(m_server->received().last().body)
                .contains(QStringLiteral("Scripted reasoning.")));

    // An unknown item: an error, and nothing is sent (not even for the known one).
    const int before = m_server->totalRequests();
    QVERIFY(!runner.submit({ 1, 99 }, ReviewRunner::Request::Reassess).ok());
    QTest::qWait(100);
    QCOMPARE(m_server->totalRequests(), before);
}

// A failed reassessment is recorded as the item's error (replacing its score); a failed rewrite
// leaves the item as it was and says why.
void TestReviewRunner::oneOffFailuresAreRecordedOrReported()
{
    makeQueue({ QStringLiteral("text [[refusal]]"), QStringLiteral("text two") });
    // Rewrites are refused (the scripted server otherwise always writes one).
    m_server->setReplyHook([](const FakeOpenAiServer::ReceivedRequest &request,
                              FakeOpenAiServer::ScriptedReply &reply) {
        if (request.body.contains("\"revision\"")) {
            reply.status = 400;
            reply.body = FakeOpenAiServer::errorBody(QStringLiteral("No rewrites today."),
                                                     QStringLiteral("invalid_request_error"),
                                                     QStringLiteral("bad_request"));
        }
    });
    AssessmentRecord old;
    old.score = 15;
    old.llmScore = 15;
    old.llmReasoning = QStringLiteral("because");
    QVERIFY(m_store->recordAssessment(1, old).ok());
    QVERIFY(m_store->recordAssessment(2, old).ok());
    ReviewRunner runner(*m_store, *m_client, criteria(), llmOnly());
    QSignalSpy recorded(&runner, &ReviewRunner::itemRecorded);
    QVERIFY(runner.submit({ 1 }, ReviewRunner::Request::Reassess).ok());
    QVERIFY(recorded.wait(10000));
    auto outcome = recorded.last().at(1).value<RecordedItem>();
    QCOMPARE(outcome.kind, RecordedItem::Kind::Failed);
    QCOMPARE(outcome.errorCode, QStringLiteral("refusal"));
    QCOMPARE(m_store->item(1)->state, ItemState::Error);
    QVERIFY(!m_store->item(1)->score);

    QVERIFY(runner.submit({ 2 }, ReviewRunner::Request::Revise).ok());
    QVERIFY(recorded.wait(10000));
    outcome = recorded.last().at(1).value<RecordedItem>();
    QCOMPARE(outcome.kind, RecordedItem::Kind::RevisionFailed);
    QCOMPARE(outcome.errorCode, QStringLiteral("http_400"));
    QVERIFY(outcome.errorMessage.contains(QStringLiteral("No rewrites today.")));
    const QueueItem unchanged = *m_store->item(2);
    QCOMPARE(unchanged.state, ItemState::Assessed);
    QCOMPARE(*unchanged.score, 15.0);
    QVERIFY(unchanged.revisedText.isEmpty());
}

void TestReviewRunner::tryTextRecordsNothing()
{
    makeQueue({ QStringLiteral("stored text") });
    ReviewRunOptions options = llmOnly();
    options.rules = phishingRule();
    options.combination.mode = ScoreCombination::Mode::Max;
    ReviewRunner runner(*m_store, *m_client, criteria(), options);
    QSignalSpy tried(&runner, &ReviewRunner::tried);
    QSignalSpy recorded(&runner, &ReviewRunner::itemRecorded);
    Criteria unsaved = criteria();
    unsaved.principles += QStringLiteral(" Also: be brief.");
    runner.tryText(unsaved, QStringLiteral("phishing [[score=42]]"));
    QVERIFY(tried.wait(10000));
    auto outcome = tried.first().first().value<AssessmentOutcome>();
    QVERIFY(outcome.ok());
    QCOMPARE(*outcome.llmScore, 42.0);
    QCOMPARE(*outcome.score, 90.0);  // combined as a run would
    QCOMPARE(outcome.reasoning, QStringLiteral("Scripted reasoning."));
    QVERIFY(
        QString::fromUtf8(m_server->received().last().body).contains(QStringLiteral("be brief")));

    runner.tryText(unsaved, QStringLiteral("[[refusal]]"));
    QVERIFY(tried.wait(10000));
    outcome = tried.last().first().value<AssessmentOutcome>();
    QVERIFY(!outcome.ok());
    QVERIFY(!outcome.score);
    QCOMPARE(outcome.errorCode, QStringLiteral("refusal"));
    QCOMPARE(recorded.size(), 0);
    QCOMPARE(m_store->item(1)->state, ItemState::Pending);
}

// A key refused: one request, then the run pauses; nothing is an error, everything is pending
// and unclaimed (a new run takes them all).
void TestReviewRunner::fatalFailurePausesTheRunAfterOneRequest()
{
    bool keyWorks = false;
    m_server->setDefaultResponder([&keyWorks](const FakeOpenAiServer::ReceivedRequest &) {
        if (keyWorks)
            return FakeOpenAiServer::ScriptedReply {
                200, FakeOpenAiServer::completionBody(30, QStringLiteral("fake-model"), 10), {}, 0
            };
        return FakeOpenAiServer::ScriptedReply { 401,
                                                 FakeOpenAiServer::errorBody(
                                                     QStringLiteral("Incorrect API key provided."),
                                                     QStringLiteral("invalid_request_error"),
                                                     QStringLiteral("invalid_api_key")),
                                                 {},
                                                 0 };
    });
    makeQueue(numbered(8, [](int) { return QString(); }));
    ReviewRunner runner(*m_store, *m_client, criteria(), llmOnly());
    QSignalSpy recorded(&runner, &ReviewRunner::itemRecorded);
    const ReviewRunSummary summary = runToEnd(runner);
    QVERIFY(summary.paused);
    QVERIFY(!summary.canceled);
    QCOMPARE(summary.pauseCode, QStringLiteral("http_401"));
    QVERIFY(summary.pauseReason.contains(QStringLiteral("Incorrect API key provided.")));
    QCOMPARE(summary.errors, 0);
    QCOMPARE(m_server->totalRequests(), 1);
    QCOMPARE(recorded.size(), 0);
    PageQuery pending;
    pending.state = ItemState::Pending;
    QCOMPARE(*m_store->count(pending), 8);

    // Once the key works, a new run takes every item (none was left claimed).
    keyWorks = true;
    m_client = std::make_unique<LlmClient>(
        LlmEndpoint { m_server->url(), QStringLiteral("fake-model"), QString() }, ClientLimits {});
    ReviewRunner next(*m_store, *m_client, criteria(), llmOnly());
    QCOMPARE(runToEnd(next).assessed, 8);
    QCOMPARE(*m_store->count(pending), 0);
}

// Stopped after a few answers: what was recorded stays, the rest is pending and unclaimed, and
// the next run does only the rest.
void TestReviewRunner::stopLeavesTheRestPendingForTheNextRun()
{
    m_server->setBaseLatencyMs(40);
    makeQueue(numbered(40, [](int i) { return QStringLiteral("[[score=%1]]").arg(i); }), 2);
    ReviewRunner runner(*m_store, *m_client, criteria(), llmOnly());
    auto lease = m_store->acquireRunLease();
    QVERIFY(lease.ok() && lease->acquired);
    QSignalSpy recorded(&runner, &ReviewRunner::itemRecorded);
    QSignalSpy finished(&runner, &ReviewRunner::finished);
    runner.start();
    QTRY_VERIFY_WITH_TIMEOUT(recorded.size() >= 3, 10000);
    runner.stop();
    QVERIFY(finished.size() == 1 || finished.wait(10000));
    const auto summary = finished.first().first().value<ReviewRunSummary>();
    QVERIFY(summary.canceled);
    const qint64 done = summary.assessed;
    QVERIFY(done >= 3 && done < 40);
    QCOMPARE(qint64(recorded.size()), done);
    QVERIFY(!runner.isRunning());
    QVERIFY(!m_store->holdsRunLease());
    PageQuery pending;
    pending.state = ItemState::Pending;
    QCOMPARE(*m_store->count(pending), 40 - done);

    m_client = std::make_unique<LlmClient>(
        LlmEndpoint { m_server->url(), QStringLiteral("fake-model"), QString() }, ClientLimits {});
    QTest::qWait(200);  // requests of the stopped run still on the wire arrive before the reset
    m_server->resetStats();
    ReviewRunner next(*m_store, *m_client, criteria(), llmOnly());
    const ReviewRunSummary rest = runToEnd(next);
    QCOMPARE(rest.assessed, 40 - done);
    QCOMPARE(m_server->totalRequests(), int(40 - done));
    QCOMPARE(*m_store->count(pending), 0);
}

void TestReviewRunner::projectSettingsRoundTrip()
{
    ReviewProjectSettings settings;
    settings.endpoint = QStringLiteral("http://127.0.0.1:9/v1");
    settings.model = QStringLiteral("m");
    settings.concurrency = 5;
    settings.requestsPerMinute = 90;
    settings.deadlineSeconds = 33;
    settings.withLogprobs = false;
    settings.revise = true;
    settings.reassessRevisions = true;
    settings.textField = QStringLiteral("body");
    settings.assessors.combination.mode = ScoreCombination::Mode::WeightedMean;
    settings.assessors.combination.ruleWeight = 0.5;
    settings.assessors.rulesPath = QStringLiteral("/data/rules.json");
    settings.assessors.fastTextPath = QStringLiteral("/data/model.bin");
    auto read = ReviewProjectSettings::fromJson(settings.toJson());
    QVERIFY(read.ok());
    QVERIFY(*read == settings);
    // An older project's settings (fewer keys) read with defaults for the rest.
    auto old = ReviewProjectSettings::fromJson(
        QJsonObject { { QStringLiteral("endpoint"), QStringLiteral("http://x/v1") } });
    QVERIFY(old.ok());
    QCOMPARE(old->endpoint, QStringLiteral("http://x/v1"));
    QCOMPARE(old->deadlineSeconds, 120);
    QCOMPARE(old->assessors.combination.mode, ScoreCombination::Mode::LlmOnly);

    const ClientLimits limits = ReviewProject::clientLimits(settings);
    QCOMPARE(limits.concurrency, 5);
    QCOMPARE(limits.requestsPerMinute, 90.0);
    QCOMPARE(limits.deadlineMs, 33000);
    QVERIFY(limits.attemptTimeoutMs <= 33000);
}

// What `review run` stores (through ReviewProject on its store) is what the app's session
// opens: endpoint without credentials, model, criteria, assessors.
void TestReviewRunner::projectSavedByTheCliPathOpensInTheSession()
{
    const QString path = m_dir->filePath(QStringLiteral("cli.sqlite"));
    const QString rules = writeFile(*m_dir, QStringLiteral("rules.json"),
                                    R"({"rules": [{"pattern": "phishing", "weight": 90}]})");
    {
        auto store = QueueStore::open(path);
        QVERIFY(store.ok());
        ReviewProject project(**store);  // as the CLI does, on the store it keeps open
        QVERIFY(project.setCriteria(criteria()).ok());
        ReviewProjectSettings settings;
        settings.endpoint = QStringLiteral("http://user:sk-secret@127.0.0.1:9/v1");
        settings.model = QStringLiteral("cli-model");
        settings.concurrency = 2;
        settings.assessors.rulesPath = rules;
        settings.assessors.combination.mode = ScoreCombination::Mode::Max;
        QVERIFY(project.setSettings(settings).ok());
        // Never the key in the file.
        QVERIFY(!(*store)->property(QStringLiteral("settings"))->contains(QStringLiteral("sk-")));
    }
    ReviewSession session;
    QVERIFY(session.open(path).ok());
    QCOMPARE(*session.criteria(), criteria());
    const ReviewProjectSettings read = session.settings();
    QCOMPARE(read.endpoint, QStringLiteral("http://127.0.0.1:9/v1"));
    QCOMPARE(read.model, QStringLiteral("cli-model"));
    QCOMPARE(read.concurrency, 2);
    QCOMPARE(read.assessors.rulesPath, rules);
    QCOMPARE(read.assessors.combination.mode, ScoreCombination::Mode::Max);
    auto options = ReviewProject::runOptions(read);
    QVERIFY(options.ok());
    QVERIFY(options->rules);
    QCOMPARE(options->rules->score(QStringLiteral("a phishing mail")), 90.0);
    QCOMPARE(options->combination.mode, ScoreCombination::Mode::Max);
}

void TestReviewRunner::projectSavedByTheSessionIsWhatTheCliPathReads()
{
    const QString path = m_dir->filePath(QStringLiteral("app.sqlite"));
    ReviewProjectSettings settings;
    settings.endpoint = QStringLiteral("http://127.0.0.1:9/v1");
    settings.model = QStringLiteral("app-model");
    settings.requestsPerMinute = 60;
    settings.textField = QStringLiteral("content");
    {
        ReviewSession session;
        QVERIFY(session.open(path).ok());
        QVERIFY(session.setCriteria(criteria()).ok());
        QVERIFY(session.setSettings(settings).ok());
    }
    auto store = QueueStore::open(path);
    QVERIFY(store.ok());
    const ReviewProject project(**store);
    QVERIFY(project.hasCriteria());
    QCOMPARE(*project.criteria(), criteria());
    auto read = project.settings();
    QVERIFY(read.ok());
    QVERIFY(*read == settings);
}

void TestReviewRunner::projectSettingsRejectWrongTypes()
{
    auto wrong = ReviewProjectSettings::fromJson(
        QJsonObject { { QStringLiteral("concurrency"), QStringLiteral("eight") } },
        QStringLiteral("q.sqlite"));
    QVERIFY(!wrong.ok());
    QVERIFY(wrong.error().reason.contains(QStringLiteral("\"concurrency\"")));
    QCOMPARE(wrong.error().file, QStringLiteral("q.sqlite"));
    auto mode = ReviewProjectSettings::fromJson(QJsonObject {
        { QStringLiteral("assessors"),
          QJsonObject { { QStringLiteral("combination"), QStringLiteral("median") } } } });
    QVERIFY(!mode.ok());
    QVERIFY(mode.error().reason.contains(QStringLiteral("assessors.combination")));
    auto zero
        = ReviewProjectSettings::fromJson(QJsonObject { { QStringLiteral("concurrency"), 0 } });
    QVERIFY(!zero.ok());
    // A rules file that is not there: an error naming it, when the run's options are made.
    ReviewProjectSettings missing;
    missing.assessors.rulesPath = m_dir->filePath(QStringLiteral("nope.json"));
    auto options = ReviewProject::runOptions(missing);
    QVERIFY(!options.ok());
    QVERIFY(options.error().toString().contains(QStringLiteral("nope.json")));
}

QTEST_MAIN(TestReviewRunner)
#include "tst_reviewrunner.moc"
