#include "ui/charts/rankedestimateschart.h"

#include "core/workspace/selectionsession.h"
#include "ui/charts/downsample.h"
#include "ui/charts/estimatorlabels.h"

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QElapsedTimer>
#include <QLineSeries>
#include <QLocale>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>

namespace pcs {

RankedEstimatesChart::RankedEstimatesChart(QWidget *parent)
    : ChartWidget(parent)
    , m_x(new QCategoryAxis(this))
    , m_y(new QCategoryAxis(this))
    , m_curve(new QLineSeries(this))
    , m_includedUpper(new QLineSeries(this))
    , m_includedLower(new QLineSeries(this))
    , m_included(new QAreaSeries(m_includedUpper, m_includedLower))
    , m_cutLine(new QLineSeries(this))
    , m_focusMarker(new QScatterSeries(this))
{
    setAxisTitle(m_x, tr("Rank (1 = largest estimate)"));
    setAxisTitle(m_y, tr("Estimate"));
    chart()->addAxis(m_x, Qt::AlignBottom);
    chart()->addAxis(m_y, Qt::AlignLeft);
    m_curve->setName(tr("Estimate"));
    m_included->setName(tr("Included"));
    m_cutLine->setName(tr("Cut"));
    m_focusMarker->setName(tr("Focused text"));
    // The area under the curve first, then the curve, then the markers on top.
    const QList<QAbstractSeries *> layers = { m_included, m_curve, m_cutLine, m_focusMarker };
    for (QAbstractSeries *series : layers) {
        chart()->addSeries(series);
        series->attachAxis(m_x);
        series->attachAxis(m_y);
    }
    setPrimaryAxes(m_x, m_y);
    setHorizontalZoomEnabled(true);
    connect(chart(), &QChart::plotAreaChanged, this, &RankedEstimatesChart::plotAreaResized);
    setData(nullptr, nullptr);
    refreshTheme();
}

RankedEstimatesChart::~RankedEstimatesChart() = default;

void RankedEstimatesChart::applyColors(const charts::ChartColors &colors)
{
    m_curve->setPen(QPen(colors.muted, 1.5));
    m_included->setPen(QPen(colors.accent, 2.0));
    m_included->setBrush(colors.accentFill);
    QPen cut(colors.marker, 1.5, Qt::DashLine);
    m_cutLine->setPen(cut);
    m_focusMarker->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    m_focusMarker->setMarkerSize(11);
    m_focusMarker->setColor(colors.focus);
    m_focusMarker->setBorderColor(chart()->backgroundBrush().color());
}

RankedEstimatesChart::Curve RankedEstimatesChart::prepare(const SelectionOutcome *outcome,
                                                          int buckets)
{
    Curve curve;
    const SelectionTable *table = outcome ? &outcome->table : nullptr;
    const auto d = table ? table->estimate.size() : 0;
    if (d > 0 && table->rank.size() == d) {
        curve.order = charts::orderFromRanks(table->rank);
        if (curve.order.empty()) {
            // Not a permutation (a hand-made table): sort, ties lower index first.
            curve.order.resize(std::size_t(d));
            std::iota(curve.order.begin(), curve.order.end(), 0);
            const Eigen::VectorXd &e = table->estimate;
            std::stable_sort(curve.order.begin(), curve.order.end(),
                             [&e](int a, int b) { return e[a] > e[b]; });
        }
        curve.sorted.resize(std::size_t(d));
        for (std::size_t r = 0; r < curve.sorted.size(); ++r)
            curve.sorted[r] = table->estimate[curve.order[r]];
        if (table->weight.size() == d) {
            for (std::size_t r = 0; r < curve.order.size(); ++r) {
                if (table->weight[curve.order[r]] > 0)
                    curve.cut = int(r + 1);
            }
        }
    }
    bool any = false;
    for (const double v : curve.sorted) {
        if (std::isfinite(v)) {
            curve.lo = any ? std::min(curve.lo, v) : v;
            curve.hi = any ? std::max(curve.hi, v) : v;
            any = true;
        }
    }
    if (buckets > 0 && !curve.sorted.empty()) {
        curve.fullView = charts::minMaxDownsample(curve.sorted, buckets);
        curve.fullViewBuckets = buckets;
    }
    return curve;
}

void RankedEstimatesChart::setData(std::shared_ptr<const SelectionData> selectionData,
                                   std::shared_ptr<const SelectionOutcome> outcome)
{
    Q_UNUSED(selectionData)
    if (outcome && outcome->table.estimate.size() >= m_backgroundThreshold) {
        m_work.start(
            [outcome, buckets = drawingBuckets()] { return prepare(outcome.get(), buckets); },
            [this, outcome](Curve curve) {
                showCurve(outcome, std::move(curve));
                Q_EMIT prepared();
            });
        return;
    }
    m_work.discard();
    QElapsedTimer timer;
    timer.start();
    Curve curve = prepare(outcome.get());
    showCurve(std::move(outcome), std::move(curve));
    setUpdateMilliseconds(double(timer.nsecsElapsed()) / 1e6);
}

void RankedEstimatesChart::showCurve(std::shared_ptr<const SelectionOutcome> outcome, Curve curve)
{
    QElapsedTimer timer;
    timer.start();
    m_outcome = std::move(outcome);
    m_order = std::move(curve.order);
    m_sorted = std::move(curve.sorted);
    m_fullView = std::move(curve.fullView);
    m_fullViewBuckets = curve.fullViewBuckets;
    m_cut = curve.cut;
    const auto d = qsizetype(m_sorted.size());
    const double lo = curve.lo, hi = curve.hi;
    const double pad = hi > lo ? 0.05 * (hi - lo) : 0.5;
    setAxisRange(m_y, lo - pad, hi + pad);
    setFullXRange(1, std::max<double>(2, double(m_sorted.size())));

    const QLocale locale;
    if (m_sorted.empty()) {
        setTitleText(tr("Ranked estimates: nothing estimated yet"));
    } else {
        const QString estimator = estimatorLabel(m_outcome->parameters.estimator);
        setAxisTitle(m_y, tr("Estimate (%1)").arg(estimator));
        setTitleText(m_cut > 0 ? tr("Ranked estimates: %1 texts, the top %2 included")
                                     .arg(locale.toString(qint64(d)), locale.toString(m_cut))
                               : tr("Ranked estimates: %1 texts").arg(locale.toString(qint64(d))));
    }
    m_included->setName(m_cut > 0 ? tr("Included (%1)").arg(locale.toString(m_cut))
                                  : tr("Included"));
    m_cutLine->setName(m_cut > 0 ? tr("Cut at rank %1").arg(locale.toString(m_cut)) : tr("Cut"));
    rebuildCurve();
    updateMarkers();
    setUpdateMilliseconds(double(timer.nsecsElapsed()) / 1e6);
}

int RankedEstimatesChart::textAtRank(int rank) const
{
    return rank >= 1 && rank <= textCount() ? m_order[std::size_t(rank - 1)] : -1;
}

int RankedEstimatesChart::maxDrawnPoints() const
{
    return 2 * drawingBuckets() + 3;  // endpoints, and the cut point of the included part
}

int RankedEstimatesChart::rankAt(double x) const
{
    if (m_sorted.empty())
        return 0;
    return int(std::clamp<double>(std::round(x), 1.0, double(m_sorted.size())));
}

void RankedEstimatesChart::rebuildCurve()
{
    m_drawnBuckets = drawingBuckets();
    QList<QPointF> curve, included;
    if (!m_sorted.empty()) {
        // The visible ranks only, so that a zoom shows the detail the full view averages away.
        const int first = rankAt(std::ceil(m_x->min()));
        const int last = rankAt(std::floor(m_x->max()));
        const std::span<const double> visible(m_sorted.data() + first - 1,
                                              std::size_t(last - first + 1));
        // The full view may have been downsampled off the GUI thread with the data.
        const bool full = first == 1 && std::size_t(last) == m_sorted.size();
        const auto kept = full && m_fullViewBuckets == m_drawnBuckets
            ? m_fullView
            : charts::minMaxDownsample(visible, m_drawnBuckets);
        curve.reserve(qsizetype(kept.size()));
        for (const auto i : kept) {
            const int rank = first + int(i);
            curve.append(QPointF(rank, visible[std::size_t(i)]));
            if (rank <= m_cut)
                included.append(curve.back());
        }
        // End the shaded part exactly at the cut, which the downsampling may have skipped.
        if (m_cut >= first && m_cut <= last && (included.isEmpty() || included.back().x() < m_cut))
            included.append(QPointF(m_cut, m_sorted[std::size_t(m_cut - 1)]));
    }
    m_curve->replace(curve);
    m_includedUpper->replace(included);
    QList<QPointF> base;
    if (!included.isEmpty())
        base = { QPointF(included.front().x(), m_y->min()),
                 QPointF(included.back().x(), m_y->min()) };
    m_includedLower->replace(base);
    m_included->setVisible(!included.isEmpty());
}

void RankedEstimatesChart::updateMarkers()
{
    QList<QPointF> cut;
    if (m_cut > 0)
        cut = { QPointF(m_cut, m_y->min()), QPointF(m_cut, m_y->max()) };
    m_cutLine->replace(cut);
    m_cutLine->setVisible(m_cut > 0);
    textFocusChanged(currentText());
}

void RankedEstimatesChart::textFocusChanged(int text)
{
    QList<QPointF> marker;
    if (m_outcome && text >= 0 && text < textCount()) {
        const int rank = m_outcome->table.rank[text];
        marker.append(QPointF(rank, m_outcome->table.estimate[text]));
    }
    m_focusMarker->replace(marker);
}

void RankedEstimatesChart::clicked(const QPointF &value)
{
    const int text = textAtRank(rankAt(value.x()));
    if (text >= 0)
        pickText(text);
}

void RankedEstimatesChart::visibleRangeChanged()
{
    rebuildCurve();
}

void RankedEstimatesChart::plotAreaResized()
{
    // Redraw when the width (the drawing budget) changed noticeably.
    if (std::abs(drawingBuckets() - m_drawnBuckets) > m_drawnBuckets / 4)
        rebuildCurve();
}

QString RankedEstimatesChart::toolTipAt(const QPointF &value) const
{
    const int rank = rankAt(value.x());
    const int text = textAtRank(rank);
    if (text < 0)
        return {};
    const SelectionTable &table = m_outcome->table;
    const QLocale locale;
    QString tip
        = tr("%1\nrank %2 of %3\nestimate %4")
              .arg(table.texts.value(text), locale.toString(rank), locale.toString(textCount()),
                   QString::number(table.estimate[text], 'g', 4));
    if (table.weight.size() == table.estimate.size()) {
        const double weight = table.weight[text];
        tip += weight > 0 ? tr("\nincluded, weight %1").arg(QString::number(weight, 'g', 4))
                          : tr("\nexcluded");
    }
    return tip;
}

}  // namespace pcs
