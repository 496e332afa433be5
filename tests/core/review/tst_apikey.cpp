// Which key goes to which endpoint (review/apikey.h), what a queue keeps of it
// (review/keysettings.h), and Test connection (review/connectiontest.h) against the scripted
// server.
#include "core/review/apikey.h"
#include "core/review/connectiontest.h"
#include "core/review/keysettings.h"
#include "core/review/queuestore.h"
#include "tests/common/fakeopenaiserver.h"
#include "tests/common/fakesecrettool.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <optional>

using namespace pcs;
using pcs::test::FakeOpenAiServer;
using pcs::test::FakeSecretTool;

namespace {

// Sets (or unsets, with a null value) environment variables for a scope.
class ScopedEnvironment {
public:
    void set(const char *name, const QByteArray &value)
    {
        if (!m_saved.contains(name))
            m_saved.insert(name,
                           qEnvironmentVariableIsSet(name) ? std::optional(qgetenv(name))
                                                           : std::optional<QByteArray>());
        if (value.isNull())
            qunsetenv(name);
        else
            qputenv(name, value);
    }
    ~ScopedEnvironment()
    {
        for (auto it = m_saved.cbegin(); it != m_saved.cend(); ++it) {
            if (it.value())
                qputenv(it.key().constData(), *it.value());
            else
                qunsetenv(it.key().constData());
        }
    }

private:
    QHash<QByteArray, std::optional<QByteArray>> m_saved;
};

// A port on 127.0.0.1 that nothing listens on (bound once, then released).
quint16 closedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

}  // namespace

class TestApiKey : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();

    void resolution_data();
    void resolution();
    void refusals_data();
    void refusals();
    void openAiKeyNoteSaysHowToSendIt();
    void scrubbing();
    void keychainStoreAndLookup();
    void brokenKeychain();
    void keySettingsKeepNamesOnly();
    void connectionTestReportsCapabilities();
    void connectionTestFallsBackToMaxCompletionTokens();
    void connectionTestFailures();

private:
    std::unique_ptr<FakeSecretTool> m_keychain;
    std::unique_ptr<ScopedEnvironment> m_environment;
};

void TestApiKey::init()
{
    // The previous test's first: each puts back what it found.
    m_keychain.reset();
    m_environment.reset();
    m_environment = std::make_unique<ScopedEnvironment>();
    m_environment->set("OPENAI_API_KEY", QByteArray());
    m_keychain = std::make_unique<FakeSecretTool>();
    QVERIFY(m_keychain->isValid());
}

