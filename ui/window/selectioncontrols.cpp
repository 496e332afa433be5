#include "window/selectioncontrols.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>

namespace pcs {

SelectionControls::SelectionControls(QWidget *parent)
    : QWidget(parent)
    , m_estimator(new QComboBox)
    , m_projection(new QComboBox)
    , m_keepPercent(new QDoubleSpinBox)
    , m_result(new QLabel)
{
    const QList<std::pair<Estimator, QString>> estimators
        = { { Estimator::Spearmanr, tr("Spearman ρ (default; mid-ranks)") },
            { Estimator::SignCdf, tr("sign-cdf (paper's rank estimator)") },
            { Estimator::Sign, tr("sign (raw BPB differences)") },
            { Estimator::SignSign, tr("sign-sign (Kendall τ-a)") },
            { Estimator::Product, tr("product (mean of error × BPB)") } };
    for (const auto &[estimator, label] : estimators)
        m_estimator->addItem(label, estimatorName(estimator));
    m_estimator->setObjectName(QStringLiteral("estimatorCombo"));
    m_projection->setObjectName(QStringLiteral("projectionCombo"));
    m_keepPercent->setObjectName(QStringLiteral("keepPercent"));
    m_result->setObjectName(QStringLiteral("selectionResult"));
    m_estimator->setToolTip(tr(
        "How the association between lower BPB on a text and lower benchmark error is estimated."));
    m_projection->addItem(tr("linear (fill the best texts to their caps)"),
                          projectionName(Projection::Linear));
    m_projection->addItem(tr("L2 (closest distribution to the estimate)"),
                          projectionName(Projection::L2));
    m_keepPercent->setRange(0.01, 100.0);
    m_keepPercent->setDecimals(2);
    m_keepPercent->setSuffix(QStringLiteral(" %"));
    m_keepPercent->setValue(10.0);
    m_keepPercent->setKeyboardTracking(false);
    m_keepPercent->setToolTip(tr("Fraction of the pool (by tokens) to keep. Caps each text at its "
                                 "share of the pool divided by this."));

    auto *layout = new QHBoxLayout(this);
    layout->addWidget(new QLabel(tr("Estimator:")));
    layout->addWidget(m_estimator);
    layout->addSpacing(12);
    layout->addWidget(new QLabel(tr("Projection:")));
    layout->addWidget(m_projection);
    layout->addSpacing(12);
    layout->addWidget(new QLabel(tr("Keep:")));
    layout->addWidget(m_keepPercent);
    layout->addSpacing(12);
    layout->addWidget(m_result, 1);

    auto emitChanged = [this] {
        if (!m_setting)
            Q_EMIT changed();
    };
    connect(m_estimator, &QComboBox::currentIndexChanged, this, emitChanged);
    connect(m_projection, &QComboBox::currentIndexChanged, this, emitChanged);
    connect(m_keepPercent, &QDoubleSpinBox::valueChanged, this, emitChanged);
}

void SelectionControls::setParameters(const SelectionParameters &parameters)
{
    m_setting = true;
    m_estimator->setCurrentIndex(m_estimator->findData(estimatorName(parameters.estimator)));
    m_projection->setCurrentIndex(m_projection->findData(projectionName(parameters.projection)));
    m_keepPercent->setValue(parameters.keepRatio * 100.0);
    m_setting = false;
}

void SelectionControls::applyTo(SelectionParameters &parameters) const
{
    parameters.estimator
        = estimatorFromName(m_estimator->currentData().toString()).value_or(Estimator::Spearmanr);
    parameters.projection
        = projectionFromName(m_projection->currentData().toString()).value_or(Projection::Linear);
    parameters.keepRatio = m_keepPercent->value() / 100.0;
}

void SelectionControls::showOutcome(const SelectionOutcome *outcome)
{
    if (!outcome) {
        m_result->clear();
        return;
    }
    const qsizetype included = (outcome->table.weight.array() > 0.0).count();
    m_result->setText(tr("%1 of %2 texts included · %3 LLMs · estimate %4 s")
                          .arg(included)
                          .arg(outcome->table.texts.size())
                          .arg(outcome->aligned.llms.size())
                          .arg(outcome->estimateSeconds, 0, 'f', 2));
}

}  // namespace pcs
