#include "ui/review/reviewrunbar.h"

#include "core/workspace/reviewsession.h"
#include "ui/common/elidedlabel.h"
#include "ui/review/reviewsummaries.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QStyle>
#include <QUrl>
#include <QVBoxLayout>

namespace pcs {

ReviewRunBar::ReviewRunBar(ReviewSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_run(new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Run")))
    , m_pause(new QPushButton(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause")))
    , m_resume(new QPushButton(style()->standardIcon(QStyle::SP_MediaSeekForward), tr("Resume")))
    , m_cancel(new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Cancel")))
    , m_progress(new QProgressBar)
    , m_stats(new ElidedLabel)
    , m_progressLine(new ElidedLabel)
    , m_modelProfile(new ElidedLabel)
{
    m_run->setObjectName(QStringLiteral("reviewRun"));
    m_run->setToolTip(tr("Assesses the pending items (failed ones too)"));
    m_pause->setObjectName(QStringLiteral("reviewPause"));
    m_resume->setObjectName(QStringLiteral("reviewResume"));
    m_resume->setToolTip(tr("Continues the paused run; after a run paused because every request "
                            "failed alike, starts again over what is pending"));
    m_cancel->setObjectName(QStringLiteral("reviewCancelRun"));
    m_cancel->setToolTip(tr("Stops the run; items in flight stay pending for the next run"));
    m_progress->setObjectName(QStringLiteral("reviewRunProgress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_progress->setMinimumWidth(100);
    m_stats->setObjectName(QStringLiteral("reviewRunStats"));
    m_progressLine->setObjectName(QStringLiteral("reviewProgressLine"));
    m_modelProfile->setObjectName(QStringLiteral("reviewModelProfile"));
    m_modelProfile->setElideMode(Qt::ElideLeft);  // the adaptations come last
    QSizePolicy keepPlace = m_modelProfile->sizePolicy();
    keepPlace.setRetainSizeWhenHidden(true);
    m_modelProfile->setSizePolicy(keepPlace);
    m_modelProfile->hide();

    connect(m_run, &QPushButton::clicked, this, &ReviewRunBar::runRequested);
    connect(m_pause, &QPushButton::clicked, m_session, &ReviewSession::pauseRun);
    connect(m_resume, &QPushButton::clicked, m_session, &ReviewSession::resumeRun);
    connect(m_cancel, &QPushButton::clicked, m_session, &ReviewSession::cancelRun);
    connect(m_session, &ReviewSession::runProgress, this,
            [this](qint64 done, qint64 total, double rate, qint64 promptTokens,
                   qint64 completionTokens, qint64 errors) {
                m_runSpoke = true;
                const QLocale locale;
                m_progress->setRange(0, int(std::max<qint64>(total, 1)));
                m_progress->setValue(int(std::min(done, total)));
                m_progress->setFormat(
                    QStringLiteral("%1 / %2").arg(locale.toString(done), locale.toString(total)));
                m_stats->setFullText(reviewtext::runProgress(done, total, rate, promptTokens,
                                                             completionTokens, errors));
            });
    connect(m_session, &ReviewSession::runStateChanged, this, &ReviewRunBar::updateButtons);
    connect(m_session, &ReviewSession::runPaused, this, &ReviewRunBar::updateButtons);
    connect(m_session, &ReviewSession::modelProfileChanged, this,
            &ReviewRunBar::updateModelProfile);

    auto *buttons = new QHBoxLayout;
    buttons->setSpacing(4);
    buttons->addWidget(m_run);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_resume);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_progress, 1);
    auto *statsRow = new QHBoxLayout;
    statsRow->addWidget(m_stats, 3);
    statsRow->addWidget(m_modelProfile, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(buttons);
    layout->addLayout(statsRow);
    layout->addWidget(m_progressLine);
    updateButtons();
}

void ReviewRunBar::showStarting(const QString &endpoint)
{
    // Until the first answer: where it is going, so a wrong address is plain at once.
    const QUrl url(endpoint);
    const QString where = url.host().isEmpty()
        ? endpoint
        : url.host() + (url.port() > 0 ? QStringLiteral(":%1").arg(url.port()) : QString());
    m_stats->setFullText(tr("Connecting to %1…").arg(where));
    updateButtons();
}

void ReviewRunBar::refreshCounts()
{
    if (!m_session->isOpen()) {
        m_progressLine->setFullText(tr("Create or open a project (Project tab) to start."));
        return;
    }
    const auto counts = m_session->counts();
    if (!counts) {
        m_progressLine->setFullText(counts.error().toString());
        return;
    }
    m_progressLine->setFullText(reviewtext::progressLine(*counts));
    if (!m_runSpoke && !m_session->isRunning()) {
        const QLocale locale;
        m_stats->setFullText(
            tr("%1 assessed, %2 pending")
                .arg(locale.toString(counts->assessed), locale.toString(counts->pending)));
    }
}

void ReviewRunBar::updateButtons()
{
    const bool open = m_session->isOpen();
    const bool running = m_session->isRunning();
    const bool paused = running && m_session->isPaused();
    m_run->setEnabled(open && !running && !m_session->isBusy());
    m_pause->setEnabled(running && !paused);
    // After a run that paused itself, Resume starts again over what is pending.
    m_resume->setEnabled(paused || (open && !running && !m_session->pauseReason().isEmpty()));
    m_cancel->setEnabled(running);
}

void ReviewRunBar::updateModelProfile()
{
    const ModelProfile profile = m_session->modelProfile();
    const QString summary = profile.summary();
    m_modelProfile->setVisible(!summary.isEmpty());
    m_modelProfile->setFullText(tr("Requests adapted to the model: %1").arg(summary));
    m_modelProfile->setToolTip(tr("Learned from what the server refused, kept in the project:\n"
                                  "%1")
                                   .arg(profile.adaptations.join(QLatin1Char('\n'))));
}

QString ReviewRunBar::statsText() const
{
    return m_stats->fullText();
}

QString ReviewRunBar::progressText() const
{
    return m_progressLine->fullText();
}

}  // namespace pcs
