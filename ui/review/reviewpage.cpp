#include "review/reviewpage.h"

#include "review/criteriaeditor.h"
#include "review/endpointkeypanel.h"
#include "review/reviewcommands.h"
#include "review/reviewdetailpane.h"
#include "review/reviewqueuemodel.h"
#include "review/thresholdpanel.h"
#include "workspace/reviewsession.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

namespace pcs {

namespace {

const QString kProjectKey = QStringLiteral("review/project");
const QString kItemKey = QStringLiteral("review/currentItem");
const QString kDirKey = QStringLiteral("files/reviewDir");
constexpr int kUndecidedScanRows = 5000;  // how far below a decision to look for the next
constexpr int kRestoreScanRows = 20000;  // how far to look for the remembered item
constexpr std::size_t kReloadAbove = 200;  // refresh more changed items than this by a reload

QString nativePath(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

QWidget *scrolled(QWidget *content)
{
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    return scroll;
}

QString lastDir()
{
    return QSettings().value(kDirKey).toString();
}

void rememberDir(const QString &path)
{
    QSettings().setValue(kDirKey, QFileInfo(path).absolutePath());
}

}  // namespace

ReviewPage::ReviewPage(ReviewSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_model(new ReviewQueueModel(this))
    , m_undo(new QUndoStack(this))
    , m_countsTimer(new QTimer(this))
{
    if (!m_session->parent())
        m_session->setParent(this);
    m_countsTimer->setSingleShot(true);
    m_countsTimer->setInterval(300);
    connect(m_countsTimer, &QTimer::timeout, this, [this] {
        refreshCounts();
        m_thresholds->refreshHistogram();
        m_thresholds->updateCounts();
    });

    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("reviewError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("QLabel { color: #c0392b; font-weight: 600; }"));
    m_error->hide();

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("reviewTabs"));
    m_tabs->addTab(scrolled(createProjectTab()), tr("Project"));
    m_tabs->addTab(scrolled(createCriteriaTab()), tr("Criteria"));
    m_thresholds = new ThresholdPanel(m_session);
    m_thresholds->setObjectName(QStringLiteral("reviewThresholdPanel"));
    auto *thresholdsTab = new QWidget;
    auto *thresholdsLayout = new QVBoxLayout(thresholdsTab);
    thresholdsLayout->addWidget(m_thresholds, 1);
    m_tabs->addTab(thresholdsTab, tr("Thresholds"));
    m_tabs->addTab(scrolled(createExportTab()), tr("Export"));
    m_tabs->setMinimumWidth(340);

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(createRunRow());
    rightLayout->addWidget(createQueueArea(), 1);

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->setObjectName(QStringLiteral("reviewMainSplitter"));
    splitter->addWidget(m_tabs);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({ 380, 900 });
    splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(createStatusRow());
    layout->addWidget(m_error);
    layout->addWidget(splitter, 1);

    connectSession();
    connect(m_thresholds, &ThresholdPanel::failed, this,
            [this](const QString &message) { fail(message); });
    updateEnabled();
    updateApiKeyStatus();
    refreshCounts();

    // Back to the project (and item) of the last session.
    const QString last = QSettings().value(kProjectKey).toString();
    if (!last.isEmpty() && QFileInfo::exists(last))
        openProject(last);
}

ReviewPage::~ReviewPage()
{
    if (m_session->isRunning())
        m_session->cancelRun();
}

// ---- layout ---------------------------------------------------------------------------------

QWidget *ReviewPage::createStatusRow()
{
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("reviewStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_taskProgress = new QProgressBar;
    m_taskProgress->setObjectName(QStringLiteral("reviewTaskProgress"));
    m_taskProgress->setRange(0, 1000);
    m_taskProgress->setMaximumWidth(260);
    m_taskProgress->setTextVisible(false);
    m_taskProgress->hide();
    m_statusRow = new QWidget;
    auto *layout = new QHBoxLayout(m_statusRow);
    layout->setContentsMargins(9, 4, 9, 0);
    layout->addWidget(m_status, 1);
    layout->addWidget(m_taskProgress);
    m_statusRow->hide();
    return m_statusRow;
}

QWidget *ReviewPage::createProjectTab()
{
    auto *newButton = new QPushButton(tr("&New Project…"));
    newButton->setObjectName(QStringLiteral("reviewNewProject"));
    newButton->setToolTip(tr("Creates a review queue (.sqlite) for a set of JSONL files"));
    auto *openButton = new QPushButton(tr("&Open Project…"));
    openButton->setObjectName(QStringLiteral("reviewOpenProject"));
    m_addFiles = new QPushButton(tr("Add &JSONL Files…"));
    m_addFiles->setObjectName(QStringLiteral("reviewAddFiles"));
    m_addFiles->setToolTip(tr("Imports every line as a pending item; importing the same file "
                              "again adds nothing"));
    m_projectPath = new QLabel(tr("No project open"));
    m_projectPath->setObjectName(QStringLiteral("reviewProjectPath"));
    m_projectPath->setWordWrap(true);
    m_projectPath->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_endpoint = new QLineEdit;
    m_endpoint->setObjectName(QStringLiteral("reviewEndpoint"));
    m_endpoint->setPlaceholderText(QStringLiteral("https://api.openai.com/v1"));
    m_endpoint->setToolTip(tr("Base URL of an OpenAI-compatible server (Chat Completions)"));
    m_modelName = new QLineEdit;
    m_modelName->setObjectName(QStringLiteral("reviewModel"));
    m_modelName->setPlaceholderText(QStringLiteral("gpt-4o-mini"));
    m_concurrency = new QSpinBox;
    m_concurrency->setObjectName(QStringLiteral("reviewConcurrency"));
    m_concurrency->setRange(1, 256);
    m_concurrency->setValue(8);
    m_concurrency->setToolTip(tr("Requests in flight at once"));
    m_revise = new QCheckBox(tr("Ask for rewrites of the texts to revise"));
    m_revise->setObjectName(QStringLiteral("reviewReviseDuringRun"));
    m_textField = new QLineEdit(QStringLiteral("text"));
    m_textField->setObjectName(QStringLiteral("reviewTextField"));
    m_textField->setToolTip(tr("The JSON field holding the text, for imports and exports"));
    m_keyPanel = new EndpointKeyPanel(m_session);
    m_keyPanel->setObjectName(QStringLiteral("reviewEndpointKeyPanel"));

    for (QLineEdit *edit : { m_endpoint, m_modelName, m_textField })
        connect(edit, &QLineEdit::editingFinished, this, [this] {
            if (m_session->isOpen())
                applySettings();
        });
    connect(m_endpoint, &QLineEdit::editingFinished, this, &ReviewPage::updateApiKeyStatus);
    connect(m_modelName, &QLineEdit::editingFinished, this, &ReviewPage::updateApiKeyStatus);
    connect(m_concurrency, &QSpinBox::editingFinished, this, [this] {
        if (m_session->isOpen())
            applySettings();
    });
    connect(m_revise, &QCheckBox::toggled, this, [this] {
        if (m_session->isOpen())
            applySettings();
    });
    connect(newButton, &QPushButton::clicked, this, &ReviewPage::newWithDialog);
    connect(openButton, &QPushButton::clicked, this, &ReviewPage::openWithDialog);
    connect(m_addFiles, &QPushButton::clicked, this, &ReviewPage::addFilesWithDialog);

    auto *projectBox = new QGroupBox(tr("Project"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(newButton);
    buttons->addWidget(openButton);
    buttons->addStretch(1);
    auto *projectLayout = new QVBoxLayout(projectBox);
    projectLayout->addLayout(buttons);
    projectLayout->addWidget(m_projectPath);
    projectLayout->addWidget(m_addFiles, 0, Qt::AlignLeft);

    auto *assessorBox = new QGroupBox(tr("Assessor"));
    auto *form = new QFormLayout(assessorBox);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Endpoint"), m_endpoint);
    form->addRow(tr("Model"), m_modelName);
    form->addRow(tr("Concurrency"), m_concurrency);
    form->addRow(tr("Text field"), m_textField);
    form->addRow(m_revise);
    form->addRow(m_keyPanel);

    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->addWidget(projectBox);
    layout->addWidget(assessorBox);
    layout->addStretch(1);
    return content;
}

QWidget *ReviewPage::createCriteriaTab()
{
    m_criteria = new CriteriaEditor;
    m_criteria->setObjectName(QStringLiteral("reviewCriteriaEditor"));
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
    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->addWidget(m_criteria);
    return content;
}

QWidget *ReviewPage::createExportTab()
{
    m_curatedPath = new QLineEdit;
    m_curatedPath->setObjectName(QStringLiteral("reviewCuratedPath"));
    m_droppedPath = new QLineEdit;
    m_droppedPath->setObjectName(QStringLiteral("reviewDroppedPath"));
    m_droppedPath->setPlaceholderText(tr("optional"));
    m_logPath = new QLineEdit;
    m_logPath->setObjectName(QStringLiteral("reviewLogPath"));
    m_logPath->setPlaceholderText(tr("optional"));
    const auto pathRow = [this](QLineEdit *edit, const QString &button, const QString &title,
                                const QString &suggested, const QString &filter) {
        auto *browse = new QPushButton(button);
        connect(browse, &QPushButton::clicked, this, [=, this] {
            const QString path = browseSave(title, suggested, filter);
            if (!path.isEmpty())
                edit->setText(nativePath(path));
        });
        auto *row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(browse);
        return row;
    };
    const QString jsonl = tr("JSON Lines (*.jsonl)");
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Curated"),
                 pathRow(m_curatedPath, tr("Curated JSONL…"), tr("Curated JSONL"),
                         QStringLiteral("curated.jsonl"), jsonl));
    form->addRow(tr("Dropped"),
                 pathRow(m_droppedPath, tr("Dropped JSONL…"), tr("Dropped JSONL"),
                         QStringLiteral("dropped.jsonl"), jsonl));
    form->addRow(tr("Log"),
                 pathRow(m_logPath, tr("Decision log…"), tr("Decision Log"),
                         QStringLiteral("decisions.csv"), tr("CSV (*.csv)")));
    m_export = new QPushButton(tr("E&xport"));
    m_export->setObjectName(QStringLiteral("reviewExport"));
    m_export->setToolTip(tr("Curated: items kept or revised, with their final text; dropped: "
                            "items filtered; log: every decision. Pending and failed items are "
                            "not exported."));
    connect(m_export, &QPushButton::clicked, this, &ReviewPage::exportWithDialog);
    m_exportBatch = new QPushButton(tr("Batch API requests…"));
    m_exportBatch->setObjectName(QStringLiteral("reviewExportBatch"));
    m_exportBatch->setToolTip(tr("Writes the pending items as an OpenAI Batch API input file"));
    connect(m_exportBatch, &QPushButton::clicked, this, &ReviewPage::exportBatchWithDialog);
    m_exportStatus = new QLabel;
    m_exportStatus->setObjectName(QStringLiteral("reviewExportStatus"));
    m_exportStatus->setWordWrap(true);
    m_exportStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *box = new QGroupBox(tr("Curated data"));
    auto *boxLayout = new QVBoxLayout(box);
    boxLayout->addLayout(form);
    boxLayout->addWidget(m_export, 0, Qt::AlignLeft);
    auto *batchBox = new QGroupBox(tr("Offline assessment"));
    auto *batchLayout = new QVBoxLayout(batchBox);
    auto *batchNote = new QLabel(tr("Assess a large queue at batch prices: export the pending "
                                    "items as Batch API requests and import the results with "
                                    "the command line tool."));
    batchNote->setWordWrap(true);
    batchLayout->addWidget(batchNote);
    batchLayout->addWidget(m_exportBatch, 0, Qt::AlignLeft);

    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->addWidget(box);
    layout->addWidget(batchBox);
    layout->addWidget(m_exportStatus);
    layout->addStretch(1);
    return content;
}

QWidget *ReviewPage::createRunRow()
{
    m_run = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Run"));
    m_run->setObjectName(QStringLiteral("reviewRun"));
    m_run->setToolTip(tr("Assesses the pending items (failed ones too)"));
    m_pause = new QPushButton(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"));
    m_pause->setObjectName(QStringLiteral("reviewPause"));
    m_resume = new QPushButton(style()->standardIcon(QStyle::SP_MediaSeekForward), tr("Resume"));
    m_resume->setObjectName(QStringLiteral("reviewResume"));
    m_resume->setToolTip(tr("Continues the paused run; after a run paused because every request "
                            "failed alike, starts again over what is pending"));
    m_cancelRun = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Cancel"));
    m_cancelRun->setObjectName(QStringLiteral("reviewCancelRun"));
    m_cancelRun->setToolTip(tr("Stops the run; items in flight stay pending for the next run"));
    m_runProgress = new QProgressBar;
    m_runProgress->setObjectName(QStringLiteral("reviewRunProgress"));
    m_runProgress->setRange(0, 1);
    m_runProgress->setValue(0);
    m_runProgress->setTextVisible(true);
    m_runProgress->setMinimumWidth(140);
    m_runStats = new QLabel;
    m_runStats->setObjectName(QStringLiteral("reviewRunStats"));
    m_runStats->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progressLine = new QLabel;
    m_progressLine->setObjectName(QStringLiteral("reviewProgressLine"));
    m_progressLine->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_pauseReason = new QLabel;
    m_pauseReason->setObjectName(QStringLiteral("reviewPauseReason"));
    m_pauseReason->setWordWrap(true);
    m_pauseReason->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_pauseReason->setStyleSheet(QStringLiteral("color: #c62828"));
    m_pauseReason->hide();
    m_modelProfile = new QLabel;
    m_modelProfile->setObjectName(QStringLiteral("reviewModelProfile"));
    m_modelProfile->setWordWrap(true);
    m_modelProfile->hide();

    connect(m_run, &QPushButton::clicked, this, [this] { run(true); });
    connect(m_pause, &QPushButton::clicked, m_session, &ReviewSession::pauseRun);
    connect(m_resume, &QPushButton::clicked, m_session, &ReviewSession::resumeRun);
    connect(m_cancelRun, &QPushButton::clicked, m_session, &ReviewSession::cancelRun);

    auto *row = new QHBoxLayout;
    row->addWidget(m_run);
    row->addWidget(m_pause);
    row->addWidget(m_resume);
    row->addWidget(m_cancelRun);
    row->addWidget(m_runProgress, 1);
    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(row);
    layout->addWidget(m_runStats);
    layout->addWidget(m_progressLine);
    layout->addWidget(m_pauseReason);
    layout->addWidget(m_modelProfile);
    return box;
}

QWidget *ReviewPage::createQueueArea()
{
    m_stateFilter = new QComboBox;
    m_stateFilter->setObjectName(QStringLiteral("reviewStateFilter"));
    m_stateFilter->addItem(tr("All states"), QString());
    m_stateFilter->addItem(tr("Pending"), QStringLiteral("pending"));
    m_stateFilter->addItem(tr("Assessed"), QStringLiteral("assessed"));
    m_stateFilter->addItem(tr("Errors"), QStringLiteral("error"));
    m_decisionFilter = new QComboBox;
    m_decisionFilter->setObjectName(QStringLiteral("reviewDecisionFilter"));
    m_decisionFilter->addItem(tr("All decisions"), QString());
    m_decisionFilter->addItem(tr("Keep"), QStringLiteral("keep"));
    m_decisionFilter->addItem(tr("Revise"), QStringLiteral("revise"));
    m_decisionFilter->addItem(tr("Filter"), QStringLiteral("filter"));
    m_decisionFilter->addItem(tr("No decision"), QStringLiteral("none"));
    m_search = new QLineEdit;
    m_search->setObjectName(QStringLiteral("reviewSearch"));
    m_search->setPlaceholderText(tr("Search texts"));
    m_search->setClearButtonEnabled(true);
    m_searchTimer = new QTimer(this);
    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(300);
    connect(m_search, &QLineEdit::textChanged, m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_searchTimer, &QTimer::timeout, this, &ReviewPage::updateQuery);
    connect(m_stateFilter, &QComboBox::currentIndexChanged, this, &ReviewPage::updateQuery);
    connect(m_decisionFilter, &QComboBox::currentIndexChanged, this, &ReviewPage::updateQuery);
    // Score range; 0–100 (the full scale) means no range, so unscored items still show.
    m_minScore = new QDoubleSpinBox;
    m_maxScore = new QDoubleSpinBox;
    for (QDoubleSpinBox *box : { m_minScore, m_maxScore }) {
        box->setRange(0, 100);
        box->setDecimals(0);
        box->setKeyboardTracking(false);
    }
    m_minScore->setObjectName(QStringLiteral("reviewMinScore"));
    m_maxScore->setObjectName(QStringLiteral("reviewMaxScore"));
    m_minScore->setPrefix(tr("score ≥ "));
    m_maxScore->setPrefix(tr("≤ "));
    m_maxScore->setValue(100);
    // Connected only now: the initial values must not query a model that is not set up yet.
    for (QDoubleSpinBox *box : { m_minScore, m_maxScore })
        connect(box, &QDoubleSpinBox::valueChanged, this, &ReviewPage::updateQuery);
    m_minScore->setToolTip(
        tr("Only items scored in this range (items without a score are then left out)"));
    m_maxScore->setToolTip(m_minScore->toolTip());

    m_batch = new QToolButton;
    m_batch->setObjectName(QStringLiteral("reviewBatch"));
    m_batch->setText(tr("Batch…"));
    m_batch->setPopupMode(QToolButton::InstantPopup);
    m_batch->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto *batchMenu = new QMenu(m_batch);
    batchMenu->addAction(tr("Accept all scored below…"), this, [this] { batchWithDialog(true); });
    batchMenu->addAction(tr("Filter all scored above…"), this, [this] { batchWithDialog(false); });
    m_batch->setMenu(batchMenu);

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_stateFilter);
    filters->addWidget(m_decisionFilter);
    filters->addWidget(m_minScore);
    filters->addWidget(m_maxScore);
    filters->addWidget(m_search, 1);
    filters->addWidget(m_batch);

    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("reviewQueueTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setSortingEnabled(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSortIndicator(ReviewQueueModel::ScoreColumn,
                                                  Qt::DescendingOrder);
    m_table->setColumnWidth(ReviewQueueModel::IdColumn, 60);
    m_table->setColumnWidth(ReviewQueueModel::ScoreColumn, 60);
    m_table->setColumnWidth(ReviewQueueModel::DecisionColumn, 75);
    m_table->setColumnHidden(ReviewQueueModel::AutoDecisionColumn, true);
    m_table->setColumnWidth(ReviewQueueModel::HumanDecisionColumn, 75);
    m_table->setColumnWidth(ReviewQueueModel::StateColumn, 75);
    m_table->setMinimumWidth(300);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ReviewPage::currentRowChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        if (m_restoreItem >= 0 && selectItem(m_restoreItem))
            m_restoreItem = -1;
        else
            currentRowChanged();
    });
    connect(m_model, &ReviewQueueModel::loadFailed, this,
            [this](const QString &message) { fail(message); });

    m_detail = new ReviewDetailPane;
    m_detail->setObjectName(QStringLiteral("reviewDetailPane"));
    connect(
        m_detail, &ReviewDetailPane::editedTextCommitted, this,
        [this](qint64 id, const QString &text) { decideItem(id, QStringLiteral("revise"), text); });

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->setObjectName(QStringLiteral("reviewQueueSplitter"));
    splitter->addWidget(m_table);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({ 600, 400 });
    splitter->setChildrenCollapsible(false);

    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(createActions());
    layout->addLayout(filters);
    layout->addWidget(splitter, 1);
    return box;
}

QHBoxLayout *ReviewPage::createActions()
{
    auto *toolbar = new QHBoxLayout;
    toolbar->setSpacing(4);
    const auto add
        = [this, toolbar](const QString &text, const QKeySequence &key, const QString &tip,
                          const char *name, auto slot, bool onItem = true) {
              auto *action = new QAction(text, this);
              action->setObjectName(QString::fromLatin1(name));
              action->setShortcut(key);
              action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
              action->setToolTip(
                  QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
              connect(action, &QAction::triggered, this, slot);
              addAction(action);
              if (onItem)
                  m_itemActions << action;
              auto *button = new QToolButton;
              button->setDefaultAction(action);
              button->setToolButtonStyle(Qt::ToolButtonTextOnly);
              button->setAutoRaise(false);
              toolbar->addWidget(button);
              return action;
          };
    add(tr("Accept"), QKeySequence(Qt::Key_A), tr("Keep this text"), "reviewAcceptAction",
        [this] { acceptCurrent(); });
    add(tr("Filter"), QKeySequence(Qt::Key_F), tr("Drop this text"), "reviewFilterAction",
        [this] { filterCurrent(); });
    add(tr("Accept revision"), QKeySequence(Qt::Key_R),
        tr("Keep the rewrite (asks for one when there is none)"), "reviewAcceptRevisionAction",
        [this] { acceptRevisionCurrent(); });
    add(tr("Edit"), QKeySequence(Qt::Key_E), tr("Write the text yourself"), "reviewEditAction",
        [this] { editCurrent(); });
    add(tr("Request revision"), QKeySequence(Qt::SHIFT | Qt::Key_R),
        tr("Ask the LLM for a (new) rewrite"), "reviewRequestRevisionAction",
        [this] { requestRevisionCurrent(); });
    add(tr("Re-assess"), QKeySequence(Qt::SHIFT | Qt::Key_A),
        tr("Send this text to the assessor again"), "reviewReassessAction",
        [this] { reassessCurrent(); });
    toolbar->addSpacing(12);

    auto *next = new QAction(tr("Next"), this);
    next->setObjectName(QStringLiteral("reviewNextAction"));
    next->setShortcut(QKeySequence(Qt::Key_J));
    next->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(next, &QAction::triggered, this, &ReviewPage::nextRow);
    addAction(next);
    auto *previous = new QAction(tr("Previous"), this);
    previous->setObjectName(QStringLiteral("reviewPreviousAction"));
    previous->setShortcut(QKeySequence(Qt::Key_K));
    previous->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(previous, &QAction::triggered, this, &ReviewPage::previousRow);
    addAction(previous);

    QAction *undo = m_undo->createUndoAction(this, tr("Undo"));
    undo->setObjectName(QStringLiteral("reviewUndoAction"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(undo);
    QAction *redo = m_undo->createRedoAction(this, tr("Redo"));
    redo->setObjectName(QStringLiteral("reviewRedoAction"));
    redo->setShortcuts(
        { QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y) });
    redo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(redo);
    for (QAction *action : { undo, redo }) {
        auto *button = new QToolButton;
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        toolbar->addWidget(button);
    }
    toolbar->addStretch(1);
    auto *hint = new QLabel(tr("J/K next/previous"));
    hint->setEnabled(false);
    toolbar->addWidget(hint);

    return toolbar;
}

void ReviewPage::connectSession()
{
    connect(m_session, &ReviewSession::itemsChanged, this, [this] {
        m_restoreItem = currentItemId();
        m_model->reload();
        scheduleCountsRefresh();
    });
    connect(m_session, &ReviewSession::itemUpdated, this, [this](qint64 id) {
        m_model->refreshItem(id);
        if (id == currentItemId())
            if (const auto item = currentItem())
                m_detail->showItem(*item);
        scheduleCountsRefresh();
    });
    connect(m_session, &ReviewSession::runProgress, this,
            [this](qint64 done, qint64 total, double rate, qint64 promptTokens,
                   qint64 completionTokens, qint64 errors) {
                const QLocale locale;
                m_runProgress->setRange(0, int(std::max<qint64>(total, 1)));
                m_runProgress->setValue(int(std::min(done, total)));
                m_runProgress->setFormat(
                    QStringLiteral("%1 / %2").arg(locale.toString(done), locale.toString(total)));
                m_runStats->setText(
                    tr("%1 of %2 done · %3 requests/s · %4 prompt + %5 completion tokens · %6 "
                       "errors")
                        .arg(locale.toString(done), locale.toString(total),
                             locale.toString(rate, 'f', 1), locale.toString(promptTokens),
                             locale.toString(completionTokens), locale.toString(errors)));
            });
    connect(m_session, &ReviewSession::runStateChanged, this, [this] {
        updateRunButtons();
        if (m_session->isRunning()) {
            m_pauseReason->hide();
            showStatus(m_session->isPaused() ? tr("Paused") : tr("Assessing…"));
        }
    });
    connect(m_session, &ReviewSession::runPaused, this, [this](const QString &reason) {
        m_pauseReason->setText(tr("Run paused: %1. What was not answered stays pending; "
                                  "Resume once the cause is fixed.")
                                   .arg(reason));
        m_pauseReason->show();
        showStatus(tr("Run paused"));
        updateRunButtons();
    });
    connect(m_session, &ReviewSession::modelProfileChanged, this, &ReviewPage::updateModelProfile);
    connect(m_session, &ReviewSession::runFinished, this, [this](const ReviewRunSummary &summary) {
        const QLocale locale;
        showStatus(
            (summary.canceled ? tr("Run canceled after %1 assessed; the rest stays "
                                   "pending for the next run")
                              : tr("Run finished: %1 assessed"))
                .arg(locale.toString(summary.assessed))
            + (summary.errors ? tr(", %1 failed").arg(locale.toString(summary.errors)) : QString())
            + tr(" in %1 s").arg(locale.toString(summary.seconds, 'f', 1)));
        updateRunButtons();
        m_model->reload();
        scheduleCountsRefresh();
    });
    connect(m_session, &ReviewSession::runNote, this,
            [this](const QString &message) { showStatus(message); });
    connect(m_session, &ReviewSession::runFailed, this, [this](const Error &error) {
        fail(error);
        showStatus(tr("Run failed"));
        updateRunButtons();
    });
    connect(
        m_session, &ReviewSession::tryFinished, this,
        [this](const QString &reasoning, std::optional<double> score, const QString &errorCode) {
            m_criteria->showTryResult(reasoning, score, errorCode);
        });
    connect(m_session, &ReviewSession::busyChanged, this, [this](bool busy) {
        m_taskProgress->setVisible(busy);
        if (busy) {
            m_taskProgress->setValue(0);
            m_statusRow->show();
        }
        updateEnabled();
    });
    connect(m_session, &ReviewSession::progressChanged, this,
            [this](int permille, const QString &activity) {
                m_taskProgress->setValue(permille);
                showStatus(activity + QStringLiteral("…"));
            });
    connect(m_session, &ReviewSession::importFinished, this, [this](const ImportSummary &summary) {
        clearError();
        const QLocale locale;
        QString text = tr("Imported %1 new items").arg(locale.toString(summary.imported));
        if (summary.duplicates)
            text += tr(", %1 already in the queue").arg(locale.toString(summary.duplicates));
        if (summary.malformed)
            text += tr(", %1 malformed lines skipped (first: %2)")
                        .arg(locale.toString(summary.malformed), summary.problems.value(0));
        showStatus(text);
        m_model->reload();
        scheduleCountsRefresh();
    });
    connect(m_session, &ReviewSession::exportFinished, this, [this](const QString &description) {
        clearError();
        m_exportStatus->setText(description);
        showStatus(tr("Exported"));
    });
    connect(m_session, &ReviewSession::taskFailed, this, [this](const Error &error) {
        fail(error);
        showStatus(tr("Failed"));
        updateEnabled();
    });
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
    m_model->setStore(nullptr);
    if (Status opened = m_session->open(path); !opened) {
        m_projectPath->setText(tr("No project open"));
        updateEnabled();
        return fail(opened.error());
    }
    clearError();
    QSettings().setValue(kProjectKey, QFileInfo(path).absoluteFilePath());
    m_restoreItem = sameProject ? QSettings().value(kItemKey, -1).toLongLong() : -1;
    projectOpened();
    return Done {};
}

void ReviewPage::projectOpened()
{
    m_undo->clear();
    m_projectPath->setText(nativePath(m_session->queuePath()));
    m_projectPath->setToolTip(m_projectPath->text());
    showSettings(m_session->settings());
    if (const auto criteria = m_session->criteria())
        m_criteria->setCriteria(*criteria);
    else
        fail(criteria.error());
    m_thresholds->reload();
    m_model->setStore(m_session->store());
    updateQuery();  // resets the model, which selects the remembered item
    refreshCounts();
    updateEnabled();
    showStatus(tr("Opened %1").arg(QFileInfo(m_session->queuePath()).fileName()));
}

void ReviewPage::showSettings(const ReviewProjectSettings &settings)
{
    const QSignalBlocker blockRevise(m_revise);
    m_endpoint->setText(settings.endpoint);
    m_modelName->setText(settings.model);
    m_concurrency->setValue(settings.concurrency);
    m_revise->setChecked(settings.revise);
    m_textField->setText(settings.textField.isEmpty() ? QStringLiteral("text")
                                                      : settings.textField);
    updateApiKeyStatus();
    updateModelProfile();
}

void ReviewPage::updateModelProfile()
{
    const ModelProfile profile = m_session->modelProfile();
    const QString summary = profile.summary();
    m_modelProfile->setVisible(!summary.isEmpty());
    m_modelProfile->setText(tr("Requests adapted to the model: %1").arg(summary));
    m_modelProfile->setToolTip(tr("Learned from what the server refused, kept in the project:\n"
                                  "%1")
                                   .arg(profile.adaptations.join(QLatin1Char('\n'))));
}

Status ReviewPage::applySettings()
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    ReviewProjectSettings settings = m_session->settings();
    settings.endpoint = m_endpoint->text().trimmed();
    settings.model = m_modelName->text().trimmed();
    settings.concurrency = m_concurrency->value();
    settings.revise = m_revise->isChecked();
    settings.textField = m_textField->text().trimmed().isEmpty() ? QStringLiteral("text")
                                                                 : m_textField->text().trimmed();
    if (Status stored = m_session->setSettings(settings); !stored)
        return fail(stored.error());
    // Credentials typed into the URL stay in the session; the field shows what is kept.
    if (const QString kept = m_session->settings().endpoint; kept != settings.endpoint)
        m_endpoint->setText(kept);
    updateModelProfile();
    return Done {};
}

Status ReviewPage::storeCriteria()
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    if (Status stored = m_session->setCriteria(m_criteria->criteria()); !stored)
        return fail(stored.error());
    clearError();
    showStatus(tr("Criteria stored in the project"));
    return Done {};
}

void ReviewPage::updateApiKeyStatus()
{
    // Where the key comes from is looked up off the GUI thread (the keychain may take seconds).
    m_keyPanel->setEndpoint(m_endpoint->text(), m_modelName->text());
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
    if (Status started = m_session->startRun(retryErrors); !started)
        return fail(started.error());
    clearError();
    m_runStats->setText(tr("Starting…"));
    updateRunButtons();
    return Done {};
}

Status ReviewPage::exportTo(const QString &curated, const QString &dropped, const QString &log)
{
    m_curatedPath->setText(nativePath(curated));
    m_droppedPath->setText(nativePath(dropped));
    m_logPath->setText(nativePath(log));
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    if (curated.isEmpty())
        return fail(Error::badInput(tr("choose a file for the curated JSONL")));
    if (Status started = m_session->exportCurated(curated, dropped, log); !started)
        return fail(started.error());
    clearError();
    m_exportStatus->setText(tr("Exporting…"));
    return Done {};
}

Status ReviewPage::exportBatchTo(const QString &path)
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    if (Status settings = applySettings(); !settings)
        return settings;
    if (Status stored = m_session->setCriteria(m_criteria->criteria()); !stored)
        return fail(stored.error());
    if (Status started = m_session->exportBatchRequests(path); !started)
        return fail(started.error());
    clearError();
    m_exportStatus->setText(tr("Exporting…"));
    return Done {};
}

// ---- dialogs --------------------------------------------------------------------------------

void ReviewPage::newWithDialog()
{
    QString path = QFileDialog::getSaveFileName(
        this, tr("New Review Project"), QDir(lastDir()).filePath(QStringLiteral("review.sqlite")),
        tr("Review queue (*.sqlite)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".sqlite");
    rememberDir(path);
    if (QFileInfo::exists(path))
        openProject(path);  // the dialog asked before choosing an existing file: open it
    else
        newProject(path);
}

void ReviewPage::openWithDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Review Project"), lastDir(),
                                                      tr("Review queue (*.sqlite);;All files (*)"));
    if (path.isEmpty())
        return;
    rememberDir(path);
    openProject(path);
}

void ReviewPage::addFilesWithDialog()
{
    const QStringList paths = QFileDialog::getOpenFileNames(
        this, tr("Add JSONL Files"), lastDir(),
        tr("JSON Lines (*.jsonl *.jsonl.gz *.jsonl.zst *.json);;All files (*)"));
    if (paths.isEmpty())
        return;
    rememberDir(paths.first());
    importFiles(paths);
}

QString ReviewPage::browseSave(const QString &title, const QString &suggested,
                               const QString &filter)
{
    const QString path
        = QFileDialog::getSaveFileName(this, title, QDir(lastDir()).filePath(suggested), filter);
    if (!path.isEmpty())
        rememberDir(path);
    return path;
}

void ReviewPage::exportWithDialog()
{
    QString curated = QDir::fromNativeSeparators(m_curatedPath->text().trimmed());
    if (curated.isEmpty()) {
        curated = browseSave(tr("Curated JSONL"), QStringLiteral("curated.jsonl"),
                             tr("JSON Lines (*.jsonl)"));
        if (curated.isEmpty())
            return;
    }
    exportTo(curated, QDir::fromNativeSeparators(m_droppedPath->text().trimmed()),
             QDir::fromNativeSeparators(m_logPath->text().trimmed()));
}

void ReviewPage::exportBatchWithDialog()
{
    const QString path
        = browseSave(tr("Batch API Requests"), QStringLiteral("batch-requests.jsonl"),
                     tr("JSON Lines (*.jsonl)"));
    if (!path.isEmpty())
        exportBatchTo(path);
}

void ReviewPage::batchWithDialog(bool accept)
{
    bool ok = false;
    const double score = QInputDialog::getDouble(
        this, accept ? tr("Accept All Scored Below") : tr("Filter All Scored Above"),
        accept ? tr("Keep every item without a human decision scored below:")
               : tr("Drop every item without a human decision scored above:"),
        accept ? 20 : 80, 0, 100, 1, &ok);
    if (!ok)
        return;
    if (accept)
        batchAcceptBelow(score);
    else
        batchFilterAbove(score);
}

// ---- queue ----------------------------------------------------------------------------------

void ReviewPage::updateQuery()
{
    m_searchTimer->stop();
    if (m_restoreItem < 0)
        m_restoreItem = currentItemId();
    PageQuery query = m_model->query();
    query.state = itemStateFromName(m_stateFilter->currentData().toString());
    const QString decision = m_decisionFilter->currentData().toString();
    query.withoutDecision = decision == QLatin1String("none");
    query.decision = decisionFromName(decision);
    query.textSearch = m_search->text().trimmed();
    const bool fullRange = m_minScore->value() <= 0 && m_maxScore->value() >= 100;
    query.scores = fullRange ? ScoreRange {}
                             : ScoreRange { m_minScore->value(), true, m_maxScore->value(), true };
    m_model->setQuery(query);
}

qint64 ReviewPage::currentItemId() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? m_model->idAt(current.row()) : -1;
}

std::optional<QueueItem> ReviewPage::currentItem() const
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return std::nullopt;
    return m_model->itemAt(current.row());
}

bool ReviewPage::selectRow(int row)
{
    if (row < 0 || row >= m_model->rowCount())
        return false;
    const QModelIndex index = m_model->index(row, ReviewQueueModel::IdColumn);
    m_table->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    return true;
}

bool ReviewPage::selectItem(qint64 id)
{
    int row = m_model->rowOfId(id);
    if (row < 0) {
        const int rows = std::min(m_model->rowCount(), kRestoreScanRows);
        for (int r = 0; r < rows && row < 0; ++r)
            if (m_model->idAt(r) == id)
                row = r;
    }
    return selectRow(row);
}

void ReviewPage::currentRowChanged()
{
    const auto item = currentItem();
    if (item) {
        m_detail->showItem(*item);
        if (m_session->isOpen())
            QSettings().setValue(kItemKey, item->id);
    } else {
        m_detail->clear();
    }
    updateEnabled();
}

void ReviewPage::nextRow()
{
    const QModelIndex current = m_table->currentIndex();
    selectRow(current.isValid() ? std::min(current.row() + 1, m_model->rowCount() - 1) : 0);
}

void ReviewPage::previousRow()
{
    const QModelIndex current = m_table->currentIndex();
    selectRow(current.isValid() ? std::max(current.row() - 1, 0) : 0);
}

void ReviewPage::selectNextUndecided(int fromRow)
{
    const int rows = std::min(m_model->rowCount(), fromRow + 1 + kUndecidedScanRows);
    for (int row = fromRow + 1; row < rows; ++row) {
        const auto item = m_model->itemAt(row);
        if (item && !item->humanDecision) {
            selectRow(row);
            return;
        }
    }
}

// ---- decisions ------------------------------------------------------------------------------

void ReviewPage::refreshItems(const std::vector<qint64> &ids)
{
    if (ids.size() > kReloadAbove) {
        m_restoreItem = currentItemId();
        m_model->reload();
    } else {
        for (qint64 id : ids)
            m_model->refreshItem(id);
        const qint64 current = currentItemId();
        if (std::find(ids.begin(), ids.end(), current) != ids.end())
            if (const auto item = currentItem())
                m_detail->showItem(*item);
    }
    scheduleCountsRefresh();
}

void ReviewPage::pushDecision(const QString &text,
                              std::function<Result<std::vector<QueueItem>>()> apply,
                              std::vector<QueueItem> before)
{
    auto *command
        = new ReviewDecisionCommand(m_session, text, std::move(apply), std::move(before),
                                    [this](const std::vector<qint64> &ids) { refreshItems(ids); });
    m_undo->push(command);
}

bool ReviewPage::decideItem(qint64 id, const QString &decision, const QString &editedText)
{
    if (!m_session->isOpen() || id < 0)
        return false;
    const QModelIndex current = m_table->currentIndex();
    const bool onCurrent = current.isValid() && m_model->idAt(current.row()) == id;
    auto before = m_session->setHumanDecision(id, decisionFromName(decision), editedText);
    if (!before) {
        fail(before.error());
        return false;
    }
    clearError();
    const QString name = editedText.isEmpty() ? decision : tr("edit");
    ReviewSession *session = m_session;
    pushDecision(tr("%1 item %2").arg(name).arg(id),
                 [session, id, decision, editedText]() -> Result<std::vector<QueueItem>> {
                     auto previous
                         = session->setHumanDecision(id, decisionFromName(decision), editedText);
                     if (!previous)
                         return previous.error();
                     return std::vector<QueueItem> { *previous };
                 },
                 { *before });
    refreshItems({ id });
    if (onCurrent)
        selectNextUndecided(current.row());
    return true;
}

bool ReviewPage::acceptCurrent()
{
    return decideItem(currentItemId(), QStringLiteral("keep"));
}

bool ReviewPage::filterCurrent()
{
    return decideItem(currentItemId(), QStringLiteral("filter"));
}

bool ReviewPage::acceptRevisionCurrent()
{
    const auto item = currentItem();
    if (!item)
        return false;
    if (!item->revisedText.isEmpty() || !item->editedText.isEmpty())
        return decideItem(item->id, QStringLiteral("revise"), item->editedText);
    return requestRevisionCurrent();
}

bool ReviewPage::editCurrent()
{
    if (!currentItem())
        return false;
    m_detail->startEditing();
    return true;
}

bool ReviewPage::requestRevisionCurrent()
{
    const qint64 id = currentItemId();
    if (id < 0)
        return false;
    applySettings();
    if (Status requested = m_session->requestRevision(id); !requested) {
        fail(requested.error());
        return false;
    }
    clearError();
    showStatus(tr("Asked for a rewrite of item %1…").arg(id));
    return true;
}

bool ReviewPage::reassessCurrent()
{
    const qint64 id = currentItemId();
    if (id < 0)
        return false;
    applySettings();
    if (Status requested = m_session->reassess(id); !requested) {
        fail(requested.error());
        return false;
    }
    clearError();
    showStatus(tr("Assessing item %1 again…").arg(id));
    return true;
}

Status ReviewPage::batchAcceptBelow(double score)
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    ReviewSession *session = m_session;
    return pushBatch(tr("accept %1 items scored below %2"), tr("Accepted %1 items scored below %2"),
                     score, [session, score] { return session->acceptBelow(score); });
}

