// ReviewSession: a review project over the scripted OpenAI-compatible server — criteria and
// settings in the queue file, background import/thresholds/export, the assessment run with
// pause, resume and cancel, human decisions with undo, and the one-off requests.
#include "core/review/queuestore.h"
#include "core/workspace/reviewsession.h"
#include "tests/common/fakeopenaiserver.h"
#include "tests/common/testdata.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace pcs;
using pcs::test::FakeOpenAiServer;
using pcs::test::writeFile;

namespace {

Criteria deceptiveCriteria()
{
    auto loaded = Criteria::load(
        QStringLiteral(PCSTUDIO_SOURCE_DIR "/resources/criteria/deceptive-content.json"));
    if (!loaded)
        qFatal("criteria: %s", qPrintable(loaded.error().toString()));
    return std::move(loaded).value();
}

// `count` records; text i carries `marker(i)` (a server script marker) when given.
QByteArray jsonl(int count, const std::function<QString(int)> &marker = {})
{
    QByteArray data;
    for (int i = 1; i <= count; ++i) {
        const QString text
            = QStringLiteral("document %1 %2").arg(i).arg(marker ? marker(i) : QString());
        data += "{\"id\":" + QByteArray::number(i) + ",\"text\":\"" + text.toUtf8() + "\"}\n";
    }
    return data;
}

AssessmentRecord assessment(double score)
{
    AssessmentRecord record;
    record.score = score;
    record.llmScore = score;
    record.llmReasoning = QStringLiteral("because");
    return record;
}

bool sameCounts(const ReviewCounts &a, const ReviewCounts &b)
{
    return a.total == b.total && a.pending == b.pending && a.assessed == b.assessed
        && a.errors == b.errors && a.keep == b.keep && a.revise == b.revise && a.filter == b.filter
        && a.humanDecided == b.humanDecided;
}

}  // namespace

class TestReviewSession : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void openAndRoundTripCriteriaAndSettings();
    void importsInBackground();
    void cancelTaskStopsAnImport();
    void runAssessesEverything();
    void pauseThenResume();
    void cancelKeepsItemsPending();
    void runNeedsTheQueueLease();
    void runStopsWhenItsLeaseIsTakenOver();
    void humanDecisionAndRestore();
    void batchDecisionAndRestore();
    void countsForMatchesCountsAfterSetThresholds();
    void histogramSumsToAssessed();
    void reassessReplacesTheScore();
    void requestRevisionStoresTheRewrite();
    void tryCriteriaAnswersWithoutStoring();
    void exportCuratedInBackground();
    void countsForAtScale();
    void fatalFailurePausesAndResumeStartsAgain();
    void modelProfileIsLearnedAndUsedByOneOffs();

private:
    // Opens a project with criteria and settings for the server and imports `data`.
    void openProject(const QByteArray &data, int concurrency = 4);
    void runToEnd();

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeOpenAiServer> m_server;
    std::unique_ptr<ReviewSession> m_session;
};

void TestReviewSession::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<FakeOpenAiServer>();
    QVERIFY(m_server->listen());
    m_session = std::make_unique<ReviewSession>();
}

void TestReviewSession::cleanup()
{
    m_session.reset();
    m_server.reset();
    m_dir.reset();
}

void TestReviewSession::openProject(const QByteArray &data, int concurrency)
{
    QVERIFY(m_session->open(m_dir->filePath(QStringLiteral("queue.sqlite"))).ok());
    QVERIFY(m_session->setCriteria(deceptiveCriteria()).ok());
    ReviewProjectSettings settings;
    settings.endpoint = m_server->url();
    settings.model = QStringLiteral("fake-model");
    settings.concurrency = concurrency;
    QVERIFY(m_session->setSettings(settings).ok());
    QSignalSpy imported(m_session.get(), &ReviewSession::importFinished);
    QVERIFY(m_session->importFiles({ writeFile(*m_dir, QStringLiteral("in.jsonl"), data) }).ok());
    QVERIFY(imported.wait(10000));
}

void TestReviewSession::runToEnd()
{
    QSignalSpy finished(m_session.get(), &ReviewSession::runFinished);
    QVERIFY(m_session->startRun().ok());
    QVERIFY(finished.count() == 1 || finished.wait(20000));
}

