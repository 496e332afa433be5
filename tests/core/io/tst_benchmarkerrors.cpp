// Benchmark errors from the package's CSV layout and from lm-evaluation-harness JSON.
#include "core/io/benchmarkerrors.h"
#include "core/io/bpbloader.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QJsonObject>
#include <QTest>

#include <cmath>

using namespace pcs;
using pcs::test::writeFile;

namespace {

double valueOf(const BenchmarkErrors &errors, const QString &benchmark, const QString &llm)
{
    const auto b = errors.benchmarks.indexOf(benchmark);
    const auto n = errors.llms.indexOf(llm);
    if (b < 0 || n < 0)
        qFatal("no value for %s / %s", qPrintable(benchmark), qPrintable(llm));
    return errors.values(b, n);
}

QByteArray resultsJson(const QByteArray &model, const QByteArray &results,
                       const QByteArray &extra = {})
{
    return "{\n  " + (model.isEmpty() ? QByteArray() : "\"model_name\": \"" + model + "\",\n  ")
        + extra + "\"results\": {" + results + "}\n}\n";
}

}  // namespace

class TestBenchmarkErrors : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void upstreamCsv();
    void handWrittenCsv();
    void csvErrors_data();
    void csvErrors();
    void lmEvalFile();
    void metricChoiceAndDirection();
    void modelNameFallbacks();
    void directory();
    void invalidJson();
    void nonFiniteJson();
};

void TestBenchmarkErrors::upstreamCsv()
{
    PCS_REQUIRE_UPSTREAM_DATA();
    const auto errors = loadBenchmarkErrors(pcs::test::upstreamFile(QStringLiteral("error.csv")));
    QVERIFY2(errors.ok(), qPrintable(errors.ok() ? QString() : errors.error().toString()));
    QCOMPARE(errors->benchmarks,
             QStringList({ "arc_easy", "piqa", "sciq", "lambada_openai", "lambada_standard",
                           "lambada_openai_mt_de", "lambada_openai_mt_es", "lambada_openai_mt_fr",
                           "lambada_openai_mt_it" }));
    QCOMPARE(errors->llms.size(), 90);
    QCOMPARE(errors->values.rows(), 9);
    QCOMPARE(errors->values.cols(), 90);
    const QString first = QStringLiteral("('beespoke', 'BEE-spoke-data/smol_llama-101M-GQA')");
    QCOMPARE(errors->llms.first(), first);
    QCOMPARE(valueOf(*errors, QStringLiteral("arc_easy"), first), 0.5673400673400674);
    // Perplexities are kept as they are.
    QCOMPARE(valueOf(*errors, QStringLiteral("lambada_openai"), first), 74.22531361197395);
    QCOMPARE(valueOf(*errors, QStringLiteral("lambada_openai_mt_es"), first), 79905.67310837895);
    QVERIFY(errors->values.maxCoeff() > 6e5);
    // The package's values are errors already: no metric, no mapping, no direction, no groups.
    QCOMPARE(errors->info.size(), errors->benchmarks.size());
    for (const BenchmarkInfo &info : errors->info) {
        QVERIFY(info.metric.isEmpty() && info.filter.isEmpty());
        QCOMPARE(info.mapping, ErrorMapping::AsIs);
        QVERIFY(!info.higherIsBetter);
        QVERIFY(info.directionSource.isEmpty());
        QVERIFY(info.group.isEmpty() && !info.isGroup && !info.computed);
        QCOMPARE(info.toJson(), QJsonObject({ { "mapping", "v" } }));
    }
    QVERIFY(errors->warnings.isEmpty());

    // The same LLMs as the BPB file, in another order.
    const auto bpb = loadBpbMatrix(
        pcs::test::upstreamFile(QStringLiteral("chunked_synthetic_sample_bpb_id.csv")));
    QVERIFY(bpb.ok());
    QStringList fromErrors = errors->llms;
    QStringList fromBpb = bpb->llms;
    QVERIFY(fromErrors != fromBpb);
    fromErrors.sort();
    fromBpb.sort();
    QCOMPARE(fromErrors, fromBpb);

    // The second run has the same benchmarks but its own 91 LLMs (named differently).
    const auto second
        = loadBenchmarkErrors(pcs::test::upstreamFile(QStringLiteral("error_256.csv")));
    QVERIFY(second.ok());
    QCOMPARE(second->benchmarks, errors->benchmarks);
    QCOMPARE(second->values.rows(), 9);
    QCOMPARE(second->values.cols(), 91);
    QVERIFY(second->values.allFinite());
    QCOMPARE(second->info.size(), 9);
    QCOMPARE(second->infoFor(0).mapping, ErrorMapping::AsIs);
}

