#pragma once

#include "core/workspace/selectionsession.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;

namespace pcs {

class ElidedLabel;

// Estimator, projection and keep ratio. Every change asks for a rerun (the latest wins).
class SelectionControls : public QWidget {
    Q_OBJECT
public:
    explicit SelectionControls(QWidget *parent = nullptr);

    void setParameters(const SelectionParameters &parameters);  // without emitting
    void applyTo(SelectionParameters &parameters) const;
    void showOutcome(const SelectionOutcome *outcome);
    // What Keep does under this projection, in a sentence or two.
    static QString keepHelp(Projection projection, double keepRatio);

Q_SIGNALS:
    void changed();

private:
    QComboBox *m_estimator;
    QComboBox *m_projection;
    QDoubleSpinBox *m_keepPercent;
    ElidedLabel *m_result;  // elided: it must not widen the window
    QLabel *m_keepHelp;
    QLabel *m_productWarning;  // shown while the product estimator is chosen
    bool m_setting = false;

    void updateHelp();
};

}  // namespace pcs
