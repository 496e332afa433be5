// The OpenAI-compatible client against the scripted local server.
#include "review/apikey.h"
#include "review/fakeopenaiserver.h"
#include "review/llmclient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <memory>

using namespace pcs;
using pcs::test::FakeOpenAiServer;

namespace {

const QString kModel = QStringLiteral("fake-model");

ChatRequest chat(quint64 tag, const QString &text)
{
    const QJsonArray messages { QJsonObject { { QStringLiteral("role"), QStringLiteral("system") },
                                              { QStringLiteral("content"),
                                                QStringLiteral("Rate the text.") } },
                                QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                              { QStringLiteral("content"), text } } };
    return ChatRequest { tag, QJsonObject { { QStringLiteral("messages"), messages } } };
}

QString content(const ChatResponse &response)
{
    return response.body.value(QLatin1String("choices"))
        .toArray()
        .at(0)
        .toObject()
        .value(QLatin1String("message"))
        .toObject()
        .value(QLatin1String("content"))
        .toString();
}

// A server, a client talking to it, and every response the client gave, in order.
struct Harness {
    explicit Harness(ClientLimits limits, QString apiKey = {})
    {
        server.listen();
        client = std::make_unique<LlmClient>(
            LlmEndpoint { server.url(), kModel, std::move(apiKey) }, limits);
        QObject::connect(client.get(), &LlmClient::finished,
                         [this](const ChatResponse &response) { responses.append(response); });
    }

    // Submits one request and waits for its response.
    ChatResponse roundTrip(const QString &text, int timeoutMs = 10000)
    {
        const qsizetype before = responses.size();
        client->submit(chat(before + 1, text));
        if (!QTest::qWaitFor([&] { return responses.size() > before; }, timeoutMs)) {
            ChatResponse timedOut;
            timedOut.error = Error::internal(QStringLiteral("test timed out"));
            timedOut.errorCode = QStringLiteral("test_timeout");
            return timedOut;
        }
        return responses.last();
    }

    FakeOpenAiServer server;
    std::unique_ptr<LlmClient> client;
    QList<ChatResponse> responses;
};

ClientLimits fastRetries()
{
    ClientLimits limits;
    limits.initialBackoffMs = 20;
    limits.maxBackoffMs = 100;
    limits.deadlineMs = 20000;
    return limits;
}

}  // namespace

class TestLlmClient : public QObject {
    Q_OBJECT

private slots:
    void success();
    void serverAnswerShapes();
    void retryAfterSeconds();
    void retryAfterMilliseconds();
    void retryAfterHttpDate();
    void quotaIsNotRetried();
    void clientErrorsAreNotRetried_data();
    void clientErrorsAreNotRetried();
    void serverErrorsAreRetried_data();
    void serverErrorsAreRetried();
    void persistentFailureGivesUp_data();
    void persistentFailureGivesUp();
    void slowReplyHitsDeadline();
    void attemptTimeoutIsRetried();
    void malformedBodyIsAnError();
    void concurrencyStaysWithinLimit();
    void requestsPerMinuteSpacesStarts();
    void pauseAndResume();
    void cancelAbortsEverything();
    void authorizationHeader();
    void apiKeyFromEnvironmentOrKeychain();
    void throughput();
};

void TestLlmClient::success()
{
    Harness harness(ClientLimits {});
    QSignalSpy idle(harness.client.get(), &LlmClient::idle);
    const ChatResponse response = harness.roundTrip(QStringLiteral("A plain text."));
    QVERIFY2(response.ok(), qPrintable(response.error ? response.error->toString() : QString()));
    QCOMPARE(response.tag, quint64(1));
    QCOMPARE(response.httpStatus, 200);
    QCOMPARE(response.attempts, 1);
    QVERIFY(response.errorCode.isEmpty());
    const QJsonObject answer = QJsonDocument::fromJson(content(response).toUtf8()).object();
    QCOMPARE(answer.value(QLatin1String("score")).toInt(), 10);
    QVERIFY(response.promptTokens > 0);
    QVERIFY(response.completionTokens > 0);
    QCOMPARE(harness.client->promptTokens(), response.promptTokens);
    QCOMPARE(harness.client->completionTokens(), response.completionTokens);
    QCOMPARE(harness.client->retries(), 0);
    QCOMPARE(harness.server.received().at(0).json.value(QLatin1String("model")).toString(), kModel);
    QCOMPARE(harness.server.received().at(0).path, QByteArray("/v1/chat/completions"));
    QCOMPARE(idle.size(), 1);
    QCOMPARE(harness.client->inFlight(), 0);

    // A second success adds up; a trailing slash on the base URL changes nothing.
    harness.roundTrip(QStringLiteral("Another [[score=42]]"));
    QCOMPARE(harness.client->promptTokens(),
             harness.responses[0].promptTokens + harness.responses[1].promptTokens);
    LlmClient slashed(LlmEndpoint { harness.server.url() + QStringLiteral("/"), kModel, {} }, {});
    QCOMPARE(slashed.chatCompletionsUrl(),
             harness.server.url() + QStringLiteral("/chat/completions"));
}

