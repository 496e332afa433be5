#include "ui/review/reviewhistogramchart.h"

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QLegend>
#include <QLineSeries>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pcs {

namespace {

constexpr double kMaxScore = 100;

QList<QPointF> stepOutline(const std::vector<qint64> &counts)
{
    QList<QPointF> points;
    const double width = counts.empty() ? kMaxScore : kMaxScore / double(counts.size());
    points.reserve(qsizetype(2 * counts.size() + 2));
    points << QPointF(0, 0);
    for (std::size_t k = 0; k < counts.size(); ++k)
        points << QPointF(double(k) * width, double(counts[k]))
               << QPointF(double(k + 1) * width, double(counts[k]));
    if (!counts.empty())
        points << QPointF(kMaxScore, 0);
    return points;
}

}  // namespace

ReviewHistogramChart::ReviewHistogramChart(QWidget *parent)
    : ChartWidget(parent)
    , m_x(new QCategoryAxis(this))
    , m_y(new QCategoryAxis(this))
    , m_line(new QLineSeries(this))
    , m_area(new QAreaSeries(m_line))
    , m_reviseMarker(new QLineSeries(this))
    , m_filterMarker(new QLineSeries(this))
{
    m_x->setTitleText(tr("Score (0 conforms, 100 does not)"));
    m_y->setTitleText(tr("Items"));
    setAxisRange(m_x, 0, kMaxScore);
    chart()->addAxis(m_x, Qt::AlignBottom);
    chart()->addAxis(m_y, Qt::AlignLeft);
    m_area->setName(tr("Assessed"));
    m_reviseMarker->setName(tr("Revise above"));
    m_filterMarker->setName(tr("Filter above"));
    for (QAbstractSeries *series :
         std::initializer_list<QAbstractSeries *> { m_area, m_reviseMarker, m_filterMarker }) {
        chart()->addSeries(series);
        series->attachAxis(m_x);
        series->attachAxis(m_y);
    }
    setPrimaryAxes(m_x, m_y);
    setCounts({});
    refreshTheme();
}

ReviewHistogramChart::~ReviewHistogramChart() = default;

void ReviewHistogramChart::applyColors(const charts::ChartColors &colors)
{
    m_area->setPen(QPen(colors.accent, 1.5));
    QColor fill = colors.accent;
    fill.setAlpha(90);
    m_area->setBrush(fill);
    m_reviseMarker->setPen(QPen(colors.secondary, 2.0, Qt::DashLine));
    m_filterMarker->setPen(QPen(colors.marker, 2.0, Qt::DashLine));
}

void ReviewHistogramChart::setCounts(std::vector<qint64> counts)
{
    m_counts = std::move(counts);
    const qint64 largest
        = m_counts.empty() ? 0 : *std::max_element(m_counts.begin(), m_counts.end());
    const qint64 total = std::accumulate(m_counts.begin(), m_counts.end(), qint64(0));
    m_top = largest > 0 ? double(largest) * 1.08 : 1.0;
    setAxisRange(m_y, 0, m_top);
    m_line->replace(stepOutline(m_counts));
    chart()->setTitle(total == 0
                          ? tr("Scores: nothing assessed yet")
                          : tr("Scores of %1 assessed items").arg(QLocale().toString(total)));
    updateMarkers();
}

void ReviewHistogramChart::setThresholds(const Thresholds &thresholds)
{
    m_thresholds = thresholds;
    updateMarkers();
}

void ReviewHistogramChart::updateMarkers()
{
    const auto place = [this](QLineSeries *marker, double x) {
        x = std::clamp(x, 0.0, kMaxScore);
        marker->replace({ QPointF(x, 0), QPointF(x, m_top) });
    };
    place(m_reviseMarker, m_thresholds.revise);
    place(m_filterMarker, m_thresholds.filter);
}

int ReviewHistogramChart::binAt(double score) const
{
    const int bins = int(m_counts.size());
    if (bins == 0 || score < 0 || score > kMaxScore)
        return -1;
    return std::min(bins - 1, int(std::floor(score / kMaxScore * bins)));
}

QString ReviewHistogramChart::toolTipAt(const QPointF &value) const
{
    const int bin = binAt(value.x());
    if (bin < 0)
        return {};
    const double width = kMaxScore / double(m_counts.size());
    return tr("scores %1 – %2: %3 items")
        .arg(QString::number(bin * width, 'f', 0), QString::number((bin + 1) * width, 'f', 0),
             QLocale().toString(m_counts[std::size_t(bin)]));
}

}  // namespace pcs
