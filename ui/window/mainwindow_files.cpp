// MainWindow: menus, workspace files, recent files, exports, the demo, drag and drop, settings.
#include "core/bpb/lossaggregate.h"
#include "core/demo/demodata.h"
#include "core/io/bpbwriter.h"
#include "core/io/fileinfo.h"
#include "core/io/outputpaths.h"
#include "core/selection/runreport.h"
#include "core/workspace/reviewsession.h"
#include "core/workspace/sessionexport.h"
#include "core/workspace/workspacesession.h"
#include "ui/charts/chartwidget.h"
#include "ui/common/elidedlabel.h"
#include "ui/filter/filterpage.h"
#include "ui/models/textfocus.h"
#include "ui/review/reviewpage.h"
#include "ui/window/datapage.h"
#include "ui/window/mainwindow.h"
#include "ui/window/selectioncontrols.h"
#include "ui/window/theme.h"

#include "pcstudio_version.h"

#include <QActionGroup>
#include <QApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QInputDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>

namespace pcs {

namespace {

const QString kDataFilter
    = QObject::tr("Data files (*.csv *.tsv *.tab *.txt *.npy *.json);;All files (*)");
const QString kWorkspaceFilter = QObject::tr("pcstudio workspaces (*.pcstudio);;All files (*)");
constexpr int kMaxRecent = 10;

}  // namespace

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &BPB Matrix…"), QKeySequence::Open, this,
                    [this] { browseInput(QStringLiteral("bpb")); });
    file->addAction(tr("Open Benchmark &Errors…"), this,
                    [this] { browseInput(QStringLiteral("errors")); });
    file->addAction(tr("Open &Token Counts…"), this,
                    [this] { browseInput(QStringLiteral("token_counts")); });
    file->addAction(tr("Build BPB Matrix from &Losses…"), this, &MainWindow::buildBpbWithDialogs);
    file->addSeparator();
    file->addAction(tr("Open &Workspace…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this,
                    [this] {
                        const QString path = QFileDialog::getOpenFileName(
                            this, tr("Open Workspace"), QString(), kWorkspaceFilter);
                        if (!path.isEmpty() && maybeSave())
                            openWorkspace(path);
                    });
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addAction(m_saveAction);
    file->addAction(tr("Save Workspace &As…"), QKeySequence::SaveAs, this,
                    [this] { saveWorkspaceAs(); });
    file->addSeparator();
    file->addAction(m_exportDistributionAction);
    file->addAction(m_exportTableAction);
    QMenu *charts = file->addMenu(tr("Export &Chart"));
    const QList<std::pair<QString, QString>> chartNames
        = { { QStringLiteral("rankedChart"), tr("&Ranked Estimates…") },
            { QStringLiteral("scatterChart"), tr("&Text Scatter…") },
            { QStringLiteral("distributionChart"), tr("&Distribution…") },
            { QStringLiteral("comparisonChart"), tr("Estimator &Comparison…") } };
    for (const auto &[name, label] : chartNames) {
        auto *chart = findChild<ChartWidget *>(name);
        QAction *action = charts->addAction(label, chart, &ChartWidget::exportWithDialog);
        action->setEnabled(false);
        connect(m_session, &SelectionSession::outcomeChanged, action,
                [action] { action->setEnabled(true); });
    }
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QMenu *theme = view->addMenu(tr("&Theme"));
    auto *themes = new QActionGroup(this);
    const QString current
        = QSettings().value(QStringLiteral("view/theme"), QStringLiteral("system")).toString();
    for (const auto &[id, label] : { std::pair { QStringLiteral("system"), tr("&System") },
                                     std::pair { QStringLiteral("light"), tr("&Light") },
                                     std::pair { QStringLiteral("dark"), tr("&Dark") } }) {
        QAction *action = theme->addAction(label, this, [this, id = id] { applyTheme(id); });
        action->setCheckable(true);
        action->setChecked(id == current);
        themes->addAction(action);
    }
    view->addSeparator();
    const QStringList stageNames = { tr("&Data"),    tr("&Selection"), tr("Dis&tribution"),
                                     tr("&Compare"), tr("&Filter"),    tr("&Review") };
    for (int stage = DataStage; stage <= ReviewStage; ++stage)
        view->addAction(tr("%1 %2").arg(stage + 1).arg(stageNames[stage]),
                        QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + stage)), this,
                        [this, stage] { showStage(stage); });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("Open &Demo"), this, [this] {
        if (maybeSave())
            openDemo();
    });
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(this, tr("About Perplexity Correlations Studio"),
                           tr("<h3>Perplexity Correlations Studio %1</h3><p>Choose LLM pretraining "
                              "data by perplexity "
                              "correlations (Thrush, Potts, Hashimoto, arXiv "
                              "2409.05816).</p><p>Ties get mid-ranks; "
                              "see the README for where this differs from the Python package.</p>")
                               .arg(QStringLiteral(PCSTUDIO_VERSION)));
    });
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    if (!settings.contains(QStringLiteral("window/geometry")))
        resize(1280, 820);
    for (QSplitter *splitter : findChildren<QSplitter *>())
        if (!splitter->objectName().isEmpty())
            splitter->restoreState(
                settings.value(QStringLiteral("window/splitters/") + splitter->objectName())
                    .toByteArray());
    applyTheme(settings.value(QStringLiteral("view/theme"), QStringLiteral("system")).toString());
}

