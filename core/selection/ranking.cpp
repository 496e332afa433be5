#include "core/selection/ranking.h"

#include <algorithm>
#include <bit>
#include <numeric>

namespace pcs::detail {

namespace {

constexpr std::uint64_t kSignBit = std::uint64_t(1) << 63;
constexpr std::uint64_t kExponentBits = std::uint64_t(0x7FF) << 52;

// The insertion sort gives up for std::sort after this many moves per item on average.
constexpr std::uint64_t kMovesPerItem = 8;
// A bucket with more items than this is bucket-sorted again.
constexpr std::uint32_t kCrowded = 8;
// Dense-middle detection leaves out up to this many values at either end.
constexpr std::uint32_t kOutliers = 4;

bool byKey(const ColumnRanker::Item &a, const ColumnRanker::Item &b)
{
    return a.key < b.key;
}

int bucketBitsFor(std::uint64_t count)
{
    return std::max(3, int(std::bit_width(count)) + 1);  // about two buckets per item
}

// Bucket b holds the keys whose offset from `low` has b as its leading bits. Keys below low
// or past the last bucket are clamped into the end buckets, which keeps the order.
struct Buckets {
    std::uint64_t low;
    int shift;
    std::uint32_t count;

    static Buckets spanning(std::uint64_t low, std::uint64_t high, std::uint32_t items)
    {
        const std::uint64_t range = high - low;
        const int shift = std::max(0, int(std::bit_width(range)) - bucketBitsFor(items));
        return { low, shift, std::uint32_t(range >> shift) + 1 };
    }
    // Clamp = false: every key is known to be in range (faster).
    template<bool Clamp> std::uint32_t of(std::uint64_t key) const
    {
        if constexpr (!Clamp)
            return std::uint32_t((key - low) >> shift);
        const std::uint64_t offset = key < low ? 0 : key - low;
        return std::uint32_t(std::min<std::uint64_t>(offset >> shift, count - 1));
    }
};

// Sets start[b] to the first slot of bucket b (start[count] = items); returns the largest
// bucket's size.
template<bool Clamp>
std::uint32_t histogram(const ColumnRanker::Item *items, std::uint32_t n, const Buckets &buckets,
                        std::uint32_t *start)
{
    std::fill(start, start + buckets.count + 1, 0u);
    for (std::uint32_t i = 0; i < n; ++i)
        ++start[buckets.of<Clamp>(items[i].key) + 1];
    std::uint32_t running = 0;
    std::uint32_t largest = 0;
    for (std::uint32_t b = 1; b <= buckets.count; ++b) {
        largest = std::max(largest, start[b]);
        running += start[b];
        start[b] = running;
    }
    return largest;
}

}  // namespace

ColumnRanker::ColumnRanker(Eigen::Index count)
    : m_loaded(std::size_t(count))
    , m_items(std::size_t(count))
{
    const int bits = bucketBitsFor(std::uint64_t(std::max<Eigen::Index>(count, 1)));
    for (auto &starts : m_bucketStart)
        starts.resize((std::size_t(1) << bits) + 1);
}

template<bool Gather>
Eigen::Index ColumnRanker::load(const double *column, const Eigen::Index *rows)
{
    const Eigen::Index n = size();
    std::uint64_t minKey = ~std::uint64_t(0);
    std::uint64_t maxKey = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
        // + 0.0 turns -0.0 into +0.0, which must tie with it.
        const double value = (Gather ? column[rows[i]] : column[i]) + 0.0;
        const auto bits = std::bit_cast<std::uint64_t>(value);
        if ((bits & kExponentBits) == kExponentBits)
            return i;
        // Negative values: flip every bit (larger magnitude = smaller); others: set the sign bit.
        const std::uint64_t key = bits ^ (std::uint64_t(std::int64_t(bits) >> 63) | kSignBit);
        m_loaded[std::size_t(i)] = { key, std::uint32_t(i) };
        minKey = std::min(minKey, key);
        maxKey = std::max(maxKey, key);
    }
    m_minKey = minKey;
    m_maxKey = maxKey;
    return -1;
}

Eigen::Index ColumnRanker::rank(const double *column, const Eigen::Index *rows)
{
    const Eigen::Index bad = rows ? load<true>(column, rows) : load<false>(column, rows);
    if (bad >= 0)
        return bad;
    distribute(m_loaded.data(), m_items.data(), std::uint32_t(size()), m_minKey, m_maxKey, 0);
    insertionSort();
    return -1;
}

