#pragma once

#include "core/common/backgroundtask.h"
#include "core/review/queueaudit.h"
#include "core/workspace/calibrationtasks.h"

#include <QObject>

namespace pcs {

class CalibrationPanel;
class ReviewSession;

// Feeds the Calibration tab of the Review page from the open project, off the GUI thread: the
// human decisions against the automatic ones and the audit sample's estimate (refresh, coalesced:
// one read at a time, one more if asked meanwhile; only while the panel is shown, else once it
// is), and the draw of a new audit sample (drawSample: progress, cancel, then sampleDrawn).
class CalibrationController : public QObject {
    Q_OBJECT
public:
    CalibrationController(ReviewSession *session, CalibrationPanel *panel,
                          QObject *parent = nullptr);

    // The project, its decisions or its thresholds changed: read again now if the panel is
    // visible, else when it is shown (showing()).
    void refresh();
    void showing();
    // Reads again whether shown or not (a project was opened: the queue filter must know
    // whether it has a sample).
    void refreshNow();

    // Draws `size` items with `seed` at the current thresholds and stores the sample. Errors:
    // no project, a draw already going on.
    Status drawSample(qint64 size, quint64 seed);
    void cancelDraw();
    bool isDrawing() const { return m_draw.isBusy(); }
    bool isRefreshing() const { return m_read.isBusy(); }
    // The queue has a sample (as last read or drawn).
    bool hasSample() const { return m_hasSample; }
    // The last snapshot read (tests and the page's confirmation).
    const CalibrationSnapshot &snapshot() const { return m_snapshot; }
    // Until the draw and the reads have delivered (tests, shutdown).
    void waitForIdle();

Q_SIGNALS:
    void refreshed();
    void sampleAvailableChanged(bool available);
    void sampleDrawn(const pcs::AuditSample &sample);
    void failed(const pcs::Error &error);  // not for a canceled draw (drawCanceled)
    void drawCanceled();
    void drawBusyChanged(bool busy);
    void drawProgress(int permille, const QString &activity);

private:
    void startRead();
    void readFinished(Result<CalibrationSnapshot> snapshot);
    void setHasSample(bool has);

    ReviewSession *m_session;
    CalibrationPanel *m_panel;
    BackgroundTask<CalibrationSnapshot> m_read;
    BackgroundTask<AuditSample> m_draw;
    CalibrationSnapshot m_snapshot;
    bool m_stale = true;  // not read since the last change
    bool m_readAgain = false;  // asked while a read was going on
    bool m_hasSample = false;
    QString m_readingPath;  // the queue the read in flight reads
};

}  // namespace pcs
