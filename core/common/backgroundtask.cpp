#include "core/common/backgroundtask.h"

#include <QCoreApplication>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace pcs {

QFuture<void> runInThreadPool(std::function<void()> work)
{
    return QtConcurrent::run(std::move(work));
}

BackgroundControl::BackgroundControl(std::shared_ptr<detail::BackgroundRunState> state,
                                     BackgroundTaskBase *owner)
    : TaskControl(
        [this](qint64 done, qint64 total) {
            reportFraction(total > 0 ? double(done) / double(total) : 0.0);
        },
        [state] { return state->cancelRequested.load(std::memory_order_relaxed); })
    , m_state(std::move(state))
    , m_owner(owner)
{
}

void BackgroundControl::reportFraction(double fraction, const QString &message) const
{
    {
        std::lock_guard lock(m_state->mutex);
        m_state->fraction = std::clamp(fraction, 0.0, 1.0);
        if (!message.isEmpty())
            m_state->message = message;
    }
    post();
}

void BackgroundControl::setMessage(const QString &message) const
{
    {
        std::lock_guard lock(m_state->mutex);
        m_state->message = message;
    }
    post();
}

void BackgroundControl::post() const
{
    {
        std::lock_guard lock(m_state->mutex);
        if (m_state->progressPosted)
            return;  // the owner has not read the last update yet; it will see this one too
        m_state->progressPosted = true;
    }
    QMetaObject::invokeMethod(
        m_owner, [owner = m_owner, state = m_state] { owner->deliverProgress(state); },
        Qt::QueuedConnection);
}

BackgroundTaskBase::BackgroundTaskBase(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<pcs::Error>();
}

BackgroundTaskBase::~BackgroundTaskBase()
{
    // Work may reference whatever the owner passed it; nothing may outlive the task.
    cancel();
    waitForWork();  // what the runs posted is dropped with this object
}

void BackgroundTaskBase::cancel()
{
    for (const auto &state : std::as_const(m_running))
        state->cancelRequested.store(true);
}

void BackgroundTaskBase::waitForWork()
{
    for (QFuture<void> &future : m_futures)
        future.waitForFinished();
}

void BackgroundTaskBase::waitForIdle()
{
    waitForWork();
    // Runs answer with queued meta-calls to this object: deliver them now, in order.
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
}

std::shared_ptr<detail::BackgroundRunState> BackgroundTaskBase::beginRun(const QString &message)
{
    // The run in flight is superseded: ask it to stop; endRun() drops whatever it returns.
    cancel();
    auto state = std::make_shared<detail::BackgroundRunState>();
    state->generation = ++m_generation;
    state->message = message;
    m_latest = state;
    m_message = message;
    m_running.append(state);
    setBusy(true);
    Q_EMIT progressChanged(0.0, message);
    return state;
}

void BackgroundTaskBase::trackRun(QFuture<void> future)
{
    m_futures.removeIf([](const QFuture<void> &f) { return f.isFinished(); });
    m_futures.append(std::move(future));
}

bool BackgroundTaskBase::endRun(const detail::BackgroundRunState &state)
{
    m_running.removeIf([&state](const auto &running) { return running.get() == &state; });
    if (m_latest.get() != &state)
        return false;
    m_latest.reset();
    return true;
}

void BackgroundTaskBase::emitOutcome(const Error *error)
{
    setBusy(m_latest != nullptr);
    if (!error)
        Q_EMIT succeeded();
    else if (error->kind == ErrorKind::Canceled)
        Q_EMIT canceled();
    else
        Q_EMIT failed(*error);
    Q_EMIT finished();
}

void BackgroundTaskBase::deliverProgress(const std::shared_ptr<detail::BackgroundRunState> &state)
{
    double fraction = 0.0;
    QString message;
    {
        std::lock_guard lock(state->mutex);
        state->progressPosted = false;
        fraction = state->fraction;
        message = state->message;
    }
    if (state != m_latest)
        return;  // superseded or already delivered
    m_message = message;
    Q_EMIT progressChanged(fraction, message);
}

void BackgroundTaskBase::setBusy(bool busy)
{
    if (busy == m_busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

void BackgroundTaskGroup::add(BackgroundTaskBase *task)
{
    m_tasks.append(task);
    connect(task, &BackgroundTaskBase::busyChanged, this, &BackgroundTaskGroup::updateBusy);
    connect(task, &BackgroundTaskBase::progressChanged, this,
            &BackgroundTaskGroup::progressChanged);
    updateBusy();
}

bool BackgroundTaskGroup::isBusy() const
{
    return std::any_of(m_tasks.begin(), m_tasks.end(),
                       [](const BackgroundTaskBase *task) { return task->isBusy(); });
}

void BackgroundTaskGroup::cancel()
{
    for (BackgroundTaskBase *task : std::as_const(m_tasks))
        task->cancel();
}

void BackgroundTaskGroup::waitForIdle()
{
    // A delivered result may start work on another task (a load starts a run): repeat until quiet.
    while (isBusy()) {
        for (BackgroundTaskBase *task : std::as_const(m_tasks))
            task->waitForIdle();
    }
}

void BackgroundTaskGroup::updateBusy()
{
    const bool busy = isBusy();
    if (busy == m_busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

}  // namespace pcs