void TestLlmClient::serverAnswerShapes()
{
    Harness harness(ClientLimits {});
    const auto choice = [](const ChatResponse &response) {
        return response.body.value(QLatin1String("choices")).toArray().at(0).toObject();
    };

    const ChatResponse logprobs = harness.roundTrip(QStringLiteral("[[score=7]] [[logprobs]]"));
    QVERIFY(logprobs.ok());
    QString joined;
    double expected = 0;
    for (const QJsonValue &token : choice(logprobs)
                                       .value(QLatin1String("logprobs"))
                                       .toObject()
                                       .value(QLatin1String("content"))
                                       .toArray()) {
        joined += token.toObject().value(QLatin1String("token")).toString();
        if (token.toObject().value(QLatin1String("token")).toString() == QLatin1String("7")) {
            for (const QJsonValue &top :
                 token.toObject().value(QLatin1String("top_logprobs")).toArray())
                expected += top.toObject().value(QLatin1String("token")).toString().toInt()
                    * std::exp(top.toObject().value(QLatin1String("logprob")).toDouble());
        }
    }
    QCOMPARE(joined, content(logprobs));
    QCOMPARE(joined, QStringLiteral(R"({"reasoning": "Scripted reasoning.", "score": 7})"));
    QVERIFY(std::abs(expected - 7.5) < 1e-9);

    const ChatResponse refusal = harness.roundTrip(QStringLiteral("[[refusal]]"));
    QVERIFY(choice(refusal)
                .value(QLatin1String("message"))
                .toObject()
                .value(QLatin1String("content"))
                .isNull());
    QVERIFY(!choice(refusal)
                 .value(QLatin1String("message"))
                 .toObject()
                 .value(QLatin1String("refusal"))
                 .toString()
                 .isEmpty());

    const ChatResponse truncated = harness.roundTrip(QStringLiteral("[[truncated]]"));
    QCOMPARE(choice(truncated).value(QLatin1String("finish_reason")).toString(),
             QStringLiteral("length"));
    QVERIFY(QJsonDocument::fromJson(content(truncated).toUtf8()).isNull());

    const ChatResponse range = harness.roundTrip(QStringLiteral("[[range]]"));
    QCOMPARE(QJsonDocument::fromJson(content(range).toUtf8())
                 .object()
                 .value(QLatin1String("score"))
                 .toInt(),
             1000);
}

void TestLlmClient::retryAfterSeconds()
{
    Harness harness(fastRetries());
    QElapsedTimer clock;
    clock.start();
    const ChatResponse response = harness.roundTrip(QStringLiteral("[[429]] once"));
    QVERIFY(response.ok());
    QCOMPARE(response.attempts, 2);
    QCOMPARE(harness.server.requestsFor(QStringLiteral("[[429]] once")), 2);
    QCOMPARE(harness.client->retries(), 1);
    const qint64 gap
        = harness.server.received().at(1).arrivalMs - harness.server.received().at(0).arrivalMs;
    QVERIFY2(gap >= 990,
             qPrintable(QString::number(gap)));  // Retry-After: 1, not the 20 ms backoff
}

void TestLlmClient::retryAfterMilliseconds()
{
    ClientLimits limits = fastRetries();
    limits.initialBackoffMs = 5000;  // so that only the hint explains a ~200 ms wait
    limits.maxBackoffMs = 5000;
    Harness harness(limits);
    const ChatResponse response = harness.roundTrip(QStringLiteral("[[429ms]] once"));
    QVERIFY(response.ok());
    QCOMPARE(response.attempts, 2);
    const qint64 gap
        = harness.server.received().at(1).arrivalMs - harness.server.received().at(0).arrivalMs;
    QVERIFY2(gap >= 195 && gap < 900, qPrintable(QString::number(gap)));
}

