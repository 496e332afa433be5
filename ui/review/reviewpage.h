#pragma once

#include "common/result.h"
#include "review/queuestore.h"

#include <QWidget>

#include <functional>
#include <optional>
#include <vector>

class QAction;
class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QDoubleSpinBox;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;
class QTabWidget;
class QTimer;
class QToolButton;
class QUndoStack;

namespace pcs {

class CriteriaEditor;
class EndpointKeyPanel;
class ReviewDetailPane;
class ReviewQueueModel;
class ReviewSession;
class ThresholdPanel;
struct ReviewProjectSettings;

// The Review stage: a project (a .sqlite review queue) whose JSONL texts an OpenAI-compatible
// LLM assesses against the user's criteria, and a queue the reviewer works through with the
// keyboard — A accept, F filter, R accept the revision, E edit, Shift+R ask for a rewrite,
// Shift+A re-assess, J/K next/previous — with undo (Ctrl+Z / Ctrl+Shift+Z) and batch actions.
// The thresholds panel previews what a pair of thresholds decides before applying it; exports
// write the curated and dropped JSONL, the decision log and batch API requests. Every decision
// is committed by the session at once; the page remembers the project and item it was on.
class ReviewPage : public QWidget {
    Q_OBJECT
public:
    explicit ReviewPage(ReviewSession *session, QWidget *parent = nullptr);
    ~ReviewPage() override;

    ReviewSession *session() const { return m_session; }
    ReviewQueueModel *model() const { return m_model; }
    QTableView *queueView() const { return m_table; }
    ReviewDetailPane *detailPane() const { return m_detail; }
    CriteriaEditor *criteriaEditor() const { return m_criteria; }
    ThresholdPanel *thresholdPanel() const { return m_thresholds; }
    EndpointKeyPanel *keyPanel() const { return m_keyPanel; }
    QUndoStack *undoStack() const { return m_undo; }

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

    // Review actions on the current item (the keyboard shortcuts call these).
    bool acceptCurrent();
    bool filterCurrent();
    bool acceptRevisionCurrent();  // or asks for a rewrite when there is none yet
    bool editCurrent();
    bool requestRevisionCurrent();
    bool reassessCurrent();
    void nextRow();
    void previousRow();
    // Sets a human decision as one undoable step (editedText: the reviewer's own text).
    bool decideItem(qint64 id, const QString &decision, const QString &editedText = {});
    // Applies a batch of decisions and pushes it as one undo step.
    Status pushBatch(const QString &commandText, const QString &statusText, double score,
                     const std::function<Result<DecisionBatch>()> &apply);
    // Batch actions over the items without a human decision, each one undoable step.
    Status batchAcceptBelow(double score);
    Status batchFilterAbove(double score);

    qint64 currentItemId() const;  // -1 when none
    std::optional<QueueItem> currentItem() const;
    bool selectItem(qint64 id);
    bool selectRow(int row);

    QString errorText() const;
    QString statusText() const;
    QString runStatsText() const;
    QString progressText() const;

private:
    QWidget *createStatusRow();
    QWidget *createProjectTab();
    QWidget *createCriteriaTab();
    QWidget *createExportTab();
    QWidget *createQueueArea();
    QWidget *createRunRow();
    QHBoxLayout *createActions();
    void connectSession();

    void openWithDialog();
    void newWithDialog();
    void addFilesWithDialog();
    void exportWithDialog();
    void exportBatchWithDialog();
    void batchWithDialog(bool accept);
    QString browseSave(const QString &title, const QString &suggested, const QString &filter);

    void projectOpened();
    void showSettings(const ReviewProjectSettings &settings);
    void updateApiKeyStatus();
    void updateQuery();
    void updateEnabled();
    void updateRunButtons();
    void updateModelProfile();  // the label of what the model is known to refuse
    void refreshCounts();
    void scheduleCountsRefresh();
    void refreshItems(const std::vector<qint64> &ids);
    void currentRowChanged();
    void selectNextUndecided(int fromRow);
    void pushDecision(const QString &text, std::function<Result<std::vector<QueueItem>>()> apply,
                      std::vector<QueueItem> before);
    Status fail(const Error &error);
    Status fail(const QString &message);
    void clearError();
    void showStatus(const QString &text);

    ReviewSession *m_session;
    ReviewQueueModel *m_model;
    QUndoStack *m_undo;
    qint64 m_restoreItem = -1;  // to select once the project's rows are there

    QLabel *m_error = nullptr;
    QWidget *m_statusRow = nullptr;
    QLabel *m_status = nullptr;
    QProgressBar *m_taskProgress = nullptr;
    QTabWidget *m_tabs = nullptr;

    QLabel *m_projectPath = nullptr;
    QPushButton *m_addFiles = nullptr;
    QLineEdit *m_endpoint = nullptr;
    QLineEdit *m_modelName = nullptr;
    QSpinBox *m_concurrency = nullptr;
    QCheckBox *m_revise = nullptr;
    QLineEdit *m_textField = nullptr;
    EndpointKeyPanel *m_keyPanel = nullptr;
    CriteriaEditor *m_criteria = nullptr;
    ThresholdPanel *m_thresholds = nullptr;
    QLineEdit *m_curatedPath = nullptr;
    QLineEdit *m_droppedPath = nullptr;
    QLineEdit *m_logPath = nullptr;
    QPushButton *m_export = nullptr;
    QPushButton *m_exportBatch = nullptr;
    QLabel *m_exportStatus = nullptr;

    QPushButton *m_run = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_resume = nullptr;
    QPushButton *m_cancelRun = nullptr;
    QProgressBar *m_runProgress = nullptr;
    QLabel *m_runStats = nullptr;
    QLabel *m_progressLine = nullptr;
    QLabel *m_pauseReason = nullptr;  // why the last run paused itself (Resume starts again)
    QLabel *m_modelProfile = nullptr;

    QComboBox *m_stateFilter = nullptr;
    QComboBox *m_decisionFilter = nullptr;
    QLineEdit *m_search = nullptr;
    QDoubleSpinBox *m_minScore = nullptr;
    QDoubleSpinBox *m_maxScore = nullptr;
    QTimer *m_searchTimer = nullptr;
    QToolButton *m_batch = nullptr;
    QTableView *m_table = nullptr;
    ReviewDetailPane *m_detail = nullptr;
    QTimer *m_countsTimer = nullptr;

    QList<QAction *> m_itemActions;
};

}  // namespace pcs