void TestBenchmarkErrors::handWrittenCsv()
{
    QTemporaryDir dir;
    const QString path = writeFile(dir, QStringLiteral("errors.csv"),
                                   "\"m,1\",benchmark,m2\r\n"
                                   "0.25,arc_easy,\r\n"
                                   "NaN,piqa,0.5\r\n"
                                   "\r\n"
                                   "12.5, lambada ,-3\r\n");
    const auto errors = loadBenchmarkErrors(path);
    QVERIFY2(errors.ok(), qPrintable(errors.ok() ? QString() : errors.error().toString()));
    QCOMPARE(errors->llms, QStringList({ QStringLiteral("m,1"), QStringLiteral("m2") }));
    QCOMPARE(errors->benchmarks,
             QStringList({ QStringLiteral("arc_easy"), QStringLiteral("piqa"),
                           QStringLiteral(" lambada ") }));
    QCOMPARE(errors->values(0, 0), 0.25);
    QVERIFY(std::isnan(errors->values(0, 1)));
    QVERIFY(std::isnan(errors->values(1, 0)));
    QCOMPARE(errors->values(1, 1), 0.5);
    QCOMPARE(errors->values(2, 0), 12.5);
    QCOMPARE(errors->values(2, 1), -3.0);

    const QString tsv = writeFile(dir, QStringLiteral("errors.tsv"), "benchmark\ta\nx\t0.5\n");
    const auto fromTsv = loadBenchmarkErrors(tsv);
    QVERIFY(fromTsv.ok());
    QCOMPARE(fromTsv->values(0, 0), 0.5);
}

void TestBenchmarkErrors::csvErrors_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<qint64>("line");
    QTest::addColumn<qint64>("column");
    QTest::addColumn<QString>("phrase");
    QTest::newRow("no benchmark column")
        << QByteArray("name,a\nx,1\n") << qint64(1) << qint64(0) << "no benchmark column";
    QTest::newRow("duplicate benchmark")
        << QByteArray("benchmark,a\nx,1\ny,2\nx,3\n") << qint64(4) << qint64(1)
        << "duplicate benchmark \"x\" (first on line 2)";
    QTest::newRow("duplicate LLM") << QByteArray("benchmark,a,b,a\nx,1,2,3\n") << qint64(1)
                                   << qint64(4) << "duplicate LLM name \"a\" (also in column 2)";
    QTest::newRow("empty LLM") << QByteArray("benchmark,,b\nx,1,2\n") << qint64(1) << qint64(2)
                               << "empty LLM name";
    QTest::newRow("non-numeric") << QByteArray("benchmark,a\nx,abc\n") << qint64(2) << qint64(2)
                                 << "not a number";
    QTest::newRow("inf") << QByteArray("benchmark,a\nx,inf\n") << qint64(2) << qint64(2)
                         << "infinite";
    QTest::newRow("ragged") << QByteArray("benchmark,a\nx,1,2\n") << qint64(2) << qint64(3)
                            << "expected 2 fields";
    QTest::newRow("header only") << QByteArray("benchmark,a\n") << qint64(1) << qint64(0)
                                 << "only a header";
    QTest::newRow("empty") << QByteArray("") << qint64(1) << qint64(0) << "empty";
    QTest::newRow("empty benchmark name")
        << QByteArray("benchmark,a\n,1\n") << qint64(2) << qint64(1) << "empty benchmark name";
}

