#include "core/bpb/bpbcompute.h"
#include "core/io/bpbwriter.h"
#include "tests/common/fakeopenaiserver.h"
#include "tests/common/testdata.h"

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace pcs;
using pcs::test::FakeOpenAiServer;

namespace {

// The fake server's BPB of a text: its per-word tokens (byte pieces of CJK characters), the
// first one left out.
double expectedBpb(const QString &text)
{
    const auto pieces = FakeOpenAiServer::completionPieces(text);
    double sum = 0;
    for (qsizetype i = 1; i < pieces.size(); ++i)
        sum += pieces[i].logprob;
    return -sum / (std::log(2.0) * double(text.toUtf8().size()));
}

// A text of CJK characters (some split by the fake server into U+FFFD, empty or escaped byte
// pieces), with a few ASCII words and spaces, longer than several windows.
QString cjkText()
{
    QString text;
    for (int i = 0; i < 900; ++i) {
        text += QChar(char16_t(0x4E00 + (i * 37) % 5000));
        if (i % 97 == 96)
            text += QStringLiteral(" word%1 ").arg(i);
    }
    return text;
}

// The BPB of text `text` by LLM `llm`.
double cell(const BpbMatrix &matrix, qsizetype text, qsizetype llm)
{
    return matrix.values(llm, text);
}

QString errorText(const Result<BpbMatrix> &result)
{
    return result.ok() ? QString() : result.error().toString();
}

BpbModel model(const FakeOpenAiServer &server, const QString &name)
{
    BpbModel m;
    m.endpoint.baseUrl = server.url();
    m.endpoint.model = name;
    return m;
}

BpbComputeOptions fastOptions(const QString &store = {})
{
    BpbComputeOptions options;
    options.storePath = store;
    options.limits.concurrency = 1;
    options.limits.maxAttempts = 2;
    options.limits.initialBackoffMs = 10;
    return options;
}

QString longText()
{
    QString text;
    for (int i = 0; i < 400; ++i)
        text += QStringLiteral("w%1%2 ").arg(i).arg(QString(i % 7 + 1, QLatin1Char('x')));
    return text + QStringLiteral("ünïcode end");
}

}  // namespace

