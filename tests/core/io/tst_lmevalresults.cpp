// lm-evaluation-harness results read the way their authors meant them: fixtures of the 0.3, 0.4
// and Open LLM Leaderboard layouts (tests/core/io/data/lmeval) and small hand-written files.
#include "core/io/benchmarkerrors.h"
#include "tests/common/testdata.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

using namespace pcs;
using pcs::test::writeFile;

namespace {

QString fixture(const char *relative)
{
    const QString path = QStringLiteral(PCSTUDIO_LMEVAL_FIXTURES "/") + QLatin1String(relative);
    if (!QFileInfo::exists(path))
        qFatal("fixture %s not found", qPrintable(path));
    return path;
}

double valueOf(const BenchmarkErrors &errors, const QString &benchmark, const QString &llm)
{
    const auto b = errors.benchmarks.indexOf(benchmark);
    const auto n = errors.llms.indexOf(llm);
    if (b < 0 || n < 0)
        qFatal("no value for %s / %s", qPrintable(benchmark), qPrintable(llm));
    return errors.values(b, n);
}

const BenchmarkInfo &infoOf(const BenchmarkErrors &errors, const QString &benchmark)
{
    const auto b = errors.benchmarks.indexOf(benchmark);
    if (b < 0)
        qFatal("no benchmark %s", qPrintable(benchmark));
    return errors.infoFor(b);
}

QString allWarnings(const BenchmarkErrors &errors)
{
    QString text;
    for (const Error &warning : errors.warnings)
        text += warning.toString() + QLatin1Char('\n');
    return text;
}

// A 0.4-style results file: results, optional higher_is_better, model_name and model_args.
QByteArray results04(const QString &model, const QJsonObject &results,
                     const QJsonObject &extra = {})
{
    QJsonObject root = extra;
    root.insert(QStringLiteral("results"), results);
    if (!model.isEmpty())
        root.insert(QStringLiteral("model_name"), model);
    return QJsonDocument(root).toJson();
}

// A 0.3-style results file: results, versions, config.model_args as a string.
QByteArray results03(const QString &modelArgs, const QJsonObject &results)
{
    QJsonObject versions;
    for (auto it = results.begin(); it != results.end(); ++it)
        versions.insert(it.key(), 0);
    const QJsonObject config { { "model", "hf-causal" },
                               { "model_args", modelArgs },
                               { "num_fewshot", 0 } };
    return QJsonDocument(QJsonObject { { "results", results },
                                       { "versions", versions },
                                       { "config", config } })
        .toJson();
}

Result<BenchmarkErrors> loadWith(const QString &path, const QStringList &overrides)
{
    BenchmarkLoadOptions options;
    for (const QString &text : overrides) {
        if (Status added = addMetricOverride(options, text); !added)
            return added.error();
    }
    return loadBenchmarkErrors(path, options);
}

#define REQUIRE_OK(result)                                                                         \
    QVERIFY2((result).ok(), qPrintable((result).ok() ? QString() : (result).error().toString()))

}  // namespace

class TestLmEvalResults : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void layout04();
    void layout04TerDirection();
    void layout03();
    void leaderboard();
    void negativeMccOrdering();
    void filterChoice_data();
    void filterChoice();
    void metricOverride();
    void badOverrides_data();
    void badOverrides();
    void parseOverride_data();
    void parseOverride();
    void checkpointsSeparate();
    void percentAndOtherScales();
    void unknownAndDeclaredDirections();
    void outOfRangeValues();
    void warningCounts();
    void computedGroupEdges();
    void groupsWithoutSubtasks();  // and group headers
};

