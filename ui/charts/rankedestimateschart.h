#pragma once

#include "ui/charts/chartwidget.h"
#include "ui/models/latestwork.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

class QAreaSeries;
class QCategoryAxis;
class QLineSeries;
class QScatterSeries;

namespace pcs {

struct SelectionData;
struct SelectionOutcome;

// Every text's estimate, sorted descending (x = rank, y = estimate): the included texts
// (weight > 0) shaded, a dashed line at the cut (the last included rank) and the focused text
// marked. Hover names the text under the mouse; a click focuses it; a horizontal drag zooms.
// Only what is drawn is downsampled (min/max per pixel column), so a million texts stay fast;
// the order comes from the outcome's rank column in O(D), never from sorting again.
class RankedEstimatesChart : public ChartWidget {
    Q_OBJECT
public:
    explicit RankedEstimatesChart(QWidget *parent = nullptr);
    ~RankedEstimatesChart() override;

    // `data` is not needed here (accepted for symmetry with the other charts); null clears.
    void setData(std::shared_ptr<const SelectionData> selectionData,
                 std::shared_ptr<const SelectionOutcome> outcome);

    // Outcomes with at least `texts` texts are ordered off the GUI thread (the chart shows
    // the previous one until then); the default never.
    void setBackgroundThreshold(qsizetype texts) { m_backgroundThreshold = texts; }
    bool isPreparing() const { return m_work.isBusy(); }

    // What the chart draws, computed in O(D) from an outcome on any thread.
    struct Curve {
        std::vector<int> order;  // text index at rank r + 1
        std::vector<double> sorted;  // estimate at rank r + 1
        int cut = 0;  // the last included rank
        double lo = 0, hi = 1;  // the finite estimates' range
        // minMaxDownsample() of all of `sorted` into fullViewBuckets buckets (-1: not done)
        std::vector<std::int64_t> fullView;
        int fullViewBuckets = -1;
    };
    // `buckets` > 0 also downsamples the full view for that drawing budget.
    static Curve prepare(const SelectionOutcome *outcome, int buckets = -1);

    QString toolTipAt(const QPointF &value) const override;

    int textCount() const { return int(m_order.size()); }
    int cutRank() const { return m_cut; }  // 0 = no distribution or nothing included
    int textAtRank(int rank) const;  // -1 outside 1..D
    int maxDrawnPoints() const;  // the drawing budget at the current width

    QLineSeries *curveSeries() const { return m_curve; }
    QLineSeries *includedSeries() const { return m_includedUpper; }
    QLineSeries *cutSeries() const { return m_cutLine; }
    QScatterSeries *focusSeries() const { return m_focusMarker; }

protected:
    void applyColors(const charts::ChartColors &colors) override;
    void textFocusChanged(int text) override;
    void clicked(const QPointF &value) override;
    void visibleRangeChanged() override;

Q_SIGNALS:
    void prepared();  // an outcome prepared in the background is shown

private:
    void showCurve(std::shared_ptr<const SelectionOutcome> outcome, Curve curve);
    void rebuildCurve();
    void plotAreaResized();
    void updateMarkers();
    int rankAt(double x) const;

    std::shared_ptr<const SelectionOutcome> m_outcome;
    std::vector<int> m_order;  // text index at rank r + 1
    std::vector<double> m_sorted;  // estimate at rank r + 1
    std::vector<std::int64_t> m_fullView;  // Curve::fullView of what is shown
    int m_fullViewBuckets = -1;
    int m_cut = 0;
    int m_drawnBuckets = 0;
    QCategoryAxis *m_x;
    QCategoryAxis *m_y;
    QLineSeries *m_curve;
    QLineSeries *m_includedUpper;
    QLineSeries *m_includedLower;
    QAreaSeries *m_included;
    QLineSeries *m_cutLine;
    QScatterSeries *m_focusMarker;
    qsizetype m_backgroundThreshold = std::numeric_limits<qsizetype>::max();
    LatestWork<Curve> m_work { this };
};

}  // namespace pcs