Status ReviewPage::batchFilterAbove(double score)
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    ReviewSession *session = m_session;
    return pushBatch(tr("filter %1 items scored above %2"), tr("Filtered %1 items scored above %2"),
                     score, [session, score] { return session->filterAbove(score); });
}

Status ReviewPage::pushBatch(const QString &commandText, const QString &statusText, double score,
                             const std::function<Result<DecisionBatch>()> &apply)
{
    auto batch = apply();
    if (!batch)
        return fail(batch.error());
    clearError();
    auto reload = [this] {
        m_restoreItem = currentItemId();
        m_model->reload();
        scheduleCountsRefresh();
    };
    m_undo->push(new ReviewBatchCommand(m_session, commandText.arg(batch->changed).arg(score),
                                        apply, *batch, reload));
    reload();
    showStatus(statusText.arg(QLocale().toString(batch->changed)).arg(score));
    return Done {};
}

// ---- state ----------------------------------------------------------------------------------

void ReviewPage::scheduleCountsRefresh()
{
    if (!m_countsTimer->isActive())
        m_countsTimer->start();
}

void ReviewPage::refreshCounts()
{
    if (!m_session->isOpen()) {
        m_progressLine->setText(tr("Create or open a project (Project tab) to start."));
        return;
    }
    const auto counts = m_session->counts();
    if (!counts) {
        m_progressLine->setText(counts.error().toString());
        return;
    }
    const QLocale locale;
    m_progressLine->setText(
        tr("<b>Reviewed %1 of %2</b> · keep %3 · revise %4 · filter %5 · pending %6 · errors %7")
            .arg(locale.toString(counts->humanDecided), locale.toString(counts->total),
                 locale.toString(counts->keep), locale.toString(counts->revise),
                 locale.toString(counts->filter), locale.toString(counts->pending),
                 locale.toString(counts->errors)));
    if (!m_session->isRunning() && m_runStats->text().isEmpty())
        m_runStats->setText(
            tr("%1 assessed, %2 pending")
                .arg(locale.toString(counts->assessed), locale.toString(counts->pending)));
}

