#include "core/common/backgroundtask.h"

#include <QElapsedTimer>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <thread>

using namespace pcs;

namespace {

// Blocks until released or canceled, so a test decides when work ends.
struct Gate {
    QSemaphore open;
    bool waitOrCancel(const BackgroundControl &control)
    {
        while (!open.tryAcquire(1, 5)) {
            if (control.isCanceled())
                return false;
        }
        return true;
    }
};

}  // namespace

class TestBackgroundTask : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void deliversTheResultOnTheOwnersThread()
    {
        BackgroundTask<int> task;
        QThread *workThread = nullptr;
        QThread *handlerThread = nullptr;
        int received = 0;
        task.onFinished([&](Result<int> result) {
            handlerThread = QThread::currentThread();
            QVERIFY(result.ok());
            received = *result;
        });
        QSignalSpy busy(&task, &BackgroundTaskBase::busyChanged);
        QSignalSpy succeeded(&task, &BackgroundTaskBase::succeeded);
        QSignalSpy finished(&task, &BackgroundTaskBase::finished);
        task.start("Adding", [&](BackgroundControl &) -> Result<int> {
            workThread = QThread::currentThread();
            return 40 + 2;
        });
        QVERIFY(task.isBusy());
        QVERIFY(finished.wait(5000));
        QCOMPARE(received, 42);
        QCOMPARE(handlerThread, QThread::currentThread());
        QVERIFY(workThread != nullptr);
        QVERIFY(workThread != QThread::currentThread());
        QVERIFY(!task.isBusy());
        QCOMPARE(succeeded.count(), 1);
        QCOMPARE(busy.count(), 2);
        QCOMPARE(busy.at(0).at(0).toBool(), true);
        QCOMPARE(busy.at(1).at(0).toBool(), false);
    }

    void theLatestRequestWins()
    {
        BackgroundTask<int> task;
        QList<int> received;
        task.onFinished([&](Result<int> result) {
            if (result.ok())
                received.append(*result);
        });
        QSignalSpy finished(&task, &BackgroundTaskBase::finished);
        QSignalSpy progress(&task, &BackgroundTaskBase::progressChanged);
        // The first run ignores cancellation and finishes after the second: its late result and
        // its progress must still be dropped.
        Gate first;
        std::atomic<bool> firstSawCancel { false };
        task.start("first", [&](BackgroundControl &control) -> Result<int> {
            first.open.acquire();
            firstSawCancel = control.isCanceled();
            control.reportFraction(0.5, "stale progress");
            return 1;
        });
        const quint64 second
            = task.start("second", [](BackgroundControl &) -> Result<int> { return 2; });
        QCOMPARE(second, task.generation());
        QVERIFY(finished.wait(5000));
        QCOMPARE(received, QList<int> { 2 });
        QVERIFY(!task.isBusy());
        first.open.release();
        task.waitForIdle();
        QTest::qWait(50);  // let the first run's queued events arrive
        QCOMPARE(received, QList<int> { 2 });
        QCOMPARE(finished.count(), 1);
        QVERIFY(firstSawCancel);  // superseding asks the old run to stop
        for (const auto &args : std::as_const(progress))
            QVERIFY(args.at(1).toString() != "stale progress");
    }

    void cancelStopsTheWorkAndReportsCanceled()
    {
        BackgroundTask<int> task;
        std::optional<Error> error;
        task.onFinished([&](Result<int> result) {
            if (!result.ok())
                error = result.error();
        });
        QSignalSpy canceled(&task, &BackgroundTaskBase::canceled);
        QSignalSpy failed(&task, &BackgroundTaskBase::failed);
        std::atomic<bool> started { false };
        task.start("spinning", [&](BackgroundControl &control) -> Result<int> {
            started = true;
            while (!control.isCanceled())
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            return Error::canceled();
        });
        QTRY_VERIFY(started);
        QElapsedTimer timer;
        timer.start();
        task.cancel();
        QVERIFY(canceled.wait(5000));
        QVERIFY(timer.elapsed() < 1000);
        QVERIFY(error);
        QCOMPARE(error->kind, ErrorKind::Canceled);
        QCOMPARE(failed.count(), 0);
        QVERIFY(!task.isBusy());
    }

    void aResultAfterCancelIsNotShown()
    {
        // Work that finishes anyway after cancel() is still delivered as canceled.
        BackgroundTask<int> task;
        bool gotValue = false;
        task.onFinished([&](Result<int> result) { gotValue = result.ok(); });
        QSignalSpy canceled(&task, &BackgroundTaskBase::canceled);
        QSemaphore release;
        task.start("stubborn", [&](BackgroundControl &) -> Result<int> {
            release.acquire();
            return 7;
        });
        task.cancel();
        release.release();
        QVERIFY(canceled.wait(5000));
        QVERIFY(!gotValue);
    }

    void progressArrivesCoalescedAndInOrder()
    {
        BackgroundTask<int> task;
        QSignalSpy progress(&task, &BackgroundTaskBase::progressChanged);
        QSignalSpy finished(&task, &BackgroundTaskBase::finished);
        task.start("counting", [](BackgroundControl &control) -> Result<int> {
            control.setMessage("reading");
            for (qint64 i = 1; i <= 100000; ++i)
                control.reportProgress(i, 100000);  // through the TaskControl interface
            control.reportFraction(1.0, "done reading");
            return 0;
        });
        QVERIFY(finished.wait(5000));
        QVERIFY(progress.count() >= 2);
        // Coalesced: far fewer deliveries than reports, and never going backwards.
        QVERIFY(progress.count() < 100000);
        QCOMPARE(progress.first().at(0).toDouble(), 0.0);
        QCOMPARE(progress.first().at(1).toString(), QString("counting"));
        double last = 0.0;
        for (const auto &args : std::as_const(progress)) {
            QVERIFY(args.at(0).toDouble() >= last);
            last = args.at(0).toDouble();
        }
        QCOMPARE(progress.last().at(0).toDouble(), 1.0);
        QCOMPARE(progress.last().at(1).toString(), QString("done reading"));
    }

    void errorsArriveAsValues()
    {
        BackgroundTask<QString> task;
        std::optional<Error> error;
        task.onFinished([&](Result<QString> result) {
            if (!result.ok())
                error = result.error();
        });
        QSignalSpy failed(&task, &BackgroundTaskBase::failed);
        task.start("failing", [](BackgroundControl &) -> Result<QString> {
            return Error::badInput("no such column", "/tmp/x.csv", 3, 4);
        });
        QVERIFY(failed.wait(5000));
        QVERIFY(error);
        QCOMPARE(error->kind, ErrorKind::BadInput);
        QCOMPARE(error->line, 3);
        const auto reported = failed.first().at(0).value<Error>();
        QCOMPARE(reported.reason, QString("no such column"));
    }

    void anExceptionBecomesAnInternalError()
    {
        BackgroundTask<int> task;
        QSignalSpy failed(&task, &BackgroundTaskBase::failed);
        task.start("throwing",
                   [](BackgroundControl &) -> Result<int> { throw std::runtime_error("boom"); });
        QVERIFY(failed.wait(5000));
        const auto error = failed.first().at(0).value<Error>();
        QCOMPARE(error.kind, ErrorKind::Internal);
        QCOMPARE(error.reason, QString("boom"));
    }

    void waitForIdleDeliversSynchronously()
    {
        BackgroundTask<int> task;
        int received = 0;
        task.onFinished([&](Result<int> result) { received = result.ok() ? *result : -1; });
        QSignalSpy finished(&task, &BackgroundTaskBase::finished);
        task.start("quick", [](BackgroundControl &) -> Result<int> {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            return 5;
        });
        task.waitForIdle();
        QCOMPARE(received, 5);
        QCOMPARE(finished.count(), 1);
        QVERIFY(!task.isBusy());
    }

    void destructionWhileRunningCancelsAndWaits()
    {
        // The work holds a resource the test owns; the task must not outlive it.
        auto resource = std::make_shared<std::vector<int>>(1000, 1);
        std::atomic<bool> workReturned { false };
        std::atomic<bool> started { false };
        bool handlerCalled = false;
        {
            BackgroundTask<int> task;
            task.onFinished([&](Result<int>) { handlerCalled = true; });
            task.start("long", [&, resource](BackgroundControl &control) -> Result<int> {
                started = true;
                while (!control.isCanceled()) {
                    control.reportFraction(0.1);
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                }
                workReturned = true;
                return int(resource->size());
            });
            QTRY_VERIFY(started);
        }
        QVERIFY(workReturned);  // the destructor waited
        QTest::qWait(20);  // any queued delivery to the dead task must be dropped, not crash
        QVERIFY(!handlerCalled);
        QTRY_COMPARE(resource.use_count(), 1);  // the work's copy is released: nothing leaked
    }

    void manyRestartsLeaveOneDelivery()
    {
        BackgroundTask<int> task;
        QList<int> received;
        task.onFinished([&](Result<int> result) {
            if (result.ok())
                received.append(*result);
        });
        QSignalSpy finished(&task, &BackgroundTaskBase::finished);
        for (int i = 0; i < 50; ++i) {
            task.start("again", [i](BackgroundControl &control) -> Result<int> {
                for (int step = 0; step < 20 && !control.isCanceled(); ++step)
                    std::this_thread::sleep_for(std::chrono::microseconds(200));
                return i;
            });
        }
        QVERIFY(finished.wait(10000));
        task.waitForIdle();
        QTest::qWait(50);
        QCOMPARE(received, QList<int> { 49 });
        QCOMPARE(finished.count(), 1);
    }
};

QTEST_GUILESS_MAIN(TestBackgroundTask)
#include "tst_backgroundtask.moc"
