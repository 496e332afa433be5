#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/selection/estimators.h"
#include "core/selection/projection.h"

#include <QJsonObject>

#include <Eigen/Core>

#include <span>
#include <vector>

namespace pcs {

// How much to believe a selection: the LLMs are resampled with replacement B times and the
// estimate and the projection rerun on each resample (a nonparametric bootstrap over LLMs,
// the unit the paper samples; texts are fixed).
struct BootstrapOptions {
    int resamples = 200;  // B >= 1
    quint64 seed = 0;
    double level = 0.9;  // of the percentile interval, in (0, 1)
    Estimator estimator = Estimator::Spearmanr;
    bool standardize = false;  // see standardize.h
    Projection projection = Projection::Linear;
    int threads = 0;  // 0 = one per core
};

// A text counts as stably selected when it gets weight > 0 in at least this share of resamples.
inline constexpr double kStableSelectionShare = 0.9;

struct BootstrapResult {
    // Per text (size D): the percentile interval of the estimate over the resamples and the
    // share of resamples in which the text gets weight > 0.
    Eigen::VectorXd ciLow;
    Eigen::VectorXd ciHigh;
    Eigen::VectorXd pSelected;
    // Selection stability. Jaccard overlap |S_b ∩ S| / |S_b ∪ S| of each resample's selected
    // set S_b (weight > 0) with the full-data one S; its mean and the texts selected in at least
    // kStableSelectionShare of the resamples.
    std::vector<double> jaccard;  // per resample, in resample order
    double meanJaccard = 0;
    qint64 fullSelectedCount = 0;  // |S|
    qint64 stableCount = 0;
    // Resamples whose errors were all equal were drawn again (see bootstrapSelection).
    qint64 redrawn = 0;
    int resamples = 0;
    quint64 seed = 0;
    double level = 0;

    // {"resamples", "seed", "level", "interval": "percentile", "mean_jaccard",
    //  "selected_full", "stable_selected", "stable_share", "redrawn"} for the run report.
    QJsonObject toJson() const;
};

// The multiplicity of each LLM (count in the resample; they sum to N) for resample `index` of
// `seed`: N draws with replacement from a generator seeded by (seed, index) alone, so a
// resample never depends on the others, the thread count or the order they run in. The draws
// are exactly uniform (SplitMix64 and rejection sampling, the same on every platform).
std::vector<int> bootstrapMultiplicities(quint64 seed, int index, int llmCount);

// Runs the bootstrap. bpb, rows and errors as for estimate() (rows: the used LLMs, empty = all);
// tau the caps; fullWeight the full-data distribution (weight > 0 = selected) for the overlap.
// A resample in which every drawn LLM has the same error has nothing to correlate: it is drawn
// again from the same (seed, index) stream, and `redrawn` counts how often (an error after 1000
// redraws of one resample, which only tiny, almost constant inputs reach).
// Percentile interval (Hyndman & Fan type 7, numpy's default): with the B estimates sorted,
// x(h) for h = (B − 1)q, interpolated linearly between the neighbouring order statistics, at
// q = (1 − level)/2 and (1 + level)/2. Bit-identical for any thread count. Progress is
// reported in resamples; Canceled when the control is canceled.
// Errors: B < 1, level outside (0, 1), sizes that do not match, and whatever estimate() and
// project() refuse (BadInput).
Result<BootstrapResult> bootstrapSelection(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                                           std::span<const Eigen::Index> rows,
                                           const Eigen::Ref<const Eigen::VectorXd> &errors,
                                           const Eigen::Ref<const Eigen::VectorXd> &tau,
                                           const Eigen::Ref<const Eigen::VectorXd> &fullWeight,
                                           const BootstrapOptions &options,
                                           const TaskControl &control = TaskControl::none());

// The same over resamples given as multiplicity vectors (each of size N, summing to N):
// used by tests that enumerate every resample of a tiny input. Resamples with constant errors
// are refused (BadInput) rather than redrawn.
Result<BootstrapResult> bootstrapOverResamples(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                                               std::span<const Eigen::Index> rows,
                                               const Eigen::Ref<const Eigen::VectorXd> &errors,
                                               const Eigen::Ref<const Eigen::VectorXd> &tau,
                                               const Eigen::Ref<const Eigen::VectorXd> &fullWeight,
                                               const std::vector<std::vector<int>> &multiplicities,
                                               const BootstrapOptions &options,
                                               const TaskControl &control = TaskControl::none());

// The type-7 percentile of sorted values (h = (n − 1)q, linear between neighbours).
double percentileOfSorted(std::span<const double> sorted, double q);

}  // namespace pcs
