#include "ui/charts/comparisonchart.h"

#include "core/workspace/selectionsession.h"
#include "ui/charts/downsample.h"
#include "ui/charts/estimatorlabels.h"
#include "ui/charts/pointcloud.h"

#include <QCategoryAxis>
#include <QChart>
#include <QElapsedTimer>
#include <QLabel>
#include <QLocale>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <span>

namespace pcs {

namespace {
constexpr std::uint64_t kSampleSeed = 0x5eed;  // fixed: the same data always shows the same points
constexpr double kPickPixels = 12.0;

std::span<const double> asSpan(const Eigen::VectorXd &v)
{
    return { v.data(), std::size_t(v.size()) };
}
}  // namespace

ComparisonChart::ComparisonChart(QWidget *parent)
    : ChartWidget(parent)
    , m_x(new QCategoryAxis(this))
    , m_y(new QCategoryAxis(this))
    , m_other(new QScatterSeries(this))
    , m_one(new QScatterSeries(this))
    , m_both(new QScatterSeries(this))
    , m_focusMarker(new QScatterSeries(this))
    , m_cloud(new charts::PointCloudItem(chart(), m_x, m_y))
    , m_summaryLabel(new QLabel(this))
{
    chart()->addAxis(m_x, Qt::AlignBottom);
    chart()->addAxis(m_y, Qt::AlignLeft);
    m_other->setName(tr("Other texts"));
    m_one->setName(tr("Top 1% of one"));
    m_both->setName(tr("Top 1% of both"));
    m_focusMarker->setName(tr("Focused text"));
    for (QScatterSeries *series : { m_other, m_one, m_both, m_focusMarker }) {
        chart()->addSeries(series);
        series->attachAxis(m_x);
        series->attachAxis(m_y);
    }
    setPrimaryAxes(m_x, m_y);
    m_summaryLabel->setWordWrap(true);
    m_summaryLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summaryLabel->setContentsMargins(8, 0, 8, 4);
    contentLayout()->addWidget(m_summaryLabel);
    clear();
    refreshTheme();
}

ComparisonChart::~ComparisonChart() = default;

void ComparisonChart::applyColors(const charts::ChartColors &colors)
{
    const QColor background = chart()->backgroundBrush().color();
    const auto style = [&](QScatterSeries *series, const QColor &color, qreal size) {
        series->setMarkerShape(QScatterSeries::MarkerShapeCircle);
        series->setMarkerSize(size);
        series->setColor(color);
        series->setBorderColor(size > 6 ? background : color);
    };
    QColor muted = colors.muted;
    muted.setAlpha(150);  // thousands of overlapping points: let the density show
    style(m_other, muted, 5);
    style(m_one, colors.secondary, 7);
    style(m_both, colors.accent, 7);
    style(m_focusMarker, colors.focus, 12);
    m_layerColors = { muted, colors.secondary, colors.accent };
    m_cloudBorder = background;
    restyleCloud();
}

void ComparisonChart::restyleCloud()
{
    std::vector<charts::PointCloudItem::Layer> layers = m_cloud->layers();
    layers.resize(3);
    for (std::size_t g = 0; g < 3; ++g) {
        layers[g].color = m_layerColors[g];
        layers[g].diameter = g == 0 ? 5 : 7;
        layers[g].border = g == 0 ? QColor() : m_cloudBorder;
    }
    m_cloud->setLayers(std::move(layers));
}

QList<QPointF> ComparisonChart::drawnPoints(Group group) const
{
    const auto &layers = m_cloud->layers();
    const auto g = std::size_t(group);
    return g < layers.size() ? layers[g].points : QList<QPointF>();
}

void ComparisonChart::clear()
{
    setEstimates({}, {}, {}, {}, {});
}

void ComparisonChart::setComparison(const std::shared_ptr<const SelectionOutcome> &outcome,
                                    const Eigen::VectorXd &other, const QString &otherName)
{
    if (!outcome || other.size() == 0) {
        clear();
        return;
    }
    const QString name = estimatorLabel(outcome->parameters.estimator);
    if (outcome->table.estimate.size() >= m_backgroundThreshold) {
        m_work.start(
            [outcome, other] {
                return prepare(outcome->table.texts, outcome->table.estimate, other);
            },
            [this, name, otherName](Comparison comparison) {
                QElapsedTimer timer;
                timer.start();
                showComparison(std::move(comparison), name, otherName);
                setUpdateMilliseconds(double(timer.nsecsElapsed()) / 1e6);
                Q_EMIT prepared();
            });
        return;
    }
    setEstimates(outcome->table.texts, outcome->table.estimate, name, other, otherName);
}

void ComparisonChart::setEstimates(const QStringList &texts, Eigen::VectorXd a,
                                   const QString &nameA, Eigen::VectorXd b, const QString &nameB)
{
    m_work.discard();
    QElapsedTimer timer;
    timer.start();
    showComparison(prepare(texts, std::move(a), std::move(b)), nameA, nameB);
    setUpdateMilliseconds(double(timer.nsecsElapsed()) / 1e6);
}

ComparisonChart::Comparison ComparisonChart::prepare(const QStringList &texts, Eigen::VectorXd a,
                                                     Eigen::VectorXd b)
{
    using namespace charts;
    Comparison c;
    const bool valid = a.size() > 0 && a.size() == b.size() && a.size() == texts.size();
    if (valid) {
        c.texts = texts;
        c.a = std::move(a);
        c.b = std::move(b);
    }
    c.summary = compareEstimates(asSpan(c.a), asSpan(c.b));
    const auto d = c.a.size();
    if (d > kPointBudget) {
        // The top of each estimate (from the flags: no further pass over all D), then a
        // stratified sample of everything else up to the budget.
        const std::int64_t top = std::min<std::int64_t>(c.summary.kOnePercent, kPointBudget / 10);
        for (const auto &[values, flag] :
             { std::pair { &c.a, TopOnePercentA }, std::pair { &c.b, TopOnePercentB } }) {
            std::vector<double> topValues;
            std::vector<std::int64_t> topTexts;
            for (Eigen::Index j = 0; j < d; ++j) {
                if (c.summary.flags[std::size_t(j)] & flag) {
                    topValues.push_back((*values)[j]);
                    topTexts.push_back(j);
                }
            }
            for (const auto i : topIndices(topValues, top))
                c.drawn.push_back(int(topTexts[std::size_t(i)]));
        }
        for (const auto j :
             stratifiedSample(d, kPointBudget - std::int64_t(c.drawn.size()), kSampleSeed))
            c.drawn.push_back(int(j));
        std::sort(c.drawn.begin(), c.drawn.end());
        c.drawn.erase(std::unique(c.drawn.begin(), c.drawn.end()), c.drawn.end());
    } else {
        for (Eigen::Index j = 0; j < d; ++j)
            c.drawn.push_back(int(j));
    }
    for (const int j : c.drawn) {
        const std::uint8_t f = c.summary.flags[std::size_t(j)];
        const bool inA = f & TopOnePercentA, inB = f & TopOnePercentB;
        c.points[inA && inB ? 2 : inA || inB ? 1 : 0].append(QPointF(c.a[j], c.b[j]));
    }

    // Ranges over all texts, not just the drawn ones, so the sample never hides the extremes.
    const auto range = [](const Eigen::VectorXd &v, double *lo, double *hi) {
        *lo = 0;
        *hi = 1;
        bool any = false;
        for (const double x : v) {
            if (std::isfinite(x)) {
                *lo = any ? std::min(*lo, x) : x;
                *hi = any ? std::max(*hi, x) : x;
                any = true;
            }
        }
        const double pad = *hi > *lo ? 0.05 * (*hi - *lo) : 0.5;
        *lo -= pad;
        *hi += pad;
    };
    range(c.a, &c.ranges[0], &c.ranges[1]);
    range(c.b, &c.ranges[2], &c.ranges[3]);
    return c;
}

void ComparisonChart::showComparison(Comparison comparison, const QString &nameA,
                                     const QString &nameB)
{
    const bool valid = comparison.a.size() > 0;
    m_texts = std::move(comparison.texts);
    m_a = std::move(comparison.a);
    m_b = std::move(comparison.b);
    m_nameA = nameA;
    m_nameB = nameB;
    m_summary = std::move(comparison.summary);
    m_drawn = std::move(comparison.drawn);
    setAxisTitle(m_x, valid ? tr("Estimate: %1").arg(nameA) : tr("Estimate A"));
    setAxisTitle(m_y, valid ? tr("Estimate: %1").arg(nameB) : tr("Estimate B"));
    setTitleText(valid ? tr("Estimators compared: %1 vs %2").arg(nameA, nameB)
                       : tr("Estimators compared: choose a second estimator"));
    std::vector<charts::PointCloudItem::Layer> layers = m_cloud->layers();
    layers.resize(3);
    for (std::size_t g = 0; g < 3; ++g)
        layers[g].points = std::move(comparison.points[g]);
    m_cloud->setLayers(std::move(layers));
    setAxisRange(m_x, comparison.ranges[0], comparison.ranges[1]);
    setAxisRange(m_y, comparison.ranges[2], comparison.ranges[3]);
    textFocusChanged(currentText());
    m_summaryLabel->setText(summaryText());
}

QString ComparisonChart::summaryText() const
{
    if (m_summary.count == 0)
        return tr("Compute a second estimator to compare the two.");
    const QLocale locale;
    const auto percent = [](double share) { return QString::number(100.0 * share, 'f', 1); };
    const QString r = std::isnan(m_summary.pearson) ? tr("undefined (a constant estimate)")
                                                    : QString::number(m_summary.pearson, 'f', 3);
    return tr("Top 1% (k = %1): %2% shared · top 10% (k = %3): %4% shared · Pearson r = %5 over "
              "all "
              "%6 texts · %7 points drawn")
        .arg(locale.toString(qint64(m_summary.kOnePercent)), percent(m_summary.overlapOnePercent),
             locale.toString(qint64(m_summary.kTenPercent)), percent(m_summary.overlapTenPercent),
             r, locale.toString(qint64(m_summary.count)), locale.toString(drawnPointCount()));
}

bool ComparisonChart::isDrawn(int text) const
{
    return std::binary_search(m_drawn.begin(), m_drawn.end(), text);
}

void ComparisonChart::textFocusChanged(int text)
{
    QList<QPointF> marker;
    if (text >= 0 && text < m_a.size())
        marker.append(QPointF(m_a[text], m_b[text]));
    m_focusMarker->replace(marker);
}

int ComparisonChart::nearestText(const QPointF &value) const
{
    const QPointF target = positionOf(value);
    int best = -1;
    double bestDistance = kPickPixels * kPickPixels;
    const int focused = currentText();
    const auto consider = [&](int j) {
        const QPointF delta = positionOf(QPointF(m_a[j], m_b[j])) - target;
        const double distance = delta.x() * delta.x() + delta.y() * delta.y();
        if (distance <= bestDistance) {
            bestDistance = distance;
            best = j;
        }
    };
    for (const int j : m_drawn)
        consider(j);
    if (focused >= 0 && focused < m_a.size())
        consider(focused);
    return best;
}

void ComparisonChart::clicked(const QPointF &value)
{
    const int text = nearestText(value);
    if (text >= 0)
        pickText(text);
}

QString ComparisonChart::toolTipAt(const QPointF &value) const
{
    const int j = nearestText(value);
    if (j < 0)
        return {};
    const std::uint8_t f = m_summary.flags[std::size_t(j)];
    const auto membership = [](bool one, bool ten) {
        return one ? tr("top 1%") : ten ? tr("top 10%") : tr("below the top 10%");
    };
    return tr("%1\n%2: %3 (%4)\n%5: %6 (%7)")
        .arg(m_texts.value(j), m_nameA, QString::number(m_a[j], 'g', 4),
             membership(f & charts::TopOnePercentA, f & charts::TopTenPercentA), m_nameB,
             QString::number(m_b[j], 'g', 4),
             membership(f & charts::TopOnePercentB, f & charts::TopTenPercentB));
}

}  // namespace pcs