void TestApiKey::resolution_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("openAiKey");  // OPENAI_API_KEY (null: unset)
    QTest::addColumn<QString>("apiKeyEnv");
    QTest::addColumn<QByteArray>("variableValue");  // of TEST_ENDPOINT_KEY
    QTest::addColumn<QByteArray>("keychainKey");  // stored for keychainUrl(url)
    QTest::addColumn<bool>("allowInsecure");
    QTest::addColumn<QString>("expectedKey");
    QTest::addColumn<int>("expectedSource");
    QTest::addColumn<QString>("expectedUrl");

    const QByteArray none;
    const int None = int(KeySource::None), Env = int(KeySource::Environment),
              Url = int(KeySource::Url), Keychain = int(KeySource::Keychain);
    // The finding: a loopback server got the user's OpenAI key. It gets none now.
    QTest::newRow("OPENAI_API_KEY not to 127.0.0.1")
        << "http://127.0.0.1:8000/v1" << QByteArray("sk-openai") << "" << none << none << false
        << "" << None << "http://127.0.0.1:8000/v1";
    QTest::newRow("OPENAI_API_KEY not to another provider")
        << "https://api.groq.com/openai/v1" << QByteArray("sk-openai") << "" << none << none
        << false << "" << None << "https://api.groq.com/openai/v1";
    QTest::newRow("OPENAI_API_KEY to api.openai.com")
        << "https://api.openai.com/v1" << QByteArray("sk-openai") << "" << none << none << false
        << "sk-openai" << Env << "https://api.openai.com/v1";
    QTest::newRow("OPENAI_API_KEY to API.OpenAI.com:443")
        << "https://API.OpenAI.com:443/v1/" << QByteArray("sk-openai") << "" << none << none
        << false << "sk-openai" << Env << "https://API.OpenAI.com:443/v1/";
    QTest::newRow("OPENAI_API_KEY not over http")
        << "http://api.openai.com/v1" << QByteArray("sk-openai") << "" << none << none << false
        << "" << None << "http://api.openai.com/v1";
    QTest::newRow("OPENAI_API_KEY not to a look-alike host")
        << "https://api.openai.com.example.org/v1" << QByteArray("sk-openai") << "" << none << none
        << false << "" << None << "https://api.openai.com.example.org/v1";
    QTest::newRow("OPENAI_API_KEY not to another port")
        << "https://api.openai.com:8443/v1" << QByteArray("sk-openai") << "" << none << none
        << false << "" << None << "https://api.openai.com:8443/v1";
    QTest::newRow("--api-key-env to loopback")
        << "http://127.0.0.1:8000/v1" << QByteArray("sk-openai") << "TEST_ENDPOINT_KEY"
        << QByteArray("sk-local") << none << false << "sk-local" << Env
        << "http://127.0.0.1:8000/v1";
    QTest::newRow("--api-key-env OPENAI_API_KEY sends it anywhere asked")
        << "https://api.groq.com/openai/v1" << QByteArray("sk-openai") << "OPENAI_API_KEY" << none
        << none << false << "sk-openai" << Env << "https://api.groq.com/openai/v1";
    QTest::newRow("--api-key-env before api.openai.com's default")
        << "https://api.openai.com/v1" << QByteArray("sk-openai") << "TEST_ENDPOINT_KEY"
        << QByteArray("sk-project") << none << false << "sk-project" << Env
        << "https://api.openai.com/v1";
    QTest::newRow("keychain for a remote https endpoint")
        << "https://api.groq.com/openai/v1" << QByteArray("sk-openai") << "" << none
        << QByteArray("gsk-keychain") << false << "gsk-keychain" << Keychain
        << "https://api.groq.com/openai/v1";
    QTest::newRow("keychain under the normalised URL")
        << "HTTPS://API.GROQ.COM:443/openai/v1/" << none << "" << none << QByteArray("gsk-keychain")
        << false << "gsk-keychain" << Keychain << "HTTPS://API.GROQ.COM:443/openai/v1/";
    QTest::newRow("password in the URL")
        << "https://user:s3cret-key@llm.example.org/v1" << QByteArray("sk-openai") << "" << none
        << QByteArray("from-keychain") << false << "s3cret-key" << Url
        << "https://llm.example.org/v1";
    QTest::newRow("user name as the key when there is no password")
        << "https://sk-in-user@llm.example.org/v1" << none << "" << none << none << false
        << "sk-in-user" << Url << "https://llm.example.org/v1";
    QTest::newRow("percent-encoded password")
        << "https://u:a%2Fb%40c@llm.example.org/v1" << none << "" << none << none << false
        << "a/b@c" << Url << "https://llm.example.org/v1";
    QTest::newRow("credentials to loopback over http")
        << "http://user:local-secret@localhost:8080/v1" << none << "" << none << none << false
        << "local-secret" << Url << "http://localhost:8080/v1";
    QTest::newRow("key over http to ::1")
        << "http://[::1]:8000/v1" << none << "TEST_ENDPOINT_KEY" << QByteArray("sk-local") << none
        << false << "sk-local" << Env << "http://[::1]:8000/v1";
    QTest::newRow("key over http to 127.8.9.10")
        << "http://127.8.9.10:8000/v1" << none << "TEST_ENDPOINT_KEY" << QByteArray("sk-local")
        << none << false << "sk-local" << Env << "http://127.8.9.10:8000/v1";
    QTest::newRow("key over http to a LAN host, allowed")
        << "http://10.1.2.3:8000/v1" << none << "TEST_ENDPOINT_KEY" << QByteArray("sk-lan") << none
        << true << "sk-lan" << Env << "http://10.1.2.3:8000/v1";
    QTest::newRow("no key over http to a LAN host: nothing to refuse")
        << "http://10.1.2.3:8000/v1" << QByteArray("sk-openai") << "" << none << none << false << ""
        << None << "http://10.1.2.3:8000/v1";
}

