#include "ui/review/calibrationcontroller.h"

#include "core/workspace/reviewsession.h"
#include "ui/review/calibrationpanel.h"

namespace pcs {

CalibrationController::CalibrationController(ReviewSession *session, CalibrationPanel *panel,
                                             QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_panel(panel)
{
    m_read.onFinished(
        [this](Result<CalibrationSnapshot> snapshot) { readFinished(std::move(snapshot)); });
    m_draw.onFinished([this](Result<AuditSample> sample) {
        if (!sample) {
            if (sample.error().kind == ErrorKind::Canceled) {
                // A cancel that came after the save still replaced the sample: read what is there.
                Q_EMIT drawCanceled();
                refreshNow();
            } else
                Q_EMIT failed(sample.error());
            return;
        }
        setHasSample(true);
        Q_EMIT sampleDrawn(*sample);
        refreshNow();
    });
    connect(&m_draw, &BackgroundTaskBase::busyChanged, this,
            &CalibrationController::drawBusyChanged);
    connect(&m_draw, &BackgroundTaskBase::progressChanged, this,
            [this](double fraction, const QString &message) {
                Q_EMIT drawProgress(int(fraction * 1000), message);
            });
}

void CalibrationController::refresh()
{
    m_stale = true;
    if (m_panel->isVisible())
        refreshNow();
}

void CalibrationController::showing()
{
    if (m_stale)
        refreshNow();
}

void CalibrationController::refreshNow()
{
    m_stale = true;
    // A read of another queue (the project changed) is superseded; one of this queue coalesced.
    if (m_read.isBusy() && m_readingPath == m_session->queuePath()) {
        m_readAgain = true;  // one more read once this one is in: never a pile of them
        return;
    }
    startRead();
}

void CalibrationController::startRead()
{
    m_stale = false;
    m_readAgain = false;
    if (!m_session->isOpen()) {
        m_snapshot = {};
        m_panel->setData({});
        setHasSample(false);
        Q_EMIT refreshed();
        return;
    }
    const auto thresholds = m_session->thresholds();
    if (!thresholds) {
        Q_EMIT failed(thresholds.error());
        return;
    }
    m_readingPath = m_session->queuePath();
    m_read.start(
        tr("Reading the decisions"),
        [queue = m_session->queuePath(), current = *thresholds](BackgroundControl &control) {
            return readCalibrationSnapshot(queue, current, control);
        });
}

void CalibrationController::readFinished(Result<CalibrationSnapshot> snapshot)
{
    if (!snapshot) {
        if (snapshot.error().kind != ErrorKind::Canceled)
            Q_EMIT failed(snapshot.error());
    } else if (m_session->isOpen()) {
        m_snapshot = std::move(snapshot).value();
        const auto counts = m_session->counts();
        m_panel->setData(
            { m_snapshot.calibration, m_snapshot.audit, counts ? counts->assessed : 0 });
        setHasSample(m_snapshot.audit.has_value());
        Q_EMIT refreshed();
    }
    if (m_readAgain)
        startRead();
}

Status CalibrationController::drawSample(qint64 size, quint64 seed)
{
    if (!m_session->isOpen())
        return Error::badInput(tr("open or create a project first"));
    if (m_draw.isBusy())
        return Error::badInput(tr("a sample is being drawn already; wait for it or cancel it"));
    const auto thresholds = m_session->thresholds();
    if (!thresholds)
        return thresholds.error();
    m_draw.start(tr("Drawing an audit sample of %1").arg(size),
                 [queue = m_session->queuePath(), size, seed,
                  current = *thresholds](BackgroundControl &control) {
                     return drawAndStoreAuditSample(queue, size, seed, current, control);
                 });
    return Done {};
}

void CalibrationController::cancelDraw()
{
    m_draw.cancel();
}

void CalibrationController::waitForIdle()
{
    m_draw.waitForIdle();
    // A delivered read may start the one asked for meanwhile: wait for that too.
    while (m_read.isBusy())
        m_read.waitForIdle();
}

void CalibrationController::setHasSample(bool has)
{
    if (has == m_hasSample)
        return;
    m_hasSample = has;
    Q_EMIT sampleAvailableChanged(has);
}

}  // namespace pcs
