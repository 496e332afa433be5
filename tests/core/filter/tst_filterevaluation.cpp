// evaluateFilter, thresholdForKeepFraction, keptFraction and thresholdCurve: against naive
// definitions on random data with many ties, hand-worked small cases, and degenerate inputs.

#include "core/filter/filterevaluation.h"

#include <QJsonArray>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using pcs::FilterEvaluation;

namespace {

struct LabelledScores {
    std::vector<double> scores;
    std::vector<bool> isInclude;
};

// Scores on a coarse grid (many ties), includes drawn a little higher than excludes.
LabelledScores randomLabelledScores(unsigned seed, int n, int gridSteps)
{
    std::mt19937 random(seed);
    std::bernoulli_distribution includeCoin(0.4);
    std::uniform_int_distribution<int> step(0, gridSteps);
    LabelledScores data;
    for (int i = 0; i < n; ++i) {
        const bool include = includeCoin(random);
        const int a = step(random), b = step(random);
        data.scores.push_back(double(include ? std::max(a, b) : std::min(a, b)) / gridSteps);
        data.isInclude.push_back(include);
    }
    return data;
}

// P(include score > exclude score) + 1/2 P(equal), over all pairs.
double naiveAuc(const LabelledScores &data)
{
    double wins = 0;
    qint64 pairs = 0;
    for (std::size_t i = 0; i < data.scores.size(); ++i) {
        if (!data.isInclude[i])
            continue;
        for (std::size_t j = 0; j < data.scores.size(); ++j) {
            if (data.isInclude[j])
                continue;
            ++pairs;
            wins += data.scores[i] > data.scores[j] ? 1.0
                : data.scores[i] == data.scores[j]  ? 0.5
                                                    : 0.0;
        }
    }
    return wins / double(pairs);
}

// The largest score t such that at least k scores are >= t.
double bruteForceThreshold(const std::vector<double> &scores, qint64 k)
{
    double best = -1;
    for (double candidate : scores) {
        const auto atLeast
            = std::count_if(scores.begin(), scores.end(), [&](double s) { return s >= candidate; });
        if (atLeast >= k)
            best = std::max(best, candidate);
    }
    return best;
}

}  // namespace

class TestFilterEvaluation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aucMatchesNaivePairCount_data();
    void aucMatchesNaivePairCount();
    void handWorkedCounts();
    void histogramBinEdges();
    void keepFractionMatchesBruteForce();
    void keepFractionRounding();
    void keptFractionCounts();
    void thresholdCurveAgreesWithEvaluate();
    void degenerateInputs();
    void jsonKeys();
};

void TestFilterEvaluation::aucMatchesNaivePairCount_data()
{
    QTest::addColumn<unsigned>("seed");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("gridSteps");
    QTest::newRow("heavy ties") << 1u << 400 << 4;
    QTest::newRow("some ties") << 2u << 500 << 40;
    QTest::newRow("few ties") << 3u << 300 << 100000;
    QTest::newRow("tiny") << 4u << 7 << 2;
}

void TestFilterEvaluation::aucMatchesNaivePairCount()
{
    QFETCH(unsigned, seed);
    QFETCH(int, n);
    QFETCH(int, gridSteps);
    const LabelledScores data = randomLabelledScores(seed, n, gridSteps);
    const FilterEvaluation evaluation = pcs::evaluateFilter(data.scores, data.isInclude);
    QVERIFY(evaluation.includeCount > 0 && evaluation.excludeCount > 0);
    const double expected = naiveAuc(data);
    QVERIFY2(std::abs(evaluation.rocAuc - expected) < 1e-12,
             qPrintable(QStringLiteral("%1 vs naive %2").arg(evaluation.rocAuc).arg(expected)));
}