void TestLmEvalResults::layout04()
{
    const auto errors = loadBenchmarkErrors(fixture("v04/results_2024-06-01T12-00-00.123456.json"));
    REQUIRE_OK(errors);
    // model_name has no revision; model_args does: a checkpoint, not the final model.
    const QString llm = QStringLiteral("EleutherAI/pythia-410m@step143000");
    QCOMPARE(errors->llms, QStringList { llm });
    QCOMPARE(errors->benchmarks,
             QStringList({ "cola", "crows_pairs_english", "gsm8k", "mmlu", "mmlu_abstract_algebra",
                           "mmlu_anatomy", "mmlu_formal_logic", "mmlu_humanities", "mmlu_stem",
                           "mmlu_world_religions", "wmt16-en-de" }));
    QCOMPARE(errors->info.size(), errors->benchmarks.size());
    QVERIFY2(errors->warnings.isEmpty(), qPrintable(allWarnings(*errors)));

    // strict-match, although flexible-extract sorts first among the keys.
    const BenchmarkInfo &gsm8k = infoOf(*errors, "gsm8k");
    QCOMPARE(gsm8k.metric, QStringLiteral("exact_match"));
    QCOMPARE(gsm8k.filter, QStringLiteral("strict-match"));
    QCOMPARE(gsm8k.mapping, ErrorMapping::OneMinus);
    QCOMPARE(gsm8k.directionSource, QStringLiteral("file"));
    QCOMPARE(valueOf(*errors, "gsm8k", llm), 1 - 0.0212);

    // A Matthews correlation below zero is a worse-than-chance error, not a near-perfect one.
    const BenchmarkInfo &cola = infoOf(*errors, "cola");
    QCOMPARE(cola.metric, QStringLiteral("mcc"));
    QCOMPARE(cola.mapping, ErrorMapping::HalfOneMinus);
    QCOMPARE(valueOf(*errors, "cola", llm), (1 + 0.0412) / 2);

    // crows_pairs: the file says lower is better for both metrics.
    const BenchmarkInfo &crows = infoOf(*errors, "crows_pairs_english");
    QCOMPARE(crows.metric, QStringLiteral("pct_stereotype"));
    QCOMPARE(crows.higherIsBetter, std::optional<bool>(false));
    QCOMPARE(crows.directionSource, QStringLiteral("file"));
    QCOMPARE(crows.mapping, ErrorMapping::AsIs);
    QCOMPARE(valueOf(*errors, "crows_pairs_english", llm), 0.61);

    // Groups: mmlu -> mmlu_humanities/mmlu_stem -> subjects; every level is selectable.
    const BenchmarkInfo &mmlu = infoOf(*errors, "mmlu");
    QVERIFY(mmlu.isGroup);
    QVERIFY(mmlu.group.isEmpty());
    QVERIFY(!mmlu.computed);
    QCOMPARE(mmlu.members, QStringList({ "mmlu_humanities", "mmlu_stem" }));
    QCOMPARE(valueOf(*errors, "mmlu", llm), 1 - 0.2541);
    const BenchmarkInfo &stem = infoOf(*errors, "mmlu_stem");
    QVERIFY(stem.isGroup);
    QCOMPARE(stem.group, QStringLiteral("mmlu"));
    QCOMPARE(stem.members, QStringList({ "mmlu_abstract_algebra", "mmlu_anatomy" }));
    const BenchmarkInfo &algebra = infoOf(*errors, "mmlu_abstract_algebra");
    QVERIFY(!algebra.isGroup);
    QCOMPARE(algebra.group, QStringLiteral("mmlu_stem"));
    QVERIFY(algebra.members.isEmpty());
    QCOMPARE(infoOf(*errors, "mmlu_world_religions").group, QStringLiteral("mmlu_humanities"));
    QCOMPARE(infoOf(*errors, "gsm8k").group, QString());
    QCOMPARE(mmlu.toJson().value("members").toArray().size(), 2);
    QCOMPARE(algebra.toJson().value("group").toString(), QStringLiteral("mmlu_stem"));

    // sacrebleu's BLEU is a percentage.
    const BenchmarkInfo &wmt = infoOf(*errors, "wmt16-en-de");
    QCOMPARE(wmt.metric, QStringLiteral("bleu"));
    QCOMPARE(wmt.mapping, ErrorMapping::OneMinusPercent);
    QCOMPARE(valueOf(*errors, "wmt16-en-de", llm), 1 - 1.93 / 100);
}

void TestLmEvalResults::layout04TerDirection()
{
    // The fixture declares "ter": true, as lm-eval's registration did; TER is an edit rate.
    const QString path = fixture("v04/results_2024-06-01T12-00-00.123456.json");
    const auto ter = loadWith(path, { "wmt16-en-de=ter" });
    REQUIRE_OK(ter);
    const BenchmarkInfo &info = infoOf(*ter, "wmt16-en-de");
    QCOMPARE(info.metric, QStringLiteral("ter"));
    QCOMPARE(info.higherIsBetter, std::optional<bool>(false));
    QCOMPARE(info.directionSource, QStringLiteral("table"));
    QVERIFY2(info.note.contains(QLatin1String("TER")), qPrintable(info.note));
    QCOMPARE(info.mapping, ErrorMapping::Percent);
    QCOMPARE(valueOf(*ter, "wmt16-en-de", ter->llms.first()), 1.542);

    const auto chrf = loadWith(path, { "wmt16-en-de=chrf" });
    REQUIRE_OK(chrf);
    QCOMPARE(infoOf(*chrf, "wmt16-en-de").directionSource, QStringLiteral("file"));
    QCOMPARE(valueOf(*chrf, "wmt16-en-de", chrf->llms.first()), 1 - 17.8 / 100);
}

