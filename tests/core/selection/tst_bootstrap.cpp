// The bootstrap over LLMs (selection/bootstrap.h): every resample of a tiny input enumerated
// and checked against a naive independent computation, the seeded draws' uniformity,
// determinism across seeds and thread counts, coverage of a known population correlation, and
// the errors.

#include "core/selection/bootstrap.h"
#include "core/selection/projection.h"
#include "core/selection/selectionrun.h"
#include "tests/common/testdata.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>
#include <numeric>
#include <random>
#include <vector>

using Eigen::Index;
using namespace pcs;

namespace {

// ---- Naive references --------------------------------------------------------------------

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

double naiveSpearman(const std::vector<double> &x, const std::vector<double> &y)
{
    const auto rx = naiveMidRanks(x);
    const auto ry = naiveMidRanks(y);
    const long double mean = (x.size() + 1) / 2.0L;
    long double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (rx[i] - mean) * (ry[i] - mean);
        sxx += (rx[i] - mean) * (rx[i] - mean);
        syy += (ry[i] - mean) * (ry[i] - mean);
    }
    return sxx == 0 ? 0.0 : double(sxy / std::sqrt(sxx * syy));
}

// Linear projection by its definition: largest estimate first (ties: lower index), full caps.
std::vector<bool> naiveLinearSelected(const std::vector<double> &estimate,
                                      const std::vector<double> &tau)
{
    std::vector<std::size_t> order(estimate.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return estimate[a] > estimate[b]; });
    std::vector<bool> selected(estimate.size(), false);
    long double mass = 0;
    for (std::size_t j : order) {
        if (mass >= 1)
            break;
        selected[j] = true;
        mass += tau[j];
    }
    return selected;
}

double naivePercentile(std::vector<double> values, double q)
{
    std::sort(values.begin(), values.end());
    const double h = double(values.size() - 1) * q;
    const auto lo = std::size_t(std::floor(h));
    const auto hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (h - double(lo)) * (values[hi] - values[lo]);
}

Eigen::VectorXd fullWeight(const Eigen::MatrixXd &x, const Eigen::VectorXd &y,
                           const Eigen::VectorXd &tau)
{
    auto estimated = estimate(x, {}, y);
    if (!estimated)
        return {};
    auto weight = project(*estimated, tau, Projection::Linear);
    return weight ? *weight : Eigen::VectorXd();
}

bool identical(const BootstrapResult &a, const BootstrapResult &b)
{
    // Bitwise: the same doubles, not merely close ones.
    auto same = [](const Eigen::VectorXd &u, const Eigen::VectorXd &v) {
        return u.size() == v.size()
            && std::equal(u.data(), u.data() + u.size(), v.data(),
                          [](double p, double q) { return std::memcmp(&p, &q, sizeof p) == 0; });
    };
    return same(a.ciLow, b.ciLow) && same(a.ciHigh, b.ciHigh) && same(a.pSelected, b.pSelected)
        && a.jaccard == b.jaccard && a.stableCount == b.stableCount
        && a.meanJaccard == b.meanJaccard;
}

// A random N x D BPB matrix whose columns correlate with y to different degrees.
struct Problem {
    Eigen::MatrixXd x;
    Eigen::VectorXd y;
    Eigen::VectorXd tau;
};

Problem randomProblem(int n, int d, unsigned seed, double keep)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> normal;
    Problem p;
    p.y.resize(n);
    for (int i = 0; i < n; ++i)
        p.y[i] = normal(rng);
    p.x.resize(n, d);
    for (int j = 0; j < d; ++j) {
        const double r = -0.8 + 1.6 * double(j) / std::max(1, d - 1);
        for (int i = 0; i < n; ++i)
            p.x(i, j) = 1.0 + 0.1 * (r * p.y[i] + std::sqrt(1 - r * r) * normal(rng));
    }
    p.tau = *uniformTau(d, keep);
    return p;
}

}  // namespace