void MainWindow::applyTheme(const QString &theme)
{
    useTheme(theme, true);
}

void MainWindow::useTheme(const QString &theme, bool remember)
{
    if (remember)
        QSettings().setValue(QStringLiteral("view/theme"), theme);
    applyAppTheme(theme);
}

void MainWindow::browseInput(const QString &role)
{
    if (role == QLatin1String("llm_map")) {
        const QString dir = QSettings().value(QStringLiteral("files/lastDir")).toString();
        const QString path
            = QFileDialog::getOpenFileName(this, tr("Open LLM Map (bpb_name,errors_name)"), dir,
                                           tr("CSV files (*.csv *.tsv);;All files (*)"));
        if (path.isEmpty()) {
            m_dataPage->setParameters(m_session->parameters());  // back to what is in use
            return;
        }
        QSettings().setValue(QStringLiteral("files/lastDir"), QFileInfo(path).absolutePath());
        m_dataPage->chooseLlmMap(path);
        return;
    }
    const QString title = role == QLatin1String("bpb") ? tr("Open BPB Matrix")
        : role == QLatin1String("errors")              ? tr("Open Benchmark Errors")
                                                       : tr("Open Token Counts");
    const QString dir = QSettings().value(QStringLiteral("files/lastDir")).toString();
    const QString path = QFileDialog::getOpenFileName(this, title, dir, kDataFilter);
    if (path.isEmpty())
        return;
    QSettings().setValue(QStringLiteral("files/lastDir"), QFileInfo(path).absolutePath());
    SelectionInputPaths paths = m_dataPage->paths();
    (role == QLatin1String("bpb")          ? paths.bpb
         : role == QLatin1String("errors") ? paths.errors
                                           : paths.tokenCounts)
        = path;
    m_dataPage->setPaths(paths);
    showStage(DataStage);
    if (!paths.bpb.isEmpty() && !paths.errors.isEmpty())
        loadInputs(paths);
}

Workspace MainWindow::currentWorkspace() const
{
    Workspace w;
    w.inputs = m_session->data() ? m_session->data()->paths : m_dataPage->paths();
    w.parameters = m_session->parameters();
    QJsonObject view { { QStringLiteral("stage"), m_stages->currentRow() } };
    if (m_focus->current() >= 0 && m_session->data())
        view.insert(QStringLiteral("focused_text"),
                    m_session->data()->bpb->texts.value(m_focus->current()));
    if (const auto estimator = m_session->comparisonEstimator())
        view.insert(QStringLiteral("compare_with"), estimatorName(*estimator));
    w.viewState = view;
    w.filter = m_filterPage->stageSettings();  // the review project: WorkspaceSession::save
    return w;
}

bool MainWindow::saveWorkspaceTo(const QString &path)
{
    const Status saved = m_workspace->save(currentWorkspace(), path);
    if (!saved) {
        QMessageBox::critical(this, tr("Could not save"), saved.error().toString());
        return false;
    }
    addRecent(path, QStringLiteral("workspace"));
    setDirty(false);
    markStagesSaved();
    m_status->setText(tr("Saved %1").arg(QDir::toNativeSeparators(path)));
    return true;
}

bool MainWindow::saveWorkspaceAs()
{
    QString path = QFileDialog::getSaveFileName(this, tr("Save Workspace"), workspacePath(),
                                                kWorkspaceFilter);
    if (path.isEmpty())
        return false;
    if (!path.endsWith(QLatin1String(".pcstudio")))
        path += QStringLiteral(".pcstudio");
    return saveWorkspaceTo(path);
}

void MainWindow::reopenReviewProject(const QString &queuePath)
{
    // A workspace without one (format 1, or none was open) leaves the Review stage as it is.
    if (queuePath.isEmpty() || !QFileInfo(queuePath).isFile())
        return;
    if (m_workspace->review()->isOpen()
        && QFileInfo(m_workspace->review()->queuePath()) == QFileInfo(queuePath))
        return;
    m_reviewPage->openProject(queuePath);  // a failure shows on the Review page
}