void TestLmEvalResults::layout03()
{
    const QString path = fixture("v03/pythia-160m-step100000.json");
    const auto errors = loadBenchmarkErrors(path);
    REQUIRE_OK(errors);
    const QString llm = QStringLiteral("EleutherAI/pythia-160m@step100000");
    QCOMPARE(errors->llms, QStringList { llm });
    QCOMPARE(errors->benchmarks,
             QStringList({ "arc_easy", "cola", "crows_pairs_english", "hendrycksTest",
                           "hendrycksTest-abstract_algebra", "hendrycksTest-anatomy",
                           "hendrycksTest-astronomy", "lambada_openai", "truthfulqa_mc" }));

    QCOMPARE(valueOf(*errors, "arc_easy", llm), 1 - 0.4356);
    QCOMPARE(infoOf(*errors, "arc_easy").filter, QString());
    QCOMPARE(infoOf(*errors, "arc_easy").directionSource, QStringLiteral("table"));
    QCOMPARE(valueOf(*errors, "cola", llm), (1 - 0.0123) / 2);
    QCOMPARE(valueOf(*errors, "lambada_openai", llm), 1 - 0.3285);  // acc before ppl
    QCOMPARE(infoOf(*errors, "truthfulqa_mc").metric, QStringLiteral("mc2"));
    QCOMPARE(valueOf(*errors, "truthfulqa_mc", llm), 1 - 0.4421);

    // 0.3 has no higher_is_better: the table knows crows_pairs is lower-is-better.
    const BenchmarkInfo &crows = infoOf(*errors, "crows_pairs_english");
    QCOMPARE(crows.metric, QStringLiteral("pct_stereotype"));
    QCOMPARE(crows.higherIsBetter, std::optional<bool>(false));
    QCOMPARE(crows.directionSource, QStringLiteral("table"));
    QCOMPARE(valueOf(*errors, "crows_pairs_english", llm), 0.587);

    // MMLU subjects get a computed group: the mean of their errors.
    const BenchmarkInfo &group = infoOf(*errors, "hendrycksTest");
    QVERIFY(group.isGroup);
    QVERIFY(group.computed);
    QCOMPARE(group.metric, QStringLiteral("acc"));
    QCOMPARE(group.mapping, ErrorMapping::OneMinus);
    QCOMPARE(group.members.size(), 3);
    QVERIFY2(group.note.contains(QLatin1String("57")), qPrintable(group.note));
    QCOMPARE(group.toJson().value("computed").toString(),
             QStringLiteral("mean of the members' errors"));
    QCOMPARE(infoOf(*errors, "hendrycksTest-anatomy").group, QStringLiteral("hendrycksTest"));
    QCOMPARE(valueOf(*errors, "hendrycksTest", llm),
             ((1 - 0.22) + (1 - 0.2963) + (1 - 0.1842)) / 3);
    // The only warning: a partial MMLU.
    QCOMPARE(errors->warnings.size(), 1);
    QVERIFY2(errors->warnings.first().reason.contains(QLatin1String("hendrycksTest: 3 of 57")),
             qPrintable(allWarnings(*errors)));

    // Overrides: another crows_pairs metric; the group's override reaches its members.
    const auto other = loadWith(path,
                                { "crows_pairs_english=likelihood_difference",
                                  "hendrycksTest=acc_norm", "lambada_openai=ppl" });
    REQUIRE_OK(other);
    QCOMPARE(valueOf(*other, "crows_pairs_english", llm), 3.41);
    QCOMPARE(infoOf(*other, "crows_pairs_english").higherIsBetter, std::optional<bool>(false));
    QCOMPARE(infoOf(*other, "hendrycksTest-anatomy").metric, QStringLiteral("acc_norm"));
    QCOMPARE(valueOf(*other, "hendrycksTest", llm), ((1 - 0.25) + (1 - 0.2741) + (1 - 0.2434)) / 3);
    QCOMPARE(valueOf(*other, "lambada_openai", llm), 38.1);
    QCOMPARE(infoOf(*other, "lambada_openai").mapping, ErrorMapping::AsIs);
}

void TestLmEvalResults::leaderboard()
{
    const auto errors = loadBenchmarkErrors(fixture("leaderboard"));
    REQUIRE_OK(errors);
    const QString llm = QStringLiteral("example-org/llama-7b-sft");
    QCOMPARE(errors->llms, QStringList { llm });  // config_general.model_name, not the file name
    QVERIFY(!errors->benchmarks.contains("all"));
    for (const QString &benchmark : errors->benchmarks)
        QVERIFY2(!benchmark.contains(QLatin1Char('|')), qPrintable(benchmark));
    // The metrics the leaderboard scored these by.
    QCOMPARE(infoOf(*errors, "arc:challenge").metric, QStringLiteral("acc_norm"));
    QCOMPARE(valueOf(*errors, "arc:challenge", llm), 1 - 0.5461);
    QCOMPARE(infoOf(*errors, "hellaswag").metric, QStringLiteral("acc_norm"));
    QCOMPARE(infoOf(*errors, "truthfulqa:mc").metric, QStringLiteral("mc2"));
    QCOMPARE(valueOf(*errors, "truthfulqa:mc", llm), 1 - 0.4356);
    QCOMPARE(infoOf(*errors, "winogrande").metric, QStringLiteral("acc"));
    QCOMPARE(valueOf(*errors, "gsm8k", llm), 1 - 0.1024);
    // MMLU as the leaderboard computed it: the mean over the subjects.
    QVERIFY(infoOf(*errors, "hendrycksTest").computed);
    QCOMPARE(infoOf(*errors, "hendrycksTest-anatomy").group, QStringLiteral("hendrycksTest"));
    QCOMPARE(valueOf(*errors, "hendrycksTest", llm), ((1 - 0.35) + (1 - 0.6148)) / 2);
    // An override works with the leaderboard's task names.
    const auto acc = loadWith(fixture("leaderboard"), { "arc:challenge=acc" });
    REQUIRE_OK(acc);
    QCOMPARE(valueOf(*acc, "arc:challenge", llm), 1 - 0.4991);
}

