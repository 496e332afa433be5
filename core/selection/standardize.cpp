#include "core/selection/standardize.h"

#include "core/common/parallel.h"

#include <algorithm>
#include <cmath>

// Only product and sign change under z-scoring; see standardize.h. The values are computed
// from centred columns (two passes per column) rather than by rescaling the raw estimate, so
// a column whose spread is small against its mean (BPB ≈ 1 ± 0.05) loses nothing to
// cancellation.

namespace pcs {

namespace {

using Eigen::Index;

constexpr Index kBlockSize = 4096;

double valueAt(const Eigen::Ref<const Eigen::MatrixXd> &bpb, std::span<const Index> rows, Index k,
               Index j)
{
    return bpb(rows.empty() ? k : rows[std::size_t(k)], j);
}

}  // namespace

Result<Eigen::VectorXd> estimateStandardized(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                                             std::span<const Index> rows,
                                             const Eigen::Ref<const Eigen::VectorXd> &errors,
                                             const EstimateOptions &options,
                                             const TaskControl &control)
{
    // estimate() checks every input (sizes, finiteness, constant errors) with its messages.
    auto raw = estimate(bpb, rows, errors, options, control);
    if (!raw)
        return raw;
    const Estimator estimator = options.estimator;
    if (estimator != Estimator::Product && estimator != Estimator::Sign)
        return raw;  // rank estimators: ranks do not change under a positive affine map

    const Index n = errors.size();
    const double yMean = errors.mean();
    const double ySd = std::sqrt((errors.array() - yMean).square().sum() / double(n));
    const Eigen::VectorXd z = (errors.array() - yMean) / ySd;  // ySd > 0: errors not constant
    Eigen::VectorXd out = std::move(raw).value();
    const bool finished = parallelFor(
        out.size(), kBlockSize, options.threads, control, [&](qint64 begin, qint64 end) {
            for (Index j = begin; j < end; ++j) {
                double sum = 0;
                for (Index k = 0; k < n; ++k)
                    sum += valueAt(bpb, rows, k, j);
                const double mean = sum / double(n);
                double squares = 0, cross = 0;
                for (Index k = 0; k < n; ++k) {
                    const double centred = valueAt(bpb, rows, k, j) - mean;
                    squares += centred * centred;
                    cross += z[k] * centred;
                }
                const double sd = std::sqrt(squares / double(n));
                if (!(sd > 0)) {
                    out[j] = 0;  // a constant column has no z-score: no evidence
                } else if (estimator == Estimator::Product) {
                    // (1/N) Σ z(y)_k z(x)_k, a Pearson correlation: clamp the last rounding.
                    out[j] = std::clamp(cross / (double(n) * sd), -1.0, 1.0);
                } else {
                    out[j] /= sd;  // sgn(y_l − y_k) is unchanged by z-scoring y
                }
            }
        });
    if (!finished)
        return Error::canceled();
    return out;
}

Result<Eigen::VectorXd> estimateMaybeStandardized(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                                                  std::span<const Index> rows,
                                                  const Eigen::Ref<const Eigen::VectorXd> &errors,
                                                  const EstimateOptions &options, bool standardize,
                                                  const TaskControl &control)
{
    if (standardize)
        return estimateStandardized(bpb, rows, errors, options, control);
    return estimate(bpb, rows, errors, options, control);
}

Result<Eigen::VectorXd> estimateSelectionMaybeStandardized(const SelectionInputs &inputs,
                                                           const EstimateOptions &options,
                                                           bool standardize, TextRange range,
                                                           const TaskControl &control)
{
    if (range.isEmpty())
        return Eigen::VectorXd();
    return estimateMaybeStandardized(inputs.bpb->values.middleCols(range.first, range.size()),
                                     inputs.aligned.bpbRows, inputs.aligned.errors, options,
                                     standardize, control);
}

Result<Eigen::VectorXd> estimateSelectionMaybeStandardized(const SelectionInputs &inputs,
                                                           const EstimateOptions &options,
                                                           bool standardize,
                                                           const TaskControl &control)
{
    return estimateMaybeStandardized(inputs.bpb->values, inputs.aligned.bpbRows,
                                     inputs.aligned.errors, options, standardize, control);
}

}  // namespace pcs
