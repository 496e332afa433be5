#pragma once

#include "core/io/selectionwriter.h"
#include "ui/models/latestwork.h"

#include <QAbstractTableModel>
#include <QFuture>

#include <limits>
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
//
// From setBackgroundThreshold() texts on, sorting and filtering run off the GUI thread (at ten
// million texts every O(D) pass is a visible pause): the model shows its previous rows until
// the new arrangement is ready, then applies it the same way (a reset, or a layout change for
// a sort). sortColumn(), sortOrder(), filterText() and includedOnly() give what was asked.
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

    // Tables with at least `texts` texts are arranged in the background; the default never.
    void setBackgroundThreshold(qsizetype texts) { m_backgroundThreshold = texts; }
    bool isArranging() const { return m_work.isBusy(); }  // a background arrangement in flight
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

Q_SIGNALS:
    void arranged();  // a background arrangement was applied

public:
    // Which texts show, in which order (public for the background work's result type).
    struct Arrangement {
        std::shared_ptr<const SelectionTable> table;
        std::vector<int> sorted;  // every text, in sort order
        std::vector<int> rows;  // row → text: the filtered subsequence of sorted
        std::vector<int> rowOf;  // text → row, -1 when filtered out
        QString filterText;  // what `rows` was filtered by
        bool includedOnly = false;
    };

private:
    bool inBackground(const std::shared_ptr<const SelectionTable> &table) const;
    void startNameOrder(const std::shared_ptr<const SelectionTable> &table);
    void arrangeInBackground();
    void refilter(bool narrows);
    void applyArrangement(Arrangement arrangement);
    static void indexRows(Arrangement &arrangement);  // fills rowOf from rows
    QVariant valueAt(int text, int column) const;
    double numberAt(int text, int column) const;  // numeric columns only
    QString displayAt(int text, int column) const;
    void appendCsvRow(QByteArray &out, int text) const;
    QByteArray csvHeader() const;

    std::shared_ptr<const SelectionTable> m_table;  // what the rows show
    std::shared_ptr<const SelectionTable> m_requestedTable;  // the latest setTable()
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
    QString m_shownFilterText;  // what m_rows was filtered by (lags m_filterText in background)
    bool m_shownIncludedOnly = false;
    bool m_resetPending = false;  // a new table was set: the next arrangement resets
    qsizetype m_backgroundThreshold = std::numeric_limits<qsizetype>::max();
    LatestWork<Arrangement> m_work { this };
};

}  // namespace pcs
