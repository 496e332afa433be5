// The projections of DESIGN.md §3 (linear, l2), the caps τ and the ranks: constraints,
// hand-worked cases, optimality against brute force / an independent slow method, and errors.

#include "core/selection/projection.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

using Eigen::Index;
using pcs::Projection;

namespace {

long double exactSum(const Eigen::VectorXd &v)
{
    long double sum = 0, error = 0;  // Kahan in long double: plenty for these sizes
    for (double x : v) {
        const long double y = x - error;
        const long double t = sum + y;
        error = (t - sum) - y;
        sum = t;
    }
    return sum;
}

// 0 <= p <= τ exactly and |Σp − 1| <= 1e-12 (the documented bound).
void checkConstraints(const Eigen::VectorXd &p, const Eigen::VectorXd &tau)
{
    QCOMPARE(p.size(), tau.size());
    for (Index j = 0; j < p.size(); ++j) {
        if (!(p[j] >= 0 && p[j] <= tau[j]))
            QFAIL(qPrintable(
                QStringLiteral("p[%1] = %2 outside [0, %3]").arg(j).arg(p[j]).arg(tau[j])));
    }
    const long double sum = exactSum(p);
    QVERIFY2(std::abs(sum - 1) <= 1e-12L, qPrintable(QString::number(double(sum - 1))));
}

// Reference l2 projection: bisection on c in long double, independent of the breakpoint search.
Eigen::VectorXd bisectionL2(const Eigen::VectorXd &e, const Eigen::VectorXd &tau)
{
    auto g = [&](long double c) {
        long double sum = 0;
        for (Index j = 0; j < e.size(); ++j)
            sum += std::clamp<long double>(e[j] + c, 0, tau[j]);
        return sum;
    };
    long double lo = -e.maxCoeff() - 1, hi = (tau - e).maxCoeff() + 1;
    for (int i = 0; i < 300; ++i) {
        const long double mid = (lo + hi) / 2;
        (g(mid) < 1 ? lo : hi) = mid;
    }
    Eigen::VectorXd p(e.size());
    for (Index j = 0; j < e.size(); ++j)
        p[j] = double(std::clamp<long double>(e[j] + (lo + hi) / 2, 0, tau[j]));
    return p;
}

// KKT of the l2 projection: some c has p_j = clip(e_j + c, 0, τ_j) for every j.
void checkKkt(const Eigen::VectorXd &p, const Eigen::VectorXd &e, const Eigen::VectorXd &tau,
              double tol)
{
    long double cLow = -INFINITY, cHigh = INFINITY;
    for (Index j = 0; j < p.size(); ++j) {
        if (p[j] == 0) {
            cHigh = std::min(cHigh, -(long double)e[j]);  // e_j + c <= 0
        } else if (p[j] == tau[j]) {
            cLow = std::max(cLow, (long double)tau[j] - e[j]);  // e_j + c >= τ_j
        } else {
            const long double c = (long double)p[j] - e[j];
            cLow = std::max(cLow, c);
            cHigh = std::min(cHigh, c);
        }
    }
    QVERIFY2(cLow <= cHigh + tol,
             qPrintable(QStringLiteral("c in [%1, %2]").arg(double(cLow)).arg(double(cHigh))));
}

double objective(const Eigen::VectorXd &e, const Eigen::VectorXd &p)
{
    return e.dot(p);
}

Eigen::VectorXd vec(std::initializer_list<double> values)
{
    Eigen::VectorXd v(Index(values.size()));
    std::copy(values.begin(), values.end(), v.data());
    return v;
}

// Equal to 1e-15, with the zeros and the caps exact.
bool close(const Eigen::VectorXd &actual, const Eigen::VectorXd &expected,
           const Eigen::VectorXd &tau)
{
    if (actual.size() != expected.size())
        return false;
    for (Index j = 0; j < actual.size(); ++j) {
        const bool exact = expected[j] == 0 || expected[j] == tau[j];
        if (exact ? actual[j] != expected[j] : std::abs(actual[j] - expected[j]) > 1e-15)
            return false;
    }
    return true;
}

Eigen::VectorXd projectOrDie(const Eigen::VectorXd &e, const Eigen::VectorXd &tau,
                             Projection projection)
{
    auto result = pcs::project(e, tau, projection);
    if (!result)
        qFatal("project failed: %s", qPrintable(result.error().toString()));
    return std::move(result).value();
}

}  // namespace

