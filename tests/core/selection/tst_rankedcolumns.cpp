// The bootstrap's resampled ranks (selection/rankedcolumns.h) against the straightforward
// computation they replace: the resampled matrix handed to estimate(), compared bit for bit,
// on the package's published data, on data full of ties (also between -0 and +0), with more
// LLMs than fit one byte, with rows picked out of a larger matrix, and for any thread count.

#include "core/selection/bootstrap.h"
#include "core/selection/rankedcolumns.h"
#include "core/selection/selectionrun.h"
#include "tests/common/testdata.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using Eigen::Index;
using namespace pcs;

namespace {

struct Resampled {
    std::vector<Index> rows;
    Eigen::VectorXd errors;
};

// What the bootstrap hands estimate(): LLM i's row and error counts[i] times, in LLM order.
Resampled resample(const std::vector<int> &counts, std::span<const Index> rows,
                   const Eigen::VectorXd &errors)
{
    Resampled r;
    r.errors.resize(errors.size());
    for (std::size_t i = 0; i < counts.size(); ++i) {
        for (int c = 0; c < counts[i]; ++c) {
            r.errors[Index(r.rows.size())] = errors[Index(i)];
            r.rows.push_back(rows.empty() ? Index(i) : rows[i]);
        }
    }
    return r;
}

bool sameBits(const Eigen::VectorXd &a, const Eigen::VectorXd &b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(double) * a.size()) == 0;
}

// Every resample of `count` seeded ones: the ranked estimate has the bits of estimate() on the
// resampled rows, or fails with the same error. Returns how many resamples were compared.
int compareResamples(const Eigen::MatrixXd &bpb, std::span<const Index> rows,
                     const Eigen::VectorXd &errors, Estimator estimator, int count, int threads)
{
    const auto ranked = RankedColumns::build(bpb, rows, errors.size(), threads);
    if (!ranked) {
        QTest::qFail("the columns could not be ranked", __FILE__, __LINE__);
        return 0;
    }
    int compared = 0;
    for (int b = 0; b < count; ++b) {
        const auto counts = bootstrapMultiplicities(7, b, int(errors.size()));
        const Resampled r = resample(counts, rows, errors);
        const auto expected = estimate(bpb, r.rows, r.errors, { estimator, 1 });
        const auto actual = ranked->estimate(counts, r.rows, r.errors, estimator, threads);
        if (expected.ok() != actual.ok()) {
            QTest::qFail(qPrintable(QStringLiteral("resample %1: ok %2 vs %3")
                                        .arg(b)
                                        .arg(expected.ok())
                                        .arg(actual.ok())),
                         __FILE__, __LINE__);
            return compared;
        }
        if (!expected.ok()) {  // e.g. every drawn LLM has the same error
            if (expected.error().reason != actual.error().reason) {
                QTest::qFail(qPrintable(actual.error().reason), __FILE__, __LINE__);
                return compared;
            }
            continue;
        }
        if (!sameBits(*expected, *actual)) {
            Index first = 0;
            while ((*expected)[first] == (*actual)[first])
                ++first;
            QTest::qFail(qPrintable(QStringLiteral("resample %1, text %2: %3 vs %4")
                                        .arg(b)
                                        .arg(first)
                                        .arg((*expected)[first], 0, 'g', 17)
                                        .arg((*actual)[first], 0, 'g', 17)),
                         __FILE__, __LINE__);
            return compared;
        }
        ++compared;
    }
    return compared;
}

// Values from a few levels, so that nearly every column has ties; -0 and +0 both appear.
Eigen::MatrixXd tiedMatrix(Index n, Index d, int levels, unsigned seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> level(0, levels - 1);
    Eigen::MatrixXd x(n, d);
    for (Index j = 0; j < d; ++j)
        for (Index i = 0; i < n; ++i) {
            const int v = level(rng);
            x(i, j) = v == 0 ? ((i + j) % 2 ? -0.0 : 0.0) : 0.25 * v;
        }
    x.col(0).setConstant(1.5);  // a constant column: spearmanr reports 0
    return x;
}

Eigen::VectorXd tiedErrors(Index n, int levels, unsigned seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> level(0, levels - 1);
    Eigen::VectorXd y(n);
    for (Index i = 0; i < n; ++i)
        y[i] = 0.1 * level(rng);
    return y;
}

}  // namespace

