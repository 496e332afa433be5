#pragma once

#include "core/filter/filterevaluation.h"
#include "ui/charts/chartwidget.h"

#include <vector>

class QCategoryAxis;
class QLineSeries;
class QScatterSeries;

namespace pcs {

// What a threshold does on the held-out documents: precision and recall of include and the
// fraction kept, each against the threshold (steps, since they change only at a score), with
// the threshold as a vertical line and its three values marked. Hover reads them off.
class ThresholdCurveChart : public ChartWidget {
    Q_OBJECT
public:
    explicit ThresholdCurveChart(QWidget *parent = nullptr);
    ~ThresholdCurveChart() override;

    // As thresholdCurve() returns it: one point per distinct score, descending.
    void setCurve(std::vector<ThresholdPoint> curve);
    void clear();
    void setThreshold(double threshold);
    double threshold() const { return m_threshold; }

    // Precision, recall and kept fraction when the documents scoring >= threshold are kept.
    ThresholdPoint pointAt(double threshold) const;

    QString toolTipAt(const QPointF &value) const override;

    QLineSeries *precisionSeries() const { return m_precision; }
    QLineSeries *recallSeries() const { return m_recall; }
    QLineSeries *keptSeries() const { return m_kept; }
    QLineSeries *thresholdMarker() const { return m_marker; }
    QScatterSeries *thresholdPoints() const { return m_points; }

protected:
    void applyColors(const charts::ChartColors &colors) override;
    void textFocusChanged(int text) override { Q_UNUSED(text) }

private:
    void rebuildCurves();
    void updateMarker();

    std::vector<ThresholdPoint> m_curve;
    double m_threshold = 0.5;
    QCategoryAxis *m_x;
    QCategoryAxis *m_y;
    QLineSeries *m_precision;
    QLineSeries *m_recall;
    QLineSeries *m_kept;
    QLineSeries *m_marker;
    QScatterSeries *m_points;
};

}  // namespace pcs
