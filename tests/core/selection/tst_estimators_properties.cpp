// Properties of the estimators (DESIGN.md §3) that hold whatever the data: invariance of the
// rank estimators to increasing transforms, recovery of the texts that drive a single-index
// model, independence from the thread count, progress and cancellation.

#include "core/selection/estimators.h"

#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

using Eigen::Index;
using pcs::Estimator;

namespace {

// BPB-like values; every third column is rounded to 4 levels (ties).
Eigen::MatrixXd randomBpb(Index n, Index d, std::mt19937_64 &rng)
{
    std::uniform_real_distribution<double> u(0.5, 1.5);
    Eigen::MatrixXd bpb(n, d);
    for (Index j = 0; j < d; ++j)
        for (Index i = 0; i < n; ++i)
            bpb(i, j) = j % 3 == 0 ? std::round(u(rng) * 3) / 3 : u(rng);
    return bpb;
}

Eigen::VectorXd randomErrors(Index n, std::mt19937_64 &rng, bool ties)
{
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Eigen::VectorXd y(n);
    for (Index i = 0; i < n; ++i)
        y[i] = ties ? std::round(u(rng) * 5) / 5 : u(rng);
    return y;
}

Eigen::VectorXd estimateOrDie(const Eigen::MatrixXd &bpb, const Eigen::VectorXd &y,
                              Estimator estimator, int threads = 0,
                              std::span<const Index> rows = {})
{
    pcs::EstimateOptions options;
    options.estimator = estimator;
    options.threads = threads;
    auto result = pcs::estimate(bpb, rows, y, options);
    if (!result)
        qFatal("estimate failed: %s", qPrintable(result.error().toString()));
    return std::move(result).value();
}

bool bitwiseEqual(const Eigen::VectorXd &a, const Eigen::VectorXd &b)
{
    return a.size() == b.size()
        && std::memcmp(a.data(), b.data(), std::size_t(a.size()) * sizeof(double)) == 0;
}

const Estimator kRankEstimators[]
    = { Estimator::Spearmanr, Estimator::SignCdf, Estimator::SignSign };

}  // namespace