void TestReviewSession::openAndRoundTripCriteriaAndSettings()
{
    const QString path = m_dir->filePath(QStringLiteral("project.sqlite"));
    QVERIFY(!m_session->isOpen());
    QVERIFY(!m_session->criteria().ok());
    QVERIFY(m_session->open(path).ok());
    QVERIFY(m_session->isOpen());
    QCOMPARE(m_session->queuePath(), QFileInfo(path).absoluteFilePath());
    QVERIFY(!m_session->criteria().ok());  // none yet
    QCOMPARE(m_session->settings().textField, QStringLiteral("text"));

    const Criteria criteria = deceptiveCriteria();
    ReviewProjectSettings settings;
    settings.endpoint = QStringLiteral("http://127.0.0.1:1/v1");
    settings.model = QStringLiteral("m");
    settings.concurrency = 3;
    settings.requestsPerMinute = 120;
    settings.withLogprobs = false;
    settings.revise = true;
    settings.textField = QStringLiteral("content");
    QVERIFY(m_session->setCriteria(criteria).ok());
    QVERIFY(m_session->setSettings(settings).ok());
    m_session->close();
    QVERIFY(!m_session->isOpen());

    // Another session on the same file reads them back.
    ReviewSession other;
    QVERIFY(other.open(path).ok());
    QCOMPARE(*other.criteria(), criteria);
    const ReviewProjectSettings read = other.settings();
    QCOMPARE(read.endpoint, settings.endpoint);
    QCOMPARE(read.model, settings.model);
    QCOMPARE(read.concurrency, 3);
    QCOMPARE(read.requestsPerMinute, 120.0);
    QCOMPARE(read.withLogprobs, false);
    QCOMPARE(read.revise, true);
    QCOMPARE(read.textField, QStringLiteral("content"));
    QVERIFY(!other.store()->property(QStringLiteral("criteria"))->isEmpty());
    QVERIFY(other.store()->property(QStringLiteral("settings"))->startsWith(QLatin1Char('{')));

    // Not a queue: an error value, the session stays closed.
    ReviewSession broken;
    const QString junk = writeFile(*m_dir, QStringLiteral("junk.sqlite"), QByteArray(4096, 'x'));
    QVERIFY(!broken.open(junk).ok());
    QVERIFY(!broken.isOpen());
}

void TestReviewSession::importsInBackground()
{
    QVERIFY(m_session->open(m_dir->filePath(QStringLiteral("queue.sqlite"))).ok());
    QSignalSpy busy(m_session.get(), &ReviewSession::busyChanged);
    QSignalSpy imported(m_session.get(), &ReviewSession::importFinished);
    QSignalSpy changed(m_session.get(), &ReviewSession::itemsChanged);
    const QString a = writeFile(*m_dir, QStringLiteral("a.jsonl"), jsonl(30));
    const QString b = writeFile(*m_dir, QStringLiteral("b.jsonl"), jsonl(20) + "not json\n");
    QVERIFY(m_session->importFiles({ a, b }).ok());
    QVERIFY(m_session->isBusy());
    QVERIFY(!m_session->importFiles({ a }).ok());  // one task at a time
    QVERIFY(imported.wait(10000));
    QVERIFY(!m_session->isBusy());
    const auto summary = imported.first().first().value<ImportSummary>();
    QCOMPARE(summary.imported, 50);
    QCOMPARE(summary.malformed, 1);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(busy.count(), 2);
    QCOMPARE(m_session->counts()->total, 50);
    QCOMPARE(m_session->counts()->pending, 50);

    // waitForIdle reports synchronously.
    QVERIFY(m_session->importFiles({ a }).ok());
    m_session->waitForIdle();
    QVERIFY(!m_session->isBusy());
    QCOMPARE(imported.count(), 2);
    QCOMPARE(imported.last().first().value<ImportSummary>().duplicates, 30);
    QCOMPARE(m_session->counts()->total, 50);
}

// Cancel during a long import: it stops at a batch boundary (fewer items than lines), keeps what
// it committed, and reports canceled; the session is idle and takes the next task.
void TestReviewSession::cancelTaskStopsAnImport()
{
    QVERIFY(m_session->open(m_dir->filePath(QStringLiteral("queue.sqlite"))).ok());
    constexpr int kLines = 200000;
    const QString big = writeFile(*m_dir, QStringLiteral("big.jsonl"), jsonl(kLines));
    QSignalSpy failed(m_session.get(), &ReviewSession::taskFailed);
    QSignalSpy imported(m_session.get(), &ReviewSession::importFinished);
    QSignalSpy changed(m_session.get(), &ReviewSession::itemsChanged);
    QVERIFY(m_session->importFiles({ big }).ok());
    QVERIFY(m_session->isBusy());
    m_session->cancelTask();
    QVERIFY(failed.wait(60000));
    QCOMPARE(failed.first().first().value<Error>().kind, ErrorKind::Canceled);
    QCOMPARE(imported.size(), 0);
    QCOMPARE(changed.size(), 1);  // views reload what was committed
    QVERIFY(!m_session->isBusy());
    QVERIFY(m_session->counts()->total < kLines);
    const QString small = writeFile(*m_dir, QStringLiteral("small.jsonl"), jsonl(3));
    QVERIFY(m_session->importFiles({ small }).ok());  // idle again: the next task starts
    m_session->waitForIdle();
    QCOMPARE(imported.size(), 1);
    const auto summary = imported.first().first().value<ImportSummary>();
    QCOMPARE(summary.imported + summary.duplicates, 3);
}

