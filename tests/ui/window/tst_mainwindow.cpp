// The main window end to end, offscreen: load files, run, look at every view, export and compare
// with the CLI, cancel, workspaces, the close prompt.
#include "core/demo/demodata.h"
#include "core/io/bpbloader.h"
#include "core/workspace/reviewsession.h"
#include "core/workspace/workspacesession.h"
#include "tests/common/faults.h"
#include "tests/common/testdata.h"
#include "ui/charts/comparisonchart.h"
#include "ui/charts/distributionchart.h"
#include "ui/charts/rankedestimateschart.h"
#include "ui/charts/textscatterchart.h"
#include "ui/filter/applypanel.h"
#include "ui/filter/filterpage.h"
#include "ui/filter/trainingpanel.h"
#include "ui/models/selectiontablemodel.h"
#include "ui/models/textfocus.h"
#include "ui/models/texttableview.h"
#include "ui/review/reviewpage.h"
#include "ui/window/datapage.h"
#include "ui/window/mainwindow.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

#include <algorithm>
#include <numbers>
#include <optional>

using namespace pcs;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QJsonObject readJson(const QString &path)
{
    return QJsonDocument::fromJson(readAll(path)).object();
}

// File ▸ Export Distribution runs in the background: start it and wait for its outcome.
Status exportAndWait(MainWindow &window, const QString &path)
{
    std::optional<Status> outcome;
    Status started
        = window.exportDistributionTo(path, [&](const Status &written) { outcome = written; });
    if (!started)
        return started;
    if (!QTest::qWaitFor([&] { return outcome.has_value(); }, 60000))
        return Error::internal(QStringLiteral("the export did not finish"));
    return *outcome;
}

