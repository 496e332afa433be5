#pragma once

#include "core/common/backgroundtask.h"
#include "core/selection/selectionrun.h"

#include <QObject>

#include <memory>
#include <optional>

namespace pcs {

// Which files a selection reads.
struct SelectionInputPaths {
    QString bpb;
    BpbLoadOptions bpbOptions;
    QString errors;
    QString tokenCounts;  // optional: without it every text counts equally
};

// What the user chose for a run.
struct SelectionParameters {
    QStringList benchmarks;  // empty = the default set (defaultBenchmarkSet)
    LlmMatching matching = LlmMatching::Exact;
    QString llmMapPath;  // an LLM map file (bpb_name,errors_name), read at each run; empty = none
    bool dedupeLlms = false;
    Combination combination = Combination::Mean;
    Estimator estimator = Estimator::Spearmanr;
    Projection projection = Projection::Linear;
    double keepRatio = 0.1;
    int threads = 0;

    bool operator==(const SelectionParameters &) const = default;
};

// The loaded files, shared read-only by every run and view.
struct SelectionData {
    SelectionInputPaths paths;
    std::shared_ptr<const BpbMatrix> bpb;
    BenchmarkErrors errors;
    Eigen::VectorXd tokens;  // per text, matched by name; empty = uniform
    Warnings warnings;
    double loadSeconds = 0.0;
};

// The result of one run: immutable, so views can hold it while the next run computes.
struct SelectionOutcome {
    SelectionParameters parameters;
    AlignedInputs aligned;
    SelectionTable table;
    Warnings warnings;
    double estimateSeconds = 0.0;
    double projectSeconds = 0.0;
};

// An estimate with what it was computed from.
struct EstimateCache {
    Estimator estimator = Estimator::Spearmanr;
    std::vector<Eigen::Index> bpbRows;
    Eigen::VectorXd errors;
    Eigen::VectorXd estimate;
};

// Owns the loaded data and the current outcome; loads and runs in the background.
// The latest request wins: a new request cancels the one in flight and stale results are dropped.
// A canceled or failed run leaves the previous outcome in place.
class SelectionSession final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SelectionSession)
public:
    explicit SelectionSession(QObject *parent = nullptr);
    ~SelectionSession() override;

    void load(const SelectionInputPaths &paths);
    void setParameters(const SelectionParameters &parameters);  // reruns when data is loaded
    void cancel();

    // A second estimate over the same alignment, for comparing estimators.
    void requestComparison(Estimator estimator);

    bool isBusy() const;
    std::shared_ptr<const SelectionData> data() const { return m_data; }
    std::shared_ptr<const SelectionOutcome> outcome() const { return m_outcome; }
    const SelectionParameters &parameters() const { return m_parameters; }
    std::optional<Estimator> comparisonEstimator() const { return m_comparisonEstimator; }
    const Eigen::VectorXd &comparisonEstimate() const { return m_comparisonEstimate; }

    // Blocks until the work in flight is over (tests and shutdown).
    void waitForIdle();

Q_SIGNALS:
    void busyChanged(bool busy);
    void progressChanged(int permille, const QString &activity);
    void loadFinished();
    void loadFailed(const pcs::Error &error);
    void outcomeChanged();
    void runFailed(const pcs::Error &error);
    void runCanceled();
    void comparisonChanged();

public:
    // What a run hands back (public for BackgroundTask).
    struct RunReply {
        std::shared_ptr<const SelectionOutcome> outcome;
        std::shared_ptr<const EstimateCache> cache;  // for the next run
    };

private:
    void startRun();
    void onLoaded(Result<std::shared_ptr<const SelectionData>> data);
    void onRun(Result<RunReply> reply);
    void onCompared(Result<Eigen::VectorXd> estimate);

    SelectionParameters m_parameters;
    std::shared_ptr<const SelectionData> m_data;
    std::shared_ptr<const SelectionOutcome> m_outcome;
    // The last estimate and what it was computed from (estimator, LLM rows and y), so that a
    // change that leaves those alone (projection, keep ratio, a matching that finds the same
    // LLMs) does not estimate again.
    std::shared_ptr<const EstimateCache> m_cache;
    std::optional<Estimator> m_comparisonEstimator;
    Eigen::VectorXd m_comparisonEstimate;

    // Declared last: destroyed first, so no work outlives the state above.
    BackgroundTask<std::shared_ptr<const SelectionData>> m_load;
    BackgroundTask<RunReply> m_run;
    BackgroundTask<Eigen::VectorXd> m_compare;
    BackgroundTaskGroup m_tasks;
};

}  // namespace pcs