void TestLmEvalResults::negativeMccOrdering()
{
    // Seven models on cola: one above chance, one at chance, five below.
    const double mcc[] = { -0.031, -0.112, 0.0, -0.205, 0.274, -0.008, -0.066 };
    QTemporaryDir dir;
    for (int i = 0; i < 7; ++i) {
        const QJsonObject results { { "cola",
                                      QJsonObject { { "mcc", mcc[i] }, { "mcc_stderr", 0.03 } } } };
        writeFile(dir, QStringLiteral("m%1.json").arg(i),
                  results03(QStringLiteral("pretrained=org/m%1").arg(i), results));
    }
    const auto errors = loadBenchmarkErrors(dir.path());
    REQUIRE_OK(errors);
    QCOMPARE(errors->llms.size(), 7);
    Eigen::Index best = -1;
    errors->values.row(0).minCoeff(&best);
    QCOMPARE(errors->llms[best], QStringLiteral("org/m4"));
    for (int i = 0; i < 7; ++i) {
        const double error = valueOf(*errors, "cola", QStringLiteral("org/m%1").arg(i));
        QCOMPARE(error, (1 - mcc[i]) / 2);
        QVERIFY(error >= 0 && error <= 1);
        for (int k = 0; k < 7; ++k) {
            const double other = valueOf(*errors, "cola", QStringLiteral("org/m%1").arg(k));
            QCOMPARE(mcc[i] > mcc[k], error < other);  // the ranking, reversed, never scrambled
        }
    }
}

void TestLmEvalResults::filterChoice_data()
{
    QTest::addColumn<QJsonObject>("task");
    QTest::addColumn<QString>("filter");
    QTest::addColumn<double>("error");
    QTest::newRow("strict-match over flexible-extract")
        << QJsonObject { { "exact_match,flexible-extract", 0.3 },
                         { "exact_match,strict-match", 0.2 } }
        << "strict-match" << 0.8;
    QTest::newRow("strict-match though others sort first")
        << QJsonObject { { "exact_match,a-custom", 0.5 },
                         { "exact_match,flexible-extract", 0.3 },
                         { "exact_match,none", 0.1 },
                         { "exact_match,strict-match", 0.2 } }
        << "strict-match" << 0.8;
    QTest::newRow("none without strict-match")
        << QJsonObject { { "exact_match,flexible-extract", 0.3 }, { "exact_match,none", 0.25 } }
        << "none" << 0.75;
    QTest::newRow("flexible-extract without strict-match or none")
        << QJsonObject { { "exact_match,custom-extract", 0.4 },
                         { "exact_match,flexible-extract", 0.3 } }
        << "flexible-extract" << 0.7;
    QTest::newRow("others by name")
        << QJsonObject { { "exact_match,zeta", 0.1 }, { "exact_match,get-answer", 0.35 } }
        << "get-answer" << 0.65;
}

void TestLmEvalResults::filterChoice()
{
    QFETCH(QJsonObject, task);
    QFETCH(QString, filter);
    QFETCH(double, error);
    QTemporaryDir dir;
    const QString path
        = writeFile(dir, "r.json", results04("m", QJsonObject { { "asdiv_cot_llama", task } }));
    const auto errors = loadBenchmarkErrors(path);
    REQUIRE_OK(errors);
    QCOMPARE(infoOf(*errors, "asdiv_cot_llama").filter, filter);
    QCOMPARE(valueOf(*errors, "asdiv_cot_llama", "m"), error);
}

void TestLmEvalResults::metricOverride()
{
    QTemporaryDir dir;
    const QJsonObject gsm8k { { "exact_match,strict-match", 0.2 },
                              { "exact_match,flexible-extract", 0.3 } };
    const QString path = writeFile(dir, "r.json", results04("m", { { "gsm8k", gsm8k } }));
    const auto flexible = loadWith(path, { "gsm8k=exact_match,flexible-extract" });
    REQUIRE_OK(flexible);
    QCOMPARE(infoOf(*flexible, "gsm8k").filter, QStringLiteral("flexible-extract"));
    QCOMPARE(valueOf(*flexible, "gsm8k", "m"), 0.7);
    // Only the metric: the preferred filter.
    const auto metricOnly = loadWith(path, { "gsm8k=exact_match" });
    REQUIRE_OK(metricOnly);
    QCOMPARE(infoOf(*metricOnly, "gsm8k").filter, QStringLiteral("strict-match"));
    QCOMPARE(valueOf(*metricOnly, "gsm8k", "m"), 0.8);
}

