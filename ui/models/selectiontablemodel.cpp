#include "ui/models/selectiontablemodel.h"

#include "ui/models/nameorder.h"
#include "ui/models/parallelchunks.h"
#include "ui/models/valueorder.h"

#include <QDebug>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

namespace pcs {

namespace {

// True when `rank` holds each of 1..D exactly once (ranksDescending() gives such ranks).
bool isPermutationOfRanks(const Eigen::VectorXi &rank)
{
    std::vector<unsigned char> seen(std::size_t(rank.size()), 0);
    for (Eigen::Index t = 0; t < rank.size(); ++t) {
        const int r = rank[t];
        if (r < 1 || r > rank.size() || seen[std::size_t(r - 1)])
            return false;
        seen[std::size_t(r - 1)] = 1;
    }
    return true;
}

QString fullNumber(double value)
{
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

const SelectionTable &emptyTable()
{
    static const SelectionTable empty;
    return empty;
}

bool tableHasDistribution(const SelectionTable &table)
{
    const qsizetype d = table.texts.size();
    return table.hasDistribution() && table.weight.size() == d && table.tau.size() == d;
}

double numberOf(const SelectionTable &table, int text, int column)
{
    switch (column) {
    case SelectionTableModel::EstimateColumn:
        return table.estimate[text];
    case SelectionTableModel::RankColumn:
        return table.rank[text];
    case SelectionTableModel::TauColumn:
        return table.tau[text];
    case SelectionTableModel::WeightColumn:
        return table.weight[text];
    case SelectionTableModel::IncludedColumn:
        return table.weight[text] > 0.0 ? 1.0 : 0.0;
    }
    return 0.0;
}

// One sort and filter request over immutable inputs, so that it runs on any thread.
struct Arranger {
    const SelectionTable &table;
    int sortColumn = -1;
    Qt::SortOrder sortOrder = Qt::AscendingOrder;
    QFuture<std::vector<int>> nameOrder;  // ascending name order of table.texts, if started
    QString filterText;
    bool includedOnly = false;

    std::vector<int> sortAll() const;
    std::vector<int> filter(const std::vector<int> &candidates) const;

private:
    bool orderFromRanks(bool ascending, std::vector<int> &sorted) const;
};

std::vector<int> Arranger::sortAll() const
{
    std::vector<int> sorted(std::size_t(table.texts.size()));
    std::iota(sorted.begin(), sorted.end(), 0);
    if (sortColumn < 0 || sorted.empty())
        return sorted;
    const bool ascending = sortOrder == Qt::AscendingOrder;

    if (sortColumn == SelectionTableModel::TextColumn) {
        // Folded (case-insensitive) code units rather than a locale collation: collating a
        // million names takes seconds, and names are identifiers more than words.
        // Waits only if asked within moments of a load.
        sorted = nameOrder.isValid() ? nameOrder.result() : sortedByName(table.texts, true);
        if (!ascending) {
            // Reversed, with runs of equal names (hand-made tables; loaders reject them) put
            // back in index order.
            std::reverse(sorted.begin(), sorted.end());
            const QStringList &names = table.texts;
            for (std::size_t begin = 0; begin < sorted.size();) {
                std::size_t end = begin + 1;
                while (end < sorted.size() && names[sorted[end]] == names[sorted[begin]])
                    ++end;
                std::reverse(sorted.begin() + std::ptrdiff_t(begin),
                             sorted.begin() + std::ptrdiff_t(end));
                begin = end;
            }
        }
        return sorted;
    }

    if (sortColumn >= SelectionTableModel::TauColumn && !tableHasDistribution(table))
        return sorted;  // nothing to sort by: keep the table's order
    if ((sortColumn == SelectionTableModel::RankColumn
         || sortColumn == SelectionTableModel::EstimateColumn)
        && orderFromRanks(ascending, sorted))
        return sorted;
    // Any other numeric column: a radix sort (stable, so ties stay in index order).
    std::vector<double> values(sorted.size());
    parallel::forEachChunk(values.size(), parallel::chunkCount(values.size()),
                           [&](int, std::size_t begin, std::size_t end) {
                               for (std::size_t t = begin; t < end; ++t)
                                   values[t] = numberOf(table, int(t), sortColumn);
                           });
    return orderByValue(values, ascending);
}

bool Arranger::orderFromRanks(bool ascending, std::vector<int> &sorted) const
{
    // Ranks 1..D are already an order (rank 1 = largest estimate): inverting the permutation
    // is O(D), where even a radix sort of a million values is a visible pause.
    if (!isPermutationOfRanks(table.rank))
        return false;
    const std::size_t d = sorted.size();
    for (std::size_t t = 0; t < d; ++t)
        sorted[std::size_t(table.rank[Eigen::Index(t)] - 1)] = int(t);
    if (sortColumn == SelectionTableModel::EstimateColumn) {
        // The rank order is the descending estimate order (ties by index) for ranksDescending();
        // check it, since a table may carry ranks from elsewhere.
        const Eigen::VectorXd &e = table.estimate;
        for (std::size_t r = 0; r < d; ++r) {
            const int t = sorted[r];
            if (std::isnan(e[t]))
                return false;
            if (r > 0) {
                const int previous = sorted[r - 1];
                if (e[previous] < e[t] || (e[previous] == e[t] && previous > t))
                    return false;
            }
        }
    }
    if (!ascending) {
        if (sortColumn == SelectionTableModel::RankColumn)
            std::reverse(sorted.begin(), sorted.end());
        return true;
    }
    if (sortColumn == SelectionTableModel::EstimateColumn) {
        // Ascending estimate: reverse, then put each run of equal values back in index order.
        std::reverse(sorted.begin(), sorted.end());
        const Eigen::VectorXd &e = table.estimate;
        for (std::size_t begin = 0; begin < d;) {
            std::size_t end = begin + 1;
            while (end < d && e[sorted[end]] == e[sorted[begin]])
                ++end;
            std::reverse(sorted.begin() + std::ptrdiff_t(begin),
                         sorted.begin() + std::ptrdiff_t(end));
            begin = end;
        }
    }
    return true;
}

std::vector<int> Arranger::filter(const std::vector<int> &candidates) const
{
    const bool byWeight = includedOnly && tableHasDistribution(table);
    if (filterText.isEmpty() && !byWeight)
        return candidates;
    std::vector<int> rows;
    const FoldedMatcher matcher(filterText);
    const auto matches = [&](int text) {
        return (!byWeight || table.weight[text] > 0.0) && matcher.matches(table.texts[text]);
    };
    const auto d = std::size_t(table.texts.size());
    if (candidates.size() * 8 < d) {
        for (const int text : candidates) {
            if (matches(text))
                rows.push_back(text);
        }
        return rows;
    }
    // Match every text in its own order, in parallel: the names are then read from
    // sequential memory, ~10x faster than in sorted order. Then keep the candidates hit.
    std::vector<unsigned char> hit(d);
    parallel::forEachChunk(d, parallel::chunkCount(d),
                           [&](int, std::size_t begin, std::size_t end) {
                               for (std::size_t t = begin; t < end; ++t)
                                   hit[t] = matches(int(t));
                           });
    for (const int text : candidates) {
        if (hit[std::size_t(text)])
            rows.push_back(text);
    }
    return rows;
}

}  // namespace

SelectionTableModel::SelectionTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

SelectionTableModel::~SelectionTableModel() = default;

void SelectionTableModel::setTable(std::shared_ptr<const SelectionTable> table)
{
    if (table) {
        const qsizetype d = table->texts.size();
        if (table->estimate.size() != d || table->rank.size() != d) {
            qWarning()
                << "SelectionTableModel: estimate/rank sizes do not match the texts; ignored";
            table.reset();
        }
    }
    m_requestedTable = table;
    if (table
        && (table->texts.constData() != m_nameOrderTexts.constData()
            || table->texts.size() != m_nameOrderTexts.size()))
        startNameOrder(table);
    if (inBackground(table)) {
        m_resetPending = true;
        arrangeInBackground();
        return;
    }
    m_work.discard();
    m_resetPending = true;
    Arranger arranger { table ? *table : emptyTable(),
                        m_sortColumn,
                        m_sortOrder,
                        m_nameOrder,
                        m_filterText,
                        m_includedOnly };
    Arrangement arrangement;
    arrangement.table = std::move(table);
    arrangement.sorted = arranger.sortAll();
    arrangement.rows = arranger.filter(arrangement.sorted);
    arrangement.filterText = m_filterText;
    arrangement.includedOnly = m_includedOnly;
    indexRows(arrangement);
    applyArrangement(std::move(arrangement));
}

bool SelectionTableModel::inBackground(const std::shared_ptr<const SelectionTable> &table) const
{
    return table && table->texts.size() >= m_backgroundThreshold;
}

void SelectionTableModel::arrangeInBackground()
{
    m_work.start(
        [table = m_requestedTable, column = m_sortColumn, order = m_sortOrder,
         nameOrder = m_nameOrder, filterText = m_filterText, includedOnly = m_includedOnly] {
            const Arranger arranger { *table, column, order, nameOrder, filterText, includedOnly };
            Arrangement arrangement;
            arrangement.table = table;
            arrangement.sorted = arranger.sortAll();
            arrangement.rows = arranger.filter(arrangement.sorted);
            arrangement.filterText = filterText;
            arrangement.includedOnly = includedOnly;
            indexRows(arrangement);
            return arrangement;
        },
        [this](Arrangement arrangement) {
            applyArrangement(std::move(arrangement));
            Q_EMIT arranged();
        });
}

void SelectionTableModel::applyArrangement(Arrangement arrangement)
{
    // The same table and filter in another order is a sort: keep persistent indexes. Anything
    // else resets.
    const bool sortOnly = !std::exchange(m_resetPending, false) && arrangement.table == m_table
        && arrangement.table && arrangement.filterText == m_shownFilterText
        && arrangement.includedOnly == m_shownIncludedOnly;
    if (sortOnly) {
        Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
        const QModelIndexList before = persistentIndexList();
        std::vector<int> texts;
        texts.reserve(std::size_t(before.size()));
        for (const QModelIndex &index : before)
            texts.push_back(textIndexForRow(index.row()));
        m_sorted = std::move(arrangement.sorted);
        m_rows = std::move(arrangement.rows);
        m_rowOf = std::move(arrangement.rowOf);
        QModelIndexList after;
        after.reserve(before.size());
        for (qsizetype i = 0; i < before.size(); ++i) {
            const int row = rowForTextIndex(texts[std::size_t(i)]);
            after.append(row >= 0 ? index(row, before[i].column()) : QModelIndex());
        }
        changePersistentIndexList(before, after);
        Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
        return;
    }
    beginResetModel();
    m_table = std::move(arrangement.table);
    m_hasDistribution = m_table && tableHasDistribution(*m_table);
    m_shownFilterText = std::move(arrangement.filterText);
    m_shownIncludedOnly = arrangement.includedOnly;
    m_sorted = std::move(arrangement.sorted);
    m_rows = std::move(arrangement.rows);
    m_rowOf = std::move(arrangement.rowOf);
    endResetModel();
}

void SelectionTableModel::indexRows(Arrangement &arrangement)
{
    const auto d = arrangement.table ? std::size_t(arrangement.table->texts.size()) : 0;
    arrangement.rowOf.assign(d, -1);
    for (std::size_t row = 0; row < arrangement.rows.size(); ++row)
        arrangement.rowOf[std::size_t(arrangement.rows[row])] = int(row);
}

bool SelectionTableModel::hasDistribution() const
{
    return m_hasDistribution;
}

int SelectionTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SelectionTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : kColumnCount;
}

QVariant SelectionTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this || std::size_t(index.row()) >= m_rows.size())
        return {};
    const int text = m_rows[std::size_t(index.row())];
    const int column = index.column();
    if (role == TextIndexRole)
        return text;
    const bool distributionColumn = column >= TauColumn;
    if (distributionColumn && !m_hasDistribution)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return column == IncludedColumn ? QVariant() : QVariant(displayAt(text, column));
    case Qt::CheckStateRole:
        if (column != IncludedColumn)
            return {};
        return m_table->weight[text] > 0.0 ? Qt::Checked : Qt::Unchecked;
    case Qt::TextAlignmentRole:
        if (column == TextColumn)
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        return int((column == IncludedColumn ? Qt::AlignHCenter : Qt::AlignRight)
                   | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        switch (column) {
        case TextColumn:
            return m_table->texts[text];
        case RankColumn:
            return QString::number(m_table->rank[text]);
        case IncludedColumn:
            return m_table->weight[text] > 0.0 ? tr("Included: weight > 0")
                                               : tr("Excluded: weight = 0");
        default:
            return fullNumber(numberAt(text, column));
        }
    case ValueRole:
    case SortRole:
        return valueAt(text, column);
    default:
        return {};
    }
}

