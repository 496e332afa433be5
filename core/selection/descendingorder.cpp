#include "core/selection/descendingorder.h"

#include "core/common/hugebuffer.h"
#include "core/common/parallel.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace pcs {

namespace {

constexpr int kDigitBits = 11;
constexpr int kDigits = (64 + kDigitBits - 1) / kDigitBits;  // 6
constexpr std::size_t kBuckets = std::size_t(1) << kDigitBits;
using Histogram = std::array<qint64, kBuckets>;

// Ascending key order = selection order: larger values get smaller keys; -0 is +0 (they tie);
// NaN gets the largest key, after every number.
std::uint64_t selectionKey(double value)
{
    if (std::isnan(value))
        return std::numeric_limits<std::uint64_t>::max();
    constexpr std::uint64_t sign = std::uint64_t(1) << 63;
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(value == 0 ? 0.0 : value);
    const std::uint64_t ascending = (bits & sign) != 0 ? ~bits : bits | sign;
    return ~ascending;
}

unsigned digitOf(std::uint64_t key, int digit)
{
    return unsigned(key >> (digit * kDigitBits)) & unsigned(kBuckets - 1);
}

// Index is the narrowest type that numbers every text (uint32 below 2^32 texts): each pass moves
// key and index, so 12 bytes a text instead of 16.
template<typename IndexType>
HugeBuffer<Eigen::Index> radixOrder(const Eigen::Ref<const Eigen::VectorXd> &estimate, int threads)
{
    const qint64 count = estimate.size();
    const int parts
        = int(std::max<qint64>(1, std::min<qint64>(resolveThreadCount(threads), count / 65536)));
    const qint64 partSize = (count + parts - 1) / parts;
    // Not zeroed (every element is written before it is read) and on huge pages: at 1e7 texts,
    // zeroing and 4 KB page faults took longer than the sort.
    const auto size = static_cast<std::size_t>(count);
    HugeBuffer<std::uint64_t> keys(size), keysOut(size);
    HugeBuffer<IndexType> order(size), orderOut(size);

    // One read for the keys and every digit's histogram: a digit equal for all texts is skipped.
    std::vector<std::array<Histogram, kDigits>> partCounts(static_cast<std::size_t>(parts));
    parallelFor(count, partSize, parts, TaskControl::none(), [&](qint64 begin, qint64 end) {
        auto &counts = partCounts[std::size_t(begin / partSize)];
        for (Histogram &histogram : counts)
            histogram.fill(0);
        for (qint64 j = begin; j < end; ++j) {
            const std::uint64_t key = selectionKey(estimate[j]);
            keys[std::size_t(j)] = key;
            order[std::size_t(j)] = IndexType(j);
            for (int digit = 0; digit < kDigits; ++digit)
                ++counts[std::size_t(digit)][digitOf(key, digit)];
        }
    });

    std::vector<Histogram> offsets(static_cast<std::size_t>(parts));
    bool permuted = false;
    for (int digit = 0; digit < kDigits; ++digit) {
        // Per part, where its texts of each bucket go: buckets in order, parts in order within a
        // bucket. That keeps equal digits in their current order: the sort is stable, so ties
        // stay in index order.
        qint64 next = 0;
        bool oneBucket = false;
        for (std::size_t bucket = 0; bucket < kBuckets && !oneBucket; ++bucket) {
            qint64 inBucket = 0;
            for (int part = 0; part < parts; ++part) {
                offsets[std::size_t(part)][bucket] = next;
                const qint64 n = partCounts[std::size_t(part)][std::size_t(digit)][bucket];
                next += n;
                inBucket += n;
            }
            oneBucket = inBucket == count;
        }
        if (oneBucket)
            continue;
        // After a pass has moved the texts, each part holds others: count them again (the read's
        // counts serve until then).
        if (permuted) {
            parallelFor(count, partSize, parts, TaskControl::none(), [&](qint64 begin, qint64 end) {
                Histogram &histogram
                    = partCounts[std::size_t(begin / partSize)][std::size_t(digit)];
                histogram.fill(0);
                for (qint64 j = begin; j < end; ++j)
                    ++histogram[digitOf(keys[std::size_t(j)], digit)];
            });
            qint64 position = 0;
            for (std::size_t bucket = 0; bucket < kBuckets; ++bucket)
                for (int part = 0; part < parts; ++part) {
                    offsets[std::size_t(part)][bucket] = position;
                    position += partCounts[std::size_t(part)][std::size_t(digit)][bucket];
                }
        }
        parallelFor(count, partSize, parts, TaskControl::none(), [&](qint64 begin, qint64 end) {
            Histogram &at = offsets[std::size_t(begin / partSize)];
            for (qint64 j = begin; j < end; ++j) {
                const std::uint64_t key = keys[std::size_t(j)];
                const std::size_t to = std::size_t(at[digitOf(key, digit)]++);
                keysOut[to] = key;
                orderOut[to] = order[std::size_t(j)];
            }
        });
        keys.swap(keysOut);
        order.swap(orderOut);
        permuted = true;
    }
    HugeBuffer<Eigen::Index> result(size);
    std::copy(order.data(), order.data() + size, result.data());
    return result;
}

}  // namespace

HugeBuffer<Eigen::Index> descendingOrder(const Eigen::Ref<const Eigen::VectorXd> &estimate,
                                         int threads)
{
    if (estimate.size() <= std::numeric_limits<std::uint32_t>::max())
        return radixOrder<std::uint32_t>(estimate, threads);
    return radixOrder<Eigen::Index>(estimate, threads);
}

}  // namespace pcs