void TestLmEvalResults::badOverrides_data()
{
    QTest::addColumn<QString>("override");
    QTest::addColumn<QStringList>("phrases");
    QTest::newRow("unknown task") << "gsm8x=exact_match"
                                  << QStringList { "no task gsm8x", "1 tasks: gsm8k" };
    QTest::newRow("unknown metric")
        << "gsm8k=acc"
        << QStringList { "task gsm8k has no metric acc",
                         "exact_match (flexible-extract, strict-match)" };
    QTest::newRow("unknown filter")
        << "gsm8k=exact_match,get-answer"
        << QStringList { "no filter get-answer for exact_match", "strict-match" };
}

void TestLmEvalResults::badOverrides()
{
    QFETCH(QString, override);
    QFETCH(QStringList, phrases);
    QTemporaryDir dir;
    const QJsonObject gsm8k { { "exact_match,strict-match", 0.2 },
                              { "exact_match,flexible-extract", 0.3 } };
    const QString path = writeFile(dir, "r.json", results04("m", { { "gsm8k", gsm8k } }));
    const auto errors = loadWith(path, { override });
    QVERIFY(!errors.ok());
    QCOMPARE(errors.error().kind, ErrorKind::BadInput);
    QCOMPARE(errors.error().file, path);
    for (const QString &phrase : phrases)
        QVERIFY2(errors.error().reason.contains(phrase), qPrintable(errors.error().reason));

    // The package's CSV has no metrics to choose.
    const QString csv = writeFile(dir, "errors.csv", "benchmark,a\nx,0.5\n");
    const auto fromCsv = loadWith(csv, { override });
    QVERIFY(!fromCsv.ok());
    QVERIFY(fromCsv.error().reason.contains(QLatin1String("--metric applies to")));
}

void TestLmEvalResults::parseOverride_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("task");
    QTest::addColumn<QString>("metric");
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QString>("problem");
    QTest::newRow("metric") << "cola=mcc"
                            << "cola"
                            << "mcc"
                            << ""
                            << "";
    QTest::newRow("metric and filter") << "gsm8k=exact_match,strict-match"
                                       << "gsm8k"
                                       << "exact_match"
                                       << "strict-match"
                                       << "";
    QTest::newRow("leaderboard name") << "arc:challenge=acc_norm"
                                      << "arc:challenge"
                                      << "acc_norm"
                                      << ""
                                      << "";
    QTest::newRow("no =") << "gsm8k"
                          << ""
                          << ""
                          << ""
                          << "no '='";
    QTest::newRow("no task") << "=acc"
                             << ""
                             << ""
                             << ""
                             << "no task";
    QTest::newRow("no metric") << "gsm8k="
                               << ""
                               << ""
                               << ""
                               << "no metric";
    QTest::newRow("empty filter") << "gsm8k=acc,"
                                  << ""
                                  << ""
                                  << ""
                                  << "no filter";
    QTest::newRow("two commas") << "gsm8k=a,b,c"
                                << ""
                                << ""
                                << ""
                                << "more than one ','";
}

void TestLmEvalResults::parseOverride()
{
    QFETCH(QString, text);
    QFETCH(QString, task);
    QFETCH(QString, metric);
    QFETCH(QString, filter);
    QFETCH(QString, problem);
    const auto parsed = parseMetricOverride(text);
    if (!problem.isEmpty()) {
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().kind, ErrorKind::BadInput);
        QVERIFY2(parsed.error().reason.contains(problem), qPrintable(parsed.error().reason));
        QVERIFY(parsed.error().reason.contains(QLatin1String("TASK=METRIC")));
        return;
    }
    REQUIRE_OK(parsed);
    QCOMPARE(parsed->first, task);
    QCOMPARE(parsed->second.metric, metric);
    QCOMPARE(parsed->second.filter, filter);

    BenchmarkLoadOptions options;
    QVERIFY(addMetricOverride(options, text).ok());
    const Status twice = addMetricOverride(options, text);
    QVERIFY(!twice.ok());
    QVERIFY(twice.error().reason.contains(QLatin1String("already has a metric override")));
}

