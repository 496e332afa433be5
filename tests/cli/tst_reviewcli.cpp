// `pcstudio-cli review` end to end against the scripted server: every item ends assessed or
// explicitly errored; a SIGKILL mid-run loses nothing and re-sends nothing that completed; export;
// the Batch API round trip; throughput.
#include "core/review/assessment.h"
#include "core/review/queuestore.h"
#include "core/workspace/reviewsession.h"
#include "tests/common/fakeopenaiserver.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <random>
#include <tuple>

#include <sys/resource.h>

using namespace pcs;

namespace {

QString criteriaPath()
{
    return QStringLiteral(PCSTUDIO_SOURCE_DIR "/resources/criteria/deceptive-content.json");
}

QByteArray jsonl(const QStringList &texts)
{
    QByteArray out;
    for (qsizetype i = 0; i < texts.size(); ++i)
        out += QJsonDocument(
                   QJsonObject { { QStringLiteral("id"), QStringLiteral("doc-%1").arg(i) },
                                 { QStringLiteral("text"), texts[i] } })
                   .toJson(QJsonDocument::Compact)
            + '\n';
    return out;
}

QList<QByteArray> lines(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QByteArray> all = file.readAll().split('\n');
    if (!all.isEmpty() && all.last().isEmpty())
        all.removeLast();
    return all;
}

// Starts the CLI without waiting, with no API key in its environment.
std::unique_ptr<QProcess> startCli(const QStringList &arguments)
{
    auto process = std::make_unique<QProcess>();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("OPENAI_API_KEY"));
    process->setProcessEnvironment(environment);
    process->start(test::cliPath(), arguments);
    process->waitForStarted(30000);
    return process;
}

// Runs the CLI to the end while this thread's event loop keeps serving the fake server.
int runCli(const QStringList &arguments, QByteArray *out = nullptr, QByteArray *err = nullptr)
{
    auto process = startCli(arguments);
    QSignalSpy done(process.get(), &QProcess::finished);
    if (!done.wait(180000))
        return -1;
    if (out)
        *out = process->readAllStandardOutput();
    if (err)
        *err = process->readAllStandardError();
    return process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1;
}

// A queue of `count` imported items at `path` (closed again, so its WAL is checkpointed).
bool makeQueue(const QTemporaryDir &dir, const QString &path, int count)
{
    QStringList texts;
    for (int i = 0; i < count; ++i)
        texts << QStringLiteral("Stored document %1, long enough to fill pages: %2")
                     .arg(i)
                     .arg(QString(120, QLatin1Char('x')));
    const QString input = test::writeFile(
        dir, QFileInfo(path).completeBaseName() + QStringLiteral(".jsonl"), jsonl(texts));
    auto store = QueueStore::open(path);
    return store.ok() && (*store)->importJsonl(input, QStringLiteral("text")).ok();
}

QJsonObject status(const QString &db)
{
    QByteArray out;
    if (runCli({ QStringLiteral("review"), QStringLiteral("status"), QStringLiteral("--db"), db },
               &out)
        != 0)
        return {};
    return QJsonDocument::fromJson(out).object();
}

// Ordinary string literals: moc misreads raw strings that hold escaped quotes.
QList<QByteArray> oddRecords()
{
    return {
        "{\"text\":\"Plain one. [[score=10]]\",\"id\":1}",
        "{\"id\":2,\"text\":\"Harmless. [[score=10]]\",\"t\\u0065xt\":\"Send your PIN now\"}",
        "{\"n\":12345678901234567890,\"text\":\"Caf\\u00e9 \\/ \\\"two\\\". [[score=10]]\","
        "\"z\":{}}",
        "{\"id\":4,\"text\":\"Huge. [[score=10]]\",\"meta\":{\"v\":[1e999]}}",
        "{\"meta\":{\"k\":1,\"k\":2},\"text\":\"Nested duplicate. [[score=95]]\"}",
    };
}

// The custom_id of every request line of `path`, in order (the key after "body", so its last
// occurrence in the line).
QStringList customIds(const QString &path)
{
    QStringList ids;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ids;
    const QByteArray key = "\"custom_id\":\"";
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        const qsizetype at = line.lastIndexOf(key);
        if (at < 0)
            return {};
        const qsizetype start = at + key.size();
        ids << QString::fromUtf8(line.mid(start, line.indexOf('"', start) - start));
    }
    return ids;
}

// The ids of a queue's pending items as custom_ids.
QStringList pendingCustomIds(const QString &db)
{
    QStringList ids;
    auto store = QueueStore::open(db);
    if (!store.ok())
        return ids;
    qint64 after = 0;
    for (;;) {
        auto items = (*store)->pending(10000, after);
        if (!items.ok() || items->empty())
            return ids;
        for (const QueueItem &item : *items)
            ids << QStringLiteral("item-%1").arg(item.id);
        after = items->back().id;
    }
}

// A Batch API result line for `customId` with a 200 response carrying `body`.
QByteArray resultLine(const QString &customId, const QByteArray &body)
{
    return QJsonDocument(
               QJsonObject { { QStringLiteral("custom_id"), customId },
                             { QStringLiteral("response"),
                               QJsonObject { { QStringLiteral("status_code"), 200 },
                                             { QStringLiteral("body"),
                                               QJsonDocument::fromJson(body).object() } } },
                             { QStringLiteral("error"), QJsonValue::Null } })
        .toJson(QJsonDocument::Compact);
}

}  // namespace

class TestReviewCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    test::FakeOpenAiServer m_server;

    QStringList runArguments(const QString &input, const QString &db, int concurrency = 8) const
    {
        return { QStringLiteral("review"),        QStringLiteral("run"),
                 QStringLiteral("--input"),       input,
                 QStringLiteral("--db"),          db,
                 QStringLiteral("--criteria"),    criteriaPath(),
                 QStringLiteral("--endpoint"),    m_server.url(),
                 QStringLiteral("--model"),       QStringLiteral("test-model"),
                 QStringLiteral("--concurrency"), QString::number(concurrency),
                 QStringLiteral("--deadline"),    QStringLiteral("3") };
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_server.listen());
        m_server.setSlowDelayMs(6000);  // past the 3 s deadline
    }

    // Every kind of answer a real server gives: each item ends assessed, or errored with its
    // reason (and the server's request id); the run exits 3 and counts the errors by code.
    void everyItemEndsAssessedOrErrored()
    {
        m_server.resetStats();
        QStringList texts;
        const QStringList markers
            = { QStringLiteral("[[refusal]]"),   QStringLiteral("[[truncated]]"),
                QStringLiteral("[[range]]"),     QStringLiteral("[[malformed]]"),
                QStringLiteral("[[too-large]]"), QStringLiteral("[[status=400]]"),
                QStringLiteral("[[slow]]"),      QStringLiteral("[[429ms]]"),
                QStringLiteral("[[flaky-2]]"),   QStringLiteral("[[logprobs]] [[score=85]]"),
                QStringLiteral("[[score=95]]"),  QStringLiteral("[[score=60]]") };
        for (int i = 0; i < 60; ++i)
            texts << QStringLiteral("Document %1 about ordinary things. %2")
                         .arg(i)
                         .arg(markers[i % markers.size()]);
        const QString input = test::writeFile(m_dir, QStringLiteral("mixed.jsonl"), jsonl(texts));
        const QString db = m_dir.filePath(QStringLiteral("mixed.sqlite"));
        QByteArray err;
        QCOMPARE(runCli(runArguments(input, db), nullptr, &err), 3);
        QVERIFY2(err.contains("errors by code: deadline 5, http_400 5, invalid_json_body 5, "
                              "out_of_range 5, refusal 5, request_too_large 5, truncated 5"),
                 err.constData());

        auto store = QueueStore::open(db);
        QVERIFY(store.ok());
        PageQuery all;
        all.sortBy = QueueSortColumn::Id;
        all.ascending = true;
        all.limit = 1000;
        auto items = (*store)->page(all);
        QVERIFY(items.ok());
        QCOMPARE(int(items->size()), 60);
        const QHash<QString, QString> expectedErrors
            = { { QStringLiteral("[[refusal]]"), QStringLiteral("refusal") },
                { QStringLiteral("[[truncated]]"), QStringLiteral("truncated") },
                { QStringLiteral("[[range]]"), QStringLiteral("out_of_range") },
                { QStringLiteral("[[malformed]]"), QStringLiteral("invalid_json_body") },
                { QStringLiteral("[[too-large]]"), QStringLiteral("request_too_large") },
                { QStringLiteral("[[status=400]]"), QStringLiteral("http_400") },
                { QStringLiteral("[[slow]]"), QStringLiteral("deadline") } };
        for (const QueueItem &item : *items) {
            const QString marker = markers[int(item.sourceLine - 1) % markers.size()];
            if (expectedErrors.contains(marker)) {
                QVERIFY2(item.state == ItemState::Error,
                         qPrintable(marker + QStringLiteral(" → ") + itemStateName(item.state)));
                QVERIFY2(item.errorCode == expectedErrors[marker],
                         qPrintable(marker + QStringLiteral(" → ") + item.errorCode));
                QVERIFY(!item.score.has_value());
                QVERIFY(!item.autoDecision);
                if (item.errorCode.startsWith(QLatin1String("http_"))
                    || item.errorCode == QLatin1String("request_too_large"))
                    QVERIFY2(item.requestId.startsWith(QLatin1String("req_fake_")),
                             qPrintable(item.requestId));
                continue;
            }
            QVERIFY2(item.state == ItemState::Assessed,
                     qPrintable(marker + QStringLiteral(" → ") + itemStateName(item.state)
                                + item.error));
            QVERIFY(item.score.has_value());
            QVERIFY(item.requestId.startsWith(QLatin1String("req_fake_")));
            if (marker.contains(QLatin1String("logprobs"))) {
                // 0.6 × 85 + 0.3 × 86 + 0.1 × 87, over all of the probability.
                QVERIFY(std::abs(*item.score - 85.5) < 1e-6);
                QVERIFY(item.logprobCoverage && std::abs(*item.logprobCoverage - 1.0) < 1e-6);
                QVERIFY(item.logprobStatus.isEmpty());  // used
                QVERIFY(item.logprobNote.isEmpty());
                QCOMPARE(item.autoDecision, std::optional(Decision::Filter));
            } else if (marker == QLatin1String("[[score=95]]")) {
                QCOMPARE(item.autoDecision, std::optional(Decision::Filter));
            } else if (marker == QLatin1String("[[score=60]]")) {
                QCOMPARE(item.autoDecision, std::optional(Decision::Revise));
            } else {
                QCOMPARE(*item.score, 10.0);
                QCOMPARE(item.autoDecision, std::optional(Decision::Keep));
                QVERIFY(item.logprobStatus.isEmpty());  // asked for
                QCOMPARE(LogprobNote::codeOf(item.logprobNote),
                         QLatin1String(LogprobNote::kNotReturned));  // but none came
            }
        }
        // Requests that must not be retried were sent once; flaky ones until they succeeded.
        for (const QueueItem &item : *items) {
            const QString marker = markers[int(item.sourceLine - 1) % markers.size()];
            if (marker == QLatin1String("[[too-large]]")
                || marker == QLatin1String("[[status=400]]"))
                QCOMPARE(item.attempts, 1);
            if (marker == QLatin1String("[[flaky-2]]"))
                QCOMPARE(item.attempts, 3);
        }

        // status, and a rerun sends nothing new.
        const QJsonObject counts = status(db);
        QVERIFY2(!counts.isEmpty(), "status printed no JSON");
        const int before = m_server.totalRequests();
        QCOMPARE(runCli(runArguments(input, db)), 0);
        QCOMPARE(m_server.totalRequests(), before);

        // Export: errors and pending are never curated.
        const QString curated = m_dir.filePath(QStringLiteral("curated.jsonl"));
        const QString dropped = m_dir.filePath(QStringLiteral("dropped.jsonl"));
        const QString log = m_dir.filePath(QStringLiteral("log.csv"));
        QByteArray exportErr;
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("export"),
                          QStringLiteral("--db"), db, QStringLiteral("--output"), curated,
                          QStringLiteral("--dropped"), dropped, QStringLiteral("--log"), log },
                        nullptr, &exportErr),
                 0);
        int keep = 0, revise = 0, filter = 0;
        for (const QueueItem &item : *items) {
            keep += item.autoDecision == Decision::Keep;
            revise += item.autoDecision == Decision::Revise;
            filter += item.autoDecision == Decision::Filter;
        }
        // Nothing was revised, so the revise decisions are held back (the default), and said so.
        QVERIFY(revise > 0);
        QCOMPARE(lines(curated).size(), keep);
        QCOMPARE(lines(dropped).size(), filter);
        QCOMPARE(lines(log).size(), 61);  // a header and one row per item
        QVERIFY(lines(log).first().endsWith(",request_id,logprob_status,logprob_note,source_id"));
        QVERIFY(lines(log).at(1).contains(",req_fake_"));
        QVERIFY2(exportErr.contains(QStringLiteral("%1 held back").arg(revise).toUtf8()),
                 exportErr.constData());
        // Exported records are input lines, byte for byte, with nothing added.
        const QList<QByteArray> inputLines = lines(input);
        for (const QByteArray &line : lines(curated) + lines(dropped))
            QVERIFY2(inputLines.contains(line), line.constData());
        // --revise-missing keep-original curates them as they are.
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("export"),
                          QStringLiteral("--db"), db, QStringLiteral("--output"), curated,
                          QStringLiteral("--revise-missing"), QStringLiteral("keep-original") }),
                 0);
        QCOMPARE(lines(curated).size(), keep + revise);
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("export"),
                          QStringLiteral("--db"), db, QStringLiteral("--output"), curated,
                          QStringLiteral("--revise-missing"), QStringLiteral("maybe") }),
                 2);
    }

    // SIGKILL mid-run, then run again: every item is assessed exactly once in the queue, every
    // request that completed before the kill is not sent again, and the export is complete.
    void killAndResumeLosesNothing()
    {
        m_server.resetStats();
        m_server.setBaseLatencyMs(40);
        QStringList texts;
        for (int i = 0; i < 400; ++i)
            texts
                << QStringLiteral("Kill test document number %1. [[score=%2]]").arg(i).arg(i % 100);
        const QString input = test::writeFile(m_dir, QStringLiteral("kill.jsonl"), jsonl(texts));
        const QString db = m_dir.filePath(QStringLiteral("kill.sqlite"));
        {
            auto process = startCli(runArguments(input, db, 8));
            QTRY_VERIFY_WITH_TIMEOUT(m_server.totalRequests() >= 150, 60000);
            process->kill();  // SIGKILL
            QVERIFY(process->waitForFinished(10000));
            QCOMPARE(process->exitStatus(), QProcess::CrashExit);
        }
        // What the killed run committed.
        QSet<qint64> committedLines;
        {
            auto store = QueueStore::open(db);
            QVERIFY(store.ok());
            PageQuery assessed;
            assessed.state = ItemState::Assessed;
            assessed.sortBy = QueueSortColumn::Id;
            assessed.limit = 1000;
            const auto items = (*store)->page(assessed);
            QVERIFY(items.ok());
            for (const QueueItem &item : *items)
                committedLines.insert(item.sourceLine);
        }
        QVERIFY2(!committedLines.isEmpty() && committedLines.size() < 400,
                 qPrintable(QString::number(committedLines.size())));
        QCOMPARE(runCli(runArguments(input, db, 8)), 0);
        m_server.setBaseLatencyMs(0);

        auto store = QueueStore::open(db);
        QVERIFY(store.ok());
        PageQuery assessed;
        assessed.state = ItemState::Assessed;
        QCOMPARE((*store)->count(assessed).value(), 400);
        // Requests per document, from what the server received in both runs.
        QHash<int, int> requestsPerDocument;
        const QRegularExpression number(QStringLiteral("Kill test document number (\\d+)\\."));
        for (const auto &request : m_server.received()) {
            const QRegularExpressionMatch match = number.match(request.scriptKey);
            QVERIFY(match.hasMatch());
            ++requestsPerDocument[match.captured(1).toInt()];
        }
        int sentTwice = 0;
        for (int i = 0; i < 400; ++i) {
            QVERIFY2(requestsPerDocument.value(i) >= 1, qPrintable(QString::number(i)));
            QVERIFY2(requestsPerDocument.value(i) <= 2, qPrintable(QString::number(i)));
            // A result committed before the kill is never asked for again.
            if (committedLines.contains(i + 1))
                QVERIFY2(requestsPerDocument.value(i) == 1,
                         qPrintable(QStringLiteral("document %1 was sent again").arg(i)));
            sentTwice += requestsPerDocument.value(i) == 2;
        }
        // Only what was in flight at the kill (at most the concurrency) went out twice.
        QVERIFY2(sentTwice <= 8, qPrintable(QString::number(sentTwice)));
        qInfo("kill test: %lld of 400 committed before SIGKILL; %d requests in flight were sent "
              "again",
              qlonglong(committedLines.size()), sentTwice);
        // The database is intact and the export complete.
        {
            QSqlDatabase check
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("integrity"));
            check.setDatabaseName(db);
            QVERIFY(check.open());
            QSqlQuery query(check);
            QVERIFY(query.exec(QStringLiteral("PRAGMA integrity_check")) && query.next());
            QCOMPARE(query.value(0).toString(), QStringLiteral("ok"));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("integrity"));
        const QString curated = m_dir.filePath(QStringLiteral("kill-curated.jsonl"));
        const QString dropped = m_dir.filePath(QStringLiteral("kill-dropped.jsonl"));
        // Nothing was revised: keep-original curates the revise decisions, so every item is out.
        QCOMPARE(
            runCli({ QStringLiteral("review"), QStringLiteral("export"), QStringLiteral("--db"), db,
                     QStringLiteral("--output"), curated, QStringLiteral("--dropped"), dropped,
                     QStringLiteral("--revise-missing"), QStringLiteral("keep-original") }),
            0);
        QCOMPARE(lines(curated).size() + lines(dropped).size(), 400);
        QCOMPARE(lines(dropped).size(), 4 * 19);  // scores 81..99 of each hundred
    }

    // --revise: texts between the thresholds get a critique and a rewrite, which the export uses.
    void reviseRewritesTheMiddleBand()
    {
        QStringList texts;
        for (int i = 0; i < 30; ++i)
            texts << QStringLiteral("Revise test %1. [[score=%2]]")
                         .arg(i)
                         .arg(i % 3 == 0       ? 65
                                  : i % 3 == 1 ? 20
                                               : 90);
        const QString input = test::writeFile(m_dir, QStringLiteral("revise.jsonl"), jsonl(texts));
        const QString db = m_dir.filePath(QStringLiteral("revise.sqlite"));
        m_server.resetStats();
        QCOMPARE(runCli(runArguments(input, db)
                        << QStringLiteral("--revise") << QStringLiteral("--reassess")),
                 0);
        QCOMPARE(m_server.totalRequests(), 30 + 10 + 10);  // assessments, revisions, reassessments
        const QString curated = m_dir.filePath(QStringLiteral("revise-curated.jsonl"));
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("export"),
                          QStringLiteral("--db"), db, QStringLiteral("--output"), curated }),
                 0);
        // A rewritten record is its input line with only the text replaced and the old text
        // appended; the others are their input lines.
        const QList<QByteArray> inputLines = lines(input);
        int rewritten = 0;
        for (const QByteArray &line : lines(curated)) {
            if (inputLines.contains(line))
                continue;
            ++rewritten;
            const QJsonObject record = QJsonDocument::fromJson(line).object();
            const QString original = record.value(QStringLiteral("original_text")).toString();
            QVERIFY2(original.startsWith(QStringLiteral("Revise test")), line.constData());
            const QByteArray expected = "{\"id\":\""
                + record.value(QStringLiteral("id")).toString().toUtf8()
                + "\",\"text\":\"A calmer, accurate rewrite.\",\"original_text\":\""
                + original.toUtf8() + "\"}";
            QCOMPARE(line, expected);
            QVERIFY(inputLines.contains("{\"id\":\""
                                        + record.value(QStringLiteral("id")).toString().toUtf8()
                                        + "\",\"text\":\"" + original.toUtf8() + "\"}"));
        }
        QCOMPARE(rewritten, 10);
        QCOMPARE(lines(curated).size(), 20);
    }

    // Offline: pending items → Batch API requests → results in any order → the queue.
    void batchRoundTrip()
    {
        QStringList texts;
        for (int i = 0; i < 50; ++i)
            texts << QStringLiteral("Batch document %1").arg(i);
        const QString input = test::writeFile(m_dir, QStringLiteral("batch.jsonl"), jsonl(texts));
        const QString db = m_dir.filePath(QStringLiteral("batch.sqlite"));
        const QString requests = m_dir.filePath(QStringLiteral("requests.jsonl"));
        // Without criteria in the queue, batch-export says so.
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("import"),
                          QStringLiteral("--db"), db, QStringLiteral("--input"), input }),
                 0);
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("batch-export"),
                          QStringLiteral("--db"), db, QStringLiteral("--output"), requests,
                          QStringLiteral("--model"), QStringLiteral("batch-model") }),
                 2);
        // Importing again adds nothing and keeps the criteria for the export.
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("import"),
                          QStringLiteral("--db"), db, QStringLiteral("--input"), input,
                          QStringLiteral("--criteria"), criteriaPath() }),
                 0);
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("batch-export"),
                          QStringLiteral("--db"), db, QStringLiteral("--output"), requests,
                          QStringLiteral("--model"), QStringLiteral("batch-model") }),
                 0);
        const QList<QByteArray> requestLines = lines(requests);
        QCOMPARE(requestLines.size(), 50);
        QByteArray results;
        QList<QByteArray> shuffled;
        for (int i = 0; i < requestLines.size(); ++i) {
            const QJsonObject request = QJsonDocument::fromJson(requestLines[i]).object();
            QCOMPARE(request.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
            QCOMPARE(request.value(QStringLiteral("url")).toString(),
                     QStringLiteral("/v1/chat/completions"));
            QCOMPARE(request.value(QStringLiteral("body"))
                         .toObject()
                         .value(QStringLiteral("model"))
                         .toString(),
                     QStringLiteral("batch-model"));
            const bool failed = i == 7;
            const QJsonObject body
                = QJsonDocument::fromJson(test::FakeOpenAiServer::completionBody(
                                              i * 2, QStringLiteral("batch-model"), 10))
                      .object();
            const QJsonObject result {
                { QStringLiteral("id"), QStringLiteral("batch_req_%1").arg(i) },
                { QStringLiteral("custom_id"), request.value(QStringLiteral("custom_id")) },
                { QStringLiteral("response"),
                  QJsonObject { { QStringLiteral("status_code"), failed ? 500 : 200 },
                                { QStringLiteral("body"), body } } },
                { QStringLiteral("error"), QJsonValue::Null }
            };
            shuffled << QJsonDocument(result).toJson(QJsonDocument::Compact);
        }
        std::mt19937 random(3);
        std::shuffle(shuffled.begin(), shuffled.end(), random);
        for (const QByteArray &line : shuffled)
            results += line + '\n';
        results += "not json\n";
        const QString resultsPath
            = test::writeFile(m_dir, QStringLiteral("results.jsonl"), results);
        QByteArray err;
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("batch-import"),
                          QStringLiteral("--db"), db, QStringLiteral("--input"), resultsPath },
                        nullptr, &err),
                 0);
        QVERIFY2(err.contains("49 assessed, 1 errors"), err.constData());
        QVERIFY2(err.contains(":51:"), err.constData());  // the malformed line, located
        auto store = QueueStore::open(db);
        QVERIFY(store.ok());
        PageQuery pending;
        pending.state = ItemState::Pending;
        QCOMPARE((*store)->count(pending).value(), 0);
        // Importing the same results again changes nothing.
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("batch-import"),
                          QStringLiteral("--db"), db, QStringLiteral("--input"), resultsPath },
                        nullptr, &err),
                 0);
        QVERIFY2(err.contains("0 assessed, 0 errors, 50 not pending"), err.constData());
    }

    // OpenAI's reasoning models refuse temperature 0 and log-probs: the run learns that from the
    // first request, every item is assessed (its score the integer the model wrote, and said
    // so), the next run and batch-export start from what was learned.
    void reasoningModelRun()
    {
        m_server.resetStats();
        m_server.setService(test::FakeOpenAiServer::Service::OpenAiReasoning);
        const auto restore
            = qScopeGuard([this] { m_server.setService(test::FakeOpenAiServer::Service::OpenAi); });
        constexpr int kItems = 200;
        QStringList texts;
        for (int i = 0; i < kItems; ++i)
            texts << QStringLiteral("Reasoning document %1. [[score=%2]]").arg(i).arg(i % 100);
        const QString input
            = test::writeFile(m_dir, QStringLiteral("reasoning.jsonl"), jsonl(texts));
        const QString db = m_dir.filePath(QStringLiteral("reasoning.sqlite"));
        QByteArray err;
        QCOMPARE(runCli(runArguments(input, db), nullptr, &err), 0);
        const int requests = m_server.totalRequests();
        qInfo("reasoning model: %d items needed %d requests (concurrency 8)", kItems, requests);
        QVERIFY2(requests <= kItems + 2, qPrintable(QString::number(requests)));
        QVERIFY2(err.contains("adapted to test-model (2 request(s) sent again): temperature 0 "
                              "refused")
                     && err.contains("log-probs refused: scores are the integers the model wrote"),
                 err.constData());
        {
            auto store = QueueStore::open(db);
            QVERIFY(store.ok());
            PageQuery all;
            all.limit = kItems;
            const auto items = (*store)->page(all);
            QVERIFY(items.ok());
            QCOMPARE(int(items->size()), kItems);
            for (const QueueItem &item : *items) {
                QCOMPARE(item.state, ItemState::Assessed);
                QVERIFY(!item.logprobCoverage);
                QCOMPARE(item.logprobStatus, QStringLiteral("not_allowed"));
                QCOMPARE(*item.score, double(int(item.sourceLine - 1) % 100));
            }
            const QJsonObject stored
                = QJsonDocument::fromJson(
                      (*store)
                          ->property(
                              QStringLiteral("model_profile/%1|test-model").arg(m_server.url()))
                          ->toUtf8())
                      .object();
            QCOMPARE(stored.value(QStringLiteral("temperature")), QJsonValue(false));
            QCOMPARE(stored.value(QStringLiteral("logprobs")), QJsonValue(false));
        }
        // No request of the run carried what the model refuses, after the first one learned it.
        for (qsizetype i = 2; i < m_server.received().size(); ++i) {
            const QJsonObject body = m_server.received().at(i).json;
            QVERIFY(!body.contains(QLatin1String("temperature")));
            QVERIFY(!body.contains(QLatin1String("logprobs")));
        }

        // The next run starts from the stored profile: one request per new item.
        m_server.resetStats();
        QStringList more;
        for (int i = 0; i < 10; ++i)
            more << QStringLiteral("Later reasoning document %1").arg(i);
        const QString moreInput
            = test::writeFile(m_dir, QStringLiteral("reasoning-more.jsonl"), jsonl(more));
        QCOMPARE(runCli(runArguments(moreInput, db), nullptr, &err), 0);
        QCOMPARE(m_server.totalRequests(), 10);
        QVERIFY2(err.contains("shaped by the stored profile of test-model: temperature left out"),
                 err.constData());

        // batch-export builds its bodies from the same profile (and the run's choices).
        QStringList offline;
        for (int i = 0; i < 5; ++i)
            offline << QStringLiteral("Offline reasoning document %1").arg(i);
        const QString offlineInput
            = test::writeFile(m_dir, QStringLiteral("reasoning-offline.jsonl"), jsonl(offline));
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("import"),
                          QStringLiteral("--db"), db, QStringLiteral("--input"), offlineInput }),
                 0);
        const QString requestsPath = m_dir.filePath(QStringLiteral("reasoning-requests.jsonl"));
        const QStringList exportArguments {
            QStringLiteral("review"),   QStringLiteral("batch-export"),
            QStringLiteral("--db"),     db,
            QStringLiteral("--output"), requestsPath,
            QStringLiteral("--model"),  QStringLiteral("test-model")
        };
        QCOMPARE(runCli(exportArguments, nullptr, &err), 0);
        QVERIFY2(err.contains("shaped by what test-model refused"), err.constData());
        QCOMPARE(lines(requestsPath).size(), 5);
        for (const QByteArray &line : lines(requestsPath)) {
            const QJsonObject body
                = QJsonDocument::fromJson(line).object().value(QStringLiteral("body")).toObject();
            QVERIFY2(!body.contains(QLatin1String("temperature"))
                         && !body.contains(QLatin1String("logprobs"))
                         && !body.contains(QLatin1String("top_logprobs")),
                     line.constData());
            QVERIFY(body.contains(QLatin1String("response_format")));
        }
        // Sharded (--max-requests) from the same profile; the results, which have no log-probs,
        // are recorded as the live run records them: refused by the model, not a missing answer.
        QCOMPARE(runCli(exportArguments
                            + QStringList { QStringLiteral("--max-requests"), QStringLiteral("2") },
                        nullptr, &err),
                 0);
        QVERIFY2(err.contains("5 requests in 3 file(s)"), err.constData());
        QByteArray results;
        for (int shard = 1; shard <= 3; ++shard) {
            const QString shardPath = m_dir.filePath(
                QStringLiteral("reasoning-requests-%1.jsonl").arg(shard, 3, 10, QLatin1Char('0')));
            QCOMPARE(lines(shardPath).size(), shard < 3 ? 2 : 1);
            for (const QByteArray &line : lines(shardPath)) {
                const QJsonObject request = QJsonDocument::fromJson(line).object();
                const QJsonObject body = request.value(QStringLiteral("body")).toObject();
                QVERIFY2(!body.contains(QLatin1String("temperature"))
                             && !body.contains(QLatin1String("logprobs")),
                         line.constData());
                const QJsonObject result {
                    { QStringLiteral("custom_id"), request.value(QStringLiteral("custom_id")) },
                    { QStringLiteral("response"),
                      QJsonObject {
                          { QStringLiteral("status_code"), 200 },
                          { QStringLiteral("body"),
                            QJsonDocument::fromJson(test::FakeOpenAiServer::completionBody(
                                                        30, QStringLiteral("test-model"), 10))
                                .object() } } },
                    { QStringLiteral("error"), QJsonValue::Null }
                };
                results += QJsonDocument(result).toJson(QJsonDocument::Compact) + '\n';
            }
        }
        const QString resultsPath
            = test::writeFile(m_dir, QStringLiteral("reasoning-results.jsonl"), results);
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("batch-import"),
                          QStringLiteral("--db"), db, QStringLiteral("--input"), resultsPath },
                        nullptr, &err),
                 0);
        QVERIFY2(err.contains("5 items scored without log-probs: not_allowed 5"), err.constData());
        {
            auto store = QueueStore::open(db);
            QVERIFY(store.ok());
            for (qint64 id = kItems + 11; id <= kItems + 15; ++id) {
                const QueueItem item = (*store)->item(id).value();
                QCOMPARE(item.state, ItemState::Assessed);
                QCOMPARE(item.logprobStatus, QStringLiteral("not_allowed"));
                QVERIFY2(item.logprobNote.isEmpty(), qPrintable(item.logprobNote));
            }
        }
        QCOMPARE(
            runCli(exportArguments
                   + QStringList { QStringLiteral("--temperature"), QStringLiteral("1"),
                                   QStringLiteral("--reasoning-effort"), QStringLiteral("high") }),
            0);
        for (const QByteArray &line : lines(requestsPath)) {
            const QJsonObject body
                = QJsonDocument::fromJson(line).object().value(QStringLiteral("body")).toObject();
            QCOMPARE(body.value(QLatin1String("temperature")).toDouble(), 1.0);
            QCOMPARE(body.value(QLatin1String("reasoning_effort")).toString(),
                     QStringLiteral("high"));
        }
        QCOMPARE(runCli(exportArguments
                        + QStringList { QStringLiteral("--temperature"), QStringLiteral("hot") }),
                 2);
        QCOMPARE(
            runCli(exportArguments
                   + QStringList { QStringLiteral("--reasoning-effort"), QStringLiteral("max") }),
            2);
    }

    // A temperature the user chose, refused by the model: the run pauses after the first
    // request, nothing is an error, everything stays pending, exit 3.
    void chosenTemperatureRefusedPauses()
    {
        m_server.resetStats();
        m_server.setService(test::FakeOpenAiServer::Service::OpenAiReasoning);
        const auto restore
            = qScopeGuard([this] { m_server.setService(test::FakeOpenAiServer::Service::OpenAi); });
        QStringList texts;
        for (int i = 0; i < 20; ++i)
            texts << QStringLiteral("Chosen temperature document %1").arg(i);
        const QString input = test::writeFile(m_dir, QStringLiteral("chosen.jsonl"), jsonl(texts));
        const QString db = m_dir.filePath(QStringLiteral("chosen.sqlite"));
        QByteArray err;
        QCOMPARE(runCli(runArguments(input, db)
                            << QStringLiteral("--temperature") << QStringLiteral("0.5"),
                        nullptr, &err),
                 3);
        QCOMPARE(m_server.totalRequests(), 1);
        QCOMPARE(err.count("run paused"), 1);
        QVERIFY2(err.contains("run paused (unsupported_parameter)")
                     && err.contains("does not support 0.5")
                     && err.contains("20 items stay pending"),
                 err.constData());
        auto store = QueueStore::open(db);
        QVERIFY(store.ok());
        PageQuery pending;
        pending.state = ItemState::Pending;
        QCOMPARE((*store)->count(pending).value(), 20);
        QVERIFY(!(*store)->currentRunLease().value().has_value());
        // The same queue runs once the choice is dropped.
        QCOMPARE(runCli(runArguments(input, db)), 0);
        QCOMPARE((*store)->count(pending).value(), 0);
    }

    // A failure that hits every request (no quota, a key refused, no such model) pauses the run
    // after at most --concurrency requests; the items stay pending, exit 3, said once.
    void fatalFailuresPause_data()
    {
        QTest::addColumn<QString>("marker");
        QTest::addColumn<QString>("code");
        QTest::newRow("insufficient_quota")
            << QStringLiteral("[[quota]]") << QStringLiteral("insufficient_quota");
        QTest::newRow("401") << QStringLiteral("[[status=401]]") << QStringLiteral("http_401");
        QTest::newRow("403") << QStringLiteral("[[status=403]]") << QStringLiteral("http_403");
        QTest::newRow("404 model")
            << QStringLiteral("[[status=404]]") << QStringLiteral("http_404");
    }

    void fatalFailuresPause()
    {
        QFETCH(QString, marker);
        QFETCH(QString, code);
        m_server.resetStats();
        constexpr int kConcurrency = 4;
        QStringList texts;
        for (int i = 0; i < 20; ++i)
            texts << QStringLiteral("Fatal document %1 %2").arg(i).arg(marker);
        const QString name = QStringLiteral("fatal-%1").arg(code);
        const QString input = test::writeFile(m_dir, name + QStringLiteral(".jsonl"), jsonl(texts));
        const QString db = m_dir.filePath(name + QStringLiteral(".sqlite"));
        QByteArray err;
        QCOMPARE(runCli(runArguments(input, db, kConcurrency), nullptr, &err), 3);
        QVERIFY2(m_server.totalRequests() <= kConcurrency,
                 qPrintable(QString::number(m_server.totalRequests())));
        QCOMPARE(err.count("run paused"), 1);
        QVERIFY2(err.contains(QStringLiteral("run paused (%1)").arg(code).toUtf8())
                     && err.contains("20 items stay pending"),
                 err.constData());
        auto store = QueueStore::open(db);
        QVERIFY(store.ok());
        PageQuery pending;
        pending.state = ItemState::Pending;
        QCOMPARE((*store)->count(pending).value(), 20);
        PageQuery errors;
        errors.state = ItemState::Error;
        QCOMPARE((*store)->count(errors).value(), 0);
    }

    // The quota runs out in the middle: what was answered stays, nothing becomes an error, the
    // rest (those in flight too) is pending again.
    void quotaRunningOutMidRun()
    {
        m_server.resetStats();
        m_server.setBaseLatencyMs(20);
        const auto restore = qScopeGuard([this] { m_server.setBaseLatencyMs(0); });
        QStringList texts;
        for (int i = 0; i < 40; ++i)
            texts << QStringLiteral("Midway document %1 %2")
                         .arg(i)
                         .arg(i < 15 ? QString() : QStringLiteral("[[quota]]"));
        const QString input = test::writeFile(m_dir, QStringLiteral("midway.jsonl"), jsonl(texts));
        const QString db = m_dir.filePath(QStringLiteral("midway.sqlite"));
        QByteArray err;
        QCOMPARE(runCli(runArguments(input, db, 4), nullptr, &err), 3);
        auto store = QueueStore::open(db);
        QVERIFY(store.ok());
        PageQuery state;
        state.state = ItemState::Assessed;
        const qint64 assessed = (*store)->count(state).value();
        state.state = ItemState::Pending;
        const qint64 pending = (*store)->count(state).value();
        state.state = ItemState::Error;
        QCOMPARE((*store)->count(state).value(), 0);
        QCOMPARE(assessed + pending, 40);
        QVERIFY2(assessed >= 11 && assessed <= 15, qPrintable(QString::number(assessed)));
        QVERIFY2(m_server.totalRequests() <= assessed + 4,
                 qPrintable(QString::number(m_server.totalRequests())));
        QVERIFY2(err.contains(QStringLiteral("%1 items stay pending").arg(pending).toUtf8()),
                 err.constData());
    }

    // A damaged page that counting never reads: `review status --check` runs quick_check and
    // exits 2 naming the file and SQLite's complaint.
    void statusFindsDamage()
    {
        const QString intact = m_dir.filePath(QStringLiteral("intact.sqlite"));
        QVERIFY(makeQueue(m_dir, intact, 2000));
        QVERIFY(!QFileInfo::exists(intact + QStringLiteral("-wal")));
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("status"),
                          QStringLiteral("--db"), intact }),
                 0);
        const QString damaged = m_dir.filePath(QStringLiteral("damaged.sqlite"));
        QVERIFY(QFile::copy(intact, damaged));
        // A leaf page of the items table, from SQLite's own page map (dbstat).
        qint64 page = 0, pageSize = 0;
        {
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("pages"));
            db.setDatabaseName(damaged);
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("PRAGMA page_size")) && query.next());
            pageSize = query.value(0).toLongLong();
            QVERIFY(query.exec(QStringLiteral("SELECT pageno FROM dbstat WHERE name = 'items' AND "
                                              "pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET "
                                              "20"))
                    && query.next());
            page = query.value(0).toLongLong();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("pages"));
        QVERIFY(page > 1 && pageSize > 0);
        {
            QFile file(damaged);
            QVERIFY(file.open(QIODevice::ReadWrite));
            QVERIFY(file.seek((page - 1) * pageSize));
            QCOMPARE(file.write(QByteArray(int(pageSize), '\xA5')), pageSize);
        }
        // (Counting from indexes alone would not notice; `--check` reads every page first.)
        QByteArray out, err;
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("status"),
                          QStringLiteral("--db"), damaged, QStringLiteral("--check") },
                        &out, &err),
                 2);
        QVERIFY2(err.startsWith(damaged.toUtf8() + ": the review queue is damaged"),
                 err.constData());
        QVERIFY2(err.toLower().contains(QByteArray("page ") + QByteArray::number(page)),
                 err.constData());
        QCOMPARE(err.count('\n'), 1);  // one line
        QVERIFY(out.isEmpty());
    }

    // Counts that disagree with the items (a tally changed behind the store's back): the
    // default `review status` compares them with the indexes and exits 2 saying which.
    void statusFindsWrongCounts()
    {
        const QString db = m_dir.filePath(QStringLiteral("miscounted.sqlite"));
        QVERIFY(makeQueue(m_dir, db, 300));
        QByteArray out, err;
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("status"),
                          QStringLiteral("--db"), db },
                        &out, &err),
                 0);
        QVERIFY2(err.isEmpty(), err.constData());
        {
            QSqlDatabase raw
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tally"));
            raw.setDatabaseName(db);
            QVERIFY(raw.open());
            QSqlQuery query(raw);
            QVERIFY(query.exec(QStringLiteral(
                "UPDATE item_tallies SET items = items + 1 WHERE name = 'pending'")));
            QCOMPARE(query.numRowsAffected(), 1);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("tally"));
        out.clear();
        err.clear();
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("status"),
                          QStringLiteral("--db"), db },
                        &out, &err),
                 2);
        QVERIFY2(err.contains("counts disagree with its items (pending: 300 counted, 301 kept)"),
                 err.constData());
        QVERIFY(out.isEmpty());
    }

    // A write failing at open because the process may not grow files (RLIMIT_FSIZE, with
    // SIGXFSZ ignored, so write() answers EFBIG as on a full disk): said so, exit 1.
    void fileSizeLimitAtOpenSaysSo()
    {
        const QString db = m_dir.filePath(QStringLiteral("limited.sqlite"));
        QVERIFY(makeQueue(m_dir, db, 50));
        QProcess process;
        process.setChildProcessModifier([] {
            std::signal(SIGXFSZ, SIG_IGN);
            const rlimit limit { 4096, 4096 };
            setrlimit(RLIMIT_FSIZE, &limit);
        });
        process.start(test::cliPath(),
                      { QStringLiteral("review"), QStringLiteral("run"), QStringLiteral("--db"), db,
                        QStringLiteral("--criteria"), criteriaPath(), QStringLiteral("--endpoint"),
                        m_server.url(), QStringLiteral("--model"), QStringLiteral("m") });
        QVERIFY(process.waitForFinished(60000));
        const QByteArray err = process.readAllStandardError();
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(process.exitCode() == 1, err.constData());
        QVERIFY2(err.startsWith(db.toUtf8()
                                + ": cannot write the queue: the file size limit is reached"),
                 err.constData());
    }

    // A really full disk and a read-only file system (a small tmpfs in a private mount
    // namespace; skipped where user namespaces are not allowed): said so, exit 1.
    void fullOrReadOnlyDiskSaysSo_data()
    {
        QTest::addColumn<QString>("setup");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("full") << QStringLiteral("dd if=/dev/zero of=\"$1/filler\" bs=4k "
                                                "2>/dev/null; true")
                              << QByteArray("cannot write the queue: the disk is full");
        QTest::newRow("read-only") << QStringLiteral("mount -o remount,ro \"$1\"")
                                   << QByteArray("cannot write the queue: read-only");
    }

    void fullOrReadOnlyDiskSaysSo()
    {
        QFETCH(QString, setup);
        QFETCH(QByteArray, expected);
        const QString unshare = QStandardPaths::findExecutable(QStringLiteral("unshare"));
        if (unshare.isEmpty())
            QSKIP("no unshare(1)");
        const QString mountPoint = m_dir.filePath(QStringLiteral("small-disk"));
        QVERIFY(QDir().mkpath(mountPoint));
        const QString source = m_dir.filePath(QStringLiteral("small.sqlite"));
        if (!QFileInfo::exists(source))
            QVERIFY(makeQueue(m_dir, source, 50));
        // $1 the mount point, $2 the queue to copy in; then the CLI's arguments.
        const QString script
            = QStringLiteral("mount -t tmpfs -o size=512k tmpfs \"$1\" || exit 99; "
                             "cp \"$2\" \"$1/q.sqlite\" || exit 98; %1 || exit 97; "
                             "shift 2; exec \"$@\"")
                  .arg(setup);
        QProcess process;
        process.start(unshare,
                      { QStringLiteral("-rm"), QStringLiteral("sh"), QStringLiteral("-c"), script,
                        QStringLiteral("sh"), mountPoint, source, test::cliPath(),
                        QStringLiteral("review"), QStringLiteral("run"), QStringLiteral("--db"),
                        mountPoint + QStringLiteral("/q.sqlite"), QStringLiteral("--criteria"),
                        criteriaPath(), QStringLiteral("--endpoint"), m_server.url(),
                        QStringLiteral("--model"), QStringLiteral("m") });
        QVERIFY(process.waitForFinished(60000));
        const QByteArray err = process.readAllStandardError();
        if (process.exitCode() == 99 || err.startsWith("unshare:"))
            QSKIP(qPrintable(QStringLiteral("cannot mount a tmpfs in a user namespace here: ")
                             + QString::fromLocal8Bit(err)));
        QVERIFY2(process.exitCode() == 1,
                 qPrintable(QString::number(process.exitCode()) + QLatin1Char(' ') + err));
        QVERIFY2(err.startsWith((mountPoint + QStringLiteral("/q.sqlite: ")).toUtf8() + expected),
                 err.constData());
    }

    // Records as users have them: a second "text" and a number beyond a double are refused at
    // import (located); the rest is run and exported byte for byte, big integers, escapes and
    // key order included.
    void oddRecordsThroughImportRunAndExport()
    {
        const QList<QByteArray> records = oddRecords();
        const QString input
            = test::writeFile(m_dir, QStringLiteral("odd.jsonl"), records.join('\n') + '\n');
        const QString db = m_dir.filePath(QStringLiteral("odd.sqlite"));
        QByteArray err;
        QCOMPARE(runCli(runArguments(input, db), nullptr, &err), 0);
        QVERIFY2(err.contains((input
                               + QStringLiteral(":2:41: duplicate key \"text\" (also at "
                                                "column 9)"))
                                  .toUtf8()),
                 err.constData());
        QVERIFY2(err.contains((input + QStringLiteral(":4:50: the number 1e999")).toUtf8()),
                 err.constData());
        QVERIFY2(err.contains("3 new, 0 already in the queue, 2 malformed"), err.constData());
        const QString curated = m_dir.filePath(QStringLiteral("odd-curated.jsonl"));
        const QString dropped = m_dir.filePath(QStringLiteral("odd-dropped.jsonl"));
        QCOMPARE(
            runCli({ QStringLiteral("review"), QStringLiteral("export"), QStringLiteral("--db"), db,
                     QStringLiteral("--output"), curated, QStringLiteral("--dropped"), dropped }),
            0);
        QCOMPARE(lines(curated), (QList<QByteArray> { records[0], records[2] }));
        QCOMPARE(lines(dropped), QList<QByteArray> { records[4] });
    }

    // A results file with bad lines in the middle: a result whose log-probs overflow (NaN
    // expectation), a truncated line, a number Qt cannot hold, a duplicate "response". Each
    // becomes its item's error with its code; every other line is imported; an unknown id and
    // lines that name no item are counted and located. A rerun finds nothing pending.
    void batchImportGoesOnPastBadLines()
    {
        QStringList texts;
        for (int i = 0; i < 12; ++i)
            texts << QStringLiteral("Batch-bad document %1").arg(i);
        const QString input
            = test::writeFile(m_dir, QStringLiteral("batch-bad.jsonl"), jsonl(texts));
        const QString db = m_dir.filePath(QStringLiteral("batch-bad.sqlite"));
        const QString requests = m_dir.filePath(QStringLiteral("batch-bad-requests.jsonl"));
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("import"),
                          QStringLiteral("--db"), db, QStringLiteral("--input"), input,
                          QStringLiteral("--criteria"), criteriaPath() }),
                 0);
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("batch-export"),
                          QStringLiteral("--db"), db, QStringLiteral("--output"), requests,
                          QStringLiteral("--model"), QStringLiteral("batch-model") }),
                 0);
        const QList<QByteArray> requestLines = lines(requests);
        QCOMPARE(requestLines.size(), 12);
        QList<QString> customIds;
        QByteArray results;
        for (int i = 0; i < requestLines.size(); ++i) {
            customIds << QJsonDocument::fromJson(requestLines[i])
                             .object()
                             .value(QStringLiteral("custom_id"))
                             .toString();
            QJsonObject body
                = QJsonDocument::fromJson(test::FakeOpenAiServer::completionBody(
                                              10 + i, QStringLiteral("batch-model"), 10,
                                              test::FakeOpenAiServer::AnswerShape::WithLogprobs))
                      .object();
            if (i == 3) {
                // Every alternative at the score's token with logprob 800: exp() overflows.
                QJsonArray choices = body.value(QStringLiteral("choices")).toArray();
                QJsonObject choice = choices[0].toObject();
                QJsonObject logprobs = choice.value(QStringLiteral("logprobs")).toObject();
                QJsonArray content = logprobs.value(QStringLiteral("content")).toArray();
                for (qsizetype t = 0; t < content.size(); ++t) {
                    QJsonObject token = content[t].toObject();
                    if (token.value(QStringLiteral("token")).toString() != QLatin1String("13"))
                        continue;
                    QJsonArray alternatives = token.value(QStringLiteral("top_logprobs")).toArray();
                    for (qsizetype a = 0; a < alternatives.size(); ++a) {
                        QJsonObject alternative = alternatives[a].toObject();
                        alternative.insert(QStringLiteral("logprob"), 800.0);
                        alternatives[a] = alternative;
                    }
                    token.insert(QStringLiteral("top_logprobs"), alternatives);
                    content[t] = token;
                }
                logprobs.insert(QStringLiteral("content"), content);
                choice.insert(QStringLiteral("logprobs"), logprobs);
                choices[0] = choice;
                body.insert(QStringLiteral("choices"), choices);
            }
            QByteArray line
                = QJsonDocument(
                      QJsonObject { { QStringLiteral("custom_id"), customIds.last() },
                                    { QStringLiteral("response"),
                                      QJsonObject { { QStringLiteral("status_code"), 200 },
                                                    { QStringLiteral("body"), body } } },
                                    { QStringLiteral("error"), QJsonValue::Null } })
                      .toJson(QJsonDocument::Compact);
            if (i == 5)
                line = line.left(line.indexOf("\"response\"") + 40);  // truncated
            if (i == 7)
                line = line.chopped(1) + ",\"extra\":1e999}";
            if (i == 9)
                line = line.chopped(1) + ",\"response\":{\"status_code\":200,\"body\":{}}}";
            results += line + '\n';
            if (i == 6) {
                results += "not json\n";
                results += "{\"custom_id\":\"item-999999\",\"response\":{}}\n";
                results += "{\"custom_id\":\"" + customIds[0].toUtf8() + "\",\"custom_id\":\""
                    + customIds[1].toUtf8() + "\"}\n";
            }
        }
        const QString resultsPath
            = test::writeFile(m_dir, QStringLiteral("batch-bad-results.jsonl"), results);
        QByteArray err;
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("batch-import"),
                          QStringLiteral("--db"), db, QStringLiteral("--input"), resultsPath },
                        nullptr, &err),
                 0);
        QVERIFY2(err.contains("8 assessed, 4 errors, 0 not pending, 1 unknown ids, 2 malformed "
                              "lines"),
                 err.constData());
        // Located: the lines that name no item, the unknown id, the items' bad lines.
        for (const QByteArray &where :
             { QByteArray(":8:1: "), QByteArray(":9:14: "), QByteArray(":10:"), QByteArray(":6:"),
               QByteArray(":11:"), QByteArray(":13:") })
            QVERIFY2(err.contains(resultsPath.toUtf8() + where), (where + err).constData());
        QVERIFY2(err.contains("duplicate key \"custom_id\""), err.constData());
        QVERIFY2(err.contains("duplicate key \"response\""), err.constData());

        auto store = QueueStore::open(db);
        QVERIFY(store.ok());
        for (int i = 0; i < customIds.size(); ++i) {
            auto item = (*store)->item(customIds[i].mid(5).toLongLong());
            QVERIFY(item.ok());
            const QString expectedCode = i == 3 ? QStringLiteral("invalid_logprobs")
                : i == 5 || i == 7 || i == 9    ? QStringLiteral("malformed_result")
                                                : QString();
            if (expectedCode.isEmpty()) {
                QCOMPARE(item->state, ItemState::Assessed);
                QVERIFY(item->score && std::isfinite(*item->score));
                continue;
            }
            QCOMPARE(item->state, ItemState::Error);
            QCOMPARE(item->errorCode, expectedCode);
            QVERIFY(!item->score.has_value());
            QVERIFY(!item->error.isEmpty());
        }
        // A rerun: every item is recorded, the same lines are counted again.
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("batch-import"),
                          QStringLiteral("--db"), db, QStringLiteral("--input"), resultsPath },
                        nullptr, &err),
                 0);
        QVERIFY2(err.contains("0 assessed, 0 errors, 12 not pending, 1 unknown ids, 2 malformed "
                              "lines"),
                 err.constData());
    }

    // A 60,000-item queue: within OpenAI's 50,000 requests per file by default, within a small
    // --max-bytes too; every pending item exactly once across the files, in id order; a request
    // larger than --max-bytes alone is refused naming the item; files of an earlier export that
    // this one did not write are named.
    void batchExportWithinLimits()
    {
        const QString db = m_dir.filePath(QStringLiteral("limits.sqlite"));
        const QString criteria
            = test::writeFile(m_dir, QStringLiteral("tiny-criteria.json"),
                              QByteArray("{\"name\": \"Tiny\", \"principles\": \"Be honest.\"}"));
        QVERIFY(makeQueue(m_dir, db, 60000));
        const QStringList pending = pendingCustomIds(db);
        QCOMPARE(pending.size(), 60000);
        const auto exportTo = [&](const QString &name, const QStringList &limits, QByteArray *err) {
            return runCli(QStringList { QStringLiteral("review"), QStringLiteral("batch-export"),
                                        QStringLiteral("--db"), db, QStringLiteral("--criteria"),
                                        criteria, QStringLiteral("--model"),
                                        QStringLiteral("batch-model"), QStringLiteral("--output"),
                                        m_dir.filePath(name) }
                              + limits,
                          nullptr, err);
        };
        // The files of one export: each within the limits, all together every item once.
        const auto checkShards = [&](const QString &stem, int count, qint64 maxRequests,
                                     qint64 maxBytes, const QByteArray &err, bool last = true) {
            QStringList all;
            for (int k = 1; k <= count; ++k) {
                const QString path = m_dir.filePath(
                    QStringLiteral("%1-%2.jsonl").arg(stem).arg(k, 3, 10, QLatin1Char('0')));
                QVERIFY2(err.contains(path.toUtf8()), err.constData());
                const QStringList ids = customIds(path);
                QVERIFY(!ids.isEmpty());
                QVERIFY(ids.size() <= maxRequests);
                QVERIFY(QFileInfo(path).size() <= maxBytes);
                all += ids;
                if (k == 1) {
                    const QJsonObject first = QJsonDocument::fromJson(lines(path).first()).object();
                    QCOMPARE(first.value(QStringLiteral("url")).toString(),
                             QStringLiteral("/v1/chat/completions"));
                    QCOMPARE(first.value(QStringLiteral("body"))
                                 .toObject()
                                 .value(QStringLiteral("model"))
                                 .toString(),
                             QStringLiteral("batch-model"));
                }
            }
            if (last)
                QVERIFY(
                    !QFile::exists(m_dir.filePath(QStringLiteral("%1-%2.jsonl")
                                                      .arg(stem)
                                                      .arg(count + 1, 3, 10, QLatin1Char('0')))));
            QCOMPARE(all, pending);  // every item once, in id order
        };

        QByteArray err;
        QCOMPARE(exportTo(QStringLiteral("big.jsonl"), {}, &err), 0);
        QVERIFY2(err.contains("60000 requests in 2 file(s)"), err.constData());
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("big.jsonl"))));
        checkShards(QStringLiteral("big"), 2, 50000, 190000000, err);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(customIds(m_dir.filePath(QStringLiteral("big-001.jsonl"))).size(), 50000);
        const qint64 total = QFileInfo(m_dir.filePath(QStringLiteral("big-001.jsonl"))).size()
            + QFileInfo(m_dir.filePath(QStringLiteral("big-002.jsonl"))).size();

        // Bytes decide when they are the tighter limit.
        const qint64 maxBytes = total / 5 - 10000;
        QCOMPARE(exportTo(QStringLiteral("small.jsonl"),
                          { QStringLiteral("--max-bytes"), QString::number(maxBytes) }, &err),
                 0);
        QVERIFY2(err.contains("60000 requests in 6 file(s)"), err.constData());
        checkShards(QStringLiteral("small"), 6, 50000, maxBytes, err);
        if (QTest::currentTestFailed())
            return;

        // Again with the default limits: two files, and four old shards named as stale.
        QCOMPARE(exportTo(QStringLiteral("small.jsonl"), {}, &err), 0);
        checkShards(QStringLiteral("small"), 2, 50000, 190000000, err, false);
        if (QTest::currentTestFailed())
            return;
        for (int k = 3; k <= 6; ++k)
            QVERIFY2(
                err.contains(QStringLiteral("warning: %1 is not part of this export")
                                 .arg(m_dir.filePath(QStringLiteral("small-00%1.jsonl").arg(k)))
                                 .toUtf8()),
                err.constData());

        // One request larger than the limit alone: refused, naming the item; nothing written.
        QCOMPARE(exportTo(QStringLiteral("tiny.jsonl"),
                          { QStringLiteral("--max-bytes"), QStringLiteral("500") }, &err),
                 2);
        QVERIFY2(err.contains("item 1 (line 1 of ") && err.contains("--max-bytes"),
                 err.constData());
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("tiny.jsonl"))));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("tiny-001.jsonl"))));
        QCOMPARE(exportTo(QStringLiteral("tiny.jsonl"),
                          { QStringLiteral("--max-requests"), QStringLiteral("-1") }, &err),
                 2);

        for (const QString &name :
             QDir(m_dir.path())
                 .entryList({ QStringLiteral("big*.jsonl"), QStringLiteral("small*.jsonl") }))
            QFile::remove(m_dir.filePath(name));  // some 500 MB
    }

    // Results of a sharded export come back in several files, shuffled across them and given in
    // any order; every failed line keeps the server's message and code, in each shape OpenAI
    // and vLLM's run-batch write; a rerun records nothing twice.
    void batchImportShuffledShards()
    {
        QStringList texts;
        for (int i = 0; i < 1200; ++i)
            texts << QStringLiteral("Shard document %1").arg(i);
        const QString input = test::writeFile(m_dir, QStringLiteral("shards.jsonl"), jsonl(texts));
        const QString db = m_dir.filePath(QStringLiteral("shards.sqlite"));
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("import"),
                          QStringLiteral("--db"), db, QStringLiteral("--input"), input,
                          QStringLiteral("--criteria"), criteriaPath() }),
                 0);
        QByteArray err;
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("batch-export"),
                          QStringLiteral("--db"), db, QStringLiteral("--output"),
                          m_dir.filePath(QStringLiteral("requests.jsonl")),
                          QStringLiteral("--model"), QStringLiteral("batch-model"),
                          QStringLiteral("--max-requests"), QStringLiteral("500") },
                        nullptr, &err),
                 0);
        QVERIFY2(err.contains("1200 requests in 3 file(s)"), err.constData());
        QStringList ids;
        for (int k = 1; k <= 3; ++k)
            ids += customIds(m_dir.filePath(QStringLiteral("requests-00%1.jsonl").arg(k)));
        QCOMPARE(ids, pendingCustomIds(db));

        // Failed lines, as written by vLLM's run-batch and by OpenAI (ids[0..6]).
        const QList<QByteArray> failures {
            // vLLM: a request it could not run (error a string, body null).
            "\"response\":{\"status_code\":400,\"request_id\":\"vllm-batch-1\",\"body\":null},"
            "\"error\":\"The model does not support Chat Completions API\"",
            // vLLM, older ErrorResponse.
            "\"response\":{\"status_code\":400,\"request_id\":\"vllm-batch-2\",\"body\":null},"
            "\"error\":{\"object\":\"error\",\"message\":\"This model's maximum context length is "
            "4096 tokens.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}",
            // vLLM, newer ErrorResponse.
            "\"response\":{\"status_code\":400,\"request_id\":\"vllm-batch-3\",\"body\":null},"
            "\"error\":{\"error\":{\"message\":\"max_tokens must be at least 1, got 0.\","
            "\"type\":\"BadRequestError\",\"param\":\"max_tokens\",\"code\":400}}",
            // OpenAI: an HTTP error with its body.
            "\"response\":{\"status_code\":429,\"request_id\":\"req_4\",\"body\":{\"error\":{"
            "\"message\":\"Rate limit reached for requests\",\"type\":\"requests\",\"param\":null,"
            "\"code\":\"rate_limit_exceeded\"}}},\"error\":null",
            // OpenAI: a failure without an HTTP response.
            "\"response\":null,\"error\":{\"code\":\"batch_expired\",\"message\":\"This request "
            "could not be executed before the completion window expired.\"}",
            // An ErrorResponse in the body.
            "\"response\":{\"status_code\":400,\"body\":{\"object\":\"error\",\"message\":"
            "\"Invalid JSON schema\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}},"
            "\"error\":null",
            // No reason anywhere.
            "\"response\":{\"status_code\":500,\"body\":null},\"error\":null",
        };
        const QList<std::pair<QString, QString>> expected {
            { QStringLiteral("http_400"),
              QStringLiteral("The model does not support Chat Completions API (HTTP 400)") },
            { QStringLiteral("http_400"),
              QStringLiteral("This model's maximum context length is 4096 tokens. (HTTP 400, "
                             "type BadRequestError)") },
            { QStringLiteral("http_400"),
              QStringLiteral("max_tokens must be at least 1, got 0. (HTTP 400, type "
                             "BadRequestError)") },
            { QStringLiteral("http_429"),
              QStringLiteral("Rate limit reached for requests (HTTP 429, type requests, code "
                             "rate_limit_exceeded)") },
            { QStringLiteral("batch_expired"),
              QStringLiteral("This request could not be executed before the completion window "
                             "expired.") },
            { QStringLiteral("http_400"),
              QStringLiteral("Invalid JSON schema (HTTP 400, type BadRequestError)") },
            { QStringLiteral("http_500"), QStringLiteral("the result gives no reason: ") },
        };
        QList<QByteArray> results;
        for (qsizetype i = 0; i < ids.size(); ++i) {
            if (i < failures.size()) {
                results << "{\"id\":\"batch_req_" + QByteArray::number(i) + "\",\"custom_id\":\""
                        + ids[i].toUtf8() + "\"," + failures[i] + "}";
                continue;
            }
            // Log-probs: with whole tokens, with byte pieces (used), none (not_returned), pieces
            // that cannot be placed (unaligned).
            const QByteArray body = i % 4 == 0 ? test::FakeOpenAiServer::completionBody(
                                        20, QStringLiteral("batch-model"), 10,
                                        test::FakeOpenAiServer::AnswerShape::WithLogprobs)
                : i % 4 == 1 ? test::FakeOpenAiServer::piecedCompletionBody(
                      20, QStringLiteral("batch-model"), 10, QStringLiteral("fffd"))
                : i % 4 == 2
                ? test::FakeOpenAiServer::completionBody(20, QStringLiteral("batch-model"), 10)
                : i == 11
                ? test::FakeOpenAiServer::piecedCompletionBody(20, QStringLiteral("batch-model"),
                                                               10, QStringLiteral("garbled"))
                : test::FakeOpenAiServer::piecedCompletionBody(20, QStringLiteral("batch-model"),
                                                               10, QStringLiteral("escaped"));
            results << resultLine(ids[i], body);
        }
        // One result twice, in another file: the second one finds the item recorded.
        results << resultLine(ids[100],
                              test::FakeOpenAiServer::completionBody(
                                  20, QStringLiteral("batch-model"), 10,
                                  test::FakeOpenAiServer::AnswerShape::WithLogprobs));
        std::mt19937 random(12);
        std::shuffle(results.begin(), results.end(), random);
        QList<QByteArray> files(3);
        for (qsizetype i = 0; i < results.size(); ++i)
            files[i % 3] += results[i] + '\n';
        QStringList paths;
        for (int k = 0; k < 3; ++k)
            paths << test::writeFile(m_dir, QStringLiteral("results-%1.jsonl").arg(k), files[k]);

        const QStringList importArguments { QStringLiteral("review"),
                                            QStringLiteral("batch-import"),
                                            QStringLiteral("--db"),
                                            db,
                                            QStringLiteral("--input"),
                                            paths[2],
                                            paths[0],
                                            QStringLiteral("--input"),
                                            paths[1] };
        QCOMPARE(runCli(importArguments, nullptr, &err), 0);
        QVERIFY2(err.contains("1193 assessed, 7 errors, 1 not pending, 0 unknown ids, 0 malformed"),
                 err.constData());
        // ids[7..]: i % 4 == 2 gives no log-probs, i == 11 cannot be placed.
        qint64 notReturned = 0;
        for (qsizetype i = failures.size(); i < ids.size(); ++i)
            notReturned += i % 4 == 2 ? 1 : 0;
        QVERIFY2(err.contains(QStringLiteral("%1 items scored without log-probs: not_returned %2, "
                                             "unaligned 1")
                                  .arg(notReturned + 1)
                                  .arg(notReturned)
                                  .toUtf8()),
                 err.constData());

        auto store = QueueStore::open(db);
        QVERIFY(store.ok());
        for (qsizetype i = 0; i < failures.size(); ++i) {
            auto item = (*store)->item(ids[i].mid(5).toLongLong());
            QVERIFY(item.ok());
            QCOMPARE(item->state, ItemState::Error);
            QCOMPARE(item->errorCode, expected[i].first);
            QVERIFY2(item->error.startsWith(expected[i].second), qPrintable(item->error));
        }
        QVERIFY((*store)->item(ids.back().mid(5).toLongLong())->error.isEmpty());
        // Byte pieces: the expectation (20.5); whole tokens too; none: the integer, noted.
        for (const auto &[index, score, note] :
             { std::tuple { 8, 20.5, QString() }, std::tuple { 9, 20.5, QString() },
               std::tuple { 10, 20.0, QStringLiteral("not_returned") },
               std::tuple { 11, 20.0, QStringLiteral("unaligned") },
               std::tuple { 15, 20.5, QString() } }) {
            auto item = (*store)->item(ids[index].mid(5).toLongLong());
            QVERIFY(item.ok());
            QCOMPARE(*item->llmScore, score);
            QCOMPARE(LogprobNote::codeOf(item->logprobNote), note);
        }
        const QJsonObject queue = status(db);
        const QJsonObject without
            = queue.value(QStringLiteral("scored_without_logprobs")).toObject();
        QCOMPARE(without.value(QStringLiteral("items")).toInteger(), notReturned + 1);
        QCOMPARE(without.value(QStringLiteral("reasons")).toObject(),
                 (QJsonObject { { QStringLiteral("not_returned"), notReturned },
                                { QStringLiteral("unaligned"), 1 } }));

        // A rerun records nothing twice; an unreadable file stops it before anything.
        QCOMPARE(runCli(importArguments, nullptr, &err), 0);
        QVERIFY2(err.contains("0 assessed, 0 errors, 1201 not pending"), err.constData());
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("batch-import"),
                          QStringLiteral("--db"), db, QStringLiteral("--input"), paths[0],
                          m_dir.filePath(QStringLiteral("missing.jsonl")) },
                        nullptr, &err),
                 2);
        QVERIFY2(err.contains("missing.jsonl"), err.constData());
    }

    // A live run: byte pieces of every server style give the expected score; answers without
    // log-probs or with pieces that cannot be placed keep the integer, noted, and are counted by
    // the run and by `review status`. Without log-probs asked for, nothing is noted.
    // A queue run by the CLI opens in the app's session with its endpoint, model, criteria and
    // assessors; a queue set up in the app runs from the CLI with no more than --db.
    void cliAndAppShareTheProject()
    {
        const QString rules
            = test::writeFile(m_dir, QStringLiteral("shared-rules.json"),
                              "{\"rules\": [{\"pattern\": \"phishing\", \"weight\": 90}]}");
        const QString input
            = test::writeFile(m_dir, QStringLiteral("shared.jsonl"),
                              jsonl({ QStringLiteral("A phishing text [[score=10]]"),
                                      QStringLiteral("A calm text [[score=20]]") }));
        const QString db = m_dir.filePath(QStringLiteral("shared-cli.sqlite"));
        QByteArray err;
        QCOMPARE(runCli(runArguments(input, db, 3)
                            << QStringLiteral("--rules") << rules << QStringLiteral("--combine")
                            << QStringLiteral("max"),
                        nullptr, &err),
                 0);
        {
            ReviewSession session;
            QVERIFY(session.open(db).ok());
            const ReviewProjectSettings settings = session.settings();
            QCOMPARE(settings.endpoint, m_server.url());
            QCOMPARE(settings.model, QStringLiteral("test-model"));
            QCOMPARE(settings.concurrency, 3);
            QCOMPARE(settings.deadlineSeconds, 3);
            QCOMPARE(settings.assessors.rulesPath, QFileInfo(rules).absoluteFilePath());
            QCOMPARE(settings.assessors.combination.mode, ScoreCombination::Mode::Max);
            QVERIFY(session.criteria().ok());
            QCOMPARE(*session.store()->item(1)->score, 90.0);
            QCOMPARE(*session.store()->item(1)->ruleScore, 90.0);
        }

        // Set up in the app: criteria, endpoint, model; `review run --db` needs nothing else.
        const QString appDb = m_dir.filePath(QStringLiteral("shared-app.sqlite"));
        {
            ReviewSession session;
            QVERIFY(session.open(appDb).ok());
            auto criteria = Criteria::load(criteriaPath());
            QVERIFY(criteria.ok());
            QVERIFY(session.setCriteria(*criteria).ok());
            ReviewProjectSettings settings;
            settings.endpoint = m_server.url();
            settings.model = QStringLiteral("app-model");
            settings.concurrency = 2;
            QVERIFY(session.setSettings(settings).ok());
            QVERIFY(session.store()->importJsonl(input, QStringLiteral("text")).ok());
        }
        m_server.resetStats();
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("run"), QStringLiteral("--db"),
                          appDb },
                        nullptr, &err),
                 0);
        QCOMPARE(m_server.totalRequests(), 2);
        QCOMPARE(m_server.received().last().json.value(QLatin1String("model")).toString(),
                 QStringLiteral("app-model"));
        QCOMPARE(status(appDb)
                     .value(QLatin1String("states"))
                     .toObject()
                     .value(QLatin1String("assessed"))
                     .toInt(),
                 2);

        // A new queue without criteria: said before the queue file is made.
        const QString none = m_dir.filePath(QStringLiteral("shared-none.sqlite"));
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("run"), QStringLiteral("--db"),
                          none, QStringLiteral("--endpoint"), m_server.url(),
                          QStringLiteral("--model"), QStringLiteral("m") },
                        nullptr, &err),
                 2);
        QVERIFY2(err.contains("--criteria is required"), err.constData());
        QVERIFY(!QFileInfo::exists(none));
    }

    void runCountsScoresWithoutLogprobs()
    {
        const QStringList markers { QStringLiteral("[[logprobs]]"),
                                    QStringLiteral("[[pieces=fffd]]"),
                                    QStringLiteral("[[pieces=perbyte]]"),
                                    QStringLiteral("[[pieces=empty]]"),
                                    QStringLiteral("[[pieces=escaped]]"),
                                    QStringLiteral("[[pieces=garbled]]"),
                                    QString() };
        QStringList texts;
        for (const QString &marker : markers)
            texts << QStringLiteral("Pieces document %1 [[score=40]]").arg(marker);
        const QString input = test::writeFile(m_dir, QStringLiteral("pieces.jsonl"), jsonl(texts));
        const QString db = m_dir.filePath(QStringLiteral("pieces.sqlite"));
        QByteArray err;
        QCOMPARE(runCli(runArguments(input, db), nullptr, &err), 0);
        QVERIFY2(err.contains("run: 2 items scored without log-probs: not_returned 1, "
                              "unaligned 1"),
                 err.constData());
        auto store = QueueStore::open(db);
        QVERIFY(store.ok());
        for (qsizetype i = 0; i < markers.size(); ++i) {
            auto item = (*store)->item(i + 1);
            QVERIFY(item.ok());
            QCOMPARE(item->state, ItemState::Assessed);
            const QString note = i == 5 ? QStringLiteral("unaligned")
                : i == 6                ? QStringLiteral("not_returned")
                                        : QString();
            QCOMPARE(LogprobNote::codeOf(item->logprobNote), note);
            QCOMPARE(*item->llmScore, note.isEmpty() ? 40.5 : 40.0);
        }
        const QJsonObject without
            = status(db).value(QStringLiteral("scored_without_logprobs")).toObject();
        QCOMPARE(without.value(QStringLiteral("items")).toInteger(), 2);
        QCOMPARE(without.value(QStringLiteral("reasons")).toObject(),
                 (QJsonObject { { QStringLiteral("not_returned"), 1 },
                                { QStringLiteral("unaligned"), 1 } }));

        const QString plainDb = m_dir.filePath(QStringLiteral("pieces-plain.sqlite"));
        QCOMPARE(
            runCli(runArguments(input, plainDb) << QStringLiteral("--no-logprobs"), nullptr, &err),
            0);
        QVERIFY2(!err.contains("without log-probs"), err.constData());
        {
            // What the run chose: said on the request side, nothing noted on the answer side.
            auto plain = QueueStore::open(plainDb);
            QVERIFY(plain.ok());
            const QueueItem item = (*plain)->item(1).value();
            QCOMPARE(item.logprobStatus, QStringLiteral("not_requested"));
            QVERIFY(item.logprobNote.isEmpty());
        }
        QCOMPARE(status(plainDb)
                     .value(QStringLiteral("scored_without_logprobs"))
                     .toObject()
                     .value(QStringLiteral("items"))
                     .toInteger(),
                 0);
    }

    // The figure for the note: 200 ms per request, concurrency 16 → ideal 80 requests/s.
    void throughput()
    {
        m_server.resetStats();
        m_server.setBaseLatencyMs(200);
        QStringList texts;
        for (int i = 0; i < 480; ++i)
            texts << QStringLiteral("Throughput document %1").arg(i);
        const QString input = test::writeFile(m_dir, QStringLiteral("speed.jsonl"), jsonl(texts));
        const QString db = m_dir.filePath(QStringLiteral("speed.sqlite"));
        {
            auto store = QueueStore::open(db);
            QVERIFY(store.ok() && (*store)->importJsonl(input, QStringLiteral("text")).ok());
        }
        QElapsedTimer timer;
        timer.start();
        QStringList arguments = runArguments(input, db, 16);
        QCOMPARE(runCli(arguments), 0);
        const double seconds = double(timer.nsecsElapsed()) * 1e-9;
        m_server.setBaseLatencyMs(0);
        QCOMPARE(m_server.totalRequests(), 480);
        const double rate = 480.0 / seconds;
        qInfo("review run: 480 requests at 200 ms latency, concurrency 16: %.1f requests/s (ideal "
              "80; %.0f%%), %.2f s including start-up",
              rate, rate / 0.8, seconds);
        QVERIFY2(rate > 50.0, qPrintable(QString::number(rate)));
    }

    // review thresholds: sets them (or only counts with --dry-run) and prints the counts and the
    // time taken; bad values, a wrong order and a missing queue are refused with exit 2.
    void thresholdsCommand()
    {
        const QString db = m_dir.filePath(QStringLiteral("thresholds.sqlite"));
        QVERIFY(makeQueue(m_dir, db, 12));
        {
            auto store = QueueStore::open(db);
            QVERIFY(store.ok());
            for (int id = 1; id <= 10; ++id) {  // 10..100; 11 and 12 stay pending
                AssessmentRecord record;
                record.score = id * 10;
                QVERIFY((*store)->recordAssessment(id, record).ok());
            }
            QVERIFY((*store)->setHumanDecision(10, Decision::Keep).ok());
        }
        const auto thresholds = [&](const QStringList &more, QByteArray *out, QByteArray *err) {
            return runCli(QStringList { QStringLiteral("review"), QStringLiteral("thresholds"),
                                        QStringLiteral("--db"), db }
                              + more,
                          out, err);
        };
        const auto stored = [&] { return QueueStore::open(db).value()->thresholds().value(); };
        QByteArray out, err;
        QCOMPARE(thresholds({ QStringLiteral("--filter-threshold"), QStringLiteral("75"),
                              QStringLiteral("--revise-threshold"), QStringLiteral("35"),
                              QStringLiteral("--dry-run") },
                            &out, &err),
                 0);
        // 10 20 30 keep; 40 50 60 70 revise; 80 90 filter; 100 kept by a human.
        QVERIFY2(out.startsWith("dry run: filter 75, revise 35: keep 4, revise 4, filter 2 (1 "
                                "decided by a human; 2 pending, 0 errors, 12 items) in "),
                 out.constData());
        QVERIFY2(QRegularExpression(QStringLiteral(" in \\d+\\.\\d{3} s\\n$"))
                     .match(QString::fromUtf8(out))
                     .hasMatch(),
                 out.constData());
        QCOMPARE(stored().filter, 80.0);  // a dry run changes nothing
        QCOMPARE(stored().revise, 50.0);

        QCOMPARE(thresholds({ QStringLiteral("--filter-threshold"), QStringLiteral("75"),
                              QStringLiteral("--revise-threshold"), QStringLiteral("35") },
                            &out, &err),
                 0);
        QVERIFY2(out.startsWith("thresholds set: filter 75, revise 35: keep 4, revise 4, filter 2"),
                 out.constData());
        QCOMPARE(stored().filter, 75.0);
        QCOMPARE(stored().revise, 35.0);
        // One of the two: the other stays (90 is not above 90: revise).
        QCOMPARE(
            thresholds({ QStringLiteral("--filter-threshold"), QStringLiteral("90") }, &out, &err),
            0);
        QVERIFY2(out.startsWith("thresholds set: filter 90, revise 35: keep 4, revise 6, filter 0"),
                 out.constData());

        for (const QStringList &bad :
             { QStringList { QStringLiteral("--filter-threshold"), QStringLiteral("120") },
               QStringList { QStringLiteral("--revise-threshold"), QStringLiteral("-1") },
               QStringList { QStringLiteral("--revise-threshold"), QStringLiteral("95") },
               QStringList { QStringLiteral("--filter-threshold"), QStringLiteral("50"),
                             QStringLiteral("--revise-threshold"), QStringLiteral("60") },
               QStringList { QStringLiteral("--filter-threshold"), QStringLiteral("abc") } }) {
            QCOMPARE(thresholds(bad, &out, &err), 2);
            QVERIFY2(out.isEmpty(), out.constData());
            QVERIFY2(err.contains("threshold"), err.constData());
        }
        QCOMPARE(stored().filter, 90.0);  // nothing changed by the refused ones
        QCOMPARE(stored().revise, 35.0);

        const QString missing = m_dir.filePath(QStringLiteral("no-such-queue.sqlite"));
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("thresholds"),
                          QStringLiteral("--db"), missing, QStringLiteral("--dry-run") },
                        &out, &err),
                 2);
        QVERIFY2(err.contains("no review queue here"), err.constData());
        QVERIFY(!QFileInfo::exists(missing));  // never created
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("thresholds") }, &out, &err), 2);
        QVERIFY2(err.contains("--db is required"), err.constData());
    }

    // review import --id-field: the records' own ids name the items, in the queue and in the
    // export's summary of "revise" decisions held back.
    void importIdField()
    {
        const QString input = test::writeFile(m_dir, QStringLiteral("uids.jsonl"),
                                              "{\"uid\":\"alpha\",\"text\":\"first\"}\n"
                                              "{\"uid\":9007199254740993,\"text\":\"second\"}\n"
                                              "{\"text\":\"third\"}\n");
        const QString db = m_dir.filePath(QStringLiteral("uids.sqlite"));
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("import"),
                          QStringLiteral("--input"), input, QStringLiteral("--db"), db,
                          QStringLiteral("--id-field"), QStringLiteral("uid") }),
                 0);
        {
            auto store = QueueStore::open(db);
            QVERIFY(store.ok());
            QCOMPARE((*store)->item(1)->sourceId, QStringLiteral("alpha"));
            QCOMPARE((*store)->item(2)->sourceId, QStringLiteral("9007199254740993"));
            QCOMPARE((*store)->item(3)->sourceId, QStringLiteral("3"));
            for (int id = 1; id <= 3; ++id) {
                AssessmentRecord record;
                record.score = 60;  // revise, and no revision asked for
                QVERIFY((*store)->recordAssessment(id, record).ok());
            }
        }
        QByteArray err;
        QCOMPARE(runCli({ QStringLiteral("review"), QStringLiteral("export"),
                          QStringLiteral("--db"), db, QStringLiteral("--output"),
                          m_dir.filePath(QStringLiteral("uids-curated.jsonl")) },
                        nullptr, &err),
                 0);
        QVERIFY2(err.contains("3 revise decisions without a revision (held back; items alpha, "
                              "9007199254740993, 3)"),
                 err.constData());
        QVERIFY(lines(m_dir.filePath(QStringLiteral("uids-curated.jsonl"))).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestReviewCli)
#include "tst_reviewcli.moc"