void TestLlmClient::retryAfterHttpDate()
{
    Harness harness(fastRetries());
    // The default responder (no marker in the text) answers the first request with a date.
    harness.server.setDefaultResponder([&](const FakeOpenAiServer::ReceivedRequest &request) {
        if (harness.server.totalRequests() > 1)
            return FakeOpenAiServer::ScriptedReply {
                200, FakeOpenAiServer::completionBody(5, kModel, 10), {}, 0
            };
        const QString date
            = QLocale::c().toString(QDateTime::currentDateTimeUtc().addSecs(2),
                                    QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"));
        Q_UNUSED(request);
        return FakeOpenAiServer::ScriptedReply {
            503,
            FakeOpenAiServer::errorBody(QStringLiteral("busy"), {}, {}),
            { qMakePair(QByteArray("Retry-After"), date.toLatin1()) },
            0
        };
    });
    const ChatResponse response = harness.roundTrip(QStringLiteral("plain"));
    QVERIFY(response.ok());
    QCOMPARE(response.attempts, 2);
    const qint64 gap
        = harness.server.received().at(1).arrivalMs - harness.server.received().at(0).arrivalMs;
    // Whole seconds on the server's clock: somewhere in (1 s, 2 s].
    QVERIFY2(gap >= 990 && gap < 2500, qPrintable(QString::number(gap)));
}

void TestLlmClient::quotaIsNotRetried()
{
    Harness harness(fastRetries());
    const ChatResponse response = harness.roundTrip(QStringLiteral("[[quota]]"));
    QVERIFY(!response.ok());
    QCOMPARE(response.errorCode, QStringLiteral("insufficient_quota"));
    QCOMPARE(response.httpStatus, 429);
    QCOMPARE(response.attempts, 1);
    QCOMPARE(harness.server.totalRequests(), 1);
    QVERIFY(response.error->reason.contains(QStringLiteral("quota")));
}

void TestLlmClient::clientErrorsAreNotRetried_data()
{
    QTest::addColumn<int>("status");
    for (const int status : { 400, 401, 403, 404, 422 })
        QTest::addRow("%d", status) << status;
}

void TestLlmClient::clientErrorsAreNotRetried()
{
    QFETCH(int, status);
    Harness harness(fastRetries());
    const ChatResponse response = harness.roundTrip(QStringLiteral("[[status=%1]]").arg(status));
    QVERIFY(!response.ok());
    QCOMPARE(response.errorCode, QStringLiteral("http_%1").arg(status));
    QCOMPARE(response.httpStatus, status);
    QCOMPARE(response.error->kind, ErrorKind::BadInput);
    QCOMPARE(harness.server.totalRequests(), 1);
    QCOMPARE(harness.client->retries(), 0);
}

void TestLlmClient::serverErrorsAreRetried_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("attempts");
    QTest::newRow("503 once") << QStringLiteral("[[flaky-1]]") << 2;
    QTest::newRow("503 three times") << QStringLiteral("[[flaky-3]]") << 4;
    QTest::newRow("408") << QStringLiteral("[[status=408]]") << 6;
}

void TestLlmClient::serverErrorsAreRetried()
{
    QFETCH(QString, text);
    QFETCH(int, attempts);
    Harness harness(fastRetries());
    const ChatResponse response = harness.roundTrip(text);
    QCOMPARE(response.attempts, attempts);
    QCOMPARE(harness.server.requestsFor(text), attempts);
    QCOMPARE(harness.client->retries(), attempts - 1);
    if (text.contains(QLatin1String("flaky"))) {
        QVERIFY(response.ok());
        QCOMPARE(response.httpStatus, 200);
    } else {
        QCOMPARE(response.errorCode, QStringLiteral("http_408"));  // 6 = maxAttempts
    }
}

void TestLlmClient::persistentFailureGivesUp_data()
{
    QTest::addColumn<int>("status");
    QTest::newRow("500") << 500;
    QTest::newRow("503") << 503;
}

