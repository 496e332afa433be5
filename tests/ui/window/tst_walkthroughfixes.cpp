// Issue 15's walkthrough of the Data, Selection and Filter pages, offscreen: the result table at
// 1280×720, no stale state after a failed load or a new matrix, the threshold box, the
// histogram's scales, titles that say "weight" and elide, GUI words in errors, chart export
// looks, a window that never widens by itself.
#include "core/bpb/lossaggregate.h"
#include "core/demo/demodata.h"
#include "core/selection/estimatorinfo.h"
#include "tests/common/testdata.h"
#include "ui/charts/distributionchart.h"
#include "ui/charts/estimatorlabels.h"
#include "ui/charts/rankedestimateschart.h"
#include "ui/charts/textscatterchart.h"
#include "ui/common/elidedlabel.h"
#include "ui/common/wrappinglabel.h"
#include "ui/filter/evaluationpanel.h"
#include "ui/filter/filterpage.h"
#include "ui/filter/scorehistogramchart.h"
#include "ui/filter/trainingpanel.h"
#include "ui/models/selectiontablemodel.h"
#include "ui/models/textfocus.h"
#include "ui/models/texttableview.h"
#include "ui/window/datapage.h"
#include "ui/window/mainwindow.h"
#include "ui/window/selectioncontrols.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QBuffer>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTest>
#include <QTreeWidget>

#include <algorithm>
#include <cmath>

using namespace pcs;

namespace {

template<typename T> T *child(const QWidget &window, const char *name)
{
    T *found = window.findChild<T *>(QString::fromLatin1(name));
    if (!found)
        qFatal("no child %s", name);
    return found;
}

SelectionInputPaths pathsOf(const DemoFiles &files)
{
    SelectionInputPaths p;
    p.bpb = files.bpb;
    p.errors = files.errors;
    p.tokenCounts = files.tokenCounts;
    return p;
}

bool loadAndWait(MainWindow &window, const SelectionInputPaths &paths)
{
    QSignalSpy outcomes(window.session(), &SelectionSession::outcomeChanged);
    window.loadInputs(paths);
    return outcomes.wait(60000);
}

// The widgets that ask for more than `limit` pixels of width, deepest last, for a failure message.
QString widgetsWiderThan(const QWidget &window, int limit)
{
    QStringList lines;
    const QList<QWidget *> all = window.findChildren<QWidget *>();
    for (QWidget *widget : all) {
        if (widget->isHidden())
            continue;
        const int width = std::max(widget->minimumSizeHint().width(), widget->minimumWidth());
        if (width > limit)
            lines << QStringLiteral("%1 %2 (%3): %4")
                         .arg(QString::fromLatin1(widget->metaObject()->className()),
                              widget->objectName(),
                              widget->parentWidget() ? QString::fromLatin1(
                                  widget->parentWidget()->metaObject()->className())
                                                     : QString())
                         .arg(width);
    }
    return lines.join(QLatin1Char('\n'));
}

QStringList recentEntries()
{
    return QSettings().value(QStringLiteral("files/recent")).toStringList();
}

}  // namespace

