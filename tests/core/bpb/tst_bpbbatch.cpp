// bpb batch-export / batch-import against bpb compute: the fake server's answers over HTTP and
// the same model's answers through Batch API files (a stand-in for `vllm run-batch`) give the
// same matrix to the last bit; sharding within the limits; every bad result file a clear error.
#include "core/bpb/bpbbatch.h"
#include "core/io/bpbwriter.h"
#include "tests/common/fakeopenaiserver.h"
#include "tests/common/faults.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cstring>

using namespace pcs;
using pcs::test::FakeOpenAiServer;

namespace {

QString errorText(const Result<BpbMatrix> &result)
{
    return result.ok() ? QString() : result.error().toString();
}

// Short texts, one over several windows, and CJK characters the fake splits into byte pieces.
std::vector<BpbText> sampleTexts()
{
    QString long1, cjk;
    for (int i = 0; i < 120; ++i)
        long1 += QStringLiteral("w%1%2 ").arg(i).arg(QString(i % 5 + 1, QLatin1Char('x')));
    for (int i = 0; i < 300; ++i) {
        cjk += QChar(char16_t(0x4E00 + (i * 37) % 5000));
        if (i % 41 == 40)
            cjk += QStringLiteral(" word%1 ").arg(i);
    }
    return { { "a", "hello world foo" },
             { "long", long1 + QStringLiteral("ünïcode end") },
             { "b, \"quoted\"", "héllo wörld" },
             { "cjk", cjk } };
}

BpbBatchSettings settingsFor(BpbApi api, const QString &model = QStringLiteral("m"))
{
    BpbBatchSettings settings;
    settings.model = model;
    settings.api = api;
    settings.windowChars = 120;
    settings.overlapChars = 30;
    return settings;
}

QString standIn()
{
    return QStringLiteral(PCSTUDIO_FAKE_VLLM_RUN_BATCH);
}

// Runs the stand-in on one request file; its exit code.
int runStandIn(const QString &requests, const QString &results, const QString &model,
               bool acceptCompletions = false)
{
    QStringList arguments { "run-batch", "-i", requests, "-o", results, "--model", model };
    if (acceptCompletions)
        arguments << "--accept-completions";
    QProcess process;
    process.start(standIn(), arguments);
    if (!process.waitForFinished(60000))
        return -1;
    return process.exitCode();
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Writes `lines` (each with its newline) as a file in `dir`.
QString writeLines(const QTemporaryDir &dir, const QString &name, const QList<QByteArray> &lines)
{
    QByteArray content;
    for (const QByteArray &line : lines)
        content += line;
    return test::writeFile(dir, name, content);
}

QList<QByteArray> linesOf(const QString &path)
{
    QList<QByteArray> lines;
    for (const QByteArray &line : readAll(path).split('\n'))
        if (!line.isEmpty())
            lines << line + '\n';
    return lines;
}

// Bit for bit, NaN included.
bool sameBits(const BpbMatrix &a, const BpbMatrix &b)
{
    return a.llms == b.llms && a.texts == b.texts && a.values.rows() == b.values.rows()
        && a.values.cols() == b.values.cols()
        && std::memcmp(a.values.data(), b.values.data(), size_t(a.values.size()) * sizeof(double))
        == 0;
}

}  // namespace

class TestBpbBatch : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    // The matrix bpb compute gets from the live fake server, column "m".
    BpbMatrix computed(BpbApi api)
    {
        FakeOpenAiServer server;
        if (!server.listen())
            return {};
        BpbModel model;
        model.name = QStringLiteral("m");
        model.endpoint.baseUrl = server.url();
        model.endpoint.model = QStringLiteral("m");
        model.api = api;
        BpbComputeOptions options;
        options.windowChars = 120;
        options.overlapChars = 30;
        options.limits.concurrency = 4;  // answers arrive out of order
        auto matrix = computeBpbMatrix(sampleTexts(), { model }, options);
        return matrix.ok() ? *matrix : BpbMatrix {};
    }

