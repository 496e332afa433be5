// Which benchmarks make y by default, and the three ways of combining several: each worked by
// hand on small matrices.
#include "core/selection/alignment.h"
#include "core/selection/benchmarkchoice.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace pcs;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

BpbMatrix bpbFor(const QStringList &llms)
{
    BpbMatrix m;
    m.llms = llms;
    m.texts = QStringList { "t0", "t1" };
    m.values.resize(llms.size(), 2);
    for (int i = 0; i < llms.size(); ++i) {
        m.values(i, 0) = 1.0 + 0.1 * i;
        m.values(i, 1) = 2.0 - 0.1 * i;
    }
    return m;
}

// LLMs a..e (columns), benchmarks as given, values 0.3 + 0.01 i + 0.1 b.
BenchmarkErrors errorsFor(const QStringList &benchmarks, int llms = 5)
{
    BenchmarkErrors e;
    for (int i = 0; i < llms; ++i)
        e.llms << QString(QChar('a' + i));
    e.benchmarks = benchmarks;
    e.values.resize(benchmarks.size(), llms);
    for (int b = 0; b < benchmarks.size(); ++b)
        for (int i = 0; i < llms; ++i)
            e.values(b, i) = 0.3 + 0.01 * i + 0.1 * b;
    e.info.resize(benchmarks.size());
    return e;
}

void setInfo(BenchmarkErrors &e, const QString &name, const QString &group, bool isGroup = false,
             const QString &directionSource = QStringLiteral("table"))
{
    BenchmarkInfo &info = e.info[e.benchmarks.indexOf(name)];
    info.group = group;
    info.isGroup = isGroup;
    info.directionSource = directionSource;
    info.metric = QStringLiteral("acc");
    info.mapping = ErrorMapping::OneMinus;
}

}  // namespace

