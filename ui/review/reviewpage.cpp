#include "ui/review/reviewpage.h"

#include "core/workspace/reviewsession.h"
#include "ui/common/errorbanner.h"
#include "ui/common/taskstatusrow.h"
#include "ui/review/calibrationcontroller.h"
#include "ui/review/calibrationpanel.h"
#include "ui/review/criteriaeditor.h"
#include "ui/review/reviewactions.h"
#include "ui/review/reviewdetailpane.h"
#include "ui/review/reviewexporttab.h"
#include "ui/review/reviewprojecttab.h"
#include "ui/review/reviewqueuemodel.h"
#include "ui/review/reviewqueuepanel.h"
#include "ui/review/reviewrunbar.h"
#include "ui/review/reviewsummaries.h"
#include "ui/review/thresholdpanel.h"

#include <QFileInfo>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

namespace pcs {

namespace {

const QString kProjectKey = QStringLiteral("review/project");
const QString kItemKey = QStringLiteral("review/currentItem");
const QString kTabKey = QStringLiteral("review/tab");

QWidget *scrolled(QWidget *content)
{
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setWidget(content);
    return scroll;
}

// The status row's Cancel stops the session's import, export or re-derivation, once the session
// can (ReviewSession::cancelTask, from the shared background task); looked up at compile time.
template<typename Session> void bindTaskCancel(TaskStatusRow *row, Session *session)
{
    if constexpr (requires { session->cancelTask(); }) {
        row->setCancelable(true);
        QObject::connect(row, &TaskStatusRow::cancelRequested, session,
                         [session] { session->cancelTask(); });
    }
}

}  // namespace

ReviewPage::ReviewPage(ReviewSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_statusRow(new TaskStatusRow)
    , m_banner(new ErrorBanner)
    , m_tabs(new QTabWidget)
    , m_projectTab(new ReviewProjectTab(session))
    , m_criteria(new CriteriaEditor)
    , m_thresholds(new ThresholdPanel(session))
    , m_calibration(new CalibrationPanel)
    , m_exportTab(new ReviewExportTab(session))
    , m_runBar(new ReviewRunBar(session))
    , m_queue(new ReviewQueuePanel)
    , m_countsTimer(new QTimer(this))
{
    if (!m_session->parent())
        m_session->setParent(this);
    m_actions = new ReviewActions(m_session, m_queue, this);
    m_actions->setPrepareRequest([this] { return applySettings(); });
    m_calibrationControl = new CalibrationController(m_session, m_calibration, this);
    m_countsTimer->setSingleShot(true);
    m_countsTimer->setInterval(300);
    connect(m_countsTimer, &QTimer::timeout, this, [this] {
        m_runBar->refreshCounts();
        m_thresholds->refreshHistogram();
        m_thresholds->updateCounts();
        m_calibrationControl->refresh();
    });

    m_statusRow->setObjectName(QStringLiteral("reviewStatusRow"));
    m_banner->setObjectName(QStringLiteral("reviewBanner"));
    m_projectTab->setObjectName(QStringLiteral("reviewProjectTab"));
    m_criteria->setObjectName(QStringLiteral("reviewCriteriaEditor"));
    m_thresholds->setObjectName(QStringLiteral("reviewThresholdPanel"));
    m_calibration->setObjectName(QStringLiteral("reviewCalibrationPanel"));
    m_exportTab->setObjectName(QStringLiteral("reviewExportTab"));
    m_runBar->setObjectName(QStringLiteral("reviewRunBar"));
    m_queue->setObjectName(QStringLiteral("reviewQueuePanel"));

    m_tabs->setObjectName(QStringLiteral("reviewTabs"));
    m_tabs->addTab(scrolled(m_projectTab), tr("Project"));
    m_tabs->addTab(scrolled(m_criteria), tr("Criteria"));
    m_tabs->addTab(createThresholdsTab(), tr("Thresholds"));
    m_tabs->addTab(scrolled(m_calibration), tr("Calibration"));
    m_tabs->setTabToolTip(m_tabs->count() - 1,
                          tr("Your decisions against the automatic ones, and an audit sample"));
    m_tabs->addTab(scrolled(m_exportTab), tr("Export"));
    m_tabs->setMinimumWidth(300);

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_runBar);
    rightLayout->addWidget(m_actions->createToolbar());
    rightLayout->addWidget(m_queue, 1);

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->setObjectName(QStringLiteral("reviewMainSplitter"));
    splitter->addWidget(m_tabs);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({ 340, 940 });
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_banner);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_statusRow);

    connectParts();
    connectSession();
    connectCalibration();
    bindTaskCancel(m_statusRow, m_session);
    updateEnabled();
    m_projectTab->updateKeyStatus();
    m_runBar->refreshCounts();

    // Back to the project (and item) of the last session.
    const QString last = QSettings().value(kProjectKey).toString();
    if (!last.isEmpty() && QFileInfo::exists(last))
        openProject(last);
}

