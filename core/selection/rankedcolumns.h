#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/selection/estimators.h"

#include <Eigen/Core>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace pcs {

// The rank estimators on resamples of the LLMs (with replacement) without ranking any column
// again. A resample is a multiset of the N LLMs: every copy of an LLM has the LLM's value, so
// in each column the resample's runs of equal values are the full data's runs, with each LLM
// counted as often as it was drawn (duplicated LLMs are ties, as estimate() sees them). Each
// column is sorted once; a resample then walks that order with its multiplicities, O(N) per
// text instead of O(N log N).
//
// Bit-identical to estimate() on the resampled matrix (rows repeated as drawn, in LLM order):
// the ranks' sums are the same exact integers and the last step is estimate()'s own code
// (estimatorstate.h). Covers spearmanr and sign_cdf; sign_sign (Kendall's count), sign and
// product (floating-point sums whose rounding follows the resampled row order) keep the
// general path.
class RankedColumns {
public:
    static bool supports(Estimator estimator);

    // Sorts every column of bpb over the used rows (empty = rows 0..n-1) for `llmCount` LLMs.
    // Nothing (the caller keeps the general path, which reports the problem) when a used value
    // is not finite, a row is outside the matrix, there are more than kMaxLlms LLMs, or the
    // control was canceled.
    static std::optional<RankedColumns> build(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                                              std::span<const Eigen::Index> rows,
                                              Eigen::Index llmCount, int threads,
                                              const TaskControl &control = TaskControl::none());

    // estimate(bpb, resampledRows, resampledErrors, {estimator, threads}) for the resample
    // with these multiplicities (per LLM, summing to resampledRows.size()): resampledRows lists
    // the used row of LLM i counts[i] times in LLM order, resampledErrors its error likewise.
    // The same errors as estimate() for those inputs; Canceled.
    Result<Eigen::VectorXd> estimate(std::span<const int> counts,
                                     std::span<const Eigen::Index> resampledRows,
                                     const Eigen::Ref<const Eigen::VectorXd> &resampledErrors,
                                     Estimator estimator, int threads,
                                     const TaskControl &control = TaskControl::none()) const;

    // One byte per entry up to 128 LLMs, two up to this (the top bit marks a run's start).
    static constexpr Eigen::Index kMaxLlms = 32768;

private:
    Eigen::Index m_llms = 0;
    Eigen::Index m_texts = 0;
    Eigen::Index m_bpbRows = 0;
    // Per text, its LLMs in increasing value; the top bit set where a run of equal values
    // starts. Only one of the two is used, by the LLM count.
    std::vector<std::uint8_t> m_narrow;
    std::vector<std::uint16_t> m_wide;
};

}  // namespace pcs
