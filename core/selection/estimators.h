#pragma once

#include "common/result.h"
#include "common/taskcontrol.h"

#include <QStringList>

#include <Eigen/Core>

#include <optional>
#include <span>

namespace pcs {

// The per-text estimators of Thrush et al. (arXiv 2409.05816), DESIGN.md §3.
// A positive estimate means lower BPB on the text goes with lower benchmark error.
enum class Estimator { Spearmanr, SignCdf, Sign, SignSign, Product };

QString estimatorName(Estimator estimator);  // "spearmanr", "sign_cdf", ...
std::optional<Estimator> estimatorFromName(const QString &name);
QStringList estimatorNames();

struct EstimateOptions {
    Estimator estimator = Estimator::Spearmanr;
    int threads = 0;  // 0 = one per core
};

// Estimates one value per column (text) of `bpb`.
// bpb:    N_all x D BPB matrix (LLMs x texts), column-major.
// rows:   the rows (LLMs) to use, in the order that matches `errors`; empty = all rows in order.
// errors: benchmark error per used LLM (lower is better).
// Errors: fewer than 3 LLMs, constant errors, non-finite input, size mismatch; Canceled.
Result<Eigen::VectorXd> estimate(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                                 std::span<const Eigen::Index> rows,
                                 const Eigen::Ref<const Eigen::VectorXd> &errors,
                                 const EstimateOptions &options = {},
                                 const TaskControl &control = TaskControl::none());

}  // namespace pcs
