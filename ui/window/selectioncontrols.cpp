#include "ui/window/selectioncontrols.h"

#include "ui/charts/estimatorlabels.h"
#include "ui/common/elidedlabel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

namespace pcs {

SelectionControls::SelectionControls(QWidget *parent)
    : QWidget(parent)
    , m_estimator(new QComboBox)
    , m_projection(new QComboBox)
    , m_keepPercent(new QDoubleSpinBox)
    , m_result(new ElidedLabel)
    , m_keepHelp(new QLabel)
    , m_productWarning(new QLabel)
{
    for (const Estimator estimator : { Estimator::Spearmanr, Estimator::SignCdf, Estimator::Sign,
                                       Estimator::SignSign, Estimator::Product }) {
        m_estimator->addItem(estimatorChoiceLabel(estimator), estimatorName(estimator));
        m_estimator->setItemData(m_estimator->count() - 1, estimatorHelp(estimator),
                                 Qt::ToolTipRole);
    }
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
    m_keepPercent->setToolTip(keepHelp(Projection::Linear, 0.1));
    m_productWarning->setObjectName(QStringLiteral("productWarning"));
    m_productWarning->setWordWrap(true);
    m_productWarning->setStyleSheet(QStringLiteral("QLabel { color: #b9770e; }"));
    m_productWarning->setText(tr("⚠ Product is uncentred, as in the Python package: it mostly "
                                 "follows each text's mean BPB and ranks the texts the LLMs find "
                                 "hardest first. Prefer a rank estimator such as Spearman ρ."));
    m_productWarning->hide();
    m_keepHelp->setObjectName(QStringLiteral("keepHelp"));
    m_keepHelp->setWordWrap(true);
    m_keepHelp->setForegroundRole(QPalette::PlaceholderText);

    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *layout = new QHBoxLayout;
    outer->addLayout(layout);
    outer->addWidget(m_productWarning);
    outer->addWidget(m_keepHelp);
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
    connect(m_estimator, &QComboBox::currentIndexChanged, this, &SelectionControls::updateHelp);
    connect(m_projection, &QComboBox::currentIndexChanged, this, &SelectionControls::updateHelp);
    connect(m_keepPercent, &QDoubleSpinBox::valueChanged, this, &SelectionControls::updateHelp);
    updateHelp();
}

QString SelectionControls::keepHelp(Projection projection, double keepRatio)
{
    const QString percent = QLocale().toString(100.0 * keepRatio, 'g', 4) + QStringLiteral(" %");
    QString text = tr("Keep %1 caps each text's weight at its share of the pool ÷ %1 (τ), so no "
                      "text is repeated and the texts included hold at least %1 of the pool.")
                       .arg(percent);
    if (projection == Projection::L2)
        text += QLatin1Char(' ')
            + tr("L2 spreads the weight as close to the estimates as the caps allow, so it may "
                 "include every text, each with a small weight.");
    else
        text += QLatin1Char(' ') + tr("Linear fills the best texts to their caps, in rank order.");
    return text;
}

void SelectionControls::updateHelp()
{
    const auto projection
        = projectionFromName(m_projection->currentData().toString()).value_or(Projection::Linear);
    const QString help = keepHelp(projection, m_keepPercent->value() / 100.0);
    const Estimator estimator
        = estimatorFromName(m_estimator->currentData().toString()).value_or(Estimator::Spearmanr);
    // The product estimator is uncentred: chosen from the menu, it would silently pick the
    // texts the LLMs find hardest. Said where it is chosen, every time.
    m_productWarning->setVisible(estimator == Estimator::Product);
    m_keepHelp->setText(help);
    m_keepPercent->setToolTip(help);
    m_estimator->setToolTip(estimatorHelp(estimator));
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
