// The pure drawing helpers: min/max downsampling, stratified sampling, rank order, and the
// estimator comparison figures (top-k overlap, Pearson), checked against hand computations.

#include "ui/charts/downsample.h"
#include "ui/charts/estimatecomparison.h"

#include <QTest>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <set>

using namespace pcs::charts;

class TestDownsample : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keepsEveryBucketsExtremesAndEndpoints_data();
    void keepsEveryBucketsExtremesAndEndpoints();
    void shortCurvesAreKeptWhole();
    void skipsNonFiniteValues();
    void emptyCurve();
    void stratifiedSampleCoversEveryStratum();
    void stratifiedSampleIsReproducible();
    void orderFromRanksInverts();
    void radixSortMatchesStableSort();
    void topIndicesBreaksTiesByLowerIndex();
    void pearsonMatchesHandComputation();
    void overlapMatchesHandComputation();
    void overlapMatchesBruteForce();
};

void TestDownsample::keepsEveryBucketsExtremesAndEndpoints_data()
{
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("buckets");
    QTest::newRow("even") << 10000 << 100;
    QTest::newRow("uneven") << 10007 << 97;
    QTest::newRow("one bucket") << 500 << 1;
    QTest::newRow("two per bucket") << 400 << 200;
}

void TestDownsample::keepsEveryBucketsExtremesAndEndpoints()
{
    QFETCH(int, n);
    QFETCH(int, buckets);
    std::mt19937_64 rng(42);
    std::normal_distribution<double> noise;
    std::vector<double> values(static_cast<std::size_t>(n));
    double walk = 0;
    for (double &v : values)
        v = walk += noise(rng);  // a random walk: extremes anywhere inside buckets

    const auto kept = minMaxDownsample(values, buckets);
    QVERIFY(kept.size() <= std::size_t(2 * buckets + 2));
    QCOMPARE(kept.front(), 0);
    QCOMPARE(kept.back(), n - 1);
    QVERIFY(std::is_sorted(kept.begin(), kept.end()));
    QVERIFY(std::adjacent_find(kept.begin(), kept.end()) == kept.end());
    const std::set<std::int64_t> keptSet(kept.begin(), kept.end());
    for (int b = 0; b < buckets; ++b) {
        const auto begin = values.begin() + std::int64_t(b) * n / buckets;
        const auto end = values.begin() + std::int64_t(b + 1) * n / buckets;
        const auto [lo, hi] = std::minmax_element(begin, end);
        QVERIFY2(keptSet.count(lo - values.begin()),
                 qPrintable(QStringLiteral("min of bucket %1").arg(b)));
        QVERIFY2(keptSet.count(hi - values.begin()),
                 qPrintable(QStringLiteral("max of bucket %1").arg(b)));
        // And nothing else of the bucket (besides the curve's endpoints).
        for (auto it = begin; it != end; ++it) {
            const auto i = it - values.begin();
            if (keptSet.count(i))
                QVERIFY(it == lo || it == hi || i == 0 || i == n - 1);
        }
    }
}

void TestDownsample::shortCurvesAreKeptWhole()
{
    const std::vector<double> values = { 3, 1, 4, 1, 5, 9, 2, 6 };
    const auto kept = minMaxDownsample(values, 100);
    QCOMPARE(kept.size(), values.size());
    for (std::size_t i = 0; i < kept.size(); ++i)
        QCOMPARE(kept[i], std::int64_t(i));
}

void TestDownsample::skipsNonFiniteValues()
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> values = { 1, nan, 5, nan, nan, 2, 0, nan };
    const auto kept = minMaxDownsample(values, 2);  // buckets [0,4) and [4,8)
    const std::vector<std::int64_t> expected = { 0, 2, 5, 6, 7 };  // 7: the endpoint
    QCOMPARE(kept, expected);
}

void TestDownsample::emptyCurve()
{
    QVERIFY(minMaxDownsample({}, 10).empty());
    QVERIFY(stratifiedSample(0, 10, 1).empty());
}

void TestDownsample::stratifiedSampleCoversEveryStratum()
{
    const std::int64_t n = 1000003, count = 5000;
    const auto sample = stratifiedSample(n, count, 99);
    QCOMPARE(std::int64_t(sample.size()), count);
    for (std::int64_t s = 0; s < count; ++s) {
        QVERIFY(sample[std::size_t(s)] >= s * n / count);
        QVERIFY(sample[std::size_t(s)] < (s + 1) * n / count);
    }
    const auto all = stratifiedSample(10, 20, 99);
    QCOMPARE(all.size(), std::size_t(10));
    QCOMPARE(all.back(), 9);
}

void TestDownsample::stratifiedSampleIsReproducible()
{
    QCOMPARE(stratifiedSample(100000, 300, 5), stratifiedSample(100000, 300, 5));
    QVERIFY(stratifiedSample(100000, 300, 5) != stratifiedSample(100000, 300, 6));
}

void TestDownsample::orderFromRanksInverts()
{
    Eigen::VectorXi rank(5);
    rank << 3, 1, 5, 2, 4;
    const std::vector<int> expected = { 1, 3, 0, 4, 2 };
    QCOMPARE(orderFromRanks(rank), expected);
    rank << 3, 1, 3, 2, 4;  // not a permutation
    QVERIFY(orderFromRanks(rank).empty());
    rank << 0, 1, 2, 3, 4;
    QVERIFY(orderFromRanks(rank).empty());
}

