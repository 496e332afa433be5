#include "ui/charts/textscatterchart.h"

#include "core/workspace/selectionsession.h"
#include "ui/charts/estimatorlabels.h"

#include <QCategoryAxis>
#include <QChart>
#include <QElapsedTimer>
#include <QLineSeries>
#include <QLocale>
#include <QMenu>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace pcs {

namespace {

// Mid-ranks (1-based; ties share the average of the ranks they span), as the estimators use.
QList<double> midRanks(const QList<double> &values)
{
    std::vector<int> order(std::size_t(values.size()));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return values[a] < values[b]; });
    QList<double> ranks(values.size());
    for (std::size_t first = 0; first < order.size();) {
        std::size_t last = first;
        while (last + 1 < order.size() && values[order[last + 1]] == values[order[first]])
            ++last;
        for (std::size_t k = first; k <= last; ++k)
            ranks[order[k]] = double(first + last) / 2.0 + 1.0;
        first = last + 1;
    }
    return ranks;
}

// Pads a range by 5% on each side (or ±0.5 when it is a single value).
std::pair<double, double> padded(double lo, double hi)
{
    const double pad = hi > lo ? 0.05 * (hi - lo) : 0.5;
    return { lo - pad, hi + pad };
}

}  // namespace

TextScatterChart::TextScatterChart(QWidget *parent)
    : ChartWidget(parent)
    , m_x(new QCategoryAxis(this))
    , m_y(new QCategoryAxis(this))
    , m_points(new QScatterSeries(this))
    , m_trend(new QLineSeries(this))
{
    chart()->addAxis(m_x, Qt::AlignBottom);
    chart()->addAxis(m_y, Qt::AlignLeft);
    m_points->setName(tr("LLMs"));
    m_trend->setName(tr("Least-squares trend"));
    const QList<QXYSeries *> layers = { m_trend, m_points };  // points on top
    for (QXYSeries *series : layers) {
        chart()->addSeries(series);
        series->attachAxis(m_x);
        series->attachAxis(m_y);
    }
    setPrimaryAxes(m_x, m_y);
    rebuild();
    refreshTheme();
}

TextScatterChart::~TextScatterChart() = default;

void TextScatterChart::applyColors(const charts::ChartColors &colors)
{
    m_points->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    m_points->setMarkerSize(9);
    m_points->setColor(colors.accent);
    m_points->setBorderColor(chart()->backgroundBrush().color());
    m_trend->setPen(QPen(colors.marker, 1.5, Qt::DashLine));
}

void TextScatterChart::setData(std::shared_ptr<const SelectionData> selectionData,
                               std::shared_ptr<const SelectionOutcome> outcome)
{
    m_data = std::move(selectionData);
    m_outcome = std::move(outcome);
    rebuild();
}

void TextScatterChart::setTrendVisible(bool visible)
{
    m_trendVisible = visible;
    rebuild();
}

void TextScatterChart::setRankMode(bool ranks)
{
    m_rankMode = ranks;
    rebuild();
}

void TextScatterChart::textFocusChanged(int text)
{
    Q_UNUSED(text)
    rebuild();
}

QString TextScatterChart::llmAt(int index) const
{
    return m_outcome && index >= 0 ? m_outcome->aligned.llms.value(index) : QString();
}

