#include "ui/review/reviewcommands.h"

#include "core/workspace/reviewsession.h"

namespace pcs {

ReviewDecisionCommand::ReviewDecisionCommand(ReviewSession *session, const QString &text,
                                             Apply apply, std::vector<QueueItem> before,
                                             Refresh refresh)
    : QUndoCommand(text)
    , m_session(session)
    , m_apply(std::move(apply))
    , m_before(std::move(before))
    , m_refresh(std::move(refresh))
{
}

std::vector<qint64> ReviewDecisionCommand::ids() const
{
    std::vector<qint64> ids;
    ids.reserve(m_before.size());
    for (const QueueItem &item : m_before)
        ids.push_back(item.id);
    return ids;
}

void ReviewDecisionCommand::undo()
{
    m_lastError.clear();
    if (Status restored = m_session->restoreDecisions(m_before); !restored)
        m_lastError = restored.error().toString();
    if (m_refresh)
        m_refresh(ids(), true, m_lastError);
}

void ReviewDecisionCommand::redo()
{
    if (m_applied) {  // QUndoStack::push() calls redo(): the action is already in the store
        m_applied = false;
        return;
    }
    m_lastError.clear();
    if (auto applied = m_apply(); applied)
        m_before = std::move(*applied);
    else
        m_lastError = applied.error().toString();
    if (m_refresh)
        m_refresh(ids(), false, m_lastError);
}

ReviewBatchCommand::ReviewBatchCommand(ReviewSession *session, const QString &text, Apply apply,
                                       DecisionBatch batch, Refresh refresh)
    : QUndoCommand(text)
    , m_session(session)
    , m_apply(std::move(apply))
    , m_batch(batch)
    , m_refresh(std::move(refresh))
{
}

void ReviewBatchCommand::undo()
{
    m_lastError.clear();
    if (Status undone = m_session->undoDecisions(m_batch); !undone)
        m_lastError = undone.error().toString();
    if (m_refresh)
        m_refresh(true, m_lastError);
}

void ReviewBatchCommand::redo()
{
    if (m_applied) {
        m_applied = false;
        return;
    }
    m_lastError.clear();
    if (auto applied = m_apply(); applied)
        m_batch = *applied;
    else
        m_lastError = applied.error().toString();
    if (m_refresh)
        m_refresh(false, m_lastError);
}

ReviewThresholdsCommand::ReviewThresholdsCommand(const QString &text, Apply apply,
                                                 Thresholds before, Thresholds after,
                                                 Refresh refresh)
    : QUndoCommand(text)
    , m_apply(std::move(apply))
    , m_before(before)
    , m_after(after)
    , m_refresh(std::move(refresh))
{
}

void ReviewThresholdsCommand::undo()
{
    applyAndRefresh(m_before, true);
}

void ReviewThresholdsCommand::redo()
{
    if (m_applied) {
        m_applied = false;
        return;
    }
    applyAndRefresh(m_after, false);
}

void ReviewThresholdsCommand::applyAndRefresh(const Thresholds &thresholds, bool undone)
{
    m_lastError.clear();
    if (Status applied = m_apply(thresholds); !applied)
        m_lastError = applied.error().toString();
    if (m_refresh)
        m_refresh(thresholds, undone, m_lastError);
}

}  // namespace pcs
