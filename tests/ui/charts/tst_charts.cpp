// The chart widgets on synthetic data: populated within their drawing budgets, following the
// shared TextFocus, tooltips and clicks, and theme switching. (Comparison: tst_comparisonchart.)

#include "tests/ui/charts/tst_chartfixture.h"
#include "ui/charts/distributionchart.h"
#include "ui/charts/rankedestimateschart.h"
#include "ui/charts/textscatterchart.h"
#include "ui/models/textfocus.h"

#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QTest>
#include <QToolTip>

#include <algorithm>

using namespace pcs;

namespace {

int rankOf(const test::ChartFixture &f, int text)
{
    return f.outcome->table.rank[text];
}

}  // namespace

class TestCharts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void rankedChartIsPopulatedWithinBudget();
    void rankedChartFollowsFocus();
    void rankedChartTooltipAndClick();
    void rankedChartZoomShowsDetail();
    void scatterShowsOnePointPerLlm();
    void scatterRankModeIsSpearman();
    void distributionChartIsSortedAndCumulative();
    void distributionChartDrawsBarsWhenFew();
    void themeSwitchChangesBackground();
    void rankedChartPreparedInBackgroundMatches();
    void distributionChartPreparedInBackgroundMatches();

private:
    test::ChartFixture m_small;  // 9 LLMs, 400 texts, real spearmanr estimates
    test::ChartFixture m_large;  // 5 LLMs, 60,000 texts, synthetic estimates
    TextFocus m_focus;
};

void TestCharts::initTestCase()
{
    m_small = test::makeChartFixture(9, 400, 0.1, true);
    m_large = test::makeChartFixture(5, 60000, 0.1, false);
}

void TestCharts::rankedChartIsPopulatedWithinBudget()
{
    RankedEstimatesChart chart;
    chart.setFocusObject(&m_focus);
    QVERIFY(test::showChart(&chart));
    chart.setData(m_large.data, m_large.outcome);
    const SelectionTable &table = m_large.outcome->table;
    const int d = int(table.estimate.size());

    const QList<QPointF> curve = chart.curveSeries()->points();
    QVERIFY(!curve.isEmpty());
    QVERIFY(curve.size() <= chart.maxDrawnPoints());
    QVERIFY(curve.size() < d);  // downsampled
    QCOMPARE(curve.front(), QPointF(1, table.estimate.maxCoeff()));
    QCOMPARE(curve.back(), QPointF(d, table.estimate.minCoeff()));
    for (qsizetype i = 1; i < curve.size(); ++i)
        QVERIFY(curve[i].x() > curve[i - 1].x() && curve[i].y() <= curve[i - 1].y());

    int included = 0;
    for (Eigen::Index j = 0; j < d; ++j)
        included += table.weight[j] > 0;
    QCOMPARE(chart.cutRank(), included);  // the linear projection includes a prefix of ranks
    const QList<QPointF> shaded = chart.includedSeries()->points();
    QVERIFY(!shaded.isEmpty());
    QCOMPARE(shaded.back().x(), double(included));
    QVERIFY(std::all_of(shaded.begin(), shaded.end(),
                        [&](const QPointF &p) { return p.x() <= included; }));
    const QList<QPointF> cut = chart.cutSeries()->points();
    QCOMPARE(cut.size(), 2);
    QCOMPARE(cut[0].x(), double(included));
    QCOMPARE(cut[1].x(), double(included));
    QVERIFY(chart.fullTitle().contains(QLocale().toString(included)));
}

void TestCharts::rankedChartFollowsFocus()
{
    RankedEstimatesChart chart;
    chart.setData(m_large.data, m_large.outcome);
    m_focus.setCurrent(-1);
    chart.setFocusObject(&m_focus);
    QCOMPARE(chart.focusSeries()->count(), 0);
    const SelectionTable &table = m_large.outcome->table;
    for (const int text : { 17, 4242, 59999 }) {
        m_focus.setCurrent(text);
        QCOMPARE(chart.focusSeries()->count(), 1);
        QCOMPARE(chart.focusSeries()->at(0), QPointF(rankOf(m_large, text), table.estimate[text]));
    }
    m_focus.setCurrent(-1);
    QCOMPARE(chart.focusSeries()->count(), 0);
}