QVariant SelectionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= kColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case TextColumn:
            return tr("Text");
        case EstimateColumn:
            return tr("Estimate");
        case RankColumn:
            return tr("Rank");
        case TauColumn:
            return QStringLiteral("\u03C4");
        case WeightColumn:
            return tr("Weight");
        case IncludedColumn:
            return tr("Included");
        }
    }
    if (role == Qt::InitialSortOrderRole) {
        // A first click on a column shows the best texts first: largest estimate, rank 1.
        const bool ascending = section == TextColumn || section == RankColumn;
        return int(ascending ? Qt::AscendingOrder : Qt::DescendingOrder);
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case TextColumn:
            return tr("The text or domain: one column of the BPB matrix");
        case EstimateColumn:
            return tr("How strongly lower BPB on this text goes with lower benchmark error "
                      "(rank correlation). Positive = a good text");
        case RankColumn:
            return tr("Rank 1 = strongest evidence that lower BPB goes with lower benchmark "
                      "error");
        case TauColumn:
            return tr("\u03C4: the cap on this text's sampling weight (from its token count and "
                      "the keep ratio, so no data is repeated)");
        case WeightColumn:
            return tr("Projected sampling weight p: p \u2265 0, \u03A3p = 1, p \u2264 \u03C4");
        case IncludedColumn:
            return tr("Included in the selection: weight > 0 (the fastText filter's "
                      "\"include\" label)");
        }
    }
    return QAbstractTableModel::headerData(section, orientation, role);
}