class TestRankedColumns : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void publishedData_data()
    {
        QTest::addColumn<Estimator>("estimator");
        QTest::newRow("spearmanr") << Estimator::Spearmanr;
        QTest::newRow("sign_cdf") << Estimator::SignCdf;
    }
    void publishedData()
    {
        QFETCH(Estimator, estimator);
        PCS_REQUIRE_UPSTREAM_DATA();
        auto inputs = loadSelectionInputs(test::upstreamFile("chunked_synthetic_sample_bpb_id.csv"),
                                          {}, test::upstreamFile("error.csv"), QStringList());
        QVERIFY2(inputs.ok(), inputs.ok() ? "" : qPrintable(inputs.error().reason));
        const int compared = compareResamples(inputs->bpb->values, inputs->aligned.bpbRows,
                                              inputs->aligned.errors, estimator, 40, 2);
        QCOMPARE(compared, 40);
    }

    void ties_data()
    {
        QTest::addColumn<Estimator>("estimator");
        QTest::addColumn<int>("llms");
        QTest::addColumn<int>("levels");
        QTest::addColumn<int>("threads");
        for (Estimator e : { Estimator::Spearmanr, Estimator::SignCdf }) {
            const QString name = estimatorName(e);
            QTest::newRow(qPrintable(name + " 12 LLMs, 3 levels")) << e << 12 << 3 << 1;
            QTest::newRow(qPrintable(name + " 40 LLMs, 6 levels")) << e << 40 << 6 << 3;
            // Past 128 LLMs the order is kept in two bytes per entry.
            QTest::newRow(qPrintable(name + " 200 LLMs, 20 levels")) << e << 200 << 20 << 2;
        }
    }
    void ties()
    {
        QFETCH(Estimator, estimator);
        QFETCH(int, llms);
        QFETCH(int, levels);
        QFETCH(int, threads);
        const Eigen::MatrixXd x = tiedMatrix(llms, 9000, levels, 11);
        const Eigen::VectorXd y = tiedErrors(llms, 4, 5);
        QCOMPARE(compareResamples(x, {}, y, estimator, 25, threads) > 20, true);
    }

    // Rows chosen out of a larger matrix, in an order of their own.
    void pickedRows()
    {
        const Eigen::MatrixXd x = tiedMatrix(30, 500, 8, 3);
        const std::vector<Index> rows { 29, 3, 17, 3 + 1, 8, 22, 0, 11, 26, 14 };
        const Eigen::VectorXd y = tiedErrors(Index(rows.size()), 5, 9);
        QCOMPARE(compareResamples(x, rows, y, Estimator::Spearmanr, 30, 2) > 25, true);
    }

    // Nothing to rank from: the bootstrap keeps estimate(), which reports the cause.
    void refusesWhatEstimateReports()
    {
        Eigen::MatrixXd x = tiedMatrix(10, 50, 4, 1);
        x(3, 20) = std::nan("");
        QVERIFY(!RankedColumns::build(x, {}, 10, 1));
        const std::vector<Index> outside { 0, 1, 10 };
        QVERIFY(!RankedColumns::build(tiedMatrix(10, 5, 4, 1), outside, 3, 1));
        QVERIFY(RankedColumns::supports(Estimator::Spearmanr));
        QVERIFY(!RankedColumns::supports(Estimator::SignSign));
        QVERIFY(!RankedColumns::supports(Estimator::Product));
    }

    // The bootstrap, which now reads the ranks, gives the same result standardized or not (the
    // rank estimators ignore z-scoring) and for any thread count.
    void bootstrapUnchangedByThreadsAndStandardizing()
    {
        const Eigen::MatrixXd x = tiedMatrix(25, 3000, 7, 21);
        const Eigen::VectorXd y = tiedErrors(25, 6, 2);
        const Eigen::VectorXd tau = *uniformTau(x.cols(), 0.2);
        const auto full = project(*estimate(x, {}, y), tau, Projection::Linear);
        QVERIFY(full.ok());
        BootstrapOptions options;
        options.resamples = 30;
        options.seed = 5;
        options.threads = 1;
        const auto one = bootstrapSelection(x, {}, y, tau, *full, options);
        options.threads = 3;
        options.standardize = true;
        const auto three = bootstrapSelection(x, {}, y, tau, *full, options);
        QVERIFY(one.ok() && three.ok());
        QVERIFY(sameBits(one->ciLow, three->ciLow) && sameBits(one->ciHigh, three->ciHigh));
        QVERIFY(sameBits(one->pSelected, three->pSelected));
        QCOMPARE(one->jaccard, three->jaccard);
    }
};

QTEST_GUILESS_MAIN(TestRankedColumns)
#include "tst_rankedcolumns.moc"