void TestReviewSession::runAssessesEverything()
{
    openProject(jsonl(40, [](int i) {
        return i == 7 ? QStringLiteral("[[refusal]]") : QStringLiteral("[[score=%1]]").arg(i * 2);
    }));
    QSignalSpy progress(m_session.get(), &ReviewSession::runProgress);
    QSignalSpy updated(m_session.get(), &ReviewSession::itemUpdated);
    QSignalSpy state(m_session.get(), &ReviewSession::runStateChanged);
    QSignalSpy finished(m_session.get(), &ReviewSession::runFinished);
    QVERIFY(m_session->startRun().ok());
    QVERIFY(m_session->isRunning());
    QVERIFY(!m_session->startRun().ok());  // one run at a time
    QVERIFY(finished.wait(20000));
    QVERIFY(!m_session->isRunning());
    const auto summary = finished.first().first().value<ReviewRunSummary>();
    QCOMPARE(summary.assessed, 39);
    QCOMPARE(summary.errors, 1);
    QVERIFY(!summary.canceled);

    const ReviewCounts counts = *m_session->counts();
    QCOMPARE(counts.pending, 0);
    QCOMPARE(counts.assessed, 39);
    QCOMPARE(counts.errors, 1);
    QCOMPARE(updated.count(), 40);
    QCOMPARE(state.count(), 2);  // started, finished
    const QList<QVariant> last = progress.last();
    QCOMPARE(last.at(0).toLongLong(), 40);
    QCOMPARE(last.at(1).toLongLong(), 40);
    QVERIFY(last.at(2).toDouble() > 0);  // requests per second
    QVERIFY(last.at(3).toLongLong() > 0);  // prompt tokens
    QVERIFY(last.at(4).toLongLong() > 0);
    QCOMPARE(last.at(5).toLongLong(), 1);  // errors
    QCOMPARE(*m_session->store()->item(10)->score, 20.0);
    QCOMPARE(m_session->store()->item(7)->errorCode, QStringLiteral("refusal"));

    // retryErrors sends the failed one again (the server refuses again).
    QVERIFY(m_session->startRun(true).ok());
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.last().first().value<ReviewRunSummary>().errors, 1);
    QCOMPARE(m_server->requestsFor(m_server->received().last().scriptKey), 2);
}

void TestReviewSession::pauseThenResume()
{
    m_server->setBaseLatencyMs(30);
    openProject(jsonl(30), 2);
    QSignalSpy updated(m_session.get(), &ReviewSession::itemUpdated);
    QSignalSpy finished(m_session.get(), &ReviewSession::runFinished);
    QVERIFY(m_session->startRun().ok());
    QVERIFY(updated.wait(5000));
    m_session->pauseRun();
    QVERIFY(m_session->isPaused());
    QTest::qWait(300);  // in-flight requests end
    const int requestsWhilePaused = m_server->totalRequests();
    QTest::qWait(300);
    QCOMPARE(m_server->totalRequests(), requestsWhilePaused);
    QVERIFY(requestsWhilePaused < 30);
    QVERIFY(finished.isEmpty());
    m_session->resumeRun();
    QVERIFY(!m_session->isPaused());
    QVERIFY(finished.wait(20000));
    QCOMPARE(m_session->counts()->assessed, 30);
}