void TestLmEvalResults::checkpointsSeparate()
{
    QTemporaryDir dir;
    const QString pythia = QStringLiteral("EleutherAI/pythia-160m");
    const QJsonObject step1000 { { "arc_easy", QJsonObject { { "acc,none", 0.40 } } },
                                 { "piqa", QJsonObject { { "acc,none", 0.55 } } } };
    writeFile(dir, "a/results_1.json",
              results04(pythia, step1000,
                        { { "config",
                            QJsonObject { { "model_args",
                                            "pretrained=" + pythia + ",revision=step1000" } } } }));
    writeFile(dir, "b/results_2.json",
              results04({}, { { "arc_easy", QJsonObject { { "acc,none", 0.45 } } } },
                        { { "config",
                            QJsonObject { { "model_args",
                                            QJsonObject { { "pretrained", pythia },
                                                          { "revision", "step143000" } } } } } }));
    writeFile(dir, "c/results_3.json",
              results04(pythia, { { "arc_easy", QJsonObject { { "acc,none", 0.43 } } } },
                        { { "config",
                            QJsonObject { { "model_args", "pretrained=" + pythia },
                                          { "model_revision", "step71000" } } } }));
    writeFile(dir, "d/results_4.json",
              results03("pretrained=" + pythia + ",revision=main",
                        { { "arc_easy", QJsonObject { { "acc", 0.46 } } } }));
    // step1000 again, later: arc_easy and piqa replaced (one warning line), sciq added.
    const QJsonObject again { { "arc_easy", QJsonObject { { "acc,none", 0.41 } } },
                              { "piqa", QJsonObject { { "acc,none", 0.56 } } },
                              { "sciq", QJsonObject { { "acc,none", 0.70 } } } };
    writeFile(dir, "e/results_5.json",
              results04(pythia, again,
                        { { "config",
                            QJsonObject { { "model_args",
                                            "pretrained=" + pythia + ",revision=step1000" } } } }));
    const auto errors = loadBenchmarkErrors(dir.path());
    REQUIRE_OK(errors);
    QCOMPARE(errors->llms,
             QStringList(
                 { pythia + "@step1000", pythia + "@step143000", pythia + "@step71000", pythia }));
    QCOMPARE(valueOf(*errors, "arc_easy", pythia + "@step1000"), 1 - 0.41);
    QCOMPARE(valueOf(*errors, "piqa", pythia + "@step1000"), 1 - 0.56);
    QCOMPARE(valueOf(*errors, "arc_easy", pythia + "@step143000"), 1 - 0.45);
    QCOMPARE(valueOf(*errors, "arc_easy", pythia + "@step71000"), 1 - 0.43);
    QCOMPARE(valueOf(*errors, "arc_easy", pythia), 1 - 0.46);
    QCOMPARE(errors->warnings.size(), 1);
    const Error &replaced = errors->warnings.first();
    QVERIFY2(replaced.reason.startsWith("LLM " + pythia + "@step1000:"),
             qPrintable(replaced.reason));
    QVERIFY2(replaced.reason.contains(QLatin1String("(2 tasks;")), qPrintable(replaced.reason));
    QVERIFY(replaced.reason.contains(QLatin1String("a/results_1.json")));
    QVERIFY(replaced.file.endsWith(QLatin1String("e/results_5.json")));
}

void TestLmEvalResults::percentAndOtherScales()
{
    QTemporaryDir dir;
    const QJsonObject results {
        { "wmt_x", QJsonObject { { "bleu,none", 27.5 }, { "chrf,none", 55.0 } } },
        { "ter_only", QJsonObject { { "ter,none", 60.0 } } },
        { "squadv2",
          QJsonObject { { "exact,none", 60.2 }, { "f1,none", 64.3 }, { "HasAns_f1,none", 70.1 } } },
        { "drop", QJsonObject { { "em,none", 0.30 }, { "f1,none", 0.35 } } },
        { "truthfulqa_gen",
          QJsonObject { { "bleu_max,none", 20.5 },
                        { "bleu_acc,none", 0.33 },
                        { "bleu_diff,none", -2.1 },
                        { "rouge1_max,none", 45.0 } } },
        { "wikitext",
          QJsonObject { { "word_perplexity,none", 25.0 },
                        { "byte_perplexity,none", 1.7 },
                        { "bits_per_byte,none", 0.77 } } },
    };
    const QString path = writeFile(dir, "r.json", results04("m", results));
    const auto errors = loadBenchmarkErrors(path);
    REQUIRE_OK(errors);
    QVERIFY2(errors->warnings.isEmpty(), qPrintable(allWarnings(*errors)));
    QCOMPARE(valueOf(*errors, "wmt_x", "m"), 1 - 0.275);
    QCOMPARE(infoOf(*errors, "ter_only").mapping, ErrorMapping::Percent);
    QCOMPARE(valueOf(*errors, "ter_only", "m"), 0.6);
    // SQuAD's F1 is a percentage (and no out-of-range warning says otherwise).
    QCOMPARE(infoOf(*errors, "squadv2").metric, QStringLiteral("f1"));
    QCOMPARE(valueOf(*errors, "squadv2", "m"), 1 - 0.643);
    QCOMPARE(infoOf(*errors, "drop").metric, QStringLiteral("f1"));
    QCOMPARE(valueOf(*errors, "drop", "m"), 1 - 0.35);
    QCOMPARE(infoOf(*errors, "truthfulqa_gen").metric, QStringLiteral("bleu_acc"));
    QCOMPARE(valueOf(*errors, "wikitext", "m"), 25.0);
    QCOMPARE(infoOf(*errors, "wikitext").mapping, ErrorMapping::AsIs);

    const auto diff = loadWith(path, { "truthfulqa_gen=bleu_diff", "wmt_x=chrf" });
    REQUIRE_OK(diff);
    QCOMPARE(infoOf(*diff, "truthfulqa_gen").mapping, ErrorMapping::Negate);
    QCOMPARE(valueOf(*diff, "truthfulqa_gen", "m"), 2.1);
    QCOMPARE(valueOf(*diff, "wmt_x", "m"), 1 - 0.55);
}

