#pragma once

#include "workspace/selectionsession.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;

namespace pcs {

// Estimator, projection and keep ratio. Every change asks for a rerun (the latest wins).
class SelectionControls : public QWidget {
    Q_OBJECT
public:
    explicit SelectionControls(QWidget *parent = nullptr);

    void setParameters(const SelectionParameters &parameters);  // without emitting
    void applyTo(SelectionParameters &parameters) const;
    void showOutcome(const SelectionOutcome *outcome);

Q_SIGNALS:
    void changed();

private:
    QComboBox *m_estimator;
    QComboBox *m_projection;
    QDoubleSpinBox *m_keepPercent;
    QLabel *m_result;
    bool m_setting = false;
};

}  // namespace pcs
