#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/selection/estimators.h"
#include "core/selection/selectionrun.h"

#include <Eigen/Core>

#include <span>

namespace pcs {

// `--standardize`: z-score each text's column (across the used LLMs) and the errors first, then
// estimate. Population standard deviations (divide by N). What it changes:
//   product   becomes (1/N) Σ_k z(y)_k z(X_j)_k = Pearson's r(y, X_j): the paper's intended
//             inner-product estimate, centred (unstandardized it tracks each text's mean BPB);
//   sign      becomes sign_j / sd_j (the sgn(y_l − y_k) factors do not change);
//   spearmanr, sign_cdf, sign_sign: unchanged (ranks are invariant to a positive affine map).
// A constant column has no z-score: its standardized estimate is 0 (no evidence), as
// spearmanr reports for it. Bit-identical for any thread count.
// Errors: those of estimate() (fewer than 3 LLMs, constant errors, non-finite values, ...).
Result<Eigen::VectorXd> estimateStandardized(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                                             std::span<const Eigen::Index> rows,
                                             const Eigen::Ref<const Eigen::VectorXd> &errors,
                                             const EstimateOptions &options = {},
                                             const TaskControl &control = TaskControl::none());

// estimateStandardized when `standardize`, else estimate().
Result<Eigen::VectorXd> estimateMaybeStandardized(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                                                  std::span<const Eigen::Index> rows,
                                                  const Eigen::Ref<const Eigen::VectorXd> &errors,
                                                  const EstimateOptions &options, bool standardize,
                                                  const TaskControl &control = TaskControl::none());

// estimateSelection (selectionrun.h), z-scored first when `standardize`; `range` as there.
Result<Eigen::VectorXd>
estimateSelectionMaybeStandardized(const SelectionInputs &inputs, const EstimateOptions &options,
                                   bool standardize, TextRange range,
                                   const TaskControl &control = TaskControl::none());
Result<Eigen::VectorXd>
estimateSelectionMaybeStandardized(const SelectionInputs &inputs, const EstimateOptions &options,
                                   bool standardize,
                                   const TaskControl &control = TaskControl::none());

}  // namespace pcs
