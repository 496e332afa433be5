#pragma once

#include "core/review/queuestore.h"

#include <QAbstractTableModel>

class QTimer;

#include <list>
#include <optional>
#include <unordered_map>
#include <vector>

namespace pcs {

// One row per item of a review queue, in the order and with the filters of a PageQuery. Never
// loads the whole queue: the row count comes from QueueStore::count(), rows are read in pages
// of kPageSize when a view asks for them (keyset pageAfter() when the page before is cached,
// as it is while scrolling on; OFFSET page() otherwise) and the last kCachedPages pages are
// kept. The model reads on the thread it lives on, through the store it is given (the GUI
// connection of the ReviewSession), which must outlive it or be replaced by setStore().
//
// The model shows the queue as of the last reset: refreshItem() updates a row in place (even
// if the change would move it or drop it from the filter: a decision does not pull the row from
// under the reviewer), refreshItemInOrder() moves it to its place in the sort order (a new
// result of a run: a layout change that keeps the selection, shortly after, coalesced), reload()
// re-reads count and order.
//
// The Id column shows the item's own id from its JSONL record (the field chosen at import) when
// the queue has one, else the queue's internal number: see displayedId().
class ReviewQueueModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        IdColumn,
        ScoreColumn,
        DecisionColumn,  // final: the human decision when set, else the automatic one
        AutoDecisionColumn,
        HumanDecisionColumn,
        StateColumn,
        SnippetColumn,
    };
    static constexpr int kColumnCount = SnippetColumn + 1;

    enum Role {
        ItemIdRole = Qt::UserRole,  // qint64
        ValueRole,  // the raw value: score as double (null when none), decisions and state as
                    // names, the full text for the snippet column
    };

    static constexpr int kPageSize = 200;
    static constexpr int kCachedPages = 16;
    static constexpr int kSnippetLength = 120;
    static constexpr int kReorderDelayMs = 200;
    static constexpr int kLocateRows = 20000;

    explicit ReviewQueueModel(QObject *parent = nullptr);
    explicit ReviewQueueModel(QueueStore *store, QObject *parent = nullptr);
    ~ReviewQueueModel() override;

    // Resets the model onto another store (nullptr = empty), keeping the query.
    void setStore(QueueStore *store);
    QueueStore *store() const { return m_store; }

    // Sort and filters (offset and limit are ignored); resets the model.
    void setQuery(const PageQuery &query);
    const PageQuery &query() const { return m_query; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    // Id, Score, Decision (final) and State sort (through the store's indexes); the other
    // columns cannot and are ignored: a view should put its indicator back on sortColumn().
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    static bool isSortable(int column);
    int sortColumn() const;
    Qt::SortOrder sortOrder() const;

    // The item of a row, read through the page cache (nullopt out of range or on a read error).
    std::optional<QueueItem> itemAt(int row) const;
    qint64 idAt(int row) const;  // -1 when there is no such row
    // The row of an item among the cached pages; -1 when not cached (no full scan).
    int rowOfId(qint64 id) const;
    // Re-reads one item if its row is cached and emits dataChanged for that row.
    void refreshItem(qint64 id);
    // Re-reads one item; when its place under the sort or filters changed (or it is not cached),
    // the rows are re-read in order kReorderDelayMs later, one layout change for every item
    // that arrived meanwhile (a reset when the number of rows changed). Persistent indexes (the
    // view's selection) follow their items found among the first kLocateRows rows.
    void refreshItemInOrder(qint64 id);
    bool isReorderPending() const;
    void reorderNow();  // the pending reorder at once (tests; a view about to read rows)
    // Drops the cache and re-counts, keeping the query (after imports, thresholds, bulk edits).
    void reload();

Q_SIGNALS:
    // A read failed (the rows concerned show empty); the message is for the status bar.
    void loadFailed(const QString &message) const;

private:
    // Whether `item` passes the query's filters and where it sorts, as the store would say.
    bool matchesFilters(const QueueItem &item) const;
    bool sameSortKey(const QueueItem &a, const QueueItem &b) const;
    int locateRow(qint64 id) const;  // -1 beyond kLocateRows
    void reorder();

    struct Page {
        std::vector<QueueItem> items;
        std::list<qint64>::iterator recency;  // position in m_recency
        bool keysetValid = true;  // false once its last item was refreshed (its key may differ)
    };

    const Page *pageOf(int row) const;  // loads it when needed; nullptr if reading failed
    const QueueItem *cachedItem(int row) const;
    void recount();
    void clearCache();
    QVariant displayAt(const QueueItem &item, int column) const;
    QVariant valueAt(const QueueItem &item, int column) const;

    QueueStore *m_store = nullptr;
    PageQuery m_query;
    int m_rowCount = 0;
    // Page index → rows; m_recency lists page indexes, the most recently used first.
    mutable std::unordered_map<qint64, Page> m_pages;
    mutable std::list<qint64> m_recency;
    QTimer *m_reorderTimer;
};

// The id a person knows the item by: its JSONL record's own id (QueueItem::sourceId, the field
// `review import --id-field` chose) when there is one, else the queue's internal number. The
// member is looked for at compile time, so this reads the same before and after it exists.
template<typename Item> QString displayedId(const Item &item)
{
    if constexpr (requires { item.sourceId; }) {
        if (!item.sourceId.isEmpty())
            return item.sourceId;
    }
    return QString::number(item.id);
}

}  // namespace pcs
