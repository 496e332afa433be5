// The estimators of DESIGN.md §3 against a naive O(N²·D) transcription of the formulas, on
// hand-worked cases, and on degenerate input.

#include "core/selection/estimators.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

using Eigen::Index;
using pcs::Estimator;

namespace {

// ---- The naive reference, straight from the formulas (long double, O(N²)) ----------------

int sgn(long double v)
{
    return (v > 0) - (v < 0);
}

// Mid-rank by counting: 1 + #smaller + (#equal − 1) / 2.
std::vector<long double> naiveMidRanks(const std::vector<double> &v)
{
    std::vector<long double> ranks(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        long double smaller = 0, equal = 0;
        for (double other : v) {
            smaller += other < v[i];
            equal += other == v[i];
        }
        ranks[i] = 1 + smaller + (equal - 1) / 2;
    }
    return ranks;
}

struct Naive {
    double value;
    double magnitude;  // the scale of the terms summed: the tolerance is relative to it
};

Naive naiveEstimate(Estimator estimator, const std::vector<double> &x, const std::vector<double> &y)
{
    const std::size_t n = y.size();
    const auto rx = naiveMidRanks(x);
    const auto ry = naiveMidRanks(y);
    if (estimator == Estimator::Spearmanr) {  // Pearson correlation of the mid-ranks
        const long double mean = (n + 1) / 2.0L;
        long double sxy = 0, sxx = 0, syy = 0;
        for (std::size_t i = 0; i < n; ++i) {
            sxy += (rx[i] - mean) * (ry[i] - mean);
            sxx += (rx[i] - mean) * (rx[i] - mean);
            syy += (ry[i] - mean) * (ry[i] - mean);
        }
        return { sxx == 0 ? 0.0 : double(sxy / std::sqrt(sxx * syy)), 1.0 };
    }
    if (estimator == Estimator::Product) {
        long double sum = 0, magnitude = 0;
        for (std::size_t k = 0; k < n; ++k) {
            sum += (long double)y[k] * x[k];
            magnitude += std::abs((long double)y[k] * x[k]);
        }
        return { double(sum / n), double(magnitude / n) };
    }
    long double sum = 0, magnitude = 0;
    for (std::size_t l = 0; l < n; ++l) {
        for (std::size_t k = 0; k < l; ++k) {
            const int s = sgn((long double)y[l] - y[k]);
            if (estimator == Estimator::SignCdf)  // F = rank / N; the 1/N is applied below
                sum += s * (rx[l] - rx[k]);
            else if (estimator == Estimator::Sign)
                sum += s * ((long double)x[l] - x[k]);
            else
                sum += s * sgn((long double)x[l] - x[k]);
            magnitude += std::abs((long double)x[l]) + std::abs((long double)x[k]);
        }
    }
    long double scale = 2 / (n * (n - 1.0L));
    if (estimator == Estimator::SignCdf)
        scale /= n;
    return { double(scale * sum), estimator == Estimator::Sign ? double(scale * magnitude) : 1.0 };
}

// ---- Random data with ties ------------------------------------------------------------------

// Column kinds: continuous, 3 tied levels, constant, far outliers (±1e300) among negatives, ±0.0
// among ±1 (−0.0 must tie with +0.0), and a tight cluster (with some ties) among spread values (the
// ranking's crowded-bucket paths), and a cluster one ulp apart hidden behind values that stretch
// the range at every bucket level (its std::sort path).
constexpr int kKinds = 7;

double cell(int kind, std::mt19937_64 &rng)
{
    std::uniform_real_distribution<double> u(0.0, 1.0);
    switch (kind) {
    case 0:
        return 0.5 + u(rng);
    case 1:
        return std::round(u(rng) * 2) / 2;
    case 2:
        return 1.25;
    case 3: {  // far outliers at both ends of negative values
        const double r = u(rng);
        return r < 0.03 ? 1e300 : r < 0.06 ? -1e300 : -1 - u(rng);
    }
    case 4: {
        const double r = u(rng);
        return r < 0.3 ? -0.0 : r < 0.6 ? 0.0 : r < 0.8 ? 1.0 : -1.0;
    }
    case 5:
        return u(rng) < 0.8 ? 1 + std::round(u(rng) * 1e4) * 1e-13 : u(rng) + 0.5;
    default: {
        const double stretchers[] = { 1e300, 100, 1.5, 1 + 0x1p-20 };
        return u(rng) < 0.1 ? stretchers[rng() % 4] : 1 + std::floor(u(rng) * 1000) * 0x1p-52;
    }
    }
}

std::vector<double> column(const Eigen::MatrixXd &m, Index j, const std::vector<Index> &rows)
{
    std::vector<double> v;
    for (Index r : rows)
        v.push_back(m(r, j));
    return v;
}

bool sameSign(double a, double b)
{
    return (a > 0) == (b > 0) && (a < 0) == (b < 0);
}

bool rankBased(Estimator estimator)
{
    return estimator != Estimator::Sign && estimator != Estimator::Product;
}

void compareToNaive(Estimator estimator, int n, int d, bool tiedErrors, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const int extraRows = 5;
    Eigen::MatrixXd bpb(n + extraRows, d);
    for (int j = 0; j < d; ++j) {
        const int kind = j % kKinds;
        for (int i = 0; i < n + extraRows; ++i)
            bpb(i, j) = cell(kind, rng);
    }
    // The used rows: a shuffled subset.
    std::vector<Index> rows(std::size_t(n + extraRows));
    std::iota(rows.begin(), rows.end(), Index(0));
    std::shuffle(rows.begin(), rows.end(), rng);
    rows.resize(std::size_t(n));
    Eigen::VectorXd errors(n);
    do {
        for (int i = 0; i < n; ++i)  // raw perplexities as errors: large values
            errors[i] = tiedErrors ? std::round(u(rng) * 3) * 1000 : 1 + u(rng) * 1e6;
    } while ((errors.array() == errors[0]).all());
    const std::vector<double> y(errors.data(), errors.data() + n);

    pcs::EstimateOptions options;
    options.estimator = estimator;
    const auto got = pcs::estimate(bpb, rows, errors, options);
    QVERIFY2(got.ok(), qPrintable(got ? QString() : got.error().toString()));
    QCOMPARE(got->size(), Index(d));
    for (int j = 0; j < d; ++j) {
        const auto [want, magnitude] = naiveEstimate(estimator, column(bpb, j, rows), y);
        const double tolerance = 1e-12 * std::max({ 1.0, std::abs(want), magnitude });
        // Rank-based estimates are exact up to the last rounding: even their sign must match.
        if (!(std::abs((*got)[j] - want) <= tolerance)
            || (rankBased(estimator) && !sameSign((*got)[j], want)))
            QFAIL(qPrintable(QStringLiteral("column %1 (kind %2): got %3, naive %4")
                                 .arg(j)
                                 .arg(j % kKinds)
                                 .arg((*got)[j], 0, 'g', 17)
                                 .arg(want, 0, 'g', 17)));
    }
}

Eigen::MatrixXd matrixFromColumns(const std::vector<std::vector<double>> &columns)
{
    Eigen::MatrixXd m(Index(columns.front().size()), Index(columns.size()));
    for (std::size_t j = 0; j < columns.size(); ++j)
        for (std::size_t i = 0; i < columns[j].size(); ++i)
            m(Index(i), Index(j)) = columns[j][i];
    return m;
}

pcs::Result<Eigen::VectorXd> run(Estimator estimator, const Eigen::MatrixXd &bpb,
                                 const Eigen::VectorXd &errors, std::vector<Index> rows = {})
{
    pcs::EstimateOptions options;
    options.estimator = estimator;
    return pcs::estimate(bpb, rows, errors, options);
}

}  // namespace

