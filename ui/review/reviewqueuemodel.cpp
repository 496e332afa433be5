#include "ui/review/reviewqueuemodel.h"

#include <QColor>
#include <QFont>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace pcs {

namespace {

constexpr int kReasoningTipLength = 400;
constexpr int kTextTipLength = 600;

QColor decisionColor(const QString &decision)
{
    if (decision == QLatin1String("keep"))
        return QColor(0x1b, 0x7f, 0x3b);
    if (decision == QLatin1String("revise"))
        return QColor(0xb2, 0x6a, 0x00);
    if (decision == QLatin1String("filter"))
        return QColor(0xc6, 0x28, 0x28);
    return {};
}

// At most `length` characters on one line: texts are multi-line, table rows are not.
QString oneLine(const QString &text, int length)
{
    // simplified() on the whole of a long text would copy all of it for a few words.
    QString line = text.left(qsizetype(length) * 4).simplified();
    if (line.size() > length || text.size() > qsizetype(length) * 4) {
        line.truncate(length);
        line += QChar(0x2026);
    }
    return line;
}

QString shortened(const QString &text, int length)
{
    return text.size() > length ? text.left(length) + QChar(0x2026) : text;
}

QString scoreText(const std::optional<double> &score)
{
    return score ? QString::number(*score, 'f', 1) : QString();
}

QVariant optionalValue(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant();
}

}  // namespace

ReviewQueueModel::ReviewQueueModel(QObject *parent)
    : ReviewQueueModel(nullptr, parent)
{
}

ReviewQueueModel::ReviewQueueModel(QueueStore *store, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(store)
    , m_reorderTimer(new QTimer(this))
{
    m_reorderTimer->setSingleShot(true);
    m_reorderTimer->setInterval(kReorderDelayMs);
    connect(m_reorderTimer, &QTimer::timeout, this, &ReviewQueueModel::reorder);
    recount();
}

ReviewQueueModel::~ReviewQueueModel() = default;

void ReviewQueueModel::setStore(QueueStore *store)
{
    beginResetModel();
    m_reorderTimer->stop();
    m_store = store;
    clearCache();
    recount();
    endResetModel();
}

void ReviewQueueModel::setQuery(const PageQuery &query)
{
    beginResetModel();
    m_reorderTimer->stop();
    m_query = query;
    m_query.offset = 0;
    m_query.limit = kPageSize;
    clearCache();
    recount();
    endResetModel();
}

void ReviewQueueModel::reload()
{
    beginResetModel();
    m_reorderTimer->stop();
    clearCache();
    recount();
    endResetModel();
}

void ReviewQueueModel::recount()
{
    m_rowCount = 0;
    if (!m_store)
        return;
    m_query.offset = 0;
    m_query.limit = kPageSize;
    const auto counted = m_store->count(m_query);
    if (!counted) {
        Q_EMIT loadFailed(counted.error().toString());
        return;
    }
    // A view cannot address more rows than an int holds.
    m_rowCount = int(std::min<qint64>(*counted, std::numeric_limits<int>::max()));
}

void ReviewQueueModel::clearCache()
{
    m_pages.clear();
    m_recency.clear();
}

int ReviewQueueModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rowCount;
}

int ReviewQueueModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : kColumnCount;
}

