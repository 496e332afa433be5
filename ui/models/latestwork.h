#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <cstdint>
#include <memory>
#include <utility>

namespace pcs {

// From this many texts the app's views sort, order and filter off the GUI thread: below it
// every O(D) pass takes a few milliseconds at most.
constexpr qsizetype kBackgroundViewTexts = 100'000;

// The threads views prepare on: a pool of their own, so that view work never queues behind an
// estimation in the global pool.
QThreadPool *viewWorkPool();

// Runs a view's O(D) preparation (an order, a sorted copy, a filter) off the GUI thread and
// applies its result on the GUI thread, in `context`'s thread. Only the latest request is
// applied: a newer start() or a discard() drops the one in flight. The work must only read
// what it captured (immutable snapshots held by shared_ptr).
template<typename T> class LatestWork {
public:
    explicit LatestWork(QObject *context)
        : m_context(context)
    {
    }
    ~LatestWork() { discard(); }
    LatestWork(const LatestWork &) = delete;
    LatestWork &operator=(const LatestWork &) = delete;

    template<typename Work, typename Apply> void start(Work work, Apply apply)
    {
        discard();
        const std::uint64_t generation = m_generation;
        m_watcher = new QFutureWatcher<T>(m_context);
        QObject::connect(m_watcher, &QFutureWatcher<T>::finished, m_context,
                         [this, watcher = m_watcher, generation, onDone = std::move(apply)] {
                             watcher->deleteLater();
                             if (generation != m_generation || watcher != m_watcher)
                                 return;
                             m_watcher = nullptr;
                             ++m_generation;
                             onDone(watcher->future().takeResult());
                         });
        m_watcher->setFuture(QtConcurrent::run(viewWorkPool(), std::move(work)));
    }

    // Drops the request in flight (its work runs on, its result is thrown away).
    void discard()
    {
        ++m_generation;
        if (m_watcher) {
            m_watcher->disconnect();
            m_watcher->deleteLater();
            m_watcher = nullptr;
        }
    }

    bool isBusy() const { return m_watcher != nullptr; }

private:
    QObject *m_context;
    QFutureWatcher<T> *m_watcher = nullptr;
    std::uint64_t m_generation = 0;
};

}  // namespace pcs