void TestCharts::rankedChartTooltipAndClick()
{
    RankedEstimatesChart chart;
    chart.setFocusObject(&m_focus);
    chart.setData(m_small.data, m_small.outcome);
    QVERIFY(test::showChart(&chart));
    const SelectionTable &table = m_small.outcome->table;
    const int text = chart.textAtRank(37);
    QCOMPARE(rankOf(m_small, text), 37);
    const QString tip = chart.toolTipAt(QPointF(37.2, 0));
    QVERIFY2(tip.contains(table.texts[text]) && tip.contains(QStringLiteral("rank 37 of 400")),
             qPrintable(tip));
    QVERIFY(tip.contains(table.weight[text] > 0 ? QStringLiteral("included")
                                                : QStringLiteral("excluded")));
    chart.clickAt(QPointF(36.8, 0));
    QCOMPARE(m_focus.current(), text);
    QCOMPARE(chart.focusSeries()->at(0).x(), 37.0);
}

void TestCharts::rankedChartZoomShowsDetail()
{
    RankedEstimatesChart chart;
    QVERIFY(test::showChart(&chart));
    chart.setData(m_large.data, m_large.outcome);
    // A drag across part of the plot zooms into those ranks, drawn at full detail.
    const QRectF plot = chart.chart()->plotArea();
    QTest::mousePress(chart.chartView()->viewport(), Qt::LeftButton, {},
                      QPoint(int(plot.left() + 10), int(plot.center().y())));
    QTest::mouseMove(chart.chartView()->viewport(),
                     QPoint(int(plot.left() + 30), int(plot.center().y())));
    QTest::mouseRelease(chart.chartView()->viewport(), Qt::LeftButton, {},
                        QPoint(int(plot.left() + 30), int(plot.center().y())));
    const QList<QPointF> curve = chart.curveSeries()->points();
    QVERIFY(curve.front().x() > 1);
    QVERIFY(curve.back().x() < 60000);
    QVERIFY(curve.back().x() - curve.front().x() + 1 <= curve.size() + 1);  // every rank drawn
    const QPoint centre(int(plot.center().x()), int(plot.center().y()));
    QTest::mouseDClick(chart.chartView()->viewport(), Qt::LeftButton, {}, centre);
    // Balance QTest's double click, which otherwise leaves the button down for later tests.
    QTest::mouseRelease(chart.chartView()->viewport(), Qt::LeftButton, {}, centre);
    QCOMPARE(chart.curveSeries()->points().front().x(), 1.0);  // double-click: all ranks again
    QCOMPARE(chart.curveSeries()->points().back().x(), 60000.0);
}