void TestFilterEvaluation::handWorkedCounts()
{
    // include: 1.0, 0.5, 0.2; exclude: 0.9, 0.5, 0.0. At 0.5: TP {1.0, 0.5}, FP {0.9, 0.5}, FN
    // {0.2}.
    const std::vector<double> scores { 1.0, 0.9, 0.5, 0.5, 0.2, 0.0 };
    const std::vector<bool> isInclude { true, false, true, false, true, false };
    const FilterEvaluation e = pcs::evaluateFilter(scores, isInclude, 0.5, 10);
    QCOMPARE(e.includeCount, 3);
    QCOMPARE(e.excludeCount, 3);
    QCOMPARE(e.truePositives, 2);
    QCOMPARE(e.falsePositives, 2);
    QCOMPARE(e.falseNegatives, 1);
    QCOMPARE(e.precision, 0.5);
    QCOMPARE(e.recall, 2.0 / 3.0);
    QCOMPARE(e.f1, 4.0 / 7.0);  // 2PR / (P + R) = (2/3) / (7/6)
    // Pairs: 1.0 beats all 3; 0.5 beats 0.0, ties 0.5 (1/2), loses to 0.9; 0.2 beats 0.0.
    QCOMPARE(e.rocAuc, 5.5 / 9.0);
    // 1.0 falls in the last bin, 0.0 in the first, 0.5 opens bin 5.
    QCOMPARE(e.includeHistogram, (std::vector<qint64> { 0, 0, 1, 0, 0, 1, 0, 0, 0, 1 }));
    QCOMPARE(e.excludeHistogram, (std::vector<qint64> { 1, 0, 0, 0, 0, 1, 0, 0, 0, 1 }));

    // Everything predicted include at threshold 0; nothing at a threshold above every score.
    const FilterEvaluation all = pcs::evaluateFilter(scores, isInclude, 0.0, 10);
    QCOMPARE(all.truePositives, 3);
    QCOMPARE(all.falsePositives, 3);
    QCOMPARE(all.recall, 1.0);
    QCOMPARE(all.precision, 0.5);
    const FilterEvaluation none = pcs::evaluateFilter(scores, isInclude, 1.5, 10);
    QCOMPARE(none.truePositives, 0);
    QCOMPARE(none.precision, 0.0);
    QCOMPARE(none.recall, 0.0);
    QCOMPARE(none.f1, 0.0);
    QCOMPARE(none.rocAuc, 5.5 / 9.0);  // independent of the threshold

    // Perfect and inverted separation.
    QCOMPARE(pcs::evaluateFilter({ 0.9, 0.8, 0.1 }, { true, true, false }).rocAuc, 1.0);
    QCOMPARE(pcs::evaluateFilter({ 0.1, 0.8, 0.9 }, { true, false, false }).rocAuc, 0.0);
    QCOMPARE(pcs::evaluateFilter({ 0.3, 0.3 }, { true, false }).rocAuc, 0.5);
}

void TestFilterEvaluation::histogramBinEdges()
{
    constexpr int kBins = 100;
    std::vector<double> scores;
    for (int k = 0; k <= kBins; ++k)
        scores.push_back(double(k) / kBins);  // exactly on every edge; 0.29 * 100 < 29 in doubles
    scores.push_back(std::nextafter(0.29, 0.0));  // just below an edge
    scores.push_back(1.00001);  // fastText's smoothing can exceed 1
    scores.push_back(-0.5);
    const FilterEvaluation e
        = pcs::evaluateFilter(scores, std::vector<bool>(scores.size(), true), 0.5, kBins);
    std::vector<qint64> expected(kBins, 1);
    expected[kBins - 1] += 2;  // 1.0 and 1.00001
    expected[28] += 1;  // the one just below 0.29
    expected[0] += 1;  // -0.5
    QCOMPARE(e.includeHistogram, expected);
    QCOMPARE(e.excludeHistogram, std::vector<qint64>(kBins, 0));

    // Every count lands somewhere, for arbitrary bin counts.
    const LabelledScores data = randomLabelledScores(9, 1000, 997);
    for (int bins : { 1, 3, 7, 50 }) {
        const FilterEvaluation r = pcs::evaluateFilter(data.scores, data.isInclude, 0.5, bins);
        QCOMPARE(qint64(r.includeHistogram.size()), qint64(bins));
        qint64 total = 0;
        for (std::size_t b = 0; b < r.includeHistogram.size(); ++b)
            total += r.includeHistogram[b] + r.excludeHistogram[b];
        QCOMPARE(total, qint64(data.scores.size()));
    }
}