void TestBenchmarkErrors::csvErrors()
{
    QFETCH(QByteArray, contents);
    QFETCH(qint64, line);
    QFETCH(qint64, column);
    QFETCH(QString, phrase);
    QTemporaryDir dir;
    const QString path = writeFile(dir, QStringLiteral("errors.csv"), contents);
    const auto errors = loadBenchmarkErrors(path);
    QVERIFY(!errors.ok());
    QCOMPARE(errors.error().file, path);
    QCOMPARE(errors.error().line, line);
    QCOMPARE(errors.error().column, column);
    QVERIFY2(errors.error().reason.contains(phrase), qPrintable(errors.error().reason));
}

void TestBenchmarkErrors::lmEvalFile()
{
    QTemporaryDir dir;
    const QString path = writeFile(
        dir, QStringLiteral("results_2024.json"),
        resultsJson(
            "EleutherAI/pythia-160m",
            "\"arc_easy\": {\"alias\": \"arc_easy\", \"acc,none\": 0.75, "
            "\"acc_stderr,none\": 0.01, \"acc_norm,none\": 0.5},"
            "\"lambada_openai\": {\"perplexity,none\": 30.5, \"perplexity_stderr,none\": 1.2, "
            "\"acc,none\": 0.4},"
            "\"wikitext\": {\"word_perplexity,none\": 25.0, \"byte_perplexity,none\": 1.7, "
            "\"bits_per_byte,none\": 0.77}"));
    const auto errors = loadBenchmarkErrors(path);
    QVERIFY2(errors.ok(), qPrintable(errors.ok() ? QString() : errors.error().toString()));
    QCOMPARE(errors->llms, QStringList({ QStringLiteral("EleutherAI/pythia-160m") }));
    QCOMPARE(errors->benchmarks.size(), 3);
    const QString model = errors->llms.first();
    QCOMPARE(valueOf(*errors, QStringLiteral("arc_easy"), model), 1 - 0.75);
    // acc is preferred over perplexity when a task has both.
    QCOMPARE(valueOf(*errors, QStringLiteral("lambada_openai"), model), 1 - 0.4);
    // word_perplexity before the first numeric one; lower is better, so kept as is.
    QCOMPARE(valueOf(*errors, QStringLiteral("wikitext"), model), 25.0);
    QVERIFY(errors->warnings.isEmpty());
}

void TestBenchmarkErrors::metricChoiceAndDirection()
{
    QTemporaryDir dir;
    const QString path = writeFile(
        dir, QStringLiteral("r.json"),
        resultsJson("m",
                    "\"norm_only\": {\"acc_norm,none\": 0.6},"
                    "\"gsm8k\": {\"exact_match,strict-match\": 0.2, "
                    "\"exact_match,flexible-extract\": 0.3},"
                    "\"declared_lower\": {\"acc,none\": 0.3},"
                    "\"bleu_task\": {\"bleu,none\": 27.5},"
                    "\"odd\": {\"score,none\": 0.9},"
                    "\"pplx\": {\"perplexity,none\": 12.0},"
                    "\"old_style\": {\"acc\": 0.8, \"acc_stderr\": 0.1},"
                    "\"empty\": {\"alias\": \"x\"}",
                    "\"higher_is_better\": {\"declared_lower\": {\"acc\": false}, "
                    "\"bleu_task\": {\"bleu\": true}, \"pplx\": {\"perplexity\": false}},\n  "));
    const auto errors = loadBenchmarkErrors(path);
    QVERIFY2(errors.ok(), qPrintable(errors.ok() ? QString() : errors.error().toString()));
    const QString m = QStringLiteral("m");
    QCOMPARE(valueOf(*errors, QStringLiteral("norm_only"), m), 1 - 0.6);
    // strict-match, not the first filter in key order (flexible-extract); this test used to
    // expect 1 - 0.3, which was the bug.
    QCOMPARE(valueOf(*errors, QStringLiteral("gsm8k"), m), 1 - 0.2);
    // The file's higher_is_better wins over built-in knowledge.
    QCOMPARE(valueOf(*errors, QStringLiteral("declared_lower"), m), 0.3);
    // sacrebleu's BLEU is a percentage: 1 - v/100 (it used to be negated, off the error scale).
    QCOMPARE(valueOf(*errors, QStringLiteral("bleu_task"), m), 1 - 0.275);
    QCOMPARE(valueOf(*errors, QStringLiteral("pplx"), m), 12.0);
    QCOMPARE(valueOf(*errors, QStringLiteral("old_style"), m), 1 - 0.8);
    // An unknown metric's direction is not guessed: its value is kept as reported, with a
    // warning (it used to be assumed higher-is-better).
    QCOMPARE(valueOf(*errors, QStringLiteral("odd"), m), 0.9);
    QVERIFY(!errors->infoFor(errors->benchmarks.indexOf("odd")).higherIsBetter);
    QVERIFY(!errors->benchmarks.contains(QStringLiteral("empty")));
    QCOMPARE(errors->warnings.size(), 2);
    QString warnings;
    for (const Error &w : errors->warnings)
        warnings += w.reason + QLatin1Char('\n');
    QVERIFY2(warnings.contains(QLatin1String("direction unknown")), qPrintable(warnings));
    QVERIFY2(warnings.contains(QLatin1String("metrics: score")), qPrintable(warnings));
    QVERIFY2(warnings.contains(QLatin1String("tasks with no numeric metric (1 task; first: task "
                                             "empty)")),
             qPrintable(warnings));
}