void TestReviewSession::cancelKeepsItemsPending()
{
    m_server->setBaseLatencyMs(200);
    openProject(jsonl(20), 2);
    QSignalSpy updated(m_session.get(), &ReviewSession::itemUpdated);
    QSignalSpy finished(m_session.get(), &ReviewSession::runFinished);
    QVERIFY(m_session->startRun().ok());
    QVERIFY(updated.wait(5000));
    m_session->cancelRun();
    QVERIFY(finished.count() == 1 || finished.wait(5000));
    QVERIFY(finished.first().first().value<ReviewRunSummary>().canceled);
    QVERIFY(!m_session->isRunning());
    const ReviewCounts afterCancel = *m_session->counts();
    QVERIFY(afterCancel.pending > 0);
    QCOMPARE(afterCancel.errors, 0);  // canceled requests are not failures
    QCOMPARE(afterCancel.pending + afterCancel.assessed, 20);
    // The canceled run gave back its lease and its claims.
    QVERIFY(!m_session->store()->currentRunLease().value().has_value());
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("claims"));
        db.setDatabaseName(m_session->queuePath());
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("SELECT count(*) FROM items WHERE claimed_by IS NOT "
                                          "NULL"))
                && query.next());
        QCOMPARE(query.value(0).toInt(), 0);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("claims"));

    m_server->setBaseLatencyMs(0);
    QVERIFY(m_session->startRun().ok());
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.last().first().value<ReviewRunSummary>().assessed, afterCancel.pending);
    QCOMPARE(m_session->counts()->assessed, 20);
}

// Another run (here another store of this process, as a second window would be) holds the
// queue: the run is refused with the CLI's sentence and sends nothing. Once its heartbeat is
// stale, the session takes the lease over, says so, runs, and releases the lease at the end.
void TestReviewSession::runNeedsTheQueueLease()
{
    openProject(jsonl(10), 2);
    auto other = QueueStore::open(m_session->queuePath());
    QVERIFY(other.ok());
    auto lease = (*other)->acquireRunLease();
    QVERIFY(lease.ok() && lease->acquired);

    const Status refused = m_session->startRun();
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().file, m_session->queuePath());
    QCOMPARE(refused.error().reason, lease->holder.busyReason());
    QVERIFY(refused.error().toString().contains(QStringLiteral(": queue is being run by PID %1 on ")
                                                    .arg(QCoreApplication::applicationPid())));
    QVERIFY(!m_session->isRunning());
    QCOMPARE(m_server->totalRequests(), 0);

    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("age-lease"));
        db.setDatabaseName(m_session->queuePath());
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("UPDATE run_lease SET heartbeat_ms = 0, heartbeat_at = "
                                          "'1970-01-01T00:00:00.000Z'")));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("age-lease"));
    QSignalSpy notes(m_session.get(), &ReviewSession::runNote);
    QSignalSpy finished(m_session.get(), &ReviewSession::runFinished);
    QVERIFY(m_session->startRun().ok());
    QCOMPARE(notes.count(), 1);
    const QString note = notes.first().first().toString();
    QVERIFY2(note.contains(QStringLiteral("PID %1").arg(QCoreApplication::applicationPid()))
                 && note.contains(QLatin1String("no heartbeat since 1970")),
             qPrintable(note));
    QVERIFY(finished.count() == 1 || finished.wait(20000));
    QCOMPARE(m_session->counts()->assessed, 10);
    QVERIFY(!(*other)->currentRunLease().value().has_value());
    QVERIFY(!(*other)->refreshRunLease().ok());  // the old holder learns it lost the lease
}

// A run whose lease another run took over (judged stale) stops at its next pick instead of
// sending what the new holder will send; what it had claimed stays pending.
void TestReviewSession::runStopsWhenItsLeaseIsTakenOver()
{
    m_server->setBaseLatencyMs(150);
    openProject(jsonl(40), 2);
    QSignalSpy updated(m_session.get(), &ReviewSession::itemUpdated);
    QSignalSpy failed(m_session.get(), &ReviewSession::runFailed);
    QVERIFY(m_session->startRun().ok());
    QVERIFY(updated.wait(5000));
    auto other = QueueStore::open(m_session->queuePath());
    QVERIFY(other.ok());
    auto takeover = (*other)->acquireRunLease(0);
    QVERIFY(takeover.ok() && takeover->acquired && takeover->takenOver);
    QVERIFY(takeover->releasedClaims > 0);
    QVERIFY(failed.count() == 1 || failed.wait(5000));
    const Error error = failed.first().first().value<Error>();
    QVERIFY2(error.reason.contains(QLatin1String("lost its lease")), qPrintable(error.reason));
    QVERIFY(!m_session->isRunning());
    const int sent = m_server->totalRequests();
    QVERIFY2(sent < 40, qPrintable(QString::number(sent)));
    QVERIFY(!m_session->startRun().ok());  // the new holder has it

    m_server->setBaseLatencyMs(0);
    QVERIFY((*other)->releaseRunLease().ok());
    runToEnd();
    QCOMPARE(m_session->counts()->assessed, 40);
}

