// The radix selection order against std::sort with the comparison it replaces, and the ranks
// against their O(D^2) definition.
#include "core/selection/accuratesum.h"
#include "core/selection/descendingorder.h"
#include "core/selection/projection.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using namespace pcs;

namespace {

// The order's definition: larger first, ties (-0 == +0) by lower index, NaN last by index.
std::vector<Eigen::Index> referenceOrder(const Eigen::VectorXd &values)
{
    std::vector<Eigen::Index> order(std::size_t(values.size()));
    std::iota(order.begin(), order.end(), Eigen::Index(0));
    std::sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
        const bool nanA = std::isnan(values[a]), nanB = std::isnan(values[b]);
        if (nanA != nanB)
            return nanB;
        if (!nanA && values[a] != values[b])
            return values[a] > values[b];
        return a < b;
    });
    return order;
}

// Values of every kind: a few levels (many ties), both zeros, subnormals, infinities, huge and
// tiny magnitudes of both signs.
Eigen::VectorXd awkwardValues(Eigen::Index count, unsigned seed, bool withNan)
{
    std::mt19937_64 random(seed);
    std::uniform_int_distribution<int> kind(0, 9);
    std::normal_distribution<double> normal;
    Eigen::VectorXd values(count);
    const double special[] = { 0.0,
                               -0.0,
                               std::numeric_limits<double>::denorm_min(),
                               -std::numeric_limits<double>::denorm_min(),
                               std::numeric_limits<double>::infinity(),
                               -std::numeric_limits<double>::infinity(),
                               std::numeric_limits<double>::max(),
                               -std::numeric_limits<double>::max(),
                               1e-300,
                               -1e-300 };
    for (Eigen::Index j = 0; j < count; ++j) {
        switch (kind(random)) {
        case 0:
            values[j] = special[random() % 10];
            break;
        case 1:
        case 2:
            values[j] = double(int(random() % 7) - 3) / 4;  // few levels: ties
            break;
        case 3:
            values[j] = withNan ? std::numeric_limits<double>::quiet_NaN() : normal(random);
            break;
        default:
            values[j] = normal(random);
        }
    }
    return values;
}

std::vector<Eigen::Index> descendingOrderOf(const Eigen::VectorXd &values, int threads)
{
    const HugeBuffer<Eigen::Index> order = descendingOrder(values, threads);
    return std::vector<Eigen::Index>(order.data(), order.data() + order.size());
}

}  // namespace

class TestDescendingOrder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void equalsTheComparisonSort_data()
    {
        QTest::addColumn<qint64>("count");
        QTest::addColumn<bool>("withNan");
        QTest::newRow("empty") << qint64(0) << false;
        QTest::newRow("one") << qint64(1) << false;
        QTest::newRow("small") << qint64(1000) << false;
        QTest::newRow("small with NaN") << qint64(1000) << true;
        // Above 65536 texts per thread the passes are split between threads.
        QTest::newRow("several parts") << qint64(3 * 65536 + 17) << false;
        QTest::newRow("several parts with NaN") << qint64(3 * 65536 + 17) << true;
    }

    void equalsTheComparisonSort()
    {
        QFETCH(qint64, count);
        QFETCH(bool, withNan);
        const Eigen::VectorXd values = awkwardValues(count, 7 + unsigned(count), withNan);
        const std::vector<Eigen::Index> expected = referenceOrder(values);
        for (const int threads : { 1, 2, 3, 7 })
            QVERIFY2(descendingOrderOf(values, threads) == expected,
                     qPrintable(QStringLiteral("%1 threads").arg(threads)));
    }

    void digitsEqualForEveryTextAreSkippedCorrectly()
    {
        // Values that share every high byte (one binade) and values that differ only there.
        Eigen::VectorXd sameBinade(5000), onlyHigh(5000);
        std::mt19937_64 random(3);
        for (Eigen::Index j = 0; j < sameBinade.size(); ++j) {
            sameBinade[j] = 1.0 + double(random() % 1000) / 1024;
            onlyHigh[j] = std::ldexp(1.0, int(random() % 200) - 100);
        }
        QVERIFY(descendingOrderOf(sameBinade, 2) == referenceOrder(sameBinade));
        QVERIFY(descendingOrderOf(onlyHigh, 2) == referenceOrder(onlyHigh));
        const Eigen::VectorXd constant = Eigen::VectorXd::Constant(300000, -0.5);
        const std::vector<Eigen::Index> order = descendingOrderOf(constant, 2);
        for (std::size_t k = 0; k < order.size(); ++k)
            QCOMPARE(order[k], Eigen::Index(k));
    }

    void ranksAreTheirDefinition()
    {
        // rank_j = 1 + #{k : v_k > v_j, or v_k == v_j and k < j}, counted pair by pair.
        const Eigen::VectorXd values = awkwardValues(1500, 11, false);
        const Eigen::VectorXi ranks = ranksDescending(values);
        for (Eigen::Index j = 0; j < values.size(); ++j) {
            int rank = 1;
            for (Eigen::Index k = 0; k < values.size(); ++k)
                if (values[k] > values[j] || (values[k] == values[j] && k < j))
                    ++rank;
            QCOMPARE(ranks[j], rank);
        }
    }

    void linearProjectionWalksTheSameOrder()
    {
        // A keep ratio large enough for the radix path and one small enough for the partial
        // sort: both give the greedy definition, computed here on the reference order.
        const Eigen::VectorXd values = awkwardValues(20000, 5, false).unaryExpr([](double v) {
            return std::isfinite(v) ? v : 0.25;
        });
        for (const double keep : { 0.6, 0.2, 0.001 }) {
            auto tau = uniformTau(values.size(), keep);
            QVERIFY(tau.ok());
            auto weight = project(values, *tau, Projection::Linear);
            QVERIFY(weight.ok());
            Eigen::VectorXd expected = Eigen::VectorXd::Zero(values.size());
            // The projection's own (compensated) sum, so that the crossing text is the same.
            detail::AccurateSum total;
            for (const Eigen::Index j : referenceOrder(values)) {
                if ((*tau)[j] >= 1 - total.value()) {
                    expected[j] = std::max(0.0, 1 - total.value());
                    break;
                }
                expected[j] = (*tau)[j];
                total.add((*tau)[j]);
            }
            for (Eigen::Index j = 0; j < values.size(); ++j)
                QCOMPARE((*weight)[j], expected[j]);
        }
    }
};

QTEST_APPLESS_MAIN(TestDescendingOrder)
#include "tst_descendingorder.moc"
