#pragma once

#include <QWidget>

class QProgressBar;
class QPushButton;

namespace pcs {

class ElidedLabel;
class ReviewSession;

// The run controls of the Review stage: Run, Pause, Resume, Cancel, the run's progress bar and
// two lines — the run's rate and tokens, and the queue's counts ("Reviewed 3 of 30 · keep …") —
// plus what the model is known to refuse. Pause, Resume and Cancel go straight to the session;
// Run asks the page (runRequested), which stores the settings and criteria first. Every line is
// one elided line of fixed height: a long reason never widens the window or moves the queue.
class ReviewRunBar : public QWidget {
    Q_OBJECT
public:
    explicit ReviewRunBar(ReviewSession *session, QWidget *parent = nullptr);

    // The run was asked for and is connecting to `endpoint` (until the first progress).
    void showStarting(const QString &endpoint);
    // Reads the queue's counts again for the progress line ("Reviewed 3 of 30 · keep …") and,
    // while no run has said anything yet, the stats line ("30 assessed, 0 pending").
    void refreshCounts();
    void updateButtons();
    void updateModelProfile();

    QString statsText() const;
    QString progressText() const;

Q_SIGNALS:
    void runRequested();

private:
    ReviewSession *m_session;
    QPushButton *m_run;
    QPushButton *m_pause;
    QPushButton *m_resume;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    ElidedLabel *m_stats;
    ElidedLabel *m_progressLine;
    ElidedLabel *m_modelProfile;
    bool m_runSpoke = false;  // a run has reported progress since the page opened
};

}  // namespace pcs