void TestReviewSession::humanDecisionAndRestore()
{
    openProject(jsonl(3));
    QueueStore &store = *m_session->store();
    QVERIFY(store.recordAssessment(1, assessment(90)).ok());
    QSignalSpy updated(m_session.get(), &ReviewSession::itemUpdated);

    auto first = m_session->setHumanDecision(1, Decision::Keep, QStringLiteral("mine"));
    QVERIFY(first.ok());
    QVERIFY(first->humanDecision.has_value() == false);
    QCOMPARE(updated.count(), 1);
    QCOMPARE(store.item(1)->finalDecision(), std::optional(Decision::Keep));
    QTest::qWait(5);  // a later decided_at
    auto second = m_session->setHumanDecision(1, Decision::Revise);
    QVERIFY(second.ok());
    QCOMPARE(second->editedText, QStringLiteral("mine"));
    const QueueItem decidedOnce = *second;

    // Undo the second: exactly the first decision again, its time included.
    QVERIFY(m_session->restoreDecisions({ decidedOnce }).ok());
    QueueItem restored = *store.item(1);
    QCOMPARE(restored.humanDecision, std::optional(Decision::Keep));
    QCOMPARE(restored.editedText, QStringLiteral("mine"));
    QCOMPARE(restored.decidedAt, decidedOnce.decidedAt);
    // Undo the first: nothing decided.
    QVERIFY(m_session->restoreDecisions({ *first }).ok());
    restored = *store.item(1);
    QVERIFY(restored.humanDecision.has_value() == false);
    QVERIFY(restored.editedText.isEmpty());
    QVERIFY(restored.decidedAt.isEmpty());
    QCOMPARE(restored.finalDecision(), std::optional(Decision::Filter));
    QCOMPARE(updated.count(), 4);

    QVERIFY(!m_session->setHumanDecision(99, Decision::Keep).ok());
}

void TestReviewSession::batchDecisionAndRestore()
{
    openProject(jsonl(100));
    QueueStore &store = *m_session->store();
    for (int id = 1; id <= 100; ++id)
        QVERIFY(store.recordAssessment(id, assessment(id - 1)).ok());  // scores 0..99
    QVERIFY(m_session->setHumanDecision(5, Decision::Revise, QStringLiteral("edit")).ok());
    const QueueItem fifth = *store.item(5);

    QSignalSpy changed(m_session.get(), &ReviewSession::itemsChanged);
    auto before = m_session->acceptBelow(20.0);  // not item 5: a human decided it
    QVERIFY(before.ok());
    QCOMPARE(before->changed, 19);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m_session->counts()->humanDecided, 20);
    QCOMPARE(store.item(20)->humanDecision, std::optional(Decision::Keep));
    QCOMPARE(store.item(5)->humanDecision, std::optional(Decision::Revise));
    QCOMPARE(store.item(5)->editedText, QStringLiteral("edit"));
    QCOMPARE(store.item(21)->humanDecision, std::optional<Decision>());

    QVERIFY(m_session->undoDecisions(*before).ok());
    QCOMPARE(m_session->counts()->humanDecided, 1);
    const QueueItem restored = *store.item(5);
    QCOMPARE(restored.humanDecision, fifth.humanDecision);
    QCOMPARE(restored.editedText, fifth.editedText);
    QCOMPARE(restored.decidedAt, fifth.decidedAt);
    QCOMPARE(changed.count(), 2);
    QVERIFY(!m_session->undoDecisions(*before).ok());  // undone already
}

void TestReviewSession::countsForMatchesCountsAfterSetThresholds()
{
    openProject(jsonl(300));
    QueueStore &store = *m_session->store();
    auto *random = QRandomGenerator::global();
    for (int id = 1; id <= 250; ++id)
        QVERIFY(store.recordAssessment(id, assessment(random->bounded(100.0))).ok());
    for (int id = 251; id <= 270; ++id)
        QVERIFY(store.recordError(id, QStringLiteral("x"), QStringLiteral("y"), 1).ok());
    const Decision decisions[] = { Decision::Keep, Decision::Revise, Decision::Filter };
    for (int id = 1; id <= 290; id += 7)  // assessed, failed and pending items
        QVERIFY(store.setHumanDecision(id, decisions[id % 3]).ok());
    QCOMPARE(m_session->counts()->total, 300);

    QVERIFY(sameCounts(*m_session->countsFor(*m_session->thresholds()), *m_session->counts()));
    const Thresholds candidate { 60, 25 };
    const ReviewCounts preview = *m_session->countsFor(candidate);
    QCOMPARE(m_session->thresholds()->filter, 80.0);  // nothing written
    QSignalSpy changed(m_session.get(), &ReviewSession::itemsChanged);
    QVERIFY(m_session->setThresholds(candidate).ok());
    QVERIFY(changed.wait(10000));
    QCOMPARE(m_session->thresholds()->revise, 25.0);
    QVERIFY(sameCounts(preview, *m_session->counts()));
    QVERIFY(!m_session->countsFor({ 20, 30 }).ok());
    QVERIFY(!m_session->setThresholds({ 20, 30 }).ok());
}