void TestLmEvalResults::unknownAndDeclaredDirections()
{
    QTemporaryDir dir;
    const QJsonObject results {
        { "t1", QJsonObject { { "score,none", 0.9 } } },
        { "t2", QJsonObject { { "score,none", 0.8 } } },
        { "t3", QJsonObject { { "score,none", 0.7 } } },
        { "t4", QJsonObject { { "foo,none", 3.0 } } },
        { "t5", QJsonObject { { "foo,none", 4.0 } } },
        { "custom", QJsonObject { { "refusal_rate,none", 0.2 } } },
        { "custom2", QJsonObject { { "compliance_rate,none", 0.4 } } },
        { "arc_easy", QJsonObject { { "acc,none", 0.5 } } },
    };
    const QJsonObject extra {
        { "higher_is_better",
          QJsonObject { { "custom", QJsonObject { { "refusal_rate", true } } } } },
        { "configs",
          QJsonObject { { "custom2",
                          QJsonObject { { "metric_list",
                                          QJsonArray { QJsonObject {
                                              { "metric", "compliance_rate" },
                                              { "higher_is_better", false } } } } } } } },
    };
    const auto errors
        = loadBenchmarkErrors(writeFile(dir, "r.json", results04("m", results, extra)));
    REQUIRE_OK(errors);
    QCOMPARE(errors->warnings.size(), 1);
    const QString warning = errors->warnings.first().reason;
    QVERIFY2(warning.startsWith(QLatin1String("direction unknown")), qPrintable(warning));
    QVERIFY2(warning.contains(QLatin1String("(5 tasks; metrics: foo, score; first: task t1, metric "
                                            "score)")),
             qPrintable(warning));
    const BenchmarkInfo &unknown = infoOf(*errors, "t4");
    QCOMPARE(unknown.higherIsBetter, std::nullopt);
    QCOMPARE(unknown.directionSource, QStringLiteral("unknown"));
    QCOMPARE(unknown.mapping, ErrorMapping::AsIs);
    QCOMPARE(valueOf(*errors, "t4", "m"), 3.0);
    // Declared by the file: an unknown range, so a higher-is-better value is negated.
    QCOMPARE(infoOf(*errors, "custom").directionSource, QStringLiteral("file"));
    QCOMPARE(valueOf(*errors, "custom", "m"), -0.2);
    QCOMPARE(infoOf(*errors, "custom2").higherIsBetter, std::optional<bool>(false));
    QCOMPARE(valueOf(*errors, "custom2", "m"), 0.4);
}

void TestLmEvalResults::outOfRangeValues()
{
    QTemporaryDir dir;
    writeFile(dir, "a.json",
              results04("m1", { { "acc_task", QJsonObject { { "acc,none", 1.5 } } } }));
    writeFile(dir, "b.json",
              results04("m2", { { "acc_task", QJsonObject { { "acc,none", 0.5 } } } }));
    const auto errors = loadBenchmarkErrors(dir.path());
    REQUIRE_OK(errors);
    // One mapping for the benchmark, whatever the value.
    QCOMPARE(infoOf(*errors, "acc_task").mapping, ErrorMapping::OneMinus);
    QCOMPARE(valueOf(*errors, "acc_task", "m1"), -0.5);
    QCOMPARE(valueOf(*errors, "acc_task", "m2"), 0.5);
    QCOMPARE(errors->warnings.size(), 1);
    const Error &warning = errors->warnings.first();
    QVERIFY(warning.file.endsWith(QLatin1String("a.json")));
    QVERIFY2(warning.reason.contains(QLatin1String("LLM m1, task acc_task: acc,none = 1.5, outside "
                                                   "[0, 1]")),
             qPrintable(warning.reason));
}

void TestLmEvalResults::warningCounts()
{
    // Three LLMs with 120 tasks each, most of which nobody will choose; m1's tasks again in a
    // later file; configs, a 0.3 write_out dump and a samples file beside them.
    QTemporaryDir dir;
    for (const QString model : { "m1", "m2", "m3" }) {
        QJsonObject results;
        for (int i = 0; i < 40; ++i)
            results.insert(QStringLiteral("u%1").arg(i, 2, 10, QLatin1Char('0')),
                           QJsonObject { { "score,none", 0.5 } });
        for (int i = 0; i < 30; ++i)
            results.insert(QStringLiteral("g%1").arg(i, 2, 10, QLatin1Char('0')),
                           QJsonObject { { "alias", "group" } });
        for (int i = 0; i < 50; ++i)
            results.insert(QStringLiteral("t%1").arg(i, 2, 10, QLatin1Char('0')),
                           QJsonObject { { "acc,none", 0.5 }, { "acc_stderr,none", "N/A" } });
        writeFile(dir, model + "/results_1.json", results04(model, results));
        writeFile(dir, model + "/config.json", "{\"model\": \"gpt\"}");
    }
    QJsonObject again;
    for (int i = 0; i < 50; ++i)
        again.insert(QStringLiteral("t%1").arg(i, 2, 10, QLatin1Char('0')),
                     QJsonObject { { "acc,none", i == 7 ? 2.0 : 0.6 } });
    writeFile(dir, "m1/results_2.json", results04("m1", again));
    writeFile(dir, "m2/arc_easy_write_out_info.json", "[{\"doc_id\": 0}]");
    writeFile(dir, "m2/samples_arc_easy_2024.json", "{\"doc_id\": 0}\n{\"doc_id\": 1}\n");

    const auto errors = loadBenchmarkErrors(dir.path());
    REQUIRE_OK(errors);
    QCOMPARE(errors->llms, QStringList({ "m1", "m2", "m3" }));
    QCOMPARE(errors->benchmarks.size(), 90);
    QCOMPARE(valueOf(*errors, "t03", "m1"), 1 - 0.6);
    const QString text = allWarnings(*errors);
    QCOMPARE(errors->warnings.size(), 5);
    const QStringList expected {
        "skipped: not lm-evaluation-harness results files (configs, samples) (5 files;",
        "LLM m1: tasks also in an earlier file; the later file (by sorted path) is used (50 tasks;",
        "skipped: tasks with no numeric metric (30 tasks; first: task g00)",
        "direction unknown",
        "(40 tasks; metrics: score;",
        "values outside their metric's range",
        "(1 value; tasks: t07;",
    };
    for (const QString &phrase : expected)
        QVERIFY2(text.contains(phrase), qPrintable(phrase + "\n---\n" + text));
}

