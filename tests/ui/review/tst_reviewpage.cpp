// The Review stage page, offscreen: a new project, import, a run against the scripted server,
// keyboard review with undo/redo, batch actions, live threshold counts, export, cancel and
// resume, and returning to the same project and item.
#include "core/workspace/reviewsession.h"
#include "tests/common/fakeopenaiserver.h"
#include "ui/common/elidedlabel.h"
#include "ui/common/errorbanner.h"
#include "ui/review/criteriaeditor.h"
#include "ui/review/reviewactions.h"
#include "ui/review/reviewdetailpane.h"
#include "ui/review/reviewpage.h"
#include "ui/review/reviewqueuemodel.h"
#include "ui/review/thresholdpanel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <set>

using namespace pcs;
using pcs::test::FakeOpenAiServer;

namespace {

constexpr int kItems = 30;

// 30 documents whose scripted scores span 5–95 (id i scores 5 + round(90 i / 29)).
int scoreOf(int i)
{
    return 5 + (90 * i + 14) / 29;
}

QString writeJsonl(const QString &path, const QString &prefix)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    for (int i = 0; i < kItems; ++i) {
        QJsonObject record {
            { QStringLiteral("doc"), i },
            { QStringLiteral("text"),
              QStringLiteral("%1 document %2 [[score=%3]]").arg(prefix).arg(i).arg(scoreOf(i)) }
        };
        file.write(QJsonDocument(record).toJson(QJsonDocument::Compact) + '\n');
    }
    return path;
}

template<typename T> T *child(const QWidget &parent, const char *name)
{
    T *found = parent.findChild<T *>(QString::fromLatin1(name));
    if (!found)
        qWarning("no child %s", name);
    return found;
}

QueueItem storeItem(ReviewPage &page, qint64 id)
{
    auto item = page.session()->store()->item(id);
    return item ? *item : QueueItem {};
}

}  // namespace

