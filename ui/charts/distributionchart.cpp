#include "ui/charts/distributionchart.h"

#include "core/workspace/selectionsession.h"
#include "ui/charts/downsample.h"

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

QString DistributionChart::effectiveNumberText(double effective)
{
    // One figure wherever it shows (title, Distribution page): 1/Σw², one decimal.
    return QLocale().toString(effective, 'f', 1);
}

DistributionChart::DistributionChart(QWidget *parent)
    : ChartWidget(parent)
    , m_x(new QCategoryAxis(this))
    , m_y(new QCategoryAxis(this))
    , m_share(new QCategoryAxis(this))
    , m_weightUpper(new QLineSeries(this))
    , m_weightLower(new QLineSeries(this))
    , m_weightArea(new QAreaSeries(m_weightUpper, m_weightLower))
    , m_cumulative(new QLineSeries(this))
    , m_focusMarker(new QScatterSeries(this))
{
    setAxisTitle(m_x, tr("Included texts, by weight (1 = largest)"));
    setAxisTitle(m_y, tr("Weight"));
    setAxisTitle(m_share, tr("Cumulative share of the pool"));
    setAxisRange(m_share, 0, 1);
    chart()->addAxis(m_x, Qt::AlignBottom);
    chart()->addAxis(m_y, Qt::AlignLeft);
    chart()->addAxis(m_share, Qt::AlignRight);
    m_weightArea->setName(tr("Weight"));
    m_cumulative->setName(tr("Cumulative share"));
    m_focusMarker->setName(tr("Focused text"));
    chart()->addSeries(m_weightArea);
    chart()->addSeries(m_cumulative);
    chart()->addSeries(m_focusMarker);
    const QList<QAbstractSeries *> onWeightAxis = { m_weightArea, m_focusMarker };
    for (QAbstractSeries *series : onWeightAxis) {
        series->attachAxis(m_x);
        series->attachAxis(m_y);
    }
    m_cumulative->attachAxis(m_x);
    m_cumulative->attachAxis(m_share);
    setPrimaryAxes(m_x, m_y);
    setHorizontalZoomEnabled(true);
    connect(chart(), &QChart::plotAreaChanged, this, &DistributionChart::plotAreaResized);
    setData(nullptr, nullptr);
    refreshTheme();
}

DistributionChart::~DistributionChart() = default;

void DistributionChart::applyColors(const charts::ChartColors &colors)
{
    m_weightArea->setPen(QPen(colors.accent, 1.5));
    m_weightArea->setBrush(colors.accentFill);
    m_cumulative->setPen(QPen(colors.secondary, 2.0));
    m_share->setGridLineVisible(false);  // one grid (the weights'); two would not line up
    m_share->setLinePen(QPen(colors.secondary, 1.0));
    m_focusMarker->setMarkerShape(QScatterSeries::MarkerShapeCircle);
    m_focusMarker->setMarkerSize(11);
    m_focusMarker->setColor(colors.focus);
    m_focusMarker->setBorderColor(chart()->backgroundBrush().color());
}

DistributionChart::Weights DistributionChart::prepare(const SelectionOutcome *outcome)
{
    Weights result;
    const SelectionTable *table = outcome ? &outcome->table : nullptr;
    const auto d = table ? table->estimate.size() : 0;
    if (table && table->hasDistribution() && table->weight.size() == d) {
        // Walk in rank order (O(D), no sort), so that equal weights keep the estimate's order;
        // both projections give weights that mostly already descend along it.
        std::vector<int> byRank = charts::orderFromRanks(table->rank);
        if (byRank.empty()) {
            byRank.resize(std::size_t(d));
            std::iota(byRank.begin(), byRank.end(), 0);
        }
        std::vector<int> &order = result.order;
        for (const int j : byRank) {
            if (table->weight[j] > 0)
                order.push_back(j);
        }
        const Eigen::VectorXd &w = table->weight;
        const auto heavier = [&w](int a, int b) { return w[a] > w[b]; };
        if (std::is_sorted(order.begin(), order.end(), heavier)) {
            result.weights.reserve(order.size());
            for (const int j : order)
                result.weights.push_back(w[j]);
        } else {
            order = charts::stableSortDescending(order, std::span(w.data(), std::size_t(w.size())),
                                                 &result.weights);
        }
        result.cumulativeShare.reserve(order.size());
        double sum = 0, squares = 0;
        for (const double p : result.weights) {
            sum += p;
            squares += p * p;
            result.cumulativeShare.push_back(sum);
        }
        // Share of the pool: divide by the total (1 up to rounding), so the curve ends at 1.
        for (double &c : result.cumulativeShare)
            c /= sum;
        result.effectiveSize = squares > 0 ? sum * sum / squares : 0;
    }
    return result;
}

void DistributionChart::setData(std::shared_ptr<const SelectionData> selectionData,
                                std::shared_ptr<const SelectionOutcome> outcome)
{
    Q_UNUSED(selectionData)
    if (outcome && outcome->table.estimate.size() >= m_backgroundThreshold) {
        m_work.start([outcome] { return prepare(outcome.get()); },
                     [this, outcome](Weights weights) {
                         showWeights(outcome, std::move(weights));
                         Q_EMIT prepared();
                     });
        return;
    }
    m_work.discard();
    QElapsedTimer timer;
    timer.start();
    Weights weights = prepare(outcome.get());
    showWeights(std::move(outcome), std::move(weights));
    setUpdateMilliseconds(double(timer.nsecsElapsed()) / 1e6);
}

