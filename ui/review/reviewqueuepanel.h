#pragma once

#include "core/review/queuestore.h"

#include <QWidget>

#include <optional>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSplitter;
class QTableView;
class QTimer;
class QToolButton;

namespace pcs {

class ReviewDetailPane;
class ReviewQueueModel;

// The queue of the Review stage: the state, decision, score and text filters, the Batch menu,
// the table (ReviewQueueModel, sorted by the store) and the selected item's detail pane. Owns
// the model; reads through the store it is given. Tells the page when the current item changes
// and when the reviewer saves an edit; keeps the current item (by id) across reloads.
class ReviewQueuePanel : public QWidget {
    Q_OBJECT
public:
    explicit ReviewQueuePanel(QWidget *parent = nullptr);

    ReviewQueueModel *model() const { return m_model; }
    QTableView *view() const { return m_table; }
    ReviewDetailPane *detailPane() const { return m_detail; }
    QSplitter *splitter() const { return m_splitter; }

    // Another store (nullptr: none), then the filters' query; `restoreItem` is selected once its
    // row is there (-1: none).
    void setStore(QueueStore *store, qint64 restoreItem = -1);
    void updateQuery();

    qint64 currentItemId() const;  // -1 when none
    std::optional<QueueItem> currentItem() const;
    int currentRow() const;  // -1 when none
    bool selectRow(int row);
    bool selectItem(qint64 id);  // looks among the first kRestoreScanRows rows
    void nextRow();
    void previousRow();
    // The first item below `fromRow` without a human decision (within kUndecidedScanRows).
    void selectNextUndecided(int fromRow);

    // Items whose stored state changed: re-read in place (a few) or by a reload (many).
    void refreshItems(const std::vector<qint64> &ids);
    // An assessment or revision arrived: the row moves to its place in the sort order.
    void itemArrived(qint64 id);
    // Re-reads the count and order, keeping the current item.
    void reloadKeepingCurrent();
    void setBatchEnabled(bool enabled);
    // The "Audit sample" entry of the state filter: only the items of the queue's audit sample.
    // Offered only while the queue has a sample (setAuditSampleAvailable); when it goes away,
    // the filter falls back to all states.
    void setAuditSampleAvailable(bool available);
    void showAuditSample();
    bool isShowingAuditSample() const;

    static constexpr int kUndecidedScanRows = 5000;  // how far below a decision to look
    static constexpr int kRestoreScanRows = 20000;  // how far to look for an item to select
    static constexpr std::size_t kReloadAbove = 200;  // more changed items: a reload

Q_SIGNALS:
    void currentItemChanged();
    void editedTextCommitted(qint64 id, const QString &text);
    void batchRequested(bool accept);  // accept below / filter above, with the page's dialog
    void loadFailed(const QString &message);

private:
    QWidget *createFilters();
    int auditSampleEntry() const;
    void modelReset();

    ReviewQueueModel *m_model;
    qint64 m_restoreItem = -1;  // to select once the rows are there
    QComboBox *m_stateFilter = nullptr;
    QComboBox *m_decisionFilter = nullptr;
    QLineEdit *m_search = nullptr;
    QDoubleSpinBox *m_minScore = nullptr;
    QDoubleSpinBox *m_maxScore = nullptr;
    QTimer *m_searchTimer = nullptr;
    QToolButton *m_batch = nullptr;
    QTableView *m_table = nullptr;
    ReviewDetailPane *m_detail = nullptr;
    QSplitter *m_splitter = nullptr;
};

}  // namespace pcs