ReviewPage::~ReviewPage()
{
    // The parts go before this page's own objects: nothing they say on the way may reach it.
    for (QObject *part : std::initializer_list<QObject *> {
             m_actions->undoStack(), m_actions, m_queue, m_runBar, m_projectTab, m_exportTab,
             m_criteria, m_thresholds, m_banner, m_session, m_calibration, m_calibrationControl })
        part->disconnect(this);
    m_countsTimer->stop();
    m_calibrationControl->cancelDraw();
    if (m_session->isRunning())
        m_session->cancelRun();
}

QWidget *ReviewPage::createThresholdsTab()
{
    auto *tab = new QWidget;
    auto *layout = new QVBoxLayout(tab);
    layout->addWidget(m_thresholds, 1);
    return tab;
}

// ---- wiring ---------------------------------------------------------------------------------

void ReviewPage::connectParts()
{
    connect(m_projectTab, &ReviewProjectTab::newProjectRequested, this,
            [this](const QString &path) { newProject(path); });
    connect(m_projectTab, &ReviewProjectTab::openProjectRequested, this,
            [this](const QString &path) { openProject(path); });
    connect(m_projectTab, &ReviewProjectTab::importRequested, this,
            [this](const QStringList &paths) { importFiles(paths); });
    connect(m_projectTab, &ReviewProjectTab::settingsEdited, this, [this] {
        if (m_session->isOpen())
            applySettings();
    });

    connect(m_criteria, &CriteriaEditor::saveToProjectRequested, this, [this] { storeCriteria(); });
    connect(m_criteria, &CriteriaEditor::tryRequested, this,
            [this](const Criteria &criteria, const QString &text) {
                if (m_session->isOpen())
                    applySettings();
                if (Status started = m_session->tryCriteria(criteria, text); !started) {
                    m_criteria->showTryResult({}, std::nullopt, started.error().toString());
                    return;
                }
                m_criteria->showTryStarted();
            });
    connect(m_thresholds, &ThresholdPanel::failed, this,
            [this](const QString &message) { fail(Error::badInput(message)); });

    m_exportTab->setPrepare([this]() -> Status {
        if (Status settings = applySettings(); !settings)
            return settings;
        if (Status stored = m_session->setCriteria(m_criteria->criteria()); !stored)
            return fail(stored.error());
        return Done {};
    });
    connect(m_exportTab, &ReviewExportTab::failed, this, &ReviewPage::fail);
    connect(m_exportTab, &ReviewExportTab::succeeded, this, &ReviewPage::clearError);
    connect(m_exportTab, &ReviewExportTab::statusChanged, this, &ReviewPage::showStatus);

    connect(m_runBar, &ReviewRunBar::runRequested, this, [this] { run(true); });

    connect(m_queue, &ReviewQueuePanel::currentItemChanged, this, &ReviewPage::currentItemChanged);
    connect(m_queue, &ReviewQueuePanel::editedTextCommitted, this,
            [this](qint64 id, const QString &text) {
                m_actions->decideItem(id, QStringLiteral("revise"), text);
            });
    connect(m_queue, &ReviewQueuePanel::batchRequested, m_actions, &ReviewActions::batchWithDialog);
    connect(m_queue, &ReviewQueuePanel::loadFailed, this,
            [this](const QString &message) { fail(Error::internal(message)); });

    connect(m_actions, &ReviewActions::failed, this, &ReviewPage::fail);
    connect(m_actions, &ReviewActions::succeeded, this, &ReviewPage::clearError);
    connect(m_actions, &ReviewActions::statusChanged, this, &ReviewPage::showStatus);
    connect(m_actions->undoStack(), &QUndoStack::indexChanged, this,
            &ReviewPage::scheduleCountsRefresh);

    connect(m_banner, &ErrorBanner::actionTriggered, this, [this] { useBundledCriteria(); });
    connect(m_banner, &ErrorBanner::dismissed, this, [this] {
        m_error.clear();
        m_needsCriteria = false;  // dismissed: not offered again for this project
    });
}

