#include "ui/review/reviewqueuepanel.h"

#include "ui/review/reviewdetailpane.h"
#include "ui/review/reviewqueuemodel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMenu>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace pcs {

namespace {

// The state filter's data for the audit sample entry (not a state name).
const QString kAuditSampleEntry = QStringLiteral("audit-sample");

}  // namespace

ReviewQueuePanel::ReviewQueuePanel(QWidget *parent)
    : QWidget(parent)
    , m_model(new ReviewQueueModel(this))
{
    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("reviewQueueTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setSortingEnabled(true);
    m_table->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSortIndicator(ReviewQueueModel::ScoreColumn, Qt::DescendingOrder);
    // The short columns as wide as their header and values; the text takes what is left.
    const int digit = m_table->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    m_table->setColumnWidth(ReviewQueueModel::IdColumn, digit * 9);
    m_table->setColumnWidth(ReviewQueueModel::ScoreColumn, digit * 7);
    m_table->setColumnWidth(ReviewQueueModel::DecisionColumn, digit * 8);
    m_table->setColumnHidden(ReviewQueueModel::AutoDecisionColumn, true);
    // The Decision column shows the human decision in bold: the Human column is left out too.
    m_table->setColumnHidden(ReviewQueueModel::HumanDecisionColumn, true);
    m_table->setColumnWidth(ReviewQueueModel::StateColumn, digit * 8);
    header->setSectionResizeMode(ReviewQueueModel::SnippetColumn, QHeaderView::Stretch);
    header->setMinimumSectionSize(digit * 4);
    m_table->setMinimumWidth(200);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ReviewQueuePanel::currentItemChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ReviewQueuePanel::modelReset);
    connect(m_model, &ReviewQueueModel::loadFailed, this, &ReviewQueuePanel::loadFailed);

    m_detail = new ReviewDetailPane;
    m_detail->setObjectName(QStringLiteral("reviewDetailPane"));
    m_detail->setMinimumWidth(200);
    connect(m_detail, &ReviewDetailPane::editedTextCommitted, this,
            &ReviewQueuePanel::editedTextCommitted);

    m_splitter = new QSplitter(Qt::Horizontal);
    m_splitter->setObjectName(QStringLiteral("reviewQueueSplitter"));
    m_splitter->addWidget(m_table);
    m_splitter->addWidget(m_detail);
    // The table gets the larger share: its Text column is what the reviewer scans.
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setSizes({ 600, 400 });
    m_splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(createFilters());
    layout->addWidget(m_splitter, 1);
}

QWidget *ReviewQueuePanel::createFilters()
{
    m_stateFilter = new QComboBox;
    m_stateFilter->setObjectName(QStringLiteral("reviewStateFilter"));
    m_stateFilter->addItem(tr("All states"), QString());
    m_stateFilter->addItem(tr("Pending"), QStringLiteral("pending"));
    m_stateFilter->addItem(tr("Assessed"), QStringLiteral("assessed"));
    m_stateFilter->addItem(tr("Errors"), QStringLiteral("error"));
    m_stateFilter->addItem(tr("Audit sample"), kAuditSampleEntry);
    m_stateFilter->setItemData(
        auditSampleEntry(), tr("The items drawn for the audit (Calibration tab)"), Qt::ToolTipRole);
    setAuditSampleAvailable(false);
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
    m_search->setMinimumWidth(60);
    m_searchTimer = new QTimer(this);
    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(300);
    connect(m_search, &QLineEdit::textChanged, m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_searchTimer, &QTimer::timeout, this, &ReviewQueuePanel::updateQuery);
    connect(m_stateFilter, &QComboBox::currentIndexChanged, this, &ReviewQueuePanel::updateQuery);
    connect(m_decisionFilter, &QComboBox::currentIndexChanged, this,
            &ReviewQueuePanel::updateQuery);
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
        connect(box, &QDoubleSpinBox::valueChanged, this, &ReviewQueuePanel::updateQuery);
    m_minScore->setToolTip(
        tr("Only items scored in this range (items without a score are then left out)"));
    m_maxScore->setToolTip(m_minScore->toolTip());

    m_batch = new QToolButton;
    m_batch->setObjectName(QStringLiteral("reviewBatch"));
    m_batch->setText(tr("Batch…"));
    m_batch->setPopupMode(QToolButton::InstantPopup);
    m_batch->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto *batchMenu = new QMenu(m_batch);
    batchMenu->addAction(tr("Accept all scored below…"), this,
                         [this] { Q_EMIT batchRequested(true); });
    batchMenu->addAction(tr("Filter all scored above…"), this,
                         [this] { Q_EMIT batchRequested(false); });
    m_batch->setMenu(batchMenu);

    auto *filters = new QWidget;
    auto *layout = new QHBoxLayout(filters);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stateFilter);
    layout->addWidget(m_decisionFilter);
    layout->addWidget(m_minScore);
    layout->addWidget(m_maxScore);
    layout->addWidget(m_search, 1);
    layout->addWidget(m_batch);
    return filters;
}