bool MainWindow::openWorkspace(const QString &path)
{
    // The selection session gets the parameters and the Filter stage a fresh session (and page).
    const auto loaded = m_workspace->open(path);
    if (!loaded) {
        QMessageBox::critical(this, tr("Could not open workspace"), loaded.error().toString());
        return false;
    }
    addRecent(path, QStringLiteral("workspace"));
    m_filterPage->restoreStageSettings(loaded->workspace.filter);
    reopenReviewProject(loaded->workspace.reviewProject);
    if (!loaded->missingStageFiles.isEmpty()) {
        // Not modal: the rest of the workspace opens while it is shown.
        auto *box = new QMessageBox(
            QMessageBox::Warning, tr("Some files were not found"),
            tr("The workspace names files that are not where it says (moved or deleted?); the "
               "stages that need them open without them:\n\n%1")
                .arg(loaded->missingStageFiles.join(QLatin1Char('\n'))),
            QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("missingStageFiles"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setModal(false);
        box->show();
    }
    m_controls->setParameters(loaded->workspace.parameters);
    m_dataPage->setParameters(loaded->workspace.parameters);
    m_dataPage->setPaths(loaded->workspace.inputs);
    setDirty(false);
    markStagesSaved();
    m_pendingView = loaded->workspace.viewState;
    if (!loaded->missingInputs.isEmpty()) {
        m_dataPage->showError({ ErrorKind::BadInput, path, 0, 0,
                                tr("inputs not found (moved or deleted?): %1")
                                    .arg(loaded->missingInputs.join(QStringLiteral("; "))) });
        showStage(DataStage);
        return true;
    }
    loadInputs(loaded->workspace.inputs);
    return true;
}

void MainWindow::openDemo()
{
    const QString folder = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
        + QStringLiteral("/demo");
    auto files = writeDemoDataset(generateDemoDataset(), folder);
    if (!files) {
        QMessageBox::critical(this, tr("Could not create the demo"), files.error().toString());
        return;
    }
    resetFilterPage();
    m_filterPage->suggestTexts({ files->texts }, 100000);
    SelectionInputPaths paths;
    paths.bpb = files->bpb;
    paths.errors = files->errors;
    paths.tokenCounts = files->tokenCounts;
    m_workspace->forgetPath();
    SelectionParameters p;
    p.keepRatio = 0.2;
    m_session->setParameters(p);
    m_controls->setParameters(p);
    m_dataPage->setParameters(p);
    loadInputs(paths);
    setDirty(false);
    markStagesSaved();
    m_status->setText(tr("Demo: 240 synthetic LLMs × 3000 texts; the 'encyclopedia' and 'science' "
                         "domains drive the benchmark."));
}

namespace {

// Open Recent's entries are "role\tpath"; older ones are bare paths.
QString roleLabel(const QString &role)
{
    if (role == QLatin1String("bpb"))
        return QObject::tr("BPB matrix");
    if (role == QLatin1String("errors"))
        return QObject::tr("Benchmark errors");
    if (role == QLatin1String("token_counts"))
        return QObject::tr("Token counts");
    return QObject::tr("Workspace");
}

}  // namespace

void MainWindow::addRecent(const QString &path, const QString &role)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("files/recent")).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recent.removeIf([&absolute](const QString &entry) {
        return entry.section(QLatin1Char('\t'), -1) == absolute;
    });
    recent.prepend(role + QLatin1Char('\t') + absolute);
    settings.setValue(QStringLiteral("files/recent"), recent.mid(0, kMaxRecent));
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("files/recent")).toStringList();
    for (const QString &entry : recent) {
        const QString path = entry.section(QLatin1Char('\t'), -1);
        QString role = entry.contains(QLatin1Char('\t')) ? entry.section(QLatin1Char('\t'), 0, 0)
                                                         : QString();
        if (role.isEmpty())
            role = path.endsWith(QLatin1String(".pcstudio")) ? QStringLiteral("workspace")
                : looksLikeTokenCounts(path)                 ? QStringLiteral("token_counts")
                : looksLikeErrorsFile(path)                  ? QStringLiteral("errors")
                                                             : QStringLiteral("bpb");
        const QString label = tr("%1 — %2").arg(roleLabel(role), QDir::toNativeSeparators(path));
        m_recentMenu->addAction(label, this, [this, path, role] {
            if (role == QLatin1String("workspace")) {
                if (maybeSave())
                    openWorkspace(path);
                return;
            }
            SelectionInputPaths paths = m_dataPage->paths();
            (role == QLatin1String("errors")             ? paths.errors
                 : role == QLatin1String("token_counts") ? paths.tokenCounts
                                                         : paths.bpb)
                = path;
            m_dataPage->setPaths(paths);
            showStage(DataStage);
            if (!paths.bpb.isEmpty() && !paths.errors.isEmpty())
                loadInputs(paths);
        });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
    if (!recent.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear Menu"), this, [this] {
            QSettings().remove(QStringLiteral("files/recent"));
            rebuildRecentMenu();
        });
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    SelectionInputPaths paths = m_dataPage->paths();
    for (const QUrl &url : event->mimeData()->urls()) {
        const QString path = url.toLocalFile();
        if (path.endsWith(QLatin1String(".pcstudio"))) {
            if (maybeSave())
                openWorkspace(path);
            return;
        }
        if (looksLikeTokenCounts(path))
            paths.tokenCounts = path;
        else if (looksLikeErrorsFile(path))
            paths.errors = path;
        else
            paths.bpb = path;
    }
    event->acceptProposedAction();
    m_dataPage->setPaths(paths);
    if (!paths.bpb.isEmpty() && !paths.errors.isEmpty())
        loadInputs(paths);
    else
        showStage(DataStage);
}

