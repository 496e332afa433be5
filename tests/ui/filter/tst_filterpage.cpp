// The Filter stage page, offscreen: train from the current selection of the demo, the
// threshold controls and charts, the model bundle, apply, cancel and inline errors.
#include "core/demo/demodata.h"
#include "core/workspace/filtersession.h"
#include "core/workspace/selectionsession.h"
#include "core/workspace/workspacesession.h"
#include "ui/filter/applypanel.h"
#include "ui/filter/evaluationpanel.h"
#include "ui/filter/filterpage.h"
#include "ui/filter/scorehistogramchart.h"
#include "ui/filter/thresholdcurvechart.h"
#include "ui/window/mainwindow.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDoubleSpinBox>
#include <QFile>
#include <QGroupBox>
#include <QJsonObject>
#include <QLabel>
#include <QLineSeries>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTest>
#include <QToolButton>

#include <numeric>

using namespace pcs;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

qint64 lineCount(const QString &path)
{
    return readAll(path).count('\n');
}

qint64 total(const std::vector<qint64> &counts)
{
    return std::accumulate(counts.begin(), counts.end(), qint64(0));
}

template<typename T> T *child(const QWidget &parent, const char *name)
{
    T *found = parent.findChild<T *>(QString::fromLatin1(name));
    if (!found)
        qWarning("no child %s", name);
    return found;
}

}  // namespace