void TestLlmClient::persistentFailureGivesUp()
{
    QFETCH(int, status);
    ClientLimits limits = fastRetries();
    limits.maxAttempts = 3;
    Harness harness(limits);
    const ChatResponse response = harness.roundTrip(QStringLiteral("[[%1]]").arg(status));
    QVERIFY(!response.ok());
    QCOMPARE(response.attempts, 3);
    QCOMPARE(harness.server.totalRequests(), 3);
    QCOMPARE(response.errorCode, QStringLiteral("http_%1").arg(status));
    QCOMPARE(response.httpStatus, status);
    QCOMPARE(response.error->kind, ErrorKind::Internal);
    QVERIFY2(response.error->reason.contains(QStringLiteral("gave up after 3 attempt(s)"))
                 && response.error->reason.contains(QString::number(status)),
             qPrintable(response.error->reason));
}

void TestLlmClient::slowReplyHitsDeadline()
{
    ClientLimits limits = fastRetries();
    limits.deadlineMs = 700;
    Harness harness(limits);
    harness.server.setSlowDelayMs(5000);
    QElapsedTimer clock;
    clock.start();
    const ChatResponse response = harness.roundTrip(QStringLiteral("[[slow]]"));
    const qint64 elapsed = clock.elapsed();
    QVERIFY(!response.ok());
    QCOMPARE(response.errorCode, QStringLiteral("deadline"));
    QCOMPARE(response.attempts, 1);
    QVERIFY2(elapsed >= 690 && elapsed < 700 + 400, qPrintable(QString::number(elapsed)));
}

void TestLlmClient::attemptTimeoutIsRetried()
{
    ClientLimits limits = fastRetries();
    limits.attemptTimeoutMs = 300;
    limits.maxAttempts = 2;
    Harness harness(limits);
    harness.server.setSlowDelayMs(5000);
    const ChatResponse response = harness.roundTrip(QStringLiteral("[[slow]]"));
    QVERIFY(!response.ok());
    QCOMPARE(response.errorCode, QStringLiteral("timeout"));
    QCOMPARE(response.attempts, 2);
    QTRY_COMPARE(harness.server.totalRequests(), 2);

    // With the deadline shorter than the retries need, the deadline is the reason.
    limits.maxAttempts = 10;
    limits.deadlineMs = 1000;
    Harness deadline(limits);
    deadline.server.setSlowDelayMs(5000);
    const ChatResponse late = deadline.roundTrip(QStringLiteral("[[slow]]"));
    QCOMPARE(late.errorCode, QStringLiteral("deadline"));
    QVERIFY(late.attempts >= 3 && late.attempts <= 4);
}

void TestLlmClient::malformedBodyIsAnError()
{
    Harness harness(fastRetries());
    const ChatResponse response = harness.roundTrip(QStringLiteral("[[malformed]]"));
    QVERIFY(!response.ok());
    QCOMPARE(response.errorCode, QStringLiteral("invalid_json_body"));
    QCOMPARE(response.httpStatus, 200);
    QCOMPARE(harness.server.totalRequests(), 1);  // not retried, by design
    QCOMPARE(harness.client->promptTokens(), 0);
}

void TestLlmClient::concurrencyStaysWithinLimit()
{
    for (const int concurrency : { 4, 16 }) {
        ClientLimits limits;
        limits.concurrency = concurrency;
        Harness harness(limits);
        harness.server.setBaseLatencyMs(100);
        int mostInFlight = 0;
        QObject::connect(harness.client.get(), &LlmClient::finished, [&] {
            mostInFlight = std::max(mostInFlight, harness.client->inFlight());
        });
        for (int i = 0; i < 5 * concurrency; ++i)
            harness.client->submit(chat(quint64(i), QStringLiteral("text %1").arg(i)));
        QCOMPARE(harness.client->inFlight(), concurrency);
        QCOMPARE(harness.client->queued(), 4 * concurrency);
        QTRY_COMPARE_WITH_TIMEOUT(harness.responses.size(), 5 * concurrency, 20000);
        QCOMPARE(harness.server.maxConcurrent(), concurrency);  // reached, never exceeded
        QVERIFY(mostInFlight <= concurrency);
    }
}