const ReviewQueueModel::Page *ReviewQueueModel::pageOf(int row) const
{
    if (!m_store || row < 0 || row >= m_rowCount)
        return nullptr;
    const qint64 pageIndex = row / kPageSize;
    if (auto found = m_pages.find(pageIndex); found != m_pages.end()) {
        m_recency.splice(m_recency.begin(), m_recency, found->second.recency);
        return &found->second;
    }

    PageQuery query = m_query;
    query.offset = pageIndex * kPageSize;
    query.limit = kPageSize;
    // Scrolling on: the next page starts after the last row of the cached one, an index seek
    // instead of OFFSET skipping half a million rows.
    Result<std::vector<QueueItem>> loaded = std::vector<QueueItem>();
    const auto previous = m_pages.find(pageIndex - 1);
    if (previous != m_pages.end() && previous->second.keysetValid
        && int(previous->second.items.size()) == kPageSize)
        loaded = m_store->pageAfter(query, previous->second.items.back());
    else
        loaded = m_store->page(query);

    Page page;
    if (loaded)
        page.items = std::move(*loaded);
    else
        Q_EMIT loadFailed(loaded.error().toString());  // cached empty: not retried until reload
    if (int(m_pages.size()) >= kCachedPages) {
        m_pages.erase(m_recency.back());
        m_recency.pop_back();
    }
    m_recency.push_front(pageIndex);
    page.recency = m_recency.begin();
    return &m_pages.emplace(pageIndex, std::move(page)).first->second;
}

const QueueItem *ReviewQueueModel::cachedItem(int row) const
{
    const Page *page = pageOf(row);
    if (!page)
        return nullptr;
    const auto inPage = std::size_t(row % kPageSize);
    return inPage < page->items.size() ? &page->items[inPage] : nullptr;
}

QVariant ReviewQueueModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this || index.row() >= m_rowCount)
        return {};
    const QueueItem *item = cachedItem(index.row());
    if (!item)
        return {};
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayAt(*item, column);
    case ItemIdRole:
        return item->id;
    case ValueRole:
        return valueAt(*item, column);
    case Qt::ForegroundRole: {
        QString decision;
        if (column == DecisionColumn)
            decision = decisionText(item->finalDecision());
        else if (column == AutoDecisionColumn)
            decision = decisionText(item->autoDecision);
        else if (column == HumanDecisionColumn)
            decision = decisionText(item->humanDecision);
        const QColor color = decisionColor(decision);
        return color.isValid() ? QVariant(color) : QVariant();
    }
    case Qt::FontRole:
        if (column == DecisionColumn && item->humanDecision) {
            QFont bold;  // the reviewer's own decision
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == IdColumn || column == ScoreColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return int(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (column == SnippetColumn)
            return shortened(item->text, kTextTipLength);
        if (item->state == ItemState::Error)
            return tr("Assessment failed (%1): %2").arg(item->errorCode, item->error);
        if (column == ScoreColumn || column == DecisionColumn || column == AutoDecisionColumn
            || column == HumanDecisionColumn)
            return shortened(item->llmReasoning, kReasoningTipLength);
        return {};
    default:
        return {};
    }
}

QVariant ReviewQueueModel::displayAt(const QueueItem &item, int column) const
{
    switch (column) {
    case IdColumn:
        return displayedId(item);
    case ScoreColumn:
        return scoreText(item.score);
    case DecisionColumn:
        return decisionText(item.finalDecision());
    case AutoDecisionColumn:
        return decisionText(item.autoDecision);
    case HumanDecisionColumn:
        return decisionText(item.humanDecision);
    case StateColumn:
        return itemStateName(item.state);
    case SnippetColumn:
        return oneLine(item.editedText.isEmpty() ? item.text : item.editedText, kSnippetLength);
    default:
        return {};
    }
}

QVariant ReviewQueueModel::valueAt(const QueueItem &item, int column) const
{
    switch (column) {
    case IdColumn:
        return item.id;
    case ScoreColumn:
        return optionalValue(item.score);
    case DecisionColumn:
        return decisionText(item.finalDecision());
    case AutoDecisionColumn:
        return decisionText(item.autoDecision);
    case HumanDecisionColumn:
        return decisionText(item.humanDecision);
    case StateColumn:
        return itemStateName(item.state);
    case SnippetColumn:
        return item.text;
    default:
        return {};
    }
}

