#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"

#include <QFuture>
#include <QList>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace pcs {

class BackgroundTaskBase;

namespace detail {

// What one run shares between its worker thread and the task on the owner's thread.
struct BackgroundRunState {
    quint64 generation = 0;
    std::atomic<bool> cancelRequested { false };
    std::mutex mutex;  // guards the fields below
    double fraction = 0.0;
    QString message;
    bool progressPosted = false;  // an update is queued to the owner: coalesce until it is read
};

}  // namespace detail

// The progress-and-cancel handle a BackgroundTask's work receives. It is a TaskControl, so core
// functions that take `const TaskControl &` report through it unchanged (done/total becomes the
// fraction); the work may also name what it is doing. Updates are coalesced: the owner sees the
// latest one, never a backlog, however fast the work reports.
class BackgroundControl : public TaskControl {
public:
    BackgroundControl(std::shared_ptr<detail::BackgroundRunState> state, BackgroundTaskBase *owner);

    // fraction in [0, 1]; an empty message keeps the current one.
    void reportFraction(double fraction, const QString &message = {}) const;
    void setMessage(const QString &message) const;

private:
    void post() const;

    std::shared_ptr<detail::BackgroundRunState> m_state;
    BackgroundTaskBase *m_owner;
};

// The signals and the bookkeeping every BackgroundTask<Reply> shares (a QObject cannot be a
// template). Everything here is called and emitted on the owner's thread.
class BackgroundTaskBase : public QObject {
    Q_OBJECT
public:
    // Cancels every run in flight and waits for them: work must honour cancellation promptly.
    ~BackgroundTaskBase() override;

    // The latest run has not yet been delivered: busy from start() until its handler returned.
    bool isBusy() const { return m_busy; }
    quint64 generation() const { return m_generation; }
    // What the latest run said it was doing (its start message, then its progress messages).
    QString message() const { return m_message; }
    // Asks the latest run (and any superseded one still running) to stop. The latest run is then
    // delivered as canceled() once its work returns.
    void cancel();
    // Blocks until every run's work has returned, then delivers what is pending, so that on
    // return the handler and signals of the latest run have run (tests and shutdown). Call it on
    // the owner's thread.
    void waitForIdle();

Q_SIGNALS:
    void busyChanged(bool busy);
    // The latest run's progress; superseded runs never report.
    void progressChanged(double fraction, const QString &message);
    void succeeded();
    void failed(const pcs::Error &error);
    void canceled();
    // After succeeded(), failed() or canceled(), for the latest run only.
    void finished();

protected:
    explicit BackgroundTaskBase(QObject *parent);

    std::shared_ptr<detail::BackgroundRunState> beginRun(const QString &message);
    void trackRun(QFuture<void> future);
    // True if `state` is the latest run, which is then over. Superseded runs answer false.
    bool endRun(const detail::BackgroundRunState &state);
    // After the handler: idle unless it started a new run, then the outcome's signals.
    void emitOutcome(const Error *error);

private:
    friend class BackgroundControl;
    void deliverProgress(const std::shared_ptr<detail::BackgroundRunState> &state);
    void setBusy(bool busy);
    void waitForWork();

    quint64 m_generation = 0;
    bool m_busy = false;
    QString m_message;
    std::shared_ptr<detail::BackgroundRunState> m_latest;
    QList<std::shared_ptr<detail::BackgroundRunState>> m_running;
    QList<QFuture<void>> m_futures;
};

// One kind of long work, run off the owner's thread with progress, cancel and errors as values.
// The latest request wins: start() supersedes the run in flight (asking it to stop), and the
// results and progress of superseded runs are dropped, never delivered. The typed result of the
// latest run reaches the handler on the owner's thread, followed by the signals.
//
//   BackgroundTask<Table> m_load;
//   m_load.onFinished([this](Result<Table> table) { ... });
//   m_load.start(tr("Loading"), [path](BackgroundControl &control) { return load(path, control);
//   });
template<typename Reply> class BackgroundTask : public BackgroundTaskBase {
public:
    using Work = std::function<Result<Reply>(BackgroundControl &control)>;
    // Receives the latest run's result, with Error::canceled() when it was canceled.
    using Handler = std::function<void(Result<Reply> result)>;

    explicit BackgroundTask(QObject *parent = nullptr)
        : BackgroundTaskBase(parent)
    {
    }

    void onFinished(Handler handler) { m_handler = std::move(handler); }

    // Returns the run's generation.
    quint64 start(const QString &message, Work work);

private:
    void deliver(const std::shared_ptr<detail::BackgroundRunState> &state,
                 const std::shared_ptr<Result<Reply>> &result);

    Handler m_handler;
};

// Several tasks seen as one: busy while any is, cancel and wait for all, progress from whichever
// reports. A session owns its tasks and forwards the group's signals.
class BackgroundTaskGroup : public QObject {
    Q_OBJECT
public:
    explicit BackgroundTaskGroup(QObject *parent = nullptr)
        : QObject(parent)
    {
    }

    void add(BackgroundTaskBase *task);
    bool isBusy() const;
    void cancel();
    void waitForIdle();  // until every task is idle, delivering results (see waitForIdle above)

Q_SIGNALS:
    void busyChanged(bool busy);  // only on a change of the combined state
    void progressChanged(double fraction, const QString &message);

private:
    void updateBusy();

    QList<BackgroundTaskBase *> m_tasks;
    bool m_busy = false;
};

// Runs `work` on the global thread pool (defined in backgroundtask.cpp).
QFuture<void> runInThreadPool(std::function<void()> work);

template<typename Reply> quint64 BackgroundTask<Reply>::start(const QString &message, Work work)
{
    auto state = beginRun(message);
    trackRun(runInThreadPool([this, state, work = std::move(work)] {
        BackgroundControl control(state, this);
        std::shared_ptr<Result<Reply>> result;
        try {
            result = std::make_shared<Result<Reply>>(work(control));
        } catch (const std::bad_alloc &) {
            result
                = std::make_shared<Result<Reply>>(Error::internal(QStringLiteral("out of memory")));
        } catch (const std::exception &exception) {
            result = std::make_shared<Result<Reply>>(
                Error::internal(QString::fromUtf8(exception.what())));
        }
        // The task outlives this call: its destructor waits for every run's work to return.
        QMetaObject::invokeMethod(
            this, [this, state, result] { deliver(state, result); }, Qt::QueuedConnection);
    }));
    return state->generation;
}

template<typename Reply>
void BackgroundTask<Reply>::deliver(const std::shared_ptr<detail::BackgroundRunState> &state,
                                    const std::shared_ptr<Result<Reply>> &result)
{
    if (!endRun(*state))
        return;  // superseded: never shown
    // A run that was asked to stop is canceled, even if its work finished anyway.
    if (state->cancelRequested.load())
        *result = Result<Reply>(Error::canceled());
    const bool ok = result->ok();
    const Error error = ok ? Error() : result->error();
    if (m_handler)
        m_handler(std::move(*result));
    emitOutcome(ok ? nullptr : &error);
}

}  // namespace pcs
