#include "core/selection/rankedcolumns.h"

#include "core/common/parallel.h"
#include "core/selection/estimatorstate.h"
#include "core/selection/ranking.h"

#include <atomic>

namespace pcs {

namespace {

using Eigen::Index;

constexpr Index kBlockSize = 4096;
constexpr Index kNarrowLlms = 128;

template<class Entry> constexpr Entry kRunStart = Entry(Entry(1) << (sizeof(Entry) * 8 - 1));

// Writes each column's sorted LLMs into `order` (n entries per column). False when a used
// value is not finite or the control was canceled.
template<class Entry>
bool sortColumns(const Eigen::Ref<const Eigen::MatrixXd> &bpb, const Index *rows, Index n,
                 int threads, const TaskControl &control, Entry *order)
{
    std::atomic<bool> nonFinite { false };
    const Index stride = bpb.outerStride();
    const bool finished
        = parallelFor(bpb.cols(), kBlockSize, threads, control, [&](qint64 begin, qint64 end) {
              detail::ColumnRanker ranker(n);
              for (Index j = begin; j < end; ++j) {
                  if (ranker.rank(bpb.data() + j * stride, rows) >= 0) {
                      nonFinite = true;
                      return;
                  }
                  const detail::ColumnRanker::Item *items = ranker.sorted();
                  Entry *column = order + j * n;
                  for (Index p = 0; p < n; ++p) {
                      const bool starts = p == 0 || items[p].key != items[p - 1].key;
                      column[p] = Entry(items[p].llm | (starts ? kRunStart<Entry> : 0));
                  }
              }
          });
    return finished && !nonFinite.load();
}

// S = Σ_runs (Σ_{LLMs in the run} count·w) · 2·midrank and Σ_runs (t³ − t), t = Σ count:
// the sums estimate() takes over the resampled column, whose runs are these with each LLM
// repeated `count` times (a run of t values at positions first.. has 2·midrank 2·first + t + 1).
// Both exact integers (t³ ≤ 2^45), so summed as integers they equal estimate()'s doubles.
template<class Entry>
double resampledEstimate(const Entry *column, Index n, const std::int64_t *count,
                         const std::int64_t *weight, const detail::EstimatorState &prep)
{
    std::int64_t s = 0, tieCubes = 0;
    std::int64_t first = 0, t = 0, runWeight = 0;
    for (Index p = 0; p < n; ++p) {
        const Entry entry = column[p];
        if (entry & kRunStart<Entry>) {
            s += runWeight * (2 * first + t + 1);
            tieCubes += t * t * t - t;
            first += t;
            t = 0;
            runWeight = 0;
        }
        const Entry llm = entry & Entry(kRunStart<Entry> - 1);
        t += count[llm];
        runWeight += weight[llm];
    }
    s += runWeight * (2 * first + t + 1);
    tieCubes += t * t * t - t;
    return detail::rankEstimateFromSums(prep, s, double(tieCubes));
}

}  // namespace

bool RankedColumns::supports(Estimator estimator)
{
    return estimator == Estimator::Spearmanr || estimator == Estimator::SignCdf;
}

std::optional<RankedColumns> RankedColumns::build(const Eigen::Ref<const Eigen::MatrixXd> &bpb,
                                                  std::span<const Index> rows, Index llmCount,
                                                  int threads, const TaskControl &control)
{
    if (llmCount < 1 || llmCount > kMaxLlms)
        return std::nullopt;
    if (rows.empty() ? bpb.rows() < llmCount : Index(rows.size()) != llmCount)
        return std::nullopt;
    for (Index row : rows) {
        if (row < 0 || row >= bpb.rows())
            return std::nullopt;
    }
    RankedColumns ranked;
    ranked.m_llms = llmCount;
    ranked.m_texts = bpb.cols();
    ranked.m_bpbRows = bpb.rows();
    const std::size_t entries = std::size_t(llmCount) * std::size_t(bpb.cols());
    const Index *rowList = rows.empty() ? nullptr : rows.data();
    bool sorted = false;
    if (llmCount <= kNarrowLlms) {
        ranked.m_narrow.resize(entries);
        sorted = sortColumns(bpb, rowList, llmCount, threads, control, ranked.m_narrow.data());
    } else {
        ranked.m_wide.resize(entries);
        sorted = sortColumns(bpb, rowList, llmCount, threads, control, ranked.m_wide.data());
    }
    if (!sorted)
        return std::nullopt;
    return ranked;
}

Result<Eigen::VectorXd>
RankedColumns::estimate(std::span<const int> counts, std::span<const Index> resampledRows,
                        const Eigen::Ref<const Eigen::VectorXd> &resampledErrors,
                        Estimator estimator, int threads, const TaskControl &control) const
{
    if (!supports(estimator))
        return Error::badInput(QStringLiteral("%1 is not computed from resampled ranks")
                                   .arg(estimatorName(estimator)));
    // estimate()'s own checks and preparation of the resampled errors.
    auto prepared = ColumnEstimator::prepare(m_bpbRows, resampledRows, resampledErrors, estimator);
    if (!prepared)
        return prepared.error();
    const detail::EstimatorState &prep = prepared->prepared();
    if (Index(counts.size()) != m_llms)
        return Error::badInput(
            QStringLiteral("%1 multiplicities for %2 ranked LLMs").arg(counts.size()).arg(m_llms));
    // Per LLM: how often it was drawn and the w of its copies together (one error, one w).
    std::vector<std::int64_t> count(static_cast<std::size_t>(m_llms));
    std::vector<std::int64_t> weight(count.size());
    Index position = 0;
    for (Index i = 0; i < m_llms; ++i) {
        const int drawn = counts[std::size_t(i)];
        if (drawn < 0 || position + drawn > prep.n)
            return Error::badInput(
                QStringLiteral("the multiplicities do not sum to the %1 resampled rows")
                    .arg(prep.n));
        count[std::size_t(i)] = drawn;
        weight[std::size_t(i)] = drawn > 0 ? drawn * prep.w[std::size_t(position)] : 0;
        position += drawn;
    }
    if (position != prep.n)
        return Error::badInput(
            QStringLiteral("the multiplicities do not sum to the %1 resampled rows").arg(prep.n));

    Eigen::VectorXd out(m_texts);
    const bool finished
        = parallelFor(m_texts, kBlockSize, threads, control, [&](qint64 begin, qint64 end) {
              for (Index j = begin; j < end; ++j) {
                  out[j] = m_narrow.empty()
                      ? resampledEstimate(m_wide.data() + j * m_llms, m_llms, count.data(),
                                          weight.data(), prep)
                      : resampledEstimate(m_narrow.data() + j * m_llms, m_llms, count.data(),
                                          weight.data(), prep);
              }
          });
    if (!finished)
        return Error::canceled();
    return out;
}

}  // namespace pcs
