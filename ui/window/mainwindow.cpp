#include "ui/window/mainwindow.h"

#include "core/workspace/reviewsession.h"
#include "core/workspace/workspacesession.h"
#include "ui/common/elidedlabel.h"
#include "ui/filter/filterpage.h"
#include "ui/models/textfocus.h"
#include "ui/review/reviewpage.h"
#include "ui/window/datapage.h"
#include "ui/window/selectioncontrols.h"
#include "ui/window/stagepages.h"

#include <QAction>
#include <QCloseEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>

namespace pcs {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_workspace(new WorkspaceSession(this))
    , m_session(m_workspace->selection())
    , m_focus(new TextFocus(this))
    , m_bpbBuild(new BackgroundTask<BpbBuildReport>(this))
    , m_export(new BackgroundTask<Done>(this))
{
    setAcceptDrops(true);
    setWindowIcon(QIcon(QStringLiteral(":/icons/pcstudio.svg")));
    createActions();
    createStages();
    createMenus();
    createStatusBar();
    restoreSettings();
    updateTitle();

    connect(m_session, &SelectionSession::outcomeChanged, this, [this] {
        const auto outcome = m_session->outcome();
        m_controls->showOutcome(outcome.get());
        m_exportDistributionAction->setEnabled(true);
        m_exportTableAction->setEnabled(true);
        m_status->setText(tr("Ready"));
        if (!m_pendingView.isEmpty())
            applyViewState(std::exchange(m_pendingView, {}));
        if (m_focus->current() < 0 || m_focus->current() >= outcome->table.texts.size()) {
            // Start on the text with the strongest evidence.
            const Eigen::VectorXi &rank = outcome->table.rank;
            for (Eigen::Index j = 0; j < rank.size(); ++j) {
                if (rank[j] == 1) {
                    m_focus->setCurrent(int(j));
                    break;
                }
            }
        }
    });
    connect(m_session, &SelectionSession::loadFinished, this, [this] {
        m_focus->setCurrent(-1);
        // Only files that loaded go to Open Recent, each with its role.
        const SelectionInputPaths &loaded = m_session->data()->paths;
        addRecent(loaded.bpb, QStringLiteral("bpb"));
        addRecent(loaded.errors, QStringLiteral("errors"));
        if (!loaded.tokenCounts.isEmpty())
            addRecent(loaded.tokenCounts, QStringLiteral("token_counts"));
        showStage(SelectionStage);
    });
    connect(m_session, &SelectionSession::loadFailed, this, [this](const Error &error) {
        showStage(DataStage);
        m_status->setText(tr("Could not load: %1").arg(error.toString()));
    });
    connect(m_session, &SelectionSession::runFailed, this, [this](const Error &error) {
        m_status->setText(tr("Run failed: %1").arg(error.toString()));
        // Nothing to show elsewhere: the Data page says why (files, matching, benchmarks).
        if (!m_session->outcome())
            showStage(DataStage);
    });
    connect(m_session, &SelectionSession::runCanceled, this,
            [this] { m_status->setText(tr("Canceled; showing the previous results")); });
}

MainWindow::~MainWindow()
{
    // The pages go first: their destructors still reach the sessions (a review page cancels its
    // run), which the workspace session, an earlier child, would otherwise delete before them.
    delete takeCentralWidget();
}

QString MainWindow::workspacePath() const
{
    return m_workspace->path();
}

void MainWindow::createActions()
{
    m_saveAction = new QAction(tr("&Save Workspace"), this);
    m_saveAction->setShortcut(QKeySequence::Save);
    connect(m_saveAction, &QAction::triggered, this, [this] {
        if (workspacePath().isEmpty())
            saveWorkspaceAs();
        else
            saveWorkspaceTo(workspacePath());
    });
    m_exportDistributionAction = new QAction(tr("Export &Distribution…"), this);
    m_exportDistributionAction->setObjectName(QStringLiteral("exportDistributionAction"));
    m_exportDistributionAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportDistributionAction->setEnabled(false);
    connect(m_exportDistributionAction, &QAction::triggered, this, &MainWindow::exportDistribution);
    m_exportTableAction = new QAction(tr("Export &Table…"), this);
    m_exportTableAction->setEnabled(false);
    connect(m_exportTableAction, &QAction::triggered, this, &MainWindow::exportTable);
}

void MainWindow::createStages()
{
    m_stages = new QListWidget;
    m_stages->setObjectName(QStringLiteral("stageList"));
    m_stages->setFixedWidth(170);
    m_stages->setIconSize(QSize(20, 20));
    m_stages->setSpacing(2);
    const QList<std::tuple<QString, QString, QStyle::StandardPixmap, bool>> stages
        = { { tr("1  Data"), tr("Load the BPB matrix, the benchmark errors and token counts"),
              QStyle::SP_DirOpenIcon, true },
            { tr("2  Selection"), tr("Estimate per text and see why each text was chosen"),
              QStyle::SP_FileDialogDetailedView, true },
            { tr("3  Distribution"), tr("The sampling distribution and its export"),
              QStyle::SP_DialogSaveButton, true },
            { tr("4  Compare"), tr("Two estimators side by side"), QStyle::SP_BrowserReload, true },
            { tr("5  Filter"),
              tr("Train a fastText filter from the selection and apply it to corpora"),
              QStyle::SP_FileDialogContentsView, true },
            { tr("6  Review"), tr("Review LLM assessments: accept, filter, revise, with undo"),
              QStyle::SP_DialogApplyButton, true } };
    for (const auto &[label, tip, icon, enabled] : stages) {
        auto *item = new QListWidgetItem(style()->standardIcon(icon), label, m_stages);
        item->setToolTip(tip);
        item->setSizeHint(QSize(150, 34));
        if (!enabled)
            item->setFlags(item->flags() & ~Qt::ItemIsEnabled);
    }

    m_dataPage = new DataPage(m_session);
    connect(m_dataPage, &DataPage::browseRequested, this, &MainWindow::browseInput);
    connect(m_dataPage, &DataPage::loadRequested, this,
            [this] { loadInputs(m_dataPage->paths()); });
    connect(m_dataPage, &DataPage::benchmarksChosen, this, [this](const QStringList &benchmarks) {
        SelectionParameters p = m_session->parameters();
        p.benchmarks = benchmarks;
        m_session->setParameters(p);
        setDirty(true);
    });
    connect(m_dataPage, &DataPage::alignmentChosen, this, [this](const AlignmentChoice &choice) {
        SelectionParameters p = m_session->parameters();
        p.matching = choice.matching;
        p.llmMapPath = choice.llmMapPath;
        p.dedupeLlms = choice.dedupeLlms;
        p.combination = choice.combination;
        if (p == m_session->parameters())
            return;
        m_session->setParameters(p);
        setDirty(true);
    });
    m_controls = new SelectionControls;
    connect(m_controls, &SelectionControls::changed, this, &MainWindow::parametersEdited);

    m_pages = new QStackedWidget;
    m_pages->addWidget(m_dataPage);
    m_pages->addWidget(createSelectionPage(m_session, m_focus, m_controls));
    m_pages->addWidget(createDistributionPage(m_session, m_focus, m_exportDistributionAction));
    m_pages->addWidget(createComparePage(m_session, m_focus));
    m_filterPage = new FilterPage(m_session, m_workspace->filter());
    m_pages->addWidget(m_filterPage);
    m_reviewPage = new ReviewPage(m_workspace->review());
    m_pages->addWidget(m_reviewPage);
    connect(m_workspace, &WorkspaceSession::filterSessionReplaced, this,
            &MainWindow::showFilterSession);
    connect(m_stages, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);

    auto *central = new QWidget;
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->addWidget(m_stages);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);
    m_stages->setCurrentRow(DataStage);
    markStagesSaved();  // a review project reopened from the last session is no change
}