void TestApiKey::resolution()
{
    QFETCH(QString, url);
    QFETCH(QByteArray, openAiKey);
    QFETCH(QString, apiKeyEnv);
    QFETCH(QByteArray, variableValue);
    QFETCH(QByteArray, keychainKey);
    QFETCH(bool, allowInsecure);
    QFETCH(QString, expectedKey);
    QFETCH(int, expectedSource);
    QFETCH(QString, expectedUrl);
    m_environment->set("OPENAI_API_KEY", openAiKey);
    m_environment->set("TEST_ENDPOINT_KEY", variableValue);
    if (!keychainKey.isNull())
        m_keychain->setEntry(keychainUrl(url), keychainKey);

    KeyOptions options;
    options.apiKeyEnv = apiKeyEnv;
    options.allowInsecure = allowInsecure;
    const auto resolved = resolveEndpoint(url, options);
    QVERIFY2(resolved.ok(), qPrintable(resolved.ok() ? QString() : resolved.error().toString()));
    QCOMPARE(resolved->key, expectedKey);
    QCOMPARE(int(resolved->source), expectedSource);
    QCOMPARE(resolved->url, expectedUrl);
    // What may be shown never holds the key.
    if (!expectedKey.isEmpty()) {
        QVERIFY(!resolved->url.contains(expectedKey));
        QVERIFY(!resolved->sourceDescription().contains(expectedKey));
        QVERIFY(!resolved->note.contains(expectedKey));
    }
    if (expectedSource == int(KeySource::Environment))
        QCOMPARE(resolved->variable,
                 apiKeyEnv.isEmpty() ? QStringLiteral("OPENAI_API_KEY") : apiKeyEnv);
}

void TestApiKey::refusals_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("apiKeyEnv");
    QTest::addColumn<QByteArray>("variableValue");  // of TEST_ENDPOINT_KEY
    QTest::addColumn<int>("caller");
    QTest::addColumn<QString>("expectedReason");  // a part of it
    QTest::addColumn<QString>("secret");  // must not be in the message

    const int cli = int(KeyOptions::Caller::Cli), app = int(KeyOptions::Caller::App);
    QTest::newRow("key over http to a LAN host")
        << "http://10.1.2.3:8000/v1"
        << "TEST_ENDPOINT_KEY" << QByteArray("sk-lan") << cli << "over plain HTTP to 10.1.2.3"
        << "sk-lan";
    QTest::newRow("the CLI says how to proceed")
        << "http://gpu-box.lan:8000/v1"
        << "TEST_ENDPOINT_KEY" << QByteArray("sk-lan") << cli
        << "use an https:// endpoint, or pass --allow-insecure-key"
        << "sk-lan";
    QTest::newRow("the app says how to proceed") << "http://gpu-box.lan:8000/v1"
                                                 << "TEST_ENDPOINT_KEY" << QByteArray("sk-lan")
                                                 << app << "tick \"Send the key over plain HTTP\""
                                                 << "sk-lan";
    QTest::newRow("URL credentials over http to a remote host")
        << "http://user:url-secret@203.0.113.9/v1"
        << "" << QByteArray() << cli
        << "(from the URL's credentials) over plain HTTP to 203.0.113.9"
        << "url-secret";
    QTest::newRow("unset variable")
        << "https://llm.example.org/v1"
        << "TEST_ENDPOINT_KEY" << QByteArray() << cli
        << "the environment variable TEST_ENDPOINT_KEY, named for the key of "
           "https://llm.example.org/v1, is not set or empty"
        << "";
    QTest::newRow("a key given instead of a variable name")
        << "https://llm.example.org/v1"
        << "sk-proj-abc/def" << QByteArray() << cli << "must be a name such as GROQ_API_KEY"
        << "sk-proj-abc/def";
    QTest::newRow("credentials and a variable")
        << "https://user:url-secret@llm.example.org/v1"
        << "TEST_ENDPOINT_KEY" << QByteArray("sk-x") << cli << "give only one"
        << "url-secret";
    QTest::newRow("not a URL") << "localhost:8000/v1"
                               << "" << QByteArray() << cli << "is not an http:// or https:// URL"
                               << "";
    QTest::newRow("not http, credentials kept out")
        << "ftp://user:ftp-secret@example.org/v1"
        << "" << QByteArray() << cli << "\"ftp://example.org/v1\" is not an http:// or https:// URL"
        << "ftp-secret";
    QTest::newRow("a line break in the key")
        << "https://llm.example.org/v1"
        << "TEST_ENDPOINT_KEY" << QByteArray("sk-a\nb") << cli << "contains a line break"
        << "sk-a";
}