void ColumnRanker::distribute(Item *from, Item *to, std::uint32_t count, std::uint64_t minKey,
                              std::uint64_t maxKey, int level)
{
    if (minKey == maxKey) {  // all equal: one run
        std::copy(from, from + count, to);
        return;
    }
    Buckets buckets = Buckets::spanning(minKey, maxKey, count);
    std::uint32_t *start = m_bucketStart[level].data();
    std::uint32_t largest = histogram<false>(from, count, buckets, start);
    bool clamped = false;
    // A few far values (an LLM that memorised the text, a broken one) would squeeze the others
    // into a few buckets: then spread the dense middle instead, clamping the few outside it
    // into the end buckets.
    if (largest > 2 && count > 4 * kOutliers) {
        std::uint32_t *end = start + buckets.count + 1;
        // Last bucket with at most kOutliers items before it; first with at most after it.
        const auto low = std::uint32_t(std::upper_bound(start, end, kOutliers) - start) - 1;
        const auto high
            = std::uint32_t(std::lower_bound(start + 1, end, count - kOutliers) - start) - 1;
        if (4 * (high - low + 1) <= buckets.count) {
            const std::uint64_t highKey = high + 1 == buckets.count
                ? maxKey
                : minKey + (std::uint64_t(high + 1) << buckets.shift) - 1;
            buckets
                = Buckets::spanning(minKey + (std::uint64_t(low) << buckets.shift), highKey, count);
            largest = histogram<true>(from, count, buckets, start);
            clamped = true;
        }
    }
    if (clamped) {
        for (std::uint32_t i = 0; i < count; ++i)
            to[start[buckets.of<true>(from[i].key)]++] = from[i];
    } else {
        for (std::uint32_t i = 0; i < count; ++i)
            to[start[buckets.of<false>(from[i].key)]++] = from[i];
    }
    if (largest <= kCrowded || level + 1 == kLevels)
        return;
    // start[b] is now the end of bucket b. Sort the crowded ones over their own range.
    for (std::uint32_t b = 0, begin = 0; b < buckets.count; begin = start[b++]) {
        const std::uint32_t size = start[b] - begin;
        if (size <= kCrowded)
            continue;
        std::uint64_t low = ~std::uint64_t(0), high = 0;
        for (std::uint32_t i = begin; i < start[b]; ++i) {
            low = std::min(low, to[i].key);
            high = std::max(high, to[i].key);
        }
        distribute(to + begin, from + begin, size, low, high, level + 1);
        std::copy(from + begin, from + start[b], to + begin);
    }
}

void ColumnRanker::insertionSort()
{
    // Only items within one bucket can be out of order now. Past a budget of moves (a
    // bucket still crowded after every level), std::sort takes over.
    Item *items = m_items.data();
    const auto n = std::uint32_t(size());
    std::uint64_t budget = kMovesPerItem * std::uint64_t(n);
    for (std::uint32_t i = 1; i < n; ++i) {
        const Item item = items[i];
        std::uint32_t j = i;
        for (; j > 0 && items[j - 1].key > item.key; --j)
            items[j] = items[j - 1];
        items[j] = item;
        budget -= std::min<std::uint64_t>(budget, i - j);
        if (budget == 0) {
            std::sort(items, items + n, byKey);
            return;
        }
    }
}

DoubledMidRanks doubledMidRanks(const Eigen::Ref<const Eigen::VectorXd> &values)
{
    const auto n = std::uint32_t(values.size());
    DoubledMidRanks result;
    result.doubled.resize(n);
    result.order.resize(n);
    std::iota(result.order.begin(), result.order.end(), 0u);
    std::stable_sort(result.order.begin(), result.order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return values[a] < values[b]; });
    for (std::uint32_t first = 0; first < n;) {
        std::uint32_t last = first;
        while (last + 1 < n && values[result.order[last + 1]] == values[result.order[first]])
            ++last;
        for (std::uint32_t p = first; p <= last; ++p)
            result.doubled[result.order[p]] = std::int64_t(first) + last + 2;
        const double t = double(last - first + 1);
        result.tieCubes += t * t * t - t;
        result.groupStart.push_back(first);
        first = last + 1;
    }
    result.groupStart.push_back(n);
    return result;
}

}  // namespace pcs::detail
