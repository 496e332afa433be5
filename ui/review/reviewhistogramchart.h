#pragma once

#include "core/review/decision.h"
#include "ui/charts/chartwidget.h"

#include <vector>

class QAreaSeries;
class QCategoryAxis;
class QLineSeries;

namespace pcs {

// The scores of a review queue's assessed items (non-conformance 0–100) as a histogram, with
// the revise and filter thresholds as vertical lines, so that moving them shows what they cut.
// Hover gives a bin's range and count.
class ReviewHistogramChart : public ChartWidget {
    Q_OBJECT
public:
    explicit ReviewHistogramChart(QWidget *parent = nullptr);
    ~ReviewHistogramChart() override;

    // Equal bins over [0, 100], as ReviewSession::scoreHistogram() counts them.
    void setCounts(std::vector<qint64> counts);
    void setThresholds(const Thresholds &thresholds);
    const std::vector<qint64> &counts() const { return m_counts; }
    QLineSeries *reviseMarker() const { return m_reviseMarker; }
    QLineSeries *filterMarker() const { return m_filterMarker; }

    QString toolTipAt(const QPointF &value) const override;

protected:
    void applyColors(const charts::ChartColors &colors) override;
    void textFocusChanged(int text) override { Q_UNUSED(text) }

private:
    int binAt(double score) const;
    void updateMarkers();

    std::vector<qint64> m_counts;
    Thresholds m_thresholds;
    double m_top = 1;
    QCategoryAxis *m_x;
    QCategoryAxis *m_y;
    QLineSeries *m_line;
    QAreaSeries *m_area;
    QLineSeries *m_reviseMarker;
    QLineSeries *m_filterMarker;
};

}  // namespace pcs