class TestBootstrap : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void multiplicitiesAreSeededPerResample()
    {
        const auto a = bootstrapMultiplicities(7, 3, 50);
        QCOMPARE(std::accumulate(a.begin(), a.end(), 0), 50);
        QCOMPARE(bootstrapMultiplicities(7, 3, 50), a);  // the same (seed, index): the same draw
        QVERIFY(bootstrapMultiplicities(7, 4, 50) != a);
        QVERIFY(bootstrapMultiplicities(8, 3, 50) != a);
    }

    // Each LLM is drawn with probability 1/N per draw: over many resamples the counts of every
    // LLM have mean 1 and variance 1 − 1/N (multinomial).
    void drawsAreUniform()
    {
        const int n = 7, resamples = 20000;
        std::vector<double> sum(n, 0), squares(n, 0);
        for (int b = 0; b < resamples; ++b) {
            const auto counts = bootstrapMultiplicities(123, b, n);
            for (int i = 0; i < n; ++i) {
                sum[std::size_t(i)] += counts[std::size_t(i)];
                squares[std::size_t(i)] += double(counts[std::size_t(i)]) * counts[std::size_t(i)];
            }
        }
        const double variance = 1 - 1.0 / n;
        for (int i = 0; i < n; ++i) {
            const double mean = sum[std::size_t(i)] / resamples;
            const double var = squares[std::size_t(i)] / resamples - mean * mean;
            QVERIFY2(std::abs(mean - 1) < 5 * std::sqrt(variance / resamples),
                     qPrintable(QString::number(mean)));
            QVERIFY2(std::abs(var - variance) < 0.05, qPrintable(QString::number(var)));
        }
    }

    // N = 4 LLMs: all 4^4 ordered draws (each equally likely) are the exact bootstrap
    // distribution; the 4 draws of a single LLM have constant errors and are left out.
    void everyResampleOfATinyInputMatchesTheNaiveComputation()
    {
        const int n = 4, d = 6;
        Eigen::MatrixXd x(n, d);
        x << 1.0, 2.0, 0.5, 3.0, 1.0, 0.7,  //
            2.0, 1.0, 0.6, 2.0, 1.0, 0.9,  //
            3.0, 4.0, 0.4, 1.0, 1.5, 0.8,  //
            4.0, 3.0, 0.9, 1.5, 1.5, 0.6;
        Eigen::VectorXd y(n);
        y << 0.1, 0.3, 0.2, 0.4;
        const Eigen::VectorXd tau = *uniformTau(d, 0.4);  // 1/2.4: three texts share the mass
        const Eigen::VectorXd full = fullWeight(x, y, tau);
        QCOMPARE(full.size(), Index(d));

        std::vector<std::vector<int>> resamples;
        std::vector<std::vector<double>> estimates(d);
        std::vector<int> selectedCounts(d, 0);
        std::vector<double> jaccards;
        const std::vector<double> tauVector(tau.data(), tau.data() + d);
        for (int code = 0; code < 256; ++code) {
            std::vector<int> draws
                = { code & 3, (code >> 2) & 3, (code >> 4) & 3, (code >> 6) & 3 };
            if (std::all_of(draws.begin(), draws.end(), [&](int v) { return v == draws[0]; }))
                continue;
            std::vector<int> counts(n, 0);
            for (int v : draws)
                ++counts[std::size_t(v)];
            resamples.push_back(counts);
            std::vector<double> ys, resampleEstimate(d);
            for (int v : draws)
                ys.push_back(y[v]);
            for (int j = 0; j < d; ++j) {
                std::vector<double> xs;
                for (int v : draws)
                    xs.push_back(x(v, j));
                resampleEstimate[std::size_t(j)] = naiveSpearman(xs, ys);
                estimates[std::size_t(j)].push_back(resampleEstimate[std::size_t(j)]);
            }
            const auto selected = naiveLinearSelected(resampleEstimate, tauVector);
            int together = 0, inResample = 0, inFull = 0;
            for (int j = 0; j < d; ++j) {
                selectedCounts[std::size_t(j)] += selected[std::size_t(j)];
                inResample += selected[std::size_t(j)];
                inFull += full[j] > 0;
                together += selected[std::size_t(j)] && full[j] > 0;
            }
            jaccards.push_back(double(together) / (inResample + inFull - together));
        }
        QCOMPARE(resamples.size(), std::size_t(252));

        BootstrapOptions options;
        options.level = 0.8;
        const auto result = bootstrapOverResamples(x, {}, y, tau, full, resamples, options);
        QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().reason));
        QCOMPARE(result->resamples, 252);
        int stable = 0;
        for (int j = 0; j < d; ++j) {
            const double low = naivePercentile(estimates[std::size_t(j)], 0.1);
            const double high = naivePercentile(estimates[std::size_t(j)], 0.9);
            QVERIFY2(
                std::abs(result->ciLow[j] - low) <= 1e-12,
                qPrintable(
                    QStringLiteral("text %1: %2 vs %3").arg(j).arg(result->ciLow[j]).arg(low)));
            QVERIFY2(
                std::abs(result->ciHigh[j] - high) <= 1e-12,
                qPrintable(
                    QStringLiteral("text %1: %2 vs %3").arg(j).arg(result->ciHigh[j]).arg(high)));
            QCOMPARE(result->pSelected[j], selectedCounts[std::size_t(j)] / 252.0);
            stable += selectedCounts[std::size_t(j)] * 10 >= 252 * 9;
        }
        QCOMPARE(result->stableCount, qint64(stable));
        QCOMPARE(result->jaccard.size(), jaccards.size());
        for (std::size_t b = 0; b < jaccards.size(); ++b)
            QCOMPARE(result->jaccard[b], jaccards[b]);
        const double meanJaccard = std::accumulate(jaccards.begin(), jaccards.end(), 0.0) / 252;
        QVERIFY(std::abs(result->meanJaccard - meanJaccard) <= 1e-15);
        // The interval is not degenerate here: the texts' estimates vary across resamples.
        QVERIFY((result->ciHigh - result->ciLow).maxCoeff() > 0.5);

        // The seeded bootstrap approximates that exact distribution: p_selected within 5
        // binomial standard deviations (the 4^4 draws include the 4 constant ones, redrawn).
        options.resamples = 20000;
        options.seed = 99;
        const auto sampled = bootstrapSelection(x, {}, y, tau, full, options);
        QVERIFY(sampled.ok());
        QVERIFY(sampled->redrawn > 0);  // 4 of 256 draws are constant: about 310 of 20000
        for (int j = 0; j < d; ++j) {
            const double p = result->pSelected[j];
            const double sd = std::sqrt(p * (1 - p) / 20000);
            QVERIFY2(std::abs(sampled->pSelected[j] - p) <= 5 * sd + 1e-12,
                     qPrintable(QStringLiteral("text %1: %2 vs exact %3")
                                    .arg(j)
                                    .arg(sampled->pSelected[j])
                                    .arg(p)));
        }
    }

    void deterministicForASeedAndAnyThreadCount()
    {
        const Problem p = randomProblem(40, 9000, 5, 0.2);  // > 2 estimate blocks of 4096
        const Eigen::VectorXd full = fullWeight(p.x, p.y, p.tau);
        BootstrapOptions options;
        options.resamples = 12;
        options.seed = 2024;
        std::vector<BootstrapResult> runs;
        for (int threads : { 1, 2, 3 }) {
            options.threads = threads;
            auto run = bootstrapSelection(p.x, {}, p.y, p.tau, full, options);
            QVERIFY(run.ok());
            runs.push_back(std::move(run).value());
        }
        QVERIFY(identical(runs[0], runs[1]));
        QVERIFY(identical(runs[0], runs[2]));
        options.threads = 2;
        auto again = bootstrapSelection(p.x, {}, p.y, p.tau, full, options);
        QVERIFY(identical(runs[0], *again));
        options.seed = 2025;
        auto other = bootstrapSelection(p.x, {}, p.y, p.tau, full, options);
        QVERIFY(!identical(runs[0], *other));
        // Resample b depends on (seed, b) alone: the first 6 resamples of a B = 12 run are those
        // of a B = 6 run.
        options.seed = 2024;
        options.resamples = 6;
        auto shorter = bootstrapSelection(p.x, {}, p.y, p.tau, full, options);
        QVERIFY(
            std::equal(shorter->jaccard.begin(), shorter->jaccard.end(), runs[0].jaccard.begin()));
        // The l2 projection and the other estimators go through the same path.
        options.projection = Projection::L2;
        options.estimator = Estimator::SignSign;
        options.threads = 1;
        auto l2one = bootstrapSelection(p.x, {}, p.y, p.tau, full, options);
        options.threads = 2;
        auto l2two = bootstrapSelection(p.x, {}, p.y, p.tau, full, options);
        QVERIFY(l2one.ok() && l2two.ok());
        QVERIFY(identical(*l2one, *l2two));
    }

    // Rows select and order the LLMs: the bootstrap over rows {3, 0, 2, ...} of a larger matrix
    // equals the bootstrap over the gathered matrix.
    void rowsAreTheUsedLlms()
    {
        const Problem p = randomProblem(30, 50, 11, 0.3);
        std::vector<Index> rows;
        for (Index i = 29; i >= 5; --i)
            rows.push_back(i);
        Eigen::MatrixXd gathered(Index(rows.size()), 50);
        Eigen::VectorXd y(Index(rows.size()));
        for (std::size_t k = 0; k < rows.size(); ++k) {
            gathered.row(Index(k)) = p.x.row(rows[k]);
            y[Index(k)] = p.y[rows[k]];
        }
        const Eigen::VectorXd full = fullWeight(gathered, y, p.tau);
        BootstrapOptions options;
        options.resamples = 20;
        auto viaRows = bootstrapSelection(p.x, rows, y, p.tau, full, options);
        auto direct = bootstrapSelection(gathered, {}, y, p.tau, full, options);
        QVERIFY(viaRows.ok() && direct.ok());
        QVERIFY(identical(*viaRows, *direct));
    }

    // Gaussian copula: (y, X_j) bivariate normal with Pearson r_j has population Spearman
    // ρ_j = (6/π)·asin(r_j/2). The 90% percentile intervals of N = 90 LLMs cover ρ_j for most
    // texts (the acceptance band: 80–97%).
    void intervalsCoverTheKnownPopulationCorrelation()
    {
        const int n = 90, d = 300;
        std::mt19937_64 rng(314159);
        std::normal_distribution<double> normal;
        Eigen::VectorXd y(n);
        for (int i = 0; i < n; ++i)
            y[i] = normal(rng);
        Eigen::MatrixXd x(n, d);
        std::vector<double> truth(d);
        for (int j = 0; j < d; ++j) {
            const double r = -0.7 + 1.4 * (double(j) + 0.5) / d;
            truth[std::size_t(j)] = 6 / std::numbers::pi * std::asin(r / 2);
            for (int i = 0; i < n; ++i)
                x(i, j) = r * y[i] + std::sqrt(1 - r * r) * normal(rng);
        }
        const Eigen::VectorXd tau = *uniformTau(d, 0.1);
        BootstrapOptions options;
        options.resamples = 400;
        options.seed = 1;
        const Eigen::VectorXd full = fullWeight(x, y, tau);
        const auto result = bootstrapSelection(x, {}, y, tau, full, options);
        QVERIFY(result.ok());
        int covered = 0;
        for (int j = 0; j < d; ++j)
            covered += result->ciLow[j] <= truth[std::size_t(j)]
                && truth[std::size_t(j)] <= result->ciHigh[j];
        const double share = double(covered) / d;
        qInfo("coverage of the population Spearman correlation: %.3f (%d of %d texts)", share,
              covered, d);
        QVERIFY2(share >= 0.80 && share <= 0.97, qPrintable(QString::number(share)));
        // The intervals are as wide as the sampling error of ρ at N = 90 (about ±0.17 at ρ = 0).
        const double middleWidth = result->ciHigh[d / 2] - result->ciLow[d / 2];
        QVERIFY2(middleWidth > 0.2 && middleWidth < 0.5, qPrintable(QString::number(middleWidth)));
    }

    // The package's published data: the stability figures are consistent with the columns.
    void upstreamDataStability()
    {
        PCS_REQUIRE_UPSTREAM_DATA();
        auto inputs = loadSelectionInputs(test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"),
                                          {}, test::upstreamFile("error.csv"), QStringList());
        QVERIFY2(inputs.ok(), inputs.ok() ? "" : qPrintable(inputs.error().reason));
        const auto &values = inputs->bpb->values;
        const auto estimated = estimateSelection(*inputs, {});
        const Eigen::VectorXd tau = *uniformTau(values.cols(), 0.2);
        const auto full = project(*estimated, tau, Projection::Linear);
        BootstrapOptions options;
        options.resamples = 60;
        options.seed = 3;
        const auto result = bootstrapSelection(values, inputs->aligned.bpbRows,
                                               inputs->aligned.errors, tau, *full, options);
        QVERIFY(result.ok());
        QCOMPARE(result->fullSelectedCount, (full->array() > 0).count());
        QVERIFY((result->ciLow.array() <= result->ciHigh.array()).all());
        QVERIFY((result->pSelected.array() >= 0).all() && (result->pSelected.array() <= 1).all());
        // Σ_j p_selected_j = the mean size of the resampled selected sets.
        QVERIFY(result->meanJaccard > 0 && result->meanJaccard <= 1);
        qint64 stable = (result->pSelected.array() >= 0.9).count();
        QCOMPARE(result->stableCount, stable);
    }

    void progressCancelAndErrors()
    {
        const Problem p = randomProblem(10, 20, 3, 0.5);
        const Eigen::VectorXd full = fullWeight(p.x, p.y, p.tau);
        BootstrapOptions options;
        options.resamples = 8;
        std::vector<qint64> seen;
        TaskControl progress(
            [&](qint64 done, qint64 total) {
                if (total == 8)
                    seen.push_back(done);
            },
            {});
        QVERIFY(bootstrapSelection(p.x, {}, p.y, p.tau, full, options, progress).ok());
        QCOMPARE(seen, (std::vector<qint64> { 1, 2, 3, 4, 5, 6, 7, 8 }));

        TaskControl cancel;
        cancel.requestCancel();
        auto canceled = bootstrapSelection(p.x, {}, p.y, p.tau, full, options, cancel);
        QVERIFY(!canceled.ok());
        QCOMPARE(canceled.error().kind, ErrorKind::Canceled);

        options.resamples = 0;
        QVERIFY(!bootstrapSelection(p.x, {}, p.y, p.tau, full, options).ok());
        options.resamples = 5;
        options.level = 1.0;
        auto badLevel = bootstrapSelection(p.x, {}, p.y, p.tau, full, options);
        QVERIFY(!badLevel.ok());
        QVERIFY(badLevel.error().reason.contains(QStringLiteral("level")));
        options.level = 0.9;
        auto badWeight = bootstrapSelection(p.x, {}, p.y, p.tau, full.head(3), options);
        QVERIFY(!badWeight.ok());
        // Only LLM 0's error differs: resamples without it (or of it alone) are drawn again.
        Eigen::VectorXd almostConstant = Eigen::VectorXd::Zero(10);
        almostConstant[0] = 1;
        options.resamples = 50;
        auto redrawn = bootstrapSelection(p.x, {}, almostConstant, p.tau, full, options);
        QVERIFY(redrawn.ok());
        QVERIFY(redrawn->redrawn > 0);
        // Constant errors: every draw is constant, a clear error after 1001 draws.
        auto constant
            = bootstrapSelection(p.x, {}, Eigen::VectorXd::Constant(10, 0.5), p.tau, full, options);
        QVERIFY(!constant.ok());
        QVERIFY2(constant.error().reason.contains(QStringLiteral("equal errors")),
                 qPrintable(constant.error().reason));
    }

    void percentileIsTypeSeven()
    {
        const std::vector<double> v = { 1, 2, 3, 4, 5 };
        QCOMPARE(percentileOfSorted(v, 0.0), 1.0);
        QCOMPARE(percentileOfSorted(v, 1.0), 5.0);
        QCOMPARE(percentileOfSorted(v, 0.5), 3.0);
        QCOMPARE(percentileOfSorted(v, 0.1), 1.4);  // h = 0.4
        QCOMPARE(percentileOfSorted(v, 0.95), 4.8);  // h = 3.8
    }
};

QTEST_GUILESS_MAIN(TestBootstrap)
#include "tst_bootstrap.moc"