class TestReviewPage : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    FakeOpenAiServer m_server;

    // A new project in `name` with the 30 documents imported and the endpoint set.
    bool prepare(ReviewPage &page, const QString &name)
    {
        if (!page.newProject(m_dir.filePath(name)))
            return false;
        child<QLineEdit>(page, "reviewEndpoint")->setText(m_server.url());
        child<QLineEdit>(page, "reviewModel")->setText(QStringLiteral("fake-model"));
        Criteria criteria;
        criteria.name = QStringLiteral("calm");
        criteria.principles = QStringLiteral("Texts are calm and accurate.");
        criteria.examples << FewShotExample { QStringLiteral("All is well."), 0,
                                              QStringLiteral("Calm.") };
        page.criteriaEditor()->setCriteria(criteria);
        QSignalSpy imported(page.session(), &ReviewSession::importFinished);
        const QString jsonl = writeJsonl(m_dir.filePath(name + QStringLiteral(".jsonl")), name);
        if (!page.importFiles({ jsonl }))
            return false;
        return imported.wait(20000) || imported.count() == 1;
    }

    static bool runToEnd(ReviewPage &page)
    {
        QSignalSpy finished(page.session(), &ReviewSession::runFinished);
        if (!page.run())
            return false;
        return finished.wait(60000) || finished.count() == 1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QApplication::setOrganizationName(QStringLiteral("pcstudio-tests-review"));
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        QVERIFY(m_server.listen());
    }

    void reviewWithKeyboard()
    {
        ReviewPage page(new ReviewSession);
        page.resize(1400, 900);
        page.show();
        QApplication::setActiveWindow(&page);
        QVERIFY(QTest::qWaitForWindowActive(&page));
        QVERIFY(prepare(page, QStringLiteral("keyboard")));
        QAbstractItemModelTester tester(page.model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE(page.model()->rowCount(), kItems);

        QVERIFY(runToEnd(page));
        auto counts = page.session()->counts();
        QVERIFY(counts);
        QCOMPARE(counts->assessed, qint64(kItems));
        QCOMPARE(counts->pending, 0);
        QVERIFY2(page.runStatsText().contains(QStringLiteral("30 of 30")),
                 qPrintable(page.runStatsText()));
        QTRY_VERIFY(page.progressText().contains(QStringLiteral("Reviewed 0 of 30")));
        QVERIFY(page.errorText().isEmpty());

        // The queue is by score, highest first.
        QTableView *table = page.queueView();
        table->setFocus();
        QVERIFY(page.selectRow(0));
        const qint64 first = page.currentItemId();
        QCOMPARE(*storeItem(page, first).score, 95.0);

        // A: keep, and on to the next undecided item.
        QTest::keyClick(table, Qt::Key_A);
        QCOMPARE(storeItem(page, first).humanDecision, std::optional(Decision::Keep));
        QCOMPARE(table->currentIndex().row(), 1);
        const qint64 second = page.currentItemId();
        QTest::keyClick(table, Qt::Key_F);
        QCOMPARE(storeItem(page, second).humanDecision, std::optional(Decision::Filter));
        QCOMPARE(table->currentIndex().row(), 2);

        // J/K move without deciding.
        QTest::keyClick(table, Qt::Key_J);
        QCOMPARE(table->currentIndex().row(), 3);
        QTest::keyClick(table, Qt::Key_K);
        QTest::keyClick(table, Qt::Key_K);
        QCOMPARE(table->currentIndex().row(), 1);
        // Deciding an already decided row moves to the next undecided one below.
        QTest::keyClick(table, Qt::Key_K);
        QCOMPARE(table->currentIndex().row(), 0);
        QTest::keyClick(table, Qt::Key_A);
        QCOMPARE(table->currentIndex().row(), 2);
        QCOMPARE(page.undoStack()->count(), 3);

        // Undo/redo through the store.
        QTest::keyClick(table, Qt::Key_Z, Qt::ControlModifier);  // the second A: still keep
        QCOMPARE(storeItem(page, first).humanDecision, std::optional(Decision::Keep));
        QTest::keyClick(table, Qt::Key_Z, Qt::ControlModifier);  // F
        QCOMPARE(storeItem(page, second).humanDecision, std::optional<Decision>());
        QCOMPARE(page.model()->itemAt(1)->humanDecision, std::optional<Decision>());
        QTest::keyClick(table, Qt::Key_Z, Qt::ShiftModifier | Qt::ControlModifier);
        QCOMPARE(storeItem(page, second).humanDecision, std::optional(Decision::Filter));
        QCOMPARE(page.model()->itemAt(1)->humanDecision, std::optional(Decision::Filter));
        QTRY_VERIFY(page.progressText().contains(QStringLiteral("Reviewed 2 of 30")));

        // R without a revision asks before requesting one: "no" sends nothing, "yes" asks the
        // LLM; with the revision there, R accepts it.
        QVERIFY(page.selectRow(2));
        const qint64 third = page.currentItemId();
        QStringList questions;
        bool answer = false;
        page.actions()->setConfirmHook([&](const QString &, const QString &question) {
            questions << question;
            return answer;
        });
        const int requestsBefore = m_server.totalRequests();
        QTest::keyClick(table, Qt::Key_R);
        QCOMPARE(questions.size(), 1);
        QVERIFY2(questions.first().contains(QStringLiteral("no revision yet")),
                 qPrintable(questions.first()));
        QTest::qWait(300);
        QCOMPARE(m_server.totalRequests(), requestsBefore);
        QCOMPARE(page.currentItemId(), third);
        answer = true;
        QSignalSpy updated(page.session(), &ReviewSession::itemUpdated);
        QTest::keyClick(table, Qt::Key_R);
        QCOMPARE(questions.size(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(!storeItem(page, third).revisedText.isEmpty(), 20000);
        QCOMPARE(storeItem(page, third).revisedText, QStringLiteral("A calmer, accurate rewrite."));
        QCOMPARE(storeItem(page, third).humanDecision, std::optional<Decision>());
        QVERIFY(page.selectItem(third));
        QTest::keyClick(table, Qt::Key_R);
        QCOMPARE(storeItem(page, third).humanDecision, std::optional(Decision::Revise));
        QCOMPARE(questions.size(), 2);  // with a revision, R does not ask

        // Batch: accept everything scored below 20 without a human decision, then undo it.
        PageQuery all;
        all.limit = 1000;
        const auto beforeBatch = page.session()->store()->page(all);
        QVERIFY(beforeBatch);
        std::set<qint64> low;
        for (const QueueItem &item : *beforeBatch)
            if (item.score && *item.score < 20 && !item.humanDecision)
                low.insert(item.id);
        QVERIFY(low.size() >= 4);
        const int commands = page.undoStack()->count();
        QVERIFY(page.actions()->batchAcceptBelow(20));
        QCOMPARE(page.undoStack()->count(), commands + 1);
        for (qint64 id : low)
            QCOMPARE(storeItem(page, id).humanDecision, std::optional(Decision::Keep));
        QTest::keyClick(table, Qt::Key_Z, Qt::ControlModifier);
        for (qint64 id : low)
            QCOMPARE(storeItem(page, id).humanDecision, std::optional<Decision>());
        QCOMPARE(storeItem(page, first).humanDecision, std::optional(Decision::Keep));  // untouched
        QTest::keyClick(table, Qt::Key_Z, Qt::ShiftModifier | Qt::ControlModifier);
        for (qint64 id : low)
            QCOMPARE(storeItem(page, id).humanDecision, std::optional(Decision::Keep));

        // Batch filter above 85: one step; human decisions stay.
        const auto beforeFilter = page.session()->store()->page(all);
        QVERIFY(beforeFilter);
        int filtered = 0;
        QVERIFY(page.actions()->batchFilterAbove(85));
        for (const QueueItem &item : *beforeFilter) {
            const std::optional<Decision> now = storeItem(page, item.id).humanDecision;
            if (item.humanDecision) {
                QCOMPARE(now, item.humanDecision);
            } else if (item.score && *item.score > 85) {
                QCOMPARE(now, std::optional(Decision::Filter));
                ++filtered;
            } else {
                QCOMPARE(now, std::optional<Decision>());
            }
        }
        QVERIFY(filtered >= 1);
        QCOMPARE(page.undoStack()->count(), commands + 2);
        page.undoStack()->undo();
        for (const QueueItem &item : *beforeFilter)
            QCOMPARE(storeItem(page, item.id).humanDecision, item.humanDecision);

        // Live threshold counts.
        ThresholdPanel *thresholds = page.thresholdPanel();
        thresholds->filterSpin()->setValue(60);
        thresholds->reviseSpin()->setValue(30);
        const auto expected = page.session()->countsFor({ 60, 30 });
        QVERIFY(expected);
        const QString expectedText = QStringLiteral("Would filter %1, revise %2, keep %3")
                                         .arg(expected->filter)
                                         .arg(expected->revise)
                                         .arg(expected->keep);
        QTRY_COMPARE(thresholds->countsLabel()->text(), expectedText);
        QVERIFY(thresholds->applyButton()->isEnabled());
        QSignalSpy changed(page.session(), &ReviewSession::itemsChanged);
        QVERIFY(thresholds->apply());
        QTRY_VERIFY_WITH_TIMEOUT(!page.session()->isBusy(), 20000);
        const auto stored = page.session()->thresholds();
        QVERIFY(stored);
        QCOMPARE(stored->filter, 60.0);
        QCOMPARE(stored->revise, 30.0);

        // Export: the curated file holds exactly the items whose final decision is keep, or
        // revise with a revision or edit; a revise without one is held back, and the page says
        // how many.
        QSignalSpy exported(page.session(), &ReviewSession::exportFinished);
        const QString curated = m_dir.filePath(QStringLiteral("curated.jsonl"));
        const QString dropped = m_dir.filePath(QStringLiteral("dropped.jsonl"));
        const QString log = m_dir.filePath(QStringLiteral("decisions.csv"));
        QVERIFY(page.exportTo(curated, dropped, log));
        QVERIFY(exported.wait(20000) || exported.count() == 1);
        const auto after = page.session()->store()->page(all);
        QVERIFY(after);
        std::set<int> expectedDocs, droppedDocs;
        int held = 0;
        for (const QueueItem &item : *after) {
            const int doc = QJsonDocument::fromJson(item.record.toUtf8())
                                .object()
                                .value(QStringLiteral("doc"))
                                .toInt();
            const std::optional<Decision> decision = item.finalDecision();
            const bool rewritten = !item.revisedText.isEmpty() || !item.editedText.isEmpty();
            if (decision == Decision::Keep || (decision == Decision::Revise && rewritten))
                expectedDocs.insert(doc);
            else if (decision == Decision::Revise)
                ++held;
            else if (decision == Decision::Filter)
                droppedDocs.insert(doc);
        }
        QVERIFY(held > 0);
        auto *exportStatus = child<QLabel>(page, "reviewExportStatus");
        QVERIFY(exportStatus);
        QVERIFY2(exportStatus->text().contains(QStringLiteral("%1 held back").arg(held)),
                 qPrintable(exportStatus->text()));
        QFile file(curated);
        QVERIFY(file.open(QIODevice::ReadOnly));
        std::set<int> curatedDocs;
        while (!file.atEnd()) {
            const QByteArray line = file.readLine().trimmed();
            if (line.isEmpty())
                continue;
            const QJsonObject record = QJsonDocument::fromJson(line).object();
            curatedDocs.insert(record.value(QStringLiteral("doc")).toInt());
        }
        QCOMPARE(curatedDocs, expectedDocs);
        QFile curatedAgain(curated);
        QVERIFY(curatedAgain.open(QIODevice::ReadOnly));
        QVERIFY(curatedAgain.readAll().contains("A calmer, accurate rewrite."));
        QFile droppedFile(dropped);
        QVERIFY(droppedFile.open(QIODevice::ReadOnly));
        QCOMPARE(qsizetype(droppedFile.readAll().count('\n')), qsizetype(droppedDocs.size()));
        QVERIFY(QFile::exists(log));

        // The score range filter narrows the queue to the items scored in it.
        auto *minScore = child<QDoubleSpinBox>(page, "reviewMinScore");
        auto *maxScore = child<QDoubleSpinBox>(page, "reviewMaxScore");
        QVERIFY(minScore && maxScore);
        minScore->setValue(20);
        maxScore->setValue(40);
        PageQuery ranged;
        ranged.scores = ScoreRange { 20, true, 40, true };
        const qint64 inRange = *page.session()->store()->count(ranged);
        QVERIFY(inRange > 0 && inRange < kItems);
        QTRY_COMPARE(qint64(page.model()->rowCount()), inRange);
        for (int row = 0; row < page.model()->rowCount(); ++row) {
            const double score = *page.model()->itemAt(row)->score;
            QVERIFY(score >= 20 && score <= 40);
        }
        minScore->setValue(0);
        maxScore->setValue(100);
        QTRY_COMPARE(page.model()->rowCount(), kItems);

        // The project and item are remembered: a new page returns to them.
        QVERIFY(page.selectItem(second));
        const QString project = page.session()->queuePath();
        ReviewPage reopened(new ReviewSession);
        QVERIFY(reopened.session()->isOpen());
        QCOMPARE(QFileInfo(reopened.session()->queuePath()).absoluteFilePath(),
                 QFileInfo(project).absoluteFilePath());
        QTRY_COMPARE(reopened.currentItemId(), second);
        QCOMPARE(reopened.model()->rowCount(), kItems);
    }

    void cancelAndResume()
    {
        ReviewPage page(new ReviewSession);
        page.show();
        QVERIFY(prepare(page, QStringLiteral("cancel")));
        child<QSpinBox>(page, "reviewConcurrency")->setValue(2);
        m_server.setBaseLatencyMs(300);
        QSignalSpy finished(page.session(), &ReviewSession::runFinished);
        QSignalSpy updated(page.session(), &ReviewSession::itemUpdated);
        QVERIFY(page.run());
        QTRY_VERIFY(child<QPushButton>(page, "reviewPause")->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(updated.count() >= 3, 20000);
        QTest::mouseClick(child<QPushButton>(page, "reviewCancelRun"), Qt::LeftButton);
        QVERIFY(finished.wait(20000) || finished.count() == 1);
        auto counts = page.session()->counts();
        QVERIFY(counts);
        QVERIFY2(counts->pending > 0, "the run ended before the cancel");
        QVERIFY(counts->assessed > 0);
        QVERIFY(child<QPushButton>(page, "reviewRun")->isEnabled());

        m_server.setBaseLatencyMs(0);
        finished.clear();
        QTest::mouseClick(child<QPushButton>(page, "reviewRun"), Qt::LeftButton);
        QVERIFY(finished.wait(60000) || finished.count() == 1);
        counts = page.session()->counts();
        QVERIFY(counts);
        QCOMPARE(counts->pending, 0);
        QCOMPARE(counts->assessed, qint64(kItems));
    }

    // A key refused on every request: the run pauses, the page says why and offers Resume,
    // which (once the key works) assesses everything.
    void pausesOnAFailureEveryRequestMeets()
    {
        ReviewPage page(new ReviewSession);
        page.show();
        QVERIFY(prepare(page, QStringLiteral("paused")));
        bool refuse = true;
        m_server.setReplyHook([&refuse](const FakeOpenAiServer::ReceivedRequest &,
                                        FakeOpenAiServer::ScriptedReply &reply) {
            if (!refuse)
                return;
            reply.status = 401;
            reply.body = FakeOpenAiServer::errorBody(QStringLiteral("Incorrect API key provided."),
                                                     QStringLiteral("invalid_request_error"),
                                                     QStringLiteral("invalid_api_key"));
        });
        const auto unhook = qScopeGuard([this] { m_server.setReplyHook({}); });
        QSignalSpy paused(page.session(), &ReviewSession::runPaused);
        QVERIFY(page.run());
        QVERIFY(paused.wait(20000) || paused.count() == 1);
        auto *resume = child<QPushButton>(page, "reviewResume");
        QTRY_VERIFY(page.bannerText().startsWith(QStringLiteral("Run paused: ")));
        QVERIFY2(page.bannerText().contains(QStringLiteral("Incorrect API key provided."))
                     && page.bannerText().contains(QStringLiteral("http_401")),
                 qPrintable(page.bannerText()));
        QCOMPARE(page.banner()->kind(), ErrorBanner::Kind::Error);
        QTRY_VERIFY(resume->isEnabled());
        QVERIFY(child<QPushButton>(page, "reviewRun")->isEnabled());
        QCOMPARE(page.session()->counts()->pending, qint64(kItems));
        QCOMPARE(page.session()->counts()->errors, 0);

        refuse = false;
        QSignalSpy finished(page.session(), &ReviewSession::runFinished);
        QTest::mouseClick(resume, Qt::LeftButton);
        QVERIFY(page.session()->isRunning());
        QVERIFY(page.bannerText().isEmpty());
        QVERIFY(finished.wait(60000) || finished.count() == 1);
        QCOMPARE(page.session()->counts()->assessed, qint64(kItems));
        QTRY_VERIFY(!resume->isEnabled());
        QVERIFY(page.bannerText().isEmpty());
    }

    // What the model refused shows near the run controls, with what was learned as a tooltip.
    void showsWhatTheModelRefuses()
    {
        m_server.setService(FakeOpenAiServer::Service::OpenAiReasoning);
        const auto restore
            = qScopeGuard([this] { m_server.setService(FakeOpenAiServer::Service::OpenAi); });
        ReviewPage page(new ReviewSession);
        page.show();
        QVERIFY(prepare(page, QStringLiteral("reasoning")));
        auto *label = child<ElidedLabel>(page, "reviewModelProfile");
        QVERIFY(!label->isVisible());
        QVERIFY(runToEnd(page));
        QCOMPARE(page.session()->counts()->assessed, qint64(kItems));
        QTRY_VERIFY(label->isVisible());
        QVERIFY2(label->fullText().contains(QStringLiteral("temperature left out"))
                     && label->fullText().contains(QStringLiteral("no log-probs")),
                 qPrintable(label->fullText()));
        QVERIFY2(label->toolTip().contains(QStringLiteral("temperature 0 refused")),
                 qPrintable(label->toolTip()));
        // The detail pane says why a score has no log-probs.
        QVERIFY(page.selectRow(0));
        QVERIFY2(child<QLabel>(*page.detailPane(), "detailScores")
                     ->text()
                     .contains(QStringLiteral("log-probs refused by the model")),
                 qPrintable(child<QLabel>(*page.detailPane(), "detailScores")->text()));
        QVERIFY(child<QLabel>(*page.detailPane(), "detailState")
                    ->text()
                    .contains(QStringLiteral("request req_fake_")));
    }

    // While another run holds the queue, Run shows the same sentence as `review run` and starts
    // nothing; once that run is over, Run works.
    void runRefusedWhileAnotherRunHoldsTheQueue()
    {
        ReviewPage page(new ReviewSession);
        QVERIFY(prepare(page, QStringLiteral("leased")));
        auto other = QueueStore::open(page.session()->queuePath());
        QVERIFY(other.ok());
        auto lease = (*other)->acquireRunLease();
        QVERIFY(lease.ok() && lease->acquired);
        QVERIFY(!page.run());
        QVERIFY(!page.session()->isRunning());
        QCOMPARE(page.errorText(),
                 page.session()->queuePath() + QStringLiteral(": ") + lease->holder.busyReason());
        QVERIFY(page.errorText().contains(QLatin1String("queue is being run by PID")));
        QVERIFY((*other)->releaseRunLease().ok());
        QVERIFY(runToEnd(page));
        QVERIFY(page.errorText().isEmpty());
    }

    void errorsShowInline()
    {
        ReviewPage page(new ReviewSession);
        QVERIFY(!page.newProject(m_dir.filePath(QStringLiteral("keyboard"))));
        QVERIFY(!page.errorText().isEmpty());
        QVERIFY(!page.openProject(m_dir.filePath(QStringLiteral("keyboard.jsonl"))));
        QVERIFY(!page.errorText().isEmpty());
        QVERIFY(page.openProject(m_dir.filePath(QStringLiteral("keyboard"))));
        QVERIFY(page.errorText().isEmpty());
        QVERIFY(!page.exportTo(QString(), QString(), QString()));
        QVERIFY(page.errorText().contains(QStringLiteral("curated")));
        // Criteria round trip through a file.
        const QString path = m_dir.filePath(QStringLiteral("criteria.json"));
        QVERIFY(page.criteriaEditor()->saveTo(path));
        CriteriaEditor editor;
        QVERIFY(editor.loadFrom(path));
        QCOMPARE(editor.criteria(), page.criteriaEditor()->criteria());
        QVERIFY(!editor.loadFrom(m_dir.filePath(QStringLiteral("keyboard.jsonl"))));
    }
};

QTEST_MAIN(TestReviewPage)
#include "tst_reviewpage.moc"