    // Exports, runs every shard through the stand-in, returns the result files (last first).
    QStringList exportAndRun(const QString &name, const BpbBatchSettings &settings,
                             const BatchFileLimits &limits)
    {
        const QString folder = m_dir.filePath(name);
        QDir().mkpath(folder);
        auto summary = exportBpbBatch(sampleTexts(), settings, folder + "/requests.jsonl", limits);
        if (!summary)
            return {};
        QStringList results;
        for (const auto &file : summary->files) {
            const QString result = file.path + ".results.jsonl";
            if (runStandIn(file.path, result, settings.model, settings.api != BpbApi::VllmChat)
                != 0)
                return {};
            results.prepend(result);
        }
        return results;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // The server path and the batch path, each request shape: the same bits.
    void batchEqualsCompute_data()
    {
        QTest::addColumn<int>("api");
        QTest::newRow("vllm-chat") << int(BpbApi::VllmChat);
        QTest::newRow("vllm") << int(BpbApi::Vllm);
        QTest::newRow("openai-legacy") << int(BpbApi::OpenAiLegacy);
    }
    void batchEqualsCompute()
    {
        QFETCH(int, api);
        // bpb compute's default shape (vllm /completions) for the chat batch: the same tokens.
        const BpbMatrix live
            = computed(BpbApi(api) == BpbApi::VllmChat ? BpbApi::Vllm : BpbApi(api));
        QCOMPARE(live.texts.size(), 4);
        QVERIFY(live.values.allFinite());
        // bpb compute in the chat shape (vLLM's /chat/completions) reads the same log-probs.
        if (BpbApi(api) == BpbApi::VllmChat)
            QVERIFY(sameBits(computed(BpbApi::VllmChat), live));
        BatchFileLimits limits;
        limits.maxRequests = 4;  // several shards, read back last first
        const QStringList results
            = exportAndRun(QStringLiteral("equal-%1").arg(api), settingsFor(BpbApi(api)), limits);
        QVERIFY(results.size() >= 3);
        BpbBatchImportSummary summary;
        auto imported
            = importBpbBatch(sampleTexts(), { settingsFor(BpbApi(api)) }, results, &summary);
        QVERIFY2(imported.ok(), qPrintable(errorText(imported)));
        QVERIFY2(sameBits(*imported, live),
                 qPrintable(QStringLiteral("%1 vs %2")
                                .arg(imported->values(0, 3), 0, 'g', 17)
                                .arg(live.values(0, 3), 0, 'g', 17)));
        QCOMPARE(summary.files, results.size());
        QVERIFY(summary.windows > 8);  // the long and CJK texts have several windows
        QCOMPARE(summary.lines, summary.windows);
    }

    // A text of several windows read back: its value is the windows' log-probs over its bytes,
    // by hand from the fake's pieces (independently of the import's arithmetic).
    void handComputedCell()
    {
        const BpbBatchSettings settings = settingsFor(BpbApi::VllmChat);
        const QStringList results = exportAndRun("hand", settings, {});
        QCOMPARE(results.size(), 1);
        auto imported = importBpbBatch(sampleTexts(), { settings }, results);
        QVERIFY2(imported.ok(), qPrintable(errorText(imported)));
        const QString text = sampleTexts()[1].text;
        const auto pieces = FakeOpenAiServer::completionPieces(text);
        double sum = 0;
        for (qsizetype i = 1; i < pieces.size(); ++i)
            sum += pieces[i].logprob;
        QVERIFY(std::abs(imported->values(0, 1) + sum / (std::log(2.0) * text.toUtf8().size()))
                < 1e-12);
        QCOMPARE(imported->values(0, 0), 0.8 / (std::log(2.0) * 15));
    }

    // The request lines: every window once, within the limits, in the documented shape.
    void requestFilesWithinLimits()
    {
        const BpbBatchSettings settings = settingsFor(BpbApi::VllmChat);
        const QString folder = m_dir.filePath("limits");
        QDir().mkpath(folder);
        BatchFileLimits limits;
        limits.maxRequests = 0;
        limits.maxBytes = 2500;
        auto summary = exportBpbBatch(sampleTexts(), settings, folder + "/requests.jsonl", limits);
        QVERIFY2(summary.ok(), qPrintable(summary.ok() ? QString() : summary.error().toString()));
        QVERIFY(summary->files.size() >= 3);
        QSet<QString> ids;
        qint64 windows = 0;
        for (const BpbText &text : sampleTexts())
            windows += qint64(bpbWindows(text.text, 120, 30).size());
        for (const auto &file : summary->files) {
            QVERIFY(QRegularExpression("requests-\\d{3}\\.jsonl$").match(file.path).hasMatch());
            const QByteArray content = readAll(file.path);
            QCOMPARE(qint64(content.size()), file.bytes);
            QVERIFY(file.bytes <= 2500);
            for (const QByteArray &line : linesOf(file.path)) {
                const QJsonObject request = QJsonDocument::fromJson(line).object();
                const QString id = request.value("custom_id").toString();
                QVERIFY2(QRegularExpression("^bpb-\\d+-\\d+-[0-9a-f]{16}$").match(id).hasMatch(),
                         qPrintable(id));
                QVERIFY(!ids.contains(id));
                ids.insert(id);
                QCOMPARE(request.value("url").toString(), QStringLiteral("/v1/chat/completions"));
                const QJsonObject body = request.value("body").toObject();
                QCOMPARE(body.value("chat_template").toString(),
                         QLatin1String(kBpbRawTextChatTemplate));
                QCOMPARE(body.value("add_generation_prompt").toBool(true), false);
                QCOMPARE(body.value("add_special_tokens").toBool(), true);
                QCOMPARE(body.value("prompt_logprobs").toInt(-1), 0);
                QCOMPARE(body.value("max_completion_tokens").toInt(), 1);
            }
        }
        QCOMPARE(qint64(ids.size()), windows);
        QCOMPARE(summary->requests, windows);

        // The completions shapes.
        const QJsonObject legacy = bpbRequestBody(BpbApi::OpenAiLegacy, "m", "x y");
        QCOMPARE(legacy.value("echo").toBool(), true);
        QCOMPARE(bpbRequestUrl(BpbApi::OpenAiLegacy), QStringLiteral("/v1/completions"));
        QCOMPARE(bpbRequestUrl(BpbApi::Vllm), QStringLiteral("/v1/completions"));

        // A window whose request alone is over the byte limit: named, nothing written.
        limits.maxBytes = 300;
        const QString tooSmall = folder + "/small.jsonl";
        auto refused = exportBpbBatch(sampleTexts(), settings, tooSmall, limits);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().reason.contains("text \"a\" (number 1), window 0"),
                 qPrintable(refused.error().reason));
        QVERIFY(!QFile::exists(tooSmall));
    }

