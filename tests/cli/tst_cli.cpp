#include "core/io/namedvalues.h"
#include "core/selection/selectionrun.h"
#include "tests/common/testdata.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <sys/stat.h>

using namespace pcs;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run cli(const QStringList &arguments)
{
    QProcess process;
    process.start(test::cliPath(), arguments);
    if (!process.waitForFinished(120000))
        qFatal("pcstudio-cli did not finish");
    return { process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
             process.readAllStandardOutput(), process.readAllStandardError() };
}

// 5 LLMs × 4 texts, in the package's text-rows layout, with a quoted LLM name holding a comma.
const QByteArray kBpb = "id,\"('f', 'a')\",b,c,d,e\n"
                        "t1,1.0,1.1,1.2,1.3,1.4\n"
                        "t2,1.4,1.3,1.2,1.1,1.0\n"
                        "t3,2.0,2.5,2.1,2.4,2.2\n"
                        "t4,0.5,0.6,0.6,0.7,0.9\n";
const QByteArray kErrors = "benchmark,e,d,c,b,\"('f', 'a')\"\n"
                           "arc,0.5,0.4,0.3,0.2,0.1\n"
                           "piqa,0.6,0.4,0.35,0.3,0.2\n";

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

}  // namespace

class TestCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_bpb, m_errors;