class TestBenchmarkChoice : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void names()
    {
        for (Combination c : { Combination::Mean, Combination::RankMean, Combination::ZMean })
            QCOMPARE(combinationFromName(combinationName(c)), std::optional<Combination>(c));
        QCOMPARE(combinationName(Combination::RankMean), QStringLiteral("rank-mean"));
        QVERIFY(!combinationFromName(QStringLiteral("median")));
    }

    // b0 = [0.2, 0.4, 0.4, 0.8], b1 = [0.5, 0.1, 0.3, 0.3] for LLMs 0..3.
    void combinationsByHand_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<QList<double>>("expected");
        // Mean: (0.2+0.5)/2, (0.4+0.1)/2, (0.4+0.3)/2, (0.8+0.3)/2.
        QTest::newRow("mean") << int(Combination::Mean) << QList<double> { 0.35, 0.25, 0.35, 0.55 };
        // Mid-ranks, 1 = lowest error: b0 -> 1, 2.5, 2.5, 4 (the 0.4s share ranks 2 and 3);
        // b1 -> 4, 1, 2.5, 2.5. Means: 2.5, 1.75, 2.5, 3.25.
        QTest::newRow("rank-mean")
            << int(Combination::RankMean) << QList<double> { 2.5, 1.75, 2.5, 3.25 };
        // z with the population sd: b0 mean 0.45, deviations -0.25 -0.05 -0.05 0.35, sd
        // sqrt(0.19/4); b1 mean 0.3, deviations 0.2 -0.2 0 0, sd sqrt(0.08/4).
        const double sd0 = std::sqrt(0.19 / 4), sd1 = std::sqrt(0.08 / 4);
        QTest::newRow("z-mean") << int(Combination::ZMean)
                                << QList<double> { (-0.25 / sd0 + 0.2 / sd1) / 2,
                                                   (-0.05 / sd0 - 0.2 / sd1) / 2,
                                                   (-0.05 / sd0 + 0.0) / 2, (0.35 / sd0) / 2 };
    }

    void combinationsByHand()
    {
        QFETCH(int, mode);
        QFETCH(QList<double>, expected);
        Eigen::MatrixXd errors(2, 4);
        errors << 0.2, 0.4, 0.4, 0.8, 0.5, 0.1, 0.3, 0.3;
        const auto combined = combineBenchmarks(errors, { "b0", "b1" }, Combination(mode));
        QVERIFY(combined.ok());
        QCOMPARE(combined->values.size(), Eigen::Index(4));
        for (int i = 0; i < 4; ++i)
            QVERIFY2(std::abs(combined->values[i] - expected[i]) < 1e-12,
                     qPrintable(QStringLiteral("%1: %2 vs %3")
                                    .arg(i)
                                    .arg(combined->values[i], 0, 'g', 17)
                                    .arg(expected[i], 0, 'g', 17)));
        QVERIFY(combined->warnings.isEmpty());
        // The population sd, not the sample sd: the third value by its digits.
        if (Combination(mode) == Combination::ZMean)
            QVERIFY(std::abs(combined->values[2] - -0.11470786693528084) < 1e-12);
    }

    void zMeanLeavesOutABenchmarkWithoutSpread()
    {
        Eigen::MatrixXd errors(2, 3);
        errors << 0.2, 0.4, 0.9, 0.5, 0.5, 0.5;
        const auto combined = combineBenchmarks(errors, { "varies", "flat" }, Combination::ZMean);
        QVERIFY(combined.ok());
        QCOMPARE(combined->averaged, (QList<bool> { true, false }));
        QCOMPARE(combined->warnings.size(), 1);
        QVERIFY(combined->warnings[0].reason.contains("flat"));
        // y is the z-score of `varies` alone.
        const double mean = 0.5, sd = std::sqrt((0.09 + 0.01 + 0.16) / 3);
        QVERIFY(std::abs(combined->values[0] - (0.2 - mean) / sd) < 1e-12);
        // Every benchmark flat: nothing to combine.
        Eigen::MatrixXd flat = Eigen::MatrixXd::Constant(2, 3, 0.4);
        const auto none = combineBenchmarks(flat, { "x", "y" }, Combination::ZMean);
        QVERIFY(!none.ok());
        QVERIFY(none.error().reason.contains("x, y"));
        // Rank-mean takes a flat benchmark as it is (every LLM the same mid-rank).
        QVERIFY(combineBenchmarks(flat, { "x", "y" }, Combination::RankMean).ok());
    }

    void alignmentUsesTheCombination()
    {
        BenchmarkErrors e = errorsFor({ "small", "huge" }, 4);
        e.values.row(1) << 1000.0, 50.0, 7000.0, 20.0;  // a perplexity-like scale
        AlignOptions options;
        options.benchmarks = QStringList { "small", "huge" };
        options.combination = Combination::RankMean;
        const auto aligned = alignInputs(bpbFor({ "a", "b", "c", "d" }), e, options);
        QVERIFY(aligned.ok());
        // small: 0.3 .. 0.33 -> ranks 1..4; huge -> 3, 2, 4, 1.
        QCOMPARE(aligned->errors[0], 2.0);
        QCOMPARE(aligned->errors[1], 2.0);
        QCOMPARE(aligned->errors[2], 3.5);
        QCOMPARE(aligned->errors[3], 2.5);
        // Scale-free: no warning about one benchmark dominating (only the range note).
        for (const Error &w : aligned->warnings)
            QVERIFY2(!w.reason.contains("dominates"), qPrintable(w.reason));
        options.combination = Combination::Mean;
        const auto mean = alignInputs(bpbFor({ "a", "b", "c", "d" }), e, options);
        QVERIFY(mean.ok());
        int dominates = 0, outside = 0;
        for (const Error &w : mean->warnings) {
            dominates += w.reason.contains("dominates the mean");
            outside += w.reason.contains("outside [0, 1]");
        }
        QCOMPARE(dominates, 1);
        QCOMPARE(outside, 1);
    }

    // The old default took every benchmark whose values were rates over the union of LLMs:
    // one LLM with one extra task put that task in, and every other LLM was dropped for lacking
    // it. The default is now the intersection over the matched LLMs.
    void oneLlmWithAnExtraTaskDropsNobody()
    {
        BenchmarkErrors e = errorsFor({ "arc", "extra" });
        e.values.row(1).setConstant(kNaN);
        e.values(1, 0) = 0.5;  // only a has it
        const auto aligned = alignInputs(bpbFor({ "a", "b", "c", "d", "e" }), e);
        QVERIFY2(aligned.ok(), aligned.ok() ? "" : qPrintable(aligned.error().reason));
        QCOMPARE(aligned->benchmarks, QStringList { "arc" });
        QCOMPARE(aligned->llms.size(), 5);
        QVERIFY(aligned->dropped.isEmpty());
        QVERIFY(!aligned->benchmarksRequested);
        QCOMPARE(aligned->coverage, (std::vector<qsizetype> { 5, 1 }));
        // An LLM missing from the BPB file does not count: its extra task is no reason either.
        const auto fewer = alignInputs(bpbFor({ "b", "c", "d", "e" }), errorsFor({ "arc" }));
        QVERIFY(fewer.ok());
    }

    void groupsCountOnceAndUnknownDirectionIsLeftOut()
    {
        BenchmarkErrors e = errorsFor(
            { "arc", "mmlu", "mmlu_stem", "mmlu_anatomy", "mmlu_law", "bbh_logic", "mystery" });
        setInfo(e, "arc", {});
        setInfo(e, "mmlu", {}, true);
        setInfo(e, "mmlu_stem", "mmlu", true);
        setInfo(e, "mmlu_anatomy", "mmlu_stem");
        setInfo(e, "mmlu_law", "mmlu");
        // A member whose group has no value of its own: it stands for itself.
        setInfo(e, "bbh_logic", "bbh");
        setInfo(e, "mystery", {}, false, QStringLiteral("unknown"));
        const std::vector<qsizetype> all { 0, 1, 2, 3, 4 };
        QCOMPARE(defaultBenchmarkSet(e, all, nullptr),
                 (QStringList { "arc", "mmlu", "bbh_logic" }));
        // mmlu missing for one LLM: it leaves the set, and its members stand in for it (the
        // subgroup counts by its own value, its subject once through it).
        e.values(1, 2) = kNaN;
        QCOMPARE(defaultBenchmarkSet(e, all, nullptr),
                 (QStringList { "arc", "mmlu_stem", "mmlu_law", "bbh_logic" }));
    }

    void errorRatesComeFirst()
    {
        BenchmarkErrors e = errorsFor({ "arc", "lambada", "piqa" });
        e.values(1, 0) = 12345.0;  // a perplexity
        const std::vector<qsizetype> all { 0, 1, 2, 3, 4 };
        QCOMPARE(defaultBenchmarkSet(e, all, nullptr), (QStringList { "arc", "piqa" }));
        // Only perplexities: then they are the set.
        BenchmarkErrors perplexities = errorsFor({ "lambada" });
        perplexities.values(0, 2) = 40.0;
        QCOMPARE(defaultBenchmarkSet(perplexities, all, nullptr), QStringList { "lambada" });
        // A value outside [0, 1] of an LLM that is not matched does not matter.
        QCOMPARE(defaultBenchmarkSet(e, { 1, 2, 3, 4 }, nullptr),
                 (QStringList { "arc", "lambada", "piqa" }));
    }

    void emptyDefaultSetNamesTheClosest()
    {
        BenchmarkErrors e = errorsFor({ "arc", "piqa", "sciq" });
        e.values(0, 0) = kNaN;  // arc: 4 of 5
        e.values(1, 0) = kNaN;
        e.values(1, 1) = kNaN;  // piqa: 3 of 5
        e.values(2, 4) = kNaN;  // sciq: 4 of 5
        QString why;
        QVERIFY(defaultBenchmarkSet(e, { 0, 1, 2, 3, 4 }, &why).isEmpty());
        QVERIFY2(why.contains("all 5 matched LLMs"), qPrintable(why));
        QVERIFY2(why.contains("arc (4 of 5 LLMs), sciq (4 of 5 LLMs), piqa (3 of 5 LLMs)"),
                 qPrintable(why));
        const auto aligned
            = alignInputs(bpbFor({ "a", "b", "c", "d", "e" }), e, {}, "b.csv", "e.csv");
        QVERIFY(!aligned.ok());
        QVERIFY2(aligned.error().reason.contains("no default benchmarks")
                     && aligned.error().reason.contains("arc (4 of 5 LLMs)"),
                 qPrintable(aligned.error().reason));
        // Named explicitly, a benchmark works and the LLMs without it are dropped.
        AlignOptions options;
        options.benchmarks = QStringList { "arc" };
        const auto named = alignInputs(bpbFor({ "a", "b", "c", "d", "e" }), e, options);
        QVERIFY(named.ok());
        QCOMPARE(named->llms.size(), 4);
        QCOMPARE(named->chosen[0].llmsCovered, 4);
        QVERIFY(named->benchmarksRequested);
    }
};

QTEST_GUILESS_MAIN(TestBenchmarkChoice)
#include "tst_benchmarkchoice.moc"
