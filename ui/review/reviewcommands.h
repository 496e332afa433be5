#pragma once

#include "core/review/decision.h"
#include "core/review/queuestore.h"

#include <QUndoCommand>

#include <functional>
#include <vector>

namespace pcs {

class ReviewSession;

// One undoable review action: a human decision, an edit or a batch of decisions. The action is
// applied before the command is pushed (so that errors show at once and nothing is pushed when
// it fails); redo() after an undo applies it again. undo() restores the items exactly as they
// were through ReviewSession::restoreDecisions(). `refresh` tells the views which items changed,
// whether by an undo, and why it failed (empty when it did not): a failed undo must be said.
class ReviewDecisionCommand : public QUndoCommand {
public:
    using Apply = std::function<Result<std::vector<QueueItem>>()>;
    using Refresh
        = std::function<void(const std::vector<qint64> &ids, bool undone, const QString &failure)>;

    ReviewDecisionCommand(ReviewSession *session, const QString &text, Apply apply,
                          std::vector<QueueItem> before, Refresh refresh);

    void undo() override;
    void redo() override;

    const std::vector<QueueItem> &before() const { return m_before; }
    // The last failure of undo or redo (the store went away, a disk error), shown by the page.
    const QString &lastError() const { return m_lastError; }

private:
    std::vector<qint64> ids() const;

    ReviewSession *m_session;
    Apply m_apply;
    std::vector<QueueItem> m_before;
    Refresh m_refresh;
    bool m_applied = true;  // pushed after the first application
    QString m_lastError;
};

// One undoable batch of decisions (ReviewSession::acceptBelow/filterAbove): applied before it
// is pushed; undo() puts back the decisions the batch replaced, as one step in the store.
// `refresh` is told whether by an undo, and why it failed (empty when it did not).
class ReviewBatchCommand : public QUndoCommand {
public:
    using Apply = std::function<Result<DecisionBatch>()>;
    using Refresh = std::function<void(bool undone, const QString &failure)>;

    ReviewBatchCommand(ReviewSession *session, const QString &text, Apply apply,
                       DecisionBatch batch, Refresh refresh);

    void undo() override;
    void redo() override;
    const QString &lastError() const { return m_lastError; }

private:
    ReviewSession *m_session;
    Apply m_apply;
    DecisionBatch m_batch;
    Refresh m_refresh;
    bool m_applied = true;
    QString m_lastError;
};

// One undoable threshold change (the threshold panel's Apply, the calibration's "Use these"):
// applied before it is pushed; undo() applies the previous pair through the same call, redo()
// the new one. `refresh` is told the pair now asked for, whether by an undo, and why it failed.
class ReviewThresholdsCommand : public QUndoCommand {
public:
    using Apply = std::function<Status(const Thresholds &thresholds)>;
    using Refresh = std::function<void(const Thresholds &now, bool undone, const QString &failure)>;

    ReviewThresholdsCommand(const QString &text, Apply apply, Thresholds before, Thresholds after,
                            Refresh refresh);

    void undo() override;
    void redo() override;
    const QString &lastError() const { return m_lastError; }

private:
    void applyAndRefresh(const Thresholds &thresholds, bool undone);

    Apply m_apply;
    Thresholds m_before;
    Thresholds m_after;
    Refresh m_refresh;
    bool m_applied = true;
    QString m_lastError;
};

}  // namespace pcs