void MainWindow::createStatusBar()
{
    m_status = new ElidedLabel(tr("Open a BPB matrix and benchmark errors, or Help ▸ Open Demo."));
    m_status->setObjectName(QStringLiteral("statusText"));
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_progress->setFormat(QStringLiteral("%p%"));
    m_progress->hide();
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_cancel->hide();
    connect(m_cancel, &QPushButton::clicked, this, &MainWindow::cancelAll);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);
    connect(m_session, &SelectionSession::busyChanged, this, &MainWindow::updateBusyIndicator);
    connect(m_session, &SelectionSession::progressChanged, this,
            [this](int permille, const QString &activity) {
                showTaskProgress(permille / 1000.0, activity);
            });
    for (BackgroundTaskBase *task :
         std::initializer_list<BackgroundTaskBase *> { m_bpbBuild, m_export }) {
        connect(task, &BackgroundTaskBase::busyChanged, this, &MainWindow::updateBusyIndicator);
        connect(task, &BackgroundTaskBase::progressChanged, this, &MainWindow::showTaskProgress);
    }
    connectFilterStatus();
}

void MainWindow::connectFilterStatus()
{
    // The Filter stage's training and applying show here too, so the status bar says what
    // runs whichever page is open.
    FilterSession *filter = m_filterPage->session();
    connect(filter, &FilterSession::busyChanged, this, [this](bool busy) {
        updateBusyIndicator();
        if (!busy && !isBusy())
            m_status->setText(tr("Filter stage: done (see the Filter page)"));
    });
    connect(filter, &FilterSession::progressChanged, this,
            [this](int permille, const QString &activity) {
                showTaskProgress(permille / 1000.0, tr("Filter stage: %1").arg(activity));
            });
}

void MainWindow::resetFilterPage()
{
    m_workspace->replaceFilterSession();  // showFilterSession builds the page
}

