// Keys go only where they belong, through the command line: `review run` and `bpb compute`
// against scripted servers on 127.0.0.1, with a stand-in secret-tool on PATH. What each server
// received in its Authorization header is checked, and every file and output is searched for the
// secrets that must not be there.
#include "core/review/queuestore.h"
#include "tests/common/fakeopenaiserver.h"
#include "tests/common/fakesecrettool.h"
#include "tests/common/testdata.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTest>
#include <QUrl>

using namespace pcs;
using pcs::test::FakeOpenAiServer;
using pcs::test::FakeSecretTool;

namespace {

QString criteriaPath()
{
    return QStringLiteral(PCSTUDIO_SOURCE_DIR "/resources/criteria/deceptive-content.json");
}

QByteArray jsonl(const QStringList &texts)
{
    QByteArray out;
    for (const QString &text : texts)
        out += QJsonDocument(QJsonObject { { QStringLiteral("text"), text } })
                   .toJson(QJsonDocument::Compact)
            + '\n';
    return out;
}

// Every file in the directory (the queue, its -wal and -shm, exports, stores), concatenated.
QByteArray allBytesUnder(const QString &dir)
{
    QByteArray bytes;
    for (QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
         it.hasNext();) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly))
            bytes += file.readAll();
    }
    return bytes;
}

int portOf(const FakeOpenAiServer &server)
{
    return QUrl(server.url()).port();
}

quint16 closedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

struct CliRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    qint64 ms = 0;
};

// Runs the CLI to its end while this thread's event loop serves the fake servers. The child gets
// this environment without OPENAI_API_KEY, plus `variables` (a null value unsets).
CliRun runCli(const QStringList &arguments, const QHash<QString, QByteArray> &variables = {})
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("OPENAI_API_KEY"));
    environment.insert(QStringLiteral("PATH"), QString::fromLocal8Bit(qgetenv("PATH")));
    for (auto it = variables.cbegin(); it != variables.cend(); ++it) {
        if (it.value().isNull())
            environment.remove(it.key());
        else
            environment.insert(it.key(), QString::fromUtf8(it.value()));
    }
    process.setProcessEnvironment(environment);
    QElapsedTimer clock;
    clock.start();
    process.start(test::cliPath(), arguments);
    CliRun run;
    if (!process.waitForStarted(30000))
        return run;
    while (process.state() != QProcess::NotRunning && clock.elapsed() < 120000)
        QTest::qWait(20);
    run.ms = clock.elapsed();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    if (process.state() == QProcess::NotRunning && process.exitStatus() == QProcess::NormalExit)
        run.exitCode = process.exitCode();
    return run;
}

}  // namespace

class TestKeysCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void reviewRunSendsNoOpenAiKeyToLoopback();
    void reviewRunKeyFromNamedVariable();
    void reviewRunRefusesKeyOverPlainHttp();
    void reviewRunUrlCredentialsNeverStored();
    void bpbComputeKeyPerEndpoint();
    void bpbComputeUrlCredentialsNeverInNames();
    void bpbComputeRefusesBeforeAnyRequest();

private:
    QStringList reviewRun(const QString &input, const QString &endpoint) const
    {
        return { QStringLiteral("review"),        QStringLiteral("run"),
                 QStringLiteral("--input"),       input,
                 QStringLiteral("--db"),          m_db,
                 QStringLiteral("--criteria"),    criteriaPath(),
                 QStringLiteral("--endpoint"),    endpoint,
                 QStringLiteral("--model"),       QStringLiteral("test-model"),
                 QStringLiteral("--concurrency"), QStringLiteral("2") };
    }
    QString input(const QString &name, const QStringList &texts) const
    {
        return test::writeFile(*m_dir, name, jsonl(texts));
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<FakeSecretTool> m_keychain;
    std::unique_ptr<FakeOpenAiServer> m_server;
    QString m_db;
};

void TestKeysCli::init()
{
    m_keychain.reset();
    m_keychain = std::make_unique<FakeSecretTool>();
    QVERIFY(m_keychain->isValid());
    m_dir = std::make_unique<QTemporaryDir>();
    m_server = std::make_unique<FakeOpenAiServer>();
    QVERIFY(m_server->listen());
    m_db = m_dir->filePath(QStringLiteral("queue.sqlite"));
}

void TestKeysCli::cleanup()
{
    m_server.reset();
    m_keychain.reset();
}

// The finding: a loopback test server received the user's OpenAI key.
void TestKeysCli::reviewRunSendsNoOpenAiKeyToLoopback()
{
    const CliRun run
        = runCli(reviewRun(input("a.jsonl", { "One.", "Two.", "Three." }), m_server->url()),
                 { { QStringLiteral("OPENAI_API_KEY"), "sk-openai-LEAKCHECK" } });
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(m_server->totalRequests(), 3);
    for (const QByteArray &header : m_server->authorizationHeaders())
        QVERIFY2(header.isEmpty(), header.constData());
    QVERIFY2(run.err.contains("API key from none"), run.err.constData());
    QVERIFY2(run.err.contains("OPENAI_API_KEY is set but not sent to 127.0.0.1"),
             run.err.constData());
    QVERIFY(!run.err.contains("LEAKCHECK"));
}

