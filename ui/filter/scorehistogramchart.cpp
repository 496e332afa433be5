#include "ui/filter/scorehistogramchart.h"

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QLineSeries>
#include <QLocale>
#include <QMenu>

#include <algorithm>
#include <cmath>

namespace pcs {

namespace {

// log10(1 + v): zero stays at zero and each power of ten is one step up.
double logHeight(double v)
{
    return std::log10(1.0 + v);
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
    setAxisTitle(m_x, tr("Score P(include)"));
    setAxisTitle(m_y, tr("Documents"));
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
    m_includeTotal = 0;
    m_excludeTotal = 0;
    for (std::size_t k = 0; k < m_include.size(); ++k) {
        m_includeTotal += m_include[k];
        m_excludeTotal += m_exclude[k];
    }
    rebuild();
}

void ScoreHistogramChart::setPerClassDensity(bool density)
{
    if (density == m_density)
        return;
    m_density = density;
    rebuild();
    Q_EMIT scaleChanged();
}

void ScoreHistogramChart::setLogScale(bool log)
{
    if (log == m_log)
        return;
    m_log = log;
    rebuild();
    Q_EMIT scaleChanged();
}

double ScoreHistogramChart::shownHeight(qint64 count, bool include) const
{
    const qint64 total = include ? m_includeTotal : m_excludeTotal;
    // As a share: in percent, so that the log scale's 1 + v keeps small shares apart.
    const double value
        = m_density ? (total > 0 ? 100.0 * double(count) / double(total) : 0.0) : double(count);
    return m_log ? logHeight(value) : value;
}

QList<QPointF> ScoreHistogramChart::outline(const std::vector<qint64> &counts, bool include) const
{
    // A histogram as a step outline: flat over each bin, down to zero at both ends.
    QList<QPointF> points;
    const double width = counts.empty() ? 1.0 : 1.0 / double(counts.size());
    points.reserve(qsizetype(2 * counts.size() + 2));
    points << QPointF(0, 0);
    for (std::size_t k = 0; k < counts.size(); ++k) {
        const double height = shownHeight(counts[k], include);
        points << QPointF(double(k) * width, height) << QPointF(double(k + 1) * width, height);
    }
    if (!counts.empty())
        points << QPointF(1, 0);
    return points;
}

void ScoreHistogramChart::rebuild()
{
    double largest = 0;
    for (std::size_t k = 0; k < m_include.size(); ++k)
        largest = std::max(
            { largest, shownHeight(m_include[k], true), shownHeight(m_exclude[k], false) });
    m_top = largest > 0 ? largest * 1.08 : 1.0;
    const QString unit = m_density ? tr("Share of its class (%)") : tr("Documents");
    if (m_log) {
        // Labels at 0, 1, 10, 100, … of the unlogged value.
        for (const QString &label : m_y->categoriesLabels())
            m_y->remove(label);
        m_y->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
        m_y->setStartValue(0);
        const QLocale locale;
        m_y->append(QStringLiteral("0"), 0);
        for (double v = m_density ? 0.1 : 1.0; logHeight(v) <= m_top; v *= 10)
            m_y->append(locale.toString(v, 'g', 6), logHeight(v));
        m_y->setRange(0, m_top);
        setAxisTitle(m_y, tr("%1, log scale").arg(unit));
    } else {
        setAxisRange(m_y, 0, m_top);
        setAxisTitle(m_y, unit);
    }
    m_includeLine->replace(outline(m_include, true));
    m_excludeLine->replace(outline(m_exclude, false));
    const QLocale locale;
    setTitleText(m_include.empty()
                     ? tr("Held-out scores: train a filter to see them")
                     : tr("Held-out scores: %1 include, %2 exclude")
                           .arg(locale.toString(m_includeTotal), locale.toString(m_excludeTotal)));
    updateMarker();
}

void ScoreHistogramChart::addMenuActions(QMenu *menu)
{
    QAction *density = menu->addAction(tr("Per-class density"), this,
                                       [this](bool on) { setPerClassDensity(on); });
    density->setCheckable(true);
    density->setChecked(m_density);
    QAction *log
        = menu->addAction(tr("Logarithmic scale"), this, [this](bool on) { setLogScale(on); });
    log->setCheckable(true);
    log->setChecked(m_log);
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
    const auto share = [](qint64 count, qint64 total) {
        return total > 0 ? QLocale().toString(100.0 * double(count) / double(total), 'f', 1)
                         : QStringLiteral("0");
    };
    const qint64 include = m_include[std::size_t(bin)];
    const qint64 exclude = m_exclude[std::size_t(bin)];
    return tr("scores %1 – %2\ninclude %3 (%4% of include)\nexclude %5 (%6% of exclude)")
        .arg(QString::number(bin * width, 'f', 3), QString::number((bin + 1) * width, 'f', 3),
             locale.toString(include), share(include, m_includeTotal), locale.toString(exclude),
             share(exclude, m_excludeTotal));
}

}  // namespace pcs
