#include "ui/review/thresholdpanel.h"

#include "core/workspace/reviewsession.h"
#include "ui/review/reviewhistogramchart.h"

#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

namespace pcs {

ThresholdPanel::ThresholdPanel(ReviewSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_revise(new QDoubleSpinBox)
    , m_filter(new QDoubleSpinBox)
    , m_reviseSlider(new QSlider(Qt::Horizontal))
    , m_filterSlider(new QSlider(Qt::Horizontal))
    , m_counts(new QLabel)
    , m_apply(new QPushButton(tr("&Apply thresholds")))
    , m_chart(new ReviewHistogramChart)
    , m_countsTimer(new QTimer(this))
{
    m_revise->setObjectName(QStringLiteral("reviewReviseThreshold"));
    m_filter->setObjectName(QStringLiteral("reviewFilterThreshold"));
    m_reviseSlider->setObjectName(QStringLiteral("reviewReviseSlider"));
    m_filterSlider->setObjectName(QStringLiteral("reviewFilterSlider"));
    m_counts->setObjectName(QStringLiteral("reviewThresholdCounts"));
    m_apply->setObjectName(QStringLiteral("reviewApplyThresholds"));
    m_chart->setObjectName(QStringLiteral("reviewHistogram"));
    for (QDoubleSpinBox *spin : { m_revise, m_filter }) {
        spin->setRange(0, 100);
        spin->setDecimals(1);
        spin->setSingleStep(1);
        spin->setKeyboardTracking(false);
    }
    for (QSlider *slider : { m_reviseSlider, m_filterSlider })
        slider->setRange(0, 1000);  // tenths
    m_revise->setToolTip(tr("Items scored above this (and not above the filter threshold) are "
                            "rewritten"));
    m_filter->setToolTip(tr("Items scored above this are dropped"));
    m_counts->setWordWrap(true);
    m_apply->setToolTip(tr("Re-derives the automatic decision of every assessed item; human "
                           "decisions stay"));
    m_chart->setMinimumHeight(200);
    m_countsTimer->setSingleShot(true);
    m_countsTimer->setInterval(80);

    auto *grid = new QGridLayout;
    grid->addWidget(new QLabel(tr("Revise above")), 0, 0);
    grid->addWidget(m_revise, 0, 1);
    grid->addWidget(m_reviseSlider, 0, 2);
    grid->addWidget(new QLabel(tr("Filter above")), 1, 0);
    grid->addWidget(m_filter, 1, 1);
    grid->addWidget(m_filterSlider, 1, 2);
    grid->setColumnStretch(2, 1);
    auto *applyRow = new QHBoxLayout;
    applyRow->addWidget(m_counts, 1);
    applyRow->addWidget(m_apply);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(grid);
    layout->addLayout(applyRow);
    layout->addWidget(m_chart, 1);

    const auto link = [this](QDoubleSpinBox *spin, QSlider *slider) {
        connect(spin, &QDoubleSpinBox::valueChanged, this, [this, slider](double value) {
            if (m_updating)
                return;
            m_updating = true;
            slider->setValue(int(std::lround(value * 10)));
            m_updating = false;
            candidateEdited();
        });
        connect(slider, &QSlider::valueChanged, this, [this, spin](int value) {
            if (m_updating)
                return;
            m_updating = true;
            spin->setValue(value / 10.0);
            m_updating = false;
            candidateEdited();
        });
    };
    link(m_revise, m_reviseSlider);
    link(m_filter, m_filterSlider);
    connect(m_countsTimer, &QTimer::timeout, this, &ThresholdPanel::updateCounts);
    connect(m_apply, &QPushButton::clicked, this, &ThresholdPanel::apply);
    setCandidate(m_stored);
}

ThresholdPanel::~ThresholdPanel() = default;

Thresholds ThresholdPanel::candidate() const
{
    return { m_filter->value(), m_revise->value() };
}

void ThresholdPanel::setCandidate(const Thresholds &thresholds)
{
    m_updating = true;
    m_revise->setValue(thresholds.revise);
    m_filter->setValue(thresholds.filter);
    m_reviseSlider->setValue(int(std::lround(thresholds.revise * 10)));
    m_filterSlider->setValue(int(std::lround(thresholds.filter * 10)));
    m_updating = false;
    candidateEdited();
}

void ThresholdPanel::candidateEdited()
{
    // Keep revise ≤ filter by moving the other one along.
    const Thresholds t = candidate();
    if (t.revise > t.filter && !m_updating) {
        m_updating = true;
        if (sender() == m_filter || sender() == m_filterSlider) {
            m_revise->setValue(t.filter);
            m_reviseSlider->setValue(int(std::lround(t.filter * 10)));
        } else {
            m_filter->setValue(t.revise);
            m_filterSlider->setValue(int(std::lround(t.revise * 10)));
        }
        m_updating = false;
    }
    m_chart->setThresholds(candidate());
    m_apply->setEnabled(
        m_session->isOpen() && !m_session->isBusy()
        && (candidate().filter != m_stored.filter || candidate().revise != m_stored.revise));
    m_countsTimer->start();
}

void ThresholdPanel::updateCounts()
{
    m_countsTimer->stop();
    if (!m_session->isOpen()) {
        m_counts->setText(tr("Open a project to see what the thresholds decide."));
        return;
    }
    const auto counts = m_session->countsFor(candidate());
    if (!counts) {
        m_counts->setText(counts.error().toString());
        return;
    }
    const QLocale locale;
    m_counts->setText(tr("Would filter %1, revise %2, keep %3")
                          .arg(locale.toString(counts->filter), locale.toString(counts->revise),
                               locale.toString(counts->keep)));
}

void ThresholdPanel::reload()
{
    if (m_session->isOpen()) {
        if (const auto stored = m_session->thresholds())
            m_stored = *stored;
    }
    setCandidate(m_stored);
    refreshHistogram();
    updateCounts();
}

void ThresholdPanel::showStored(const Thresholds &thresholds)
{
    m_stored = thresholds;
    setCandidate(thresholds);
    updateCounts();
}

void ThresholdPanel::refreshHistogram()
{
    if (!m_session->isOpen()) {
        m_chart->setCounts({});
        return;
    }
    if (auto histogram = m_session->scoreHistogram(50))
        m_chart->setCounts(std::move(*histogram));
}

bool ThresholdPanel::apply()
{
    const Thresholds t = candidate();
    if (Status valid = t.validate(); !valid) {
        Q_EMIT failed(valid.error().toString());
        return false;
    }
    const Status started = m_applier ? m_applier(m_stored, t) : m_session->setThresholds(t);
    if (!started) {
        // The applier said why already (the page's banner); the session's own error is ours.
        if (!m_applier)
            Q_EMIT failed(started.error().toString());
        return false;
    }
    m_stored = t;
    m_apply->setEnabled(false);
    return true;
}

}  // namespace pcs
