#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"

#include <QStringList>

#include <Eigen/Core>

#include <memory>
#include <optional>
#include <span>

namespace pcs {

namespace detail {
struct EstimatorState;
}

// The per-text estimators of Thrush et al. (arXiv 2409.05816), DESIGN.md §3.
// A positive estimate means lower BPB on the text goes with lower benchmark error.
enum class Estimator { Spearmanr, SignCdf, Sign, SignSign, Product };

QString estimatorName(Estimator estimator);  // "spearmanr", "sign_cdf", ...
std::optional<Estimator> estimatorFromName(const QString &name);
QStringList estimatorNames();

struct EstimateOptions {
    Estimator estimator = Estimator::Spearmanr;
    int threads = 0;  // 0 = one per core
    // The global index of column 0, for messages when `bpb` is one block of a larger matrix.
    Eigen::Index firstText = 0;
};

// Estimates one value per column (text) of `bpb`.
// bpb:    N_all x D BPB matrix (LLMs x texts), column-major.
// rows:   the rows (LLMs) to use, in the order that matches `errors`; empty = all rows in order.
//         Only these rows are read (gathered per column; the matrix is never copied).
// errors: benchmark error per used LLM (lower is better; raw perplexities are fine).
// Errors: fewer than 3 LLMs, constant errors, a non-finite error or used BPB value (naming
// the 0-based text and LLM), size mismatch, a row outside the matrix: BadInput; Canceled.
//
// Per column j (DESIGN.md §3, the paper's estimators; sgn(0) = 0; ranks are mid-ranks, taken
// down the column across the used LLMs):
//   spearmanr  Spearman's ρ(y, X[:,j]) = Pearson correlation of the mid-rank vectors
//   sign_cdf   2/(N(N−1)) Σ_{k<l} sgn(y_l − y_k)(F_lj − F_kj),  F_kj = midrank_j(X_kj)/N
//   sign       2/(N(N−1)) Σ_{k<l} sgn(y_l − y_k)(X_lj − X_kj)
//   sign_sign  2/(N(N−1)) Σ_{k<l} sgn(y_l − y_k) sgn(X_lj − X_kj)   (Kendall's τ-a)
//   product    (1/N) Σ_k y_k X_kj
// Ties get mid-ranks; the Python package breaks them arbitrarily, so it differs on ties.
// A constant column gives 0 for spearmanr (the correlation is undefined: no evidence) and
// naturally 0 for sign_cdf, sign and sign_sign. The rank estimators are computed in exact
// integer arithmetic and rounded once; every estimator gives bit-identical results for any
// thread count. Work is split over columns in blocks; progress is reported in columns.
Result<Eigen::VectorXd> estimate(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                                 std::span<const Eigen::Index> rows,
                                 const Eigen::Ref<const Eigen::VectorXd> &errors,
                                 const EstimateOptions &options = {},
                                 const TaskControl &control = TaskControl::none());

// What estimate() does, in the pieces a streamed matrix needs: prepare once for the errors,
// then estimate any columns in any order on any thread. estimate() itself is built on it, so
// the values are the same bits.
class ColumnEstimator {
public:
    ColumnEstimator(ColumnEstimator &&) noexcept;
    ColumnEstimator &operator=(ColumnEstimator &&) noexcept;
    ~ColumnEstimator();

    // Checks the errors and rows as estimate() does, for a matrix of `bpbRows` rows.
    static Result<ColumnEstimator> prepare(Eigen::Index bpbRows, std::span<const Eigen::Index> rows,
                                           const Eigen::Ref<const Eigen::VectorXd> &errors,
                                           Estimator estimator);

    // Estimates `count` columns of a column-major block (column j at columns + j * stride)
    // into out[0, count). Returns -1, or the first column that has a non-finite value in a used
    // row or overflows (the columns after it are not estimated). Thread-safe.
    Eigen::Index run(const double *columns, Eigen::Index stride, Eigen::Index count,
                     double *out) const;

    // The error estimate() reports for a column run() stopped at; `text` is its global index.
    Error columnError(const double *column, Eigen::Index text) const;

    // What prepare() computed (selection/estimatorstate.h).
    const detail::EstimatorState &prepared() const;

private:
    explicit ColumnEstimator(std::unique_ptr<detail::EstimatorState> state);
    std::unique_ptr<detail::EstimatorState> m_prepared;
};

}  // namespace pcs