void TestApiKey::refusals()
{
    QFETCH(QString, url);
    QFETCH(QString, apiKeyEnv);
    QFETCH(QByteArray, variableValue);
    QFETCH(int, caller);
    QFETCH(QString, expectedReason);
    QFETCH(QString, secret);
    m_environment->set("TEST_ENDPOINT_KEY", variableValue);
    KeyOptions options;
    options.apiKeyEnv = apiKeyEnv;
    options.caller = KeyOptions::Caller(caller);
    const auto resolved = resolveEndpoint(url, options);
    QVERIFY(!resolved.ok());
    QCOMPARE(resolved.error().kind, ErrorKind::BadInput);
    QVERIFY2(resolved.error().reason.contains(expectedReason), qPrintable(resolved.error().reason));
    if (!secret.isEmpty())
        QVERIFY2(!resolved.error().toString().contains(secret),
                 qPrintable(resolved.error().toString()));
}

void TestApiKey::openAiKeyNoteSaysHowToSendIt()
{
    m_environment->set("OPENAI_API_KEY", "sk-openai");
    auto cli = resolveEndpoint(QStringLiteral("http://127.0.0.1:8000/v1"));
    QVERIFY(cli.ok());
    QVERIFY2(cli->note.contains(QLatin1String("OPENAI_API_KEY is set but not sent to 127.0.0.1"))
                 && cli->note.contains(QLatin1String("--api-key-env OPENAI_API_KEY")),
             qPrintable(cli->note));
    QVERIFY(!cli->note.contains(QLatin1String("sk-openai")));
    m_environment->set("OPENAI_API_KEY", QByteArray());
    QVERIFY(resolveEndpoint(QStringLiteral("http://127.0.0.1:8000/v1"))->note.isEmpty());
}

void TestApiKey::scrubbing()
{
    QCOMPARE(scrubbedEndpointUrl(QStringLiteral("https://u:p@host:8443/v1?x=1#f")),
             QStringLiteral("https://host:8443/v1?x=1#f"));
    QCOMPARE(scrubbedEndpointUrl(QStringLiteral("http://p@ss:w@rd@host/v1")),
             QStringLiteral("http://host/v1"));
    // An @ after the host is not a credential.
    QCOMPARE(scrubbedEndpointUrl(QStringLiteral("http://host/v1/@models")),
             QStringLiteral("http://host/v1/@models"));
    QCOMPARE(scrubbedEndpointUrl(QStringLiteral("not a url @ all")),
             QStringLiteral("not a url @ all"));
    QVERIFY(hasUrlCredentials(QStringLiteral("https://k@host/v1")));
    QVERIFY(!hasUrlCredentials(QStringLiteral("https://host/v1")));

    QCOMPARE(keychainUrl(QStringLiteral("HTTPS://User:Key@API.Example.ORG:443/V1/")),
             QStringLiteral("https://api.example.org/V1"));
    QCOMPARE(keychainUrl(QStringLiteral("http://127.0.0.1:80/v1")),
             QStringLiteral("http://127.0.0.1/v1"));
    QCOMPARE(keychainUrl(QStringLiteral("http://127.0.0.1:8000/v1")),
             QStringLiteral("http://127.0.0.1:8000/v1"));

    QVERIFY(isLoopbackHost(QStringLiteral("127.0.0.1")));
    QVERIFY(isLoopbackHost(QStringLiteral("127.255.0.9")));
    QVERIFY(isLoopbackHost(QStringLiteral("::1")));
    QVERIFY(isLoopbackHost(QStringLiteral("LocalHost")));
    QVERIFY(isLoopbackHost(QStringLiteral("vllm.localhost")));
    QVERIFY(!isLoopbackHost(QStringLiteral("localhost.example.org")));
    QVERIFY(!isLoopbackHost(QStringLiteral("10.0.0.1")));
    QVERIFY(!isLoopbackHost(QStringLiteral("0.0.0.0")));
}