// --api-key-env names the variable; the queue keeps the name for reruns, never the key.
void TestKeysCli::reviewRunKeyFromNamedVariable()
{
    const QHash<QString, QByteArray> environment {
        { QStringLiteral("LOCAL_LLM_KEY"), "sk-local-NAMEDSECRET" },
        { QStringLiteral("OPENAI_API_KEY"), "sk-openai-LEAKCHECK" }
    };
    QStringList first = reviewRun(input("a.jsonl", { "One.", "Two." }), m_server->url());
    first << QStringLiteral("--api-key-env") << QStringLiteral("LOCAL_LLM_KEY");
    CliRun run = runCli(first, environment);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.err.contains("API key from the environment variable LOCAL_LLM_KEY"),
             run.err.constData());
    QCOMPARE(m_server->authorizationHeaders(),
             QList<QByteArray>(2, QByteArray("Bearer sk-local-NAMEDSECRET")));

    // A rerun without the option sends the same variable's key to the same endpoint.
    m_server->resetStats();
    run = runCli(reviewRun(input("b.jsonl", { "Three." }), m_server->url()), environment);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.err.contains("kept in the queue by an earlier run"), run.err.constData());
    QCOMPARE(m_server->authorizationHeaders(),
             QList<QByteArray>(1, QByteArray("Bearer sk-local-NAMEDSECRET")));
    QByteArray stored = allBytesUnder(m_dir->path());
    QVERIFY(stored.contains("LOCAL_LLM_KEY"));
    QVERIFY(!stored.contains("NAMEDSECRET"));
    QVERIFY(!stored.contains("LEAKCHECK"));

    // The variable unset: an error before anything is sent, not a run without the key.
    m_server->resetStats();
    run = runCli(reviewRun(input("c.jsonl", { "Four." }), m_server->url()),
                 { { QStringLiteral("LOCAL_LLM_KEY"), QByteArray() } });
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("the environment variable LOCAL_LLM_KEY"), run.err.constData());
    QCOMPARE(m_server->totalRequests(), 0);

    // An empty --api-key-env forgets it.
    run = runCli(reviewRun(input("d.jsonl", { "Five." }), m_server->url())
                     << QStringLiteral("--api-key-env") << QString(),
                 environment);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(!m_server->authorizationHeaders().isEmpty());
    for (const QByteArray &header : m_server->authorizationHeaders())
        QVERIFY(header.isEmpty());
    auto queue = QueueStore::open(m_db);
    QVERIFY(queue.ok());
    QVERIFY(!(*queue)
                 ->property(QStringLiteral("endpoint_keys"))
                 ->contains(QLatin1String("LOCAL_LLM_KEY")));
}

// A key over plain HTTP to another host is refused before the queue changes or anything is sent;
// a host we cannot reach in a test is fine, as nothing may reach it.
void TestKeysCli::reviewRunRefusesKeyOverPlainHttp()
{
    QStringList arguments
        = reviewRun(input("a.jsonl", { "One." }), QStringLiteral("http://192.0.2.10:8000/v1"));
    arguments << QStringLiteral("--api-key-env") << QStringLiteral("LAN_KEY");
    CliRun run = runCli(arguments, { { QStringLiteral("LAN_KEY"), "sk-lan-SECRET" } });
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("refusing to send the API key (from the environment variable "
                              "LAN_KEY) over plain HTTP to 192.0.2.10")
                 && run.err.contains("pass --allow-insecure-key"),
             run.err.constData());
    QVERIFY(run.ms < 20000);
    auto queue = QueueStore::open(m_db);
    QVERIFY(queue.ok());
    QCOMPARE((*queue)->counts()->total, 0);  // not even imported
    QVERIFY((*queue)->property(QStringLiteral("endpoint_keys"))->isEmpty());

    // The same from the keychain, and from credentials in the URL.
    m_keychain->setEntry(QStringLiteral("http://192.0.2.10:8000/v1"), "sk-keychain-SECRET");
    run = runCli(
        reviewRun(input("b.jsonl", { "One." }), QStringLiteral("http://192.0.2.10:8000/v1")));
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("(from the keychain) over plain HTTP"), run.err.constData());
    run = runCli(reviewRun(input("c.jsonl", { "One." }),
                           QStringLiteral("http://user:URLSECRET@192.0.2.10:8000/v1")));
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("(from the URL's credentials) over plain HTTP"), run.err.constData());
    QVERIFY(!run.err.contains("URLSECRET"));
    QVERIFY(!allBytesUnder(m_dir->path()).contains("SECRET"));
}