void ReviewPage::connectSession()
{
    connect(m_session, &ReviewSession::itemsChanged, this, [this] {
        m_queue->reloadKeepingCurrent();
        scheduleCountsRefresh();
    });
    connect(m_session, &ReviewSession::itemUpdated, this, [this](qint64 id) {
        m_queue->itemArrived(id);
        scheduleCountsRefresh();
    });
    connect(m_session, &ReviewSession::runStateChanged, this, [this] {
        if (m_session->isRunning()) {
            updateBanner();  // a new run: the last one's pause reason is gone
            showStatus(m_session->isPaused() ? tr("Paused") : tr("Assessing…"));
        }
    });
    connect(m_session, &ReviewSession::runPaused, this, [this] {
        updateBanner();
        showStatus(tr("Run paused"));
    });
    connect(m_session, &ReviewSession::runFinished, this, [this](const ReviewRunSummary &summary) {
        showStatus(reviewtext::runSummary(summary));
        m_runBar->updateButtons();
        m_queue->reloadKeepingCurrent();
        scheduleCountsRefresh();
    });
    connect(m_session, &ReviewSession::runNote, this, &ReviewPage::showStatus);
    connect(m_session, &ReviewSession::runFailed, this, [this](const Error &error) {
        fail(error);
        showStatus(tr("Run failed"));
        m_runBar->updateButtons();
    });
    connect(
        m_session, &ReviewSession::tryFinished, this,
        [this](const QString &reasoning, std::optional<double> score, const QString &errorCode) {
            m_criteria->showTryResult(reasoning, score, errorCode);
        });
    connect(m_session, &ReviewSession::busyChanged, this, [this] {
        updateBusy();
        updateEnabled();
    });
    connect(m_session, &ReviewSession::progressChanged, this,
            [this](int permille, const QString &activity) {
                m_statusRow->setProgress(permille, activity);
            });
    connect(m_session, &ReviewSession::importFinished, this, [this](const ImportSummary &summary) {
        clearError();
        showStatus(reviewtext::importSummary(summary));
        m_queue->reloadKeepingCurrent();
        scheduleCountsRefresh();
    });
    connect(m_session, &ReviewSession::taskFailed, this, [this](const Error &error) {
        fail(error);
        showStatus(tr("Failed"));
        updateEnabled();
    });
}

void ReviewPage::connectCalibration()
{
    m_thresholds->setApplier([this](const Thresholds &from, const Thresholds &to) {
        return m_actions->changeThresholds(from, to);
    });
    connect(m_actions, &ReviewActions::thresholdsApplied, m_thresholds,
            &ThresholdPanel::showStored);
    connect(m_calibration, &CalibrationPanel::useThresholdsRequested, this,
            [this](double filter, double revise) {
                useThresholds({ filter, revise });
            });
    connect(m_calibration, &CalibrationPanel::reviewSampleRequested, this,
            [this](int size, quint64 seed) { reviewAuditSample(size, seed); });
    // Back on the tab of the last session, e.g. the Calibration tab while auditing.
    m_tabs->setCurrentIndex(QSettings().value(kTabKey, 0).toInt());
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        QSettings().setValue(kTabKey, index);
        if (m_calibration->isVisible())
            m_calibrationControl->showing();
    });

    CalibrationController *control = m_calibrationControl;
    connect(control, &CalibrationController::failed, this, &ReviewPage::fail);
    connect(control, &CalibrationController::sampleAvailableChanged, m_queue,
            &ReviewQueuePanel::setAuditSampleAvailable);
    connect(control, &CalibrationController::drawBusyChanged, this, [this](bool drawing) {
        m_calibration->sampleButton()->setEnabled(!drawing && m_session->isOpen());
        updateBusy();
    });
    connect(control, &CalibrationController::drawProgress, this,
            [this](int permille, const QString &activity) {
                m_statusRow->setProgress(permille, activity);
            });
    connect(m_statusRow, &TaskStatusRow::cancelRequested, control,
            &CalibrationController::cancelDraw);
    connect(control, &CalibrationController::drawCanceled, this,
            [this] { showStatus(tr("Drawing the audit sample was canceled")); });
    connect(control, &CalibrationController::sampleDrawn, this, [this](const AuditSample &sample) {
        clearError();
        m_queue->showAuditSample();
        m_queue->selectRow(0);
        showStatus(tr("Drew %1 of %2 assessed items (seed %3): the queue shows the sample; "
                      "decide each item")
                       .arg(sample.size())
                       .arg(sample.population())
                       .arg(sample.seed));
    });
}

