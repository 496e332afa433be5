#include "core/common/taskcontrol.h"

namespace pcs {

TaskControl::TaskControl(ProgressFn progress, CanceledFn canceled)
    : m_progress(std::move(progress))
    , m_canceled(std::move(canceled))
{
}

bool TaskControl::isCanceled() const
{
    return m_cancelRequested.load(std::memory_order_relaxed) || (m_canceled && m_canceled());
}

void TaskControl::requestCancel()
{
    m_cancelRequested.store(true, std::memory_order_relaxed);
}

void TaskControl::reportProgress(qint64 done, qint64 total) const
{
    if (!m_progress)
        return;
    std::lock_guard lock(m_progressMutex);
    m_progress(done, total);
}

const TaskControl &TaskControl::none()
{
    static const TaskControl control;
    return control;
}

}  // namespace pcs
