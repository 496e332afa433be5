#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace pcs::detail {

// Sorts one column of BPB values (one per LLM) so that the estimators can read its mid-ranks
// (DESIGN.md §3: tied values share the average of the ranks they span). One ranker serves
// every column a thread handles, so it allocates once.
//
// Ranking ~100 values a million times is what the rank estimators cost, so this is not a
// comparison sort: the values' bit patterns (monotone in the value) are bucket-sorted by
// their leading differing bits, about two buckets per value, then an insertion sort fixes
// the few collisions inside buckets. When a few far values (an LLM that memorised the text)
// squeeze the rest into a few buckets, the buckets span the dense middle instead and the
// far values are clamped into the end buckets. A crowded bucket (clustered values) is
// bucket-sorted again over its own range, twice at most; should the insertion sort still
// have too much to do, std::sort takes over: O(N log N) at worst. Since the insertion sort
// completes the job, the bucketing only decides the speed, never the result.
class ColumnRanker {
public:
    struct Item {
        std::uint64_t key;  // the value's bits, remapped so that unsigned order = value order
        std::uint32_t llm;  // index of the value in the loaded column
    };

    explicit ColumnRanker(Eigen::Index count);

    Eigen::Index size() const { return Eigen::Index(m_items.size()); }

    // Loads value i from column[rows[i]] (rows null: column[i]) and sorts. Returns -1, or the
    // first i whose value is not finite (then nothing is sorted).
    Eigen::Index rank(const double *column, const Eigen::Index *rows);

    // After rank(): the values in increasing order; equal values form contiguous runs whose
    // mid-rank is (first + last) / 2 + 1 for 0-based positions first..last.
    const Item *sorted() const { return m_items.data(); }

private:
    static constexpr int kLevels = 3;  // bucket sorts: the column, then crowded buckets twice

    template<bool Gather> Eigen::Index load(const double *column, const Eigen::Index *rows);
    // Bucket-sorts `from` into `to` (count items, keys in [minKey, maxKey]); may use `from`
    // as scratch afterwards.
    void distribute(Item *from, Item *to, std::uint32_t count, std::uint64_t minKey,
                    std::uint64_t maxKey, int level);
    void insertionSort();

    std::vector<Item> m_loaded;
    std::vector<Item> m_items;
    std::vector<std::uint32_t> m_bucketStart[kLevels];
    std::uint64_t m_minKey = 0;
    std::uint64_t m_maxKey = 0;
};

// Mid-ranks of `values` times two (integers: 2·midrank = first + last + 2), with the tie
// correction Σ_g (t_g³ − t_g) over the groups of tied values. O(N log N); for the errors y.
struct DoubledMidRanks {
    std::vector<std::int64_t> doubled;  // per value, in input order
    std::vector<std::uint32_t> order;  // value indices in increasing value order
    std::vector<std::uint32_t> groupStart;  // runs of equal values in `order`, plus the end
    double tieCubes = 0;  // Σ (t³ − t)
};
DoubledMidRanks doubledMidRanks(const Eigen::Ref<const Eigen::VectorXd> &values);

}  // namespace pcs::detail
