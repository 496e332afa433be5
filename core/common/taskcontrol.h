#pragma once

#include <QtGlobal>

#include <atomic>
#include <functional>
#include <mutex>

namespace pcs {

// Progress and cancellation for long work, shared by the CLI, the GUI (through a QPromise
// adapter) and tests. Safe to use from several worker threads at once.
class TaskControl {
public:
    using ProgressFn = std::function<void(qint64 done, qint64 total)>;
    using CanceledFn = std::function<bool()>;

    TaskControl() = default;
    TaskControl(ProgressFn progress, CanceledFn canceled);
    TaskControl(const TaskControl &) = delete;
    TaskControl &operator=(const TaskControl &) = delete;

    // True once requestCancel() was called or the external source says so.
    bool isCanceled() const;
    void requestCancel();

    // Reports done out of total; calls are serialised, so the callback need not be thread-safe.
    void reportProgress(qint64 done, qint64 total) const;

    // A control that never cancels and reports nowhere.
    static const TaskControl &none();

private:
    ProgressFn m_progress;
    CanceledFn m_canceled;
    std::atomic<bool> m_cancelRequested { false };
    mutable std::mutex m_progressMutex;
};

}  // namespace pcs