void TextScatterChart::rebuild()
{
    QElapsedTimer timer;
    timer.start();
    const int text = currentText();
    const BpbMatrix *bpb = m_data ? m_data->bpb.get() : nullptr;
    const AlignedInputs *aligned = m_outcome ? &m_outcome->aligned : nullptr;
    const bool valid = bpb && aligned && text >= 0 && text < bpb->values.cols()
        && Eigen::Index(aligned->bpbRows.size()) == aligned->errors.size()
        && std::all_of(aligned->bpbRows.begin(), aligned->bpbRows.end(),
                       [bpb](Eigen::Index row) { return row >= 0 && row < bpb->values.rows(); });
    m_text = valid ? text : -1;
    m_raw.clear();
    if (valid) {
        for (std::size_t i = 0; i < aligned->bpbRows.size(); ++i)
            m_raw.append(
                QPointF(bpb->values(aligned->bpbRows[i], text), aligned->errors[Eigen::Index(i)]));
    }
    QList<double> xs, ys;
    for (const QPointF &p : std::as_const(m_raw)) {
        xs.append(p.x());
        ys.append(p.y());
    }
    if (m_rankMode) {
        xs = midRanks(xs);
        ys = midRanks(ys);
    }
    QList<QPointF> shown;
    for (qsizetype i = 0; i < xs.size(); ++i)
        shown.append(QPointF(xs[i], ys[i]));
    m_points->replace(shown);

    // Least squares y = a + b·x and r, over the shown coordinates.
    QList<QPointF> trend;
    m_correlation = 0;
    if (shown.size() >= 2) {
        const auto [xLo, xHi] = std::minmax_element(xs.cbegin(), xs.cend());
        const auto [yLo, yHi] = std::minmax_element(ys.cbegin(), ys.cend());
        const auto [x0, x1] = padded(*xLo, *xHi);
        const auto [y0, y1] = padded(*yLo, *yHi);
        setAxisRange(m_x, x0, x1);
        setAxisRange(m_y, y0, y1);
        const double mx = std::accumulate(xs.cbegin(), xs.cend(), 0.0) / double(xs.size());
        const double my = std::accumulate(ys.cbegin(), ys.cend(), 0.0) / double(ys.size());
        double sxy = 0, sxx = 0, syy = 0;
        for (qsizetype i = 0; i < xs.size(); ++i) {
            sxy += (xs[i] - mx) * (ys[i] - my);
            sxx += (xs[i] - mx) * (xs[i] - mx);
            syy += (ys[i] - my) * (ys[i] - my);
        }
        if (sxx > 0 && syy > 0)
            m_correlation = sxy / std::sqrt(sxx * syy);
        if (sxx > 0 && m_trendVisible) {
            const double slope = sxy / sxx;
            trend = { QPointF(*xLo, my + slope * (*xLo - mx)),
                      QPointF(*xHi, my + slope * (*xHi - mx)) };
        }
    } else {
        setAxisRange(m_x, 0, 1);
        setAxisRange(m_y, 0, 1);
    }
    m_trend->replace(trend);
    m_trend->setVisible(!trend.isEmpty());
    m_trend->setName(m_rankMode ? tr("Trend (Spearman ρ = %1)").arg(m_correlation, 0, 'f', 3)
                                : tr("Trend (Pearson r = %1)").arg(m_correlation, 0, 'f', 3));

    const QString benchmarks = aligned ? aligned->benchmarks.join(QLatin1String(", ")) : QString();
    setAxisTitle(m_x,
                 m_rankMode ? tr("Rank of the BPB on this text (1 = lowest)")
                            : tr("BPB on this text (lower is better)"));
    setAxisTitle(m_y,
                 m_rankMode                 ? tr("Rank of the benchmark error (1 = lowest)")
                     : benchmarks.isEmpty() ? tr("Benchmark error (lower is better)")
                                            : tr("Error: %1").arg(benchmarks));
    if (m_text < 0) {
        setTitleText(tr("Pick a text to see how its BPB goes with benchmark error"));
    } else {
        const SelectionTable &table = m_outcome->table;
        const QLocale locale;
        // A long name is cut in its middle, so the figures after it still show.
        QString title = bpb->texts.value(m_text);
        if (title.size() > 40)
            title = title.left(22) + QStringLiteral("…") + title.right(17);
        if (m_text < table.estimate.size() && m_text < table.rank.size()) {
            title += tr(": %1 estimate %2, rank %3 of %4")
                         .arg(estimatorLabel(m_outcome->parameters.estimator))
                         .arg(table.estimate[m_text], 0, 'g', 4)
                         .arg(locale.toString(table.rank[m_text]),
                              locale.toString(table.estimate.size()));
        }
        // "weight", never "p": a p beside a correlation reads as a p-value.
        if (m_text < table.weight.size())
            title += table.weight[m_text] > 0
                ? tr(", included with weight %1").arg(QString::number(table.weight[m_text], 'e', 2))
                : tr(", excluded (weight 0)");
        setTitleText(title);
    }
    setUpdateMilliseconds(double(timer.nsecsElapsed()) / 1e6);
}

QString TextScatterChart::toolTipAt(const QPointF &value) const
{
    const int i = nearestPoint(m_points, value, 12.0);
    if (i < 0 || i >= m_raw.size())
        return {};
    // One multi-argument arg(): an LLM name containing "%2" must not be substituted again.
    QString tip = tr("%1\nBPB %2\nerror %3")
                      .arg(llmAt(i), QString::number(m_raw[i].x(), 'g', 5),
                           QString::number(m_raw[i].y(), 'g', 5));
    if (m_rankMode) {
        const QPointF rank = m_points->at(i);
        tip += tr("\nranks %1, %2").arg(rank.x()).arg(rank.y());
    }
    return tip;
}

void TextScatterChart::addMenuActions(QMenu *menu)
{
    QAction *trend
        = menu->addAction(tr("Show trend"), this, [this](bool on) { setTrendVisible(on); });
    trend->setCheckable(true);
    trend->setChecked(m_trendVisible);
    QAction *ranks = menu->addAction(tr("Show ranks"), this, [this](bool on) { setRankMode(on); });
    ranks->setCheckable(true);
    ranks->setChecked(m_rankMode);
}

}  // namespace pcs