class TestWalkthroughFixes : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    DemoFiles m_demo;

    // The Selection page's table in a window of `size`, after a load.
    void checkTableFits(const QSize &size)
    {
        MainWindow window;
        window.resize(size);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(loadAndWait(window, pathsOf(m_demo)));
        window.showStage(MainWindow::SelectionStage);
        QTest::qWait(50);
        QCOMPARE(window.size(), size);
        auto *view = window.findChild<TextTableView *>();
        QVERIFY(view);
        QTableView *table = view->tableView();
        QVERIFY(table->isVisible());
        const int viewport = table->viewport()->width();
        // No sideways scrolling, and the four columns that say what was chosen are whole.
        QCOMPARE(table->horizontalScrollBar()->maximum(), 0);
        for (const int column :
             { int(SelectionTableModel::TextColumn), int(SelectionTableModel::EstimateColumn),
               int(SelectionTableModel::WeightColumn), int(SelectionTableModel::IncludedColumn) }) {
            const int left = table->columnViewportPosition(column);
            QVERIFY2(left >= 0 && left + table->columnWidth(column) <= viewport,
                     qPrintable(QStringLiteral("column %1 at %2+%3 in %4")
                                    .arg(column)
                                    .arg(left)
                                    .arg(table->columnWidth(column))
                                    .arg(viewport)));
            QVERIFY(table->columnWidth(column) >= view->requiredColumnWidth(column)
                    || column == SelectionTableModel::TextColumn);
        }
        // The text column takes what the others leave, and is not squeezed to nothing.
        QVERIFY(table->columnWidth(SelectionTableModel::TextColumn)
                >= table->fontMetrics().horizontalAdvance(QStringLiteral("text-0000")));
        // Every number shown fits its cell: none is cut into a different number.
        const QFontMetrics metrics = table->fontMetrics();
        auto *model = view->model();
        for (int row = 0; row < std::min(200, model->rowCount()); ++row) {
            for (const int column :
                 { int(SelectionTableModel::EstimateColumn), int(SelectionTableModel::TauColumn),
                   int(SelectionTableModel::WeightColumn), int(SelectionTableModel::RankColumn) }) {
                const QString shown = model->index(row, column).data().toString();
                QVERIFY2(metrics.horizontalAdvance(shown) + 6 <= table->columnWidth(column),
                         qPrintable(shown));
            }
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QApplication::setOrganizationName(QStringLiteral("pcstudio-tests"));
        QApplication::setApplicationName(QStringLiteral("tst_walkthroughfixes"));
        QSettings().clear();
        auto demo = writeDemoDataset(generateDemoDataset({ 60, 500, 5 }),
                                     m_dir.filePath(QStringLiteral("demo")));
        QVERIFY(demo.ok());
        m_demo = *demo;
    }

    void init() { QSettings().clear(); }

    void resultTableFitsAt1280x720() { checkTableFits({ 1280, 720 }); }
    void resultTableFitsAtTheDefaultSize() { checkTableFits({ 1280, 820 }); }

    void tauAndWeightShareOneNotation()
    {
        QCOMPARE(SelectionTableModel::formatNumber(8.2754e-05, SelectionTableModel::WeightColumn),
                 QStringLiteral("8.28e-05"));
        QCOMPARE(SelectionTableModel::formatNumber(0.0033333, SelectionTableModel::TauColumn),
                 QStringLiteral("3.33e-03"));
        QCOMPARE(SelectionTableModel::formatNumber(0.0, SelectionTableModel::WeightColumn),
                 QStringLiteral("0"));
        // The widest string a column is sized for is at least as wide as any value's.
        const QFontMetrics metrics(QApplication::font());
        for (const double v : { 1e-300, 9.99e-100, 0.5, 123.0 })
            QVERIFY(metrics.horizontalAdvance(
                        SelectionTableModel::formatNumber(v, SelectionTableModel::WeightColumn))
                    <= metrics.horizontalAdvance(
                        SelectionTableModel::widestNumber(SelectionTableModel::WeightColumn)));
        for (const double v : { -1.23456e-123, -0.000123456, 0.98765, -12345.6 })
            QVERIFY(metrics.horizontalAdvance(
                        SelectionTableModel::formatNumber(v, SelectionTableModel::EstimateColumn))
                    <= metrics.horizontalAdvance(
                        SelectionTableModel::widestNumber(SelectionTableModel::EstimateColumn)));
    }

    void thresholdBoxKeepsTypedInput()
    {
        EvaluationPanel panel;
        panel.clearFilter(true);  // a model file to apply: the threshold is typed by hand
        panel.show();
        auto *spin = child<QDoubleSpinBox>(panel, "filterThreshold");
        auto *edit = spin->findChild<QLineEdit *>();
        QVERIFY(edit);
        spin->setFocus();
        edit->selectAll();
        QTest::keyClicks(edit, QStringLiteral("0.45"));
        // As typed, while typing: not rewritten under the cursor.
        QCOMPARE(edit->text(), QStringLiteral("0.45"));
        QTest::keyClick(edit, Qt::Key_Return);
        QCOMPARE(panel.threshold(), 0.45);
        QCOMPARE(spin->value(), 0.45);
    }

    void failedLoadLeavesNoStaleSummary()
    {
        MainWindow window;
        window.show();
        QVERIFY(loadAndWait(window, pathsOf(m_demo)));
        auto *summary = child<QLabel>(window, "dataSummary");
        QVERIFY(summary->text().contains(QStringLiteral("60 LLMs")));
        QVERIFY(child<QTreeWidget>(window, "benchmarkList")->topLevelItemCount() > 0);
        QVERIFY(child<QTreeWidget>(window, "droppedLlms")->topLevelItemCount() > 0);

        // A PNG given as the matrix: the load fails and says what the file is.
        QByteArray png;
        {
            QImage image(4, 4, QImage::Format_RGB32);
            image.fill(Qt::red);
            QBuffer buffer(&png);
            buffer.open(QIODevice::WriteOnly);
            QVERIFY(image.save(&buffer, "PNG"));
        }
        SelectionInputPaths bad = pathsOf(m_demo);
        bad.bpb = test::writeFile(m_dir, QStringLiteral("picture.png"), png);
        QSignalSpy failed(window.session(), &SelectionSession::loadFailed);
        window.loadInputs(bad);
        QVERIFY(failed.wait(30000));
        const QString error = child<QLabel>(window, "loadError")->text();
        QVERIFY2(error.contains(QStringLiteral("not a CSV/TSV file"))
                     && error.contains(QStringLiteral("PNG")) && !error.contains("UTF-8"),
                 qPrintable(error));
        // Nothing of the previous files is shown as if it were these files'.
        QVERIFY2(!summary->text().contains(QStringLiteral("60 LLMs")), qPrintable(summary->text()));
        QCOMPARE(child<QTreeWidget>(window, "benchmarkList")->topLevelItemCount(), 0);
        QCOMPARE(child<QTreeWidget>(window, "droppedLlms")->topLevelItemCount(), 0);
        // Only files that loaded are in Open Recent.
        for (const QString &entry : recentEntries())
            QVERIFY2(!entry.endsWith(QStringLiteral("picture.png")), qPrintable(entry));
    }

    void errorBannersGoWhenTheCauseIsFixed()
    {
        MainWindow window;
        window.show();
        SelectionInputPaths half;
        half.bpb = m_demo.bpb;
        window.loadInputs(half);
        auto *banner = child<QLabel>(window, "loadError");
        QVERIFY(banner->isVisible());
        child<QLineEdit>(window, "errorsPath")->setText(m_demo.errors);
        QVERIFY(!banner->isVisible());
    }

    void layoutIsChosenOnThePageNotWithAFlag()
    {
        MainWindow window;
        window.show();
        SelectionInputPaths paths = pathsOf(m_demo);
        paths.bpb = test::writeFile(m_dir, QStringLiteral("odd.csv"), "who,what,value\na,t,1\n");
        QSignalSpy failed(window.session(), &SelectionSession::loadFailed);
        window.loadInputs(paths);
        QVERIFY(failed.wait(30000));
        const QString error = child<QLabel>(window, "loadError")->text();
        QVERIFY2(!error.contains(QStringLiteral("--layout")) && error.contains("Layout above"),
                 qPrintable(error));
        auto *layout = child<QComboBox>(window, "bpbLayout");
        layout->setCurrentIndex(layout->findData(bpbLayoutName(BpbLayout::Long)));
        QVERIFY(!child<QLabel>(window, "loadError")->isVisible());  // its cause is being fixed
        auto *page = window.findChild<DataPage *>();
        QVERIFY(page);
        QCOMPARE(page->paths().bpbOptions.layout, BpbLayout::Long);
        // Read as chosen: the long layout's own complaint, not "cannot tell the layout".
        window.loadInputs(page->paths());
        QVERIFY(failed.wait(30000));
        QVERIFY2(!child<QLabel>(window, "loadError")->text().contains("cannot tell the layout"),
                 qPrintable(child<QLabel>(window, "loadError")->text()));
    }

    void openRecentListsLoadedFilesWithTheirRole()
    {
        MainWindow window;
        window.show();
        QVERIFY(loadAndWait(window, pathsOf(m_demo)));
        const QStringList recent = recentEntries();
        QVERIFY(
            recent.contains(QStringLiteral("bpb\t") + QFileInfo(m_demo.bpb).absoluteFilePath()));
        QVERIFY(recent.contains(QStringLiteral("errors\t")
                                + QFileInfo(m_demo.errors).absoluteFilePath()));
        QVERIFY(recent.contains(QStringLiteral("token_counts\t")
                                + QFileInfo(m_demo.tokenCounts).absoluteFilePath()));
        QMenu *menu = nullptr;
        for (QMenu *candidate : window.findChildren<QMenu *>())
            if (candidate->title() == QStringLiteral("Open &Recent"))
                menu = candidate;
        QVERIFY(menu);
        QStringList labels;
        for (QAction *action : menu->actions())
            labels << action->text();
        QVERIFY2(labels.first().startsWith(QStringLiteral("Token counts — "))
                     || labels.first().startsWith(QStringLiteral("Benchmark errors — "))
                     || labels.first().startsWith(QStringLiteral("BPB matrix — ")),
                 qPrintable(labels.join(QLatin1Char('\n'))));
        QVERIFY(labels.filter(QStringLiteral("BPB matrix — ")).size() == 1);
    }

    void builtMatrixDoesNotReuseThePreviousInputs()
    {
        MainWindow window;
        window.show();
        QVERIFY(loadAndWait(window, pathsOf(m_demo)));
        // Two LLMs on two texts, one row per text; b's chunk 0 of t2 has no loss and is dropped,
        // its chunk 1 still gives b a BPB on t2.
        const QString losses
            = test::writeFile(m_dir, QStringLiteral("losses.csv"),
                              "llm,text,chunk,loss,tokens,bytes\n"
                              "a,t1,0,1.0,10,40\na,t2,0,1.1,10,40\n"
                              "b,t1,0,0.9,10,40\nb,t2,0,,10,40\nb,t2,1,1.2,10,40\n");
        const QString built = m_dir.filePath(QStringLiteral("built.csv"));
        QSignalSpy done(&window, &MainWindow::bpbBuilt);
        window.buildBpbFromLosses({ losses }, int(LossGrouping::Text), built);
        QVERIFY2(done.wait(30000), qPrintable(child<QLabel>(window, "loadError")->text()));
        QCOMPARE(child<QLineEdit>(window, "bpbPath")->text(), built);
        QVERIFY(child<QLineEdit>(window, "errorsPath")->text().isEmpty());
        QVERIFY(child<QLineEdit>(window, "tokensPath")->text().isEmpty());
        auto *report = child<QLabel>(window, "bpbBuildReport");
        QVERIFY(report->isVisible());
        QVERIFY2(report->text().contains(QStringLiteral("Dropped chunks"))
                     && report->text().contains(QStringLiteral("losses.csv:5")),
                 qPrintable(report->text()));
        QVERIFY(!child<QLabel>(window, "dataSummary")->text().contains(QStringLiteral("60 LLMs")));
    }

    void aDuplicateChunkIsNamedNotBuilt()
    {
        MainWindow window;
        window.show();
        // b's t2 twice: once without a loss, once with one. Which one is meant is not ours to
        // guess: the build stops at the second row.
        const QString losses = test::writeFile(m_dir, QStringLiteral("duplicate.csv"),
                                               "llm,text,loss,tokens,bytes\n"
                                               "a,t1,1.0,10,40\na,t2,1.1,10,40\n"
                                               "b,t1,0.9,10,40\nb,t2,,10,40\nb,t2,1.2,10,40\n");
        const QString built = m_dir.filePath(QStringLiteral("never.csv"));
        QSignalSpy done(&window, &MainWindow::bpbBuilt);
        window.buildBpbFromLosses({ losses }, int(LossGrouping::Text), built);
        auto *error = child<QLabel>(window, "loadError");
        QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 30000);
        const QString text = QString(error->text()).remove(QChar(0x200B));
        QVERIFY2(text.contains(QStringLiteral("duplicate.csv:6"))
                     && text.contains(QStringLiteral("appears twice for b")),
                 qPrintable(text));
        QCOMPARE(done.count(), 0);
        QVERIFY(!QFileInfo::exists(built));
    }

    void openingAWorkspaceResetsTheFilterPage()
    {
        MainWindow window;
        window.show();
        QVERIFY(loadAndWait(window, pathsOf(m_demo)));
        const QString workspace = m_dir.filePath(QStringLiteral("w.pcstudio"));
        QVERIFY(window.saveWorkspaceTo(workspace));
        FilterPage *before = window.filterPage();
        before->setTextFiles({ m_demo.texts });
        before->setDistributionFile(m_demo.bpb);
        QVERIFY(window.openWorkspace(workspace));
        FilterPage *after = window.filterPage();
        QVERIFY(after != before);
        QVERIFY(after->trainingPanel()->textFiles().isEmpty());
        QVERIFY(after->trainingPanel()->usesCurrentSelection());
        QVERIFY(!after->session()->filter());
        QTRY_COMPARE(window.findChildren<FilterPage *>().size(), 1);
        window.session()->waitForIdle();
    }

    void scatterTitleSaysWeightAndTitlesElide()
    {
        MainWindow window;
        window.show();
        QVERIFY(loadAndWait(window, pathsOf(m_demo)));
        const auto outcome = window.session()->outcome();
        int included = -1;
        for (Eigen::Index j = 0; j < outcome->table.weight.size() && included < 0; ++j)
            if (outcome->table.weight[j] > 0)
                included = int(j);
        QVERIFY(included >= 0);
        window.focus()->setCurrent(included);
        auto *scatter = window.findChild<TextScatterChart *>(QStringLiteral("scatterChart"));
        QVERIFY(scatter);
        const QString title = scatter->fullTitle();
        QVERIFY2(title.contains(QStringLiteral("weight")) && !title.contains(QStringLiteral("p =")),
                 qPrintable(title));
        QVERIFY2(title.contains(estimatorLabel(Estimator::Spearmanr)), qPrintable(title));
        // Narrow: the title is elided, whole in its tooltip; never wider than the chart.
        scatter->setMinimumWidth(0);
        window.showStage(MainWindow::SelectionStage);
        scatter->resize(220, 300);
        QApplication::processEvents();
        QVERIFY(scatter->shownTitle().endsWith(QStringLiteral("…")));
        QCOMPARE(scatter->fullTitle(), title);
        QVERIFY(QFontMetrics(scatter->chart()->titleFont()).horizontalAdvance(scatter->shownTitle())
                <= scatter->chartView()->viewport()->width());
    }

    void histogramHasLogAndPerClassScales()
    {
        ScoreHistogramChart chart;
        // 900 include documents and 100 exclude, the same shape.
        chart.setHistograms({ 0, 300, 600 }, { 0, 33, 67 });
        QCOMPARE(chart.shownHeight(600, true), 600.0);
        chart.setPerClassDensity(true);
        QCOMPARE(chart.shownHeight(600, true), 100.0 * 600 / 900);
        QCOMPARE(chart.shownHeight(67, false), 100.0 * 67 / 100);
        // The small class is now as tall as the large one.
        QVERIFY(std::abs(chart.shownHeight(67, false) - chart.shownHeight(600, true)) < 1.0);
        chart.setPerClassDensity(false);
        chart.setLogScale(true);
        QCOMPARE(chart.shownHeight(999, true), 3.0);
        QCOMPARE(chart.shownHeight(0, true), 0.0);
        // The outline follows the scale.
        QCOMPARE(chart.includeSeries()->at(5).y(), std::log10(601.0));
    }

    void progressShowsPercentAndTimeLeft()
    {
        QCOMPARE(FilterPage::progressText(QStringLiteral("Training"), 500, 10000),
                 QStringLiteral("Training… 50.0% · about 10 s left"));
        // Too early to tell: no guess.
        QCOMPARE(FilterPage::progressText(QStringLiteral("Training"), 10, 300),
                 QStringLiteral("Training… 1.0%"));
        QVERIFY(FilterPage::progressText(QStringLiteral("Training"), 100, 60000)
                    .contains(QStringLiteral("about 9 min left")));
    }

    void keepAndEstimatorsAreExplained()
    {
        QVERIFY(SelectionControls::keepHelp(Projection::L2, 0.1)
                    .contains(QStringLiteral("every text")));
        QVERIFY(SelectionControls::keepHelp(Projection::Linear, 0.1).contains("caps"));
        QVERIFY(estimatorHelp(Estimator::Product).contains(QStringLiteral("uncentred")));
        // One explanation, core's, in the app as in the CLI.
        for (const Estimator estimator :
             { Estimator::Spearmanr, Estimator::SignCdf, Estimator::Sign, Estimator::SignSign,
               Estimator::Product })
            QVERIFY(estimatorHelp(estimator).contains(estimatorInfo(estimator).paragraph()));
        MainWindow window;
        auto *controls = window.findChild<SelectionControls *>();
        QVERIFY(controls);
        QVERIFY(child<QLabel>(*controls, "keepHelp")->text().contains("caps each text"));
        auto *estimators = child<QComboBox>(*controls, "estimatorCombo");
        auto *warning = child<QLabel>(*controls, "productWarning");
        QVERIFY(warning->isHidden());
        estimators->setCurrentIndex(estimators->findData(estimatorName(Estimator::Product)));
        QVERIFY(!warning->isHidden() && warning->text().contains(QStringLiteral("uncentred")));
        estimators->setCurrentIndex(estimators->findData(estimatorName(Estimator::Spearmanr)));
        QVERIFY(warning->isHidden());
        auto *compare = child<QComboBox>(window, "compareEstimator");
        for (QComboBox *combo : { estimators, compare }) {
            QVERIFY(
                combo->itemText(0).startsWith(estimatorInfo(Estimator::Spearmanr).friendlyName));
            for (int i = 0; i < combo->count(); ++i)
                QVERIFY(!combo->itemData(i, Qt::ToolTipRole).toString().isEmpty());
        }
    }

    void finishedComparisonLeavesNoRunningMessage()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(loadAndWait(window, pathsOf(m_demo)));
        window.showStage(MainWindow::CompareStage);
        QSignalSpy compared(window.session(), &SelectionSession::comparisonChanged);
        auto *compare = child<QComboBox>(window, "compareEstimator");
        compare->setCurrentIndex(compare->findData(estimatorName(Estimator::SignSign)));
        QVERIFY(compared.wait(60000));
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 60000);
        const QString status = child<ElidedLabel>(window, "statusText")->fullText();
        QVERIFY2(!status.endsWith(QStringLiteral("…")), qPrintable(status));
    }

    void viewMenuNamesEveryStage()
    {
        MainWindow window;
        QMenu *view = nullptr;
        for (QAction *action : window.menuBar()->actions())
            if (action->text() == QStringLiteral("&View"))
                view = action->menu();
        QVERIFY(view);
        QStringList texts;
        for (QAction *action : view->actions())
            texts << action->text().remove(QLatin1Char('&'));
        for (const QString &stage :
             { "1 Data", "2 Selection", "3 Distribution", "4 Compare", "5 Filter", "6 Review" })
            QVERIFY2(texts.contains(stage), qPrintable(texts.join(QLatin1Char('|'))));
    }

    void helpNamesEveryStage()
    {
        QProcess gui;
        gui.start(QStringLiteral(PCSTUDIO_GUI_PATH), { QStringLiteral("--help") });
        QVERIFY(gui.waitForFinished(30000));
        const QString help = QString::fromUtf8(gui.readAllStandardOutput());
        for (const QString &stage :
             { "1 Data", "2 Selection", "3 Distribution", "4 Compare", "5 Filter", "6 Review" })
            QVERIFY2(help.simplified().contains(stage), qPrintable(help));
        QVERIFY(help.contains(QStringLiteral("--size"))
                && help.contains(QStringLiteral("--theme")));
    }

    void chartExportOffersEveryLookWhateverTheTheme()
    {
        MainWindow window;
        window.show();
        QVERIFY(loadAndWait(window, pathsOf(m_demo)));
        window.showStage(MainWindow::SelectionStage);
        auto *ranked = window.findChild<RankedEstimatesChart *>(QStringLiteral("rankedChart"));
        QVERIFY(ranked);
        ranked->setThemeMode(ChartWidget::ThemeMode::Dark);
        QApplication::processEvents();
        const auto corner = [&](ChartWidget::ExportLook look, const char *name) {
            const QString path = m_dir.filePath(QString::fromLatin1(name));
            const Status written = ranked->exportTo(path, look);
            if (!written)
                qWarning("%s", qPrintable(written.error().toString()));
            return QImage(path).pixelColor(2, 2);
        };
        QVERIFY(corner(ChartWidget::ExportLook::Light, "light.png").lightness() > 200);
        QVERIFY(corner(ChartWidget::ExportLook::Dark, "dark.png").lightness() < 80);
        QCOMPARE(corner(ChartWidget::ExportLook::Transparent, "clear.png").alpha(), 0);
        // The screen keeps its own look.
        QCOMPARE(ranked->themeMode(), ChartWidget::ThemeMode::Dark);
        QVERIFY(ranked->isDark());
    }

    void longPathsWrapInsteadOfWidening()
    {
        const QString path = QStringLiteral("/work/shared/data/run-2026/bpb_matrix.csv");
        QCOMPARE(breakLongRuns(path), path);  // ordinary paths break at their slashes already
        const QString longName = QStringLiteral("/tmp/") + QString(200, QLatin1Char('y'));
        const QString broken = breakLongRuns(longName);
        QCOMPARE(broken.count(QChar(0x200B)), 3);  // after 60, 120 and 180 characters
        QCOMPARE(QString(broken).remove(QChar(0x200B)), longName);

        QLabel label;
        makeWrapping(&label);
        setWrappingText(&label, QStringLiteral("cannot open ") + longName);
        QVERIFY2(label.minimumSizeHint().width() < 600,
                 qPrintable(QString::number(label.minimumSizeHint().width())));
        QVERIFY(label.heightForWidth(300) >= 3 * label.fontMetrics().height());
    }

    void theWindowNeverWidensByItself()
    {
        MainWindow window;
        window.resize(1280, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(loadAndWait(window, pathsOf(m_demo)));
        for (int stage = MainWindow::DataStage; stage <= MainWindow::FilterStage; ++stage) {
            window.showStage(stage);
            QApplication::processEvents();
        }
        // Long messages: a status, a map path, an error.
        SelectionInputPaths missing;
        missing.bpb = QString(400, QLatin1Char('x'));
        window.loadInputs(missing);
        QSignalSpy failed(window.session(), &SelectionSession::loadFailed);
        SelectionInputPaths longPaths = pathsOf(m_demo);
        longPaths.bpb = m_dir.filePath(QString(200, QLatin1Char('y')) + QStringLiteral(".csv"));
        window.loadInputs(longPaths);
        QVERIFY(failed.wait(30000));
        QApplication::processEvents();
        QVERIFY2(window.minimumSizeHint().width() <= 1280,
                 qPrintable(QString::number(window.minimumSizeHint().width()) + QLatin1Char('\n')
                            + widgetsWiderThan(window, 1000)));
        QCOMPARE(window.width(), 1280);
    }
};

QTEST_MAIN(TestWalkthroughFixes)
#include "tst_walkthroughfixes.moc"