void TestCharts::scatterShowsOnePointPerLlm()
{
    TextScatterChart chart;
    chart.setFocusObject(&m_focus);
    chart.setData(m_small.data, m_small.outcome);
    QVERIFY(test::showChart(&chart));
    m_focus.setCurrent(-1);
    QCOMPARE(chart.pointSeries()->count(), 0);
    QVERIFY(chart.fullTitle().contains(QStringLiteral("Pick a text")));

    const int text = 123;
    m_focus.setCurrent(text);
    const AlignedInputs &aligned = m_small.outcome->aligned;
    QCOMPARE(chart.shownText(), text);
    QCOMPARE(chart.pointSeries()->count(), int(aligned.llms.size()));
    for (int i = 0; i < aligned.llms.size(); ++i) {
        const QPointF p = chart.pointSeries()->at(i);
        QCOMPARE(p,
                 QPointF(m_small.data->bpb->values(aligned.bpbRows[std::size_t(i)], text),
                         aligned.errors[i]));
        QCOMPARE(chart.llmAt(i), aligned.llms[i]);
        const QString tip = chart.toolTipAt(p);
        QVERIFY2(tip.startsWith(aligned.llms[i] + QLatin1Char('\n')), qPrintable(tip));
    }
    const QString title = chart.fullTitle();
    QVERIFY2(title.contains(QStringLiteral("text-123"))
                 && title.contains(QStringLiteral("Spearman ρ"))
                 && title.contains(QStringLiteral("rank %1 of 400").arg(rankOf(m_small, text))),
             qPrintable(title));
    // A real hover over a point shows its LLM in a tooltip.
    const int i = 3;
    const QPointF chartPos = chart.positionOf(chart.pointSeries()->at(i));
    const QPoint viewPos = chart.chartView()->mapFromScene(chart.chart()->mapToScene(chartPos));
    QTest::mouseMove(chart.chartView()->viewport(), viewPos);
    QTRY_VERIFY(QToolTip::isVisible());
    QVERIFY2(QToolTip::text().contains(aligned.llms[i] + QLatin1Char('\n')),
             qPrintable(QToolTip::text()));

    QCOMPARE(chart.trendSeries()->count(), 2);
    chart.setTrendVisible(false);
    QCOMPARE(chart.trendSeries()->count(), 0);
    m_focus.setCurrent(7);
    QCOMPARE(chart.pointSeries()->at(0).x(), m_small.data->bpb->values(aligned.bpbRows[0], 7));
}

void TestCharts::scatterRankModeIsSpearman()
{
    // In rank mode the trend's r is the Pearson r of mid-ranks: the spearmanr estimate itself.
    TextScatterChart chart;
    chart.setFocusObject(&m_focus);
    chart.setData(m_small.data, m_small.outcome);
    chart.setRankMode(true);
    for (const int text : { 0, 55, 399 }) {
        m_focus.setCurrent(text);
        QVERIFY(std::abs(chart.trendCorrelation() - m_small.outcome->table.estimate[text]) < 1e-12);
        for (int i = 0; i < chart.pointSeries()->count(); ++i) {
            const QPointF p = chart.pointSeries()->at(i);
            QVERIFY(p.x() >= 1 && p.x() <= 9 && p.y() >= 1 && p.y() <= 9);
        }
    }
}

void TestCharts::distributionChartIsSortedAndCumulative()
{
    DistributionChart chart;
    chart.setFocusObject(&m_focus);
    QVERIFY(test::showChart(&chart));
    chart.setData(m_large.data, m_large.outcome);
    const SelectionTable &table = m_large.outcome->table;
    int included = 0;
    double squares = 0;
    for (Eigen::Index j = 0; j < table.weight.size(); ++j) {
        included += table.weight[j] > 0;
        squares += table.weight[j] * table.weight[j];
    }
    QCOMPARE(chart.includedCount(), included);
    QVERIFY(std::abs(chart.effectiveSize() - 1.0 / squares) < 1e-6 * chart.effectiveSize());
    const QList<QPointF> weights = chart.weightSeries()->points();
    const QList<QPointF> cumulative = chart.cumulativeSeries()->points();
    QVERIFY(!weights.isEmpty() && weights.size() <= chart.maxDrawnPoints());
    QVERIFY(!cumulative.isEmpty() && cumulative.size() <= chart.maxDrawnPoints());
    QCOMPARE(weights.front().y(), table.weight.maxCoeff());
    for (qsizetype i = 1; i < weights.size(); ++i)
        QVERIFY(weights[i].y() <= weights[i - 1].y());
    for (qsizetype i = 1; i < cumulative.size(); ++i)
        QVERIFY(cumulative[i].y() >= cumulative[i - 1].y());
    QVERIFY(std::abs(cumulative.back().y() - 1.0) < 1e-12);

    // The focused text is marked when included, at its weight; not when excluded.
    int in = -1, out = -1;
    for (int j = 0; j < int(table.weight.size()) && (in < 0 || out < 0); ++j)
        (table.weight[j] > 0 ? in : out) = j;
    m_focus.setCurrent(in);
    QCOMPARE(chart.focusSeries()->count(), 1);
    QCOMPARE(chart.focusSeries()->at(0).y(), table.weight[in]);
    QCOMPARE(chart.textAtPosition(int(chart.focusSeries()->at(0).x())), in);
    const QString tip = chart.toolTipAt(chart.focusSeries()->at(0));
    QVERIFY2(tip.contains(table.texts[in]), qPrintable(tip));
    m_focus.setCurrent(out);
    QCOMPARE(chart.focusSeries()->count(), 0);
    chart.clickAt(QPointF(1, 0));
    QCOMPARE(m_focus.current(), chart.textAtPosition(1));
}

