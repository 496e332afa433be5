#include "models/selectiontablemodel.h"

#include "models/nameorder.h"
#include "models/parallelchunks.h"
#include "models/valueorder.h"

#include <QDebug>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

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
    beginResetModel();
    m_table = std::move(table);
    const auto d = m_table ? std::size_t(m_table->texts.size()) : 0;
    m_hasDistribution = m_table && m_table->hasDistribution()
        && std::size_t(m_table->weight.size()) == d && std::size_t(m_table->tau.size()) == d;
    m_sorted.resize(d);
    if (m_table
        && (m_table->texts.constData() != m_nameOrderTexts.constData()
            || m_table->texts.size() != m_nameOrderTexts.size()))
        startNameOrder();
    sortAllTexts();
    m_rows.clear();
    m_rowOf.assign(d, -1);
    filterFrom(m_sorted);
    endResetModel();
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

    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    std::vector<int> texts;
    texts.reserve(std::size_t(before.size()));
    for (const QModelIndex &index : before)
        texts.push_back(textIndexForRow(index.row()));

    m_sortColumn = column;
    m_sortOrder = order;
    sortAllTexts();
    // Same rows, new order: walk the sorted texts and keep the shown ones (no string matching).
    std::vector<int> rows;
    rows.reserve(m_rows.size());
    for (const int text : m_sorted) {
        if (m_rowOf[std::size_t(text)] >= 0)
            rows.push_back(text);
    }
    m_rows.swap(rows);
    for (std::size_t row = 0; row < m_rows.size(); ++row)
        m_rowOf[std::size_t(m_rows[row])] = int(row);

    QModelIndexList after;
    after.reserve(before.size());
    for (qsizetype i = 0; i < before.size(); ++i) {
        const int row = rowForTextIndex(texts[std::size_t(i)]);
        after.append(row >= 0 ? index(row, before[i].column()) : QModelIndex());
    }
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void SelectionTableModel::setFilterText(const QString &text)
{
    if (text == m_filterText)
        return;
    // Typing more characters only narrows: search the rows shown now, not all D texts.
    const bool narrows = !m_filterText.isEmpty() && FoldedMatcher(m_filterText).matches(text);
    beginResetModel();
    m_filterText = text;
    filterFrom(narrows ? m_rows : m_sorted);
    endResetModel();
}

void SelectionTableModel::setIncludedOnly(bool includedOnly)
{
    if (includedOnly == m_includedOnly)
        return;
    beginResetModel();
    m_includedOnly = includedOnly;
    filterFrom(includedOnly ? m_rows : m_sorted);
    endResetModel();
}

int SelectionTableModel::textIndexForRow(int row) const
{
    return row >= 0 && std::size_t(row) < m_rows.size() ? m_rows[std::size_t(row)] : -1;
}

int SelectionTableModel::rowForTextIndex(int text) const
{
    return text >= 0 && std::size_t(text) < m_rowOf.size() ? m_rowOf[std::size_t(text)] : -1;
}

void SelectionTableModel::sortAllTexts()
{
    std::iota(m_sorted.begin(), m_sorted.end(), 0);
    if (!m_table || m_sortColumn < 0 || m_sorted.empty())
        return;
    const bool ascending = m_sortOrder == Qt::AscendingOrder;

    if (m_sortColumn == TextColumn) {
        // Folded (case-insensitive) code units rather than a locale collation: collating a
        // million names takes seconds, and names are identifiers more than words.
        if (!m_nameOrder.isValid())
            startNameOrder();
        m_sorted = m_nameOrder.result();  // waits only if asked within moments of a load
        if (!ascending) {
            // Reversed, with runs of equal names (hand-made tables; loaders reject them) put
            // back in index order.
            std::reverse(m_sorted.begin(), m_sorted.end());
            const QStringList &names = m_table->texts;
            for (std::size_t begin = 0; begin < m_sorted.size();) {
                std::size_t end = begin + 1;
                while (end < m_sorted.size() && names[m_sorted[end]] == names[m_sorted[begin]])
                    ++end;
                std::reverse(m_sorted.begin() + std::ptrdiff_t(begin),
                             m_sorted.begin() + std::ptrdiff_t(end));
                begin = end;
            }
        }
        return;
    }

    if ((m_sortColumn >= TauColumn) && !m_hasDistribution)
        return;  // nothing to sort by: keep the table's order
    if ((m_sortColumn == RankColumn || m_sortColumn == EstimateColumn) && orderFromRanks(ascending))
        return;
    // Any other numeric column: a radix sort (stable, so ties stay in index order).
    std::vector<double> values(m_sorted.size());
    parallel::forEachChunk(values.size(), parallel::chunkCount(values.size()),
                           [&](int, std::size_t begin, std::size_t end) {
                               for (std::size_t t = begin; t < end; ++t)
                                   values[t] = numberAt(int(t), m_sortColumn);
                           });
    m_sorted = orderByValue(values, ascending);
}