void TestDownsample::radixSortMatchesStableSort()
{
    // Ties, both signs, zeros of both signs, tiny and huge magnitudes, and a NaN (last).
    std::mt19937_64 rng(3);
    std::uniform_int_distribution<int> pick(0, 9);
    const double choices[] = { 0.0, -0.0, 1e-300, -2.5, 3.0, 3.0, 1e300, -1e-5, 0.125, 7.0 };
    std::vector<double> values(100000);
    for (double &v : values)
        v = choices[pick(rng)] * (1.0 + double(pick(rng)) / 1e6);
    values[42] = std::numeric_limits<double>::quiet_NaN();
    std::vector<int> indices;
    for (int j = 0; j < int(values.size()); j += 2)
        indices.push_back(j);  // a subset, in a given order
    std::reverse(indices.begin(), indices.end());

    auto expected = indices;
    std::stable_sort(expected.begin(), expected.end(), [&](int a, int b) {
        const double x = values[std::size_t(a)], y = values[std::size_t(b)];
        return !std::isnan(x) && (std::isnan(y) || x > y);
    });
    std::vector<double> sortedValues;
    QCOMPARE(stableSortDescending(indices, values, &sortedValues), expected);
    QCOMPARE(sortedValues.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const double v = values[std::size_t(expected[i])];
        QVERIFY(std::isnan(v) ? std::isnan(sortedValues[i])
                              : std::bit_cast<std::uint64_t>(sortedValues[i])
                        == std::bit_cast<std::uint64_t>(v == 0 ? 0.0 : v));
    }
    QCOMPARE(stableSortDescending({}, values), std::vector<int>());
}

void TestDownsample::topIndicesBreaksTiesByLowerIndex()
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> values = { 1, 7, 7, nan, 3, 7 };
    auto top = topIndices(values, 2);
    std::sort(top.begin(), top.end());
    QCOMPARE(top, (std::vector<std::int64_t> { 1, 2 }));
    top = topIndices(values, 5);
    std::sort(top.begin(), top.end());
    QCOMPARE(top, (std::vector<std::int64_t> { 0, 1, 2, 4, 5 }));  // NaN last
}

void TestDownsample::pearsonMatchesHandComputation()
{
    // x = 1..4, y = 2, 4, 5, 9: means 2.5, 5; Σdxdy = 11, Σdx² = 5, Σdy² = 26.
    const std::vector<double> x = { 1, 2, 3, 4 }, y = { 2, 4, 5, 9 };
    QVERIFY(std::abs(pearsonCorrelation(x, y) - 11.0 / std::sqrt(5.0 * 26.0)) < 1e-12);
    QCOMPARE(pearsonCorrelation(x, std::vector<double> { -1, -2, -3, -4 }), -1.0);
    QVERIFY(std::isnan(pearsonCorrelation(x, std::vector<double> { 1, 1, 1, 1 })));
}

void TestDownsample::overlapMatchesHandComputation()
{
    // D = 200: k(1%) = 2, k(10%) = 20. A = index; B = A but text 0 jumps to the top and
    // text 181 to the bottom.
    std::vector<double> a(200), b(200);
    for (int j = 0; j < 200; ++j)
        a[std::size_t(j)] = b[std::size_t(j)] = j;
    b[0] = 1000;
    b[181] = -1;
    const EstimateComparison c = compareEstimates(a, b);
    QCOMPARE(c.count, 200);
    QCOMPARE(c.kOnePercent, 2);
    QCOMPARE(c.kTenPercent, 20);
    // top 2: A {199, 198}, B {0, 199} -> 1 shared.
    QCOMPARE(c.overlapOnePercent, 0.5);
    // top 20: A {180..199}, B {0, 199..182, 180} -> all of A's but 181: 19 shared.
    QCOMPARE(c.overlapTenPercent, 0.95);
    QVERIFY(c.flags[199] & TopOnePercentA && c.flags[199] & TopOnePercentB);
    QVERIFY(c.flags[0] & TopOnePercentB && !(c.flags[0] & TopTenPercentA));
    QVERIFY(c.flags[181] & TopTenPercentA && !(c.flags[181] & TopTenPercentB));
    QCOMPARE(c.pearson, pearsonCorrelation(a, b));
    QVERIFY(c.pearson > 0 && c.pearson < 1);
}

void TestDownsample::overlapMatchesBruteForce()
{
    // Ties on purpose (values on a coarse grid): the lower index wins, as in the rank column.
    const int d = 3001;
    std::vector<double> a(d), b(d);
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<int> grid(0, 40);
    for (int j = 0; j < d; ++j) {
        a[std::size_t(j)] = grid(rng);
        b[std::size_t(j)] = 0.5 * a[std::size_t(j)] + grid(rng);
    }
    const auto topBySorting = [d](const std::vector<double> &v, int k) {
        std::vector<int> order(static_cast<std::size_t>(d));
        for (int j = 0; j < d; ++j)
            order[std::size_t(j)] = j;
        std::stable_sort(order.begin(), order.end(),
                         [&](int l, int r) { return v[std::size_t(l)] > v[std::size_t(r)]; });
        return std::set<int>(order.begin(), order.begin() + k);
    };
    const EstimateComparison c = compareEstimates(a, b);
    for (const auto &[k, overlap] : { std::pair { c.kOnePercent, c.overlapOnePercent },
                                      std::pair { c.kTenPercent, c.overlapTenPercent } }) {
        const auto ta = topBySorting(a, int(k)), tb = topBySorting(b, int(k));
        int shared = 0;
        for (const int j : ta)
            shared += int(tb.count(j));
        QCOMPARE(overlap, double(shared) / double(k));
    }
}

QTEST_APPLESS_MAIN(TestDownsample)
#include "tst_downsample.moc"