class TestEstimators : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void names()
    {
        QCOMPARE(pcs::estimatorNames(),
                 QStringList({ "spearmanr", "sign_cdf", "sign", "sign_sign", "product" }));
        for (const QString &name : pcs::estimatorNames())
            QCOMPARE(pcs::estimatorName(*pcs::estimatorFromName(name)), name);
        QVERIFY(!pcs::estimatorFromName(QStringLiteral("pearson")));
        QCOMPARE(pcs::EstimateOptions().estimator, Estimator::Spearmanr);
    }

    void matchesNaive_data()
    {
        QTest::addColumn<int>("estimator");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("d");
        QTest::addColumn<bool>("tiedErrors");
        // 64/65 and 600/1100 reach every Kendall code path (1, 2, scanned and tree words).
        const std::vector<std::pair<int, int>> sizes
            = { { 3, 200 }, { 4, 200 },  { 7, 200 },  { 50, 100 }, { 64, 40 },
                { 65, 40 }, { 101, 40 }, { 600, 10 }, { 1100, 5 } };
        for (const QString &name : pcs::estimatorNames()) {
            for (auto [n, d] : sizes) {
                for (bool tied : { false, true }) {
                    QTest::addRow("%s N=%d %s", qPrintable(name), n, tied ? "tied y" : "distinct y")
                        << int(*pcs::estimatorFromName(name)) << n << d << tied;
                }
            }
        }
    }
    void matchesNaive()
    {
        QFETCH(int, estimator);
        QFETCH(int, n);
        QFETCH(int, d);
        QFETCH(bool, tiedErrors);
        compareToNaive(Estimator(estimator), n, d, tiedErrors, std::uint64_t(n * 7919 + estimator));
    }

    void handWorkedDistinct()
    {
        // y = (1, 2, 3), x = (3, 1, 2): mid-ranks are the values themselves.
        const Eigen::MatrixXd bpb = matrixFromColumns({ { 3, 1, 2 } });
        const Eigen::VectorXd y = Eigen::Vector3d(1, 2, 3);
        // spearmanr: centred ranks y (−1, 0, 1), x (1, −1, 0): Σ = −1, Sxx = Syy = 2 → −1/2.
        QCOMPARE((*run(Estimator::Spearmanr, bpb, y))[0], -0.5);
        // sign_cdf: pairs (1,2) (1,3) (2,3) all have y increasing; F = x/3:
        // (1−3)/3 + (2−3)/3 + (2−1)/3 = −2/3, times 2/(3·2) = −2/9.
        QCOMPARE((*run(Estimator::SignCdf, bpb, y))[0], -2.0 / 9);
        // sign: (−2) + (−1) + 1 = −2, times 1/3.
        QCOMPARE((*run(Estimator::Sign, bpb, y))[0], -2.0 / 3);
        // sign_sign: −1 − 1 + 1 = −1, times 1/3.
        QCOMPARE((*run(Estimator::SignSign, bpb, y))[0], -1.0 / 3);
        // product: (1·3 + 2·1 + 3·2) / 3.
        QCOMPARE((*run(Estimator::Product, bpb, y))[0], 11.0 / 3);
    }

    void handWorkedTies()
    {
        // y = (0.2, 0.1, 0.2, 0.4): mid-ranks (2.5, 1, 2.5, 4); w = Σ_k sgn(y_l − y_k) = (0, −3, 0,
        // 3). x = (1, 1, 2, 0.5):       mid-ranks (2.5, 2.5, 4, 1). Stored as rows 3, 0, 2, 1 of a
        // bigger matrix, to exercise `rows`.
        Eigen::MatrixXd bpb(5, 1);
        bpb << 1, 0.5, 2, 1, 99;
        const std::vector<Index> rows = { 3, 0, 2, 1 };
        const Eigen::VectorXd y = Eigen::Vector4d(0.2, 0.1, 0.2, 0.4);
        // spearmanr: centred ranks y (0, −1.5, 0, 1.5), x (0, 0, 1.5, −1.5): Sxy = −2.25,
        // Sxx = Syy = 4.5 → −0.5.
        QCOMPARE((*run(Estimator::Spearmanr, bpb, y, rows))[0], -0.5);
        // sign_cdf: 2/(4·3) · Σ w·rank/4 = (1/6)(−3·2.5 + 3·1)/4 = −0.1875.
        QCOMPARE((*run(Estimator::SignCdf, bpb, y, rows))[0], -0.1875);
        // sign: (1/6)(−3·1 + 3·0.5) = −0.25.
        QCOMPARE((*run(Estimator::Sign, bpb, y, rows))[0], -0.25);
        // sign_sign: pairs with different y: (0,1) x tied → 0; (0,3) −1; (1,2) +1; (1,3) −1;
        // (2,3) −1 → −2, times 1/6.
        QCOMPARE((*run(Estimator::SignSign, bpb, y, rows))[0], -1.0 / 3);
        // product: (0.2·1 + 0.1·1 + 0.2·2 + 0.4·0.5) / 4.
        QCOMPARE((*run(Estimator::Product, bpb, y, rows))[0], 0.225);
    }

    void constantColumn()
    {
        // Spearman's ρ is undefined for a constant column; it is reported as 0 (no evidence).
        const Eigen::MatrixXd bpb = matrixFromColumns({ { 2, 2, 2, 2 }, { 1, 2, 3, 4 } });
        const Eigen::VectorXd y = Eigen::Vector4d(0.1, 0.3, 0.2, 0.4);
        for (const char *name : { "spearmanr", "sign_cdf", "sign", "sign_sign" }) {
            const auto result = run(*pcs::estimatorFromName(QLatin1String(name)), bpb, y);
            QVERIFY(result.ok());
            QCOMPARE((*result)[0], 0.0);
        }
        QCOMPARE((*run(Estimator::Product, bpb, y))[0], 2 * y.mean());
        QCOMPARE((*run(Estimator::Spearmanr, bpb, y))[1], 0.8);  // ranks (1,3,2,4) vs (1,2,3,4)
    }

    void degenerateInput_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("defect");
        QTest::addColumn<QString>("message");
        QTest::newRow("no LLMs") << 0 << 0 << "at least 3 LLMs";
        QTest::newRow("1 LLM") << 1 << 0 << "at least 3 LLMs";
        QTest::newRow("2 LLMs") << 2 << 0 << "at least 3 LLMs";
        QTest::newRow("constant errors") << 5 << 1 << "benchmark errors are constant";
        QTest::newRow("NaN error") << 5 << 2 << "benchmark error of LLM 3";
        QTest::newRow("NaN BPB") << 5 << 3 << "BPB of text 6 for LLM 2 (0-based, row 4)";
        QTest::newRow("infinite BPB") << 5 << 4 << "BPB of text 6 for LLM 2 (0-based, row 4)";
        QTest::newRow("rows/errors mismatch") << 5 << 5 << "5 benchmark errors for 4 selected";
        QTest::newRow("row out of range") << 5 << 6 << "LLM row 9";
        QTest::newRow("matrix/errors mismatch")
            << 5 << 7 << "5 benchmark errors for a BPB matrix with 6";
    }
    void degenerateInput()
    {
        QFETCH(int, n);
        QFETCH(int, defect);
        QFETCH(QString, message);
        Eigen::MatrixXd bpb = Eigen::MatrixXd::Random(6, 9);
        Eigen::VectorXd errors = Eigen::VectorXd::LinSpaced(n, 0.1, 0.9);
        std::vector<Index> rows = { 5, 3, 4, 0, 1 };
        bpb(2, 3) = std::nan("");  // row 2 is not used: no error
        if (defect == 0) {
            bpb = Eigen::MatrixXd::Random(n, 9);
            rows.clear();
        }
        if (defect == 1)
            errors.setConstant(0.5);
        if (defect == 2)
            errors[3] = std::nan("");
        if (defect == 3 || defect == 4) {
            bpb(4, 6) = defect == 3 ? std::nan("") : -INFINITY;
            bpb(0, 8) = std::nan("");  // a later text: the error names the first one
        }
        if (defect == 5)
            rows.pop_back();
        if (defect == 6)
            rows[1] = 9;
        if (defect == 7)
            rows.clear();
        for (const QString &name : pcs::estimatorNames()) {
            pcs::EstimateOptions options;
            options.estimator = *pcs::estimatorFromName(name);
            const auto result = pcs::estimate(bpb, rows, errors, options);
            QVERIFY(!result.ok());
            QCOMPARE(result.error().kind, pcs::ErrorKind::BadInput);
            QVERIFY2(result.error().reason.contains(message), qPrintable(result.error().reason));
        }
    }

    void unusedRowsAreNotRead()
    {
        Eigen::MatrixXd bpb(4, 2);
        bpb << 1, 2, std::nan(""), INFINITY, 3, 1, 2, 5;
        for (const QString &name : pcs::estimatorNames()) {
            const auto result
                = run(*pcs::estimatorFromName(name), bpb, Eigen::Vector3d(1, 2, 3), { 0, 2, 3 });
            QVERIFY2(result.ok(), qPrintable(name));
            QVERIFY(result->allFinite());
        }
    }

    void noTexts()
    {
        const auto result
            = run(Estimator::Spearmanr, Eigen::MatrixXd(4, 0), Eigen::Vector4d(1, 2, 3, 4));
        QVERIFY(result.ok());
        QCOMPARE(result->size(), Index(0));
    }
};

QTEST_GUILESS_MAIN(TestEstimators)
#include "tst_estimators.moc"
