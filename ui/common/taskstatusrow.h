#pragma once

#include <QWidget>

class QProgressBar;
class QPushButton;

namespace pcs {

class ElidedLabel;

// One line for a page's background work: what is going on (or what was last done), a progress
// bar, and Pause/Cancel buttons. Its height is fixed and the bar and buttons keep their place
// while hidden, so starting or ending a task never moves the controls around it; a long status
// is elided (whole in the tooltip) instead of widening the window. The buttons show only when
// asked for (setCancelable/setPausable) and emit cancelRequested/pauseRequested.
class TaskStatusRow : public QWidget {
    Q_OBJECT
public:
    explicit TaskStatusRow(QWidget *parent = nullptr);

    void setStatus(const QString &text);
    QString status() const;
    // Busy: the progress bar shows (indeterminate until setProgress) and so do the buttons
    // that apply.
    void setBusy(bool busy);
    bool isBusy() const { return m_busy; }
    // permille in [0, 1000]; a non-empty activity also becomes the status ("Importing…").
    void setProgress(int permille, const QString &activity = {});
    void setCancelable(bool cancelable);
    void setPausable(bool pausable);

    QProgressBar *progressBar() const { return m_progress; }
    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *pauseButton() const { return m_pause; }

Q_SIGNALS:
    void cancelRequested();
    void pauseRequested();

private:
    void updateVisibility();

    ElidedLabel *m_status;
    QProgressBar *m_progress;
    QPushButton *m_pause;
    QPushButton *m_cancel;
    bool m_busy = false;
    bool m_cancelable = false;
    bool m_pausable = false;
};

}  // namespace pcs