void TestReviewSession::histogramSumsToAssessed()
{
    openProject(jsonl(120));
    QueueStore &store = *m_session->store();
    for (int id = 1; id <= 101; ++id)
        QVERIFY(store.recordAssessment(id, assessment(id - 1)).ok());  // 0..100
    QVERIFY(store.recordError(102, QStringLiteral("x"), QStringLiteral("y"), 1).ok());
    auto histogram = m_session->scoreHistogram(10);
    QVERIFY(histogram.ok());
    QCOMPARE(histogram->size(), 10u);
    qint64 sum = 0;
    for (qint64 bin : *histogram)
        sum += bin;
    QCOMPARE(sum, 101);
    QCOMPARE(histogram->front(), 10);  // 0..9
    QCOMPARE(histogram->back(), 11);  // 90..100
    QCOMPARE(m_session->scoreHistogram(50)->size(), 50u);
    QVERIFY(!m_session->scoreHistogram(0).ok());
}

void TestReviewSession::reassessReplacesTheScore()
{
    openProject(jsonl(2, [](int i) {
        return i == 1 ? QStringLiteral("[[score=70]]") : QStringLiteral("[[refusal]]");
    }));
    QueueStore &store = *m_session->store();
    QVERIFY(store.recordAssessment(1, assessment(10)).ok());
    QVERIFY(store.recordAssessment(2, assessment(10)).ok());
    QSignalSpy updated(m_session.get(), &ReviewSession::itemUpdated);
    QVERIFY(m_session->reassess(1).ok());
    QVERIFY(m_session->reassess(2).ok());
    QTRY_COMPARE_WITH_TIMEOUT(updated.count(), 2, 10000);
    const QueueItem first = *store.item(1);
    QCOMPARE(first.state, ItemState::Assessed);
    QCOMPARE(*first.score, 70.0);
    QCOMPARE(first.llmReasoning, QStringLiteral("Scripted reasoning."));
    QCOMPARE(first.autoDecision, std::optional(Decision::Revise));
    const QueueItem second = *store.item(2);  // the refusal replaces the old score
    QCOMPARE(second.state, ItemState::Error);
    QCOMPARE(second.errorCode, QStringLiteral("refusal"));
    QVERIFY(!second.score);
    QVERIFY(!m_session->reassess(99).ok());
}

void TestReviewSession::requestRevisionStoresTheRewrite()
{
    openProject(jsonl(1));
    QueueStore &store = *m_session->store();
    QVERIFY(store.recordAssessment(1, assessment(60)).ok());
    QSignalSpy updated(m_session.get(), &ReviewSession::itemUpdated);
    QVERIFY(m_session->requestRevision(1).ok());
    QVERIFY(updated.wait(10000));
    const QueueItem item = *store.item(1);
    QCOMPARE(item.revisedText, QStringLiteral("A calmer, accurate rewrite."));
    QCOMPARE(*item.score, 60.0);  // the assessment stands
}

void TestReviewSession::tryCriteriaAnswersWithoutStoring()
{
    openProject(jsonl(1));
    QSignalSpy tried(m_session.get(), &ReviewSession::tryFinished);
    Criteria edited = deceptiveCriteria();
    edited.principles += QStringLiteral(" Also: be brief.");
    QVERIFY(m_session->tryCriteria(edited, QStringLiteral("any text [[score=42]]")).ok());
    QVERIFY(tried.wait(10000));
    QCOMPARE(tried.first().at(0).toString(), QStringLiteral("Scripted reasoning."));
    QCOMPARE(tried.first().at(1).value<std::optional<double>>(), 42.0);
    QVERIFY(tried.first().at(2).toString().isEmpty());
    // The unsaved criteria went out; nothing was stored.
    QVERIFY(
        QString::fromUtf8(m_server->received().last().body).contains(QStringLiteral("be brief")));
    QCOMPARE(m_session->counts()->pending, 1);
    QVERIFY(!m_session->criteria()->principles.contains(QStringLiteral("be brief")));

    QVERIFY(m_session->tryCriteria(edited, QStringLiteral("[[refusal]]")).ok());
    QVERIFY(tried.wait(10000));
    QVERIFY(!tried.last().at(1).value<std::optional<double>>());
    QCOMPARE(tried.last().at(2).toString(), QStringLiteral("refusal"));
    QVERIFY(!m_session->tryCriteria(edited, QStringLiteral("  ")).ok());
}

