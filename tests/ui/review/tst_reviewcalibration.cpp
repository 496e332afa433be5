// The Calibration tab of the Review page, offscreen: it refreshes when human decisions change,
// "Use these" sets the best-agreeing thresholds through the threshold panel's undoable path, and
// "Review a sample" draws a stratified sample in the background (with Cancel) that the queue's
// "Audit sample" filter shows item for item, while the tab's estimate follows the decisions.
#include "core/review/calibrationinput.h"
#include "core/review/queueaudit.h"
#include "core/review/queueconnection.h"
#include "core/workspace/reviewsession.h"
#include "ui/common/taskstatusrow.h"
#include "ui/review/calibrationcontroller.h"
#include "ui/review/calibrationpanel.h"
#include "ui/review/reviewactions.h"
#include "ui/review/reviewpage.h"
#include "ui/review/reviewqueuemodel.h"
#include "ui/review/reviewqueuepanel.h"
#include "ui/review/thresholdpanel.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <set>

using namespace pcs;

namespace {

constexpr int kItems = 200;

QString writeJsonl(const QString &path, int count)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    for (int i = 0; i < count; ++i) {
        const QJsonObject record { { QStringLiteral("doc"), i },
                                   { QStringLiteral("text"), QStringLiteral("text %1").arg(i) } };
        file.write(QJsonDocument(record).toJson(QJsonDocument::Compact) + '\n');
    }
    return path;
}

// Item id scores (id * 7) % 100: every band of ten holds items.
double scoreOf(qint64 id)
{
    return double((id * 7) % 100);
}

// What a human who draws the lines at 30 and 60 decides ("above", like the thresholds).
Decision humanFor(double score)
{
    return score > 60 ? Decision::Filter : score > 30 ? Decision::Revise : Decision::Keep;
}

// With PCSTUDIO_SCREENSHOT_DIR set, the page as it looks now (to look at, not compared).
void saveScreenshot(QWidget &page, const QString &name)
{
    const QString dir = qEnvironmentVariable("PCSTUDIO_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        page.grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
}

std::set<qint64> rowIds(const ReviewQueueModel &model)
{
    std::set<qint64> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.insert(model.idAt(row));
    return ids;
}

Result<std::optional<AuditSample>> storedSample(const QString &queuePath)
{
    auto queue = QueueConnection::open(queuePath);
    if (!queue)
        return queue.error();
    return loadAuditSample(**queue);
}

}  // namespace