void TestCharts::distributionChartDrawsBarsWhenFew()
{
    DistributionChart chart;
    chart.setData(m_small.data, m_small.outcome);
    QVERIFY(chart.includedCount() > 0 && chart.includedCount() < 100);
    QCOMPARE(chart.weightSeries()->count(), 2 * chart.includedCount());  // a step per text
    QCOMPARE(chart.cumulativeSeries()->count(), chart.includedCount());

    // No distribution (an estimate-only table): empty, with a hint in the title.
    auto estimateOnly = std::make_shared<SelectionOutcome>(*m_small.outcome);
    estimateOnly->table.weight.resize(0);
    estimateOnly->table.tau.resize(0);
    chart.setData(m_small.data, estimateOnly);
    QCOMPARE(chart.weightSeries()->count(), 0);
    QVERIFY(chart.fullTitle().contains(QStringLiteral("projection")));
    RankedEstimatesChart ranked;
    ranked.setData(m_small.data, estimateOnly);
    QCOMPARE(ranked.cutRank(), 0);
    QCOMPARE(ranked.includedSeries()->count(), 0);
    QCOMPARE(ranked.cutSeries()->count(), 0);
    QCOMPARE(ranked.curveSeries()->count(), 400);  // fewer texts than pixels: all drawn
    QVERIFY(!ranked.toolTipAt(QPointF(1, 0)).contains(QStringLiteral("included")));

    // Nothing at all: empty charts, no tooltips, no crash on clicks.
    chart.setData(nullptr, nullptr);
    ranked.setData(nullptr, nullptr);
    QCOMPARE(ranked.curveSeries()->count(), 0);
    QVERIFY(ranked.toolTipAt(QPointF(1, 0)).isEmpty());
    ranked.clickAt(QPointF(1, 0));
    chart.clickAt(QPointF(1, 0));
}

void TestCharts::themeSwitchChangesBackground()
{
    RankedEstimatesChart chart;
    chart.setData(m_small.data, m_small.outcome);
    chart.setThemeMode(ChartWidget::ThemeMode::Light);
    QVERIFY(!chart.isDark());
    const QColor light = chart.chart()->backgroundBrush().color();
    const QColor lightAccent = chart.colors().accent;
    chart.setThemeMode(ChartWidget::ThemeMode::Dark);
    QVERIFY(chart.isDark());
    const QColor dark = chart.chart()->backgroundBrush().color();
    QVERIFY(light != dark);
    QVERIFY(dark.lightness() < light.lightness());
    QVERIFY(chart.colors().accent != lightAccent);
    QCOMPARE(chart.curveSeries()->pen().color(), chart.colors().muted);  // series restyled

    // Following the palette: a dark window colour gives the dark theme in that colour.
    chart.setThemeMode(ChartWidget::ThemeMode::FollowPalette);
    QPalette palette = chart.palette();
    palette.setColor(QPalette::Window, QColor(0x20, 0x22, 0x25));
    palette.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
    chart.setPalette(palette);
    QVERIFY(chart.isDark());
    QCOMPARE(chart.chart()->backgroundBrush().color(), QColor(0x20, 0x22, 0x25));
    palette.setColor(QPalette::Window, QColor(0xf4, 0xf4, 0xf4));
    palette.setColor(QPalette::WindowText, Qt::black);
    chart.setPalette(palette);
    QVERIFY(!chart.isDark());
    QCOMPARE(chart.chart()->backgroundBrush().color(), QColor(0xf4, 0xf4, 0xf4));
}

