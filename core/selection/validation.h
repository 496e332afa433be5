#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/selection/estimators.h"
#include "core/selection/projection.h"

#include <QJsonObject>
#include <QStringList>

#include <Eigen/Core>

#include <span>
#include <vector>

namespace pcs {

// Held-out-LLM validation: does a selection chosen on some LLMs predict the others? For each of
// K folds the distribution is chosen on the other LLMs (estimate + projection); on the held-out
// LLMs the score is Spearman's ρ (mid-ranks) between their benchmark error and their BPB
// averaged under that distribution, Σ_j p_j X_ij. Higher is better: lower BPB on the chosen
// texts goes with lower error. Baselines on the same held-out LLMs: the uniform distribution
// over every text, and random selections of as many texts as the selection has (weight > 0),
// weighted equally (the mean over `randomDraws` draws per fold).
struct ValidationOptions {
    int folds = 5;  // K >= 2
    quint64 seed = 0;
    bool groupByFamily = false;  // hold out whole families (llmFamily), never split one
    int randomDraws = 20;  // random selections per fold
    Estimator estimator = Estimator::Spearmanr;
    bool standardize = false;
    Projection projection = Projection::Linear;
    int threads = 0;
};

struct ValidationFold {
    QStringList heldOut;  // the held-out LLMs' names
    qint64 selectedCount = 0;  // texts with weight > 0 in this fold's distribution
    double selected = 0;  // ρ under the selection
    double uniform = 0;  // ρ under the uniform distribution
    double random = 0;  // mean ρ over the random selections
};

struct ValidationSummary {
    double mean = 0;
    double sd = 0;  // over folds, sample sd (n − 1); 0 with one fold
};

struct ValidationResult {
    std::vector<ValidationFold> folds;
    ValidationSummary selected;
    ValidationSummary uniform;
    ValidationSummary random;
    int foldCount = 0;
    quint64 seed = 0;
    bool groupByFamily = false;
    int familyCount = 0;  // the groups that were held out whole (= N without grouping)

    // Whether the selection beats a baseline by more than the noise: the mean per-fold
    // difference exceeds twice its standard error.
    bool beatsUniform() const;
    bool beatsRandom() const;
    // One plain sentence for reports: "The selection predicts held-out LLMs better than both
    // baselines (...)", or says which baseline it does not beat.
    QString verdict() const;

    // {"folds": [{"held_out", "selected_texts", "selected", "uniform", "random"}, ...],
    //  "selected": {"mean", "sd"}, "uniform": {...}, "random": {...}, "k", "seed", "group_by",
    //  "groups", "beats_uniform", "beats_random", "verdict"}
    QJsonObject toJson() const;
};

// The family of an LLM named like "('family', 'org/model')": its first element; any other name
// is its own family.
QString llmFamily(const QString &llmName);

// Assigns each LLM a fold in [0, folds): shuffled by `seed`, whole groups (families) when
// `groupByFamily`, the largest groups first onto the smallest fold so folds stay balanced.
// Errors: fewer groups than folds, or a fold that would hold fewer than 3 LLMs (ρ needs 3).
Result<std::vector<int>> assignFolds(const QStringList &llms, int folds, quint64 seed,
                                     bool groupByFamily);

// Runs the validation. bpb/rows/errors as for estimate() (rows: the used LLMs in the order of
// `errors`), llms their names (parallel to errors), tau the caps. Progress in folds; Canceled.
// Errors: those of assignFolds, estimate() and project().
Result<ValidationResult>
validateSelection(const Eigen::Ref<const Eigen::MatrixXd> &bpb, std::span<const Eigen::Index> rows,
                  const Eigen::Ref<const Eigen::VectorXd> &errors, const QStringList &llms,
                  const Eigen::Ref<const Eigen::VectorXd> &tau, const ValidationOptions &options,
                  const TaskControl &control = TaskControl::none());

// Spearman's ρ of two vectors with mid-ranks (0 when either is constant).
double spearmanRho(const Eigen::Ref<const Eigen::VectorXd> &a,
                   const Eigen::Ref<const Eigen::VectorXd> &b);

}  // namespace pcs
