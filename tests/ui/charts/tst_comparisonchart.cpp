// The estimator comparison chart: the top-k overlaps and Pearson's r against a hand
// computation over all texts, the drawing budget and what the sample always keeps, clicks.

#include "tests/ui/charts/tst_chartfixture.h"
#include "ui/charts/comparisonchart.h"
#include "ui/models/textfocus.h"

#include <QChart>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>

using namespace pcs;

class TestComparisonChart : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void comparisonFiguresAndSample();
    void comparisonSmallDrawsEverythingAndClicks();
    void comparisonPreparedInBackgroundMatches();

private:
    test::ChartFixture m_fixture;  // 5 LLMs, 60,000 texts, synthetic estimates
    TextFocus m_focus;
};

void TestComparisonChart::initTestCase()
{
    m_fixture = test::makeChartFixture(5, 60000, 0.1, false);
}

void TestComparisonChart::comparisonFiguresAndSample()
{
    ComparisonChart chart;
    chart.setFocusObject(&m_focus);
    const SelectionTable &table = m_fixture.outcome->table;
    const Eigen::Index d = table.estimate.size();
    // B = A plus noise: the overlaps are high but not perfect.
    Eigen::VectorXd b(d);
    for (Eigen::Index j = 0; j < d; ++j)
        b[j] = table.estimate[j] + 0.2 * test::unitNoise(23, std::uint64_t(j));
    chart.setComparison(m_fixture.outcome, b, QStringLiteral("noisy"));

    // Hand computation: sort both, intersect the top-k sets.
    const auto topSet = [d](const Eigen::VectorXd &v, std::int64_t k) {
        std::vector<int> order(static_cast<std::size_t>(d));
        for (int j = 0; j < int(d); ++j)
            order[std::size_t(j)] = j;
        std::stable_sort(order.begin(), order.end(), [&](int l, int r) { return v[l] > v[r]; });
        std::vector<int> top(order.begin(), order.begin() + k);
        std::sort(top.begin(), top.end());
        return top;
    };
    const auto &s = chart.summary();
    QCOMPARE(s.kOnePercent, 600);
    QCOMPARE(s.kTenPercent, 6000);
    for (const auto &[k, overlap] : { std::pair { s.kOnePercent, s.overlapOnePercent },
                                      std::pair { s.kTenPercent, s.overlapTenPercent } }) {
        const auto ta = topSet(table.estimate, k), tb = topSet(b, k);
        std::vector<int> shared;
        std::set_intersection(ta.begin(), ta.end(), tb.begin(), tb.end(),
                              std::back_inserter(shared));
        QCOMPARE(overlap, double(shared.size()) / double(k));
        QVERIFY(overlap > 0.2 && overlap < 1.0);
    }
    const Eigen::VectorXd ca = table.estimate.array() - table.estimate.mean();
    const Eigen::VectorXd cb = b.array() - b.mean();
    QVERIFY(std::abs(s.pearson - ca.dot(cb) / (ca.norm() * cb.norm())) < 1e-12);
    QVERIFY(
        chart.summaryText().contains(QStringLiteral("Pearson r = %1").arg(s.pearson, 0, 'f', 3)));

    // At most the budget drawn, always the top of both estimates.
    using Group = ComparisonChart::Group;
    const int drawn
        = int(chart.drawnPoints(Group::TopInBoth).size() + chart.drawnPoints(Group::TopInOne).size()
              + chart.drawnPoints(Group::Other).size());
    QCOMPARE(drawn, chart.drawnPointCount());
    QVERIFY(drawn <= ComparisonChart::kPointBudget && drawn > ComparisonChart::kPointBudget / 2);
    QVERIFY(chart.isDrawn(topSet(table.estimate, 1)[0]));
    QVERIFY(chart.isDrawn(topSet(b, 1)[0]));

    // The focused text is marked even when the sample left it out.
    int hidden = 0;
    while (chart.isDrawn(hidden))
        ++hidden;
    m_focus.setCurrent(hidden);
    QCOMPARE(chart.focusSeries()->count(), 1);
    QCOMPARE(chart.focusSeries()->at(0), QPointF(table.estimate[hidden], b[hidden]));
}

