// --standardize (selection/standardize.h) with hand-worked numbers and against z-scoring the
// data naively first; the estimators' explanations (selection/estimatorinfo.h).

#include "core/selection/estimatorinfo.h"
#include "core/selection/standardize.h"
#include "tests/common/testdata.h"

#include <QTest>

#include <cmath>
#include <random>

using Eigen::Index;
using namespace pcs;

namespace {

// z-scores with the population sd; a constant vector becomes zeros.
Eigen::VectorXd zScores(const Eigen::VectorXd &v)
{
    long double mean = 0, squares = 0;
    for (double x : v)
        mean += x;
    mean /= v.size();
    for (double x : v)
        squares += (x - mean) * (x - mean);
    const long double sd = std::sqrt(squares / v.size());
    Eigen::VectorXd z(v.size());
    for (Index i = 0; i < v.size(); ++i)
        z[i] = sd > 0 ? double((v[i] - mean) / sd) : 0.0;
    return z;
}

}  // namespace

class TestStandardize : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // y = (1, 2, 3); column 0 = (1, 3, 2), column 1 constant, column 2 = (10, 20, 40).
    void handWorked()
    {
        Eigen::MatrixXd x(3, 3);
        x << 1, 5, 10,  //
            3, 5, 20,  //
            2, 5, 40;
        const Eigen::VectorXd y = Eigen::Vector3d(1, 2, 3);
        // product, raw: (1·1 + 2·3 + 3·2)/3 = 13/3 — the uncentred value.
        auto raw = estimate(x, {}, y, { Estimator::Product });
        QVERIFY(std::abs((*raw)[0] - 13.0 / 3) < 1e-15);
        // product, standardized = Pearson r. Column 0: centred (−1, 1, 0) against (−1, 0, 1):
        // cov = 1/3, var = 2/3 each, r = 0.5. Column 2: centred (−13.33, −3.33, 16.67):
        // cov = 10, var = 2/3 and 466.67/3: r = 10 / sqrt(2/3 · 155.56) = 0.98198050606.
        auto product = estimateStandardized(x, {}, y, { Estimator::Product });
        QVERIFY(product.ok());
        QVERIFY(std::abs((*product)[0] - 0.5) < 1e-14);
        QCOMPARE((*product)[1], 0.0);  // a constant column: no evidence
        QVERIFY(std::abs((*product)[2] - 0.9819805060619657) < 1e-14);
        // sign: w = (−2, 0, 2); raw = (1/3)(−2·1 + 2·2) = 2/3; sd of column 0 = sqrt(2/3), so
        // standardized = (2/3)/sqrt(2/3) = sqrt(2/3).
        auto sign = estimateStandardized(x, {}, y, { Estimator::Sign });
        QVERIFY(std::abs((*sign)[0] - std::sqrt(2.0 / 3)) < 1e-14);
        QCOMPARE((*sign)[1], 0.0);
        // Rank estimators are unchanged.
        for (Estimator e : { Estimator::Spearmanr, Estimator::SignCdf, Estimator::SignSign }) {
            auto plain = estimate(x, {}, y, { e });
            auto standardized = estimateStandardized(x, {}, y, { e });
            QCOMPARE(*standardized, *plain);
        }
        // The switch: estimateMaybeStandardized(false) is estimate().
        auto off = estimateMaybeStandardized(x, {}, y, { Estimator::Product }, false);
        QCOMPARE(*off, *raw);
    }

    // Against z-scoring the matrix and the errors first, then the raw estimator: the
    // definition of --standardize. Rows with repeats (a bootstrap resample) included.
    void matchesZScoringFirst()
    {
        std::mt19937_64 rng(8);
        std::normal_distribution<double> normal;
        const Index n = 25, d = 40;
        Eigen::MatrixXd x(n, d);
        Eigen::VectorXd y(n);
        for (Index i = 0; i < n; ++i)
            y[i] = 3 + normal(rng);
        for (Index j = 0; j < d; ++j)
            for (Index i = 0; i < n; ++i)
                x(i, j) = 1.2 + 0.05 * (normal(rng) + 0.3 * double(j % 5) * y[i]);
        std::vector<Index> rows;
        for (Index i = 0; i < n; ++i)
            rows.push_back((i * 7) % n);
        rows[3] = rows[4];  // a repeat
        Eigen::MatrixXd gathered(n, d);
        Eigen::VectorXd gy(n);
        for (Index i = 0; i < n; ++i) {
            gathered.row(i) = x.row(rows[std::size_t(i)]);
            gy[i] = y[rows[std::size_t(i)]];
        }
        Eigen::MatrixXd zx(n, d);
        for (Index j = 0; j < d; ++j)
            zx.col(j) = zScores(gathered.col(j));
        const Eigen::VectorXd zy = zScores(gy);
        for (Estimator e : { Estimator::Product, Estimator::Sign }) {
            auto naive = estimate(zx, {}, zy, { e });
            auto got = estimateStandardized(x, rows, gy, { e, 2 });
            QVERIFY(naive.ok() && got.ok());
            for (Index j = 0; j < d; ++j)
                QVERIFY2(std::abs((*got)[j] - (*naive)[j]) < 1e-12,
                         qPrintable(QStringLiteral("%1 column %2: %3 vs %4")
                                        .arg(estimatorName(e))
                                        .arg(j)
                                        .arg((*got)[j])
                                        .arg((*naive)[j])));
        }
    }

    // On the published data, raw product tracks the texts' mean BPB (the r = 0.9994);
    // standardized, it follows the centred correlation instead.
    void productTracksMeanBpbUnlessStandardized()
    {
        PCS_REQUIRE_UPSTREAM_DATA();
        auto inputs = loadSelectionInputs(test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"),
                                          {}, test::upstreamFile("error.csv"), QStringList());
        QVERIFY(inputs.ok());
        auto pearson = [](const Eigen::VectorXd &a, const Eigen::VectorXd &b) {
            const Eigen::ArrayXd ca = a.array() - a.mean(), cb = b.array() - b.mean();
            return (ca * cb).sum() / std::sqrt((ca * ca).sum() * (cb * cb).sum());
        };
        const Index d = inputs->bpb->values.cols();
        Eigen::VectorXd meanBpb(d);
        for (Index j = 0; j < d; ++j) {
            double s = 0;
            for (Index row : inputs->aligned.bpbRows)
                s += inputs->bpb->values(row, j);
            meanBpb[j] = s / double(inputs->aligned.bpbRows.size());
        }
        auto raw = estimateSelectionMaybeStandardized(*inputs, { Estimator::Product }, false);
        auto standardized
            = estimateSelectionMaybeStandardized(*inputs, { Estimator::Product }, true);
        auto spearman = estimateSelection(*inputs, {});
        QVERIFY(raw.ok() && standardized.ok() && spearman.ok());
        const double rawVsMean = pearson(*raw, meanBpb);
        const double standardizedVsSpearman = pearson(*standardized, *spearman);
        qInfo("raw product vs mean BPB r = %.4f; raw product vs spearmanr r = %.4f; standardized "
              "product vs spearmanr r = %.4f",
              rawVsMean, pearson(*raw, *spearman), standardizedVsSpearman);
        QVERIFY(rawVsMean > 0.99);
        QVERIFY(standardizedVsSpearman > 0.5);
        QVERIFY((standardized->array().abs() <= 1).all());
    }

    void explanations()
    {
        for (const QString &name : estimatorNames()) {
            const Estimator e = *estimatorFromName(name);
            const EstimatorInfo &info = estimatorInfo(e);
            QCOMPARE(info.name, name);
            QVERIFY(!info.friendlyName.isEmpty());
            QVERIFY(!info.measures.isEmpty() && !info.whenToUse.isEmpty()
                    && !info.assumes.isEmpty());
            QVERIFY(info.paragraph().contains(info.whenToUse));
            QVERIFY(estimatorHelpText().contains(name));
        }
        QVERIFY(estimatorWarning(Estimator::Product, false).contains(QStringLiteral("uncentred")));
        QVERIFY(estimatorWarning(Estimator::Product, true).isEmpty());
        QVERIFY(estimatorWarning(Estimator::Spearmanr, false).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestStandardize)
#include "tst_standardize.moc"
