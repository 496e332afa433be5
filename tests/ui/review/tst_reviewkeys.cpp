// The Review page's key controls, offscreen, against the scripted server and a stand-in
// secret-tool: where the key comes from, storing one in the keychain, credentials typed into
// the endpoint, the key variable and plain-HTTP consent, Test connection (success and failure),
// and a slow keychain that must not block the GUI thread.
#include "core/review/queuestore.h"
#include "core/workspace/reviewsession.h"
#include "tests/common/fakeopenaiserver.h"
#include "tests/common/fakesecrettool.h"
#include "ui/review/criteriaeditor.h"
#include "ui/review/endpointkeypanel.h"
#include "ui/review/reviewpage.h"

#include <QApplication>
#include <QCheckBox>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>

using namespace pcs;
using pcs::test::FakeOpenAiServer;
using pcs::test::FakeSecretTool;

namespace {

template<typename T> T *child(const QWidget &parent, const char *name)
{
    T *found = parent.findChild<T *>(QString::fromLatin1(name));
    if (!found)
        qWarning("no child %s", name);
    return found;
}

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

quint16 closedPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

// Types into a line edit as a user would, ending with editingFinished.
void enter(QLineEdit *edit, const QString &text)
{
    edit->setText(text);
    Q_EMIT edit->editingFinished();
}

}  // namespace