void TestComparisonChart::comparisonSmallDrawsEverythingAndClicks()
{
    ComparisonChart chart;
    chart.setFocusObject(&m_focus);
    QVERIFY(test::showChart(&chart));
    Eigen::VectorXd a(4), b(4);
    a << 0.1, 0.9, 0.5, -0.3;
    b << 0.2, 0.8, -0.4, 0.0;
    chart.setEstimates(
        { QStringLiteral("w"), QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("z") }, a,
        QStringLiteral("A"), b, QStringLiteral("B"));
    QCOMPARE(chart.drawnPointCount(), 4);
    QCOMPARE(chart.drawnPoints(ComparisonChart::Group::TopInBoth),
             QList<QPointF> { QPointF(0.9, 0.8) });  // k = 1: x is the top of both
    QCOMPARE(chart.drawnPoints(ComparisonChart::Group::Other).size(), 3);
    QCOMPARE(chart.summary().overlapOnePercent, 1.0);
    chart.clickAt(QPointF(0.5, -0.4));
    QCOMPARE(m_focus.current(), 2);
    QVERIFY(chart.toolTipAt(QPointF(0.5, -0.4)).startsWith(QStringLiteral("y\nA: 0.5")));
    QVERIFY(chart.toolTipAt(QPointF(0.3, 0.4)).isEmpty());  // far from every point

    chart.setEstimates({ QStringLiteral("w") }, a, QStringLiteral("A"), b,
                       QStringLiteral("B"));  // mismatch
    QCOMPARE(chart.drawnPointCount(), 0);
    QCOMPARE(chart.summary().count, 0);
}

// Off the GUI thread the chart computes the same summary, sample and ranges as on it; only the
// latest request is shown.
void TestComparisonChart::comparisonPreparedInBackgroundMatches()
{
    const SelectionTable &table = m_fixture.outcome->table;
    const Eigen::Index d = table.estimate.size();
    Eigen::VectorXd b(d);
    for (Eigen::Index j = 0; j < d; ++j)
        b[j] = table.estimate[j] - 0.3 * test::unitNoise(29, std::uint64_t(j));
    ComparisonChart direct;
    direct.setComparison(m_fixture.outcome, b, QStringLiteral("other"));
    ComparisonChart background;
    background.setBackgroundThreshold(0);
    QSignalSpy prepared(&background, &ComparisonChart::prepared);
    background.setComparison(m_fixture.outcome, -b, QStringLiteral("superseded"));
    QVERIFY(background.isPreparing());
    QCOMPARE(background.summary().count, 0);  // nothing shown until it is done
    background.setComparison(m_fixture.outcome, b, QStringLiteral("other"));
    QVERIFY(prepared.wait(20000));
    QTest::qWait(50);
    QCOMPARE(prepared.count(), 1);

    QCOMPARE(background.summary().count, direct.summary().count);
    QCOMPARE(background.summary().overlapOnePercent, direct.summary().overlapOnePercent);
    QCOMPARE(background.summary().overlapTenPercent, direct.summary().overlapTenPercent);
    QCOMPARE(background.summary().pearson, direct.summary().pearson);
    QVERIFY(background.summary().flags == direct.summary().flags);
    QCOMPARE(background.drawnPointCount(), direct.drawnPointCount());
    using Group = ComparisonChart::Group;
    for (const Group group : { Group::Other, Group::TopInOne, Group::TopInBoth })
        QCOMPARE(background.drawnPoints(group), direct.drawnPoints(group));
    QCOMPARE(background.summaryText(), direct.summaryText());
    QCOMPARE(background.chart()->title(), direct.chart()->title());
}

QTEST_MAIN(TestComparisonChart)
#include "tst_comparisonchart.moc"
