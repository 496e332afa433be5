#pragma once

#include "io/selectionwriter.h"

#include <QAbstractTableModel>
#include <QFuture>

#include <memory>
#include <vector>

namespace pcs {

// One row per text of a SelectionTable, sorted and filtered inside the model: a
// QSortFilterProxyModel over a million rows is far too slow, while a row → text permutation
// (and its inverse) costs two ints per text. data() reads the shared table directly.
//
// Sorting is deterministic: ties are broken by text index (ascending in both orders).
// Column -1 means the table's own order. A sort keeps persistent indexes (layoutChanged);
// filter and table changes reset the model, so views restore their selection from TextFocus.
// A new table keeps the sort column/order and the filter (a rerun should not lose the view).
class SelectionTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TextColumn, EstimateColumn, RankColumn, TauColumn, WeightColumn, IncludedColumn };
    static constexpr int kColumnCount = IncludedColumn + 1;

    enum Role {
        ValueRole = Qt::UserRole,  // the full value: QString, double, int or bool
        SortRole,  // the key sort() orders by (same as ValueRole)
        TextIndexRole,  // the text's index into SelectionTable::texts
    };

    explicit SelectionTableModel(QObject *parent = nullptr);
    ~SelectionTableModel() override;

    void setTable(std::shared_ptr<const SelectionTable> table);
    std::shared_ptr<const SelectionTable> table() const { return m_table; }
    bool hasDistribution() const;
    int textCount() const { return int(m_sorted.size()); }  // D, whatever the filter

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    // Case-insensitive substring of the text name (see FoldedMatcher); empty shows every text.
    void setFilterText(const QString &text);
    QString filterText() const { return m_filterText; }
    // Only texts with weight > 0. Ignored for an estimate-only table (no weights).
    void setIncludedOnly(bool includedOnly);
    bool includedOnly() const { return m_includedOnly; }

    // O(1) both ways. -1 for a row out of range or a text that is filtered out.
    int textIndexForRow(int row) const;
    int rowForTextIndex(int text) const;

    // How a number of `column` is shown; widestNumber() is the longest such string.
    static QString formatNumber(double value, int column);
    static QString widestNumber(int column);

    // RFC 4180 CSV with a header (text,estimate,rank[,tau,weight,included]), full precision.
    QByteArray csvForRows(const QList<int> &rows) const;
    QByteArray csvForAllRows() const;  // every row the filter shows, in view order

private:
    void sortAllTexts();
    bool orderFromRanks(bool ascending);
    void startNameOrder();  // rank and estimate orders from the rank permutation
    void filterFrom(const std::vector<int> &candidates);
    QVariant valueAt(int text, int column) const;
    double numberAt(int text, int column) const;  // numeric columns only
    QString displayAt(int text, int column) const;
    void appendCsvRow(QByteArray &out, int text) const;
    QByteArray csvHeader() const;

    std::shared_ptr<const SelectionTable> m_table;
    QFuture<std::vector<int>> m_nameOrder;  // ascending name order of m_table->texts
    QStringList m_nameOrderTexts;  // the list it belongs to; held so its storage is not reused
    bool m_hasDistribution = false;
    std::vector<int> m_sorted;  // every text, in sort order
    std::vector<int> m_rows;  // row → text: the filtered subsequence of m_sorted
    std::vector<int> m_rowOf;  // text → row, -1 when filtered out
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    QString m_filterText;
    bool m_includedOnly = false;
};

}  // namespace pcs