Qt::ItemFlags SelectionTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

void SelectionTableModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= kColumnCount) {
        column = -1;
        order = Qt::AscendingOrder;
    }
    if (column == m_sortColumn && order == m_sortOrder)
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    if (inBackground(m_requestedTable)) {
        arrangeInBackground();
        return;
    }
    m_work.discard();
    const Arranger arranger { m_table ? *m_table : emptyTable(),
                              m_sortColumn,
                              m_sortOrder,
                              m_nameOrder,
                              m_filterText,
                              m_includedOnly };
    Arrangement arrangement;
    arrangement.table = m_table;
    arrangement.sorted = arranger.sortAll();
    // Same rows, new order: walk the sorted texts and keep the shown ones (no string matching).
    arrangement.rows.reserve(m_rows.size());
    for (const int text : arrangement.sorted) {
        if (m_rowOf[std::size_t(text)] >= 0)
            arrangement.rows.push_back(text);
    }
    arrangement.filterText = m_shownFilterText;
    arrangement.includedOnly = m_shownIncludedOnly;
    indexRows(arrangement);
    applyArrangement(std::move(arrangement));
}

void SelectionTableModel::setFilterText(const QString &text)
{
    if (text == m_filterText)
        return;
    // Typing more characters only narrows: search the rows shown now, not all D texts.
    const bool narrows = !m_filterText.isEmpty() && m_filterText == m_shownFilterText
        && FoldedMatcher(m_filterText).matches(text);
    m_filterText = text;
    refilter(narrows);
}

