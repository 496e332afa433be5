#pragma once

#include "core/workspace/filtersession.h"
#include "core/workspace/workspacefile.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QWidget>

#include <optional>

class QCheckBox;
class QLabel;
class QProgressBar;
class QPushButton;

namespace pcs {

class ApplyPanel;
class EvaluationPanel;
class SelectionSession;
class TrainingPanel;

// The Filter stage: trains a fastText filter on texts labelled by the selection's distribution
// (or a distribution file), shows how it separates the held-out documents, lets the user pick
// the threshold, saves the model bundle and applies it to corpora. The work runs in the
// FilterSession, with progress and Cancel on the page; errors show inline, naming file and line.
class FilterPage final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FilterPage)
public:
    FilterPage(SelectionSession *selection, FilterSession *session, QWidget *parent = nullptr);
    ~FilterPage() override;

    FilterSession *session() const { return m_session; }
    TrainingPanel *trainingPanel() const { return m_training; }
    EvaluationPanel *evaluationPanel() const { return m_evaluation; }
    ApplyPanel *applyPanel() const { return m_apply; }

    // What the buttons do, without their file dialogs (also for tests). Each starts background
    // work and returns at once; an error is also shown on the page.
    void setTextFiles(const QStringList &files);
    // Only while no text file is listed; `buckets` > 0 also suggests fastText's bucket count
    // (small demo corpora need far fewer than the 2M default, which makes 800 MB models).
    void suggestTexts(const QStringList &files, int buckets = 0);
    void setDistributionFile(const QString &path);
    void useCurrentSelection();
    Status train();
    Status exportBundleTo(const QString &path, bool quantize);
    Status applyTo(const QStringList &inputs, const QString &output, ApplyMode mode);
    Status loadModelFrom(const QString &path);

    double threshold() const;

    // What a workspace keeps of this page (FilterStageSettings), and putting it back: a missing
    // model file is reported on the page, the rest is restored.
    FilterStageSettings stageSettings() const;
    void restoreStageSettings(const FilterStageSettings &settings);

    // "Training… 42.0% · about 12 s left": the ETA from the rate so far.
    static QString progressText(const QString &activity, int permille, qint64 elapsedMs);

private:
    QWidget *createExportBox();
    QWidget *createProgressRow();
    void connectSession();
    void exportWithDialog();
    void updateEnabled();
    Status fail(const Error &error);
    void clearError();
    void showStatus(const QString &text);

    SelectionSession *m_selection;
    FilterSession *m_session;
    // Distributions exported from the selection for training; kept while the page lives, since
    // a bundle's manifest hashes the distribution it was trained on.
    QTemporaryDir m_scratch;
    int m_trainings = 0;
    QElapsedTimer m_taskClock;
    // A threshold set by hand, from an opened workspace: applied again once its model loads.
    std::optional<double> m_restoredThreshold;  // since the task in flight started, for its ETA

    QLabel *m_error;
    QWidget *m_statusRow = nullptr;
    QLabel *m_status;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
    TrainingPanel *m_training;
    EvaluationPanel *m_evaluation;
    ApplyPanel *m_apply;
    QCheckBox *m_quantize;
    QPushButton *m_export;
    QLabel *m_exportStatus;
};

}  // namespace pcs