void TestBenchmarkErrors::modelNameFallbacks()
{
    QTemporaryDir dir;
    const QByteArray task = "\"arc_easy\": {\"acc,none\": 0.5}";
    const auto fromArgs = loadBenchmarkErrors(
        writeFile(dir, QStringLiteral("a.json"),
                  resultsJson({}, task,
                              "\"config\": {\"model\": \"hf\", \"model_args\": "
                              "\"dtype=float16,pretrained=org/model-1b, revision=main\"},\n  ")));
    QVERIFY(fromArgs.ok());
    QCOMPARE(fromArgs->llms, QStringList({ QStringLiteral("org/model-1b") }));

    const auto fromArgsObject = loadBenchmarkErrors(writeFile(
        dir, QStringLiteral("b.json"),
        resultsJson({}, task, "\"config\": {\"model_args\": {\"pretrained\": \"x/y\"}},\n  ")));
    QVERIFY(fromArgsObject.ok());
    QCOMPARE(fromArgsObject->llms, QStringList({ QStringLiteral("x/y") }));

    const auto fromFileName = loadBenchmarkErrors(
        writeFile(dir, QStringLiteral("my-model.json"), resultsJson({}, task)));
    QVERIFY(fromFileName.ok());
    QCOMPARE(fromFileName->llms, QStringList({ QStringLiteral("my-model") }));
}