private Q_SLOTS:
    void initTestCase()
    {
        m_bpb = test::writeFile(m_dir, "bpb.csv", kBpb);
        m_errors = test::writeFile(m_dir, "errors.csv", kErrors);
    }

    void versionAndHelp()
    {
        const Run version = cli({ "--version" });
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.startsWith("pcstudio-cli "));
        const Run help = cli({ "select", "--help" });
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("--keep-ratio"));
        for (const char *flag :
             { "--match <MODE>", "--llm-map <FILE>", "--dedupe-llms", "--combine <MODE>",
               "--metric <TASK=METRIC[,FILTER]>", "rank-mean", "z-mean", "hf-id" })
            QVERIFY2(help.out.contains(flag), flag);
        QCOMPARE(cli({}).exitCode, 2);
        QCOMPARE(cli({ "frobnicate" }).exitCode, 2);
    }

    void estimateMatchesCore()
    {
        const Run run
            = cli({ "estimate", "--bpb", m_bpb, "--errors", m_errors, "--benchmark", "arc" });
        QCOMPARE(run.exitCode, 0);
        const QList<QByteArray> lines = run.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 5);
        QCOMPARE(lines[0], QByteArray("text,estimate,rank"));
        // Errors rise a→e; t1's BPB rises a→e too: a perfect positive correlation, rank 1.
        QCOMPARE(lines[1], QByteArray("t1,1,1"));
        QCOMPARE(lines[2], QByteArray("t2,-1,4"));
        const auto inputs = loadSelectionInputs(m_bpb, {}, m_errors, { "arc" });
        QVERIFY(inputs.ok());
        const auto core = estimateSelection(*inputs, {});
        QVERIFY(core.ok());
        QCOMPARE(lines[3].split(',')[1].toDouble(), (*core)[2]);
    }

    void selectEqualsEstimateThenProject()
    {
        const QString estimate = m_dir.filePath("estimate.csv");
        const QString viaProject = m_dir.filePath("dist_project.csv");
        const QString viaSelect = m_dir.filePath("dist_select.csv");
        for (const QString estimator :
             { "spearmanr", "sign_cdf", "sign", "sign_sign", "product" }) {
            for (const QString projection : { "linear", "l2" }) {
                QCOMPARE(cli({ "estimate", "--bpb", m_bpb, "--errors", m_errors, "--estimator",
                               estimator, "--output", estimate })
                             .exitCode,
                         0);
                QCOMPARE(cli({ "project", "--estimate", estimate, "--keep-ratio", "0.5",
                               "--projection", projection, "--output", viaProject })
                             .exitCode,
                         0);
                QCOMPARE(cli({ "select", "--bpb", m_bpb, "--errors", m_errors, "--estimator",
                               estimator, "--keep-ratio", "0.5", "--projection", projection,
                               "--output", viaSelect })
                             .exitCode,
                         0);
                const QByteArray a = readAll(viaProject), b = readAll(viaSelect);
                QVERIFY(a.startsWith("text,estimate,rank,tau,weight\n"));
                QCOMPARE(a, b);
            }
        }
    }

    void jsonOutput()
    {
        const Run run = cli({ "select", "--bpb", m_bpb, "--errors", m_errors, "--keep-ratio", "0.5",
                              "--format", "json" });
        QCOMPARE(run.exitCode, 0);
        const QJsonObject root = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(root["format"].toString(), QString("pcstudio-distribution"));
        const QJsonArray texts = root["texts"].toArray();
        QCOMPARE(texts.size(), 4);
        double sum = 0;
        for (const auto &t : texts)
            sum += t.toObject()["weight"].toDouble();
        QVERIFY(std::abs(sum - 1.0) < 1e-12);
    }

    void reportHasProvenanceAndTimings()
    {
        const QString report = m_dir.filePath("report.json");
        const QString tokens
            = test::writeFile(m_dir, "tokens.csv", "text,tokens\nt1,10\nt2,20\nt3,30\nt4,40\n");
        const Run run = cli({ "select", "--bpb", m_bpb, "--errors", m_errors, "--token-counts",
                              tokens, "--keep-ratio", "0.4", "--output", m_dir.filePath("d.csv"),
                              "--report", report });
        QCOMPARE(run.exitCode, 0);
        const QJsonObject r = QJsonDocument::fromJson(readAll(report)).object();
        QVERIFY(!r["version"].toString().isEmpty());
        QCOMPARE(r["n_llms"].toInt(), 5);
        QCOMPARE(r["n_texts"].toInt(), 4);
        QCOMPARE(r["llms"].toObject()["used"].toArray().size(), 5);
        QCOMPARE(r["llms"].toObject()["dropped"].toArray().size(), 0);
        QCOMPARE(r["parameters"].toObject()["estimator"].toString(), QString("spearmanr"));
        QCOMPARE(r["parameters"].toObject()["projection"].toString(), QString("linear"));
        QCOMPARE(r["parameters"].toObject()["keep_ratio"].toDouble(), 0.4);
        QCOMPARE(r["parameters"].toObject()["benchmarks"].toArray().size(), 2);
        for (const QString phase : { "load_s", "estimate_s", "project_s", "write_s" })
            QVERIFY2(r["timings"].toObject()[phase].isDouble(), qPrintable(phase));
        const QJsonArray inputs = r["inputs"].toArray();
        QCOMPARE(inputs.size(), 3);
        const QJsonObject bpb = inputs[0].toObject();
        QCOMPARE(bpb["role"].toString(), QString("bpb"));
        QCOMPARE(bpb["size_bytes"].toInt(), int(kBpb.size()));
        QCOMPARE(bpb["sha256"].toString(),
                 QString(QCryptographicHash::hash(kBpb, QCryptographicHash::Sha256).toHex()));
    }

    void droppedLlmsAreReported()
    {
        const QString errors
            = test::writeFile(m_dir, "errors_missing.csv",
                              "benchmark,e,d,c,b,\"('f', 'a')\",z\narc,0.5,,0.3,0.2,0.1,0.9\n");
        const QString report = m_dir.filePath("report_dropped.json");
        // d has no arc: by default arc is then no benchmark every LLM has (the old default took
        // it anyway, dropping d). The error says how close it came; named, it is used.
        const Run byDefault = cli({ "estimate", "--bpb", m_bpb, "--errors", errors });
        QCOMPARE(byDefault.exitCode, 2);
        QVERIFY2(byDefault.err.contains(
                     "no default benchmarks: no benchmark has a value for all 5 matched "
                     "LLMs; closest: arc (4 of 5 LLMs)"),
                 byDefault.err.constData());
        const Run run = cli({ "estimate", "--bpb", m_bpb, "--errors", errors, "--benchmark", "arc",
                              "--report", report });
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.err.contains("dropped LLM d: no value for benchmark arc"),
                 run.err.constData());
        const QJsonArray dropped = QJsonDocument::fromJson(readAll(report))
                                       .object()["llms"]
                                       .toObject()["dropped"]
                                       .toArray();
        QCOMPARE(dropped.size(), 2);
    }

    // A failed run publishes no output, but its report, saying why.
    void failedRunWritesAFailedReport()
    {
        const QString errors
            = test::writeFile(m_dir, "errors_few.csv", "benchmark,b,c,x,y\narc,0.2,0.3,0.4,0.5\n");
        const QString report = m_dir.filePath("failed_report.json");
        const QString output = m_dir.filePath("never.csv");
        const Run run = cli({ "select", "--bpb", m_bpb, "--errors", errors, "--keep-ratio", "0.5",
                              "--combine", "z-mean", "--output", output, "--report", report });
        QCOMPARE(run.exitCode, 2);
        QVERIFY(!QFile::exists(output));
        const QJsonObject r = QJsonDocument::fromJson(readAll(report)).object();
        QCOMPARE(r["status"].toString(), QString("failed"));
        const QString reason = r["error"].toObject()["reason"].toString();
        QVERIFY2(
            reason.startsWith(
                "only 2 LLM(s) have every BPB value and every chosen benchmark; at least 3 are "
                "needed. Matched by exact name: 2 LLM(s) with every BPB value; benchmarks by "
                "default (those every matched LLM has, groups once, error rates first): arc "
                "(2 of 2 matched LLMs). Not used (5): \"('f', 'a')\": not in the benchmark file"),
            qPrintable(reason));
        QVERIFY2(reason.contains("\"x\": not in the BPB file"), qPrintable(reason));
        QVERIFY(!r["error"].toObject().contains("file"));  // neither input is to blame
        QCOMPARE(r["parameters"].toObject()["combine"].toString(), QString("z-mean"));
        QCOMPARE(r["parameters"].toObject()["match"].toString(), QString("exact"));
        QCOMPARE(r["inputs"].toArray().size(), 2);  // what was read, with hashes
        QCOMPARE(run.err.count('\n'), 1);
        // A successful report says so.
        const QString ok = m_dir.filePath("ok_report.json");
        QCOMPARE(cli({ "estimate", "--bpb", m_bpb, "--errors", m_errors, "--output",
                       m_dir.filePath("ok.csv"), "--report", ok })
                     .exitCode,
                 0);
        QCOMPARE(QJsonDocument::fromJson(readAll(ok)).object()["status"].toString(), QString("ok"));
    }

    void matchingDedupeAndMapEndToEnd()
    {
        // The BPB file names LLMs as the package does; the errors as lm-eval does, in other case.
        const QString bpb = test::writeFile(m_dir, "bpb_tuples.csv",
                                            "id,\"('p', 'Org/A')\",\"('p', 'Org/B')\",\"('q', "
                                            "'Org/C')\",\"('q', 'Org/D')\",\"('dup', 'Org/D2')\"\n"
                                            "t1,1.0,1.1,1.2,1.3,1.3\n"
                                            "t2,1.4,1.3,1.2,1.1,1.1\n"
                                            "t3,2.0,2.5,2.1,2.4,2.4\n");
        const QString errors = test::writeFile(
            m_dir, "errors_plain.csv",
            "benchmark,org/a,ORG/B,org/c,org/d,org/d2\narc,0.1,0.2,0.3,0.4,0.45\n");
        QCOMPARE(cli({ "estimate", "--bpb", bpb, "--errors", errors }).exitCode,
                 2);  // no name in common
        const QString report = m_dir.filePath("hfid_report.json");
        const Run byId = cli({ "estimate", "--bpb", bpb, "--errors", errors, "--match", "hf-id",
                               "--report", report });
        QCOMPARE(byId.exitCode, 0);
        QCOMPARE(byId.out.count('\n'), 4);
        // Org/D and Org/D2 have identical BPB rows: one warning line, both named.
        QCOMPARE(byId.err.count("warning: "), 1);
        QVERIFY2(byId.err.contains("(1 pair; first: \"('q', 'Org/D')\" and \"('dup', 'Org/D2')\""),
                 byId.err.constData());
        QJsonObject r = QJsonDocument::fromJson(readAll(report)).object();
        QCOMPARE(r["n_llms"].toInt(), 5);
        QCOMPARE(r["matching"].toObject()["mode"].toString(), QString("hf-id"));
        QCOMPARE(r["llms"].toObject()["matched_names"].toArray().size(), 5);
        QCOMPARE(r["llms"].toObject()["duplicates"].toArray().size(), 1);

        const Run deduped = cli({ "estimate", "--bpb", bpb, "--errors", errors, "--match", "hf-id",
                                  "--dedupe-llms", "--report", report });
        QCOMPARE(deduped.exitCode, 0);
        QVERIFY2(
            deduped.err.contains("dropped LLM ('dup', 'Org/D2'): duplicate of \"('q', 'Org/D')\""),
            deduped.err.constData());
        r = QJsonDocument::fromJson(readAll(report)).object();
        QCOMPARE(r["n_llms"].toInt(), 4);
        QCOMPARE(r["matching"].toObject()["dedupe_llms"].toBool(), true);

        // A map for two names, exact names for the rest.
        const QString map = test::writeFile(m_dir, "map.csv",
                                            "bpb_name,errors_name\n\"('p', 'Org/A')\",org/a\n"
                                            "\"('p', 'Org/B')\",ORG/B\n\"('q', 'Org/C')\",org/c\n");
        const Run mapped = cli(
            { "estimate", "--bpb", bpb, "--errors", errors, "--llm-map", map, "--report", report });
        QCOMPARE(mapped.exitCode, 0);
        r = QJsonDocument::fromJson(readAll(report)).object();
        QCOMPARE(r["n_llms"].toInt(), 3);
        QCOMPARE(r["matching"].toObject()["llm_map"].toString(), QFileInfo(map).absoluteFilePath());
        bool mapHashed = false;
        for (const auto &input : r["inputs"].toArray())
            mapHashed |= input.toObject()["role"].toString() == "llm_map"
                && !input.toObject()["sha256"].toString().isEmpty();
        QVERIFY(mapHashed);
        // The map is an input: no output may replace it.
        const Run refused = cli(
            { "estimate", "--bpb", bpb, "--errors", errors, "--llm-map", map, "--output", map });
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("--llm-map"), refused.err.constData());
        QVERIFY(readAll(map).startsWith("bpb_name,errors_name\n"));
    }

    void combineModesEndToEnd()
    {
        // arc and piqa on very different scales: the mean follows piqa, ranks weigh them equally.
        const QString errors
            = test::writeFile(m_dir, "errors_scales.csv",
                              "benchmark,e,d,c,b,\"('f', 'a')\"\narc,0.5,0.4,0.3,0.2,0.1\n"
                              "piqa,10,400,30,200,50\n");
        for (const QString mode : { "mean", "rank-mean", "z-mean" }) {
            const QString report = m_dir.filePath("combine_" + mode + ".json");
            const Run run = cli({ "estimate", "--bpb", m_bpb, "--errors", errors, "--benchmark",
                                  "arc,piqa", "--combine", mode, "--report", report });
            QCOMPARE(run.exitCode, 0);
            QCOMPARE(run.err.contains("dominates the mean"), mode == QLatin1String("mean"));
            const QJsonObject r = QJsonDocument::fromJson(readAll(report)).object();
            QCOMPARE(r["parameters"].toObject()["combine"].toString(), mode);
            AlignOptions options;
            options.benchmarks = QStringList { "arc", "piqa" };
            options.combination = *combinationFromName(mode);
            const auto inputs = loadSelectionInputs(m_bpb, {}, errors, {}, options);
            QVERIFY(inputs.ok());
            const auto core = estimateSelection(*inputs, {});
            QVERIFY(core.ok());
            const QList<QByteArray> lines = run.out.trimmed().split('\n');
            for (int j = 0; j < 4; ++j)
                QCOMPARE(lines[j + 1].split(',')[1].toDouble(), (*core)[j]);
        }
    }

    // lm-eval results for 5 LLMs: the default set counts the mmlu group once, leaves out a
    // metric of unknown direction and an extra task of one LLM; --metric picks another filter.
    void lmEvalFolderEndToEnd()
    {
        QTemporaryDir folder;
        QByteArray bpb = "id";
        for (int n = 0; n < 5; ++n)
            bpb += QStringLiteral(",\"('fam', 'org/model-%1')\"").arg(n).toUtf8();
        bpb += "\nt1,1.0,1.1,1.25,1.3,1.45\nt2,1.4,1.35,1.2,1.1,1.0\nt3,2.0,2.5,2.1,2.4,2.2\n";
        const QString bpbPath = test::writeFile(folder, "bpb.csv", bpb);
        for (int n = 0; n < 5; ++n) {
            const double a = 0.5 + 0.05 * n, m = 0.3 + 0.04 * n;
            QJsonObject results {
                { "arc_easy", QJsonObject { { "alias", "arc_easy" }, { "acc,none", a } } },
                { "mmlu", QJsonObject { { "alias", "mmlu" }, { "acc,none", m } } },
                { "mmlu_anatomy",
                  QJsonObject { { "alias", " - anatomy" }, { "acc,none", m - 0.01 } } },
                { "mmlu_law", QJsonObject { { "alias", " - law" }, { "acc,none", m + 0.01 } } },
                { "gsm8k",
                  QJsonObject { { "alias", "gsm8k" },
                                { "exact_match,strict-match", 0.1 + 0.02 * n },
                                { "exact_match,flexible-extract", 0.2 + 0.01 * (n % 3) } } },
                { "mystery", QJsonObject { { "alias", "mystery" }, { "weirdness,none", 3.0 + n } } }
            };
            if (n == 2)
                results.insert("hellaswag",
                               QJsonObject { { "alias", "hellaswag" }, { "acc,none", 0.4 } });
            const QJsonObject hib { { "arc_easy", QJsonObject { { "acc", true } } },
                                    { "mmlu", QJsonObject { { "acc", true } } },
                                    { "mmlu_anatomy", QJsonObject { { "acc", true } } },
                                    { "mmlu_law", QJsonObject { { "acc", true } } },
                                    { "gsm8k", QJsonObject { { "exact_match", true } } },
                                    { "hellaswag", QJsonObject { { "acc", true } } } };
            const QJsonObject root {
                { "results", results },
                { "groups", QJsonObject { { "mmlu", results["mmlu"] } } },
                { "group_subtasks",
                  QJsonObject { { "mmlu", QJsonArray { "mmlu_anatomy", "mmlu_law" } },
                                { "arc_easy", QJsonArray {} },
                                { "gsm8k", QJsonArray {} },
                                { "mystery", QJsonArray {} } } },
                { "higher_is_better", hib },
                { "model_name", QStringLiteral("Org/Model-%1").arg(n) },
                { "config",
                  QJsonObject {
                      { "model_args", QStringLiteral("pretrained=Org/Model-%1").arg(n) } } }
            };
            test::writeFile(folder, QStringLiteral("results/m%1/results_2024-01-01.json").arg(n),
                            QJsonDocument(root).toJson());
        }
        const QString report = folder.filePath("report.json");
        const Run run = cli({ "estimate", "--bpb", bpbPath, "--errors", folder.filePath("results"),
                              "--match", "hf-id", "--metric", "gsm8k=exact_match,flexible-extract",
                              "--report", report });
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject r = QJsonDocument::fromJson(readAll(report)).object();
        QCOMPARE(r["n_llms"].toInt(), 5);
        QCOMPARE(r["parameters"].toObject()["benchmarks_chosen_by"].toString(), QString("default"));
        QStringList chosen;
        for (const auto &b : r["parameters"].toObject()["benchmarks"].toArray())
            chosen << b.toString();
        chosen.sort();
        QCOMPARE(chosen, (QStringList { "arc_easy", "gsm8k", "mmlu" }));
        QHash<QString, QJsonObject> byName;
        for (const auto &b : r["benchmarks"].toArray())
            byName.insert(b.toObject()["name"].toString(), b.toObject());
        QCOMPARE(byName["mmlu"]["members"].toArray().size(), 2);
        QCOMPARE(byName["mmlu"]["mapping"].toString(), QString("1 - v"));
        QCOMPARE(byName["mmlu"]["llms_covered"].toInt(), 5);
        QCOMPARE(byName["gsm8k"]["metric"].toString(), QString("exact_match"));
        QCOMPARE(byName["gsm8k"]["filter"].toString(), QString("flexible-extract"));
        QCOMPARE(byName["arc_easy"]["direction_from"].toString(), QString("file"));
        QCOMPARE(r["parameters"].toObject()["metric_overrides"].toArray().size(), 1);
    }

    void realDataMatchedById()
    {
        PCS_REQUIRE_UPSTREAM_DATA();
        const QString report = m_dir.filePath("real_hfid.json");
        const Run run
            = cli({ "estimate", "--bpb", test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"),
                    "--errors", test::upstreamFile("error_256.csv"), "--match", "hf-id", "--report",
                    report });
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.err.contains("spearmanr: 34 LLMs used (matched by hf-id), 113 dropped"),
                 run.err.constData());
        const QJsonObject r = QJsonDocument::fromJson(readAll(report)).object();
        QCOMPARE(r["n_llms"].toInt(), 34);
        QCOMPARE(r["llms"].toObject()["duplicates"].toArray().size(), 1);
    }

    void badInputGivesOneLocatedLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<QString>("phrase");
        const QString ragged = test::writeFile(m_dir, "ragged.csv", "id,a,b,c\nt1,1,2,3\nt2,1,2\n");
        const QString nonNumeric
            = test::writeFile(m_dir, "nonnumeric.csv", "id,a,b,c\nt1,1,2,3\nt2,1,x,3\n");
        QTest::newRow("missing file")
            << QStringList { "estimate", "--bpb", m_dir.filePath("nope.csv"), "--errors", m_errors }
            << m_dir.filePath("nope.csv") + ":"
            << "";
        QTest::newRow("ragged row")
            << QStringList { "estimate", "--bpb", ragged, "--errors", m_errors } << ragged + ":3"
            << "";
        QTest::newRow("non-numeric")
            << QStringList { "estimate", "--bpb", nonNumeric, "--errors", m_errors }
            << nonNumeric + ":3:3: "
            << "";
        QTest::newRow("unknown benchmark") << QStringList { "estimate", "--bpb",  m_bpb,
                                                            "--errors", m_errors, "--benchmark",
                                                            "mmlu" }
                                           << m_errors + ": "
                                           << "arc, piqa";
        QTest::newRow("keep ratio 0")
            << QStringList { "select", "--bpb", m_bpb, "--errors", m_errors, "--keep-ratio", "0" }
            << "pcstudio-cli select: "
            << "(0, 1]";
        QTest::newRow("unknown estimator")
            << QStringList { "estimate", "--bpb",       m_bpb,    "--errors",
                             m_errors,   "--estimator", "pearson" }
            << "pcstudio-cli estimate: "
            << "spearmanr";
        QTest::newRow("missing option")
            << QStringList { "estimate", "--bpb", m_bpb } << "pcstudio-cli estimate: "
            << "--errors";
        // Not regular files: refused by stat() before anything opens them (a FIFO would block).
        const QString fifo = m_dir.filePath("bpb-fifo");
        QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
        QTest::newRow("FIFO as --bpb")
            << QStringList { "select", "--bpb", fifo, "--errors", m_errors, "--keep-ratio", "0.5" }
            << fifo + ": "
            << "not a regular file (a FIFO)";
        QTest::newRow("device as --errors")
            << QStringList { "estimate", "--bpb", m_bpb, "--errors", "/dev/null" } << "/dev/null: "
            << "not a regular file (a character device)";
        const QString png
            = test::writeFile(m_dir, "chart.png", QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
        QTest::newRow("PNG as --bpb")
            << QStringList { "estimate", "--bpb", png, "--errors", m_errors } << png + ": "
            << "not a CSV/TSV file: it looks like a PNG image";
        QTest::newRow("no caps") << QStringList { "select", "--bpb", m_bpb, "--errors", m_errors }
                                 << "pcstudio-cli select: "
                                 << "--keep-ratio";
        QTest::newRow("unknown match")
            << QStringList { "estimate", "--bpb", m_bpb, "--errors", m_errors, "--match", "fuzzy" }
            << "pcstudio-cli estimate: "
            << "choose exact or hf-id";
        QTest::newRow("unknown combine") << QStringList { "estimate", "--bpb",  m_bpb,
                                                          "--errors", m_errors, "--combine",
                                                          "median" }
                                         << "pcstudio-cli estimate: "
                                         << "choose mean, rank-mean or z-mean";
        QTest::newRow("bad metric")
            << QStringList { "estimate", "--bpb", m_bpb, "--errors", m_errors, "--metric", "gsm8k" }
            << "pcstudio-cli estimate: "
            << "TASK=METRIC";
        QTest::newRow("metric for the CSV layout") << QStringList { "estimate", "--bpb",
                                                                    m_bpb,      "--errors",
                                                                    m_errors,   "--metric",
                                                                    "arc=acc" }
                                                   << m_errors + ": "
                                                   << "";
        const QString badMap
            = test::writeFile(m_dir, "badmap.csv", "bpb_name,errors_name\nb,nope\n");
        QTest::newRow("map names an unknown LLM")
            << QStringList { "estimate", "--bpb", m_bpb, "--errors", m_errors, "--llm-map", badMap }
            << badMap + ":2: "
            << "\"nope\" is not an LLM of the benchmark file";
        // Too few LLMs: no file is to blame, and the line says why.
        const QString twoErrors
            = test::writeFile(m_dir, "errors_two.csv", "benchmark,b,c,x\narc,0.2,0.3,0.4\n");
        QTest::newRow("fewer than 3 LLMs")
            << QStringList { "estimate", "--bpb", m_bpb, "--errors", twoErrors }
            << "pcstudio-cli: only 2 LLM(s)"
            << "benchmarks by default";
    }

    void badInputGivesOneLocatedLine()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QString, prefix);
        QFETCH(QString, phrase);
        const Run run = cli(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.out.isEmpty());
        const QString err = QString::fromUtf8(run.err).trimmed();
        QVERIFY2(!err.contains('\n'), qPrintable(err));
        QVERIFY2(err.startsWith(prefix), qPrintable(err));
        QVERIFY2(err.contains(phrase), qPrintable(err));
    }

    void demoFindsTheGoodDomains()
    {
        const QString folder = m_dir.filePath("demo");
        const Run run = cli({ "demo", "--output", folder, "--llms", "120", "--texts", "800" });
        QCOMPARE(run.exitCode, 0);
        const auto weights = loadNamedValues(folder + "/distribution.csv", "text", "weight");
        QVERIFY(weights.ok());
        int included = 0, good = 0;
        for (qsizetype j = 0; j < weights->names.size(); ++j) {
            if (weights->values[size_t(j)] > 0) {
                ++included;
                good += weights->names[j].startsWith("science/")
                    || weights->names[j].startsWith("encyclopedia/");
            }
        }
        QVERIFY(included > 0);
        // The good domains hold ~25% of the pool; a working selection is nearly all good.
        QVERIFY2(good >= 0.9 * included,
                 qPrintable(QString("%1 of %2 included texts are good").arg(good).arg(included)));
        QVERIFY(QFile::exists(folder + "/report.json"));
    }

    void realDataSelect()
    {
        PCS_REQUIRE_UPSTREAM_DATA();
        const Run run
            = cli({ "select", "--bpb", test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"),
                    "--errors", test::upstreamFile("error.csv"), "--benchmark",
                    "lambada_openai,lambada_standard", "--keep-ratio", "0.2" });
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.out.count('\n'), 264);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