void TestFilterEvaluation::keepFractionMatchesBruteForce()
{
    std::mt19937 random(7);
    std::uniform_real_distribution<double> fractionDistribution(0.0, 1.0);
    for (int round = 0; round < 40; ++round) {
        const LabelledScores data
            = randomLabelledScores(100 + round, 1 + round * 5, round % 2 ? 10 : 1000);
        const qint64 n = qint64(data.scores.size());
        for (int trial = 0; trial < 10; ++trial) {
            const double fraction = fractionDistribution(random);
            const qint64 k = std::max<qint64>(1, qint64(std::ceil(fraction * double(n))));
            const double threshold = pcs::thresholdForKeepFraction(data.scores, fraction);
            QCOMPARE(threshold, bruteForceThreshold(data.scores, k));
            QVERIFY(pcs::keptFraction(data.scores, threshold) * double(n) >= double(k) - 1e-9);
        }
    }
}

void TestFilterEvaluation::keepFractionRounding()
{
    const std::vector<double> tenScores {
        0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95
    };
    QCOMPARE(pcs::thresholdForKeepFraction(tenScores, 0.3), 0.75);  // 0.3 * 10 rounds above 3
    QCOMPARE(pcs::thresholdForKeepFraction(tenScores, 0.7), 0.35);  // 0.7 * 10 also
    QCOMPARE(pcs::thresholdForKeepFraction(tenScores, 0.31), 0.65);  // 3.1 → 4
    QCOMPARE(pcs::thresholdForKeepFraction(tenScores, 1.0), 0.05);
    QCOMPARE(pcs::thresholdForKeepFraction(tenScores, 2.0), 0.05);
    QCOMPARE(pcs::thresholdForKeepFraction(tenScores, 1e-9), 0.95);  // at least one
    QCOMPARE(pcs::thresholdForKeepFraction(tenScores, 0.0), 0.95);
    QCOMPARE(pcs::thresholdForKeepFraction(tenScores, -1.0), 0.95);
    QCOMPARE(pcs::thresholdForKeepFraction(tenScores, std::nan("")), 0.95);
    QCOMPARE(pcs::keptFraction(tenScores, pcs::thresholdForKeepFraction(tenScores, 0.3)), 0.3);
    // Ties at the threshold keep more than asked.
    const std::vector<double> tied { 0.2, 0.5, 0.5, 0.5, 0.9 };
    QCOMPARE(pcs::thresholdForKeepFraction(tied, 0.4), 0.5);
    QCOMPARE(pcs::keptFraction(tied, 0.5), 0.8);
}

void TestFilterEvaluation::keptFractionCounts()
{
    const std::vector<double> scores { 0.0, 0.25, 0.5, 0.75, 1.0 };
    QCOMPARE(pcs::keptFraction(scores, 0.5), 0.6);  // >=, so 0.5 itself is kept
    QCOMPARE(pcs::keptFraction(scores, 0.0), 1.0);
    QCOMPARE(pcs::keptFraction(scores, 1.5), 0.0);
    QCOMPARE(pcs::keptFraction({}, 0.5), 0.0);
}

void TestFilterEvaluation::thresholdCurveAgreesWithEvaluate()
{
    const LabelledScores data = randomLabelledScores(11, 600, 30);
    const std::vector<pcs::ThresholdPoint> curve = pcs::thresholdCurve(data.scores, data.isInclude);
    std::vector<double> distinct = data.scores;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    QCOMPARE(qint64(curve.size()), qint64(distinct.size()));
    for (std::size_t i = 0; i < curve.size(); ++i) {
        const pcs::ThresholdPoint &point = curve[i];
        QCOMPARE(point.threshold, distinct[distinct.size() - 1 - i]);  // descending
        if (i > 0) {
            QVERIFY(point.recall >= curve[i - 1].recall);
            QVERIFY(point.keptFraction > curve[i - 1].keptFraction);
        }
        const FilterEvaluation at
            = pcs::evaluateFilter(data.scores, data.isInclude, point.threshold);
        QCOMPARE(point.precision, at.precision);
        QCOMPARE(point.recall, at.recall);
        QCOMPARE(point.keptFraction, pcs::keptFraction(data.scores, point.threshold));
    }
    QCOMPARE(curve.back().recall, 1.0);
    QCOMPARE(curve.back().keptFraction, 1.0);
}

