// The real files published with the perplexity-correlations package: 90 LLMs × 263 texts.
#include "core/selection/selectionrun.h"
#include "tests/common/testdata.h"

#include <QTest>

#include <algorithm>

using namespace pcs;

class TestUpstreamData : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { PCS_REQUIRE_UPSTREAM_DATA(); }

    void everyBenchmarkAndEstimatorGivesFiniteEstimates_data()
    {
        QTest::addColumn<QString>("errorsFile");
        QTest::addColumn<QStringList>("benchmarks");
        for (const QString file : { "error.csv", "error_256.csv" }) {
            for (const QString b :
                 { "arc_easy", "piqa", "sciq", "lambada_openai", "lambada_standard",
                   "lambada_openai_mt_de", "lambada_openai_mt_es", "lambada_openai_mt_fr",
                   "lambada_openai_mt_it" })
                QTest::newRow(qPrintable(file + ":" + b)) << file << QStringList { b };
            QTest::newRow(qPrintable(file + ":lambada_openai+lambada_standard"))
                << file << QStringList { "lambada_openai", "lambada_standard" };
        }
    }

    void everyBenchmarkAndEstimatorGivesFiniteEstimates()
    {
        QFETCH(QString, errorsFile);
        QFETCH(QStringList, benchmarks);
        const auto inputs
            = loadSelectionInputs(test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"), {},
                                  test::upstreamFile(errorsFile), benchmarks);
        QVERIFY2(inputs.ok(), inputs.ok() ? "" : qPrintable(inputs.error().toString()));
        QCOMPARE(inputs->bpb->llms.size(), 90);
        QCOMPARE(inputs->bpb->texts.size(), 263);
        if (errorsFile == QLatin1String("error.csv")) {
            QCOMPARE(inputs->aligned.llms.size(), 90);
            QVERIFY(inputs->aligned.dropped.isEmpty());
        } else {
            // error_256.csv is another evaluation run over 91 LLMs, only 30 of them named exactly
            // as in the BPB file (others differ in the family label, e.g. 'stablelm' vs
            // 'stabilityai'); the other 60 + 61 are dropped, each with its reason (and, where
            // there is one, the closest name of the other file).
            QCOMPARE(inputs->aligned.llms.size(), 30);
            QCOMPARE(inputs->aligned.dropped.size(), 60 + 61);
            for (const DroppedLlm &d : inputs->aligned.dropped)
                QVERIFY2(d.reason.startsWith(QLatin1String("not in the benchmark file"))
                             || d.reason.startsWith(QLatin1String("not in the BPB file")),
                         qPrintable(d.reason));
        }
        QCOMPARE(inputs->aligned.benchmarks, benchmarks);
        for (const QString &name : estimatorNames()) {
            const auto values = estimateSelection(*inputs, { *estimatorFromName(name), 2 });
            QVERIFY2(values.ok(), qPrintable(name));
            QCOMPARE(values->size(), Eigen::Index(263));
            QVERIFY2(values->allFinite(), qPrintable(name));
            if (name != QLatin1String("product"))
                QVERIFY2(values->cwiseAbs().maxCoeff() <= 1.0, qPrintable(name));
        }
    }

    void alignedErrorsAreTheBenchmarkMeans()
    {
        const auto inputs = loadSelectionInputs(
            test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"), {},
            test::upstreamFile("error.csv"), { "lambada_openai", "lambada_standard" });
        QVERIFY(inputs.ok());
        const BenchmarkErrors &e = inputs->errors;
        const qsizetype a = e.benchmarks.indexOf("lambada_openai"),
                        b = e.benchmarks.indexOf("lambada_standard");
        for (qsizetype i = 0; i < inputs->aligned.llms.size(); ++i) {
            const qsizetype column = e.llms.indexOf(inputs->aligned.llms[i]);
            QVERIFY(column >= 0);
            QCOMPARE(inputs->aligned.errors[i], (e.values(a, column) + e.values(b, column)) / 2.0);
            // The aligned row really is this LLM's row of the BPB file.
            QCOMPARE(inputs->bpb->llms[qsizetype(inputs->aligned.bpbRows[size_t(i)])],
                     inputs->aligned.llms[i]);
        }
        QVERIFY(std::is_sorted(inputs->aligned.llms.begin(), inputs->aligned.llms.end()));
    }

    // The two evaluation runs name 4 more LLMs alike by Hugging Face id than by exact name; the
    // BPB file holds LLM360/Amber twice (family labels 'llm360' and 'amber') with identical
    // values: one model, reported and counted once.
    void hfIdMatchingOnTheSecondRun()
    {
        const QString bpb = test::upstreamFile("chunked_synthetic_sample_bpb_id.csv");
        const QString errors = test::upstreamFile("error_256.csv");
        const auto exact = loadSelectionInputs(bpb, {}, errors, QStringList {});
        QVERIFY(exact.ok());
        QCOMPARE(exact->aligned.llms.size(), 30);
        // The near misses are named, with the hint.
        QString stablelm;
        for (const DroppedLlm &d : exact->aligned.dropped)
            if (d.name == QLatin1String("('stabilityai', 'stabilityai/stablelm-2-1_6b')"))
                stablelm = d.reason;
        QCOMPARE(stablelm,
                 QStringLiteral("not in the benchmark file; closest there: \"('stablelm', "
                                "'stabilityai/stablelm-2-1_6b')\" (same Hugging Face id)"));
        QVERIFY(std::any_of(exact->aligned.warnings.begin(), exact->aligned.warnings.end(),
                            [](const Error &w) {
                                return w.reason.contains("--match hf-id would match them (4 LLMs;");
                            }));

        AlignOptions options;
        options.matching = LlmMatching::HfId;
        const auto byId = loadSelectionInputs(bpb, {}, errors, {}, options);
        QVERIFY2(byId.ok(), byId.ok() ? "" : qPrintable(byId.error().toString()));
        QCOMPARE(byId->aligned.llms.size(), 34);
        // 90 BPB names: 34 matched, 1 duplicate, 55 without a partner; 91 - 34 benchmark names.
        QCOMPARE(byId->aligned.dropped.size(), 1 + 55 + 57);
        QCOMPARE(byId->aligned.duplicates.size(), 1);
        QCOMPARE(byId->aligned.duplicates[0].kept, QStringLiteral("('llm360', 'LLM360/Amber')"));
        QCOMPARE(byId->aligned.duplicates[0].other, QStringLiteral("('amber', 'LLM360/Amber')"));
        QCOMPARE(byId->aligned.warnings.size(), 1);
        QVERIFY(byId->aligned.warnings[0].reason.contains(
            "(1 pair; first: \"('llm360', 'LLM360/Amber')\" and "
            "\"('amber', 'LLM360/Amber')\")"));
        // Amber's errors come from the benchmark file's only Amber column.
        const qsizetype amber = byId->aligned.llms.indexOf("('llm360', 'LLM360/Amber')");
        QCOMPARE(byId->aligned.errorLlms[amber], QStringLiteral("('amber', 'LLM360/Amber')"));
        const auto estimated = estimateSelection(*byId, {});
        QVERIFY(estimated.ok() && estimated->allFinite());
    }

    void amberTwiceInTheFirstRun()
    {
        const QString bpb = test::upstreamFile("chunked_synthetic_sample_bpb_id.csv");
        const QString errors = test::upstreamFile("error.csv");
        const auto exact = loadSelectionInputs(bpb, {}, errors, QStringList {});
        QVERIFY(exact.ok());
        QCOMPARE(exact->aligned.llms.size(), 90);
        QCOMPARE(exact->aligned.duplicates.size(), 1);
        QVERIFY(!exact->aligned.duplicates[0].otherDropped);
        QCOMPARE(exact->aligned.warnings.size(), 1);
        QVERIFY2(
            exact->aligned.warnings[0].reason.startsWith(
                "LLMs with identical BPB values in every text: probably one model counted twice "
                "(--dedupe-llms keeps the first) (1 pair; first: \"('llm360', 'LLM360/Amber')\" "
                "and "
                "\"('amber', 'LLM360/Amber')\", identical BPB values in every text and identical "
                "benchmark values)"),
            qPrintable(exact->aligned.warnings[0].reason));

        AlignOptions options;
        options.dedupeLlms = true;
        const auto deduped = loadSelectionInputs(bpb, {}, errors, {}, options);
        QVERIFY(deduped.ok());
        QCOMPARE(deduped->aligned.llms.size(), 89);
        QCOMPARE(deduped->aligned.dropped.size(), 1);
        QCOMPARE(deduped->aligned.dropped[0].name, QStringLiteral("('amber', 'LLM360/Amber')"));
        // By id, both files' pairs are one model each, with or without --dedupe-llms.
        options = {};
        options.matching = LlmMatching::HfId;
        const auto byId = loadSelectionInputs(bpb, {}, errors, {}, options);
        QVERIFY(byId.ok());
        QCOMPARE(byId->aligned.llms.size(), 89);
        QCOMPARE(byId->aligned.duplicates.size(), 2);
    }

    void defaultBenchmarksAreTheErrorRates()
    {
        const auto inputs
            = loadSelectionInputs(test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"), {},
                                  test::upstreamFile("error.csv"), {});
        QVERIFY(inputs.ok());
        QCOMPARE(inputs->aligned.benchmarks, QStringList({ "arc_easy", "piqa", "sciq" }));
    }
};

QTEST_GUILESS_MAIN(TestUpstreamData)
#include "tst_upstreamdata.moc"
