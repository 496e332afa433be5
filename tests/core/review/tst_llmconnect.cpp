// The client when the server cannot be reached: a wrong address is said at once ("Could not
// connect to HOST:PORT …"), not retried for every item; after the server answered once, a lost
// connection is retried as before.
#include "core/review/llmclient.h"
#include "tests/common/fakeopenaiserver.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using namespace pcs;
using pcs::test::FakeOpenAiServer;

namespace {

ChatRequest chat(quint64 tag, const QString &text)
{
    const QJsonArray messages { QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                              { QStringLiteral("content"), text } } };
    return ChatRequest { tag, QJsonObject { { QStringLiteral("messages"), messages } } };
}

// A port nothing listens on (bound once, then closed).
quint16 closedPort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost))
        return 0;
    const quint16 port = server.serverPort();
    server.close();
    return port;
}

}  // namespace

class TestLlmConnect : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void refusedIsSaidAtOnceAndNotRetried()
    {
        const quint16 port = closedPort();
        QVERIFY(port != 0);
        ClientLimits limits;
        limits.maxAttempts = 6;
        LlmClient client(LlmEndpoint { QStringLiteral("http://127.0.0.1:%1/v1").arg(port),
                                       QStringLiteral("m"),
                                       {} },
                         limits);
        QSignalSpy finished(&client, &LlmClient::finished);
        QElapsedTimer clock;
        clock.start();
        client.submit(chat(1, QStringLiteral("a")));
        QVERIFY(finished.wait(5000));
        const auto response = finished.at(0).at(0).value<ChatResponse>();
        QCOMPARE(response.errorCode, QStringLiteral("connect_failed"));
        QVERIFY(response.fatal);
        QCOMPARE(response.attempts, 1);
        QVERIFY2(response.error->reason.startsWith(
                     QStringLiteral("Could not connect to 127.0.0.1:%1: ").arg(port)),
                 qPrintable(response.error->reason));
        QVERIFY2(
            response.error->reason.contains(QStringLiteral("http://127.0.0.1:%1/v1").arg(port)),
            qPrintable(response.error->reason));
        QVERIFY2(clock.elapsed() < 3000, "a refused connection was retried");
    }

    // A listener whose accept queue is full: the connection is never made.
    void noConnectionWithinTheTimeout()
    {
        QTcpServer server;
        server.setListenBacklogSize(0);
        QVERIFY(server.listen(QHostAddress::LocalHost));
        server.pauseAccepting();
        // Fill the accept queue (never accepted), so that further handshakes do not complete.
        std::vector<std::unique_ptr<QTcpSocket>> fillers;
        for (int i = 0; i < 8; ++i) {
            auto socket = std::make_unique<QTcpSocket>();
            socket->connectToHost(QHostAddress::LocalHost, server.serverPort());
            socket->waitForConnected(200);
            fillers.push_back(std::move(socket));
        }
        ClientLimits limits;
        limits.connectTimeoutMs = 400;
        limits.attemptTimeoutMs = 10000;
        LlmClient client(
            LlmEndpoint { QStringLiteral("http://127.0.0.1:%1/v1").arg(server.serverPort()),
                          QStringLiteral("m"),
                          {} },
            limits);
        QSignalSpy finished(&client, &LlmClient::finished);
        QElapsedTimer clock;
        clock.start();
        client.submit(chat(1, QStringLiteral("a")));
        QVERIFY(finished.wait(8000));
        const auto response = finished.at(0).at(0).value<ChatResponse>();
        QCOMPARE(response.errorCode, QStringLiteral("connect_failed"));
        QVERIFY(response.fatal);
        QVERIFY2(response.error->reason.startsWith(
                     QStringLiteral("Could not connect to 127.0.0.1:%1 within 0.4 s")
                         .arg(server.serverPort())),
                 qPrintable(response.error->reason));
        QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
    }

    // Once the server answered, the address is right: a connection refused later is retried
    // like any network error (and not fatal).
    void afterAnAnswerRefusedIsRetried()
    {
        auto server = std::make_unique<FakeOpenAiServer>();
        QVERIFY(server->listen());
        const QString url = server->url();
        ClientLimits limits;
        limits.maxAttempts = 2;
        limits.initialBackoffMs = 10;
        LlmClient client(LlmEndpoint { url, QStringLiteral("fake-model"), {} }, limits);
        QSignalSpy finished(&client, &LlmClient::finished);
        client.submit(chat(1, QStringLiteral("Fine. [[score=5]]")));
        QVERIFY(finished.wait(5000));
        QVERIFY(finished.at(0).at(0).value<ChatResponse>().ok());
        server.reset();  // the port is closed now
        client.submit(chat(2, QStringLiteral("again")));
        QVERIFY(finished.wait(10000));
        const auto response = finished.at(1).at(0).value<ChatResponse>();
        QVERIFY(!response.ok());
        QVERIFY(!response.fatal);
        QCOMPARE(response.attempts, 2);
    }
};

QTEST_GUILESS_MAIN(TestLlmConnect)
#include "tst_llmconnect.moc"
