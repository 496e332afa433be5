#pragma once

#include "core/common/result.h"
#include "core/review/decision.h"

#include <QWidget>

#include <functional>

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSlider;
class QTimer;

namespace pcs {

class ReviewHistogramChart;
class ReviewSession;

// The thresholds of a review project: revise and filter spin boxes with sliders. While they
// move, a line says what the candidate pair would decide ("would filter X, revise Y, keep Z",
// from ReviewSession::countsFor) and the histogram shows where they cut; Apply re-derives every
// automatic decision in the background (ReviewSession::setThresholds).
class ThresholdPanel : public QWidget {
    Q_OBJECT
public:
    // How Apply changes the stored thresholds (the page makes it one undoable step); without
    // one, ReviewSession::setThresholds.
    using Applier = std::function<Status(const Thresholds &from, const Thresholds &to)>;

    explicit ThresholdPanel(ReviewSession *session, QWidget *parent = nullptr);
    ~ThresholdPanel() override;

    void setApplier(Applier applier) { m_applier = std::move(applier); }

    Thresholds candidate() const;
    void setCandidate(const Thresholds &thresholds);
    // Reads the project's thresholds and histogram again (after open, run progress, apply).
    void reload();
    void refreshHistogram();
    // The live counts now, without waiting for the short delay after an edit.
    void updateCounts();
    bool apply();
    // The stored thresholds are now these (an undo or redo set them): shown as the candidate.
    void showStored(const Thresholds &thresholds);
    Thresholds stored() const { return m_stored; }

    QLabel *countsLabel() const { return m_counts; }
    QDoubleSpinBox *filterSpin() const { return m_filter; }
    QDoubleSpinBox *reviseSpin() const { return m_revise; }
    QPushButton *applyButton() const { return m_apply; }
    ReviewHistogramChart *histogram() const { return m_chart; }

Q_SIGNALS:
    void failed(const QString &message);

private:
    void candidateEdited();

    ReviewSession *m_session;
    QDoubleSpinBox *m_revise;
    QDoubleSpinBox *m_filter;
    QSlider *m_reviseSlider;
    QSlider *m_filterSlider;
    QLabel *m_counts;
    QPushButton *m_apply;
    ReviewHistogramChart *m_chart;
    QTimer *m_countsTimer;
    Thresholds m_stored;
    Applier m_applier;
    bool m_updating = false;
};

}  // namespace pcs
