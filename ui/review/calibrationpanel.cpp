#include "ui/review/calibrationpanel.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <limits>

namespace pcs {

namespace {

constexpr int kDefaultSampleSize = 200;

// The seed typed, when it is a number that fits 64 bits.
std::optional<quint64> seedOf(const QLineEdit *edit)
{
    bool ok = false;
    const quint64 seed = edit->text().toULongLong(&ok);
    return ok ? std::optional<quint64>(seed) : std::nullopt;
}

QString percent(double share)
{
    return QStringLiteral("%1%").arg(share * 100, 0, 'f', 1);
}

QString kappaText(const std::optional<double> &kappa)
{
    return kappa ? QString::number(*kappa, 'f', 3) : CalibrationPanel::tr("undefined");
}

QString choiceText(const QString &name, const ThresholdAgreement &choice, qint64 decided)
{
    return CalibrationPanel::tr("%1: filter above %2, revise above %3 — agrees on %4 of %5 (%6), "
                                "κ %7")
        .arg(name)
        .arg(choice.thresholds.filter)
        .arg(choice.thresholds.revise)
        .arg(choice.agreeing)
        .arg(decided)
        .arg(percent(double(choice.agreeing) / double(decided)))
        .arg(kappaText(choice.kappa));
}

QString estimateText(const OverturnEstimate &estimate)
{
    if (!estimate.proportion)
        return CalibrationPanel::tr("no estimate yet (%1)").arg(estimate.unavailableReason);
    const double n = double(estimate.population);
    return CalibrationPanel::tr("%1 (95% CI %2–%3), about %4 of %5 (%6–%7)")
        .arg(percent(*estimate.proportion), percent(*estimate.lower), percent(*estimate.upper))
        .arg(qRound64(*estimate.proportion * n))
        .arg(estimate.population)
        .arg(qRound64(*estimate.lower * n))
        .arg(qRound64(*estimate.upper * n));
}

}  // namespace

CalibrationPanel::CalibrationPanel(QWidget *parent)
    : QWidget(parent)
    , m_matrix(new QTableWidget(3, 3))
    , m_agreement(new QLabel)
    , m_thresholds(new QLabel)
    , m_use(new QPushButton(tr("&Use these")))
    , m_sampleSize(new QSpinBox)
    , m_seed(new QLineEdit)
    , m_sample(new QPushButton(tr("Review a &sample…")))
    , m_audit(new QLabel)
{
    m_matrix->setObjectName(QStringLiteral("calibrationMatrix"));
    m_agreement->setObjectName(QStringLiteral("calibrationAgreement"));
    m_thresholds->setObjectName(QStringLiteral("calibrationThresholds"));
    m_use->setObjectName(QStringLiteral("calibrationUseThresholds"));
    m_sampleSize->setObjectName(QStringLiteral("auditSampleSize"));
    m_seed->setObjectName(QStringLiteral("auditSeed"));
    m_sample->setObjectName(QStringLiteral("auditReviewSample"));
    m_audit->setObjectName(QStringLiteral("auditEstimate"));

    const QStringList names { tr("keep"), tr("revise"), tr("filter") };
    m_matrix->setHorizontalHeaderLabels(names);
    m_matrix->setVerticalHeaderLabels(names);
    m_matrix->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_matrix->setSelectionMode(QAbstractItemView::NoSelection);
    m_matrix->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_matrix->setToolTip(tr("Rows: the human's decision; columns: the automatic one"));
    m_matrix->setMaximumHeight(m_matrix->verticalHeader()->length()
                               + m_matrix->horizontalHeader()->height() + 4);
    for (QLabel *label : { m_agreement, m_thresholds, m_audit }) {
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    m_use->setToolTip(tr("Set the thresholds that would have agreed best with your decisions"));
    m_sampleSize->setRange(1, 1);
    m_sampleSize->setValue(1);
    m_sampleSize->setToolTip(tr("How many items to draw, stratified by decision and score band"));
    // A seed is any 64-bit unsigned number; the same seed draws the same sample.
    m_seed->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{1,20}")), m_seed));
    m_seed->setText(QString::number(QRandomGenerator::global()->generate64()));
    m_seed->setToolTip(tr("The same queue and seed draw the same sample"));

    auto *agreementBox = new QGroupBox(tr("Your decisions against the automatic ones"));
    auto *agreementLayout = new QVBoxLayout(agreementBox);
    agreementLayout->addWidget(new QLabel(tr("Rows: yours · columns: automatic")));
    agreementLayout->addWidget(m_matrix);
    agreementLayout->addWidget(m_agreement);
    auto *useRow = new QHBoxLayout;
    useRow->addWidget(m_thresholds, 1);
    useRow->addWidget(m_use, 0, Qt::AlignTop);
    agreementLayout->addLayout(useRow);

    auto *auditBox = new QGroupBox(tr("Audit"));
    auto *auditLayout = new QVBoxLayout(auditBox);
    auto *form = new QFormLayout;
    form->addRow(tr("Sample size"), m_sampleSize);
    form->addRow(tr("Seed"), m_seed);
    auditLayout->addLayout(form);
    auditLayout->addWidget(m_sample, 0, Qt::AlignLeft);
    auditLayout->addWidget(m_audit);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(agreementBox);
    layout->addWidget(auditBox);
    layout->addStretch(1);

    connect(m_use, &QPushButton::clicked, this, [this] {
        if (m_best)
            Q_EMIT useThresholdsRequested(m_best->filter, m_best->revise);
    });
    connect(m_sample, &QPushButton::clicked, this, &CalibrationPanel::requestSample);
    connect(m_seed, &QLineEdit::textChanged, this,
            [this] { m_sample->setEnabled(seedOf(m_seed) && m_sampleSize->isEnabled()); });
    setData({});
}

void CalibrationPanel::setData(const CalibrationPanelData &panelData)
{
    showCalibration(panelData.calibration);
    showAudit(panelData.audit);
    const bool canSample = panelData.assessedItems > 0;
    const int largest
        = int(std::min<qint64>(panelData.assessedItems, std::numeric_limits<int>::max()));
    m_sampleSize->setRange(1, std::max(1, largest));
    if (!canSample)
        m_sampleSize->setValue(1);
    else if (m_sampleSize->value() <= 1)
        m_sampleSize->setValue(std::min(kDefaultSampleSize, largest));
    m_sampleSize->setEnabled(canSample);
    m_sample->setEnabled(canSample && seedOf(m_seed));
    m_sample->setToolTip(canSample ? tr("Draw a stratified random sample to review")
                                   : tr("Nothing is assessed yet"));
}

void CalibrationPanel::showCalibration(const std::optional<CalibrationSummary> &calibration)
{
    m_best.reset();
    for (int human = 0; human < 3; ++human) {
        for (int automatic = 0; automatic < 3; ++automatic) {
            const QString text = calibration
                ? QString::number(calibration->matrix.counts[human][automatic])
                : QStringLiteral("–");
            auto *cell = new QTableWidgetItem(text);
            cell->setTextAlignment(Qt::AlignCenter);
            if (human == automatic) {
                QFont font = cell->font();
                font.setBold(true);
                cell->setFont(font);
            }
            m_matrix->setItem(human, automatic, cell);
        }
    }
    if (!calibration) {
        m_agreement->setText(tr("No assessed item has a decision of yours yet."));
        m_thresholds->clear();
        m_use->setEnabled(false);
        return;
    }
    const qint64 decided = calibration->matrix.total();
    m_agreement->setText(
        tr("Agreement %1 (%2 of %3) · Cohen's κ %4 · weighted κ %5")
            .arg(percent(double(calibration->matrix.agreeing()) / double(decided)))
            .arg(calibration->matrix.agreeing())
            .arg(decided)
            .arg(kappaText(calibration->kappa), kappaText(calibration->weightedKappa)));
    m_thresholds->setText(choiceText(tr("Current"), calibration->current, decided)
                          + QLatin1Char('\n') + choiceText(tr("Best"), calibration->best, decided));
    m_best = calibration->best.thresholds;
    const bool differs
        = calibration->best.thresholds.filter != calibration->current.thresholds.filter
        || calibration->best.thresholds.revise != calibration->current.thresholds.revise;
    m_use->setEnabled(differs);
    m_use->setToolTip(differs
                          ? tr("Set filter %1, revise %2").arg(m_best->filter).arg(m_best->revise)
                          : tr("The current thresholds already agree best"));
}

void CalibrationPanel::showAudit(const std::optional<AuditReport> &audit)
{
    if (!audit) {
        m_audit->setText(tr("No audit sample yet."));
        return;
    }
    QString text = tr("Sample of %1 (seed %2): %3 decided, %4 to go.")
                       .arg(audit->sampled)
                       .arg(audit->seed)
                       .arg(audit->sampled - audit->undecided)
                       .arg(audit->undecided);
    text += QLatin1Char('\n') + tr("Overturned: %1").arg(estimateText(audit->overall));
    for (std::size_t decision = 0; decision < 3 && audit->overall.proportion; ++decision)
        text += QLatin1Char('\n')
            + tr("  of automatic %1: %2")
                  .arg(decisionName(Decision(decision)), estimateText(audit->byDecision[decision]));
    m_audit->setText(text);
}

void CalibrationPanel::requestSample()
{
    if (const auto seed = seedOf(m_seed))
        Q_EMIT reviewSampleRequested(m_sampleSize->value(), *seed);
}

}  // namespace pcs