// Credentials in the URL are the key; the queue, its error column and every output are without
// them, also when the server echoes the key or cannot be reached. (Whether such failures end as
// item errors or stop the run is the runner's business: the secret is in neither.)
void TestKeysCli::reviewRunUrlCredentialsNeverStored()
{
    const QByteArray secret = "URLSECRET123";
    const QString endpoint = QStringLiteral("http://user:%1@127.0.0.1:%2/v1")
                                 .arg(QString::fromLatin1(secret))
                                 .arg(portOf(*m_server));
    const CliRun run = runCli(
        reviewRun(input("a.jsonl", { "Fine. [[score=5]]", "Refused. [[status=401]]" }), endpoint));
    QVERIFY2(run.exitCode == 0 || run.exitCode == 3, run.err.constData());
    QVERIFY(m_server->totalRequests() >= 1);
    for (const QByteArray &header : m_server->authorizationHeaders())
        QCOMPARE(header, "Bearer " + secret);
    QVERIFY2(run.err.contains("review run: http://127.0.0.1:"), run.err.constData());
    QVERIFY2(run.err.contains("API key from the URL's credentials"), run.err.constData());

    // Unreachable, with credentials: the network error names the URL without them.
    const quint16 unreachablePort = closedPort();
    const QString unreachable = QStringLiteral("http://user:%1@127.0.0.1:%2/v1")
                                    .arg(QString::fromLatin1(secret))
                                    .arg(unreachablePort);
    const CliRun failed = runCli(reviewRun(input("b.jsonl", { "Lost." }), unreachable)
                                 << QStringLiteral("--deadline") << QStringLiteral("2"));
    QVERIFY2(failed.exitCode >= 0, failed.err.constData());

    QByteArray errorColumn;
    {
        auto queue = QueueStore::open(m_db);
        QVERIFY(queue.ok());
        for (qint64 id = 1; id <= 3; ++id)
            errorColumn += (*queue)->item(id)->error.toUtf8() + '\n';
    }
    // The server's 401 message echoed the key; what was kept or said has "[api key]" instead.
    QVERIFY2((errorColumn + run.err).contains("Incorrect API key provided: Bearer [api key]"),
             (errorColumn + run.err).constData());
    QVERIFY2((errorColumn + failed.err)
                 .contains(QStringLiteral("http://127.0.0.1:%1/v1").arg(unreachablePort).toUtf8()),
             (errorColumn + failed.err).constData());

    const CliRun status = runCli(
        { QStringLiteral("review"), QStringLiteral("status"), QStringLiteral("--db"), m_db });
    const CliRun exported
        = runCli({ QStringLiteral("review"), QStringLiteral("export"), QStringLiteral("--db"), m_db,
                   QStringLiteral("--output"), m_dir->filePath(QStringLiteral("curated.jsonl")),
                   QStringLiteral("--log"), m_dir->filePath(QStringLiteral("log.csv")) });
    QCOMPARE(exported.exitCode, 0);
    for (const QByteArray &output :
         { run.out, run.err, failed.out, failed.err, status.out, status.err, exported.out,
           exported.err, errorColumn, allBytesUnder(m_dir->path()) })
        QVERIFY2(!output.contains(secret), output.left(2000).constData());
}

// One key per endpoint, in --endpoint order; '' = that endpoint's default.
void TestKeysCli::bpbComputeKeyPerEndpoint()
{
    FakeOpenAiServer other;
    QVERIFY(other.listen());
    const QString texts = test::writeFile(*m_dir, QStringLiteral("t.jsonl"),
                                          "{\"id\": \"d1\", \"text\": \"hello world foo\"}\n");
    const QHash<QString, QByteArray> environment { { QStringLiteral("KEY_A"), "key-a-SECRET" },
                                                   { QStringLiteral("KEY_B"), "key-b-SECRET" },
                                                   { QStringLiteral("OPENAI_API_KEY"),
                                                     "sk-openai-LEAKCHECK" } };
    const auto compute
        = [&](const QString &variableA, const QString &variableB, const QString &output) {
              return runCli({ QStringLiteral("bpb"), QStringLiteral("compute"),
                              QStringLiteral("--texts"), texts, QStringLiteral("--endpoint"),
                              m_server->url(), QStringLiteral("--model"), QStringLiteral("ma"),
                              QStringLiteral("--endpoint"), other.url(), QStringLiteral("--model"),
                              QStringLiteral("mb"), QStringLiteral("--api-key-env"), variableA,
                              QStringLiteral("--api-key-env"), variableB,
                              QStringLiteral("--output"), m_dir->filePath(output) },
                            environment);
          };
    CliRun run = compute(QStringLiteral("KEY_A"), QStringLiteral("KEY_B"), QStringLiteral("1.csv"));
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(m_server->authorizationHeaders(), QList<QByteArray>(1, "Bearer key-a-SECRET"));
    QCOMPARE(other.authorizationHeaders(), QList<QByteArray>(1, "Bearer key-b-SECRET"));

    m_server->resetStats();
    other.resetStats();
    run = compute(QStringLiteral("KEY_B"), QString(), QStringLiteral("2.csv"));
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(m_server->authorizationHeaders(), QList<QByteArray>(1, "Bearer key-b-SECRET"));
    QCOMPARE(other.authorizationHeaders(), QList<QByteArray>(1, QByteArray()));
    QVERIFY2(run.err.contains("OPENAI_API_KEY is set but not sent to 127.0.0.1"),
             run.err.constData());
    const QByteArray files = allBytesUnder(m_dir->path());
    QVERIFY(!files.contains("SECRET") && !files.contains("LEAKCHECK"));
}