QVariant ReviewQueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= kColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case IdColumn:
            return tr("Id");
        case ScoreColumn:
            return tr("Score");
        case DecisionColumn:
            return tr("Decision");
        case AutoDecisionColumn:
            return tr("Auto");
        case HumanDecisionColumn:
            return tr("Human");
        case StateColumn:
            return tr("State");
        case SnippetColumn:
            return tr("Text");
        }
    }
    if (role == Qt::InitialSortOrderRole) {
        // Scores are non-conformance: a first click shows the worst texts first.
        return int(section == ScoreColumn ? Qt::DescendingOrder : Qt::AscendingOrder);
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case IdColumn:
            return tr("The item's own id from its JSONL record (the field chosen at import), "
                      "else its number in the queue (import order)");
        case ScoreColumn:
            return tr("Combined non-conformance score, 0\u2013100: higher = further from the "
                      "criteria");
        case DecisionColumn:
            return tr("The final decision: the human one when set (in bold), else the automatic "
                      "one");
        case AutoDecisionColumn:
            return tr("The decision the thresholds derive from the score");
        case HumanDecisionColumn:
            return tr("The reviewer's decision, overriding the automatic one");
        case StateColumn:
            return tr("pending: not assessed yet; assessed; error: the assessment failed");
        case SnippetColumn:
            return tr("The beginning of the text (the reviewer's edit when there is one)");
        }
    }
    return QAbstractTableModel::headerData(section, orientation, role);
}

Qt::ItemFlags ReviewQueueModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

bool ReviewQueueModel::isSortable(int column)
{
    return column == IdColumn || column == ScoreColumn || column == DecisionColumn
        || column == StateColumn;
}

void ReviewQueueModel::sort(int column, Qt::SortOrder order)
{
    if (!isSortable(column))
        return;
    PageQuery query = m_query;
    switch (column) {
    case IdColumn:
        query.sortBy = QueueSortColumn::Id;
        break;
    case ScoreColumn:
        query.sortBy = QueueSortColumn::Score;
        break;
    case DecisionColumn:
        query.sortBy = QueueSortColumn::Decision;
        break;
    default:
        query.sortBy = QueueSortColumn::State;
        break;
    }
    query.ascending = order == Qt::AscendingOrder;
    if (query.sortBy == m_query.sortBy && query.ascending == m_query.ascending)
        return;
    // The rows are re-read from the store in the new order: a reset, not a layout change (the
    // model cannot map persistent indexes without reading every row).
    setQuery(query);
}

int ReviewQueueModel::sortColumn() const
{
    switch (m_query.sortBy) {
    case QueueSortColumn::Id:
        return IdColumn;
    case QueueSortColumn::Score:
        return ScoreColumn;
    case QueueSortColumn::Decision:
        return DecisionColumn;
    case QueueSortColumn::State:
        return StateColumn;
    }
    return ScoreColumn;
}

Qt::SortOrder ReviewQueueModel::sortOrder() const
{
    return m_query.ascending ? Qt::AscendingOrder : Qt::DescendingOrder;
}

std::optional<QueueItem> ReviewQueueModel::itemAt(int row) const
{
    const QueueItem *item = cachedItem(row);
    return item ? std::optional<QueueItem>(*item) : std::nullopt;
}

qint64 ReviewQueueModel::idAt(int row) const
{
    const QueueItem *item = cachedItem(row);
    return item ? item->id : -1;
}

int ReviewQueueModel::rowOfId(qint64 id) const
{
    for (const auto &[pageIndex, page] : m_pages) {
        for (std::size_t i = 0; i < page.items.size(); ++i)
            if (page.items[i].id == id)
                return int(pageIndex * kPageSize + qint64(i));
    }
    return -1;
}

void ReviewQueueModel::refreshItem(qint64 id)
{
    if (!m_store)
        return;
    for (auto &[pageIndex, page] : m_pages) {
        for (std::size_t i = 0; i < page.items.size(); ++i) {
            if (page.items[i].id != id)
                continue;
            auto fresh = m_store->item(id);
            if (!fresh) {
                Q_EMIT loadFailed(fresh.error().toString());
                return;
            }
            page.items[i] = std::move(*fresh);
            // The next page's keyset must start from the row as it was read, not as it is now.
            if (i + 1 == page.items.size())
                page.keysetValid = false;
            const int row = int(pageIndex * kPageSize + qint64(i));
            Q_EMIT dataChanged(index(row, 0), index(row, kColumnCount - 1));
            return;
        }
    }
}