void DistributionChart::showWeights(std::shared_ptr<const SelectionOutcome> outcome,
                                    Weights weights)
{
    QElapsedTimer timer;
    timer.start();
    m_outcome = std::move(outcome);
    m_order = std::move(weights.order);
    m_weights = std::move(weights.weights);
    m_cumulativeShare = std::move(weights.cumulativeShare);
    m_effectiveSize = weights.effectiveSize;
    const SelectionTable *table = m_outcome ? &m_outcome->table : nullptr;
    const auto d = table ? table->estimate.size() : 0;
    const double top = m_weights.empty() ? 1.0 : m_weights.front();
    setAxisRange(m_y, 0, top * 1.05);
    setFullXRange(0.5, double(std::max<std::size_t>(1, m_order.size())) + 0.5);

    const QLocale locale;
    if (m_order.empty()) {
        setTitleText(table && table->estimate.size() > 0
                         ? tr("Sampling distribution: none yet (run a projection)")
                         : tr("Sampling distribution: nothing selected yet"));
    } else {
        setTitleText(tr("Sampling distribution: %1 of %2 texts included; effective number of "
                        "texts %3")
                         .arg(locale.toString(includedCount()), locale.toString(qint64(d)),
                              effectiveNumberText(m_effectiveSize)));
    }
    rebuildCurves();
    textFocusChanged(currentText());
    setUpdateMilliseconds(double(timer.nsecsElapsed()) / 1e6);
}

int DistributionChart::maxDrawnPoints() const
{
    return 2 * drawingBuckets() + 2;
}

int DistributionChart::positionAt(double x) const
{
    if (m_order.empty())
        return 0;
    return int(std::clamp<double>(std::round(x), 1.0, double(m_order.size())));
}

int DistributionChart::positionOfText(int text) const
{
    const auto it = std::find(m_order.begin(), m_order.end(), text);  // O(k), on focus changes only
    return it == m_order.end() ? 0 : int(it - m_order.begin()) + 1;
}

int DistributionChart::textAtPosition(int position) const
{
    return position >= 1 && position <= includedCount() ? m_order[std::size_t(position - 1)] : -1;
}

void DistributionChart::rebuildCurves()
{
    m_drawnBuckets = drawingBuckets();
    QList<QPointF> weights, cumulative;
    if (!m_order.empty()) {
        const int first = positionAt(std::ceil(m_x->min()));
        const int last = positionAt(std::floor(m_x->max()));
        const std::size_t count = std::size_t(last - first + 1);
        if (count * 2 <= std::size_t(maxDrawnPoints())) {
            // Few enough to draw each text as a bar (a step), and the cumulative share per text.
            for (int p = first; p <= last; ++p) {
                const double w = m_weights[std::size_t(p - 1)];
                weights << QPointF(p - 0.5, w) << QPointF(p + 0.5, w);
                cumulative << QPointF(p, m_cumulativeShare[std::size_t(p - 1)]);
            }
        } else {
            const std::span<const double> w(m_weights.data() + first - 1, count);
            for (const auto i : charts::minMaxDownsample(w, m_drawnBuckets))
                weights << QPointF(first + double(i), w[std::size_t(i)]);
            const std::span<const double> c(m_cumulativeShare.data() + first - 1, count);
            for (const auto i : charts::minMaxDownsample(c, m_drawnBuckets))
                cumulative << QPointF(first + double(i), c[std::size_t(i)]);
        }
    }
    m_weightUpper->replace(weights);
    QList<QPointF> base;
    if (!weights.isEmpty())
        base = { QPointF(weights.front().x(), 0), QPointF(weights.back().x(), 0) };
    m_weightLower->replace(base);
    m_weightArea->setVisible(!weights.isEmpty());
    m_cumulative->replace(cumulative);
}

void DistributionChart::plotAreaResized()
{
    if (std::abs(drawingBuckets() - m_drawnBuckets) > m_drawnBuckets / 4)
        rebuildCurves();
}

void DistributionChart::textFocusChanged(int text)
{
    QList<QPointF> marker;
    const int position = text >= 0 ? positionOfText(text) : 0;
    if (position > 0)
        marker.append(QPointF(position, m_weights[std::size_t(position - 1)]));
    m_focusMarker->replace(marker);
}

void DistributionChart::clicked(const QPointF &value)
{
    const int text = textAtPosition(positionAt(value.x()));
    if (text >= 0)
        pickText(text);
}

void DistributionChart::visibleRangeChanged()
{
    rebuildCurves();
}

QString DistributionChart::toolTipAt(const QPointF &value) const
{
    const int position = positionAt(value.x());
    const int text = textAtPosition(position);
    if (text < 0)
        return {};
    const SelectionTable &table = m_outcome->table;
    const QLocale locale;
    // One multi-argument arg(): a text name containing "%2" must not be substituted again.
    return tr("%1\nweight %2 (#%3 of %4 included)\nthe top %3 hold %5% of the pool\nestimate rank "
              "%6")
        .arg(table.texts.value(text), QString::number(m_weights[std::size_t(position - 1)], 'g', 4),
             locale.toString(position), locale.toString(includedCount()),
             QString::number(100.0 * m_cumulativeShare[std::size_t(position - 1)], 'f', 1),
             locale.toString(table.rank[text]));
}

}  // namespace pcs