void TestLlmClient::requestsPerMinuteSpacesStarts()
{
    ClientLimits limits;
    limits.requestsPerMinute = 600;  // one start every 100 ms
    Harness harness(limits);
    for (int i = 0; i < 5; ++i)
        harness.client->submit(chat(quint64(i), QStringLiteral("text %1").arg(i)));
    QTRY_COMPARE_WITH_TIMEOUT(harness.responses.size(), 5, 5000);
    // The client spaces the starts; arrivals at the server can bunch by a few milliseconds
    // when the machine is busy, so each gap gets some slack and the span none.
    const auto &received = harness.server.received();
    for (qsizetype i = 1; i < received.size(); ++i) {
        const qint64 gap = received[i].arrivalMs - received[i - 1].arrivalMs;
        QVERIFY2(gap >= 60, qPrintable(QString::number(gap)));
    }
    const qint64 span = received.last().arrivalMs - received.first().arrivalMs;
    QVERIFY2(span >= 350 && span < 1000, qPrintable(QString::number(span)));
}

void TestLlmClient::pauseAndResume()
{
    ClientLimits limits;
    limits.concurrency = 2;
    Harness harness(limits);
    harness.server.setBaseLatencyMs(200);
    for (int i = 0; i < 2; ++i)
        harness.client->submit(chat(quint64(i), QStringLiteral("text %1").arg(i)));
    harness.client->pause();
    for (int i = 2; i < 6; ++i)
        harness.client->submit(chat(quint64(i), QStringLiteral("text %1").arg(i)));
    QCOMPARE(harness.client->inFlight(), 2);
    QCOMPARE(harness.client->queued(), 4);
    // The two in flight finish; nothing new starts.
    QTRY_COMPARE(harness.responses.size(), 2);
    QTest::qWait(300);
    QCOMPARE(harness.server.totalRequests(), 2);
    QCOMPARE(harness.client->queued(), 4);
    QVERIFY(harness.client->isPaused());

    QSignalSpy idle(harness.client.get(), &LlmClient::idle);
    harness.client->resume();
    QTRY_COMPARE(harness.responses.size(), 6);
    QCOMPARE(harness.server.totalRequests(), 6);
    QCOMPARE(idle.size(), 1);
    for (const ChatResponse &response : harness.responses)
        QVERIFY(response.ok());
}

void TestLlmClient::cancelAbortsEverything()
{
    ClientLimits limits;
    limits.concurrency = 3;
    Harness harness(limits);
    harness.server.setBaseLatencyMs(1000);
    QSignalSpy idle(harness.client.get(), &LlmClient::idle);
    constexpr int kSubmitted = 10;
    for (int i = 0; i < kSubmitted; ++i)
        harness.client->submit(chat(quint64(i), QStringLiteral("text %1").arg(i)));
    QTRY_COMPARE(harness.server.totalRequests(), 3);
    harness.client->cancel();
    QCOMPARE(harness.responses.size(), kSubmitted);  // at once, in the call
    QCOMPARE(idle.size(), 1);
    QCOMPARE(harness.client->inFlight(), 0);
    QCOMPARE(harness.client->queued(), 0);
    QSet<quint64> tags;
    for (const ChatResponse &response : harness.responses) {
        QCOMPARE(response.errorCode, QStringLiteral("canceled"));
        QCOMPARE(response.error->kind, ErrorKind::Canceled);
        tags.insert(response.tag);
    }
    QCOMPARE(tags.size(), kSubmitted);
    // The aborted replies arrive nowhere, and the server sees the connections go.
    QTest::qWait(1300);
    QCOMPARE(harness.responses.size(), kSubmitted);
    QCOMPARE(harness.server.totalRequests(), 3);

    // The client works again afterwards.
    harness.server.setBaseLatencyMs(0);
    QVERIFY(harness.roundTrip(QStringLiteral("after cancel")).ok());
}

void TestLlmClient::authorizationHeader()
{
    {
        Harness keyless(fastRetries());
        QVERIFY(keyless.roundTrip(QStringLiteral("local")).ok());
        QVERIFY(!keyless.server.received().at(0).headers.contains("authorization"));
    }
    const QString key = QStringLiteral("sk-test-VERYSECRET-0123456789");
    Harness keyed(fastRetries(), key);
    QVERIFY(keyed.roundTrip(QStringLiteral("remote")).ok());
    QCOMPARE(keyed.server.received().at(0).headers.value("authorization"),
             "Bearer " + key.toUtf8());

    // The server echoes the key in its 401 message; the client must not pass it on.
    const ChatResponse refused = keyed.roundTrip(QStringLiteral("[[status=401]]"));
    QCOMPARE(refused.errorCode, QStringLiteral("http_401"));
    QVERIFY(refused.error->reason.contains(QStringLiteral("Incorrect API key")));
    for (const ChatResponse &response : keyed.responses) {
        if (response.error) {
            QVERIFY(!response.error->toString().contains(key));
            QVERIFY(!response.error->toString().contains(QStringLiteral("VERYSECRET")));
        }
    }
}