void TestApiKey::keychainStoreAndLookup()
{
    const QString key = QStringLiteral("sk-stored-through-stdin");
    QVERIFY(storeKeychainKey(QStringLiteral("https://llm.example.org/v1/"), key).ok());
    // Stored under the normalised URL, found from any spelling of it.
    QCOMPARE(m_keychain->entry(QStringLiteral("https://llm.example.org/v1")), key.toUtf8());
    for (const char *spelling :
         { "https://llm.example.org/v1", "HTTPS://LLM.example.org:443/v1/" }) {
        const auto resolved = resolveEndpoint(QString::fromLatin1(spelling));
        QVERIFY(resolved.ok());
        QCOMPARE(resolved->key, key);
        QCOMPARE(resolved->source, KeySource::Keychain);
    }
    // The key went through standard input: no command line carried it.
    QVERIFY(!m_keychain->commandLines().contains(key.toUtf8()));
    QVERIFY(m_keychain->commandLines().contains("store --label=pcstudio API key for "
                                                "https://llm.example.org/v1 service pcstudio "
                                                "url https://llm.example.org/v1"));

    // Entries stored before normalisation, under the URL exactly as typed, are found too.
    m_keychain->setEntry(QStringLiteral("https://old.example.org/v1/"), "sk-old\n");
    const auto old = resolveEndpoint(QStringLiteral("https://old.example.org/v1/"));
    QCOMPARE(old->key, QStringLiteral("sk-old"));

    QVERIFY(
        !storeKeychainKey(QStringLiteral("https://llm.example.org/v1"), QStringLiteral(" ")).ok());
    QVERIFY(!storeKeychainKey(QStringLiteral("https://llm.example.org/v1"), QStringLiteral("a\nb"))
                 .ok());
}

void TestApiKey::brokenKeychain()
{
    m_keychain->setBroken(true);
    const auto broken = resolveEndpoint(QStringLiteral("https://llm.example.org/v1"));
    QVERIFY(broken.ok());
    QVERIFY(broken->key.isEmpty());
    QVERIFY2(broken->note.contains(QLatin1String("Cannot autolaunch D-Bus")),
             qPrintable(broken->note));
    const Status notStored
        = storeKeychainKey(QStringLiteral("https://llm.example.org/v1"), QStringLiteral("sk-x"));
    QVERIFY(!notStored.ok());
    QVERIFY(notStored.error().reason.contains(QLatin1String("did not store the key")));
    QVERIFY(!notStored.error().reason.contains(QLatin1String("sk-x")));
}

void TestApiKey::keySettingsKeepNamesOnly()
{
    QTemporaryDir dir;
    auto store = QueueStore::open(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store.ok());
    const QString endpoint = QStringLiteral("https://api.groq.com/openai/v1");
    QCOMPARE(*endpointKeySettings(**store, endpoint), EndpointKeySettings {});
    QVERIFY(
        setEndpointKeySettings(**store, endpoint, { QStringLiteral("GROQ_API_KEY"), false }).ok());
    QVERIFY(setEndpointKeySettings(**store, QStringLiteral("http://10.0.0.5:8000/v1"),
                                   { QString(), true })
                .ok());
    // Per endpoint, under any spelling of it.
    QCOMPARE(
        endpointKeySettings(**store, QStringLiteral("https://API.groq.com/openai/v1/"))->apiKeyEnv,
        QStringLiteral("GROQ_API_KEY"));
    QVERIFY(!endpointKeySettings(**store, endpoint)->allowInsecureKey);
    QVERIFY(
        endpointKeySettings(**store, QStringLiteral("http://10.0.0.5:8000/v1"))->allowInsecureKey);
    QCOMPARE(*endpointKeySettings(**store, QStringLiteral("https://other.example/v1")),
             EndpointKeySettings {});
    // A key pasted where the name goes is refused, and not kept.
    const Status refused = setEndpointKeySettings(
        **store, endpoint, { QStringLiteral("gsk_live-0123456789abcdef"), false });
    QVERIFY(!refused.ok());
    QVERIFY(!refused.error().reason.contains(QLatin1String("0123456789abcdef")));
    QVERIFY(!store->get()
                 ->property(QStringLiteral("endpoint_keys"))
                 ->contains(QLatin1String("0123456789abcdef")));
    // Defaults again = forgotten.
    QVERIFY(setEndpointKeySettings(**store, endpoint, {}).ok());
    QVERIFY(
        !store->get()->property(QStringLiteral("endpoint_keys"))->contains(QLatin1String("groq")));
}

