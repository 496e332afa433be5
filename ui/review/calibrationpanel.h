#pragma once

#include "core/review/calibration.h"
#include "core/review/queueaudit.h"

#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace pcs {

// What the calibration panel shows, computed elsewhere (off the GUI thread, from the queue).
struct CalibrationPanelData {
    std::optional<CalibrationSummary> calibration;  // empty while no human decision exists
    std::optional<AuditReport> audit;  // empty while no sample was drawn
    qint64 assessedItems = 0;  // the largest sample that can be drawn
};

// Thresholds you can trust: how the human's decisions compare with the automatic ones
// (confusion matrix, Cohen's κ and weighted κ), the thresholds that would have agreed best with
// "Use these", and an audit: draw a stratified sample to review ("Review a sample…", size and
// seed) and, once decided, the estimate of how many automatic decisions a human would overturn.
// Holds no queue: it shows a CalibrationPanelData and asks for actions by signal.
class CalibrationPanel : public QWidget {
    Q_OBJECT
public:
    explicit CalibrationPanel(QWidget *parent = nullptr);

    void setData(const CalibrationPanelData &panelData);

    QTableWidget *matrixTable() const { return m_matrix; }
    QLabel *agreementLabel() const { return m_agreement; }
    QLabel *thresholdsLabel() const { return m_thresholds; }
    QPushButton *useButton() const { return m_use; }
    QSpinBox *sampleSizeSpin() const { return m_sampleSize; }
    QLineEdit *seedEdit() const { return m_seed; }
    QPushButton *sampleButton() const { return m_sample; }
    QLabel *auditLabel() const { return m_audit; }

Q_SIGNALS:
    void useThresholdsRequested(double filter, double revise);
    void reviewSampleRequested(int n, quint64 seed);

private:
    void showCalibration(const std::optional<CalibrationSummary> &calibration);
    void showAudit(const std::optional<AuditReport> &audit);
    void requestSample();

    QTableWidget *m_matrix;
    QLabel *m_agreement;
    QLabel *m_thresholds;
    QPushButton *m_use;
    QSpinBox *m_sampleSize;
    QLineEdit *m_seed;
    QPushButton *m_sample;
    QLabel *m_audit;
    std::optional<Thresholds> m_best;
};

}  // namespace pcs
