// Several processes on one review queue: concurrent `review run`s send each item once (the run
// lease and item claims), a SIGKILLed run's stale lease is taken over, and readers (`review
// status`, `review export`, QueueStore::page/count) never fail while a run writes.
//
// PCSTUDIO_CONCURRENCY_CLI=/path/to/pcstudio-cli runs the same tests against another build (to
// measure the request counts of an older one).
#include "core/review/queuestore.h"
#include "tests/common/fakeopenaiserver.h"
#include "tests/common/testdata.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTest>

using namespace pcs;

namespace {

QString cli()
{
    return qEnvironmentVariable("PCSTUDIO_CONCURRENCY_CLI", test::cliPath());
}

QString criteriaPath()
{
    return QStringLiteral(PCSTUDIO_SOURCE_DIR "/resources/criteria/deceptive-content.json");
}

// `count` documents "Concurrency document N." (N from 0), one JSON object per line.
QByteArray documents(int count)
{
    QByteArray out;
    for (int i = 0; i < count; ++i)
        out += QJsonDocument(QJsonObject { { QStringLiteral("id"), i },
                                           { QStringLiteral("text"),
                                             QStringLiteral("Concurrency document %1.").arg(i) } })
                   .toJson(QJsonDocument::Compact)
            + '\n';
    return out;
}

std::unique_ptr<QProcess> startCli(const QStringList &arguments)
{
    auto process = std::make_unique<QProcess>();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("OPENAI_API_KEY"));
    process->setProcessEnvironment(environment);
    process->start(cli(), arguments);
    process->waitForStarted(30000);
    return process;
}