void TestApiKey::connectionTestReportsCapabilities()
{
    FakeOpenAiServer server;
    QVERIFY(server.listen());
    server.setModels({ QStringLiteral("other"), QStringLiteral("fake-model") });
    // A server that takes temperature 0 and json_schema, and answers logprobs with none (as
    // some do): the test must say that log-probs did not come back.
    server.setDefaultResponder([](const FakeOpenAiServer::ReceivedRequest &request) {
        const QByteArray body = FakeOpenAiServer::completionBody(
            10, request.json.value(QLatin1String("model")).toString(), 5);
        return FakeOpenAiServer::ScriptedReply { 200, body, {}, 0 };
    });
    ConnectionTest test;
    QSignalSpy finished(&test, &ConnectionTest::finished);
    test.start(server.url(), QStringLiteral("sk-test-key"), QStringLiteral("fake-model"));
    QVERIFY(finished.wait(10000));
    const auto report = finished.first().first().value<ConnectionReport>();
    QVERIFY2(report.ok, qPrintable(report.failure));
    QCOMPARE(report.model, QStringLiteral("fake-model"));
    QVERIFY(report.latencyMs >= 0);
    QCOMPARE(report.modelListed, std::optional(true));
    QCOMPARE(report.capabilities.size(), 3);
    QCOMPARE(report.capabilities[0].name, QStringLiteral("temperature 0"));
    QVERIFY(report.capabilities[0].works);
    QCOMPARE(report.capabilities[1].name, QStringLiteral("logprobs"));
    QVERIFY(!report.capabilities[1].works);
    QVERIFY(report.capabilities[1].detail.contains(QLatin1String("no log-probabilities")));
    QCOMPARE(report.capabilities[2].name, QStringLiteral("json_schema strict"));
    QVERIFY(report.capabilities[2].works);
    QVERIFY2(report.summary().contains(QLatin1String("model fake-model answered in")),
             qPrintable(report.summary()));

    // GET /models, then four one-token chat completions, each with the key.
    QCOMPARE(server.totalRequests(), 5);
    QCOMPARE(server.received().at(0).method, QByteArray("GET"));
    for (const QByteArray &header : server.authorizationHeaders())
        QCOMPARE(header, QByteArray("Bearer sk-test-key"));
    const QJsonObject plain = server.received().at(1).json;
    QCOMPARE(plain.value(QLatin1String("max_tokens")).toInt(), 1);
    QVERIFY(!plain.contains(QLatin1String("temperature")));
    QCOMPARE(server.received().at(2).json.value(QLatin1String("temperature")).toInt(-1), 0);
    QVERIFY(server.received().at(3).json.value(QLatin1String("logprobs")).toBool());
    QCOMPARE(server.received()
                 .at(4)
                 .json.value(QLatin1String("response_format"))
                 .toObject()
                 .value(QLatin1String("json_schema"))
                 .toObject()
                 .value(QLatin1String("strict")),
             QJsonValue(true));

    // Without a key: no Authorization header at all; a server with log-probs says they work.
    server.resetStats();
    server.setDefaultResponder([](const FakeOpenAiServer::ReceivedRequest &request) {
        const bool logprobs = request.json.value(QLatin1String("logprobs")).toBool();
        return FakeOpenAiServer::ScriptedReply {
            200,
            FakeOpenAiServer::completionBody(10, QStringLiteral("served-name"), 5,
                                             logprobs ? FakeOpenAiServer::AnswerShape::WithLogprobs
                                                      : FakeOpenAiServer::AnswerShape::Plain),
            {},
            0
        };
    });
    server.setModels({ QStringLiteral("other") });
    test.start(server.url(), QString(), QStringLiteral("fake-model"));
    QVERIFY(finished.wait(10000));
    const auto unkeyed = finished.last().first().value<ConnectionReport>();
    QVERIFY(unkeyed.ok);
    QCOMPARE(unkeyed.model, QStringLiteral("served-name"));
    QCOMPARE(unkeyed.modelListed, std::optional(false));
    QVERIFY(unkeyed.capabilities[1].works);
    for (const QByteArray &header : server.authorizationHeaders())
        QVERIFY(header.isEmpty());
}

