#pragma once

#include "core/selection/ranking.h"

#include <cstdint>
#include <vector>

namespace pcs::detail {

// The numerator of Kendall's τ-a (the `sign_sign` estimator, DESIGN.md §3),
//   C = Σ_{k<l} sgn(y_l − y_k) · sgn(x_l − x_k),
// exact with ties in both y and x. The LLMs are visited once in increasing y, a tie group of
// y at a time; each LLM adds (#earlier with smaller x) − (#earlier with larger x), where
// "earlier" = strictly smaller y. The earlier LLMs are kept as a bitset over their sorted-x
// positions, so both counts are popcounts of a prefix: O(N²/64) word operations per column
// (N ≤ 1024), or O(N log N) with a Fenwick tree over the words for more LLMs.
class KendallCounter {
public:
    // yOrder: LLMs in increasing y; yGroupStart: where each run of equal y starts in yOrder,
    // followed by N (both from doubledMidRanks(y)).
    KendallCounter(const std::vector<std::uint32_t> &yOrder,
                   std::vector<std::uint32_t> yGroupStart);

    // C for the column last ranked by `ranker` (which must rank the same N LLMs).
    std::int64_t count(const ColumnRanker &ranker);

    static constexpr int kMaxScannedWords = 16;

private:
    std::vector<std::uint32_t> m_yRankOf;  // per LLM: its position in increasing y
    std::vector<std::uint32_t> m_yGroupStart;
    // Indexed by position in increasing y: the LLM's position in the sorted column, and the
    // first and one-past-last positions of its run of equal x.
    std::vector<std::uint32_t> m_position;
    std::vector<std::uint32_t> m_runBegin;
    std::vector<std::uint32_t> m_runEnd;
    std::vector<std::uint64_t> m_bits;
    std::vector<std::int64_t> m_wordTree;  // Fenwick tree of per-word counts (many LLMs only)
};

}  // namespace pcs::detail