class TestEstimatorProperties : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void invariantToIncreasingTransforms()
    {
        std::mt19937_64 rng(11);
        for (bool ties : { false, true }) {
            const Eigen::MatrixXd bpb = randomBpb(40, 300, rng);
            const Eigen::VectorXd y = randomErrors(40, rng, ties);
            const Eigen::VectorXd yExp = y.array().exp();
            const Eigen::VectorXd yCubic = y.array().cube() + y.array();
            const Eigen::MatrixXd xExp = bpb.array().exp();
            const Eigen::MatrixXd xCubic = bpb.array().cube() + bpb.array();
            const Eigen::MatrixXd xAffine = 3 * bpb.array() - 7;
            for (Estimator estimator : kRankEstimators) {
                const Eigen::VectorXd base = estimateOrDie(bpb, y, estimator);
                QVERIFY(bitwiseEqual(base, estimateOrDie(bpb, yExp, estimator)));
                QVERIFY(bitwiseEqual(base, estimateOrDie(bpb, yCubic, estimator)));
                QVERIFY(bitwiseEqual(base, estimateOrDie(xExp, y, estimator)));
                QVERIFY(bitwiseEqual(base, estimateOrDie(xCubic, yExp, estimator)));
                QVERIFY(bitwiseEqual(base, estimateOrDie(xAffine, yCubic, estimator)));
                // A decreasing transform of y flips every sign.
                const Eigen::VectorXd flipped = estimateOrDie(bpb, (-y).eval(), estimator);
                QCOMPARE((flipped + base).cwiseAbs().maxCoeff(), 0.0);
            }
        }
    }

    void recoversSingleIndexModel()
    {
        // y = f(Xθ) + noise with f increasing and θ > 0 on 4 texts: higher BPB on those texts
        // goes with higher error, so they are the good texts and must get the top estimates.
        std::mt19937_64 rng(5);
        std::normal_distribution<double> normal;
        const Index n = 300, d = 2000;
        const std::vector<Index> truth = { 17, 423, 999, 1500 };
        Eigen::MatrixXd bpb(n, d);
        for (Index j = 0; j < d; ++j)
            for (Index i = 0; i < n; ++i)
                bpb(i, j) = 1 + 0.1 * normal(rng);
        Eigen::VectorXd theta = Eigen::VectorXd::Zero(d);
        for (Index j : truth)
            theta[j] = 1;
        const Eigen::VectorXd index = bpb * theta;
        Eigen::VectorXd y(n);
        for (Index i = 0; i < n; ++i)
            y[i] = 1 / (1 + std::exp(-10 * (index[i] - 4))) + 0.02 * normal(rng);
        // (`product` is left out: it does not centre y, so mean(y)·Σ_k X_kj noise swamps it.)
        for (Estimator estimator :
             { Estimator::Spearmanr, Estimator::SignCdf, Estimator::SignSign, Estimator::Sign }) {
            const Eigen::VectorXd est = estimateOrDie(bpb, y, estimator);
            std::vector<Index> order(static_cast<std::size_t>(d));
            std::iota(order.begin(), order.end(), Index(0));
            std::partial_sort(order.begin(), order.begin() + 4, order.end(),
                              [&](Index a, Index b) { return est[a] > est[b]; });
            std::vector<Index> top(order.begin(), order.begin() + 4);
            std::sort(top.begin(), top.end());
            QVERIFY2(top == truth, qPrintable(pcs::estimatorName(estimator)));
            for (Index j : truth)
                QVERIFY(est[j] > 0);
        }
    }

    void sameResultForAnyThreadCount()
    {
        std::mt19937_64 rng(3);
        const Index d = 3 * 4096 + 17;  // several blocks, the last one partial
        const Eigen::MatrixXd bpb = randomBpb(45, d, rng);
        std::vector<Index> rows(45);
        std::iota(rows.begin(), rows.end(), Index(0));
        std::shuffle(rows.begin(), rows.end(), rng);
        rows.resize(37);
        const Eigen::VectorXd y = randomErrors(37, rng, true);
        for (const QString &name : pcs::estimatorNames()) {
            const Estimator estimator = *pcs::estimatorFromName(name);
            const Eigen::VectorXd one = estimateOrDie(bpb, y, estimator, 1, rows);
            QVERIFY2(bitwiseEqual(one, estimateOrDie(bpb, y, estimator, 2, rows)),
                     qPrintable(name));
            QVERIFY2(bitwiseEqual(one, estimateOrDie(bpb, y, estimator, 3, rows)),
                     qPrintable(name));
        }
    }

    void reportsProgress()
    {
        std::mt19937_64 rng(4);
        const Index d = 5 * 4096;
        const Eigen::MatrixXd bpb = randomBpb(10, d, rng);
        const Eigen::VectorXd y = randomErrors(10, rng, false);
        qint64 last = 0;
        bool monotone = true;
        pcs::TaskControl control(
            [&](qint64 done, qint64 total) {
                monotone = monotone && done > last && total == d;
                last = done;
            },
            {});
        pcs::EstimateOptions options;
        options.threads = 2;
        QVERIFY(pcs::estimate(bpb, {}, y, options, control).ok());
        QVERIFY(monotone);
        QCOMPARE(last, qint64(d));
    }

    void cancellation()
    {
        std::mt19937_64 rng(6);
        const Index d = 8 * 4096;
        const Eigen::MatrixXd bpb = randomBpb(12, d, rng);
        const Eigen::VectorXd y = randomErrors(12, rng, false);
        for (const QString &name : pcs::estimatorNames()) {
            pcs::EstimateOptions options;
            options.estimator = *pcs::estimatorFromName(name);
            options.threads = 1;
            {  // canceled before it starts
                pcs::TaskControl control;
                control.requestCancel();
                const auto result = pcs::estimate(bpb, {}, y, options, control);
                QVERIFY(!result.ok());
                QCOMPARE(result.error().kind, pcs::ErrorKind::Canceled);
            }
            {  // canceled by the user after the first block
                std::atomic<bool> stop { false };
                qint64 reported = 0;
                pcs::TaskControl control([&](qint64 done, qint64) { reported = done, stop = true; },
                                         [&] { return stop.load(); });
                const auto result = pcs::estimate(bpb, {}, y, options, control);
                QVERIFY(!result.ok());
                QCOMPARE(result.error().kind, pcs::ErrorKind::Canceled);
                QVERIFY(reported < d);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestEstimatorProperties)
#include "tst_estimators_properties.moc"