void SelectionTableModel::setIncludedOnly(bool includedOnly)
{
    if (includedOnly == m_includedOnly)
        return;
    const bool narrows = includedOnly && m_filterText == m_shownFilterText;
    m_includedOnly = includedOnly;
    refilter(narrows);
}

// The filter changed, the order did not: filter the sorted rows again (or, when the new filter
// only narrows the old one, the rows shown now), in the background for large tables.
void SelectionTableModel::refilter(bool narrows)
{
    if (inBackground(m_requestedTable)) {
        arrangeInBackground();
        return;
    }
    m_work.discard();
    const Arranger arranger { m_table ? *m_table : emptyTable(),
                              m_sortColumn,
                              m_sortOrder,
                              m_nameOrder,
                              m_filterText,
                              m_includedOnly };
    Arrangement arrangement;
    arrangement.table = m_table;
    arrangement.rows = arranger.filter(narrows ? m_rows : m_sorted);
    arrangement.sorted = std::move(m_sorted);
    arrangement.filterText = m_filterText;
    arrangement.includedOnly = m_includedOnly;
    indexRows(arrangement);
    applyArrangement(std::move(arrangement));
}

int SelectionTableModel::textIndexForRow(int row) const
{
    return row >= 0 && std::size_t(row) < m_rows.size() ? m_rows[std::size_t(row)] : -1;
}