// Off the GUI thread the charts compute the same order, cut and curve as on it; until the work
// is done they show the previous outcome; only the latest of several requests is shown.
void TestCharts::rankedChartPreparedInBackgroundMatches()
{
    RankedEstimatesChart direct;
    RankedEstimatesChart background;
    background.setBackgroundThreshold(0);
    QVERIFY(test::showChart(&direct));
    QVERIFY(test::showChart(&background));
    direct.setData(m_large.data, m_large.outcome);

    QSignalSpy prepared(&background, &RankedEstimatesChart::prepared);
    background.setData(m_small.data, m_small.outcome);
    QVERIFY(background.isPreparing());
    QCOMPARE(background.textCount(), 0);  // nothing shown yet
    background.setData(m_large.data, m_large.outcome);  // supersedes the small outcome
    QVERIFY(prepared.wait(20000));
    QTest::qWait(50);
    QCOMPARE(prepared.count(), 1);
    QVERIFY(!background.isPreparing());

    QCOMPARE(background.textCount(), direct.textCount());
    QCOMPARE(background.cutRank(), direct.cutRank());
    for (int rank = 0; rank <= direct.textCount() + 1; ++rank)
        QCOMPARE(background.textAtRank(rank), direct.textAtRank(rank));
    QCOMPARE(background.curveSeries()->points(), direct.curveSeries()->points());
    QCOMPARE(background.includedSeries()->points(), direct.includedSeries()->points());
    QCOMPARE(background.cutSeries()->points(), direct.cutSeries()->points());
    QCOMPARE(background.chart()->title(), direct.chart()->title());

    // A null outcome clears at once and drops work in flight.
    background.setData(m_small.data, m_small.outcome);
    background.setData(nullptr, nullptr);
    QVERIFY(!background.isPreparing());
    QCOMPARE(background.textCount(), 0);
    QTest::qWait(200);
    QCOMPARE(background.textCount(), 0);
}

void TestCharts::distributionChartPreparedInBackgroundMatches()
{
    DistributionChart direct;
    DistributionChart background;
    background.setBackgroundThreshold(0);
    QVERIFY(test::showChart(&direct));
    QVERIFY(test::showChart(&background));
    direct.setData(m_large.data, m_large.outcome);
    background.setData(m_small.data, m_small.outcome);
    QVERIFY(background.isPreparing());
    QCOMPARE(background.includedCount(), 0);
    QSignalSpy prepared(&background, &DistributionChart::prepared);
    background.setData(m_large.data, m_large.outcome);
    QVERIFY(prepared.wait(20000));
    QTest::qWait(50);
    QCOMPARE(prepared.count(), 1);

    QVERIFY(direct.includedCount() > 0);
    QCOMPARE(background.includedCount(), direct.includedCount());
    QCOMPARE(background.effectiveSize(), direct.effectiveSize());
    for (int position = 0; position <= direct.includedCount() + 1; ++position)
        QCOMPARE(background.textAtPosition(position), direct.textAtPosition(position));
    QCOMPARE(background.weightSeries()->points(), direct.weightSeries()->points());
    QCOMPARE(background.cumulativeSeries()->points(), direct.cumulativeSeries()->points());
    QCOMPARE(background.chart()->title(), direct.chart()->title());
}

QTEST_MAIN(TestCharts)
#include "tst_charts.moc"