void ReviewPage::updateRunButtons()
{
    const bool open = m_session->isOpen();
    const bool running = m_session->isRunning();
    const bool paused = running && m_session->isPaused();
    m_run->setEnabled(open && !running && !m_session->isBusy());
    m_pause->setEnabled(running && !paused);
    // After a run that paused itself, Resume starts again over what is pending.
    m_resume->setEnabled(paused || (open && !running && !m_session->pauseReason().isEmpty()));
    m_cancelRun->setEnabled(running);
}

void ReviewPage::updateEnabled()
{
    const bool open = m_session->isOpen();
    const bool idle = !m_session->isBusy();
    m_addFiles->setEnabled(open && idle);
    m_export->setEnabled(open && idle);
    m_exportBatch->setEnabled(open && idle);
    m_batch->setEnabled(open);
    const bool hasItem = m_table->currentIndex().isValid();
    for (QAction *action : std::as_const(m_itemActions))
        action->setEnabled(open && hasItem);
    updateRunButtons();
}

Status ReviewPage::fail(const Error &error)
{
    m_error->setText(error.toString());
    m_error->show();
    return error;
}

Status ReviewPage::fail(const QString &message)
{
    m_error->setText(message);
    m_error->show();
    return Error::badInput(message);
}

void ReviewPage::clearError()
{
    m_error->clear();
    m_error->hide();
}

void ReviewPage::showStatus(const QString &text)
{
    m_status->setText(text);
    m_statusRow->setVisible(!text.isEmpty() || m_session->isBusy());
}

QString ReviewPage::errorText() const
{
    return m_error->isVisible() || !m_error->isHidden() ? m_error->text() : QString();
}

QString ReviewPage::statusText() const
{
    return m_status->text();
}

QString ReviewPage::runStatsText() const
{
    return m_runStats->text();
}

QString ReviewPage::progressText() const
{
    return m_progressLine->text();
}

}  // namespace pcs