void MainWindow::showFilterSession(FilterSession *session)
{
    FilterPage *old = m_filterPage;
    disconnect(old->session(), nullptr, this, nullptr);
    // Deleted later, before its session (the workspace deletes that later too, after this slot,
    // and deferred deletions run in order): the page's destructor may still reach it.
    old->deleteLater();
    m_filterPage = new FilterPage(m_session, session);
    m_pages->insertWidget(FilterStage, m_filterPage);
    m_pages->removeWidget(old);
    if (m_stages->currentRow() == FilterStage)
        m_pages->setCurrentIndex(FilterStage);
    connectFilterStatus();
    updateBusyIndicator();
}

bool MainWindow::isBusy() const
{
    return m_session->isBusy() || m_bpbBuild->isBusy() || m_export->isBusy()
        || m_workspace->filter()->isBusy();
}

void MainWindow::cancelAll()
{
    m_session->cancel();
    m_bpbBuild->cancel();
    m_export->cancel();
    m_filterPage->session()->cancel();
}

void MainWindow::updateBusyIndicator()
{
    const bool busy = isBusy();
    if (busy == !m_progress->isHidden())
        return;
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    if (busy)
        m_progress->setValue(0);
    // A finished task's "Comparing estimators…" must not stay as if it were still running; a
    // message its result put there meanwhile stays.
    else if (m_status->fullText() == m_progressText)
        m_status->setText(tr("Ready"));
}

void MainWindow::showTaskProgress(double fraction, const QString &message)
{
    m_progress->setValue(int(1000 * fraction));
    m_progressText = message + QStringLiteral("…");
    m_status->setText(m_progressText);
}

void MainWindow::parametersEdited()
{
    SelectionParameters p = m_session->parameters();
    m_controls->applyTo(p);
    if (p == m_session->parameters())
        return;
    m_session->setParameters(p);
    setDirty(true);
}

void MainWindow::loadInputs(const SelectionInputPaths &paths)
{
    m_dataPage->setPaths(paths);
    if (paths.bpb.isEmpty() || paths.errors.isEmpty()) {
        m_dataPage->showError(
            Error::badInput(tr("Choose both a BPB matrix and a benchmark errors file.")));
        showStage(DataStage);
        return;
    }
    m_dataPage->clearError();
    m_dataPage->showLoading();
    SelectionParameters p = m_session->parameters();
    m_controls->applyTo(p);
    m_session->setParameters(p);
    m_session->load(paths);
}

void MainWindow::showStage(int stage)
{
    m_stages->setCurrentRow(stage);
}

void MainWindow::applyViewState(const QJsonObject &view)
{
    const QString text = view.value(QStringLiteral("focused_text")).toString();
    if (!text.isEmpty() && m_session->data())
        m_focus->setCurrent(int(m_session->data()->bpb->texts.indexOf(text)));
    if (const auto estimator
        = estimatorFromName(view.value(QStringLiteral("compare_with")).toString()))
        m_session->requestComparison(*estimator);
    const int stage = view.value(QStringLiteral("stage")).toInt(SelectionStage);
    if (stage >= DataStage && stage <= ReviewStage)
        showStage(stage);
}

int MainWindow::currentStage() const
{
    return m_stages->currentRow();
}

void MainWindow::setDirty(bool dirty)
{
    m_dirty = dirty;
    updateTitle();
}

void MainWindow::updateTitle()
{
    const QString name
        = workspacePath().isEmpty() ? tr("Untitled") : QFileInfo(workspacePath()).fileName();
    setWindowTitle(name + QStringLiteral("[*]"));
    setWindowModified(m_dirty);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    for (const QSplitter *splitter : findChildren<QSplitter *>())
        if (!splitter->objectName().isEmpty())
            settings.setValue(QStringLiteral("window/splitters/") + splitter->objectName(),
                              splitter->saveState());
    cancelAll();
    event->accept();
}

bool MainWindow::isDirty() const
{
    return m_dirty || stagesFingerprint() != m_savedStages;
}

QStringList MainWindow::stagesFingerprint() const
{
    // What the user sets on those pages; not what loads in the background after an open (the
    // model, and the threshold that comes with it), which would look like a change.
    const FilterStageSettings filter = m_filterPage->stageSettings();
    QStringList fingerprint = filter.textFiles;
    fingerprint << QStringLiteral("|") << filter.distributionFile << filter.textField
                << QStringLiteral("|") << filter.applyInputs << QStringLiteral("|")
                << filter.applyOutput << applyModeName(filter.applyMode)
                << (m_workspace->review()->isOpen() ? m_workspace->review()->queuePath()
                                                    : QString());
    return fingerprint;
}

void MainWindow::markStagesSaved()
{
    m_savedStages = stagesFingerprint();
}

bool MainWindow::maybeSave()
{
    if (!isDirty() || !m_session->data())
        return true;
    const auto answer = QMessageBox::warning(
        this, tr("Unsaved workspace"), tr("Save the changes to this workspace?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Save)
        return workspacePath().isEmpty() ? saveWorkspaceAs() : saveWorkspaceTo(workspacePath());
    return true;
}

}  // namespace pcs