int SelectionTableModel::rowForTextIndex(int text) const
{
    return text >= 0 && std::size_t(text) < m_rowOf.size() ? m_rowOf[std::size_t(text)] : -1;
}

void SelectionTableModel::startNameOrder(const std::shared_ptr<const SelectionTable> &table)
{
    // Reruns share the loaded text list, so its name order is computed once per load, in the
    // background: a million names take a few hundred milliseconds to order.
    // The previous list may hold the last references to ten million names: free them off the
    // GUI thread.
    QThreadPool::globalInstance()->start(
        [previous = std::exchange(m_nameOrderTexts, table ? table->texts : QStringList())] {});
    m_nameOrder
        = QtConcurrent::run([texts = m_nameOrderTexts] { return sortedByName(texts, true); });
}

QVariant SelectionTableModel::valueAt(int text, int column) const
{
    switch (column) {
    case TextColumn:
        return m_table->texts[text];
    case EstimateColumn:
        return m_table->estimate[text];
    case RankColumn:
        return m_table->rank[text];
    case TauColumn:
        return m_hasDistribution ? QVariant(m_table->tau[text]) : QVariant();
    case WeightColumn:
        return m_hasDistribution ? QVariant(m_table->weight[text]) : QVariant();
    case IncludedColumn:
        return m_hasDistribution ? QVariant(m_table->weight[text] > 0.0) : QVariant();
    }
    return {};
}

double SelectionTableModel::numberAt(int text, int column) const
{
    return numberOf(*m_table, text, column);
}

QString SelectionTableModel::displayAt(int text, int column) const
{
    switch (column) {
    case TextColumn:
        return m_table->texts[text];
    case RankColumn:
        return QString::number(m_table->rank[text]);
    default:
        return formatNumber(numberAt(text, column), column);
    }
}

QString SelectionTableModel::formatNumber(double value, int column)
{
    // τ and weight share one notation, three significant digits with the exponent always
    // shown ("8.28e-05", "1.00e-03"), so their columns line up and compare at a glance; the
    // estimate keeps four significant digits. The views size the columns for the widest of
    // these (widestNumber), so a number is never cut into a different one.
    if (column == TauColumn || column == WeightColumn)
        return value == 0.0 ? QStringLiteral("0") : QString::number(value, 'e', 2);
    return QString::number(value, 'g', 4);
}

QString SelectionTableModel::widestNumber(int column)
{
    if (column == TauColumn || column == WeightColumn)
        return QStringLiteral("8.88e-888");  // an exponent of three digits is rare but possible
    return QStringLiteral("-8.888e-888");
}

QByteArray SelectionTableModel::csvHeader() const
{
    return m_hasDistribution ? QByteArrayLiteral("text,estimate,rank,tau,weight,included\n")
                             : QByteArrayLiteral("text,estimate,rank\n");
}

void SelectionTableModel::appendCsvRow(QByteArray &out, int text) const
{
    appendCsvField(out, m_table->texts[text]);
    out += ',';
    appendNumber(out, m_table->estimate[text]);
    out += ',';
    out += QByteArray::number(m_table->rank[text]);
    if (m_hasDistribution) {
        out += ',';
        appendNumber(out, m_table->tau[text]);
        out += ',';
        appendNumber(out, m_table->weight[text]);
        out += m_table->weight[text] > 0.0 ? ",true" : ",false";
    }
    out += '\n';
}

QByteArray SelectionTableModel::csvForRows(const QList<int> &rows) const
{
    QByteArray out = csvHeader();
    for (const int row : rows) {
        const int text = textIndexForRow(row);
        if (text >= 0)
            appendCsvRow(out, text);
    }
    return out;
}

QByteArray SelectionTableModel::csvForAllRows() const
{
    QByteArray out = csvHeader();
    for (const int text : m_rows)
        appendCsvRow(out, text);
    return out;
}

}  // namespace pcs
