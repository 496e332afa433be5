#pragma once

#include "core/common/backgroundtask.h"
#include "core/workspace/selectionsession.h"
#include "core/workspace/workspacefile.h"

#include <QJsonObject>
#include <QMainWindow>

class QAction;
class QLabel;
class QListWidget;
class QMenu;
class QProgressBar;
class QPushButton;
class QStackedWidget;

namespace pcs {

class DataPage;
class ElidedLabel;
class FilterPage;
class FilterSession;
class ReviewPage;
class SelectionControls;
class TextFocus;
class WorkspaceSession;

// The workspace window: a stage sidebar (Data → Selection → Distribution → Compare, with room
// for Filter and Review), a progress bar with Cancel, workspace files and exports.
class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    SelectionSession *session() const { return m_session; }
    TextFocus *focus() const { return m_focus; }
    FilterPage *filterPage() const { return m_filterPage; }

    // Generates the demo dataset in the app's data folder and opens it.
    void openDemo();
    bool openWorkspace(const QString &path);
    bool saveWorkspaceTo(const QString &path);
    void loadInputs(const SelectionInputPaths &paths);
    void showStage(int stage);
    // View ▸ Theme: "system", "light" or "dark"; `remember` keeps it for the next start.
    void useTheme(const QString &theme, bool remember = true);
    int currentStage() const;
    // File ▸ Export Distribution without the file dialog: hashes the inputs and writes in the
    // background (with progress and Cancel); `done` gets the outcome on the GUI thread, unless
    // a newer export replaced this one. Returns an error at once when there is nothing to
    // export or the path is an input.
    using ExportDone = std::function<void(const Status &written)>;
    Status exportDistributionTo(const QString &path, ExportDone done = {});
    Status exportTableTo(const QString &path);
    QString workspacePath() const;
    WorkspaceSession *workspace() const { return m_workspace; }
    ReviewPage *reviewPage() const { return m_reviewPage; }
    // File ▸ Build BPB Matrix from Losses without its dialogs: aggregates in the background
    // (grouping: a LossGrouping; progress and Cancel in the status bar), writes `output`, and
    // opens it as the BPB matrix.
    void buildBpbFromLosses(const QStringList &lossFiles, int grouping, const QString &output);
    // Busy with a load, run, BPB build or export; Cancel stops all of them.
    bool isBusy() const;
    void cancelAll();

Q_SIGNALS:
    void bpbBuilt(const QString &path);

public:
    // Unsaved: parameters edited, or the Filter or Review stage changed since the last save/open.
    bool isDirty() const;

    enum Stage {
        DataStage,
        SelectionStage,
        DistributionStage,
        CompareStage,
        FilterStage,
        ReviewStage
    };

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createStages();
    void createStatusBar();
    void restoreSettings();
    void browseInput(const QString &role);
    void parametersEdited();
    void setDirty(bool dirty);
    bool maybeSave();
    bool saveWorkspaceAs();
    void updateTitle();
    // Open Recent: files that loaded, with their role ("bpb", "errors", "token_counts",
    // "workspace").
    void addRecent(const QString &path, const QString &role);
    void rebuildRecentMenu();
    void exportDistribution();
    void exportTable();
    void buildBpbWithDialogs();
    Workspace currentWorkspace() const;
    void applyTheme(const QString &theme);
    void applyViewState(const QJsonObject &view);
    void updateBusyIndicator();
    void showTaskProgress(double fraction, const QString &message);
    // A fresh Filter page (and session): its texts, filter and outputs belonged to the data
    // that was open before.
    void resetFilterPage();
    void showFilterSession(pcs::FilterSession *session);
    void reopenReviewProject(const QString &queuePath);
    QStringList stagesFingerprint() const;
    void markStagesSaved();
    void connectFilterStatus();

    WorkspaceSession *m_workspace;  // owns the sessions; outlives the pages (see ~MainWindow)
    SelectionSession *m_session;
    TextFocus *m_focus;
    QListWidget *m_stages = nullptr;
    QStackedWidget *m_pages = nullptr;
    DataPage *m_dataPage = nullptr;
    SelectionControls *m_controls = nullptr;
    FilterPage *m_filterPage = nullptr;
    ReviewPage *m_reviewPage = nullptr;
    ElidedLabel *m_status = nullptr;  // elided: a long message must not widen the window
    QString m_progressText;  // the last progress message shown in m_status
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    QMenu *m_recentMenu = nullptr;
    QAction *m_saveAction = nullptr;
    QAction *m_exportDistributionAction = nullptr;
    QAction *m_exportTableAction = nullptr;
    bool m_dirty = false;
    // What the Filter and Review stages were at the last save or open (stagesFingerprint).
    QStringList m_savedStages;
    QJsonObject m_pendingView;  // from an opened workspace, applied to its first outcome
public:
    // What Build BPB Matrix from Losses reports (public for BackgroundTask).
    struct BpbBuildReport {
        QString summary;
        QStringList dropped;  // the first dropped chunks, FILE:LINE: llm, chunk: reason
        qint64 droppedCount = 0;
    };

private:
    // The window's own background work, beside the session's load and runs.
    BackgroundTask<BpbBuildReport> *m_bpbBuild;
    BackgroundTask<Done> *m_export;
    ExportDone m_exportDone;  // for the latest export
};

}  // namespace pcs