// Runs pcstudio-cli; returns its exit code, with stderr in `err`.
int runCli(const QStringList &arguments, QByteArray *err = nullptr)
{
    QProcess process;
    process.start(test::cliPath(), arguments);
    if (!process.waitForFinished(120000))
        return -1;
    if (err)
        *err = process.readAllStandardError();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

SelectionInputPaths pathsOf(const DemoFiles &files)
{
    SelectionInputPaths p;
    p.bpb = files.bpb;
    p.errors = files.errors;
    p.tokenCounts = files.tokenCounts;
    return p;
}

template<typename T> T *child(const QWidget &window, const char *name)
{
    T *found = window.findChild<T *>(QString::fromLatin1(name));
    if (!found)
        qFatal("no child %s", name);
    return found;
}

// Chooses the item whose data is `name`, as a user picking it in the combo box would.
void choose(QComboBox *combo, const QString &name)
{
    const int index = combo->findData(name);
    QVERIFY2(index >= 0, qPrintable(name));
    combo->setCurrentIndex(index);
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    DemoFiles m_small;
    DemoFiles m_large;

    // Loads `paths` into `window` and waits for the first outcome.
    static bool loadAndWait(MainWindow &window, const SelectionInputPaths &paths)
    {
        QSignalSpy outcomes(window.session(), &SelectionSession::outcomeChanged);
        window.loadInputs(paths);
        return outcomes.wait(60000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(
            true);  // settings and recent files stay out of the user's
        QApplication::setOrganizationName(QStringLiteral("pcstudio-tests"));
        QApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
        auto small = writeDemoDataset(generateDemoDataset({ 80, 600, 11 }),
                                      m_dir.filePath(QStringLiteral("small")));
        QVERIFY(small.ok());
        m_small = *small;
        // Big enough that a sign_sign run takes a moment, so a Cancel lands mid-run.
        auto large = writeDemoDataset(generateDemoDataset({ 240, 20000, 12 }),
                                      m_dir.filePath(QStringLiteral("large")));
        QVERIFY(large.ok());
        m_large = *large;
    }

    void loadRunAndEveryViewIsPopulated()
    {
        MainWindow window;
        window.show();
        QVERIFY(loadAndWait(window, pathsOf(m_small)));
        QCOMPARE(window.currentStage(), int(MainWindow::SelectionStage));
        const auto outcome = window.session()->outcome();
        const int texts = int(outcome->table.texts.size());
        QCOMPARE(texts, 600);

        // Data page: the summary, the benchmarks with check boxes.
        QVERIFY(child<QLabel>(window, "dataSummary")
                    ->text()
                    .contains(QStringLiteral("80 LLMs × 600 texts")));
        auto *benchmarks = child<QTreeWidget>(window, "benchmarkList");
        QCOMPARE(benchmarks->topLevelItemCount(), 2);
        QCOMPARE(benchmarks->topLevelItem(0)->checkState(0), Qt::Checked);

        // The table: one row per text, ordered by rank, under the model tester.
        auto *table = child<TextTableView>(window, "textTable");
        QAbstractItemModelTester tester(table->model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(table->model()->rowCount(), texts);
        const int top = table->model()->textIndexForRow(0);
        QCOMPARE(outcome->table.rank[top], 1);

        // Charts.
        auto *ranked = child<RankedEstimatesChart>(window, "rankedChart");
        QCOMPARE(ranked->textCount(), texts);
        const int included = int((outcome->table.weight.array() > 0).count());
        QCOMPARE(ranked->cutRank(), included);
        auto *scatter = child<TextScatterChart>(window, "scatterChart");
        QCOMPARE(window.focus()->current(), top);  // starts on the strongest text
        QCOMPARE(scatter->shownText(), top);
        QCOMPARE(scatter->pointSeries()->count(), 80);
        // A hidden page catches up when shown.
        auto *distribution = child<DistributionChart>(window, "distributionChart");
        QCOMPARE(distribution->includedCount(), 0);
        window.showStage(MainWindow::DistributionStage);
        QCOMPARE(distribution->includedCount(), included);
        QVERIFY(child<QLabel>(window, "distributionSummary")
                    ->text()
                    .contains(QString::number(included)));

        // A click in the table shows in the other views.
        window.showStage(MainWindow::SelectionStage);
        const int row = 5;
        const int picked = table->model()->textIndexForRow(row);
        QTableView *view = table->tableView();
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                          view->visualRect(view->model()->index(row, 0)).center());
        QCOMPARE(window.focus()->current(), picked);
        QCOMPARE(scatter->shownText(), picked);
        const int place = distribution->positionOfText(picked);
        QCOMPARE(place > 0, outcome->table.weight[picked] > 0);
        if (place > 0)
            QCOMPARE(distribution->textAtPosition(place), picked);

        // Compare: computed when the stage is first shown.
        auto *comparison = child<ComparisonChart>(window, "comparisonChart");
        QSignalSpy compared(window.session(), &SelectionSession::comparisonChanged);
        window.showStage(MainWindow::CompareStage);
        QVERIFY(compared.wait(30000));
        QCOMPARE(child<QComboBox>(window, "compareEstimator")->currentData().toString(),
                 QStringLiteral("sign_cdf"));
        QVERIFY(comparison->drawnPointCount() > 0);
        QVERIFY(comparison->isDrawn(picked));
        QVERIFY(comparison->summaryText().contains(QStringLiteral("Top 1%")));
        // Choosing another estimator recomputes.
        auto *other = child<QComboBox>(window, "compareEstimator");
        other->setCurrentIndex(other->findData(QStringLiteral("product")));
        Q_EMIT other->activated(other->currentIndex());
        QVERIFY(compared.wait(30000));
        QCOMPARE(window.session()->comparisonEstimator(),
                 std::optional<Estimator>(Estimator::Product));

        // Every chart exports.
        for (const char *name :
             { "rankedChart", "scatterChart", "distributionChart", "comparisonChart" }) {
            const QString png = m_dir.filePath(QString::fromLatin1(name) + QStringLiteral(".png"));
            QVERIFY2(child<ChartWidget>(window, name)->exportTo(png).ok(), name);
            QVERIFY(readAll(png).startsWith("\x89PNG"));
        }
    }

    void parameterControlsRerun()
    {
        MainWindow window;
        window.show();
        QVERIFY(loadAndWait(window, pathsOf(m_small)));
        QSignalSpy outcomes(window.session(), &SelectionSession::outcomeChanged);
        choose(child<QComboBox>(window, "projectionCombo"), QStringLiteral("l2"));
        QVERIFY(outcomes.wait(30000));
        QCOMPARE(window.session()->outcome()->parameters.projection, Projection::L2);
        child<QDoubleSpinBox>(window, "keepPercent")->setValue(35.0);
        QVERIFY(outcomes.wait(30000));
        QCOMPARE(window.session()->outcome()->parameters.keepRatio, 0.35);
        QVERIFY(window.isDirty());
        // Unchecking a benchmark reruns on the other one alone.
        auto *benchmarks = child<QTreeWidget>(window, "benchmarkList");
        const QString kept = benchmarks->topLevelItem(1)->text(0);
        benchmarks->topLevelItem(0)->setCheckState(0, Qt::Unchecked);
        QVERIFY(outcomes.wait(30000));
        QCOMPARE(window.session()->outcome()->parameters.benchmarks, QStringList { kept });
    }

    // The Data page's matching and combination controls rerun, and the outcome follows them:
    // exact names vs Hugging Face ids, duplicates kept or dropped, a map file through the file
    // dialog, mean vs rank mean vs z-score mean. The choices are saved in the workspace.
    void dataPageMatchingAndCombining()
    {
        // Six LLMs; the benchmark file labels m4 and m5 by another family, the BPB file has m5
        // twice (same id, identical values) and m6 with m1's BPB values (identical rows).
        const QString folder = m_dir.filePath(QStringLiteral("matching"));
        QVERIFY(QDir().mkpath(folder));
        const QString bpb = folder + QStringLiteral("/bpb.csv");
        const QString errors = folder + QStringLiteral("/errors.csv");
        const QString map = folder + QStringLiteral("/map.csv");
        auto write = [](const QString &path, const QByteArray &bytes) {
            QFile file(path);
            return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
        };
        QVERIFY(write(
            bpb,
            "id,\"('a', 'org/m1')\",\"('a', 'org/m2')\",\"('a', 'org/m3')\","
            "\"('b', 'org/m4')\",\"('b', 'org/m5')\",\"('c', 'org/m5')\",\"('d', 'org/m6')\"\n"
            "t1,1.0,1.1,1.2,1.3,1.4,1.4,1.0\n"
            "t2,1.4,1.3,1.25,1.1,1.0,1.0,1.4\n"
            "t3,2.0,2.5,2.1,2.4,2.2,2.2,2.0\n"
            "t4,0.5,0.6,0.62,0.7,0.9,0.9,0.5\n"));
        QVERIFY(write(errors,
                      "benchmark,\"('a', 'org/m1')\",\"('a', 'org/m2')\",\"('a', 'org/m3')\","
                      "\"('x', 'org/m4')\",\"('x', 'org/m5')\",\"('d', 'org/m6')\"\n"
                      "arc,0.1,0.3,0.2,0.5,0.4,0.6\n"
                      "lambada,40,10,30,20,60,50\n"));
        QVERIFY(write(map,
                      "bpb_name,errors_name\n\"('b', 'org/m4')\",\"('x', 'org/m4')\"\n"
                      "\"('b', 'org/m5')\",\"('x', 'org/m5')\"\n"));
        SelectionInputPaths paths;
        paths.bpb = bpb;
        paths.errors = errors;

        MainWindow window;
        window.show();
        QVERIFY(loadAndWait(window, paths));
        window.showStage(MainWindow::DataStage);
        auto outcome = [&] { return window.session()->outcome(); };
        auto *droppedList = child<QTreeWidget>(window, "droppedLlms");
        auto listed = [&] {
            QStringList lines;
            for (QTreeWidgetItemIterator it(droppedList); *it; ++it)
                lines << (*it)->text(0) + QStringLiteral(" | ") + (*it)->text(1);
            return lines.join(QLatin1Char('\n'));
        };
        // Exact names: m1, m2, m3, m6; m6 has m1's BPB values, both used, said as a duplicate.
        QCOMPARE(outcome()->aligned.llms.size(), 4);
        QCOMPARE(outcome()->aligned.benchmarks, QStringList { "arc" });  // the rates
        QVERIFY2(listed().contains("Duplicates (1)"), qPrintable(listed()));
        QVERIFY2(listed().contains("('b', 'org/m4') | not in the benchmark file; closest there: "
                                   "\"('x', 'org/m4')\" (same Hugging Face id)"),
                 qPrintable(listed()));
        QVERIFY(child<QLabel>(window, "dataSummary")->text().contains("matched by exact name"));

        QSignalSpy outcomes(window.session(), &SelectionSession::outcomeChanged);
        choose(child<QComboBox>(window, "matchCombo"), QStringLiteral("hf-id"));
        QVERIFY(outcomes.wait(30000));
        QCOMPARE(outcome()->parameters.matching, LlmMatching::HfId);
        QCOMPARE(outcome()->aligned.llms.size(), 6);  // m5 once
        QVERIFY2(listed().contains("('c', 'org/m5') | duplicate of \"('b', 'org/m5')\""),
                 qPrintable(listed()));
        QVERIFY(
            child<QLabel>(window, "dataSummary")->text().contains("matched by Hugging Face id"));

        child<QCheckBox>(window, "dedupeLlms")->setChecked(true);
        QVERIFY(outcomes.wait(30000));
        QCOMPARE(outcome()->aligned.llms.size(), 5);
        QVERIFY(!outcome()->aligned.llms.contains(QStringLiteral("('d', 'org/m6')")));

        // Two benchmarks on different scales: the mean follows lambada, and says so.
        auto *benchmarks = child<QTreeWidget>(window, "benchmarkList");
        QCOMPARE(benchmarks->topLevelItem(0)->text(2), QStringLiteral("as is"));
        QCOMPARE(benchmarks->topLevelItem(0)->text(3), QStringLiteral("5/5"));
        benchmarks->topLevelItem(1)->setCheckState(0, Qt::Checked);
        QVERIFY(outcomes.wait(30000));
        QCOMPARE(outcome()->aligned.benchmarks, (QStringList { "arc", "lambada" }));
        auto warned = [&](const char *phrase) {
            return std::any_of(outcome()->warnings.begin(), outcome()->warnings.end(),
                               [&](const Error &w) { return w.reason.contains(phrase); });
        };
        QVERIFY(warned("dominates the mean"));
        const Eigen::VectorXd means = outcome()->aligned.errors;

        auto *help = child<QLabel>(window, "combineHelp");
        const QString meanHelp = help->text();
        choose(child<QComboBox>(window, "combineCombo"), QStringLiteral("rank-mean"));
        QVERIFY(outcomes.wait(30000));
        QCOMPARE(outcome()->parameters.combination, Combination::RankMean);
        QVERIFY(help->text() != meanHelp && help->text().contains("ranks"));
        QVERIFY(!warned("dominates the mean"));
        // LLMs sorted by name: m1 m2 m3 m4 m5 (the b's). arc 0.1 0.3 0.2 0.5 0.4 ranks 1 3 2 5 4;
        // lambada 40 10 30 20 60 ranks 4 1 3 2 5; their means:
        const Eigen::VectorXd ranks = outcome()->aligned.errors;
        QCOMPARE(ranks.size(), Eigen::Index(5));
        const double expected[] = { 2.5, 2.0, 2.5, 3.5, 4.5 };
        for (int i = 0; i < 5; ++i)
            QCOMPARE(ranks[i], expected[i]);
        QVERIFY(ranks != means);
        choose(child<QComboBox>(window, "combineCombo"), QStringLiteral("z-mean"));
        QVERIFY(outcomes.wait(30000));
        QVERIFY(std::abs(outcome()->aligned.errors.sum()) < 1e-12);  // z-scores centre on 0

        // "Map file…" asks for the file (the dialog is canceled here: nothing changes, the
        // choice goes back to what is in use) ...
        bool dialogShown = false;
        QTimer cancelDialog;
        cancelDialog.setInterval(20);
        connect(&cancelDialog, &QTimer::timeout, this, [&] {
            if (auto *dialog = qobject_cast<QFileDialog *>(QApplication::activeModalWidget())) {
                cancelDialog.stop();
                dialogShown = true;
                QMetaObject::invokeMethod(dialog, "reject", Qt::QueuedConnection);
            }
        });
        cancelDialog.start();
        outcomes.clear();
        choose(child<QComboBox>(window, "matchCombo"), QStringLiteral("map"));
        QVERIFY(dialogShown);
        QVERIFY(!outcomes.wait(300));
        QCOMPARE(child<QComboBox>(window, "matchCombo")->currentData().toString(),
                 QStringLiteral("hf-id"));
        QCOMPARE(window.session()->parameters().matching, LlmMatching::HfId);
        // ... and a file chosen there lands here: the map names m4 and m5, the rest are matched
        // as before, by id.
        auto *dataPage = window.findChild<DataPage *>();
        QVERIFY(dataPage);
        dataPage->chooseLlmMap(map);
        QVERIFY(outcomes.wait(30000));
        QCOMPARE(outcome()->parameters.llmMapPath, map);
        QCOMPARE(outcome()->parameters.matching, LlmMatching::HfId);
        QCOMPARE(outcome()->aligned.llms.size(), 5);  // m1..m5; m6 deduped, ('c', …) is m5
        QVERIFY(child<QLabel>(window, "llmMapPath")->text().contains("Hugging Face id"));
        QCOMPARE(child<QComboBox>(window, "matchCombo")->currentData().toString(),
                 QStringLiteral("map"));
        QVERIFY(child<QLabel>(window, "llmMapPath")->text().startsWith("map.csv"));

        // Saved in the workspace, and shown again when it is opened.
        const QString workspace = folder + QStringLiteral("/w.pcstudio");
        QVERIFY(window.saveWorkspaceTo(workspace));
        {
            MainWindow reopened;
            reopened.show();
            QSignalSpy reopenedOutcomes(reopened.session(), &SelectionSession::outcomeChanged);
            QVERIFY(reopened.openWorkspace(workspace));
            QVERIFY(reopenedOutcomes.wait(30000));
            QCOMPARE(reopened.session()->outcome()->aligned.llms, outcome()->aligned.llms);
            QCOMPARE(child<QComboBox>(reopened, "matchCombo")->currentData().toString(),
                     QStringLiteral("map"));
            QCOMPARE(child<QComboBox>(reopened, "combineCombo")->currentData().toString(),
                     QStringLiteral("z-mean"));
            QVERIFY(child<QCheckBox>(reopened, "dedupeLlms")->isChecked());
        }

        // Back to exact names; the page remembers the map, so choosing it again needs no dialog.
        choose(child<QComboBox>(window, "matchCombo"), QStringLiteral("exact"));
        QVERIFY(outcomes.wait(30000));
        QVERIFY(outcome()->parameters.llmMapPath.isEmpty());
        QCOMPARE(outcome()->aligned.llms.size(), 3);  // m1..m3; m6 deduped
        choose(child<QComboBox>(window, "matchCombo"), QStringLiteral("map"));
        QVERIFY(outcomes.wait(30000));
        QCOMPARE(outcome()->parameters.llmMapPath, map);
        QCOMPARE(outcome()->parameters.matching, LlmMatching::Exact);  // the rest: as before
        QCOMPARE(outcome()->aligned.llms.size(), 5);  // m1..m5; ('c', …) unmatched by name
        // "Choose…" another map, canceled: nothing changes, nothing reruns.
        dialogShown = false;
        cancelDialog.start();
        outcomes.clear();
        auto *chooseMap = child<QPushButton>(window, "chooseLlmMap");
        QVERIFY(chooseMap->isVisible());
        QTest::mouseClick(chooseMap, Qt::LeftButton);
        QVERIFY(dialogShown);
        QVERIFY(!outcomes.wait(300));
        QCOMPARE(window.session()->parameters().llmMapPath, map);
        QCOMPARE(child<QComboBox>(window, "matchCombo")->currentData().toString(),
                 QStringLiteral("map"));
    }

    // lm-eval groups: members sit under their group in the benchmark list, with metric and
    // mapping beside each; the default set ticks the group, not its members.
    void benchmarkListShowsGroups()
    {
        const QString folder = m_dir.filePath(QStringLiteral("lmeval"));
        QVERIFY(QDir().mkpath(folder + QStringLiteral("/results")));
        QByteArray bpb = "id";
        for (int n = 0; n < 4; ++n)
            bpb += QStringLiteral(",Org/M%1").arg(n).toUtf8();
        bpb += "\nt1,1.0,1.1,1.25,1.3\nt2,1.4,1.35,1.2,1.1\nt3,2.0,2.5,2.1,2.4\n";
        QFile bpbFile(folder + QStringLiteral("/bpb.csv"));
        QVERIFY(bpbFile.open(QIODevice::WriteOnly));
        bpbFile.write(bpb);
        bpbFile.close();
        for (int n = 0; n < 4; ++n) {
            const double m = 0.3 + 0.04 * n;
            const QJsonObject results {
                { "mmlu", QJsonObject { { "alias", "mmlu" }, { "acc,none", m } } },
                { "mmlu_law", QJsonObject { { "alias", " - law" }, { "acc,none", m + 0.01 } } },
                { "mmlu_art", QJsonObject { { "alias", " - art" }, { "acc,none", m - 0.01 } } },
                { "cola", QJsonObject { { "alias", "cola" }, { "mcc,none", 0.1 * n - 0.05 } } }
            };
            const QJsonObject root {
                { "results", results },
                { "groups", QJsonObject { { "mmlu", results["mmlu"] } } },
                { "group_subtasks",
                  QJsonObject { { "mmlu", QJsonArray { "mmlu_law", "mmlu_art" } },
                                { "cola", QJsonArray {} } } },
                { "higher_is_better",
                  QJsonObject { { "mmlu", QJsonObject { { "acc", true } } },
                                { "mmlu_law", QJsonObject { { "acc", true } } },
                                { "mmlu_art", QJsonObject { { "acc", true } } },
                                { "cola", QJsonObject { { "mcc", true } } } } },
                { "model_name", QStringLiteral("Org/M%1").arg(n) }
            };
            QFile file(folder + QStringLiteral("/results/m%1.json").arg(n));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QJsonDocument(root).toJson());
        }
        SelectionInputPaths paths;
        paths.bpb = folder + QStringLiteral("/bpb.csv");
        paths.errors = folder + QStringLiteral("/results");
        MainWindow window;
        window.show();
        QVERIFY(loadAndWait(window, paths));
        auto *benchmarks = child<QTreeWidget>(window, "benchmarkList");
        QTreeWidgetItem *mmlu = nullptr;
        for (int i = 0; i < benchmarks->topLevelItemCount(); ++i)
            if (benchmarks->topLevelItem(i)->text(0) == QLatin1String("mmlu"))
                mmlu = benchmarks->topLevelItem(i);
        QVERIFY(mmlu);
        QCOMPARE(benchmarks->topLevelItemCount(), 2);  // cola and mmlu; the subjects inside
        QCOMPARE(mmlu->childCount(), 2);
        QCOMPARE(mmlu->checkState(0), Qt::Checked);
        QCOMPARE(mmlu->child(0)->checkState(0), Qt::Unchecked);
        QCOMPARE(mmlu->text(1), QStringLiteral("acc"));
        QCOMPARE(mmlu->text(2), QStringLiteral("1 - v"));
        QVERIFY(mmlu->child(0)->toolTip(0).contains("Member of: mmlu"));
        QTreeWidgetItem *cola
            = benchmarks->topLevelItem(mmlu == benchmarks->topLevelItem(0) ? 1 : 0);
        QCOMPARE(cola->text(1), QStringLiteral("mcc"));
        QCOMPARE(cola->text(2), QStringLiteral("(1 - v)/2"));
        QVERIFY(cola->toolTip(0).contains("higher is better, from the file"));
        QCOMPARE(window.session()->outcome()->aligned.benchmarks.size(), 2);
    }

    // The exported distribution is the CLI's `select` output on the same inputs, to the byte; the
    // manifest carries the same provenance as the CLI's --report.
    void exportMatchesTheCli_data()
    {
        QTest::addColumn<QString>("errorsFile");  // empty = the demo
        QTest::addColumn<QStringList>("alignment");  // the Data page's choices, as CLI options
        QTest::newRow("demo") << QString() << QStringList {};
        QTest::newRow("upstream") << QStringLiteral("error.csv") << QStringList {};
        QTest::newRow("upstream by id, ranks, deduped")
            << QStringLiteral("error_256.csv")
            << QStringList { QStringLiteral("--match"), QStringLiteral("hf-id"),
                             QStringLiteral("--combine"), QStringLiteral("rank-mean"),
                             QStringLiteral("--dedupe-llms") };
    }

    void exportMatchesTheCli()
    {
        QFETCH(QString, errorsFile);
        QFETCH(QStringList, alignment);
        const bool realData = !errorsFile.isEmpty();
        SelectionInputPaths paths = pathsOf(m_small);
        if (realData) {
            PCS_REQUIRE_UPSTREAM_DATA();
            paths = {};
            paths.bpb = test::upstreamFile(QStringLiteral("chunked_synthetic_sample_bpb_id.csv"));
            paths.errors = test::upstreamFile(errorsFile);
        }
        MainWindow window;
        window.show();
        QVERIFY(loadAndWait(window, paths));
        QSignalSpy outcomes(window.session(), &SelectionSession::outcomeChanged);
        if (alignment.contains(QStringLiteral("hf-id"))) {
            choose(child<QComboBox>(window, "matchCombo"), QStringLiteral("hf-id"));
            QVERIFY(outcomes.wait(30000));
            choose(child<QComboBox>(window, "combineCombo"), QStringLiteral("rank-mean"));
            QVERIFY(outcomes.wait(30000));
            child<QCheckBox>(window, "dedupeLlms")->setChecked(true);
            QVERIFY(outcomes.wait(30000));
            QCOMPARE(window.session()->outcome()->aligned.llms.size(), 34);
        }
        choose(child<QComboBox>(window, "estimatorCombo"), QStringLiteral("sign_cdf"));
        QVERIFY(outcomes.wait(30000));
        child<QDoubleSpinBox>(window, "keepPercent")->setValue(20.0);
        QVERIFY(outcomes.wait(30000));
        QCOMPARE(window.session()->outcome()->parameters.estimator, Estimator::SignCdf);

        const QString tag = QString::fromLatin1(QTest::currentDataTag())
                                .replace(QLatin1Char(' '), QLatin1Char('_'))
                                .remove(QLatin1Char(','));
        const QString gui = m_dir.filePath(QStringLiteral("gui-%1.csv").arg(tag));
        const QString guiJson = m_dir.filePath(QStringLiteral("gui-%1.json").arg(tag));
        QVERIFY(exportAndWait(window, gui).ok());
        QVERIFY(exportAndWait(window, guiJson).ok());
        const QString tableCsv = m_dir.filePath(QStringLiteral("table-%1.csv").arg(tag));
        QVERIFY(window.exportTableTo(tableCsv).ok());

        const QString cli = m_dir.filePath(QStringLiteral("cli-%1.csv").arg(tag));
        const QString cliJson = m_dir.filePath(QStringLiteral("cli-%1.json").arg(tag));
        const QString report = m_dir.filePath(QStringLiteral("cli-%1.report.json").arg(tag));
        QStringList arguments = QStringList { QStringLiteral("select"),
                                              QStringLiteral("--bpb"),
                                              paths.bpb,
                                              QStringLiteral("--errors"),
                                              paths.errors,
                                              QStringLiteral("--estimator"),
                                              QStringLiteral("sign_cdf"),
                                              QStringLiteral("--keep-ratio"),
                                              QStringLiteral("0.2") }
            + alignment;
        if (!paths.tokenCounts.isEmpty())
            arguments << QStringLiteral("--token-counts") << paths.tokenCounts;
        QByteArray err;
        QCOMPARE(runCli(arguments
                            + QStringList { QStringLiteral("--output"), cli,
                                            QStringLiteral("--report"), report },
                        &err),
                 0);
        QCOMPARE(runCli(arguments + QStringList { QStringLiteral("--output"), cliJson }, &err), 0);

        const QByteArray guiBytes = readAll(gui);
        QVERIFY(guiBytes.size() > 100);
        QCOMPARE(guiBytes, readAll(cli));
        QCOMPARE(readAll(tableCsv), guiBytes);  // the table export is the same table
        // JSON: the same texts; the embedded report differs only in timings and output path.
        QCOMPARE(readJson(guiJson).value(QStringLiteral("texts")),
                 readJson(cliJson).value(QStringLiteral("texts")));
        QVERIFY(!readJson(guiJson).value(QStringLiteral("texts")).toArray().isEmpty());

        const QJsonObject manifest = readJson(gui + QStringLiteral(".manifest.json"));
        const QJsonObject cliReport = readJson(report);
        QCOMPARE(manifest.value(QStringLiteral("inputs")),
                 cliReport.value(QStringLiteral("inputs")));
        QCOMPARE(manifest.value(QStringLiteral("llms")), cliReport.value(QStringLiteral("llms")));
        QCOMPARE(manifest.value(QStringLiteral("n_llms")),
                 cliReport.value(QStringLiteral("n_llms")));
        QCOMPARE(manifest.value(QStringLiteral("n_texts")),
                 cliReport.value(QStringLiteral("n_texts")));
        QCOMPARE(manifest.value(QStringLiteral("warnings")),
                 cliReport.value(QStringLiteral("warnings")));
        QJsonObject guiParameters = manifest.value(QStringLiteral("parameters")).toObject();
        QJsonObject cliParameters = cliReport.value(QStringLiteral("parameters")).toObject();
        cliParameters.remove(QStringLiteral("format"));  // the CLI's output format option
        QCOMPARE(guiParameters, cliParameters);
        QVERIFY(manifest.value(QStringLiteral("version")).toString()
                == cliReport.value(QStringLiteral("version")).toString());
        for (const char *phase : { "load_s", "estimate_s", "project_s", "write_s" })
            QVERIFY2(
                manifest.value(QStringLiteral("timings")).toObject().contains(QLatin1String(phase)),
                phase);
    }

    void cancelKeepsResultsAndTheWindowUsable()
    {
        MainWindow window;
        window.show();
        QVERIFY(loadAndWait(window, pathsOf(m_large)));
        auto *table = child<TextTableView>(window, "textTable");
        const auto before = window.session()->outcome();
        const QVariant firstCell
            = table->model()->index(0, SelectionTableModel::EstimateColumn).data();
        const int rankedCount = child<RankedEstimatesChart>(window, "rankedChart")->textCount();

        QSignalSpy canceled(window.session(), &SelectionSession::runCanceled);
        QSignalSpy outcomes(window.session(), &SelectionSession::outcomeChanged);
        choose(child<QComboBox>(window, "estimatorCombo"), QStringLiteral("sign_sign"));
        auto *cancel = child<QPushButton>(window, "cancelButton");
        QVERIFY(window.session()->isBusy());
        QVERIFY(cancel->isVisible());
        QTest::mouseClick(cancel, Qt::LeftButton);
        QVERIFY(canceled.wait(30000));
        QVERIFY(!window.session()->isBusy());
        QVERIFY(!cancel->isVisible());
        QCOMPARE(outcomes.size(), 0);
        QCOMPARE(window.session()->outcome(), before);  // the very same results
        QCOMPARE(table->model()->index(0, SelectionTableModel::EstimateColumn).data(), firstCell);
        QCOMPARE(child<RankedEstimatesChart>(window, "rankedChart")->textCount(), rankedCount);

        // Still usable: the next request runs to the end, and the views follow it.
        choose(child<QComboBox>(window, "estimatorCombo"), QStringLiteral("sign"));
        QVERIFY(outcomes.wait(60000));
        QCOMPARE(window.session()->outcome()->parameters.estimator, Estimator::Sign);
        QVERIFY(table->model()->index(0, SelectionTableModel::EstimateColumn).data() != firstCell);
    }

    void workspaceRoundTripRestoresTheView()
    {
        const QString workspace = m_dir.filePath(QStringLiteral("small/view.pcstudio"));
        QString focusedText;
        {
            MainWindow window;
            window.show();
            QVERIFY(loadAndWait(window, pathsOf(m_small)));
            QSignalSpy outcomes(window.session(), &SelectionSession::outcomeChanged);
            choose(child<QComboBox>(window, "estimatorCombo"), QStringLiteral("sign"));
            QVERIFY(outcomes.wait(30000));
            window.focus()->setCurrent(42);
            focusedText = window.session()->outcome()->table.texts[42];
            window.showStage(MainWindow::DistributionStage);
            QVERIFY(window.isDirty());
            QVERIFY(window.saveWorkspaceTo(workspace));
            QVERIFY(!window.isDirty());
        }
        // Moved together with its data, it still opens.
        const QString moved = m_dir.filePath(QStringLiteral("moved"));
        QVERIFY(QDir().mkpath(moved));
        for (const QString &name :
             { QStringLiteral("bpb.csv"), QStringLiteral("errors.csv"),
               QStringLiteral("token_counts.csv"), QStringLiteral("view.pcstudio") })
            QVERIFY(QFile::copy(m_dir.filePath(QStringLiteral("small/") + name),
                                moved + QLatin1Char('/') + name));
        MainWindow window;
        window.show();
        QSignalSpy outcomes(window.session(), &SelectionSession::outcomeChanged);
        QVERIFY(window.openWorkspace(moved + QStringLiteral("/view.pcstudio")));
        QVERIFY(outcomes.wait(30000));
        QCOMPARE(window.session()->data()->paths.bpb,
                 QDir(moved).filePath(QStringLiteral("bpb.csv")));
        QCOMPARE(window.session()->outcome()->parameters.estimator, Estimator::Sign);
        QCOMPARE(child<QComboBox>(window, "estimatorCombo")->currentData().toString(),
                 QStringLiteral("sign"));
        QCOMPARE(window.session()->outcome()->table.texts[window.focus()->current()], focusedText);
        QCOMPARE(window.currentStage(), int(MainWindow::DistributionStage));
        QVERIFY(!window.isDirty());
    }

    // The workspace holds the whole project: moved with its data to another machine's folder, it
    // reopens all six stages (Data, Selection, Distribution, Compare, Filter, Review).
    void everyStageReopensFromAMovedWorkspace()
    {
        const QString original = m_dir.filePath(QStringLiteral("stages"));
        const QStringList files { QStringLiteral("bpb.csv"), QStringLiteral("errors.csv"),
                                  QStringLiteral("texts.jsonl"), QStringLiteral("corpus.jsonl"),
                                  QStringLiteral("distribution.csv") };
        QVERIFY(QDir().mkpath(original));
        QVERIFY(QFile::copy(m_small.bpb, original + QStringLiteral("/bpb.csv")));
        QVERIFY(QFile::copy(m_small.errors, original + QStringLiteral("/errors.csv")));
        QVERIFY(QFile::copy(m_small.texts, original + QStringLiteral("/texts.jsonl")));
        QVERIFY(QFile::copy(m_small.texts, original + QStringLiteral("/corpus.jsonl")));
        QVERIFY(QFile::copy(m_small.bpb, original + QStringLiteral("/distribution.csv")));
        const QString queue = original + QStringLiteral("/review/queue.sqlite");
        QVERIFY(QDir().mkpath(original + QStringLiteral("/review")));
        FilterStageSettings filter;
        {
            MainWindow window;
            window.show();
            QVERIFY(loadAndWait(window,
                                { original + QStringLiteral("/bpb.csv"),
                                  {},
                                  original + QStringLiteral("/errors.csv"),
                                  {} }));
            QSignalSpy outcomes(window.session(), &SelectionSession::outcomeChanged);
            choose(child<QComboBox>(window, "estimatorCombo"), QStringLiteral("sign_cdf"));
            QVERIFY(outcomes.wait(30000));
            QSignalSpy compared(window.session(), &SelectionSession::comparisonChanged);
            window.session()->requestComparison(Estimator::Spearmanr);
            QVERIFY(compared.wait(30000));
            FilterPage *page = window.filterPage();
            page->setTextFiles({ original + QStringLiteral("/texts.jsonl") });
            page->setDistributionFile(original + QStringLiteral("/distribution.csv"));
            page->trainingPanel()->setTextField(QStringLiteral("body"));
            page->applyPanel()->setInputs({ original + QStringLiteral("/corpus.jsonl") });
            page->applyPanel()->setOutput(original + QStringLiteral("/kept.jsonl"));
            page->applyPanel()->setMode(ApplyMode::Drop);
            filter = page->stageSettings();
            QVERIFY(window.reviewPage()->openProject(queue).ok());
            window.showStage(MainWindow::FilterStage);
            QVERIFY(window.saveWorkspaceTo(original + QStringLiteral("/project.pcstudio")));
        }
        // To a folder at another depth, the original deleted.
        const QString moved = m_dir.filePath(QStringLiteral("elsewhere/deeper/stages"));
        QVERIFY(QDir().mkpath(moved + QStringLiteral("/review")));
        for (const QString &name : files
                 + QStringList { QStringLiteral("project.pcstudio"),
                                 QStringLiteral("review/queue.sqlite") })
            QVERIFY2(
                QFile::copy(original + QLatin1Char('/') + name, moved + QLatin1Char('/') + name),
                qPrintable(name));
        QVERIFY(QDir(original).removeRecursively());

        MainWindow window;
        window.show();
        QSignalSpy compared(window.session(), &SelectionSession::comparisonChanged);
        QVERIFY(window.openWorkspace(moved + QStringLiteral("/project.pcstudio")));
        // Data and Selection.
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->outcome(), 30000);
        QCOMPARE(window.session()->data()->paths.bpb, moved + QStringLiteral("/bpb.csv"));
        QCOMPARE(window.session()->outcome()->parameters.estimator, Estimator::SignCdf);
        // Compare.
        QTRY_VERIFY_WITH_TIMEOUT(window.session()->comparisonEstimator() == Estimator::Spearmanr,
                                 30000);
        // Filter: every setting, at the moved paths.
        const FilterStageSettings reopened = window.filterPage()->stageSettings();
        QCOMPARE(reopened.textFiles, QStringList { moved + QStringLiteral("/texts.jsonl") });
        QCOMPARE(reopened.distributionFile, moved + QStringLiteral("/distribution.csv"));
        QCOMPARE(reopened.textField, QStringLiteral("body"));
        QCOMPARE(reopened.applyInputs, QStringList { moved + QStringLiteral("/corpus.jsonl") });
        QCOMPARE(reopened.applyOutput, moved + QStringLiteral("/kept.jsonl"));
        QCOMPARE(reopened.applyMode, ApplyMode::Drop);
        QCOMPARE(filter.applyMode, ApplyMode::Drop);
        // Review: the moved queue is open.
        QVERIFY(window.workspace()->review()->isOpen());
        QCOMPARE(QFileInfo(window.workspace()->review()->queuePath()).canonicalFilePath(),
                 QFileInfo(moved + QStringLiteral("/review/queue.sqlite")).canonicalFilePath());
        // And the stage it was saved on (Distribution's view state rides along, as before).
        QCOMPARE(window.currentStage(), int(MainWindow::FilterStage));
        // Opened, nothing changed; a change on the Filter page is an unsaved change, which a
        // save clears.
        QVERIFY(!window.isDirty());
        window.filterPage()->applyPanel()->setMode(ApplyMode::Score);
        QVERIFY(window.isDirty());
        QVERIFY(window.saveWorkspaceTo(moved + QStringLiteral("/project.pcstudio")));
        QVERIFY(!window.isDirty());
    }

    void missingInputIsReportedNotFatal()
    {
        const QString folder = m_dir.filePath(QStringLiteral("missing"));
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(QFile::copy(m_small.errors, folder + QStringLiteral("/errors.csv")));
        QVERIFY(QFile::copy(m_small.bpb, folder + QStringLiteral("/bpb.csv")));
        {
            MainWindow window;
            QVERIFY(loadAndWait(window,
                                { folder + QStringLiteral("/bpb.csv"),
                                  {},
                                  folder + QStringLiteral("/errors.csv"),
                                  {} }));
            QVERIFY(window.saveWorkspaceTo(folder + QStringLiteral("/w.pcstudio")));
        }
        QVERIFY(QFile::remove(folder + QStringLiteral("/bpb.csv")));
        MainWindow window;
        window.show();
        QVERIFY(window.openWorkspace(folder + QStringLiteral("/w.pcstudio")));
        QCOMPARE(window.currentStage(), int(MainWindow::DataStage));
        auto *error = child<QLabel>(window, "loadError");
        QVERIFY(error->isVisible());
        QVERIFY2(error->text().contains(QStringLiteral("bpb.csv")), qPrintable(error->text()));
    }

    void badInputShowsTheFileAndLine()
    {
        const QString bad
            = test::writeFile(m_dir, QStringLiteral("bad/bpb.csv"), "id,a,b,c\nt1,1.0,x,1.2\n");
        MainWindow window;
        window.show();
        QSignalSpy failed(window.session(), &SelectionSession::loadFailed);
        window.loadInputs({ bad, {}, m_small.errors, {} });
        QVERIFY(failed.wait(30000));
        QCOMPARE(window.currentStage(), int(MainWindow::DataStage));
        auto *error = child<QLabel>(window, "loadError");
        QVERIFY(error->isVisible());
        QVERIFY2(error->text().contains(QStringLiteral("bpb.csv:2:")), qPrintable(error->text()));
    }

    // File ▸ Build BPB Matrix from Losses: per-chunk losses made from the demo's matrix build it
    // back, and the selection on it equals the selection on the matrix.
    void buildsTheMatrixFromLosses()
    {
        auto original = loadBpbMatrix(m_small.bpb);
        QVERIFY(original.ok());
        QByteArray losses = "llm,text,loss,tokens,bytes\n";
        for (Eigen::Index i = 0; i < original->values.rows(); ++i)
            for (Eigen::Index j = 0; j < original->values.cols(); ++j)
                losses += '"' + original->llms[i].toUtf8().replace("\"", "\"\"") + "\","
                    + original->texts[j].toUtf8() + ','
                    + QByteArray::number(original->values(i, j) * std::numbers::ln2 * 400.0 / 100.0,
                                         'g', 17)
                    + ",100,400\n";
        const QString lossPath
            = test::writeFile(m_dir, QStringLiteral("losses/demo-losses.csv"), losses);
        const QString built = m_dir.filePath(QStringLiteral("losses/bpb.csv"));
        MainWindow window;
        window.show();
        QSignalSpy done(&window, &MainWindow::bpbBuilt);
        window.buildBpbFromLosses({ lossPath }, 0, built);
        QVERIFY(done.wait(30000));
        QCOMPARE(child<QLineEdit>(window, "bpbPath")->text(), built);
        QVERIFY(loadAndWait(window, { built, {}, m_small.errors, {} }));
        const Eigen::VectorXd fromLosses = window.session()->outcome()->table.estimate;
        MainWindow reference;
        QVERIFY(loadAndWait(reference, { m_small.bpb, {}, m_small.errors, {} }));
        const Eigen::VectorXd direct = reference.session()->outcome()->table.estimate;
        QCOMPARE(fromLosses.size(), direct.size());
        QVERIFY((fromLosses - direct).cwiseAbs().maxCoeff() < 1e-12);
        // A bad loss file is shown inline, with its line.
        const QString bad = test::writeFile(m_dir, QStringLiteral("losses/bad.csv"),
                                            "llm,text,loss,tokens,bytes\na,t,1,-3,4\n");
        window.buildBpbFromLosses({ bad }, 0, m_dir.filePath(QStringLiteral("losses/never.csv")));
        QTRY_VERIFY_WITH_TIMEOUT(
            child<QLabel>(window, "loadError")->text().contains(QStringLiteral("bad.csv:2:")),
            30000);
        // Cancel in the status bar stops the build, and nothing is written.
        const QString canceledOutput = m_dir.filePath(QStringLiteral("losses/canceled.csv"));
        QSignalSpy builtAgain(&window, &MainWindow::bpbBuilt);
        window.buildBpbFromLosses({ lossPath }, 0, canceledOutput);
        QVERIFY(window.isBusy());
        auto *cancel = child<QPushButton>(window, "cancelButton");
        QVERIFY(cancel->isVisible());
        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!window.isBusy(), 30000);
        QTest::qWait(50);
        QCOMPARE(builtAgain.size(), 0);
        QVERIFY(!QFile::exists(canceledOutput));
        QVERIFY2(child<QLabel>(window, "statusText")->text().contains(QStringLiteral("canceled")),
                 qPrintable(child<QLabel>(window, "statusText")->text()));
        // The matrix never replaces a loss file: refused at once, both named.
        window.buildBpbFromLosses({ lossPath }, 0, lossPath);
        QVERIFY2(child<QLabel>(window, "loadError")->text().contains(QStringLiteral("refusing")),
                 qPrintable(child<QLabel>(window, "loadError")->text()));
        QCOMPARE(readAll(lossPath), losses);
    }

    // Nothing written that is wrong: a full disk during File ▸ Export Distribution shows the
    // error (the file and the system's reason) and leaves the previous distribution and manifest
    // as they were; an export over an input is refused.
    void exportOnAFullDiskShowsTheErrorAndKeepsTheOldFiles()
    {
        MainWindow window;
        window.show();
        QVERIFY(loadAndWait(window, pathsOf(m_small)));
        const QString path = m_dir.filePath(QStringLiteral("full-disk/distribution.csv"));
        const QString manifest = path + QStringLiteral(".manifest.json");
        test::writeFile(m_dir, QStringLiteral("full-disk/distribution.csv"), "old distribution\n");
        test::writeFile(m_dir, QStringLiteral("full-disk/distribution.csv.manifest.json"),
                        "old manifest\n");
        const QDir folder(m_dir.filePath(QStringLiteral("full-disk")));
        const QStringList before = folder.entryList(QDir::Files | QDir::Hidden);

        // Through the menu: the file dialog is answered with `path` (and "replace it?" with Yes);
        // the error box is read and closed.
        QString shown;
        QTimer answer;
        answer.setInterval(20);
        QPointer<QWidget> answered;
        connect(&answer, &QTimer::timeout, this, [&] {
            QWidget *modal = QApplication::activeModalWidget();
            if (!modal || modal == answered)
                return;
            // Answered after this slot returns: a timer does not fire again while its slot runs,
            // and the next dialog would wait for it.
            answered = modal;
            if (auto *dialog = qobject_cast<QFileDialog *>(modal)) {
                dialog->selectFile(path);
                QMetaObject::invokeMethod(dialog, "accept", Qt::QueuedConnection);
            } else if (auto *box = qobject_cast<QMessageBox *>(modal)) {
                if (QAbstractButton *yes = box->button(QMessageBox::Yes)) {
                    QMetaObject::invokeMethod(yes, "click", Qt::QueuedConnection);
                    return;
                }
                shown = box->text();
                QMetaObject::invokeMethod(box, "reject", Qt::QueuedConnection);
            }
        });
        answer.start();
        {
            const test::FileSizeLimit full(1000);
            child<QAction>(window, "exportDistributionAction")->trigger();
            // The export runs in the background; the box comes when it failed.
            QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 60000);
        }
        answer.stop();
        QVERIFY2(shown.contains(QStringLiteral("distribution.csv"))
                     && shown.contains(QStringLiteral("File too large")),
                 qPrintable(shown));
        QCOMPARE(readAll(path), QByteArray("old distribution\n"));
        QCOMPARE(readAll(manifest), QByteArray("old manifest\n"));
        QCOMPARE(folder.entryList(QDir::Files | QDir::Hidden), before);

        Status written = Done {};
        {
            const test::FileSizeLimit full(1000);
            written = exportAndWait(window, path);
        }
        QVERIFY(!written);
        QCOMPARE(written.error().kind, ErrorKind::Io);
        QVERIFY2(written.error().file.endsWith(QStringLiteral("distribution.csv")),
                 qPrintable(written.error().toString()));
        QCOMPARE(readAll(path), QByteArray("old distribution\n"));
        QCOMPARE(folder.entryList(QDir::Files | QDir::Hidden), before);

        // With room, both are replaced together.
        QVERIFY(exportAndWait(window, path).ok());
        QVERIFY(readAll(path).startsWith("text,estimate,rank,tau,weight\n"));
        QCOMPARE(readJson(manifest).value(QStringLiteral("output")).toString(), path);

        // Over an input: refused before anything is written, both files named.
        const QByteArray bpb = readAll(m_small.bpb);
        const Status refused = window.exportDistributionTo(m_small.bpb);
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind, ErrorKind::BadInput);
        QVERIFY2(refused.error().reason.contains(m_small.bpb),
                 qPrintable(refused.error().toString()));
        QCOMPARE(readAll(m_small.bpb), bpb);
        QVERIFY(!QFile::exists(m_small.bpb + QStringLiteral(".manifest.json")));

        // Off the GUI thread, with Cancel: the call returns before the export ends, the status
        // bar offers Cancel, and a canceled export leaves the files as they were.
        const QByteArray published = readAll(path);
        std::optional<Status> outcome;
        QVERIFY(window.exportDistributionTo(path, [&](const Status &written) { outcome = written; })
                    .ok());
        QVERIFY(!outcome);
        QVERIFY(window.isBusy());
        auto *cancel = child<QPushButton>(window, "cancelButton");
        QVERIFY(cancel->isVisible());
        QTest::mouseClick(cancel, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), 30000);
        QVERIFY(!*outcome);
        QCOMPARE(outcome->error().kind, ErrorKind::Canceled);
        QVERIFY(!window.isBusy());
        QVERIFY(!cancel->isVisible());
        QCOMPARE(readAll(path), published);
        QCOMPARE(folder.entryList(QDir::Files | QDir::Hidden), before);
    }

    void closingWithUnsavedChangesAsks()
    {
        MainWindow window;
        window.show();
        QVERIFY(loadAndWait(window, pathsOf(m_small)));
        QSignalSpy outcomes(window.session(), &SelectionSession::outcomeChanged);
        choose(child<QComboBox>(window, "projectionCombo"), QStringLiteral("l2"));
        QVERIFY(outcomes.wait(30000));
        QVERIFY(window.isDirty());
        // Answer the prompt with Cancel: the window stays open.
        bool asked = false;
        QTimer::singleShot(0, this, [&asked] {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget())) {
                asked = true;
                box->button(QMessageBox::Cancel)->click();
            }
        });
        QVERIFY(!window.close());
        QVERIFY(asked);
        QVERIFY(window.isVisible());
        // Discard closes.
        QTimer::singleShot(0, this, [] {
            if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget()))
                box->button(QMessageBox::Discard)->click();
        });
        QVERIFY(window.close());
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