class TestProjection : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void names()
    {
        QCOMPARE(pcs::projectionNames(), QStringList({ "linear", "l2" }));
        QCOMPARE(pcs::projectionFromName(QStringLiteral("l2")), Projection::L2);
        QCOMPARE(pcs::projectionName(Projection::Linear), QStringLiteral("linear"));
        QVERIFY(!pcs::projectionFromName(QStringLiteral("L2")));
    }

    void linearHandWorked()
    {
        // Walk 1 (0.9), 3 (0.9, tie: lower index first), 0 (0.3): 0.4 + 0.4 + the remaining 0.2.
        const Eigen::VectorXd tau = vec({ 0.5, 0.4, 0.5, 0.4, 1.0 });
        QVERIFY(close(projectOrDie(vec({ 0.3, 0.9, 0.1, 0.9, -0.5 }), tau, Projection::Linear),
                      vec({ 0.2, 0.4, 0, 0.4, 0 }), tau));
        // All tied: by index.
        QCOMPARE(projectOrDie(vec({ 1, 1, 1 }), vec({ 0.6, 0.6, 0.6 }), Projection::Linear),
                 vec({ 0.6, 0.4, 0 }));
        // The caps reach 1 exactly: nothing for the third.
        QCOMPARE(projectOrDie(vec({ 3, 2, 1 }), vec({ 0.5, 0.5, 0.5 }), Projection::Linear),
                 vec({ 0.5, 0.5, 0 }));
        QCOMPARE(projectOrDie(vec({ -2 }), vec({ 1 }), Projection::Linear), vec({ 1 }));
    }

    void l2HandWorked()
    {
        // No cap binds: c = (1 − (0.5 + 0.2 − 0.1)) / 3 = 2/15 → (19, 10, 1) / 30.
        const Eigen::VectorXd ones = vec({ 1, 1, 1 });
        QVERIFY(close(projectOrDie(vec({ 0.5, 0.2, -0.1 }), ones, Projection::L2),
                      vec({ 19.0 / 30, 10.0 / 30, 1.0 / 30 }), ones));
        // Text 0 capped at 0.4; the others share 0.6: c = (0.6 − 0.1) / 2 = 0.25 → 0.45, 0.15.
        const Eigen::VectorXd tau = vec({ 0.4, 1, 1 });
        QVERIFY(close(projectOrDie(vec({ 0.5, 0.2, -0.1 }), tau, Projection::L2),
                      vec({ 0.4, 0.45, 0.15 }), tau));
        // One far below: c = (1 − 1.1) / 2 → 0.45, 0.55, 0.
        QVERIFY(close(projectOrDie(vec({ 0.5, 0.6, -3 }), ones, Projection::L2),
                      vec({ 0.45, 0.55, 0 }), ones));
    }

    void linearIsOptimal()
    {
        // The optimum of the LP is at a vertex: a greedy fill in some order. Try every order.
        std::mt19937_64 rng(1);
        std::uniform_real_distribution<double> u(0, 1);
        for (int trial = 0; trial < 300; ++trial) {
            const Index d = 1 + trial % 6;
            Eigen::VectorXd e(d), tau(d);
            for (Index j = 0; j < d; ++j) {
                e[j] = std::round(u(rng) * 4) - 2;  // ties
                tau[j] = 0.05 + u(rng);
            }
            if (tau.sum() < 1)
                tau *= 1.01 / tau.sum();
            const Eigen::VectorXd p = projectOrDie(e, tau, Projection::Linear);
            checkConstraints(p, tau);
            std::vector<Index> order(static_cast<std::size_t>(d));
            std::iota(order.begin(), order.end(), Index(0));
            double best = -INFINITY;
            do {
                Eigen::VectorXd q = Eigen::VectorXd::Zero(d);
                double left = 1;
                for (Index j : order) {
                    q[j] = std::min(tau[j], left);
                    left -= q[j];
                }
                best = std::max(best, objective(e, q));
            } while (std::next_permutation(order.begin(), order.end()));
            QVERIFY(objective(e, p) >= best - 1e-12);
        }
    }

    void l2MatchesBisection_data()
    {
        QTest::addColumn<double>("scale");
        QTest::addColumn<double>("offset");
        QTest::addColumn<int>("d");
        QTest::addColumn<bool>("tokenCaps");
        for (int d : { 1, 2, 5, 50, 3000 }) {
            for (double scale : { 1.0, 1e6, 1e-9 }) {
                for (bool tokens : { false, true })
                    QTest::addRow("D=%d scale=%g %s", d, scale,
                                  tokens ? "token caps" : "uniform caps")
                        << scale << 0.0 << d << tokens;
            }
        }
        QTest::newRow("offset 1e6, small differences") << 1e-3 << 1e6 << 3000 << true;
        QTest::newRow("offset -1e6, tiny differences") << 1e-9 << -1e6 << 3000 << false;
    }
    void l2MatchesBisection()
    {
        QFETCH(double, scale);
        QFETCH(double, offset);
        QFETCH(int, d);
        QFETCH(bool, tokenCaps);
        std::mt19937_64 rng(std::uint64_t(d) * 31 + (tokenCaps ? 1 : 0));
        std::normal_distribution<double> normal;
        std::uniform_real_distribution<double> u(1, 100);
        for (int trial = 0; trial < 5; ++trial) {
            Eigen::VectorXd e(d), tokens(d);
            for (Index j = 0; j < d; ++j) {
                e[j] = offset + scale * normal(rng);
                tokens[j] = u(rng);
            }
            const double keep = d == 1 ? 1.0 : (trial + 1) / 6.0;
            const Eigen::VectorXd tau
                = tokenCaps ? *pcs::tauFromTokenCounts(tokens, keep) : *pcs::uniformTau(d, keep);
            const Eigen::VectorXd p = projectOrDie(e, tau, Projection::L2);
            checkConstraints(p, tau);
            checkKkt(p, e, tau, 1e-12 * std::max(1.0, std::abs(offset)));
            const double gap = (p - bisectionL2(e, tau)).cwiseAbs().maxCoeff();
            QVERIFY2(gap <= 1e-12, qPrintable(QString::number(gap)));
        }
    }

    void constraintsHoldAtScale()
    {
        std::mt19937_64 rng(9);
        std::normal_distribution<double> normal;
        const Index d = 200000;
        Eigen::VectorXd e(d);
        for (Index j = 0; j < d; ++j)
            e[j] = std::round(normal(rng) * 100) / 100;  // many ties
        for (double keep : { 0.001, 0.1, 1.0 }) {
            const Eigen::VectorXd tau = *pcs::uniformTau(d, keep);
            for (Projection projection : { Projection::Linear, Projection::L2 })
                checkConstraints(projectOrDie(e, tau, projection), tau);
        }
    }

    void capsSummingToOneWithinTolerance()
    {
        // Στ = 1 − 1e-13 is accepted (rounding of (t/Σt)/r); every text then gets its cap.
        const Eigen::VectorXd tau = vec({ 0.5, 0.5 - 1e-13 });
        for (Projection projection : { Projection::Linear, Projection::L2 })
            QCOMPARE(projectOrDie(vec({ 1, 2 }), tau, projection), tau);
    }

    void invalidInput_data()
    {
        QTest::addColumn<Eigen::VectorXd>("estimate");
        QTest::addColumn<Eigen::VectorXd>("tau");
        QTest::addColumn<QString>("message");
        QTest::newRow("zero cap") << vec({ 1, 2 }) << vec({ 1, 0 }) << "cap (tau) of text 1 is 0";
        QTest::newRow("negative cap")
            << vec({ 1, 2 }) << vec({ -1, 3 }) << "cap (tau) of text 0 is -1";
        QTest::newRow("NaN cap") << vec({ 1, 2 }) << vec({ 1, NAN })
                                 << "cap (tau) of text 1 is nan";
        QTest::newRow("infinite cap")
            << vec({ 1, 2 }) << vec({ INFINITY, 1 }) << "cap (tau) of text 0 is inf";
        QTest::newRow("caps below 1") << vec({ 1, 2 }) << vec({ 0.5, 0.4 }) << "sum to 0.9";
        QTest::newRow("NaN estimate")
            << vec({ 1, NAN }) << vec({ 1, 1 }) << "estimate of text 1 is not finite";
        QTest::newRow("size mismatch")
            << vec({ 1, 2 }) << vec({ 1 }) << "2 texts but the caps (tau) have 1";
        QTest::newRow("no texts") << Eigen::VectorXd() << Eigen::VectorXd() << "no texts";
    }
    void invalidInput()
    {
        QFETCH(Eigen::VectorXd, estimate);
        QFETCH(Eigen::VectorXd, tau);
        QFETCH(QString, message);
        for (Projection projection : { Projection::Linear, Projection::L2 }) {
            const auto result = pcs::project(estimate, tau, projection);
            QVERIFY(!result.ok());
            QCOMPARE(result.error().kind, pcs::ErrorKind::BadInput);
            QVERIFY2(result.error().reason.contains(message), qPrintable(result.error().reason));
        }
    }

    void tauFromTokens()
    {
        // Σt = 8, keep half: (1/8, 3/8, 4/8) / 0.5.
        QCOMPARE(*pcs::tauFromTokenCounts(vec({ 1, 3, 4 }), 0.5), vec({ 0.25, 0.75, 1.0 }));
        QCOMPARE(*pcs::uniformTau(4, 0.5), vec({ 0.5, 0.5, 0.5, 0.5 }));
        QCOMPARE(*pcs::uniformTau(3, 1.0), Eigen::VectorXd::Constant(3, 1.0 / 3).eval());
        struct Bad {
            Eigen::VectorXd tokens;
            double keep;
            const char *message;
        };
        for (const Bad &bad :
             { Bad { vec({ 1, 2 }), 0.0, "keep ratio must be in (0, 1], got 0" },
               Bad { vec({ 1, 2 }), 1.5, "got 1.5" }, Bad { vec({ 1, 2 }), -0.1, "got -0.1" },
               Bad { vec({ 1, 2 }), NAN, "got nan" },
               Bad { vec({ 1, 0 }), 0.5, "token count of text 1 is 0" },
               Bad { vec({ -3, 2 }), 0.5, "token count of text 0 is -3" },
               Bad { vec({ 1, NAN }), 0.5, "token count of text 1 is nan" },
               Bad { vec({ INFINITY, 1 }), 0.5, "token count of text 0 is inf" },
               Bad { Eigen::VectorXd(), 0.5, "no token counts" } }) {
            const auto result = pcs::tauFromTokenCounts(bad.tokens, bad.keep);
            QVERIFY(!result.ok());
            QVERIFY2(result.error().reason.contains(QLatin1String(bad.message)),
                     qPrintable(result.error().reason));
        }
        for (double keep : { 0.0, 1.5, double(NAN) })
            QVERIFY(!pcs::uniformTau(3, keep).ok());
        QVERIFY(!pcs::uniformTau(0, 0.5).ok());
    }

    void ranks()
    {
        // 0.9 (text 1), 0.9 (text 4), 0.2 (text 0), 0.2 (text 2), −1 (text 3).
        const Eigen::VectorXi ranks = pcs::ranksDescending(vec({ 0.2, 0.9, 0.2, -1, 0.9 }));
        Eigen::VectorXi expected(5);
        expected << 3, 1, 4, 5, 2;
        QCOMPARE(ranks, expected);
        QCOMPARE(pcs::ranksDescending(Eigen::VectorXd()).size(), Index(0));
    }
};

QTEST_GUILESS_MAIN(TestProjection)
#include "tst_projection.moc"