void TestFilterEvaluation::degenerateInputs()
{
    // Empty: zero counts and ratios, all-zero histograms, rocAuc 0.5 (no pair to order).
    const FilterEvaluation empty = pcs::evaluateFilter({}, {}, 0.5, 5);
    QCOMPARE(empty.includeCount, 0);
    QCOMPARE(empty.excludeCount, 0);
    QCOMPARE(empty.truePositives + empty.falsePositives + empty.falseNegatives, 0);
    QCOMPARE(empty.precision, 0.0);
    QCOMPARE(empty.recall, 0.0);
    QCOMPARE(empty.f1, 0.0);
    QCOMPARE(empty.rocAuc, 0.5);
    QCOMPARE(empty.includeHistogram, std::vector<qint64>(5, 0));
    QCOMPARE(empty.excludeHistogram, std::vector<qint64>(5, 0));
    QCOMPARE(pcs::thresholdForKeepFraction({}, 0.5), 0.0);
    QVERIFY(pcs::thresholdCurve({}, {}).empty());

    // One class only: rocAuc 0.5; precision and recall still defined where they can be.
    const FilterEvaluation onlyInclude
        = pcs::evaluateFilter({ 0.9, 0.2, 0.6 }, { true, true, true }, 0.5);
    QCOMPARE(onlyInclude.rocAuc, 0.5);
    QCOMPARE(onlyInclude.precision, 1.0);
    QCOMPARE(onlyInclude.recall, 2.0 / 3.0);
    const FilterEvaluation onlyExclude = pcs::evaluateFilter({ 0.9, 0.2 }, { false, false }, 0.5);
    QCOMPARE(onlyExclude.rocAuc, 0.5);
    QCOMPARE(onlyExclude.precision, 0.0);
    QCOMPARE(onlyExclude.recall, 0.0);
    QCOMPARE(onlyExclude.falsePositives, 1);
    const std::vector<pcs::ThresholdPoint> curve
        = pcs::thresholdCurve({ 0.9, 0.2 }, { false, false });
    QCOMPARE(qint64(curve.size()), 2);
    QCOMPARE(curve.back().recall, 0.0);

    // No bins: no histograms.
    QVERIFY(pcs::evaluateFilter({ 0.5 }, { true }, 0.5, 0).includeHistogram.empty());
}

void TestFilterEvaluation::jsonKeys()
{
    const FilterEvaluation e = pcs::evaluateFilter(
        { 1.0, 0.9, 0.5, 0.5, 0.2, 0.0 }, { true, false, true, false, true, false }, 0.5, 4);
    const QJsonObject json = e.toJson();
    QCOMPARE(json.value(QStringLiteral("include_count")).toInteger(), 3);
    QCOMPARE(json.value(QStringLiteral("exclude_count")).toInteger(), 3);
    QCOMPARE(json.value(QStringLiteral("threshold")).toDouble(), 0.5);
    QCOMPARE(json.value(QStringLiteral("precision")).toDouble(), 0.5);
    QCOMPARE(json.value(QStringLiteral("recall")).toDouble(), 2.0 / 3.0);
    QCOMPARE(json.value(QStringLiteral("f1")).toDouble(), 4.0 / 7.0);
    QCOMPARE(json.value(QStringLiteral("roc_auc")).toDouble(), 5.5 / 9.0);
    QCOMPARE(json.value(QStringLiteral("true_positives")).toInteger(), 2);
    QCOMPARE(json.value(QStringLiteral("false_positives")).toInteger(), 2);
    QCOMPARE(json.value(QStringLiteral("false_negatives")).toInteger(), 1);
    QCOMPARE(json.value(QStringLiteral("include_histogram")).toArray(),
             (QJsonArray { 1, 0, 1, 1 }));
    QCOMPARE(json.value(QStringLiteral("exclude_histogram")).toArray(),
             (QJsonArray { 1, 0, 1, 1 }));
    QCOMPARE(json.size(), 12);
}

QTEST_GUILESS_MAIN(TestFilterEvaluation)
#include "tst_filterevaluation.moc"
