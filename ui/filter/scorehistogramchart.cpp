#include "filter/scorehistogramchart.h"

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QLineSeries>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace pcs {

namespace {

// A histogram as a step outline: flat over each bin, down to zero at both ends.
QList<QPointF> stepOutline(const std::vector<qint64> &counts)
{
    QList<QPointF> points;
    const double width = counts.empty() ? 1.0 : 1.0 / double(counts.size());
    points.reserve(qsizetype(2 * counts.size() + 2));
    points << QPointF(0, 0);
    for (std::size_t k = 0; k < counts.size(); ++k) {
        points << QPointF(double(k) * width, double(counts[k]))
               << QPointF(double(k + 1) * width, double(counts[k]));
    }
    if (!counts.empty())
        points << QPointF(1, 0);
    return points;
}

}  // namespace

ScoreHistogramChart::ScoreHistogramChart(QWidget *parent)
    : ChartWidget(parent)
    , m_x(new QCategoryAxis(this))
    , m_y(new QCategoryAxis(this))
    , m_includeLine(new QLineSeries(this))
    , m_excludeLine(new QLineSeries(this))
    , m_includeArea(new QAreaSeries(m_includeLine))
    , m_excludeArea(new QAreaSeries(m_excludeLine))
    , m_marker(new QLineSeries(this))
{
    m_x->setTitleText(tr("Score P(include)"));
    m_y->setTitleText(tr("Documents"));
    setAxisRange(m_x, 0, 1);
    chart()->addAxis(m_x, Qt::AlignBottom);
    chart()->addAxis(m_y, Qt::AlignLeft);
    m_excludeArea->setName(tr("Exclude"));
    m_includeArea->setName(tr("Include"));
    m_marker->setName(tr("Threshold"));
    for (QAbstractSeries *series :
         std::initializer_list<QAbstractSeries *> { m_excludeArea, m_includeArea, m_marker }) {
        chart()->addSeries(series);
        series->attachAxis(m_x);
        series->attachAxis(m_y);
    }
    setPrimaryAxes(m_x, m_y);
    // Scores often crowd a narrow range: a drag zooms into it, a double-click shows [0, 1].
    setHorizontalZoomEnabled(true);
    setFullXRange(0, 1);
    clear();
    refreshTheme();
}

ScoreHistogramChart::~ScoreHistogramChart() = default;

void ScoreHistogramChart::applyColors(const charts::ChartColors &colors)
{
    const auto style = [](QAreaSeries *area, const QColor &color) {
        area->setPen(QPen(color, 1.5));
        QColor fill = color;
        fill.setAlpha(70);  // the classes overlap: both stay visible
        area->setBrush(fill);
    };
    style(m_includeArea, colors.accent);
    style(m_excludeArea, colors.secondary);
    m_marker->setPen(QPen(colors.marker, 2.0, Qt::DashLine));
}

void ScoreHistogramChart::clear()
{
    setHistograms({}, {});
}

void ScoreHistogramChart::setHistograms(std::vector<qint64> include, std::vector<qint64> exclude)
{
    m_include = std::move(include);
    m_exclude = std::move(exclude);
    m_exclude.resize(m_include.size(), 0);
    qint64 largest = 0, includeTotal = 0, excludeTotal = 0;
    for (std::size_t k = 0; k < m_include.size(); ++k) {
        largest = std::max({ largest, m_include[k], m_exclude[k] });
        includeTotal += m_include[k];
        excludeTotal += m_exclude[k];
    }
    m_top = largest > 0 ? double(largest) * 1.08 : 1.0;
    setAxisRange(m_y, 0, m_top);
    m_includeLine->replace(stepOutline(m_include));
    m_excludeLine->replace(stepOutline(m_exclude));
    const QLocale locale;
    chart()->setTitle(m_include.empty()
                          ? tr("Held-out scores: train a filter to see them")
                          : tr("Held-out scores: %1 include, %2 exclude")
                                .arg(locale.toString(includeTotal), locale.toString(excludeTotal)));
    updateMarker();
}

void ScoreHistogramChart::setThreshold(double threshold)
{
    m_threshold = threshold;
    updateMarker();
}

void ScoreHistogramChart::updateMarker()
{
    if (m_include.empty()) {
        m_marker->clear();
        return;
    }
    const double x = std::clamp(m_threshold, 0.0, 1.0);
    m_marker->replace({ QPointF(x, 0), QPointF(x, m_top) });
}

int ScoreHistogramChart::binAt(double score) const
{
    const int bins = int(m_include.size());
    if (bins == 0 || score < 0 || score > 1)
        return -1;
    return std::min(bins - 1, int(std::floor(score * bins)));
}

QString ScoreHistogramChart::toolTipAt(const QPointF &value) const
{
    const int bin = binAt(value.x());
    if (bin < 0)
        return {};
    const double width = 1.0 / double(m_include.size());
    const QLocale locale;
    return tr("scores %1 – %2\ninclude %3 · exclude %4")
        .arg(QString::number(bin * width, 'f', 3), QString::number((bin + 1) * width, 'f', 3),
             locale.toString(m_include[std::size_t(bin)]),
             locale.toString(m_exclude[std::size_t(bin)]));
}

}  // namespace pcs
