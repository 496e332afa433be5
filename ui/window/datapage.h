#pragma once

#include "workspace/selectionsession.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;

namespace pcs {

// The Data stage: which files are loaded, what was found in them (layout, N, D, benchmarks,
// dropped LLMs with reasons) and the benchmarks to average. Load errors show inline.
class DataPage : public QWidget {
    Q_OBJECT
public:
    explicit DataPage(SelectionSession *session, QWidget *parent = nullptr);

    void setPaths(const SelectionInputPaths &paths);
    SelectionInputPaths paths() const;
    void showError(const Error &error);
    void clearError();

Q_SIGNALS:
    // The user asked for a file of this role ("bpb", "errors", "token_counts") to be chosen.
    void browseRequested(const QString &role);
    void loadRequested();
    void benchmarksChosen(const QStringList &benchmarks);

private:
    void refreshSummary();
    void refreshBenchmarks();
    QStringList checkedBenchmarks() const;

    SelectionSession *m_session;
    QLineEdit *m_bpbPath;
    QLineEdit *m_errorsPath;
    QLineEdit *m_tokensPath;
    QLabel *m_error;
    QLabel *m_summary;
    QListWidget *m_benchmarks;
    QPlainTextEdit *m_dropped;
    bool m_updatingBenchmarks = false;
};

}  // namespace pcs