void TestApiKey::connectionTestFallsBackToMaxCompletionTokens()
{
    FakeOpenAiServer server;
    QVERIFY(server.listen());
    // As OpenAI's reasoning models answer: max_tokens refused, temperature other than 1 too.
    server.setDefaultResponder([](const FakeOpenAiServer::ReceivedRequest &request) {
        if (request.json.contains(QLatin1String("max_tokens")))
            return FakeOpenAiServer::ScriptedReply {
                400,
                FakeOpenAiServer::errorBody(
                    QStringLiteral("Unsupported parameter: 'max_tokens' is not supported with "
                                   "this model. Use 'max_completion_tokens' instead."),
                    QStringLiteral("invalid_request_error"),
                    QStringLiteral("unsupported_parameter")),
                {},
                0
            };
        if (request.json.contains(QLatin1String("temperature")))
            return FakeOpenAiServer::ScriptedReply {
                400,
                FakeOpenAiServer::errorBody(
                    QStringLiteral("Unsupported value: 'temperature' does not support 0 with "
                                   "this model. Only the default (1) value is supported."),
                    QStringLiteral("invalid_request_error"), QStringLiteral("unsupported_value")),
                {},
                0
            };
        return FakeOpenAiServer::ScriptedReply {
            200, FakeOpenAiServer::completionBody(1, QStringLiteral("o-model"), 5), {}, 0
        };
    });
    ConnectionTest test;
    QSignalSpy finished(&test, &ConnectionTest::finished);
    test.start(server.url(), QString(), QStringLiteral("o-model"));
    QVERIFY(finished.wait(10000));
    const auto report = finished.first().first().value<ConnectionReport>();
    QVERIFY2(report.ok, qPrintable(report.failure));
    QVERIFY(!report.capabilities[0].works);
    QVERIFY2(report.capabilities[0].detail.startsWith(QLatin1String("HTTP 400: Unsupported value")),
             qPrintable(report.capabilities[0].detail));
    QVERIFY(report.summary().contains(QStringLiteral("✘ temperature 0: HTTP 400")));
    QCOMPARE(server.received().last().json.value(QLatin1String("max_completion_tokens")).toInt(),
             1);
}

void TestApiKey::connectionTestFailures()
{
    ConnectionTest test;
    QSignalSpy finished(&test, &ConnectionTest::finished);
    const quint16 port = closedPort();
    test.start(QStringLiteral("http://127.0.0.1:%1/v1").arg(port), QStringLiteral("sk-x"),
               QStringLiteral("m"));
    QVERIFY(finished.wait(10000));
    auto report = finished.last().first().value<ConnectionReport>();
    QVERIFY(!report.ok);
    QVERIFY2(
        report.failure.startsWith(QStringLiteral("cannot connect to 127.0.0.1:%1: ").arg(port)),
        qPrintable(report.failure));

    // A server that never answers: the connect timeout, not a hang.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    test.setConnectTimeoutMs(300);
    test.start(QStringLiteral("http://127.0.0.1:%1/v1").arg(silent.serverPort()), QString(),
               QStringLiteral("m"));
    QVERIFY(finished.wait(5000));
    report = finished.last().first().value<ConnectionReport>();
    QVERIFY2(report.failure.contains(QLatin1String("no answer within 0.3 s")),
             qPrintable(report.failure));

    // A refused key: said so, and the key the server echoes is not repeated.
    FakeOpenAiServer server;
    QVERIFY(server.listen());
    server.setDefaultResponder([](const FakeOpenAiServer::ReceivedRequest &request) {
        return FakeOpenAiServer::ScriptedReply {
            401,
            FakeOpenAiServer::errorBody(
                QStringLiteral("Incorrect API key provided: %1")
                    .arg(QString::fromUtf8(request.headers.value("authorization"))),
                QStringLiteral("invalid_request_error"), QStringLiteral("invalid_api_key")),
            {},
            0
        };
    });
    test.start(server.url(), QStringLiteral("sk-wrong-but-secret"), QStringLiteral("m"));
    QVERIFY(finished.wait(10000));
    report = finished.last().first().value<ConnectionReport>();
    QVERIFY(!report.ok);
    QVERIFY2(report.failure.contains(QLatin1String("HTTP 401: Incorrect API key provided"))
                 && report.failure.contains(QLatin1String("the key was refused")),
             qPrintable(report.failure));
    QVERIFY(!report.summary().contains(QLatin1String("sk-wrong-but-secret")));
}

QTEST_GUILESS_MAIN(TestApiKey)
#include "tst_apikey.moc"