void TestBenchmarkErrors::directory()
{
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("a/run1")));
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("b")));
    writeFile(
        dir, QStringLiteral("a/run1/results_1.json"),
        resultsJson("m1", "\"arc_easy\": {\"acc,none\": 0.5}, \"piqa\": {\"acc,none\": 0.6}"));
    // The same model again, later path: piqa is replaced (with a warning), sciq added.
    writeFile(dir, QStringLiteral("a/run1/results_2.json"),
              resultsJson("m1", "\"piqa\": {\"acc,none\": 0.7}, \"sciq\": {\"acc,none\": 0.9}"));
    writeFile(dir, QStringLiteral("b/results.json"),
              resultsJson("m2", "\"arc_easy\": {\"acc,none\": 0.25}"));
    writeFile(dir, QStringLiteral("b/config.json"), "{\"not\": \"results\"}");
    writeFile(dir, QStringLiteral("b/notes.txt"), "not json at all");

    const auto errors = loadBenchmarkErrors(dir.path());
    QVERIFY2(errors.ok(), qPrintable(errors.ok() ? QString() : errors.error().toString()));
    QCOMPARE(errors->llms, QStringList({ QStringLiteral("m1"), QStringLiteral("m2") }));
    QCOMPARE(errors->benchmarks,
             QStringList(
                 { QStringLiteral("arc_easy"), QStringLiteral("piqa"), QStringLiteral("sciq") }));
    QCOMPARE(valueOf(*errors, QStringLiteral("piqa"), QStringLiteral("m1")), 1 - 0.7);
    QCOMPARE(valueOf(*errors, QStringLiteral("sciq"), QStringLiteral("m1")), 1 - 0.9);
    QCOMPARE(valueOf(*errors, QStringLiteral("arc_easy"), QStringLiteral("m2")), 0.75);
    QVERIFY(std::isnan(valueOf(*errors, QStringLiteral("piqa"), QStringLiteral("m2"))));
    // One warning for the replaced task, one for the skipped config.json.
    QCOMPARE(errors->warnings.size(), 2);
    const Error *replaced = nullptr;
    const Error *skipped = nullptr;
    for (const Error &warning : errors->warnings)
        (warning.reason.contains(QLatin1String("piqa")) ? replaced : skipped) = &warning;
    QVERIFY(replaced && skipped);
    QVERIFY(replaced->file.endsWith(QLatin1String("results_2.json")));
    QVERIFY(replaced->reason.contains(QLatin1String("results_1.json")));
    QVERIFY(skipped->file.endsWith(QLatin1String("b/config.json")));
    QVERIFY(skipped->reason.startsWith(QLatin1String("skipped")));

    QTemporaryDir emptyDir;
    writeFile(emptyDir, QStringLiteral("other.json"), "{}");
    const auto nothing = loadBenchmarkErrors(emptyDir.path());
    QVERIFY(!nothing.ok());
    QCOMPARE(nothing.error().file, emptyDir.path());
    QVERIFY(nothing.error().reason.contains(QLatin1String("no lm-evaluation-harness results")));
}

void TestBenchmarkErrors::invalidJson()
{
    QTemporaryDir dir;
    const QString path
        = writeFile(dir, QStringLiteral("broken.json"),
                    "{\n  \"results\": {\n    \"arc\": {\"acc,none\": 0.5,,}\n  }\n}\n");
    const auto errors = loadBenchmarkErrors(path);
    QVERIFY(!errors.ok());
    QCOMPARE(errors.error().file, path);
    QCOMPARE(errors.error().line, qint64(3));
    QVERIFY2(errors.error().column > 20 && errors.error().column < 35,
             qPrintable(QString::number(errors.error().column)));
    QVERIFY(errors.error().reason.startsWith(QLatin1String("invalid JSON")));

    // In a directory, the broken file is named too.
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("sub")));
    QFile::rename(path, dir.filePath(QStringLiteral("sub/broken.json")));
    const auto inDir = loadBenchmarkErrors(dir.path());
    QVERIFY(!inDir.ok());
    QCOMPARE(inDir.error().file, dir.filePath(QStringLiteral("sub/broken.json")));

    const QString noResults = writeFile(dir, QStringLiteral("plain.json"), "{\"a\": 1}");
    const auto single = loadBenchmarkErrors(noResults);
    QVERIFY(!single.ok());
    QVERIFY(single.error().reason.contains(QLatin1String("no \"results\" object")));
}

void TestBenchmarkErrors::nonFiniteJson()
{
    // Python's json module writes NaN; such a metric is skipped, the file still loads.
    QTemporaryDir dir;
    const QString path = writeFile(
        dir, QStringLiteral("nan.json"),
        resultsJson("m",
                    "\"arc\": {\"acc,none\": 0.5, \"acc_stderr,none\": NaN, \"x\": \"NaN\"},"
                    "\"bad\": {\"acc,none\": NaN, \"f1,none\": 0.25}"));
    const auto errors = loadBenchmarkErrors(path);
    QVERIFY2(errors.ok(), qPrintable(errors.ok() ? QString() : errors.error().toString()));
    QCOMPARE(valueOf(*errors, QStringLiteral("arc"), QStringLiteral("m")), 0.5);
    QCOMPARE(valueOf(*errors, QStringLiteral("bad"), QStringLiteral("m")), 0.75);
}

QTEST_GUILESS_MAIN(TestBenchmarkErrors)
#include "tst_benchmarkerrors.moc"