void TestLmEvalResults::computedGroupEdges()
{
    QTemporaryDir dir;
    const QJsonObject full {
        { "hendrycksTest-a", QJsonObject { { "acc", 0.5 }, { "acc_norm", 0.4 } } },
        { "hendrycksTest-b", QJsonObject { { "acc", 0.3 }, { "acc_norm", 0.2 } } }
    };
    writeFile(dir, "m1.json", results03("pretrained=m1", full));
    writeFile(
        dir, "m2.json",
        results03("pretrained=m2", { { "hendrycksTest-a", QJsonObject { { "acc", 0.6 } } } }));
    const auto errors = loadBenchmarkErrors(dir.path());
    REQUIRE_OK(errors);
    QCOMPARE(valueOf(*errors, "hendrycksTest", "m1"), ((1 - 0.5) + (1 - 0.3)) / 2);
    QVERIFY(std::isnan(valueOf(*errors, "hendrycksTest", "m2")));
    QVERIFY2(allWarnings(*errors).contains(QLatin1String("missing: computed group values of LLMs "
                                                         "without every member (1 LLM;")),
             qPrintable(allWarnings(*errors)));

    // Members on different metrics have no meaningful mean: no group, one line saying why.
    const auto mixed = loadWith(dir.path(), { "hendrycksTest-b=acc_norm" });
    REQUIRE_OK(mixed);
    QVERIFY(!mixed->benchmarks.contains("hendrycksTest"));
    QVERIFY(mixed->benchmarks.contains("hendrycksTest-b"));
    QVERIFY2(allWarnings(*mixed).contains(QLatin1String("not computed")),
             qPrintable(allWarnings(*mixed)));
}

void TestLmEvalResults::groupsWithoutSubtasks()
{
    // Early 0.4 files list groups under "groups" without group_subtasks.
    QTemporaryDir dir;
    const QJsonObject results { { "ai2_arc", QJsonObject { { "acc,none", 0.5 } } },
                                { "arc_easy", QJsonObject { { "acc,none", 0.6 } } } };
    const QJsonObject extra {
        { "groups", QJsonObject { { "ai2_arc", QJsonObject { { "acc,none", 0.5 } } } } }
    };
    const auto errors
        = loadBenchmarkErrors(writeFile(dir, "r.json", results04("m", results, extra)));
    REQUIRE_OK(errors);
    QVERIFY(infoOf(*errors, "ai2_arc").isGroup);
    QVERIFY(infoOf(*errors, "ai2_arc").members.isEmpty());
    QVERIFY(!infoOf(*errors, "arc_easy").isGroup);

    // A group row with only an alias is a header without an aggregate: not a benchmark, not
    // worth a warning; its members still name it.
    const QJsonObject withHeader { { "ai2_arc", QJsonObject { { "alias", "ai2_arc" } } },
                                   { "arc_easy", QJsonObject { { "acc,none", 0.6 } } },
                                   { "arc_challenge", QJsonObject { { "acc,none", 0.3 } } } };
    const QJsonObject subtasks { { "group_subtasks",
                                   QJsonObject {
                                       { "ai2_arc", QJsonArray { "arc_easy", "arc_challenge" } },
                                       { "arc_easy", QJsonArray {} },
                                       { "arc_challenge", QJsonArray {} } } } };
    const auto headed
        = loadBenchmarkErrors(writeFile(dir, "h.json", results04("m", withHeader, subtasks)));
    REQUIRE_OK(headed);
    QCOMPARE(headed->benchmarks, QStringList({ "arc_challenge", "arc_easy" }));
    QCOMPARE(infoOf(*headed, "arc_easy").group, QStringLiteral("ai2_arc"));
    QVERIFY2(headed->warnings.isEmpty(), qPrintable(allWarnings(*headed)));
}

QTEST_GUILESS_MAIN(TestLmEvalResults)
#include "tst_lmevalresults.moc"