void TestReviewSession::exportCuratedInBackground()
{
    openProject(jsonl(10, [](int i) { return QStringLiteral("[[score=%1]]").arg(i * 10 - 5); }));
    runToEnd();
    QSignalSpy exported(m_session.get(), &ReviewSession::exportFinished);
    QSignalSpy failed(m_session.get(), &ReviewSession::taskFailed);
    const QString curated = m_dir->filePath(QStringLiteral("curated.jsonl"));
    const QString dropped = m_dir->filePath(QStringLiteral("dropped.jsonl"));
    const QString log = m_dir->filePath(QStringLiteral("log.csv"));
    QVERIFY(m_session->exportCurated(curated, dropped, log).ok());
    QVERIFY(m_session->isBusy());
    QVERIFY(exported.wait(10000));
    QVERIFY(failed.isEmpty());
    // Scores 5..95: 5 keep, 3 revise (no revision: held back, and said so), 2 filter.
    const QString description = exported.first().first().toString();
    QVERIFY2(description.contains(QStringLiteral("5 curated")), qPrintable(description));
    QVERIFY2(description.contains(QStringLiteral("2 dropped")), qPrintable(description));
    QVERIFY2(description.contains(QStringLiteral("3 held back")), qPrintable(description));
    QVERIFY(QFileInfo::exists(curated));
    QVERIFY(QFileInfo::exists(dropped));
    QVERIFY(QFileInfo::exists(log));

    const QString batch = m_dir->filePath(QStringLiteral("batch.jsonl"));
    QVERIFY(m_session->exportBatchRequests(batch).ok());
    QVERIFY(exported.wait(10000));
    QVERIFY(QFileInfo::exists(batch));

    // Refusing to overwrite an input comes back as taskFailed.
    QVERIFY(m_session->exportCurated(m_dir->filePath(QStringLiteral("in.jsonl")), {}, {}).ok());
    QVERIFY(failed.wait(10000));
    // Nor the queue itself, or the files SQLite keeps beside it: both paths named.
    const QString queue = m_dir->filePath(QStringLiteral("queue.sqlite"));
    QVERIFY(m_session->exportBatchRequests(queue).ok());
    QVERIFY(failed.wait(10000));
    QVERIFY2(failed.last().first().value<Error>().reason.contains(queue),
             qPrintable(failed.last().first().value<Error>().toString()));
    QVERIFY(m_session->exportCurated(curated, {}, queue + QStringLiteral("-wal")).ok());
    QVERIFY(failed.wait(10000));
    QCOMPARE(failed.size(), 3);
    auto reopened = QueueStore::open(queue);
    QVERIFY(reopened.ok());
    QCOMPARE((*reopened)->count(PageQuery {}).value(), qint64(10));
}

// Timing of the live threshold preview on a large queue; PCSTUDIO_REVIEW_ROWS (default 100000).
void TestReviewSession::countsForAtScale()
{
    const int rows = qEnvironmentVariableIntValue("PCSTUDIO_REVIEW_ROWS") > 0
        ? qEnvironmentVariableIntValue("PCSTUDIO_REVIEW_ROWS")
        : 100000;
    const QString path = m_dir->filePath(QStringLiteral("big.sqlite"));
    QVERIFY(m_session->open(path).ok());
    {
        // TEST SHORTCUT, not an API: rows straight into the table through a second connection.
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("bulk"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(
            QStringLiteral(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %1) "
                "INSERT INTO items (source_file, source_sha256, source_line, record, text, "
                "created_at, state, score, human_decision) "
                "SELECT 'f', 's', i, '{\"text\":\"t\"}', 'some text of a typical length ' || i, "
                "'now', "
                "CASE WHEN i % 10 = 0 THEN 'pending' ELSE 'assessed' END, "
                "CASE WHEN i % 10 = 0 THEN NULL ELSE abs(random() % 10000) / 100.0 END, "
                "CASE WHEN i % 1000 = 1 THEN 'keep' END FROM n")
                .arg(rows)));
        query.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("bulk"));
    QElapsedTimer timer;
    timer.start();
    const ReviewCounts preview = *m_session->countsFor({ 70, 40 });
    const qint64 countsForMs = timer.elapsed();
    QCOMPARE(preview.total, rows);
    timer.restart();
    const auto histogram = m_session->scoreHistogram(50);
    const qint64 histogramMs = timer.elapsed();
    QVERIFY(histogram.ok());
    timer.restart();
    QVERIFY(sameCounts(*m_session->countsFor({ 80, 50 }), *m_session->counts()));
    const qint64 countsMs = timer.elapsed();
    qInfo("%d rows: countsFor %lld ms, scoreHistogram(50) %lld ms, countsFor+counts %lld ms", rows,
          countsForMs, histogramMs, countsMs);
    QSignalSpy changed(m_session.get(), &ReviewSession::itemsChanged);
    timer.restart();
    QVERIFY(m_session->setThresholds({ 70, 40 }).ok());
    QVERIFY(changed.wait(120000));
    qInfo("setThresholds in the background: %lld ms", timer.elapsed());
    QVERIFY(sameCounts(preview, *m_session->counts()));
}