Status ReviewPage::useThresholds(const Thresholds &thresholds)
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    m_thresholds->setCandidate(thresholds);
    if (!m_thresholds->apply())
        return Error::badInput(m_error);
    showStatus(tr("Thresholds set to those that agree best: filter above %1, revise above %2")
                   .arg(thresholds.filter)
                   .arg(thresholds.revise));
    return Done {};
}

Status ReviewPage::reviewAuditSample(qint64 size, quint64 seed)
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    if (const auto &audit = m_calibrationControl->snapshot().audit; audit
        && audit->sampled > audit->undecided
        && !m_actions->confirm(tr("Replace the Audit Sample"),
                               tr("The current sample (seed %1) has %2 of %3 items decided. A new "
                                  "sample replaces it; your decisions stay, but its estimate "
                                  "starts again. Draw a new sample?")
                                   .arg(audit->seed)
                                   .arg(audit->sampled - audit->undecided)
                                   .arg(audit->sampled)))
        return Error::canceled();
    if (Status started = m_calibrationControl->drawSample(size, seed); !started)
        return fail(started.error());
    clearError();
    showStatus(tr("Drawing an audit sample of %1 (seed %2)…").arg(size).arg(seed));
    return Done {};
}

// ---- project --------------------------------------------------------------------------------

Status ReviewPage::newProject(const QString &path)
{
    if (QFileInfo::exists(path))
        return fail(Error::badInput(tr("already exists: open it, or choose a new name"), path));
    return openProject(path);
}

Status ReviewPage::openProject(const QString &path)
{
    if (m_session->isRunning())
        return fail(Error::badInput(tr("cancel the running assessment first")));
    const bool sameProject
        = QSettings().value(kProjectKey).toString() == QFileInfo(path).absoluteFilePath();
    m_queue->setStore(nullptr);
    if (Status opened = m_session->open(path); !opened) {
        m_projectTab->showProject({});
        m_needsCriteria = false;
        updateEnabled();
        return fail(opened.error());
    }
    clearError();
    QSettings().setValue(kProjectKey, QFileInfo(path).absoluteFilePath());
    const qint64 restoreItem = sameProject ? QSettings().value(kItemKey, -1).toLongLong() : -1;
    m_actions->undoStack()->clear();
    projectOpened();
    m_queue->setStore(m_session->store(), restoreItem);
    return Done {};
}

void ReviewPage::projectOpened()
{
    m_projectTab->showProject(m_session->queuePath());
    m_projectTab->showSettings(m_session->settings());
    m_runBar->updateModelProfile();
    // A new project has no criteria yet: a prompt that offers the bundled ones, not an error.
    m_needsCriteria = !m_session->hasCriteria();
    if (!m_needsCriteria) {
        if (const auto criteria = m_session->criteria())
            m_criteria->setCriteria(*criteria);
        else
            fail(criteria.error());
    }
    updateBanner();
    m_thresholds->reload();
    m_calibrationControl->refreshNow();
    m_runBar->refreshCounts();
    updateEnabled();
    showStatus(tr("Opened %1").arg(QFileInfo(m_session->queuePath()).fileName()));
}

QString ReviewPage::bundledCriteriaPath()
{
    return QStringLiteral(":/criteria/deceptive-content.json");
}

Status ReviewPage::useBundledCriteria()
{
    if (Status loaded = m_criteria->loadFrom(bundledCriteriaPath()); !loaded)
        return fail(loaded.error());
    if (!m_session->isOpen())
        return Done {};
    if (Status stored = storeCriteria(); !stored)
        return stored;
    m_tabs->setCurrentWidget(m_tabs->widget(1));
    return Done {};
}

Status ReviewPage::applySettings()
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    const ReviewProjectSettings settings = m_projectTab->settings(m_session->settings());
    if (Status stored = m_session->setSettings(settings); !stored)
        return fail(stored.error());
    // Credentials typed into the URL stay in the session; the field shows what is kept.
    m_projectTab->showEndpoint(m_session->settings().endpoint);
    m_runBar->updateModelProfile();
    return Done {};
}

Status ReviewPage::storeCriteria()
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    if (Status stored = m_session->setCriteria(m_criteria->criteria()); !stored)
        return fail(stored.error());
    m_needsCriteria = false;
    clearError();
    showStatus(tr("Criteria stored in the project"));
    return Done {};
}