    // The check of a custom_id depends on the model, the shape and the window settings.
    void customIdsAreChecked()
    {
        const BpbText text { "t", "one two three" };
        const BpbWindow window { 0, 0, text.text.size() };
        const QString id
            = bpbBatchCustomId(settingsFor(BpbApi::VllmChat), 0, text.id, window, text.text, 0);
        QVERIFY(id.startsWith("bpb-0-0-"));
        QVERIFY(id
                != bpbBatchCustomId(settingsFor(BpbApi::VllmChat, "other"), 0, text.id, window,
                                    text.text, 0));
        QVERIFY(id
                != bpbBatchCustomId(settingsFor(BpbApi::Vllm), 0, text.id, window, text.text, 0));
        BpbBatchSettings wider = settingsFor(BpbApi::VllmChat);
        wider.windowChars = 121;
        QVERIFY(id != bpbBatchCustomId(wider, 0, text.id, window, text.text, 0));
        QVERIFY(id
                != bpbBatchCustomId(settingsFor(BpbApi::VllmChat), 0, text.id, window,
                                    QStringLiteral("one two threE"), 0));
    }

    // Every bad results file: the file, the line and why.
    void badResultsAreClearErrors()
    {
        const BpbBatchSettings settings = settingsFor(BpbApi::VllmChat);
        BatchFileLimits limits;
        limits.maxRequests = 5;
        const QStringList results = exportAndRun("bad", settings, limits);
        QVERIFY(results.size() >= 2);
        const auto importError
            = [&](const QStringList &files, const std::vector<BpbBatchSettings> &models) {
                  auto imported = importBpbBatch(sampleTexts(), models, files);
                  return imported.ok() ? Error::internal("imported") : imported.error();
              };

        // A file given twice: the duplicate names both places.
        Error error = importError(results + QStringList { results.first() }, { settings });
        QVERIFY2(error.reason.contains("was read before, at " + results.first() + ":1"),
                 qPrintable(error.toString()));
        QCOMPARE(error.file, results.first());
        QCOMPARE(error.line, 1);

        // A shard missing.
        error = importError(results.mid(1), { settings });
        QVERIFY2(error.reason.contains("windows have no result") && error.reason.contains("(m)"),
                 qPrintable(error.toString()));

        // Results of another model or other settings: foreign.
        error = importError(results, { settingsFor(BpbApi::VllmChat, "other") });
        QVERIFY2(error.reason.contains("does not belong to text"), qPrintable(error.toString()));
        QCOMPARE(error.file, results.first());
        BpbBatchSettings wider = settings;
        wider.windowChars = 5000;  // the long texts now have one window: window 1 is foreign
        error = importError(results, { wider });
        QVERIFY2(error.reason.contains("do not have") || error.reason.contains("does not belong"),
                 qPrintable(error.toString()));

        QList<QByteArray> lines = linesOf(results.last());
        QVERIFY(lines.size() >= 3);
        // A broken line, a custom_id of another kind, a failed request.
        QList<QByteArray> broken = lines;
        broken[1] = "{\"custom_id\": \"bpb-0-0\n";
        error = importError({ writeLines(m_dir, "broken.jsonl", broken) }, { settings });
        QCOMPARE(error.line, 2);
        QVERIFY2(error.reason.contains("not a result line"), qPrintable(error.toString()));
        QVERIFY(error.file.endsWith("broken.jsonl"));
        QList<QByteArray> foreign = lines;
        foreign[2] = "{\"custom_id\": \"item-7\", \"response\": {}}\n";
        error = importError({ writeLines(m_dir, "foreign.jsonl", foreign) }, { settings });
        QCOMPARE(error.line, 3);
        QVERIFY2(error.reason.contains("\"item-7\" is not one of bpb batch-export's"),
                 qPrintable(error.toString()));
        QList<QByteArray> outOfRange = lines;
        outOfRange[0] = "{\"custom_id\": \"bpb-99-0-0123456789abcdef\"}\n";
        error = importError({ writeLines(m_dir, "range.jsonl", outOfRange) }, { settings });
        QVERIFY2(error.reason.contains("names text 100, window 0"), qPrintable(error.toString()));

        // run-batch answering a request with an error line: its reason, not a number.
        const QString requests = m_dir.filePath("bad/requests-001.jsonl");
        const QString wrongModel = m_dir.filePath("wrong-model.jsonl");
        QCOMPARE(runStandIn(requests, wrongModel, "not-m"), 0);
        error = importError({ wrongModel }, { settings });
        QVERIFY2(error.reason.contains("failed (http_404): The model `m` does not exist"),
                 qPrintable(error.toString()));
        QCOMPARE(error.line, 1);

        // /v1/completions through run-batch: vLLM's refusal, said as vLLM says it.
        const QString folder = m_dir.filePath("completions");
        QDir().mkpath(folder);
        const BpbBatchSettings completions = settingsFor(BpbApi::Vllm);
        QVERIFY(exportBpbBatch(sampleTexts(), completions, folder + "/requests.jsonl", {}).ok());
        const QString refused = folder + "/results.jsonl";
        QCOMPARE(runStandIn(folder + "/requests.jsonl", refused, "m"), 0);
        error = importError({ refused }, { completions });
        QVERIFY2(error.reason.contains("URL /v1/completions was used. Supported endpoints"),
                 qPrintable(error.toString()));

        // An answer without prompt log-probs (a server that ignored prompt_logprobs).
        QList<QByteArray> bare = lines;
        QJsonObject result = QJsonDocument::fromJson(bare[0]).object();
        QJsonObject response = result.value("response").toObject();
        QJsonObject body = response.value("body").toObject();
        body.remove("prompt_logprobs");
        response.insert("body", body);
        result.insert("response", response);
        bare[0] = QJsonDocument(result).toJson(QJsonDocument::Compact) + '\n';
        error = importError({ writeLines(m_dir, "bare.jsonl", bare) }, { settings });
        QVERIFY2(error.reason.contains("no prompt log-probabilities"),
                 qPrintable(error.toString()));
        QCOMPARE(error.line, 1);
    }