void TestKeysCli::bpbComputeUrlCredentialsNeverInNames()
{
    const QString texts = test::writeFile(*m_dir, QStringLiteral("t.jsonl"),
                                          "{\"id\": \"d1\", \"text\": \"hello world foo\"}\n");
    const QString output = m_dir->filePath(QStringLiteral("bpb.csv"));
    const QStringList arguments {
        QStringLiteral("bpb"),
        QStringLiteral("compute"),
        QStringLiteral("--texts"),
        texts,
        QStringLiteral("--endpoint"),
        QStringLiteral("http://u:BPBSECRET@127.0.0.1:%1/v1").arg(portOf(*m_server)),
        QStringLiteral("--model"),
        QStringLiteral("m"),
        QStringLiteral("--output"),
        output
    };
    CliRun run = runCli(arguments);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(m_server->authorizationHeaders(), QList<QByteArray>(1, "Bearer BPBSECRET"));
    QFile csv(output);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(csv.readLine().trimmed(),
             QStringLiteral("id,\"m@http://127.0.0.1:%1/v1\"").arg(portOf(*m_server)).toUtf8());
    // The rerun finds the cell in the store under the same name.
    const CliRun rerun = runCli(arguments);
    QVERIFY2(rerun.exitCode == 0, rerun.err.constData());
    QVERIFY2(rerun.err.contains("1 from the store"), rerun.err.constData());
    for (const QByteArray &bytes :
         { run.out, run.err, rerun.out, rerun.err, allBytesUnder(m_dir->path()) })
        QVERIFY2(!bytes.contains("BPBSECRET"), bytes.left(2000).constData());
}

void TestKeysCli::bpbComputeRefusesBeforeAnyRequest()
{
    const QString texts = test::writeFile(*m_dir, QStringLiteral("t.jsonl"),
                                          "{\"id\": \"d1\", \"text\": \"hello world foo\"}\n");
    const QString output = m_dir->filePath(QStringLiteral("bpb.csv"));
    // The key for the second endpoint may not go there: the first gets no request either.
    CliRun run
        = runCli({ QStringLiteral("bpb"), QStringLiteral("compute"), QStringLiteral("--texts"),
                   texts, QStringLiteral("--endpoint"), m_server->url(), QStringLiteral("--model"),
                   QStringLiteral("ma"), QStringLiteral("--endpoint"),
                   QStringLiteral("http://gpu-box.example:8000/v1"), QStringLiteral("--model"),
                   QStringLiteral("mb"), QStringLiteral("--api-key-env"), QString(),
                   QStringLiteral("--api-key-env"), QStringLiteral("KEY_B"),
                   QStringLiteral("--output"), output },
                 { { QStringLiteral("KEY_B"), "key-b-SECRET" } });
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("over plain HTTP to gpu-box.example")
                 && run.err.contains("--allow-insecure-key"),
             run.err.constData());
    QCOMPARE(m_server->totalRequests(), 0);
    QVERIFY(!QFile::exists(output));
    QVERIFY(!QFile::exists(output + QStringLiteral(".store.sqlite")));

    // One --api-key-env for two endpoints is ambiguous.
    run = runCli({ QStringLiteral("bpb"), QStringLiteral("compute"), QStringLiteral("--texts"),
                   texts, QStringLiteral("--endpoint"), m_server->url(), QStringLiteral("--model"),
                   QStringLiteral("ma"), QStringLiteral("--endpoint"), m_server->url(),
                   QStringLiteral("--model"), QStringLiteral("mb"), QStringLiteral("--api-key-env"),
                   QStringLiteral("KEY_B"), QStringLiteral("--output"), output });
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("give one --api-key-env per --endpoint"), run.err.constData());
    QCOMPARE(m_server->totalRequests(), 0);
}

QTEST_GUILESS_MAIN(TestKeysCli)
#include "tst_keyscli.moc"