class TestReviewCalibration : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    // A shown page on a new project of kItems assessed items, on its Calibration tab.
    bool prepare(ReviewPage &page, const QString &name)
    {
        page.resize(1280, 720);
        page.show();
        if (!page.newProject(m_dir.filePath(name + QStringLiteral(".sqlite"))))
            return false;
        QSignalSpy imported(page.session(), &ReviewSession::importFinished);
        const QString jsonl = writeJsonl(m_dir.filePath(name + QStringLiteral(".jsonl")), kItems);
        if (!page.importFiles({ jsonl }) || !(imported.wait(20000) || imported.count() == 1))
            return false;
        QueueStore &store = *page.session()->store();
        for (qint64 id = 1; id <= kItems; ++id) {
            AssessmentRecord record;
            record.score = scoreOf(id);
            record.llmScore = record.score;
            record.llmReasoning = QStringLiteral("reason");
            if (!store.recordAssessment(id, record).ok())
                return false;
        }
        Q_EMIT page.session()->itemsChanged();
        int calibrationTab = -1;
        for (int tab = 0; tab < page.tabs()->count(); ++tab)
            if (page.tabs()->tabText(tab) == QStringLiteral("Calibration"))
                calibrationTab = tab;
        page.tabs()->setCurrentIndex(calibrationTab);
        // Read once the items are assessed (the page's own refresh follows its counts timer).
        page.calibration()->refreshNow();
        page.calibration()->waitForIdle();
        return calibrationTab >= 0 && page.calibrationPanel()->isVisible()
            && page.model()->rowCount() == kItems;
    }

    // Waits until the tab has read the queue after the last change.
    static bool settled(ReviewPage &page)
    {
        QSignalSpy refreshed(page.calibration(), &CalibrationController::refreshed);
        if (!refreshed.wait(10000))
            return false;
        page.calibration()->waitForIdle();
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QApplication::setOrganizationName(QStringLiteral("pcstudio-tests-reviewcalibration"));
        QSettings().clear();
        QVERIFY(m_dir.isValid());
    }

    void init() { QSettings().remove(QStringLiteral("review/project")); }

    void theTabRefreshesWhenDecisionsChange()
    {
        ReviewPage page(new ReviewSession);
        QVERIFY(prepare(page, QStringLiteral("refresh")));
        page.calibration()->waitForIdle();
        QVERIFY(!page.calibration()->snapshot().calibration);
        QVERIFY(!page.calibrationPanel()->useButton()->isEnabled());

        // Three decisions through the page's actions: the matrix counts them.
        for (qint64 id : { 1, 2, 3 })
            QVERIFY(page.actions()->decideItem(id, QStringLiteral("filter")));
        QVERIFY(settled(page));
        const auto &calibration = page.calibration()->snapshot().calibration;
        QVERIFY(calibration);
        QCOMPARE(calibration->matrix.total(), qint64(3));
        qint64 filteredByHuman = 0;
        for (int automatic = 0; automatic < 3; ++automatic)
            filteredByHuman += calibration->matrix.counts[int(Decision::Filter)][automatic];
        QCOMPARE(filteredByHuman, qint64(3));
        QCOMPARE(page.calibrationPanel()->matrixTable()->item(int(Decision::Filter), 0)->text(),
                 QString::number(calibration->matrix.counts[int(Decision::Filter)][0]));

        // An undo is a change too.
        page.undoStack()->undo();
        QVERIFY(settled(page));
        QCOMPARE(page.calibration()->snapshot().calibration->matrix.total(), qint64(2));
    }

    void useTheseSetsTheBestThresholdsUndoably()
    {
        ReviewPage page(new ReviewSession);
        QVERIFY(prepare(page, QStringLiteral("use")));
        for (qint64 id = 1; id <= 60; ++id)
            QVERIFY(page.actions()->decideItem(id, decisionName(humanFor(scoreOf(id)))));
        QVERIFY(settled(page));
        const auto summary = page.calibration()->snapshot().calibration;
        QVERIFY(summary);
        const Thresholds before = *page.session()->thresholds();
        QCOMPARE(before.filter, 80.0);
        const Thresholds best = summary->best.thresholds;
        // The human's lines at 30 and 60 agree completely; the defaults (50, 80) do not.
        QCOMPARE(summary->best.agreeing, qint64(60));
        QVERIFY(summary->current.agreeing < 60);
        for (qint64 id = 1; id <= 60; ++id)
            QCOMPARE(decide(scoreOf(id), best), humanFor(scoreOf(id)));
        const int stepsBefore = page.undoStack()->count();

        QPushButton *use = page.calibrationPanel()->useButton();
        QVERIFY(use->isEnabled());
        QTest::mouseClick(use, Qt::LeftButton);
        page.session()->waitForIdle();
        QCOMPARE(page.session()->thresholds()->filter, best.filter);
        QCOMPARE(page.session()->thresholds()->revise, best.revise);
        // The threshold panel's own path: its spin boxes, its counts, one undo step.
        QCOMPARE(page.thresholdPanel()->candidate().filter, best.filter);
        QCOMPARE(page.thresholdPanel()->stored().revise, best.revise);
        QCOMPARE(page.undoStack()->count(), stepsBefore + 1);
        const auto counts = page.session()->countsFor(best);
        QVERIFY(counts);
        QTRY_VERIFY(page.thresholdPanel()->countsLabel()->text().contains(
            QLocale().toString(counts->filter)));
        // The decided items now agree: the automatic decisions follow the new thresholds.
        QCOMPARE(page.session()->store()->item(5)->autoDecision,
                 std::optional(humanFor(scoreOf(5))));

        page.undoStack()->undo();
        page.session()->waitForIdle();
        QCOMPARE(page.session()->thresholds()->filter, before.filter);
        QCOMPARE(page.session()->thresholds()->revise, before.revise);
        QCOMPARE(page.thresholdPanel()->candidate().filter, before.filter);
        QVERIFY(page.errorText().isEmpty());

        page.undoStack()->redo();
        page.session()->waitForIdle();
        QCOMPARE(page.session()->thresholds()->filter, best.filter);
        QCOMPARE(page.thresholdPanel()->stored().filter, best.filter);
    }

    // The threshold panel's Apply is the same undoable step.
    void applyingThresholdsByHandIsUndoable()
    {
        ReviewPage page(new ReviewSession);
        QVERIFY(prepare(page, QStringLiteral("manual")));
        page.thresholdPanel()->setCandidate({ 70, 40 });
        QVERIFY(page.thresholdPanel()->apply());
        page.session()->waitForIdle();
        QCOMPARE(page.session()->thresholds()->filter, 70.0);
        QCOMPARE(page.undoStack()->count(), 1);
        page.undoStack()->undo();
        page.session()->waitForIdle();
        QCOMPARE(page.session()->thresholds()->filter, 80.0);
        QCOMPARE(page.session()->thresholds()->revise, 50.0);
        QCOMPARE(page.thresholdPanel()->filterSpin()->value(), 80.0);
    }

    void aSampleIsDrawnAndTheQueueShowsExactlyIt()
    {
        ReviewPage page(new ReviewSession);
        QVERIFY(prepare(page, QStringLiteral("sample")));
        page.calibration()->waitForIdle();
        CalibrationPanel *panel = page.calibrationPanel();
        QCOMPARE(panel->sampleSizeSpin()->value(), 200);  // the default, all of them here
        QVERIFY(!page.queuePanel()->isShowingAuditSample());

        panel->sampleSizeSpin()->setValue(40);
        panel->seedEdit()->setText(QStringLiteral("12345"));
        QSignalSpy drawn(page.calibration(), &CalibrationController::sampleDrawn);
        QTest::mouseClick(panel->sampleButton(), Qt::LeftButton);
        QVERIFY(drawn.wait(20000) || drawn.count() == 1);
        page.calibration()->waitForIdle();

        const auto stored = storedSample(page.session()->queuePath());
        QVERIFY(stored && *stored);
        QCOMPARE((**stored).size(), qint64(40));
        QCOMPARE((**stored).seed, quint64(12345));
        std::set<qint64> sampleIds;
        for (const AuditSampleItem &item : (**stored).items)
            sampleIds.insert(item.id);
        QCOMPARE(sampleIds.size(), std::size_t(40));

        // The queue now shows the sample, and only it.
        QVERIFY(page.queuePanel()->isShowingAuditSample());
        QCOMPARE(page.model()->rowCount(), 40);
        QCOMPARE(rowIds(*page.model()), sampleIds);
        QVERIFY(sampleIds.count(page.currentItemId()));
        QVERIFY(panel->auditLabel()->text().contains(QStringLiteral("0 decided, 40 to go")));

        // Same seed, same sample; back to all states shows every item again.
        auto *states
            = page.queuePanel()->findChild<QComboBox *>(QStringLiteral("reviewStateFilter"));
        QVERIFY(states);
        states->setCurrentIndex(0);
        QCOMPARE(page.model()->rowCount(), kItems);
    }

    void theEstimateFollowsTheDecisions()
    {
        ReviewPage page(new ReviewSession);
        QVERIFY(prepare(page, QStringLiteral("estimate")));
        page.actions()->setConfirmHook([](const QString &, const QString &) { return true; });
        page.calibration()->waitForIdle();
        QVERIFY(page.reviewAuditSample(40, 99));
        page.calibration()->waitForIdle();
        QVERIFY(page.queuePanel()->isShowingAuditSample());
        const auto sample = *storedSample(page.session()->queuePath());
        QVERIFY(sample);

        // One decision: one fewer to go.
        QVERIFY(page.selectRow(0));
        QVERIFY(page.actions()->acceptCurrent());
        QVERIFY(settled(page));
        QCOMPARE(page.calibration()->snapshot().audit->undecided, qint64(39));
        QVERIFY(page.calibrationPanel()->auditLabel()->text().contains(
            QStringLiteral("1 decided, 39 to go")));
        QVERIFY(!page.calibration()->snapshot().audit->overall.proportion);

        // Every item kept: overturned exactly where the automatic decision was not keep.
        for (const AuditSampleItem &item : sample->items)
            QVERIFY(page.actions()->decideItem(item.id, QStringLiteral("keep")));
        QVERIFY(settled(page));
        const AuditReport &audit = *page.calibration()->snapshot().audit;
        QCOMPARE(audit.undecided, qint64(0));
        qint64 notKeep = 0;
        for (const AuditSampleItem &item : sample->items)
            notKeep += decide(item.score, sample->thresholds) != Decision::Keep;
        QCOMPARE(audit.overall.overturned, notKeep);
        QVERIFY(audit.overall.proportion);
        QCOMPARE(audit.byDecision[int(Decision::Keep)].overturned, qint64(0));
        const QString text = page.calibrationPanel()->auditLabel()->text();
        QVERIFY2(text.contains(QStringLiteral("40 decided, 0 to go")), qPrintable(text));
        saveScreenshot(page, QStringLiteral("calibration-1280x720"));
        page.resize(page.sizeHint().expandedTo(page.minimumSizeHint()));
        QApplication::processEvents();
        saveScreenshot(page, QStringLiteral("calibration-default"));
        page.resize(1024, 640);
        QApplication::processEvents();
        saveScreenshot(page, QStringLiteral("calibration-1024x640"));
        QVERIFY2(text.contains(QStringLiteral("95% CI")), qPrintable(text));
    }

    void aDrawCanBeCanceled()
    {
        ReviewPage page(new ReviewSession);
        QVERIFY(prepare(page, QStringLiteral("cancel")));
        page.calibration()->waitForIdle();
        QSignalSpy canceled(page.calibration(), &CalibrationController::drawCanceled);
        QSignalSpy drawn(page.calibration(), &CalibrationController::sampleDrawn);
        QVERIFY(page.reviewAuditSample(40, 1));
        QVERIFY(page.calibration()->isDrawing());
        auto *row = page.findChild<TaskStatusRow *>(QStringLiteral("reviewStatusRow"));
        QVERIFY(row && row->isBusy());
        QVERIFY(row->cancelButton()->isVisibleTo(&page));
        QTest::mouseClick(row->cancelButton(), Qt::LeftButton);
        page.calibration()->waitForIdle();
        QCOMPARE(canceled.count(), 1);
        QCOMPARE(drawn.count(), 0);
        QVERIFY(!row->isBusy());
        QVERIFY(!page.queuePanel()->isShowingAuditSample());
        QVERIFY(page.errorText().isEmpty());
    }

    // Another project without a sample: the filter goes back to all states.
    void anotherProjectDropsTheSampleFilter()
    {
        ReviewPage page(new ReviewSession);
        QVERIFY(prepare(page, QStringLiteral("first")));
        page.calibration()->waitForIdle();
        QVERIFY(page.reviewAuditSample(40, 5));
        page.calibration()->waitForIdle();
        QVERIFY(page.queuePanel()->isShowingAuditSample());
        QVERIFY(prepare(page, QStringLiteral("second")));
        page.calibration()->waitForIdle();
        QVERIFY(!page.queuePanel()->isShowingAuditSample());
        QVERIFY(!page.calibration()->hasSample());
        QCOMPARE(page.model()->rowCount(), kItems);
        QVERIFY(page.errorText().isEmpty());
    }
};

QTEST_MAIN(TestReviewCalibration)
#include "tst_reviewcalibration.moc"
