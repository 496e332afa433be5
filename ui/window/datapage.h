#pragma once

#include "core/workspace/selectionsession.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace pcs {

class ElidedLabel;

// How the two files are put together: the Data page's choices.
struct AlignmentChoice {
    LlmMatching matching = LlmMatching::Exact;
    QString llmMapPath;  // empty = no map
    bool dedupeLlms = false;
    Combination combination = Combination::Mean;
};

// The Data stage: which files are loaded, what was found in them (layout, N, D, benchmarks with
// their metric and error mapping, grouped; LLMs not used with reasons and the closest names;
// duplicates), how LLMs are matched and how the benchmarks are combined. Load errors show
// inline.
class DataPage : public QWidget {
    Q_OBJECT
public:
    explicit DataPage(SelectionSession *session, QWidget *parent = nullptr);

    void setPaths(const SelectionInputPaths &paths);
    SelectionInputPaths paths() const;
    // Shows the matching and combination of `parameters` (a workspace, a reverted choice).
    void setParameters(const SelectionParameters &parameters);
    // The map file chosen after browseRequested("llm_map"): matching by the map from now on.
    void chooseLlmMap(const QString &path);
    void showError(const Error &error);
    void clearError();
    // A load has started: what was found in the previous files is no longer shown.
    void showLoading();
    // After Build BPB Matrix from Losses: what was built and the chunks it dropped.
    void showBuildReport(const QString &summary, const QStringList &dropped, qint64 droppedCount);
    // An error in the words of this page: a CLI flag becomes the control that sets it.
    static QString guiErrorText(const Error &error);

Q_SIGNALS:
    // The user asked for a file of this role ("bpb", "errors", "token_counts", "llm_map").
    void browseRequested(const QString &role);
    void loadRequested();
    void benchmarksChosen(const QStringList &benchmarks);  // empty = the default set
    void alignmentChosen(const pcs::AlignmentChoice &choice);

private:
    QWidget *createBenchmarkBox();
    QWidget *createLlmBox();
    void refreshSummary();
    void clearFound(const QString &summary);
    void pathsEdited();
    void refreshBenchmarks();
    void refreshChecks();
    void refreshLlms();
    void matchChanged();
    void emitAlignment();
    QStringList checkedBenchmarks() const;

    SelectionSession *m_session;
    QLineEdit *m_bpbPath;
    QLineEdit *m_errorsPath;
    QLineEdit *m_tokensPath;
    QComboBox *m_layout;
    QLabel *m_error;
    QLabel *m_buildReport;
    QLabel *m_summary;
    QComboBox *m_combine;
    QLabel *m_combineHelp;
    QTreeWidget *m_benchmarks;
    QPushButton *m_defaultBenchmarks;
    QComboBox *m_match;
    ElidedLabel *m_mapPath;  // elided: a long path must not widen the window
    QPushButton *m_chooseMap;
    QCheckBox *m_dedupe;
    QTreeWidget *m_dropped;  // duplicates and LLMs not used, with reasons
    QString m_llmMapPath;  // the last map chosen, kept while another matching is in use
    LlmMatching m_restMatching = LlmMatching::Exact;  // with a map: for the names it leaves out
    SelectionInputPaths m_errorPaths;  // the paths the shown error is about
    bool m_updating = false;  // set while the page itself changes controls: no signals then
};

}  // namespace pcs
