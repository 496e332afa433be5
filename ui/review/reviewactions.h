#pragma once

#include "core/common/result.h"
#include "core/review/queuestore.h"

#include <QObject>

#include <functional>
#include <vector>

class QAction;
class QUndoStack;
class QWidget;

namespace pcs {

class ReviewQueuePanel;
class ReviewSession;

// What the reviewer does to items, each an undoable step on the QUndoStack this owns: accept
// (A), filter (F), accept the revision (R; with none yet, asks before requesting one), edit (E),
// ask for a rewrite (Shift+R), re-assess (Shift+A), J/K to move, the two batch actions (one
// store call each) and undo/redo — which select the item they changed and report a failure
// instead of passing over it. The actions' shortcuts live on `host` (the page) for its
// children. Tells the page what happened through failed/succeeded/statusChanged.
class ReviewActions : public QObject {
    Q_OBJECT
public:
    // Answers a yes/no question (title, text); the default asks with a QMessageBox.
    using Confirm = std::function<bool(const QString &title, const QString &question)>;
    // Runs before a request that goes to the LLM (the page stores the settings); an error stops
    // the request.
    using Prepare = std::function<Status()>;

    ReviewActions(ReviewSession *session, ReviewQueuePanel *queue, QWidget *host);

    QUndoStack *undoStack() const { return m_undo; }
    // A row of buttons for the item actions and undo/redo.
    QWidget *createToolbar();
    void setConfirmHook(Confirm confirm) { m_confirm = std::move(confirm); }
    // Asks through the confirm hook (also for the page's own questions).
    bool confirm(const QString &title, const QString &question) const
    {
        return m_confirm(title, question);
    }
    void setPrepareRequest(Prepare prepare) { m_prepare = std::move(prepare); }
    void updateEnabled(bool projectOpen);

    // Sets a human decision as one undoable step (editedText: the reviewer's own text).
    bool decideItem(qint64 id, const QString &decision, const QString &editedText = {});
    bool acceptCurrent();
    bool filterCurrent();
    bool acceptRevisionCurrent();  // or asks whether to request a rewrite when there is none
    bool editCurrent();
    bool requestRevisionCurrent();
    bool reassessCurrent();
    // Over the items without a human decision, each one undoable step.
    Status batchAcceptBelow(double score);
    Status batchFilterAbove(double score);
    void batchWithDialog(bool accept);
    // Sets the queue's thresholds (re-derived in the background) as one undoable step; undo
    // and redo set them again through the same call and say so with thresholdsApplied.
    Status changeThresholds(const Thresholds &from, const Thresholds &to);

Q_SIGNALS:
    // An undo or redo asked for these thresholds (the threshold panel shows them).
    void thresholdsApplied(const pcs::Thresholds &thresholds);
    void failed(const pcs::Error &error);
    void succeeded();  // an action went through: the page clears its error
    void statusChanged(const QString &text);

private:
    QAction *addItemAction(const QString &text, const QKeySequence &key, const QString &tip,
                           const char *name, std::function<void()> slot);
    void pushDecision(const QString &text, std::function<Result<std::vector<QueueItem>>()> apply,
                      std::vector<QueueItem> before);
    void changed(const std::vector<qint64> &ids, bool undone, const QString &failure);
    // Applies a batch of decisions and pushes it as one undo step.
    Status pushBatch(const QString &commandText, const QString &statusText, double score,
                     const std::function<Result<DecisionBatch>()> &apply);
    Status fail(const Error &error);
    QString itemName(qint64 id) const;

    ReviewSession *m_session;
    ReviewQueuePanel *m_queue;
    QWidget *m_host;
    QUndoStack *m_undo;
    Confirm m_confirm;
    Prepare m_prepare;
    QList<QAction *> m_itemActions;
    QList<QAction *> m_toolbarActions;
};

}  // namespace pcs
