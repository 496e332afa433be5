// orderByValue (the table's radix sort) against a stable comparison sort, on awkward values.
#include "ui/models/valueorder.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using namespace pcs;

namespace {

std::vector<int> reference(const std::vector<double> &values, bool ascending)
{
    const auto key = [&](int i) {
        const double v = values[std::size_t(i)];
        return std::isnan(v) ? std::numeric_limits<double>::infinity() : v;
    };
    std::vector<int> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return ascending ? key(a) < key(b) : key(a) > key(b); });
    return order;
}

}  // namespace

class TestValueOrder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keysKeepTheNumericOrder()
    {
        const double inf = std::numeric_limits<double>::infinity();
        const std::vector<double> increasing = { -inf,
                                                 -1e308,
                                                 -2.5,
                                                 -1.0,
                                                 -std::numeric_limits<double>::denorm_min(),
                                                 0.0,
                                                 std::numeric_limits<double>::denorm_min(),
                                                 1e-300,
                                                 1.0,
                                                 2.5,
                                                 1e308,
                                                 inf };
        for (std::size_t i = 0; i + 1 < increasing.size(); ++i)
            QVERIFY2(orderedKey(increasing[i]) < orderedKey(increasing[i + 1]),
                     qPrintable(QString::number(increasing[i])));
        QCOMPARE(orderedKey(-0.0), orderedKey(0.0));
        QCOMPARE(orderedKey(std::nan("")), orderedKey(inf));
    }

    void awkwardValuesMatchAStableSort()
    {
        const double inf = std::numeric_limits<double>::infinity();
        const std::vector<double> values = { 3.0, -0.0, 0.0, std::nan(""), -inf,    1.0, 1.0,
                                             inf, -2.0, 0.0, std::nan(""), -1e-320, 3.0 };
        for (const bool ascending : { true, false })
            QCOMPARE(orderByValue(values, ascending), reference(values, ascending));
        QVERIFY(orderByValue({}, true).empty());
        QCOMPARE(orderByValue({ 5.0 }, false), std::vector<int> { 0 });
    }

    void randomValuesWithManyTiesMatchAStableSort()
    {
        std::mt19937_64 random(7);
        std::uniform_int_distribution<int> pick(0, 40);
        std::normal_distribution<double> normal;
        for (const std::size_t n : { std::size_t(10), std::size_t(1000), std::size_t(200000) }) {
            std::vector<double> values(n);
            for (double &v : values)
                v = pick(random) < 20 ? double(pick(random) - 20) * 0.25 : normal(random) * 1e3;
            for (const bool ascending : { true, false })
                QCOMPARE(orderByValue(values, ascending), reference(values, ascending));
        }
    }
};

QTEST_APPLESS_MAIN(TestValueOrder)
#include "tst_valueorder.moc"