void TestLlmClient::apiKeyFromEnvironmentOrKeychain()
{
    const QByteArray savedKey = qgetenv("OPENAI_API_KEY");
    const QByteArray savedPath = qgetenv("PATH");
    const auto restore = qScopeGuard([&] {
        if (savedKey.isNull())
            qunsetenv("OPENAI_API_KEY");
        else
            qputenv("OPENAI_API_KEY", savedKey);
        qputenv("PATH", savedPath);
    });
    const QString baseUrl = QStringLiteral("https://api.example.invalid/v1");

    QTemporaryDir bin;
    QFile tool(bin.filePath(QStringLiteral("secret-tool")));
    QVERIFY(tool.open(QIODevice::WriteOnly));
    // Answers only the exact lookup the client should make.
    tool.write("#!/bin/sh\n"
               "[ \"$1 $2 $3 $4 $5\" = \"lookup service pcstudio url "
               + baseUrl.toUtf8() + "\" ] && printf 'sk-from-keychain\\n'\n");
    tool.close();
    tool.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    qputenv("PATH", bin.path().toUtf8());

    // OPENAI_API_KEY belongs to https://api.openai.com alone (review/apikey.h; tst_apikey).
    const auto keyFor = [](const QString &url) { return resolveEndpoint(url).value().key; };
    qputenv("OPENAI_API_KEY", "sk-from-env");
    QCOMPARE(keyFor(baseUrl), QStringLiteral("sk-from-keychain"));
    QCOMPARE(keyFor(QStringLiteral("https://api.openai.com/v1")), QStringLiteral("sk-from-env"));
    qunsetenv("OPENAI_API_KEY");
    QCOMPARE(keyFor(baseUrl), QStringLiteral("sk-from-keychain"));
    QCOMPARE(keyFor(QStringLiteral("http://other/v1")), QString());  // secret-tool exits 1
    QTemporaryDir empty;
    qputenv("PATH", empty.path().toUtf8());
    QCOMPARE(keyFor(baseUrl), QString());
}

void TestLlmClient::throughput()
{
    constexpr int kRequests = 400;
    constexpr int kLatencyMs = 200;
    ClientLimits limits;
    limits.concurrency = 16;
    Harness harness(limits);
    harness.server.setBaseLatencyMs(kLatencyMs);
    QElapsedTimer clock;
    qint64 lastFinishedMs = 0;  // not the polling below, which adds up to 50 ms
    QObject::connect(harness.client.get(), &LlmClient::finished,
                     [&] { lastFinishedMs = clock.elapsed(); });
    clock.start();
    for (int i = 0; i < kRequests; ++i)
        harness.client->submit(chat(quint64(i), QStringLiteral("text %1").arg(i)));
    QTRY_COMPARE_WITH_TIMEOUT(harness.responses.size(), kRequests, 60000);
    const double seconds = lastFinishedMs / 1000.0;
    const double perSecond = kRequests / seconds;
    const double ideal = limits.concurrency * 1000.0 / kLatencyMs;
    qInfo("throughput: %d requests, %d ms server latency, concurrency %d: %.1f req/s (ideal %.0f, "
          "%.0f%%), %d connections",
          kRequests, kLatencyMs, limits.concurrency, perSecond, ideal, 100 * perSecond / ideal,
          harness.server.connectionsAccepted());
    for (const ChatResponse &response : harness.responses)
        QVERIFY(response.ok());
    QCOMPARE(harness.server.maxConcurrent(), limits.concurrency);
    // 90% of ideal (72) holds on an idle machine only; a loaded 2-core one measured 70-73.
    QVERIFY2(perSecond >= 60, qPrintable(QString::number(perSecond)));
}

QTEST_GUILESS_MAIN(TestLlmClient)
#include "tst_llmclient.moc"