void MainWindow::exportDistribution()
{
    if (!m_session->outcome())
        return;
    const QString dir = QSettings().value(QStringLiteral("files/exportDir")).toString();
    QString filter;
    QString path = QFileDialog::getSaveFileName(
        this, tr("Export Distribution"), QDir(dir).filePath(QStringLiteral("distribution.csv")),
        tr("CSV (*.csv);;JSON (*.json)"), &filter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += filter.startsWith(QLatin1String("JSON")) ? QStringLiteral(".json")
                                                         : QStringLiteral(".csv");
    QSettings().setValue(QStringLiteral("files/exportDir"), QFileInfo(path).absolutePath());
    auto showFailure = [this](const Status &written) {
        if (written || written.error().kind == ErrorKind::Canceled)
            return;
        // After the task has finished delivering: a modal box must not run inside it.
        QTimer::singleShot(0, this, [this, error = written.error()] {
            QMessageBox::critical(this, tr("Could not export"), error.toString());
        });
    };
    if (const Status started = exportDistributionTo(path, showFailure); !started)
        showFailure(started);
}

Status MainWindow::exportDistributionTo(const QString &path, ExportDone done)
{
    const auto data = m_session->data();
    const auto outcome = m_session->outcome();
    if (!outcome)
        return Error::badInput(tr("nothing to export yet: run a selection first"));
    // Refused at once, before any hashing: the same check the export makes again.
    if (Status distinct = checkOutputsAgainstInputs(
            { { path, tr("the distribution") },
              { path + QStringLiteral(".manifest.json"), tr("its manifest") } },
            selectionInputFiles(data->paths, outcome->parameters.llmMapPath));
        !distinct)
        return distinct;
    m_exportDone = std::move(done);
    m_export->onFinished([this, path](const Result<Done> &written) {
        if (written)
            m_status->setText(
                tr("Exported %1 and its manifest").arg(QDir::toNativeSeparators(path)));
        else if (written.error().kind == ErrorKind::Canceled)
            m_status->setText(tr("Export canceled; the files there are unchanged"));
        else
            m_status->setText(tr("Could not export: %1").arg(written.error().toString()));
        if (m_exportDone)
            std::exchange(m_exportDone,
                          {})(written.ok() ? Status(Done {}) : Status(written.error()));
    });
    // Hashing every input takes seconds for large matrices: off the GUI thread.
    m_export->start(tr("Exporting the distribution"),
                    [data, outcome, path](BackgroundControl &control) -> Result<Done> {
                        Status written = pcs::exportDistribution(*data, *outcome, path, control);
                        if (!written)
                            return written.error();
                        return Done {};
                    });
    return Done {};
}

void MainWindow::exportTable()
{
    if (!m_session->outcome())
        return;
    const QString dir = QSettings().value(QStringLiteral("files/exportDir")).toString();
    QString path = QFileDialog::getSaveFileName(this, tr("Export Table"),
                                                QDir(dir).filePath(QStringLiteral("texts.csv")),
                                                tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".csv");
    QSettings().setValue(QStringLiteral("files/exportDir"), QFileInfo(path).absolutePath());
    const Status written = exportTableTo(path);
    if (!written)
        QMessageBox::critical(this, tr("Could not export"), written.error().toString());
}

Status MainWindow::exportTableTo(const QString &path)
{
    const auto outcome = m_session->outcome();
    if (!outcome)
        return Error::badInput(tr("nothing to export yet: run a selection first"));
    if (Status distinct = checkOutputsAgainstInputs({ { path, tr("the table") } },
                                                    selectionInputFiles(m_session->data()->paths));
        !distinct)
        return distinct;
    Status written = writeSelectionTable(path, outcome->table, TableFormat::Csv);
    if (written)
        m_status->setText(tr("Exported %1").arg(QDir::toNativeSeparators(path)));
    return written;
}

void MainWindow::buildBpbWithDialogs()
{
    const QString dir = QSettings().value(QStringLiteral("files/lastDir")).toString();
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Per-Chunk Loss Files"), dir,
        tr("Loss files (*.csv *.tsv *.jsonl *.jsonl.gz *.jsonl.zst);;All files (*)"));
    if (files.isEmpty())
        return;
    bool chosen = false;
    const QStringList groupings = { tr("texts"), tr("domains"), tr("chunks") };
    const QString by = QInputDialog::getItem(this, tr("Build BPB Matrix"), tr("One row per:"),
                                             groupings, 0, false, &chosen);
    if (!chosen)
        return;
    const QString output = QFileDialog::getSaveFileName(
        this, tr("Save the BPB Matrix"),
        QFileInfo(files.first()).dir().filePath(QStringLiteral("bpb.csv")),
        tr("CSV (*.csv);;NumPy (*.npy)"));
    if (output.isEmpty())
        return;
    const LossGrouping grouping = by == groupings[1] ? LossGrouping::Domain
        : by == groupings[2]                         ? LossGrouping::Chunk
                                                     : LossGrouping::Text;
    buildBpbFromLosses(files, int(grouping), output);
}