class TestFilterPage : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    DemoFiles m_demo;
    SelectionSession m_selection;

    // Settings that learn the 600 short demo texts well: more epochs than the default 5, and
    // fewer hash buckets than the 2M (800 MB) meant for real corpora.
    static void useSmallCorpusSettings(FilterPage &page)
    {
        page.findChild<QToolButton *>(QStringLiteral("filterAdvancedToggle"))->setChecked(true);
        page.findChild<QSpinBox *>(QStringLiteral("filterEpoch"))->setValue(25);
        page.findChild<QSpinBox *>(QStringLiteral("filterBuckets"))->setValue(100000);
    }

    // Trains through the page and waits for the result.
    static bool trainAndWait(FilterPage &page)
    {
        QSignalSpy finished(page.session(), &FilterSession::trainingFinished);
        if (!page.train())
            return false;
        return finished.wait(120000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);  // the demo and settings stay out of the user's
        QApplication::setOrganizationName(QStringLiteral("pcstudio-tests"));
        QApplication::setApplicationName(QStringLiteral("tst_filterpage"));
        auto demo = writeDemoDataset(generateDemoDataset({ 80, 600, 11 }), m_dir.filePath("demo"));
        QVERIFY(demo.ok());
        m_demo = *demo;
        QSignalSpy outcome(&m_selection, &SelectionSession::outcomeChanged);
        SelectionParameters parameters;
        parameters.keepRatio = 0.2;
        m_selection.setParameters(parameters);
        m_selection.load({ m_demo.bpb, {}, m_demo.errors, m_demo.tokenCounts });
        QVERIFY(outcome.wait(30000));
    }

    void trainsFromTheSelectionAndFollowsTheThreshold()
    {
        FilterSession session;
        FilterPage page(&m_selection, &session);
        page.resize(1200, 1400);
        page.show();
        auto *texts = child<QListWidget>(page, "filterTextsList");
        QAbstractItemModelTester textsTester(texts->model());
        page.suggestTexts({ m_demo.texts });
        page.suggestTexts({ QStringLiteral("ignored.jsonl") });  // the list is not empty now
        QCOMPARE(texts->count(), 1);
        page.useCurrentSelection();
        QVERIFY(child<QGroupBox>(page, "filterAdvanced")->isHidden());
        useSmallCorpusSettings(page);
        QVERIFY(!child<QGroupBox>(page, "filterAdvanced")->isHidden());
        QVERIFY(!child<QPushButton>(page, "filterExportButton")->isEnabled());
        QVERIFY(!child<QPushButton>(page, "filterApplyButton")->isEnabled());

        QVERIFY(trainAndWait(page));
        QVERIFY(child<QLabel>(page, "filterError")->isHidden());
        const auto filter = session.filter();
        QVERIFY(filter);
        QCOMPARE(filter->data.include + filter->data.exclude, qint64(600));
        QCOMPARE(filter->options.fastText.epoch, 25);
        QCOMPARE(filter->options.fastText.bucket, 100000);
        const QString summary = child<QLabel>(page, "filterSummary")->text();
        QVERIFY2(summary.contains(QStringLiteral("600</b> documents")), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("%1 held out").arg(filter->data.testDocuments)),
                 qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("0 keys not in the distribution")),
                 qPrintable(summary));

        // The starting threshold: the include share rule, exactly.
        const ThresholdChoice start
            = chooseThreshold(filter->testScores, filter->data, std::nullopt, std::nullopt);
        QCOMPARE(page.threshold(), start.threshold);
        EvaluationPanel *evaluation = page.evaluationPanel();
        QCOMPARE(evaluation->rule(), ThresholdChoice::Rule::IncludeShare);
        QCOMPARE(evaluation->choice().threshold, start.threshold);

        // Both histograms together hold every held-out document.
        auto *histogram = child<ScoreHistogramChart>(page, "scoreHistogramChart");
        auto *curve = child<ThresholdCurveChart>(page, "thresholdCurveChart");
        QCOMPARE(total(histogram->includeCounts()), filter->data.testInclude);
        QCOMPARE(total(histogram->excludeCounts()),
                 filter->data.testDocuments - filter->data.testInclude);
        QVERIFY(histogram->includeSeries()->count() > 2);
        QVERIFY(curve->precisionSeries()->count() > 2);
        QCOMPARE(histogram->thresholdMarker()->at(0).x(), start.threshold);
        QCOMPARE(curve->thresholdMarker()->at(0).x(), start.threshold);

        // Moving the threshold by hand moves the markers and changes what is kept.
        auto *spin = child<QDoubleSpinBox>(page, "filterThreshold");
        auto *slider = child<QSlider>(page, "filterThresholdSlider");
        auto *keep = child<QDoubleSpinBox>(page, "filterKeepFraction");
        auto *kept = child<QLabel>(page, "filterKept");
        const QString keptBefore = kept->text();
        // Near the median score (4 decimals, as typed): keeps about half, unlike the start.
        const double manual
            = std::round(thresholdForKeepFraction(filter->testScores, 0.5) * 1e4) / 1e4;
        QVERIFY(keptFraction(filter->testScores, manual) != start.keepFraction);
        spin->setValue(manual);
        QCOMPARE(page.threshold(), manual);
        QCOMPARE(evaluation->rule(), ThresholdChoice::Rule::Given);
        QVERIFY(kept->text() != keptBefore);
        QCOMPARE(slider->value(), int(std::lround(manual * 10000)));
        QCOMPARE(histogram->thresholdMarker()->at(0).x(), manual);
        QCOMPARE(curve->thresholdMarker()->at(0).x(), manual);
        QCOMPARE(curve->thresholdPoints()->at(2).y(), keptFraction(filter->testScores, manual));
        QVERIFY(std::abs(keep->value() - keptFraction(filter->testScores, manual)) <= 0.5e-4);
        const FilterEvaluation atManual
            = evaluateFilter(filter->testScores, filter->testIsInclude, manual);
        QVERIFY(child<QLabel>(page, "filterMetrics")
                    ->text()
                    .contains(QString::number(atManual.precision, 'f', 3)));

        // The slider sets it too, and the keep fraction sets it by its own rule.
        slider->setValue(4321);
        QCOMPARE(page.threshold(), 0.4321);
        QCOMPARE(spin->value(), 0.4321);
        keep->setValue(0.3);
        QCOMPARE(evaluation->rule(), ThresholdChoice::Rule::KeepFraction);
        QCOMPARE(page.threshold(), thresholdForKeepFraction(filter->testScores, 0.3));
        QCOMPARE(keep->value(), 0.3);
        child<QPushButton>(page, "filterThresholdReset")->click();
        QCOMPARE(page.threshold(), start.threshold);
        spin->setValue(manual);

        // The bundle records the threshold set by hand, as "given".
        QVERIFY(child<QPushButton>(page, "filterExportButton")->isEnabled());
        QSignalSpy exported(&session, &FilterSession::exportFinished);
        const QString model = m_dir.filePath(QStringLiteral("page-filter.bin"));
        // Without the quantized copy, which takes a minute (tst_filtersession covers it).
        QVERIFY(page.exportBundleTo(model, false));
        QVERIFY(exported.wait(120000));
        QVERIFY(QFile::exists(model));
        QVERIFY(QFile::exists(model + QStringLiteral(".manifest.json")));
        const QJsonObject manifest = loadFilterManifest(model).value();
        const QJsonObject threshold = manifest.value(QStringLiteral("threshold")).toObject();
        QCOMPARE(threshold.value(QStringLiteral("value")).toDouble(), manual);
        QCOMPARE(threshold.value(QStringLiteral("rule")).toString(), QStringLiteral("given"));
        QVERIFY(child<QLabel>(page, "filterExportStatus")
                    ->text()
                    .contains(QStringLiteral("page-filter.bin")));

        // Apply keeps what applyFilter keeps with the same model and threshold.
        QVERIFY(child<QPushButton>(page, "filterApplyButton")->isEnabled());
        QAbstractItemModelTester inputsTester(
            child<QListWidget>(page, "filterApplyInputsList")->model());
        QSignalSpy applied(&session, &FilterSession::applyFinished);
        const QString output = m_dir.filePath(QStringLiteral("page-kept.jsonl"));
        QVERIFY(page.applyTo({ m_demo.texts }, output, ApplyMode::Keep));
        QVERIFY(applied.wait(120000));
        FilterApplyOptions direct;
        direct.inputs = { m_demo.texts };
        direct.output = m_dir.filePath(QStringLiteral("direct-kept.jsonl"));
        direct.threshold = manual;
        auto saved = FastTextModel::load(model);
        QVERIFY(saved.ok());
        auto expected = applyFilter(*saved, direct, [](const Error &) {});
        QVERIFY(expected.ok());
        QCOMPARE(lineCount(output), expected->kept);
        QCOMPARE(readAll(output), readAll(direct.output));
        const QString applySummary = child<QLabel>(page, "filterApplySummary")->text();
        QVERIFY2(applySummary.contains(QStringLiteral("600 lines read")), qPrintable(applySummary));
        QVERIFY(applySummary.contains(QStringLiteral("MB/s")));
        QVERIFY(child<QPlainTextEdit>(page, "filterMalformed")->isHidden());

        // A saved model file: apply uses it at the threshold of its manifest.
        evaluation->useIncludeShare();
        QSignalSpy loaded(&session, &FilterSession::modelLoaded);
        QVERIFY(page.loadModelFrom(model));
        QVERIFY(loaded.wait(60000));
        QCOMPARE(page.threshold(), manual);
        QVERIFY(child<QLabel>(page, "filterApplyModel")
                    ->text()
                    .contains(QStringLiteral("page-filter.bin")));

        // Also on a page that trained nothing: only the threshold can be set there.
        FilterSession freshSession;
        FilterPage fresh(&m_selection, &freshSession);
        QVERIFY(!child<QDoubleSpinBox>(fresh, "filterThreshold")->isEnabled());
        QSignalSpy freshLoaded(&freshSession, &FilterSession::modelLoaded);
        QVERIFY(fresh.loadModelFrom(model));
        QVERIFY(freshLoaded.wait(60000));
        QVERIFY(child<QDoubleSpinBox>(fresh, "filterThreshold")->isEnabled());
        QVERIFY(!child<QDoubleSpinBox>(fresh, "filterKeepFraction")->isEnabled());
        QVERIFY(child<QPushButton>(fresh, "filterApplyButton")->isEnabled());
        QVERIFY(!child<QPushButton>(fresh, "filterExportButton")->isEnabled());
        QCOMPARE(fresh.threshold(), manual);
    }

    void malformedLinesAreListedForTrainingAndApply()
    {
        QByteArray input = readAll(m_demo.texts);
        input += "{\"id\":\"broken\",\"text\":\n";
        input += "{\"id\":\"numeric\",\"text\":3}\n";
        const QString path = m_dir.filePath(QStringLiteral("with-bad-lines.jsonl"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(input);
        file.close();

        // Training skips them and lists them.
        FilterSession session;
        FilterPage page(&m_selection, &session);
        page.setTextFiles({ path });
        useSmallCorpusSettings(page);
        QVERIFY(trainAndWait(page));
        QVERIFY(child<QLabel>(page, "filterSummary")
                    ->text()
                    .contains(QStringLiteral("2 lines skipped")));
        auto *trainingProblems = child<QPlainTextEdit>(page, "filterTrainingProblems");
        QVERIFY(!trainingProblems->isHidden());
        QVERIFY2(trainingProblems->toPlainText().startsWith(path + QStringLiteral(":601:")),
                 qPrintable(trainingProblems->toPlainText()));

        // So does apply, one FILE:LINE:COLUMN: reason per line.
        QSignalSpy applied(&session, &FilterSession::applyFinished);
        QVERIFY(
            page.applyTo({ path }, m_dir.filePath(QStringLiteral("scores.txt")), ApplyMode::Score));
        QVERIFY(applied.wait(120000));
        auto *malformed = child<QPlainTextEdit>(page, "filterMalformed");
        QVERIFY(!malformed->isHidden());
        const QStringList lines = malformed->toPlainText().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines.first().startsWith(path + QStringLiteral(":601:")),
                 qPrintable(lines.first()));
        QVERIFY(lines.last().startsWith(path + QStringLiteral(":602:")));
        QVERIFY(child<QLabel>(page, "filterApplySummary")
                    ->text()
                    .contains(QStringLiteral("2 malformed")));

        // The output must not replace an input.
        QVERIFY(!page.applyTo({ path }, path, ApplyMode::Keep));
        QVERIFY(!child<QLabel>(page, "filterError")->isHidden());
    }

    void aTextFileWithoutValidJsonShowsAnInlineError()
    {
        const QString bad = m_dir.filePath(QStringLiteral("not-json.jsonl"));
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        for (int i = 0; i < 20; ++i)
            file.write("{id: " + QByteArray::number(i) + ", text: oops\n");
        file.close();

        FilterSession session;
        FilterPage page(&m_selection, &session);
        page.setTextFiles({ bad });
        QSignalSpy failed(&session, &FilterSession::trainingFailed);
        QVERIFY(page.train());
        QVERIFY(failed.wait(60000));
        auto *error = child<QLabel>(page, "filterError");
        QVERIFY(!error->isHidden());
        QVERIFY2(error->text().startsWith(bad), qPrintable(error->text()));
        QVERIFY2(error->text().contains(QStringLiteral("no usable document")),
                 qPrintable(error->text()));
        QVERIFY(!session.filter());
        QVERIFY(!child<QPushButton>(page, "filterExportButton")->isEnabled());
    }

    void missingInputsAreInlineErrors()
    {
        FilterSession session;
        FilterPage page(nullptr, &session);
        auto *error = child<QLabel>(page, "filterError");
        QVERIFY(!page.train());
        QVERIFY(error->text().contains(QStringLiteral("text file")));
        page.setTextFiles({ m_demo.texts });
        QVERIFY(!page.train());  // no selection to label them with
        QVERIFY(error->text().contains(QStringLiteral("no selection")));
        page.setDistributionFile(m_dir.filePath(QStringLiteral("missing.csv")));
        QSignalSpy failed(&session, &FilterSession::trainingFailed);
        QVERIFY(page.train());
        QVERIFY(failed.wait(60000));
        QVERIFY2(error->text().contains(QStringLiteral("missing.csv")), qPrintable(error->text()));
    }

    void theMainWindowOffersTheStageWithTheDemoTexts()
    {
        MainWindow window;
        auto *stages = window.findChild<QListWidget *>(QStringLiteral("stageList"));
        QVERIFY(stages->item(MainWindow::FilterStage)->flags() & Qt::ItemIsEnabled);
        QVERIFY(stages->item(MainWindow::ReviewStage)->flags() & Qt::ItemIsEnabled);
        auto *page = window.findChild<FilterPage *>();
        QVERIFY(page);
        // The workspace owns the stage's session, so that the page can be rebuilt around it.
        QVERIFY(page->session() == window.workspace()->filter());
        QSignalSpy outcome(window.session(), &SelectionSession::outcomeChanged);
        window.openDemo();
        // A new dataset gets a fresh Filter page, with the demo's texts.
        auto *pages = window.findChild<QStackedWidget *>();
        page = qobject_cast<FilterPage *>(pages->widget(MainWindow::FilterStage));
        QVERIFY(page);
        QVERIFY(page->session() == window.workspace()->filter());
        auto *texts = page->findChild<QListWidget *>(QStringLiteral("filterTextsList"));
        QCOMPARE(texts->count(), 1);
        QVERIFY(
            texts->item(0)->data(Qt::UserRole).toString().endsWith(QStringLiteral("/texts.jsonl")));
        QVERIFY(outcome.wait(60000));
        window.showStage(MainWindow::FilterStage);
        QCOMPARE(window.findChild<QStackedWidget *>()->currentWidget(), page);
    }

    void cancelStopsTrainingFromThePage()
    {
        FilterSession session;
        FilterPage page(&m_selection, &session);
        page.setTextFiles({ m_demo.texts });
        child<QSpinBox>(page, "filterEpoch")->setValue(2000);  // used even while collapsed
        QSignalSpy progress(&session, &FilterSession::progressChanged);
        QSignalSpy canceled(&session, &FilterSession::trainingCanceled);
        QVERIFY(page.train());
        auto *cancel = child<QPushButton>(page, "filterCancelButton");
        QVERIFY(!cancel->isHidden());
        QVERIFY(!child<QPushButton>(page, "filterTrainButton")->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(0).toInt() > 160, 60000);
        cancel->click();
        QVERIFY(canceled.wait(30000));
        QVERIFY(cancel->isHidden());
        QVERIFY(child<QPushButton>(page, "filterTrainButton")->isEnabled());
        QCOMPARE(child<QLabel>(page, "filterStatus")->text(), QStringLiteral("Training canceled"));
    }
};

QTEST_MAIN(TestFilterPage)
#include "tst_filterpage.moc"