class TestBpbCompute : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void handComputed()
    {
        FakeOpenAiServer server;
        QVERIFY(server.listen());
        const std::vector<BpbText> texts { { "a", "hello world foo" }, { "b", "héllo wörld" } };
        BpbComputeStats stats;
        auto matrix = computeBpbMatrix(texts, { model(server, "m1") }, fastOptions(), &stats);
        QVERIFY2(matrix.ok(), qPrintable(matrix.ok() ? QString() : matrix.error().toString()));
        // "hello" (no logprob), " world" -0.5, " foo" -0.3; 15 bytes.
        QCOMPARE(cell(*matrix, 0, 0), 0.8 / (std::log(2.0) * 15));
        // "héllo" (no logprob), " wörld" -0.5; 13 bytes.
        QVERIFY(std::abs(cell(*matrix, 1, 0) - 0.5 / (std::log(2.0) * 13)) < 1e-15);
        QCOMPARE(stats.requestsSent, 2);
        QCOMPARE(matrix->llms, QStringList { "m1@" + server.url() });
        const QJsonObject body = server.received().first().json;
        QCOMPARE(server.received().first().path, QByteArray("/v1/completions?_=/chat/completions"));
        // vLLM's shape: prompt_logprobs, no echo.
        QCOMPARE(body.value("prompt_logprobs").toInt(-1), 0);
        QCOMPARE(body.value("max_tokens").toInt(), 1);
        QVERIFY(!body.contains("echo"));
        QVERIFY(!body.contains("logprobs"));
    }

    // The request body of each --api, exactly; and both read to the same BPB.
    void requestShapes()
    {
        FakeOpenAiServer server;
        QVERIFY(server.listen());
        const std::vector<BpbText> texts { { "a", "hello world foo" } };
        for (const BpbApi api : { BpbApi::Vllm, BpbApi::OpenAiLegacy }) {
            server.resetStats();
            BpbModel m = model(server, "m");
            m.api = api;
            auto matrix = computeBpbMatrix(texts, { m }, fastOptions());
            QVERIFY2(matrix.ok(), qPrintable(errorText(matrix)));
            QCOMPARE(cell(*matrix, 0, 0), 0.8 / (std::log(2.0) * 15));
            QCOMPARE(server.received().size(), 1);
            const QJsonObject body = server.received().first().json;
            QJsonObject expected { { "model", "m" },
                                   { "prompt", "hello world foo" },
                                   { "max_tokens", 1 },
                                   { "temperature", 0 } };
            if (api == BpbApi::Vllm) {
                expected.insert("prompt_logprobs", 0);
            } else {
                expected.insert("echo", true);
                expected.insert("logprobs", 1);
            }
            QCOMPARE(body, expected);
            QCOMPARE(bpbRequestBody(api, "m", "hello world foo"), expected);
        }
        QCOMPARE(bpbApiFromName("openai-legacy"), std::optional(BpbApi::OpenAiLegacy));
        QCOMPARE(bpbApiName(BpbApi::Vllm), QStringLiteral("vllm"));
        QVERIFY(!bpbApiFromName("openai").has_value());

        // A legacy-only server answers nothing to vLLM's shape: the error says what is needed.
        server.setCompletionsLegacyOnly(true);
        auto refused = computeBpbMatrix(texts, { model(server, "m") }, fastOptions());
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().reason.contains("echo+logprobs"), qPrintable(errorText(refused)));
    }

    // A CJK text longer than a window: byte pieces spelled as U+FFFD or "" (vLLM) or
    // "bytes:\xe4\xb8" (legacy) are placed on bytes, so the windows add up to the single window
    // (summing the pieces' lengths as characters would misplace every boundary).
    void cjkWindowsMatchOneWindow_data()
    {
        QTest::addColumn<int>("api");
        QTest::newRow("vllm") << int(BpbApi::Vllm);
        QTest::newRow("openai-legacy") << int(BpbApi::OpenAiLegacy);
    }
    void cjkWindowsMatchOneWindow()
    {
        QFETCH(int, api);
        const QString text = cjkText();
        // The fake really splits characters, in every way it can.
        const auto pieces = FakeOpenAiServer::completionPieces(text);
        QVERIFY(pieces.size() > text.size());
        int replacement = 0, empty = 0, escaped = 0;
        for (const auto &piece : pieces) {
            replacement += piece.vllmText.contains(QChar(0xFFFD)) ? 1 : 0;
            empty += piece.vllmText.isEmpty() ? 1 : 0;
            escaped += piece.legacyText.startsWith("bytes:") ? 1 : 0;
        }
        QVERIFY(replacement > 100 && empty > 100 && escaped > 400);

        FakeOpenAiServer server;
        QVERIFY(server.listen());
        BpbModel m = model(server, "m");
        m.api = BpbApi(api);
        BpbComputeOptions options = fastOptions();
        options.limits.concurrency = 4;
        options.windowChars = 100;
        options.overlapChars = 30;
        BpbComputeStats stats;
        auto windowed = computeBpbMatrix({ { "cjk", text } }, { m }, options, &stats);
        QVERIFY2(windowed.ok(), qPrintable(errorText(windowed)));
        QVERIFY(stats.requestsSent >= 9);
        options.windowChars = 1000000;
        auto whole = computeBpbMatrix({ { "cjk", text } }, { m }, options, &stats);
        QVERIFY2(whole.ok(), qPrintable(errorText(whole)));
        QCOMPARE(stats.requestsSent, 1);
        QVERIFY2(std::abs(cell(*windowed, 0, 0) - cell(*whole, 0, 0)) < 1e-12,
                 qPrintable(QStringLiteral("%1 vs %2")
                                .arg(cell(*windowed, 0, 0), 0, 'g', 17)
                                .arg(cell(*whole, 0, 0), 0, 'g', 17)));
        QVERIFY(std::abs(cell(*whole, 0, 0) - expectedBpb(text)) < 1e-12);
    }

    // Tokens that cannot spell the window (a server that drops a token) with a context: an
    // error that says why, never a guess.
    void unplaceableTokensAreAnError()
    {
        const QJsonObject entry {
            { "1",
              QJsonObject { { "logprob", -0.5 }, { "rank", 1 }, { "decoded_token", " beta" } } }
        };
        const QJsonObject answer {
            { "choices",
              QJsonArray {
                  QJsonObject { { "prompt_logprobs", QJsonArray { QJsonValue::Null, entry } } } } }
        };
        auto placed = scoreCompletionsAnswer(answer, "alpha beta", 3);
        QVERIFY2(placed.ok(), qPrintable(placed.ok() ? QString() : placed.error().reason));
        QCOMPARE(placed->tokens, 1);
        QCOMPARE(placed->logprobSum, -0.5);
        auto unplaceable = scoreCompletionsAnswer(answer, "alpha gamma", 3);
        QVERIFY(!unplaceable.ok());
        QVERIFY2(unplaceable.error().reason.contains("do not spell the window's text"),
                 qPrintable(unplaceable.error().reason));
        // Without a context nothing needs placing: every log-prob counts.
        auto whole = scoreCompletionsAnswer(answer, "alpha gamma", 0);
        QVERIFY(whole.ok());
        QCOMPARE(whole->tokens, 1);

        // Legacy echo whose first token is a special token spelled out: it has no log-prob and
        // is never counted, so its text need not be the prompt's.
        const QJsonObject legacy {
            { "choices",
              QJsonArray { QJsonObject {
                  { "logprobs",
                    QJsonObject {
                        { "tokens", QJsonArray { "<|endoftext|>", "alpha", " beta", " x" } },
                        { "token_logprobs", QJsonArray { QJsonValue::Null, -1.0, -0.5, -5.0 } },
                        { "text_offset", QJsonArray { 0, 13, 18, 23 } } } } } } },
            { "usage", QJsonObject { { "completion_tokens", 1 } } }
        };
        auto special = scoreCompletionsAnswer(legacy, "alpha beta", 3);
        QVERIFY2(special.ok(), qPrintable(special.ok() ? QString() : special.error().reason));
        QCOMPARE(special->tokens, 1);
        QCOMPARE(special->logprobSum, -0.5);
    }

    void twoModelsAndLegacyEcho()
    {
        FakeOpenAiServer vllm, legacy;
        QVERIFY(vllm.listen());
        QVERIFY(legacy.listen());
        legacy.setCompletionsLegacyOnly(true);
        const std::vector<BpbText> texts { { "1", "one two three" },
                                           { "2", "alpha  beta\ngamma " } };
        BpbModel second = model(legacy, "m2");
        second.name = "named \"legacy\"";
        second.api = BpbApi::OpenAiLegacy;
        auto matrix = computeBpbMatrix(texts, { model(vllm, "m1"), second }, fastOptions());
        QVERIFY2(matrix.ok(), qPrintable(matrix.ok() ? QString() : matrix.error().toString()));
        QCOMPARE(matrix->llms.size(), 2);
        for (qsizetype row = 0; row < 2; ++row)
            for (qsizetype column = 0; column < 2; ++column)
                QVERIFY(std::abs(cell(*matrix, row, column) - expectedBpb(texts[size_t(row)].text))
                        < 1e-15);
        QTemporaryDir dir;
        QVERIFY(writeBpbMatrix(dir.filePath("m.csv"), *matrix).ok());
        QFile written(dir.filePath("m.csv"));
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = written.readAll().split('\n');
        QCOMPARE(lines[0], "id,\"m1@" + vllm.url().toUtf8() + "\",\"named \"\"legacy\"\"\"");
        QVERIFY(lines[1].startsWith("1,"));
        QCOMPARE(lines.size(), 4);  // header, two rows, final newline
        QCOMPARE(legacy.received().first().json.value("echo").toBool(), true);
        QVERIFY(!legacy.received().first().json.contains("prompt_logprobs"));
        QVERIFY(!vllm.received().first().json.contains("echo"));
        // Shortest round-trip form.
        QCOMPARE(lines[1].split(',')[1].toDouble(), cell(*matrix, 0, 0));
    }

    void refusingServer()
    {
        FakeOpenAiServer server;
        QVERIFY(server.listen());
        auto matrix = computeBpbMatrix({ { "x", "some [[noprompt]] text" } },
                                       { model(server, "m") }, fastOptions());
        QVERIFY(!matrix.ok());
        QVERIFY2(matrix.error().reason.contains(
                     "the server returned no prompt log-probabilities: it needs vLLM's "
                     "prompt_logprobs or echo+logprobs"),
                 qPrintable(matrix.error().reason));
    }

    void resumesAfterFailure()
    {
        QTemporaryDir dir;
        const QString store = dir.filePath("bpb.sqlite");
        FakeOpenAiServer server;
        QVERIFY(server.listen());
        std::vector<BpbText> texts;
        for (int i = 0; i < 6; ++i)
            texts.push_back({ QString::number(i), QStringLiteral("text number %1 here").arg(i) });
        server.setCompletionsFailAfter(3);
        BpbComputeStats stats;
        auto failed = computeBpbMatrix(texts, { model(server, "m") }, fastOptions(store), &stats);
        QVERIFY(!failed.ok());
        QCOMPARE(stats.textsComputed, 3);
        server.setCompletionsFailAfter(-1);
        const int before = server.completionsRequests();
        auto matrix = computeBpbMatrix(texts, { model(server, "m") }, fastOptions(store), &stats);
        QVERIFY2(matrix.ok(), qPrintable(matrix.ok() ? QString() : matrix.error().toString()));
        QCOMPARE(server.completionsRequests() - before, 3);
        QCOMPARE(stats.textsFromStore, 3);
        QCOMPARE(stats.textsComputed, 3);
        for (size_t i = 0; i < texts.size(); ++i)
            QVERIFY(std::abs(cell(*matrix, qsizetype(i), 0) - expectedBpb(texts[i].text)) < 1e-15);
        // A third run sends nothing; a changed text is recomputed.
        texts[0].text = QStringLiteral("changed text");
        const int again = server.completionsRequests();
        matrix = computeBpbMatrix(texts, { model(server, "m") }, fastOptions(store), &stats);
        QVERIFY(matrix.ok());
        QCOMPARE(server.completionsRequests() - again, 1);
        QVERIFY(std::abs(cell(*matrix, 0, 0) - expectedBpb(texts[0].text)) < 1e-15);
    }

    void windowsMatchOneWindow()
    {
        const QString text = longText();
        const auto windows = bpbWindows(text, 200, 50);
        QVERIFY(windows.size() > 10);
        qsizetype covered = 0;
        for (const BpbWindow &window : windows) {
            QCOMPARE(window.scoredStart, covered);
            QVERIFY(window.end - window.scoredStart <= 200);
            QVERIFY(window.scoredStart - window.contextStart <= 50);
            covered = window.end;
        }
        QCOMPARE(covered, text.size());

        FakeOpenAiServer server;
        QVERIFY(server.listen());
        BpbComputeOptions options = fastOptions();
        options.limits.concurrency = 4;
        options.windowChars = 200;
        options.overlapChars = 50;
        BpbComputeStats stats;
        auto windowed
            = computeBpbMatrix({ { "long", text } }, { model(server, "m") }, options, &stats);
        QVERIFY2(windowed.ok(),
                 qPrintable(windowed.ok() ? QString() : windowed.error().toString()));
        QCOMPARE(stats.requestsSent, int(windows.size()));
        options.windowChars = 1000000;
        auto whole
            = computeBpbMatrix({ { "long", text } }, { model(server, "m") }, options, &stats);
        QVERIFY(whole.ok());
        QCOMPARE(stats.requestsSent, 1);
        QVERIFY(std::abs(cell(*windowed, 0, 0) - cell(*whole, 0, 0)) < 1e-12);
        QVERIFY(std::abs(cell(*whole, 0, 0) - expectedBpb(text)) < 1e-12);

        // A context of a single token (the null first position has no token text).
        options.windowChars = 4;
        options.overlapChars = 2;
        const QString shortText = QStringLiteral("aaa bbb ccc ddd");
        auto tiny
            = computeBpbMatrix({ { "s", shortText } }, { model(server, "m") }, options, &stats);
        QVERIFY2(tiny.ok(), qPrintable(tiny.ok() ? QString() : tiny.error().toString()));
        QCOMPARE(stats.requestsSent, 4);
        QVERIFY(std::abs(cell(*tiny, 0, 0) - expectedBpb(shortText)) < 1e-15);
    }

    void readsJsonl()
    {
        QTemporaryDir dir;
        const QString path = test::writeFile(dir, "t.jsonl",
                                             "{\"id\": \"a\", \"text\": \"x y\"}\n\n{\"text\": "
                                             "\"z\"}\n{\"id\": 7, \"text\": \"q\"}\n");
        auto texts = readBpbTexts(path);
        QVERIFY(texts.ok());
        QCOMPARE(texts->size(), size_t(3));
        QCOMPARE((*texts)[1].id, QStringLiteral("3"));
        QCOMPARE((*texts)[2].id, QStringLiteral("7"));
        const QString dup = test::writeFile(
            dir, "d.jsonl", "{\"id\": 1, \"text\": \"a\"}\n{\"id\": 1, \"text\": \"b\"}\n");
        auto bad = readBpbTexts(dup);
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().line, 2);
    }

    void cli()
    {
        QTemporaryDir dir;
        FakeOpenAiServer a, b;
        QVERIFY(a.listen());
        QVERIFY(b.listen());
        const QString texts = test::writeFile(dir, "t.jsonl",
                                              "{\"doc\": \"d1\", \"body\": \"hello world "
                                              "foo\"}\n{\"doc\": \"d2\", \"body\": \"one two\"}\n");
        const QString output = dir.filePath("bpb.csv");
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove("OPENAI_API_KEY");
        process.setProcessEnvironment(environment);
        process.start(test::cliPath(),
                      { "bpb",        "compute", "--texts",       texts,
                        "--endpoint", a.url(),   "--model",       "ma",
                        "--endpoint", b.url(),   "--model",       "mb",
                        "--name",     "A",       "--name",        "B",
                        "--output",   output,    "--text-field",  "body",
                        "--id-field", "doc",     "--concurrency", "2",
                        "--window",   "100",     "--overlap",     "10",
                        "--api",      "vllm",    "--api",         "openai-legacy" });
        // The fake servers live in this thread: serve them while the CLI runs.
        QElapsedTimer timer;
        timer.start();
        while (process.state() != QProcess::NotRunning && timer.elapsed() < 60000)
            QTest::qWait(20);
        QCOMPARE(process.state(), QProcess::NotRunning);
        const QByteArray errors = process.readAllStandardError();
        if (errors.contains("unknown bpb command"))
            QSKIP("bpb compute is not routed in clibpb.cpp yet");
        QVERIFY2(process.exitCode() == 0, errors.constData());
        QFile file(output);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines[0], QByteArray("id,\"A\",\"B\""));
        QVERIFY(lines[1].startsWith("d1,"));
        QCOMPARE(lines[1].split(',')[1].toDouble(), 0.8 / (std::log(2.0) * 15));
        QCOMPARE(lines[2].split(',')[2].toDouble(), expectedBpb("one two"));
        QVERIFY(QFile::exists(output + ".store.sqlite"));
        QCOMPARE(a.completionsRequests(), 2);
        QVERIFY(a.received().first().json.contains("prompt_logprobs"));
        QCOMPARE(b.received().first().json.value("echo").toBool(), true);
        QVERIFY(!b.received().first().json.contains("prompt_logprobs"));

        // A bad --api is a usage error.
        process.start(test::cliPath(),
                      { "bpb", "compute", "--texts", texts, "--endpoint", a.url(), "--model", "ma",
                        "--output", output, "--api", "openai" });
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitCode(), 2);
        QVERIFY(process.readAllStandardError().contains("--api must be vllm or openai-legacy"));
    }
};

QTEST_GUILESS_MAIN(TestBpbCompute)
#include "tst_bpbcompute.moc"
