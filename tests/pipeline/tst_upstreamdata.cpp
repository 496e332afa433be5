// The real files published with the perplexity-correlations package: 90 LLMs × 263 texts.
#include "common/testdata.h"
#include "selection/selectionrun.h"

#include <QTest>

using namespace pcs;

class TestUpstreamData : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { PCS_REQUIRE_UPSTREAM_DATA(); }

    void everyBenchmarkAndEstimatorGivesFiniteEstimates_data()
    {
        QTest::addColumn<QString>("errorsFile");
        QTest::addColumn<QStringList>("benchmarks");
        for (const QString file : {"error.csv", "error_256.csv"}) {
            for (const QString b : {"arc_easy", "piqa", "sciq", "lambada_openai", "lambada_standard", "lambada_openai_mt_de",
                                     "lambada_openai_mt_es", "lambada_openai_mt_fr", "lambada_openai_mt_it"})
                QTest::newRow(qPrintable(file + ":" + b)) << file << QStringList{b};
            QTest::newRow(qPrintable(file + ":lambada_openai+lambada_standard"))
                << file << QStringList{"lambada_openai", "lambada_standard"};
        }
    }

    void everyBenchmarkAndEstimatorGivesFiniteEstimates()
    {
        QFETCH(QString, errorsFile);
        QFETCH(QStringList, benchmarks);
        const auto inputs = loadSelectionInputs(test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"), {},
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
            // 'stabilityai'); the other 60 + 61 are dropped, each with its reason.
            QCOMPARE(inputs->aligned.llms.size(), 30);
            QCOMPARE(inputs->aligned.dropped.size(), 60 + 61);
            for (const DroppedLlm &d : inputs->aligned.dropped)
                QVERIFY(d.reason == QLatin1String("not in the benchmark file") || d.reason == QLatin1String("not in the BPB file"));
        }
        QCOMPARE(inputs->aligned.benchmarks, benchmarks);
        for (const QString &name : estimatorNames()) {
            const auto values = estimateSelection(*inputs, {*estimatorFromName(name), 2});
            QVERIFY2(values.ok(), qPrintable(name));
            QCOMPARE(values->size(), Eigen::Index(263));
            QVERIFY2(values->allFinite(), qPrintable(name));
            if (name != QLatin1String("product"))
                QVERIFY2(values->cwiseAbs().maxCoeff() <= 1.0, qPrintable(name));
        }
    }

    void alignedErrorsAreTheBenchmarkMeans()
    {
        const auto inputs = loadSelectionInputs(test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"), {},
                                                test::upstreamFile("error.csv"), {"lambada_openai", "lambada_standard"});
        QVERIFY(inputs.ok());
        const BenchmarkErrors &e = inputs->errors;
        const qsizetype a = e.benchmarks.indexOf("lambada_openai"), b = e.benchmarks.indexOf("lambada_standard");
        for (qsizetype i = 0; i < inputs->aligned.llms.size(); ++i) {
            const qsizetype column = e.llms.indexOf(inputs->aligned.llms[i]);
            QVERIFY(column >= 0);
            QCOMPARE(inputs->aligned.errors[i], (e.values(a, column) + e.values(b, column)) / 2.0);
            // The aligned row really is this LLM's row of the BPB file.
            QCOMPARE(inputs->bpb->llms[qsizetype(inputs->aligned.bpbRows[size_t(i)])], inputs->aligned.llms[i]);
        }
        QVERIFY(std::is_sorted(inputs->aligned.llms.begin(), inputs->aligned.llms.end()));
    }

    void defaultBenchmarksAreTheErrorRates()
    {
        const auto inputs = loadSelectionInputs(test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"), {},
                                                test::upstreamFile("error.csv"), {});
        QVERIFY(inputs.ok());
        QCOMPARE(inputs->aligned.benchmarks, QStringList({"arc_easy", "piqa", "sciq"}));
    }
};

QTEST_GUILESS_MAIN(TestUpstreamData)
#include "tst_upstreamdata.moc"