// Waits (serving the fake server meanwhile) and answers the exit code; -1 when it crashed or
// did not end within the timeout.
int finish(QProcess &process, int timeoutMs = 180000)
{
    if (process.state() != QProcess::NotRunning) {
        QSignalSpy done(&process, &QProcess::finished);
        if (!done.wait(timeoutMs))
            return -1;
    }
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

// Requests per document, from the texts the server received.
QHash<int, int> requestsPerDocument(const test::FakeOpenAiServer &server)
{
    static const QRegularExpression number(QStringLiteral("Concurrency document (\\d+)\\."));
    QHash<int, int> counts;
    for (const auto &request : server.received()) {
        const QRegularExpressionMatch match = number.match(request.scriptKey);
        if (match.hasMatch())
            ++counts[match.captured(1).toInt()];
    }
    return counts;
}

qint64 countWhere(const QString &db, const QString &where)
{
    qint64 count = -1;
    {
        QSqlDatabase raw
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw-count"));
        raw.setDatabaseName(db);
        if (raw.open()) {
            QSqlQuery query(raw);
            if (query.exec(QStringLiteral("SELECT count(*) FROM items WHERE ") + where)
                && query.next())
                count = query.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw-count"));
    return count;
}

}  // namespace

class TestQueueConcurrency : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    test::FakeOpenAiServer m_server;

    QStringList runArguments(const QString &input, const QString &db, int concurrency) const
    {
        return { QStringLiteral("review"),        QStringLiteral("run"),
                 QStringLiteral("--input"),       input,
                 QStringLiteral("--db"),          db,
                 QStringLiteral("--criteria"),    criteriaPath(),
                 QStringLiteral("--endpoint"),    m_server.url(),
                 QStringLiteral("--model"),       QStringLiteral("test-model"),
                 QStringLiteral("--concurrency"), QString::number(concurrency) };
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_server.listen());
    }

    void concurrentRunsSendEachItemOnce_data()
    {
        QTest::addColumn<int>("runs");
        QTest::addColumn<bool>("wait");
        QTest::newRow("2 runs") << 2 << false;
        QTest::newRow("4 runs") << 4 << false;
        QTest::newRow("4 runs, --wait") << 4 << true;
    }

    // The scenario: several `review run` started together on one queue (each importing
    // the same file). One run sends everything; the others exit 3 naming the run that holds the
    // queue, or with --wait start after it and find nothing left to send.
    void concurrentRunsSendEachItemOnce()
    {
        QFETCH(int, runs);
        QFETCH(bool, wait);
        constexpr int kItems = 600;
        constexpr int kConcurrency = 8;
        const QString tag = QStringLiteral("%1%2").arg(runs).arg(wait ? "w" : "");
        const QString input
            = test::writeFile(m_dir, QStringLiteral("docs-%1.jsonl").arg(tag), documents(kItems));
        const QString db = m_dir.filePath(QStringLiteral("concurrent-%1.sqlite").arg(tag));
        m_server.resetStats();
        m_server.setBaseLatencyMs(20);  // ~1.5 s of work: the runs overlap

        std::vector<std::unique_ptr<QProcess>> processes;
        QSet<qint64> pids;
        for (int i = 0; i < runs; ++i) {
            QStringList arguments = runArguments(input, db, kConcurrency);
            if (wait)
                arguments << QStringLiteral("--wait");
            processes.push_back(startCli(arguments));
            pids.insert(processes.back()->processId());
        }
        QList<int> codes;
        QStringList errors;
        for (auto &process : processes) {
            codes << finish(*process);
            errors << QString::fromUtf8(process->readAllStandardError());
        }
        m_server.setBaseLatencyMs(0);
        const QHash<int, int> perDocument = requestsPerDocument(m_server);
        int sentTwice = 0;
        for (int count : perDocument)
            sentTwice += count > 1;
        qInfo("%d concurrent runs%s on %d items: %d requests, %d documents sent more than once; "
              "exit codes %s",
              runs, wait ? " (--wait)" : "", kItems, m_server.totalRequests(), sentTwice,
              qPrintable([&] {
                  QStringList text;
                  for (int code : std::as_const(codes))
                      text << QString::number(code);
                  return text.join(QLatin1Char(' '));
              }()));

        // Each item exactly once, and the one bound any scheme must meet.
        QVERIFY2(m_server.totalRequests() <= kItems + kConcurrency,
                 qPrintable(QString::number(m_server.totalRequests())));
        QCOMPARE(perDocument.size(), kItems);
        QCOMPARE(sentTwice, 0);
        QCOMPARE(countWhere(db, QStringLiteral("state = 'assessed'")), qint64(kItems));
        QCOMPARE(countWhere(db, QStringLiteral("claimed_by IS NOT NULL")), 0);

        int ran = 0;
        for (int i = 0; i < runs; ++i) {
            if (codes[i] == 0) {
                ++ran;
                continue;
            }
            QVERIFY2(!wait, qPrintable(errors[i]));
            QVERIFY2(codes[i] == 3, qPrintable(QString::number(codes[i]) + errors[i]));
            // QUEUE: queue is being run by PID … on HOST since …
            const QRegularExpression busy(
                QStringLiteral("^%1: queue is being run by PID (\\d+) on (\\S+) since \\S+Z$")
                    .arg(QRegularExpression::escape(db)),
                QRegularExpression::MultilineOption);
            const QRegularExpressionMatch match = busy.match(errors[i]);
            QVERIFY2(match.hasMatch(), qPrintable(errors[i]));
            QVERIFY2(pids.contains(match.captured(1).toLongLong()), qPrintable(errors[i]));
        }
        if (wait) {
            QCOMPARE(ran, runs);
            // The waiters ran after the first and found nothing left to send.
            int waited = 0;
            for (const QString &error : std::as_const(errors)) {
                if (!error.contains(QLatin1String("waiting for it to end")))
                    continue;
                ++waited;
                QVERIFY2(error.contains(QLatin1String("run: 0 assessed")), qPrintable(error));
            }
            QVERIFY2(waited >= 1, qPrintable(errors.join(QLatin1Char('\n'))));
        } else {
            QVERIFY(ran >= 1);
        }
    }

    // SIGKILL leaves the lease (and the claims of what was in flight) behind; the next run sees
    // the holder's process is gone, takes the lease over, and resends only what has no result.
    void killedRunsLeaseIsTakenOver()
    {
        constexpr int kItems = 400;
        const QString input
            = test::writeFile(m_dir, QStringLiteral("kill.jsonl"), documents(kItems));
        const QString db = m_dir.filePath(QStringLiteral("kill.sqlite"));
        m_server.resetStats();
        m_server.setBaseLatencyMs(40);
        qint64 killedPid = 0;
        {
            auto process = startCli(runArguments(input, db, 8));
            killedPid = process->processId();
            QTRY_VERIFY_WITH_TIMEOUT(m_server.totalRequests() >= 120, 60000);
            process->kill();
            QVERIFY(process->waitForFinished(10000));
        }
        QSet<int> committed;
        {
            auto store = QueueStore::open(db);
            QVERIFY(store.ok());
            auto lease = (*store)->currentRunLease();
            QVERIFY(lease.ok() && lease->has_value());
            QCOMPARE((*lease)->pid, killedPid);
            PageQuery assessed;
            assessed.state = ItemState::Assessed;
            assessed.limit = kItems;
            const auto items = (*store)->page(assessed);
            QVERIFY(items.ok());
            for (const QueueItem &item : *items)
                committed.insert(int(item.sourceLine - 1));
        }
        QVERIFY(countWhere(db, QStringLiteral("claimed_by IS NOT NULL")) > 0);
        QVERIFY(!committed.isEmpty() && committed.size() < kItems);

        auto rerun = startCli(runArguments(input, db, 8));
        QCOMPARE(finish(*rerun), 0);
        m_server.setBaseLatencyMs(0);
        const QString error = QString::fromUtf8(rerun->readAllStandardError());
        QVERIFY2(error.contains(QStringLiteral("took over the run lease of PID %1").arg(killedPid))
                     && error.contains(QLatin1String("its process is gone")),
                 qPrintable(error));

        QCOMPARE(countWhere(db, QStringLiteral("state = 'assessed'")), qint64(kItems));
        const QHash<int, int> perDocument = requestsPerDocument(m_server);
        int resent = 0;
        for (int i = 0; i < kItems; ++i) {
            QVERIFY2(perDocument.value(i) >= 1, qPrintable(QString::number(i)));
            if (committed.contains(i))
                QVERIFY2(perDocument.value(i) == 1,
                         qPrintable(QStringLiteral("document %1 was sent again").arg(i)));
            resent += perDocument.value(i) - 1;
        }
        QVERIFY2(resent <= 8, qPrintable(QString::number(resent)));  // what was in flight
        auto store = QueueStore::open(db);
        QVERIFY(store.ok());
        QVERIFY(!(*store)->currentRunLease().value().has_value());  // released at the end
    }

    // Readers beside a writing run: 120 status/export processes and in-process page/count
    // calls (the app's queue view), each on a freshly opened store, all succeed.
    void readersNeverFailDuringARun()
    {
        constexpr int kItems = 1000;
        constexpr int kCalls = 120;
        const QString input
            = test::writeFile(m_dir, QStringLiteral("readers.jsonl"), documents(kItems));
        const QString db = m_dir.filePath(QStringLiteral("readers.sqlite"));
        m_server.resetStats();
        // 1000 × 400 ms / 4 = 100 s unless sped up below: the run outlasts the calls even on a
        // loaded machine (at 60 ms it ended first there, lease and heartbeat gone).
        m_server.setBaseLatencyMs(400);
        auto run = startCli(runArguments(input, db, 4));
        QTRY_VERIFY_WITH_TIMEOUT(m_server.totalRequests() >= 8, 60000);

        int failures = 0;
        QStringList failed;
        for (int call = 0; call < kCalls; ++call) {
            QStringList arguments { QStringLiteral("review"), QString(), QStringLiteral("--db"),
                                    db };
            if (call % 2 == 0) {
                arguments[1] = QStringLiteral("status");
            } else {
                arguments[1] = QStringLiteral("export");
                arguments << QStringLiteral("--output")
                          << m_dir.filePath(QStringLiteral("readers-curated.jsonl"))
                          << QStringLiteral("--log")
                          << m_dir.filePath(QStringLiteral("readers-log.csv"));
            }
            auto reader = startCli(arguments);
            if (const int code = finish(*reader, 60000); code != 0) {
                ++failures;
                failed << QString::fromUtf8(reader->readAllStandardError());
            }
            auto store = QueueStore::open(db);
            if (!store) {
                ++failures;
                failed << store.error().toString();
                continue;
            }
            PageQuery view;
            view.limit = 50;
            view.offset = call * 5;
            if (auto page = (*store)->page(view); !page) {
                ++failures;
                failed << page.error().toString();
            }
            if (auto count = (*store)->count({}); !count || *count != kItems) {
                ++failures;
                failed << (count ? QString::number(*count) : count.error().toString());
            }
        }
        const bool stillRunning = run->state() != QProcess::NotRunning;
        const int requestsDuringCalls = m_server.totalRequests();
        // Meanwhile the run keeps its lease's heartbeat fresh (every few seconds).
        const auto heartbeat = [&db]() -> QString {
            auto store = QueueStore::open(db);
            if (!store)
                return {};
            auto lease = (*store)->currentRunLease();
            return lease && *lease ? (*lease)->heartbeatAt : QString();
        };
        const QString firstBeat = heartbeat();
        QVERIFY(!firstBeat.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(heartbeat() > firstBeat, 3 * QueueStore::kRunLeaseHeartbeatMs);
        QVERIFY(run->state() != QProcess::NotRunning);
        m_server.setBaseLatencyMs(0);
        QCOMPARE(finish(*run), 0);
        qInfo("%d status/export calls and %d page/count rounds during a run (%d requests "
              "meanwhile): %d failures",
              kCalls, kCalls, requestsDuringCalls, failures);
        QVERIFY2(failures == 0, qPrintable(failed.join(QLatin1Char('\n'))));
        QVERIFY2(stillRunning, "the run ended before the readers did: make it slower");
        QCOMPARE(countWhere(db, QStringLiteral("state = 'assessed'")), qint64(kItems));
    }
};

QTEST_GUILESS_MAIN(TestQueueConcurrency)
#include "tst_queueconcurrency.moc"
