#pragma once

#include "core/common/result.h"
#include "core/review/queuestore.h"

#include <QWidget>

#include <optional>

class QTableView;
class QTabWidget;
class QTimer;
class QUndoStack;

namespace pcs {

class CalibrationController;
class CalibrationPanel;
class CriteriaEditor;
class EndpointKeyPanel;
class ErrorBanner;
class ReviewActions;
class ReviewDetailPane;
class ReviewExportTab;
class ReviewProjectTab;
class ReviewQueueModel;
class ReviewQueuePanel;
class ReviewRunBar;
class ReviewSession;
class TaskStatusRow;
class ThresholdPanel;

// The Review stage: a project (a .sqlite review queue) whose JSONL texts an OpenAI-compatible
// LLM assesses against the user's criteria, and a queue the reviewer works through with the
// keyboard (ReviewActions: A accept, F filter, R accept the revision, E edit, Shift+R ask for a
// rewrite, Shift+A re-assess, J/K next/previous, undo/redo, batch actions).
//
// The page is a composition: the tabs (ReviewProjectTab, CriteriaEditor, ThresholdPanel,
// ReviewExportTab) on the left; the run bar (ReviewRunBar), the actions' toolbar and the queue
// (ReviewQueuePanel) on the right; one banner (ErrorBanner) above and a status row
// (TaskStatusRow) below, both of fixed height. It wires them to the session, opens and restores
// projects (the project and item it was on last time) and stores settings and criteria before a
// run.
class ReviewPage final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReviewPage)
public:
    explicit ReviewPage(ReviewSession *session, QWidget *parent = nullptr);
    ~ReviewPage() override;

    ReviewSession *session() const { return m_session; }
    ReviewQueueModel *model() const;
    QTableView *queueView() const;
    ReviewDetailPane *detailPane() const;
    CriteriaEditor *criteriaEditor() const { return m_criteria; }
    ThresholdPanel *thresholdPanel() const { return m_thresholds; }
    EndpointKeyPanel *keyPanel() const;
    QUndoStack *undoStack() const;
    ReviewActions *actions() const { return m_actions; }
    ReviewQueuePanel *queuePanel() const { return m_queue; }
    ErrorBanner *banner() const { return m_banner; }
    CalibrationPanel *calibrationPanel() const { return m_calibration; }
    CalibrationController *calibration() const { return m_calibrationControl; }
    QTabWidget *tabs() const { return m_tabs; }

    // What the buttons do, without their file dialogs (also for tests). Errors also show inline.
    Status newProject(const QString &path);  // refuses an existing file
    Status openProject(const QString &path);  // creates it when missing
    Status importFiles(const QStringList &paths);
    Status run(bool retryErrors = false);
    Status exportTo(const QString &curated, const QString &dropped, const QString &log);
    Status exportBatchTo(const QString &path);
    // Stores the endpoint, model, concurrency etc. shown in the Project tab into the project.
    Status applySettings();
    Status storeCriteria();
    // Puts the bundled example criteria into the editor and the project.
    Status useBundledCriteria();
    // The calibration's best thresholds, applied as the threshold panel's Apply does (one
    // undoable step).
    Status useThresholds(const Thresholds &thresholds);
    // Draws an audit sample in the background (asks first when it replaces one with decisions);
    // once drawn, the queue shows it (the "Audit sample" filter).
    Status reviewAuditSample(qint64 size, quint64 seed);

    qint64 currentItemId() const;  // -1 when none
    bool selectItem(qint64 id);
    bool selectRow(int row);

    QString errorText() const;  // the last error, until an action succeeds
    QString bannerText() const;  // what the banner shows: the error, a pause reason, a prompt
    QString statusText() const;
    QString runStatsText() const;
    QString progressText() const;

    // The bundled criteria the banner offers a new project (a resource of the app).
    static QString bundledCriteriaPath();

private:
    QWidget *createThresholdsTab();
    void connectParts();
    void connectSession();
    void projectOpened();
    void updateEnabled();
    void updateBusy();
    void connectCalibration();
    void scheduleCountsRefresh();
    void currentItemChanged();
    Status fail(const Error &error);
    void clearError();
    // The banner shows the error, else why the run paused, else the new-project prompt.
    void updateBanner();
    void showStatus(const QString &text);

    ReviewSession *m_session;
    TaskStatusRow *m_statusRow = nullptr;
    ErrorBanner *m_banner = nullptr;
    QTabWidget *m_tabs = nullptr;
    ReviewProjectTab *m_projectTab = nullptr;
    CriteriaEditor *m_criteria = nullptr;
    ThresholdPanel *m_thresholds = nullptr;
    CalibrationPanel *m_calibration = nullptr;
    CalibrationController *m_calibrationControl = nullptr;
    ReviewExportTab *m_exportTab = nullptr;
    ReviewRunBar *m_runBar = nullptr;
    ReviewQueuePanel *m_queue = nullptr;
    ReviewActions *m_actions = nullptr;
    QTimer *m_countsTimer = nullptr;
    QString m_error;  // shown until an action succeeds
    bool m_needsCriteria = false;  // the open project has none yet
};

}  // namespace pcs