// A key refused on every request: the run pauses after the first, nothing becomes an error,
// the reason is there for the page; Resume (once the key works) starts again.
void TestReviewSession::fatalFailurePausesAndResumeStartsAgain()
{
    bool keyWorks = false;
    m_server->setDefaultResponder([&](const FakeOpenAiServer::ReceivedRequest &) {
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
    openProject(jsonl(12), 4);
    QSignalSpy paused(m_session.get(), &ReviewSession::runPaused);
    QSignalSpy finished(m_session.get(), &ReviewSession::runFinished);
    QVERIFY(m_session->startRun().ok());
    QVERIFY(paused.wait(10000));
    QCOMPARE(paused.size(), 1);
    QCOMPARE(finished.size(), 1);
    const auto summary = finished.first().first().value<ReviewRunSummary>();
    QVERIFY(summary.paused);
    QCOMPARE(summary.errors, 0);
    QVERIFY(!m_session->isRunning());
    const QString reason = m_session->pauseReason();
    QVERIFY2(reason.startsWith(QStringLiteral("http_401: "))
                 && reason.contains(QStringLiteral("Incorrect API key provided.")),
             qPrintable(reason));
    QCOMPARE(paused.first().first().toString(), reason);
    QCOMPARE(m_server->totalRequests(), 1);
    QCOMPARE(m_session->counts()->pending, 12);

    keyWorks = true;
    m_session->resumeRun();
    QVERIFY(m_session->isRunning());
    QVERIFY(m_session->pauseReason().isEmpty());
    QVERIFY(finished.wait(10000));
    QCOMPARE(m_session->counts()->assessed, 12);
    QCOMPARE(m_server->totalRequests(), 13);
    QCOMPARE(paused.size(), 1);
}

// A reasoning model: the run learns what it refuses once, keeps it in the project, and the
// session's one-off requests go out shaped by it.
void TestReviewSession::modelProfileIsLearnedAndUsedByOneOffs()
{
    m_server->setService(FakeOpenAiServer::Service::OpenAiReasoning);
    openProject(jsonl(10), 4);
    QSignalSpy changed(m_session.get(), &ReviewSession::modelProfileChanged);
    runToEnd();
    QCOMPARE(changed.size(), 2);  // temperature, log-probs
    QCOMPARE(m_server->totalRequests(), 12);
    const ModelProfile profile = m_session->modelProfile();
    QVERIFY(!profile.temperatureAllowed);
    QVERIFY(!profile.logprobsAllowed);
    QCOMPARE(profile.adaptations.size(), 2);
    const QueueItem item = *m_session->store()->item(3);
    QCOMPARE(item.state, ItemState::Assessed);
    QCOMPARE(item.logprobStatus, QStringLiteral("not_allowed"));
    QVERIFY(item.requestId.startsWith(QStringLiteral("req_fake_")));

    QSignalSpy updated(m_session.get(), &ReviewSession::itemUpdated);
    QVERIFY(m_session->reassess(3).ok());
    QVERIFY(updated.wait(10000));
    QCOMPARE(m_server->totalRequests(), 13);  // right the first time
    const QJsonObject sent = m_server->received().last().json;
    QVERIFY(!sent.contains(QLatin1String("temperature")));
    QVERIFY(!sent.contains(QLatin1String("logprobs")));
    QCOMPARE(m_session->store()->item(3)->logprobStatus, QStringLiteral("not_allowed"));
}

QTEST_MAIN(TestReviewSession)
#include "tst_reviewsession.moc"