void ReviewQueuePanel::setStore(QueueStore *store, qint64 restoreItem)
{
    m_restoreItem = restoreItem;
    m_model->setStore(store);
    // Another queue may have no sample: offered again once the page knows it has one.
    if (isShowingAuditSample()) {
        const QSignalBlocker quiet(m_stateFilter);
        m_stateFilter->setCurrentIndex(0);
    }
    setAuditSampleAvailable(false);
    if (store)
        updateQuery();  // resets the model, which selects the remembered item
}

void ReviewQueuePanel::updateQuery()
{
    m_searchTimer->stop();
    if (m_restoreItem < 0)
        m_restoreItem = currentItemId();
    PageQuery query = m_model->query();
    query.auditSampleOnly = isShowingAuditSample();
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

int ReviewQueuePanel::auditSampleEntry() const
{
    return m_stateFilter->findData(kAuditSampleEntry);
}

void ReviewQueuePanel::setAuditSampleAvailable(bool available)
{
    // The combo's own model is a QStandardItemModel: its items can be disabled.
    if (auto *entries = qobject_cast<QStandardItemModel *>(m_stateFilter->model()))
        if (QStandardItem *entry = entries->item(auditSampleEntry()))
            entry->setEnabled(available);
    if (!available && isShowingAuditSample())
        m_stateFilter->setCurrentIndex(0);
}

void ReviewQueuePanel::showAuditSample()
{
    setAuditSampleAvailable(true);
    if (isShowingAuditSample())
        updateQuery();  // a new sample: the same filter, other items
    else
        m_stateFilter->setCurrentIndex(auditSampleEntry());
}

bool ReviewQueuePanel::isShowingAuditSample() const
{
    return m_stateFilter->currentData().toString() == kAuditSampleEntry;
}

void ReviewQueuePanel::modelReset()
{
    if (m_restoreItem >= 0 && selectItem(m_restoreItem))
        m_restoreItem = -1;
    else
        Q_EMIT currentItemChanged();
}

qint64 ReviewQueuePanel::currentItemId() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? m_model->idAt(current.row()) : -1;
}

std::optional<QueueItem> ReviewQueuePanel::currentItem() const
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return std::nullopt;
    return m_model->itemAt(current.row());
}

int ReviewQueuePanel::currentRow() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? current.row() : -1;
}

bool ReviewQueuePanel::selectRow(int row)
{
    if (row < 0 || row >= m_model->rowCount())
        return false;
    const QModelIndex index = m_model->index(row, ReviewQueueModel::IdColumn);
    m_table->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    return true;
}

bool ReviewQueuePanel::selectItem(qint64 id)
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

void ReviewQueuePanel::nextRow()
{
    const int current = currentRow();
    selectRow(current >= 0 ? std::min(current + 1, m_model->rowCount() - 1) : 0);
}

void ReviewQueuePanel::previousRow()
{
    const int current = currentRow();
    selectRow(current >= 0 ? std::max(current - 1, 0) : 0);
}

void ReviewQueuePanel::selectNextUndecided(int fromRow)
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

void ReviewQueuePanel::refreshItems(const std::vector<qint64> &ids)
{
    if (ids.size() > kReloadAbove) {
        reloadKeepingCurrent();
        return;
    }
    for (qint64 id : ids)
        m_model->refreshItem(id);
    const qint64 current = currentItemId();
    if (std::find(ids.begin(), ids.end(), current) != ids.end())
        if (const auto item = currentItem())
            m_detail->showItem(*item);
}

void ReviewQueuePanel::itemArrived(qint64 id)
{
    m_model->refreshItemInOrder(id);
    if (id == currentItemId())
        if (const auto item = currentItem())
            m_detail->showItem(*item);
}

void ReviewQueuePanel::reloadKeepingCurrent()
{
    m_restoreItem = currentItemId();
    m_model->reload();
}

void ReviewQueuePanel::setBatchEnabled(bool enabled)
{
    m_batch->setEnabled(enabled);
}

}  // namespace pcs