class TestReviewKeys : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    FakeOpenAiServer m_server;
    std::unique_ptr<FakeSecretTool> m_keychain;
    QByteArray m_savedOpenAiKey;
    int m_projects = 0;

    // A new project with two texts, the scripted server as its endpoint, criteria set.
    std::unique_ptr<ReviewPage> makePage()
    {
        auto page = std::make_unique<ReviewPage>(new ReviewSession);
        const QString name = QStringLiteral("keys-%1").arg(++m_projects);
        if (!page->newProject(m_dir.filePath(name + QStringLiteral(".sqlite"))))
            return nullptr;
        enter(child<QLineEdit>(*page, "reviewEndpoint"), m_server.url());
        enter(child<QLineEdit>(*page, "reviewModel"), QStringLiteral("fake-model"));
        Criteria criteria;
        criteria.name = QStringLiteral("calm");
        criteria.principles = QStringLiteral("Texts are calm and accurate.");
        criteria.examples << FewShotExample { QStringLiteral("All is well."), 0,
                                              QStringLiteral("Calm.") };
        page->criteriaEditor()->setCriteria(criteria);  // what Run stores into the project
        QFile jsonl(m_dir.filePath(name + QStringLiteral(".jsonl")));
        if (!jsonl.open(QIODevice::WriteOnly))
            return nullptr;
        jsonl.write("{\"text\": \"First [[score=10]]\"}\n{\"text\": \"Second [[score=90]]\"}\n");
        jsonl.close();
        QSignalSpy imported(page->session(), &ReviewSession::importFinished);
        if (!page->importFiles({ jsonl.fileName() }))
            return nullptr;
        if (!(imported.count() == 1 || imported.wait(20000)))
            return nullptr;
        return page;
    }

    static QString sourceText(ReviewPage &page)
    {
        return child<QLabel>(page, "reviewApiKeyStatus")->text();
    }
    static bool waitForSource(ReviewPage &page, const QString &part)
    {
        return QTest::qWaitFor([&] { return sourceText(page).contains(part); }, 15000);
    }
    static bool runToEnd(ReviewPage &page)
    {
        QSignalSpy finished(page.session(), &ReviewSession::runFinished);
        if (!page.run())
            return false;
        return finished.count() == 1 || finished.wait(30000);
    }
    // Clicks Test Connection and waits for its verdict.
    static QString testConnection(ReviewPage &page)
    {
        QTest::mouseClick(child<QPushButton>(page, "reviewTestConnection"), Qt::LeftButton);
        auto *result = child<QLabel>(page, "reviewTestResult");
        const bool answered = QTest::qWaitFor(
            [&] {
                return result->text().startsWith(QStringLiteral("✔"))
                    || result->text().startsWith(QStringLiteral("✘"));
            },
            20000);
        return answered ? result->text() : QStringLiteral("(no verdict) ") + result->text();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QApplication::setOrganizationName(QStringLiteral("pcstudio-tests-review-keys"));
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        QVERIFY(m_server.listen());
        m_server.setModels({ QStringLiteral("fake-model") });
        m_keychain = std::make_unique<FakeSecretTool>();
        QVERIFY(m_keychain->isValid());
        // The user's OpenAI key is in the environment: it must reach none of this.
        m_savedOpenAiKey = qgetenv("OPENAI_API_KEY");
        qputenv("OPENAI_API_KEY", "sk-openai-LEAKCHECK");
    }
    void cleanupTestCase()
    {
        if (m_savedOpenAiKey.isNull())
            qunsetenv("OPENAI_API_KEY");
        else
            qputenv("OPENAI_API_KEY", m_savedOpenAiKey);
        m_keychain.reset();
    }
    void init() { m_server.resetStats(); }

    void testConnectionSucceeds()
    {
        // A server that gives log-probs when asked, as vLLM does.
        m_server.setDefaultResponder([](const FakeOpenAiServer::ReceivedRequest &request) {
            const bool logprobs = request.json.value(QLatin1String("logprobs")).toBool();
            return FakeOpenAiServer::ScriptedReply {
                200,
                FakeOpenAiServer::completionBody(
                    10, request.json.value(QLatin1String("model")).toString(), 5,
                    logprobs ? FakeOpenAiServer::AnswerShape::WithLogprobs
                             : FakeOpenAiServer::AnswerShape::Plain),
                {},
                0
            };
        });
        auto page = makePage();
        QVERIFY(page);
        QVERIFY2(waitForSource(*page,
                               QStringLiteral("None: requests go without an "
                                              "Authorization header")),
                 qPrintable(sourceText(*page)));
        QVERIFY(sourceText(*page).contains(
            QStringLiteral("OPENAI_API_KEY is set but not sent to 127.0.0.1")));
        m_server.resetStats();
        const QString result = testConnection(*page);
        QVERIFY2(result.startsWith(QStringLiteral("✔ Connected to %1: model fake-model answered "
                                                  "in ")
                                       .arg(m_server.url()))
                     && result.contains(QStringLiteral("ms (listed by /models)")),
                 qPrintable(result));
        QVERIFY2(result.contains(QStringLiteral("✔ temperature 0"))
                     && result.contains(QStringLiteral("✔ logprobs"))
                     && result.contains(QStringLiteral("✔ json_schema strict"))
                     && result.contains(QStringLiteral("Key sent: none")),
                 qPrintable(result));
        QCOMPARE(m_server.totalRequests(), 5);
        for (const QByteArray &header : m_server.authorizationHeaders())
            QVERIFY2(header.isEmpty(), header.constData());
        m_server.setDefaultResponder({});
    }

    void testConnectionFails()
    {
        auto page = makePage();
        QVERIFY(page);
        const quint16 port = closedPort();
        enter(child<QLineEdit>(*page, "reviewEndpoint"),
              QStringLiteral("http://127.0.0.1:%1/v1").arg(port));
        const QString result = testConnection(*page);
        QVERIFY2(result.startsWith(QStringLiteral("✘ cannot connect to 127.0.0.1:%1: ").arg(port)),
                 qPrintable(result));
        QVERIFY(child<QPushButton>(*page, "reviewTestConnection")->isEnabled());
    }

    void keyFieldStoresInKeychain()
    {
        auto page = makePage();
        QVERIFY(page);
        const QString key = QStringLiteral("sk-typed-KEYCHAINSECRET");
        auto *field = child<QLineEdit>(*page, "reviewApiKeyField");
        QCOMPARE(field->echoMode(), QLineEdit::Password);
        QTest::keyClicks(field, key);
        QTest::mouseClick(child<QPushButton>(*page, "reviewStoreApiKey"), Qt::LeftButton);
        QVERIFY2(waitForSource(
                     *page, QStringLiteral("From the keychain entry for %1").arg(m_server.url())),
                 qPrintable(sourceText(*page)));
        QVERIFY(field->text().isEmpty());
        QCOMPARE(m_keychain->entry(m_server.url()), key.toUtf8());
        QVERIFY(!m_keychain->commandLines().contains(key.toUtf8()));

        m_server.resetStats();
        QVERIFY(testConnection(*page).contains(QStringLiteral("Key sent: the keychain")));
        QVERIFY(runToEnd(*page));
        QVERIFY(m_server.totalRequests() >= 7);  // the test's five, the run's two
        for (const QByteArray &header : m_server.authorizationHeaders())
            QCOMPARE(header, QByteArray("Bearer ") + key.toUtf8());
        const QString queue = page->session()->queuePath();
        page.reset();
        QVERIFY(!allBytesUnder(QFileInfo(queue).absolutePath()).contains("KEYCHAINSECRET"));
        m_keychain->setEntry(m_server.url(), QByteArray());  // nothing for the next tests
    }

    void urlCredentialsTypedIntoEndpoint()
    {
        auto page = makePage();
        QVERIFY(page);
        const QUrl server(m_server.url());
        auto *endpoint = child<QLineEdit>(*page, "reviewEndpoint");
        enter(endpoint,
              QStringLiteral("http://user:PAGESECRET@127.0.0.1:%1/v1").arg(server.port()));
        // The field and the project keep the URL without them; the session has the key.
        QCOMPARE(endpoint->text(), m_server.url());
        QCOMPARE(page->session()->settings().endpoint, m_server.url());
        QVERIFY(page->session()->hasSessionCredentials());
        QVERIFY2(waitForSource(*page,
                               QStringLiteral("From the credentials typed into the "
                                              "endpoint URL")),
                 qPrintable(sourceText(*page)));
        m_server.resetStats();
        QVERIFY(runToEnd(*page));
        QCOMPARE(m_server.authorizationHeaders(), QList<QByteArray>(2, "Bearer PAGESECRET"));
        const QString queue = page->session()->queuePath();
        page.reset();
        QVERIFY(!allBytesUnder(QFileInfo(queue).absolutePath()).contains("PAGESECRET"));
    }

    void keyVariableAndPlainHttpConsent()
    {
        qputenv("PAGE_KEY", "sk-page-VARSECRET");
        auto page = makePage();
        QVERIFY(page);
        enter(child<QLineEdit>(*page, "reviewApiKeyEnv"), QStringLiteral("PAGE_KEY"));
        QVERIFY2(waitForSource(*page, QStringLiteral("From the environment variable PAGE_KEY.")),
                 qPrintable(sourceText(*page)));
        m_server.resetStats();
        QVERIFY(runToEnd(*page));
        QCOMPARE(m_server.authorizationHeaders(), QList<QByteArray>(2, "Bearer sk-page-VARSECRET"));

        // Another host over plain HTTP: refused until the user consents for that endpoint.
        enter(child<QLineEdit>(*page, "reviewEndpoint"),
              QStringLiteral("http://192.0.2.10:8000/v1"));
        QVERIFY(child<QLineEdit>(*page, "reviewApiKeyEnv")->text().isEmpty());  // per endpoint
        enter(child<QLineEdit>(*page, "reviewApiKeyEnv"), QStringLiteral("PAGE_KEY"));
        QVERIFY2(waitForSource(*page, QStringLiteral("tick \"Send the key over plain HTTP\"")),
                 qPrintable(sourceText(*page)));
        QSignalSpy failed(page->session(), &ReviewSession::runFailed);
        QVERIFY(page->run());  // the refusal comes once the key is resolved, before any request
        QVERIFY(failed.count() == 1 || failed.wait(15000));
        QVERIFY(failed.first().first().value<Error>().reason.contains(
            QLatin1String("over plain HTTP to 192.0.2.10")));
        QVERIFY(!page->session()->isRunning());
        child<QCheckBox>(*page, "reviewAllowInsecureKey")->setChecked(true);
        QVERIFY2(waitForSource(*page, QStringLiteral("From the environment variable PAGE_KEY.")),
                 qPrintable(sourceText(*page)));
        const auto kept = page->session()->endpointKeySettings();
        QVERIFY(kept && kept->allowInsecureKey && kept->apiKeyEnv == QLatin1String("PAGE_KEY"));
        const QString queue = page->session()->queuePath();
        page.reset();
        const QByteArray bytes = allBytesUnder(QFileInfo(queue).absolutePath());
        QVERIFY(bytes.contains("PAGE_KEY"));
        QVERIFY(!bytes.contains("VARSECRET"));
        QVERIFY(!bytes.contains("LEAKCHECK"));
        qunsetenv("PAGE_KEY");
    }

    // A project saved before credentials were kept out: opening it takes them out of the file.
    void olderProjectLosesItsCredentials()
    {
        const QString path = m_dir.filePath(QStringLiteral("older.sqlite"));
        {
            auto store = QueueStore::open(path);
            QVERIFY(store.ok());
            QVERIFY((*store)
                        ->setProperty(QStringLiteral("settings"),
                                      QStringLiteral("{\"endpoint\": \"https://u:OLDSECRET@"
                                                     "llm.example.org/v1\", \"model\": \"m\"}"))
                        .ok());
        }
        ReviewPage page(new ReviewSession);
        QVERIFY(page.openProject(path));
        QCOMPARE(child<QLineEdit>(page, "reviewEndpoint")->text(),
                 QStringLiteral("https://llm.example.org/v1"));
        QVERIFY(page.session()->hasSessionCredentials());
        QVERIFY2(waitForSource(page,
                               QStringLiteral("From the credentials typed into the "
                                              "endpoint URL")),
                 qPrintable(sourceText(page)));
        page.session()->close();
        QVERIFY(!allBytesUnder(m_dir.path()).contains("OLDSECRET"));
    }

    // secret-tool taking 2 s (a keychain that prompts): the page and the run go on meanwhile.
    void slowKeychainDoesNotBlock()
    {
        auto page = makePage();
        QVERIFY(page);
        QVERIFY(QTest::qWaitFor([&] { return !page->keyPanel()->isBusy(); }, 15000));
        m_keychain->setDelaySeconds(2);
        QElapsedTimer clock;
        clock.start();
        page->keyPanel()->refresh();
        QVERIFY2(clock.elapsed() < 500, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(sourceText(*page), QStringLiteral("Looking the key up…"));

        clock.restart();
        QSignalSpy finished(page->session(), &ReviewSession::runFinished);
        QVERIFY2(page->run(), qPrintable(page->errorText()));
        QVERIFY2(clock.elapsed() < 500, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(page->session()->isRunning());
        // Events keep flowing while the keychain is asked.
        int timerCalls = 0;
        QTimer timer;
        QObject::connect(&timer, &QTimer::timeout, [&] { ++timerCalls; });
        timer.start(50);
        QVERIFY(finished.wait(30000));
        QVERIFY2(timerCalls >= 20, qPrintable(QString::number(timerCalls)));  // ~2 s of ticks
        QVERIFY(waitForSource(*page, QStringLiteral("None: requests go")));
        m_keychain->setDelaySeconds(0);
    }
};

QTEST_MAIN(TestReviewKeys)
#include "tst_reviewkeys.moc"
