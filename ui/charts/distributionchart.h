#pragma once

#include "ui/charts/chartwidget.h"
#include "ui/models/latestwork.h"

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

// The sampling distribution: the included texts' weights sorted descending (an area; bars when
// few enough to see each) and, on a second axis, the cumulative share of the pool held by the
// first n of them. The focused text is marked when it is included. Hover names the text; a
// click focuses it; a horizontal drag zooms. Drawing is downsampled like the ranked chart.
class DistributionChart : public ChartWidget {
    Q_OBJECT
public:
    // The effective number of texts, 1/Σw² of the weights, as the app writes it everywhere.
    static QString effectiveNumberText(double effective);
    explicit DistributionChart(QWidget *parent = nullptr);
    ~DistributionChart() override;

    void setData(std::shared_ptr<const SelectionData> selectionData,
                 std::shared_ptr<const SelectionOutcome> outcome);

    QString toolTipAt(const QPointF &value) const override;

    // Outcomes with at least `texts` texts are prepared off the GUI thread (the chart shows
    // the previous one until then); the default never.
    void setBackgroundThreshold(qsizetype texts) { m_backgroundThreshold = texts; }
    bool isPreparing() const { return m_work.isBusy(); }

    // What the chart draws, computed in O(D) from an outcome on any thread.
    struct Weights {
        std::vector<int> order;  // included texts, by weight descending (ties: by rank)
        std::vector<double> weights;  // weight of order[i]
        std::vector<double> cumulativeShare;  // sum of weights[0..i] over the total
        double effectiveSize = 0;
    };
    static Weights prepare(const SelectionOutcome *outcome);

    int includedCount() const { return int(m_order.size()); }
    double effectiveSize() const { return m_effectiveSize; }  // 1 / Σ p², the "how many texts"
    int positionOfText(int text) const;  // 1-based place in the weight order; 0 = not included
    int textAtPosition(int position) const;  // -1 outside 1..includedCount()
    int maxDrawnPoints() const;

    QLineSeries *weightSeries() const { return m_weightUpper; }
    QLineSeries *cumulativeSeries() const { return m_cumulative; }
    QScatterSeries *focusSeries() const { return m_focusMarker; }

protected:
    void applyColors(const charts::ChartColors &colors) override;
    void textFocusChanged(int text) override;
    void clicked(const QPointF &value) override;
    void visibleRangeChanged() override;

Q_SIGNALS:
    void prepared();  // an outcome prepared in the background is shown

private:
    void showWeights(std::shared_ptr<const SelectionOutcome> outcome, Weights weights);
    void rebuildCurves();
    void plotAreaResized();
    int positionAt(double x) const;

    std::shared_ptr<const SelectionOutcome> m_outcome;
    std::vector<int> m_order;  // included texts, by weight descending (ties: by rank)
    std::vector<double> m_weights;  // weight of m_order[i]
    std::vector<double> m_cumulativeShare;  // sum of m_weights[0..i]
    double m_effectiveSize = 0;
    int m_drawnBuckets = 0;
    QCategoryAxis *m_x;
    QCategoryAxis *m_y;
    QCategoryAxis *m_share;
    QLineSeries *m_weightUpper;
    QLineSeries *m_weightLower;
    QAreaSeries *m_weightArea;
    QLineSeries *m_cumulative;
    QScatterSeries *m_focusMarker;
    qsizetype m_backgroundThreshold = std::numeric_limits<qsizetype>::max();
    LatestWork<Weights> m_work { this };
};

}  // namespace pcs