    // Two models' exports in one import: one column each.
    void twoModelsOneMatrix()
    {
        const BpbBatchSettings first = settingsFor(BpbApi::VllmChat, "m");
        BpbBatchSettings second = settingsFor(BpbApi::VllmChat, "m2");
        second.name = "second";
        const QStringList results
            = exportAndRun("two-a", first, {}) + exportAndRun("two-b", second, {});
        QCOMPARE(results.size(), 2);
        auto imported = importBpbBatch(sampleTexts(), { first, second }, results);
        QVERIFY2(imported.ok(), qPrintable(errorText(imported)));
        QCOMPARE(imported->llms, QStringList({ "m", "second" }));
        // The fake's log-probs do not depend on the model.
        QVERIFY(imported->values.row(0) == imported->values.row(1));
    }

    // The commands end to end: bpb compute and export → stand-in → import write the same bytes.
    void cliMatchesCompute()
    {
        const QString folder = m_dir.filePath("cli");
        QDir().mkpath(folder);
        QByteArray jsonl;
        for (const BpbText &text : sampleTexts())
            jsonl += QJsonDocument(QJsonObject { { "id", text.id }, { "text", text.text } })
                         .toJson(QJsonDocument::Compact)
                + '\n';
        const QString texts = test::writeFile(m_dir, "cli/texts.jsonl", jsonl);
        const QStringList windowing { "--window", "120", "--overlap", "30" };

        FakeOpenAiServer server;
        QVERIFY(server.listen());
        const QString computedCsv = folder + "/computed.csv";
        QProcess compute;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove("OPENAI_API_KEY");
        compute.setProcessEnvironment(environment);
        compute.start(test::cliPath(),
                      QStringList { "bpb", "compute", "--texts", texts, "--endpoint", server.url(),
                                    "--model", "m", "--name", "pythia", "--output", computedCsv }
                          + windowing);
        QElapsedTimer timer;
        timer.start();
        while (compute.state() != QProcess::NotRunning && timer.elapsed() < 60000)
            QTest::qWait(20);  // the fake server lives in this thread
        QVERIFY2(compute.exitCode() == 0, compute.readAllStandardError().constData());

        const QString requests = folder + "/requests";
        const test::CliRun exported
            = test::runCli(QStringList { "bpb", "batch-export", "--texts", texts, "--model", "m",
                                         "--max-requests", "5", "--output-dir", requests }
                           + windowing);
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        QVERIFY2(exported.err.contains("requests (vllm-chat, /v1/chat/completions)"),
                 exported.err.constData());
        const QList<QByteArray> listed = readAll(requests + "/requests.txt").split('\n');
        QVERIFY(listed.size() >= 4);
        QStringList results;
        for (const QByteArray &path : listed) {
            if (path.isEmpty())
                continue;
            QVERIFY(QFileInfo(QString::fromUtf8(path)).isAbsolute());
            const QString result = QString::fromUtf8(path) + ".out";
            QCOMPARE(runStandIn(QString::fromUtf8(path), result, "m"), 0);
            results.prepend(result);
        }
        for (const QString &output : { QStringLiteral("imported.csv"), QStringLiteral("m.npy") }) {
            const test::CliRun imported = test::runCli(
                QStringList { "bpb", "batch-import", "--texts", texts, "--model", "m", "--name",
                              "pythia", "--output", folder + "/" + output, "--results" }
                + results + windowing);
            QVERIFY2(imported.exitCode == 0, imported.err.constData());
        }
        QCOMPARE(readAll(folder + "/imported.csv"), readAll(computedCsv));
        QVERIFY(readAll(computedCsv).startsWith("id,\"pythia\"\n"));
        QVERIFY(QFile::exists(folder + "/m.texts.txt"));

        // Missing results: exit 2 and the reason; an unknown --api: a usage error.
        const test::CliRun partial = test::runCli(
            QStringList { "bpb", "batch-import", "--texts", texts, "--model", "m", "--output",
                          folder + "/partial.csv", "--results", results.first() }
            + windowing);
        QCOMPARE(partial.exitCode, 2);
        QVERIFY2(partial.err.contains("windows have no result"), partial.err.constData());
        QVERIFY(!QFile::exists(folder + "/partial.csv"));
        const test::CliRun badApi
            = test::runCli({ "bpb", "batch-export", "--texts", texts, "--model", "m", "--api",
                             "chat", "--output-dir", requests });
        QCOMPARE(badApi.exitCode, 2);
        QVERIFY(badApi.err.contains("--api must be vllm-chat, vllm or openai-legacy"));
    }
};

QTEST_GUILESS_MAIN(TestBpbBatch)
#include "tst_bpbbatch.moc"
