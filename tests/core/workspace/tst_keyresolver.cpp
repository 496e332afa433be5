#include "core/workspace/keyresolver.h"
#include "tests/common/fakesecrettool.h"

#include <QElapsedTimer>
#include <QTest>
#include <QTimer>

#include <memory>
#include <optional>

using namespace pcs;

// The keychain lookup runs off the GUI thread: with a secret-tool that takes 2 s, the GUI
// thread's timer keeps ticking, and cancel or destruction end the wait at once.
class TestKeyResolver : public QObject {
    Q_OBJECT
private:
    const QString m_url = QStringLiteral("https://llm.example.org/v1");
    std::unique_ptr<test::FakeSecretTool> m_keychain;

    static KeyOptions options()
    {
        KeyOptions o;
        o.caller = KeyOptions::Caller::App;
        return o;
    }

private Q_SLOTS:
    void init()
    {
        qunsetenv("OPENAI_API_KEY");
        m_keychain = std::make_unique<test::FakeSecretTool>();
        QVERIFY(m_keychain->isValid());
        m_keychain->setEntry(keychainUrl(m_url), "sk-from-keychain");
    }
    void cleanup() { m_keychain.reset(); }

    void aSlowKeychainDoesNotBlockTheGuiThread()
    {
        m_keychain->setDelaySeconds(2);
        KeyResolver resolver;
        std::optional<Result<ResolvedEndpoint>> answer;
        int ticks = 0;
        QTimer timer;
        timer.setInterval(20);
        connect(&timer, &QTimer::timeout, this, [&] { ++ticks; });
        timer.start();
        QElapsedTimer clock;
        clock.start();
        resolver.resolve(m_url, options(),
                         [&](const Result<ResolvedEndpoint> &resolved) { answer = resolved; });
        QVERIFY2(clock.elapsed() < 200, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(resolver.isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 15000);
        QVERIFY(clock.elapsed() >= 1900);  // the lookup really took the keychain's time
        // ~2 s at 20 ms: the GUI thread was free throughout (a blocked one would tick ~once).
        QVERIFY2(ticks >= 50, qPrintable(QString::number(ticks)));
        QVERIFY(answer->ok());
        QCOMPARE((*answer)->key, QStringLiteral("sk-from-keychain"));
        QCOMPARE((*answer)->source, KeySource::Keychain);
        QVERIFY(!resolver.isBusy());
    }

    void cancelEndsTheLookupAtOnceAndVoidsTheAnswer()
    {
        m_keychain->setDelaySeconds(5);
        KeyResolver resolver;
        bool answered = false;
        resolver.resolve(m_url, options(),
                         [&](const Result<ResolvedEndpoint> &) { answered = true; });
        QTest::qWait(300);  // secret-tool is running
        QElapsedTimer clock;
        clock.start();
        resolver.cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!resolver.isBusy(), 5000);
        QVERIFY2(clock.elapsed() < 1000, qPrintable(QString::number(clock.elapsed())));
        QTest::qWait(50);
        QVERIFY(!answered);
    }

    void destructionDuringALookupDoesNotWaitForTheKeychain()
    {
        m_keychain->setDelaySeconds(5);
        bool answered = false;
        auto resolver = std::make_unique<KeyResolver>();
        resolver->resolve(m_url, options(),
                          [&](const Result<ResolvedEndpoint> &) { answered = true; });
        QTest::qWait(300);
        QElapsedTimer clock;
        clock.start();
        resolver.reset();
        QVERIFY2(clock.elapsed() < 1000, qPrintable(QString::number(clock.elapsed())));
        QTest::qWait(50);
        QVERIFY(!answered);
    }

    void aNewerRequestVoidsTheOlderOne()
    {
        m_keychain->setDelaySeconds(1);
        KeyResolver resolver;
        QStringList answers;
        resolver.resolve(m_url, options(), [&](const Result<ResolvedEndpoint> &) {
            answers << QStringLiteral("first");
        });
        const QString other = QStringLiteral("https://other.example.org/v1");
        resolver.resolve(other, options(), [&](const Result<ResolvedEndpoint> &resolved) {
            answers << (resolved ? resolved->url : resolved.error().toString());
        });
        QTRY_VERIFY_WITH_TIMEOUT(!resolver.isBusy(), 15000);
        QTest::qWait(50);
        QCOMPARE(answers, QStringList { other });
    }

    void storeThenResolveFindsTheKey()
    {
        KeyResolver resolver;
        std::optional<Status> stored;
        resolver.store(m_url, QStringLiteral("sk-stored"), [&](const Status &s) { stored = s; });
        QTRY_VERIFY_WITH_TIMEOUT(stored.has_value(), 15000);
        QVERIFY2(stored->ok(), qPrintable(stored->ok() ? QString() : stored->error().toString()));
        QCOMPARE(m_keychain->entry(keychainUrl(m_url)), QByteArray("sk-stored"));
        std::optional<Result<ResolvedEndpoint>> answer;
        resolver.resolve(m_url, options(),
                         [&](const Result<ResolvedEndpoint> &resolved) { answer = resolved; });
        QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 15000);
        QVERIFY2(answer->ok(), qPrintable(answer->ok() ? QString() : answer->error().toString()));
        QCOMPARE((*answer)->key, QStringLiteral("sk-stored"));
    }
};

QTEST_GUILESS_MAIN(TestKeyResolver)
#include "tst_keyresolver.moc"