Status ReviewPage::importFiles(const QStringList &paths)
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    if (paths.isEmpty())
        return fail(Error::badInput(tr("choose at least one JSONL file")));
    if (Status settings = applySettings(); !settings)
        return settings;
    if (Status started = m_session->importFiles(paths); !started)
        return fail(started.error());
    clearError();
    return Done {};
}

Status ReviewPage::run(bool retryErrors)
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    if (Status settings = applySettings(); !settings)
        return settings;
    if (Status stored = m_session->setCriteria(m_criteria->criteria()); !stored)
        return fail(stored.error());
    m_needsCriteria = false;
    if (Status started = m_session->startRun(retryErrors); !started)
        return fail(started.error());
    clearError();
    m_runBar->showStarting(m_projectTab->endpoint());
    return Done {};
}

Status ReviewPage::exportTo(const QString &curated, const QString &dropped, const QString &log)
{
    return m_exportTab->exportTo(curated, dropped, log);
}

Status ReviewPage::exportBatchTo(const QString &path)
{
    return m_exportTab->exportBatchTo(path);
}

// ---- queue and actions ----------------------------------------------------------------------

void ReviewPage::currentItemChanged()
{
    const auto item = m_queue->currentItem();
    if (item) {
        m_queue->detailPane()->showItem(*item);
        if (m_session->isOpen())
            QSettings().setValue(kItemKey, item->id);
    } else {
        m_queue->detailPane()->clear();
    }
    updateEnabled();
}

ReviewQueueModel *ReviewPage::model() const
{
    return m_queue->model();
}
QTableView *ReviewPage::queueView() const
{
    return m_queue->view();
}
ReviewDetailPane *ReviewPage::detailPane() const
{
    return m_queue->detailPane();
}
EndpointKeyPanel *ReviewPage::keyPanel() const
{
    return m_projectTab->keyPanel();
}
QUndoStack *ReviewPage::undoStack() const
{
    return m_actions->undoStack();
}
qint64 ReviewPage::currentItemId() const
{
    return m_queue->currentItemId();
}
bool ReviewPage::selectItem(qint64 id)
{
    return m_queue->selectItem(id);
}
bool ReviewPage::selectRow(int row)
{
    return m_queue->selectRow(row);
}

// ---- state ----------------------------------------------------------------------------------

void ReviewPage::scheduleCountsRefresh()
{
    if (!m_countsTimer->isActive())
        m_countsTimer->start();
}

void ReviewPage::updateBusy()
{
    m_statusRow->setBusy(m_session->isBusy() || m_calibrationControl->isDrawing());
}

void ReviewPage::updateEnabled()
{
    const bool open = m_session->isOpen();
    const bool idle = !m_session->isBusy();
    m_projectTab->setProjectActionsEnabled(open && idle);
    m_exportTab->setExportEnabled(open && idle);
    m_queue->setBatchEnabled(open);
    m_actions->updateEnabled(open);
    m_runBar->updateButtons();
}

Status ReviewPage::fail(const Error &error)
{
    m_error = error.toString();
    updateBanner();
    return error;
}

void ReviewPage::clearError()
{
    m_error.clear();
    updateBanner();
}

void ReviewPage::updateBanner()
{
    const QString pauseReason = m_session->isOpen() ? m_session->pauseReason() : QString();
    if (!m_error.isEmpty())
        m_banner->showError(m_error);
    else if (!pauseReason.isEmpty())
        m_banner->showError(tr("Run paused: %1. What was not answered stays pending; Resume once "
                               "the cause is fixed.")
                                .arg(pauseReason));
    else if (m_needsCriteria && m_session->isOpen())
        m_banner->showInfo(tr("This project has no criteria yet: write your own in the Criteria "
                              "tab, or start from the bundled ones (deceptive content)."),
                           tr("Use Bundled Criteria"));
    else
        m_banner->clear();
}

void ReviewPage::showStatus(const QString &text)
{
    m_statusRow->setStatus(text);
}

QString ReviewPage::errorText() const
{
    return m_error;
}

QString ReviewPage::bannerText() const
{
    return m_banner->text();
}

QString ReviewPage::statusText() const
{
    return m_statusRow->status();
}

QString ReviewPage::runStatsText() const
{
    return m_runBar->statsText();
}

QString ReviewPage::progressText() const
{
    return m_runBar->progressText();
}

}  // namespace pcs
