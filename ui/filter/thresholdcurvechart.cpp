#include "ui/filter/thresholdcurvechart.h"

#include <QCategoryAxis>
#include <QChart>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>

#include <algorithm>

namespace pcs {

namespace {

// Beyond this many distinct scores the steps are drawn from an even sample of them: finer
// than a chart's pixels anyway.
constexpr std::size_t kMaxDrawnSteps = 1200;

QString percent(double fraction)
{
    return QString::number(100.0 * fraction, 'f', 1) + QLatin1Char('%');
}

}  // namespace

ThresholdCurveChart::ThresholdCurveChart(QWidget *parent)
    : ChartWidget(parent)
    , m_x(new QCategoryAxis(this))
    , m_y(new QCategoryAxis(this))
    , m_precision(new QLineSeries(this))
    , m_recall(new QLineSeries(this))
    , m_kept(new QLineSeries(this))
    , m_marker(new QLineSeries(this))
    , m_points(new QScatterSeries(this))
{
    setAxisTitle(m_x, tr("Threshold (keep scores ≥ it)"));
    setAxisTitle(m_y, tr("Share"));
    setAxisRange(m_x, 0, 1);
    setAxisRange(m_y, 0, 1.02);
    chart()->addAxis(m_x, Qt::AlignBottom);
    chart()->addAxis(m_y, Qt::AlignLeft);
    m_precision->setName(tr("Precision"));
    m_recall->setName(tr("Recall"));
    m_kept->setName(tr("Kept"));
    m_marker->setName(tr("Threshold"));
    m_points->setName(tr("At the threshold"));
    for (QXYSeries *series :
         std::initializer_list<QXYSeries *> { m_kept, m_recall, m_precision, m_marker, m_points }) {
        chart()->addSeries(series);
        series->attachAxis(m_x);
        series->attachAxis(m_y);
    }
    setPrimaryAxes(m_x, m_y);
    // Scores often crowd a narrow range: a drag zooms into it, a double-click shows [0, 1].
    setHorizontalZoomEnabled(true);
    setFullXRange(0, 1);
    // The dots repeat the curves' colours at the marker: no legend entry of their own.
    for (QLegendMarker *marker : chart()->legend()->markers(m_points))
        marker->setVisible(false);
    clear();
    refreshTheme();
}

ThresholdCurveChart::~ThresholdCurveChart() = default;

void ThresholdCurveChart::applyColors(const charts::ChartColors &colors)
{
    m_precision->setPen(QPen(colors.accent, 2.0));
    m_recall->setPen(QPen(colors.secondary, 2.0));
    m_kept->setPen(QPen(colors.muted, 2.0, Qt::DashDotLine));
    m_marker->setPen(QPen(colors.marker, 2.0, Qt::DashLine));
    m_points->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    m_points->setMarkerSize(9);
    m_points->setColor(colors.marker);
    m_points->setBorderColor(chart()->backgroundBrush().color());
}

void ThresholdCurveChart::clear()
{
    setCurve({});
}

void ThresholdCurveChart::setCurve(std::vector<ThresholdPoint> curve)
{
    m_curve = std::move(curve);
    setTitleText(m_curve.empty() ? tr("Precision and recall: train a filter to see them")
                                 : tr("Precision, recall and kept share by threshold"));
    rebuildCurves();
    updateMarker();
}

void ThresholdCurveChart::setThreshold(double threshold)
{
    m_threshold = threshold;
    updateMarker();
}

ThresholdPoint ThresholdCurveChart::pointAt(double threshold) const
{
    // The curve descends by threshold; the state at `threshold` is that of the smallest score
    // still >= it (everything from there up is kept).
    const auto below = std::partition_point(
        m_curve.begin(), m_curve.end(),
        [threshold](const ThresholdPoint &p) { return p.threshold >= threshold; });
    if (below == m_curve.begin())
        return ThresholdPoint { threshold, 0, 0, 0 };  // nothing kept
    ThresholdPoint point = *(below - 1);
    point.threshold = threshold;
    return point;
}

void ThresholdCurveChart::rebuildCurves()
{
    QList<QPointF> precision, recall, kept;
    if (!m_curve.empty()) {
        // Ascending threshold, through an even sample of the steps when there are many.
        std::vector<ThresholdPoint> steps;
        const std::size_t n = m_curve.size();
        const std::size_t stride = (n + kMaxDrawnSteps - 1) / kMaxDrawnSteps;
        for (std::size_t i = n; i-- > 0;)
            if (i % stride == 0 || i == n - 1)
                steps.push_back(m_curve[i]);
        // Below the lowest score everything is kept.
        const ThresholdPoint &all = m_curve.back();  // the lowest score
        precision << QPointF(0, all.precision);
        recall << QPointF(0, all.recall);
        kept << QPointF(0, all.keptFraction);
        for (std::size_t s = 0; s < steps.size(); ++s) {
            const ThresholdPoint &p = steps[s];
            const double from = s == 0 ? p.threshold : steps[s - 1].threshold;
            // Flat up to the next score, where the value jumps.
            precision << QPointF(from, p.precision) << QPointF(p.threshold, p.precision);
            recall << QPointF(from, p.recall) << QPointF(p.threshold, p.recall);
            kept << QPointF(from, p.keptFraction) << QPointF(p.threshold, p.keptFraction);
        }
        // Above the highest score nothing is kept; precision is undefined there.
        const double top = m_curve.front().threshold;
        if (top < 1) {
            recall << QPointF(top, 0) << QPointF(1, 0);
            kept << QPointF(top, 0) << QPointF(1, 0);
        }
    }
    m_precision->replace(precision);
    m_recall->replace(recall);
    m_kept->replace(kept);
}

void ThresholdCurveChart::updateMarker()
{
    if (m_curve.empty()) {
        m_marker->clear();
        m_points->clear();
        return;
    }
    const double x = std::clamp(m_threshold, 0.0, 1.0);
    m_marker->replace({ QPointF(x, 0), QPointF(x, 1.02) });
    const ThresholdPoint at = pointAt(m_threshold);
    m_points->replace(
        { QPointF(x, at.precision), QPointF(x, at.recall), QPointF(x, at.keptFraction) });
}

QString ThresholdCurveChart::toolTipAt(const QPointF &value) const
{
    if (m_curve.empty() || value.x() < 0 || value.x() > 1)
        return {};
    const ThresholdPoint p = pointAt(value.x());
    return tr("threshold %1\nprecision %2 · recall %3\nkeeps %4 of the held-out documents")
        .arg(QString::number(p.threshold, 'f', 4), QString::number(p.precision, 'f', 3),
             QString::number(p.recall, 'f', 3), percent(p.keptFraction));
}

}  // namespace pcs