void SelectionTableModel::startNameOrder()
{
    // Reruns share the loaded text list, so its name order is computed once per load, in the
    // background: a million names take a few hundred milliseconds to order.
    m_nameOrderTexts = m_table ? m_table->texts : QStringList();
    m_nameOrder
        = QtConcurrent::run([texts = m_nameOrderTexts] { return sortedByName(texts, true); });
}

bool SelectionTableModel::orderFromRanks(bool ascending)
{
    // Ranks 1..D are already an order (rank 1 = largest estimate): inverting the permutation
    // is O(D), where even a radix sort of a million values is a visible pause.
    if (!isPermutationOfRanks(m_table->rank))
        return false;
    const std::size_t d = m_sorted.size();
    for (std::size_t t = 0; t < d; ++t)
        m_sorted[std::size_t(m_table->rank[Eigen::Index(t)] - 1)] = int(t);
    if (m_sortColumn == EstimateColumn) {
        // The rank order is the descending estimate order (ties by index) for ranksDescending();
        // check it, since a table may carry ranks from elsewhere.
        const Eigen::VectorXd &e = m_table->estimate;
        for (std::size_t r = 0; r < d; ++r) {
            const int t = m_sorted[r];
            if (std::isnan(e[t]))
                return false;
            if (r > 0) {
                const int previous = m_sorted[r - 1];
                if (e[previous] < e[t] || (e[previous] == e[t] && previous > t))
                    return false;
            }
        }
    }
    if (!ascending) {
        if (m_sortColumn == RankColumn)
            std::reverse(m_sorted.begin(), m_sorted.end());
        return true;
    }
    if (m_sortColumn == EstimateColumn) {
        // Ascending estimate: reverse, then put each run of equal values back in index order.
        std::reverse(m_sorted.begin(), m_sorted.end());
        const Eigen::VectorXd &e = m_table->estimate;
        for (std::size_t begin = 0; begin < d;) {
            std::size_t end = begin + 1;
            while (end < d && e[m_sorted[end]] == e[m_sorted[begin]])
                ++end;
            std::reverse(m_sorted.begin() + std::ptrdiff_t(begin),
                         m_sorted.begin() + std::ptrdiff_t(end));
            begin = end;
        }
    }
    return true;
}

void SelectionTableModel::filterFrom(const std::vector<int> &candidates)
{
    std::vector<int> rows;
    const bool byWeight = m_includedOnly && m_hasDistribution;
    if (m_filterText.isEmpty() && !byWeight) {
        rows = candidates;
    } else {
        const FoldedMatcher matcher(m_filterText);
        const auto matches = [&](int text) {
            return (!byWeight || m_table->weight[text] > 0.0)
                && matcher.matches(m_table->texts[text]);
        };
        const std::size_t d = m_sorted.size();
        if (candidates.size() * 8 < d) {
            for (const int text : candidates) {
                if (matches(text))
                    rows.push_back(text);
            }
        } else {
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
        }
    }
    for (const int text : m_rows)
        m_rowOf[std::size_t(text)] = -1;
    m_rows.swap(rows);
    for (std::size_t row = 0; row < m_rows.size(); ++row)
        m_rowOf[std::size_t(m_rows[row])] = int(row);
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
    switch (column) {
    case EstimateColumn:
        return m_table->estimate[text];
    case RankColumn:
        return m_table->rank[text];
    case TauColumn:
        return m_table->tau[text];
    case WeightColumn:
        return m_table->weight[text];
    case IncludedColumn:
        return m_table->weight[text] > 0.0 ? 1.0 : 0.0;
    }
    return 0.0;
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