bool ReviewQueueModel::matchesFilters(const QueueItem &item) const
{
    if (m_query.state && item.state != *m_query.state)
        return false;
    if (m_query.withoutDecision) {
        if (item.finalDecision())
            return false;
    } else if (m_query.decision && item.finalDecision() != m_query.decision) {
        return false;
    }
    if (m_query.withoutHumanDecision && item.humanDecision)
        return false;
    if (!m_query.scores.isUnbounded() && (!item.score || !m_query.scores.contains(*item.score)))
        return false;
    return m_query.textSearch.isEmpty()
        || item.text.contains(m_query.textSearch, Qt::CaseInsensitive);
}

bool ReviewQueueModel::sameSortKey(const QueueItem &a, const QueueItem &b) const
{
    switch (m_query.sortBy) {
    case QueueSortColumn::Score:
        return a.score == b.score;
    case QueueSortColumn::State:
        return a.state == b.state;
    case QueueSortColumn::Decision:
        return a.finalDecision() == b.finalDecision();
    case QueueSortColumn::Id:
        return true;
    }
    return false;
}

void ReviewQueueModel::refreshItemInOrder(qint64 id)
{
    if (!m_store)
        return;
    const int row = rowOfId(id);
    if (row < 0) {
        // Not among the rows read: it may now sort (or filter) into them.
        m_reorderTimer->start();
        return;
    }
    const QueueItem before = *cachedItem(row);
    refreshItem(id);
    const QueueItem *after = cachedItem(row);
    if (!after || !sameSortKey(before, *after) || matchesFilters(before) != matchesFilters(*after))
        m_reorderTimer->start();
}

bool ReviewQueueModel::isReorderPending() const
{
    return m_reorderTimer->isActive();
}

void ReviewQueueModel::reorderNow()
{
    if (m_reorderTimer->isActive()) {
        m_reorderTimer->stop();
        reorder();
    }
}

int ReviewQueueModel::locateRow(qint64 id) const
{
    if (const int cached = rowOfId(id); cached >= 0)
        return cached;
    const int rows = std::min(m_rowCount, kLocateRows);
    for (int row = 0; row < rows; row += kPageSize) {
        const Page *page = pageOf(row);
        if (!page)
            return -1;
        for (std::size_t i = 0; i < page->items.size(); ++i)
            if (page->items[i].id == id)
                return row + int(i);
    }
    return -1;
}

void ReviewQueueModel::reorder()
{
    if (!m_store)
        return;
    PageQuery counting = m_query;
    const auto counted = m_store->count(counting);
    if (!counted || std::min<qint64>(*counted, std::numeric_limits<int>::max()) != m_rowCount) {
        reload();  // rows came or went: a layout change cannot say so
        return;
    }
    // The rows keep their number; only their order changes. The items behind persistent
    // indexes (the view's current row and selection) are found again by id.
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList from = persistentIndexList();
    std::vector<qint64> ids;
    ids.reserve(std::size_t(from.size()));
    for (const QModelIndex &index : from)
        ids.push_back(idAt(index.row()));
    clearCache();
    std::unordered_map<qint64, int> rows;
    QModelIndexList to;
    to.reserve(from.size());
    for (qsizetype i = 0; i < from.size(); ++i) {
        const qint64 id = ids[std::size_t(i)];
        auto found = rows.find(id);
        if (found == rows.end())
            found = rows.emplace(id, id < 0 ? -1 : locateRow(id)).first;
        to << (found->second < 0 ? QModelIndex() : index(found->second, from[i].column()));
    }
    changePersistentIndexList(from, to);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

}  // namespace pcs
