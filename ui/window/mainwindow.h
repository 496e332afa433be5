#pragma once

#include "common/backgroundtask.h"
#include "workspace/selectionsession.h"
#include "workspace/workspacefile.h"

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
class SelectionControls;
class TextFocus;

// The workspace window: a stage sidebar (Data → Selection → Distribution → Compare, with room
// for Filter and Review), a progress bar with Cancel, workspace files and exports.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    SelectionSession *session() const { return m_session; }
    TextFocus *focus() const { return m_focus; }

    // Generates the demo dataset in the app's data folder and opens it.
    void openDemo();
    bool openWorkspace(const QString &path);
    bool saveWorkspaceTo(const QString &path);
    void loadInputs(const SelectionInputPaths &paths);
    void showStage(int stage);
    int currentStage() const;
    // File ▸ Export Distribution without the file dialog: hashes the inputs and writes in the
    // background (with progress and Cancel); `done` gets the outcome on the GUI thread, unless
    // a newer export replaced this one. Returns an error at once when there is nothing to
    // export or the path is an input.
    using ExportDone = std::function<void(const Status &written)>;
    Status exportDistributionTo(const QString &path, ExportDone done = {});
    Status exportTableTo(const QString &path);
    QString workspacePath() const { return m_workspacePath; }
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
    bool isDirty() const { return m_dirty; }

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
    void addRecent(const QString &path);
    void rebuildRecentMenu();
    void exportDistribution();
    void exportTable();
    void buildBpbWithDialogs();
    Workspace currentWorkspace() const;
    void applyTheme(const QString &theme);
    void applyViewState(const QJsonObject &view);
    void updateBusyIndicator();
    void showTaskProgress(double fraction, const QString &message);

    SelectionSession *m_session;
    TextFocus *m_focus;
    QListWidget *m_stages = nullptr;
    QStackedWidget *m_pages = nullptr;
    DataPage *m_dataPage = nullptr;
    SelectionControls *m_controls = nullptr;
    QLabel *m_status = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    QMenu *m_recentMenu = nullptr;
    QAction *m_saveAction = nullptr;
    QAction *m_exportDistributionAction = nullptr;
    QAction *m_exportTableAction = nullptr;
    QString m_workspacePath;
    bool m_dirty = false;
    QJsonObject m_pendingView;  // from an opened workspace, applied to its first outcome
    // The window's own background work, beside the session's load and runs.
    BackgroundTask<QString> *m_bpbBuild;  // answers with the status line
    BackgroundTask<Done> *m_export;
    ExportDone m_exportDone;  // for the latest export
};

}  // namespace pcs