void MainWindow::buildBpbFromLosses(const QStringList &lossFiles, int grouping,
                                    const QString &output)
{
    QList<NamedPath> inputs;
    for (const QString &path : lossFiles)
        inputs << NamedPath { path, tr("a loss file") };
    if (Status distinct
        = checkOutputsAgainstInputs(bpbMatrixFiles(output, tr("the BPB matrix")), inputs);
        !distinct) {
        m_dataPage->showError(distinct.error());
        showStage(DataStage);
        m_status->setText(tr("Could not build the BPB matrix"));
        return;
    }
    // Aggregating millions of chunks takes a moment: off the GUI thread, then loaded like any
    // opened BPB matrix.
    m_bpbBuild->onFinished([this, output](Result<BpbBuildReport> built) {
        if (!built) {
            if (built.error().kind == ErrorKind::Canceled) {
                m_status->setText(tr("Building the BPB matrix canceled; nothing was written"));
                return;
            }
            m_dataPage->showError(built.error());
            showStage(DataStage);
            m_status->setText(tr("Could not build the BPB matrix"));
            return;
        }
        // A new matrix: the errors and token counts chosen before belonged to other LLMs and
        // texts, so they are not reused; the user picks the ones for this matrix.
        SelectionInputPaths paths;
        paths.bpb = output;
        m_dataPage->setPaths(paths);
        m_dataPage->showBuildReport(built->summary, built->dropped, built->droppedCount);
        m_status->setText(built->summary);
        Q_EMIT bpbBuilt(output);
        showStage(DataStage);
    });
    m_bpbBuild->start(
        tr("Building the BPB matrix from %n loss file(s)", nullptr, int(lossFiles.size())),
        [lossFiles, grouping, output](BackgroundControl &control) -> Result<BpbBuildReport> {
            auto aggregate = aggregateLosses(lossFiles, LossGrouping(grouping), control);
            if (!aggregate)
                return aggregate.error();
            if (control.isCanceled())
                return Error::canceled();  // before anything is written
            control.reportFraction(1.0, QObject::tr("Writing the BPB matrix"));
            if (Status written
                = writeBpbMatrix(output, aggregate->matrix, bpbLabelColumn(LossGrouping(grouping)));
                !written)
                return written.error();
            BpbBuildReport report;
            report.summary = QObject::tr("BPB matrix: %1 LLMs × %2 rows from %3 chunks (%4 "
                                         "dropped for a missing loss) → %5")
                                 .arg(aggregate->matrix.llms.size())
                                 .arg(aggregate->matrix.texts.size())
                                 .arg(aggregate->chunksRead)
                                 .arg(aggregate->chunksDropped)
                                 .arg(QDir::toNativeSeparators(output));
            report.dropped = aggregate->dropped;
            report.droppedCount = aggregate->chunksDropped;
            return report;
        });
}

}  // namespace pcs
