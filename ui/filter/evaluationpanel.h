#pragma once

#include "core/filter/filtertrain.h"

#include <QGroupBox>

#include <memory>

class QDoubleSpinBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSlider;

namespace pcs {

class ScoreHistogramChart;
class ThresholdCurveChart;

// How a trained filter does on its held-out documents, and the threshold to save and apply it
// with: set by hand (spin box or slider), by the fraction to keep, or by the share of held-out
// documents labelled include (the start). Precision, recall, the kept share and the charts
// follow live.
class EvaluationPanel : public QGroupBox {
    Q_OBJECT
public:
    explicit EvaluationPanel(QWidget *parent = nullptr);

    // Shows the filter, its threshold from the include share rule.
    void setFilter(std::shared_ptr<const TrainedFilter> filter);
    // No filter: only a threshold to apply a model file with, if `editable`.
    void clearFilter(bool thresholdEditable);

    double threshold() const { return m_threshold; }
    ThresholdChoice::Rule rule() const { return m_rule; }
    // The threshold as saveFilterBundle records it.
    ThresholdChoice choice() const;

    void setThreshold(double threshold);  // by hand: rule Given
    void setKeepFraction(double fraction);  // rule KeepFraction
    void useIncludeShare();  // rule IncludeShare

    ScoreHistogramChart *histogramChart() const { return m_histogram; }
    ThresholdCurveChart *curveChart() const { return m_curve; }

Q_SIGNALS:
    void thresholdChanged(double threshold);

private:
    QWidget *createThresholdRow();
    void applyThreshold(double threshold, ThresholdChoice::Rule rule);
    void showSummary();
    void showThresholdEffects();

    std::shared_ptr<const TrainedFilter> m_filter;
    double m_threshold = 0.5;
    ThresholdChoice::Rule m_rule = ThresholdChoice::Rule::Given;
    double m_requestedFraction = 0;  // for KeepFraction
    bool m_updating = false;  // set while the controls are updated from code

    QLabel *m_summary;
    QPlainTextEdit *m_problems;
    QDoubleSpinBox *m_thresholdSpin;
    QSlider *m_slider;
    QDoubleSpinBox *m_keepSpin;
    QPushButton *m_includeShare;
    QLabel *m_kept;
    QLabel *m_metrics;
    ScoreHistogramChart *m_histogram;
    ThresholdCurveChart *m_curve;
};

}  // namespace pcs
