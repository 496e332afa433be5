#include "ui/charts/downsample.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <utility>

namespace pcs::charts {

std::vector<std::int64_t> minMaxDownsample(std::span<const double> values, std::int64_t buckets)
{
    const auto n = std::int64_t(values.size());
    std::vector<std::int64_t> kept;
    if (n == 0)
        return kept;
    buckets = std::clamp<std::int64_t>(buckets, 1, n);
    kept.reserve(std::size_t(2 * buckets + 2));
    kept.push_back(0);
    for (std::int64_t b = 0; b < buckets; ++b) {
        // Integer bounds so that every index falls in exactly one bucket.
        const std::int64_t begin = b * n / buckets;
        const std::int64_t end = (b + 1) * n / buckets;
        std::int64_t lo = -1;
        std::int64_t hi = -1;
        for (std::int64_t i = begin; i < end; ++i) {
            const double v = values[std::size_t(i)];
            if (!std::isfinite(v))
                continue;
            if (lo < 0 || v < values[std::size_t(lo)])
                lo = i;
            if (hi < 0 || v > values[std::size_t(hi)])
                hi = i;
        }
        if (lo < 0)
            continue;
        const std::int64_t first = std::min(lo, hi);
        const std::int64_t second = std::max(lo, hi);
        if (first != kept.back())
            kept.push_back(first);
        if (second != kept.back())
            kept.push_back(second);
    }
    if (kept.back() != n - 1)
        kept.push_back(n - 1);
    return kept;
}

namespace {

std::uint64_t splitmix64(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

std::vector<std::int64_t> stratifiedSample(std::int64_t n, std::int64_t count, std::uint64_t seed)
{
    std::vector<std::int64_t> sample;
    if (n <= 0 || count <= 0)
        return sample;
    if (count >= n) {
        sample.resize(std::size_t(n));
        for (std::int64_t i = 0; i < n; ++i)
            sample[std::size_t(i)] = i;
        return sample;
    }
    sample.reserve(std::size_t(count));
    const std::uint64_t key = splitmix64(seed);
    for (std::int64_t s = 0; s < count; ++s) {
        const std::int64_t begin = s * n / count;
        const std::int64_t size = (s + 1) * n / count - begin;  // >= 1 since count < n
        // The top 53 bits as a fraction in [0, 1): no modulo bias worth speaking of.
        const double u = double(splitmix64(key ^ std::uint64_t(s)) >> 11) * 0x1.0p-53;
        sample.push_back(begin + std::min(size - 1, std::int64_t(u * double(size))));
    }
    return sample;
}

std::vector<int> stableSortDescending(std::span<const int> indices, std::span<const double> values,
                                      std::vector<double> *sortedValues)
{
    struct Item {
        std::uint64_t key;  // ascending key order = descending values
        int index;
    };
    std::vector<Item> items(indices.size()), scratch(indices.size());
    for (std::size_t i = 0; i < indices.size(); ++i) {
        const double v = values[std::size_t(indices[i])];
        std::uint64_t bits = std::bit_cast<std::uint64_t>(v == 0 ? 0.0 : v);  // -0 == +0
        // Unsigned order of the mapped bits = numeric order; then inverted for descending.
        bits = (bits >> 63) ? ~bits : bits | (std::uint64_t(1) << 63);
        items[i] = { std::isnan(v) ? ~std::uint64_t(0) : ~bits, indices[i] };
    }
    // 8-bit digits: 256 buckets stay in cache while scattering (16-bit ones were 2x slower).
    constexpr int kDigits = 8;
    std::vector<std::array<std::size_t, 256>> count(kDigits);  // all histograms in one read
    for (const Item &item : items)
        for (int d = 0; d < kDigits; ++d)
            ++count[std::size_t(d)][(item.key >> (8 * d)) & 0xff];
    for (int d = 0; d < kDigits; ++d) {
        auto &histogram = count[std::size_t(d)];
        // A digit that all keys share (common: weights of similar size) needs no pass.
        if (std::find(histogram.begin(), histogram.end(), items.size()) != histogram.end())
            continue;
        std::size_t start = 0;
        for (std::size_t &c : histogram)
            start += std::exchange(c, start);
        for (const Item &item : items)
            scratch[histogram[(item.key >> (8 * d)) & 0xff]++] = item;
        items.swap(scratch);
    }
    std::vector<int> sorted(items.size());
    for (std::size_t i = 0; i < items.size(); ++i)
        sorted[i] = items[i].index;
    if (sortedValues) {
        sortedValues->resize(items.size());
        for (std::size_t i = 0; i < items.size(); ++i) {
            const std::uint64_t mapped = ~items[i].key;  // undo the mapping above
            const std::uint64_t bits
                = (mapped >> 63) ? mapped & ~(std::uint64_t(1) << 63) : ~mapped;
            (*sortedValues)[i] = mapped == 0 ? values[std::size_t(items[i].index)]  // NaN
                                             : std::bit_cast<double>(bits);
        }
    }
    return sorted;
}

std::vector<int> orderFromRanks(const Eigen::Ref<const Eigen::VectorXi> &rank)
{
    const auto d = rank.size();
    std::vector<int> order(std::size_t(d), -1);
    for (Eigen::Index j = 0; j < d; ++j) {
        const int r = rank[j];
        if (r < 1 || r > d || order[std::size_t(r - 1)] != -1)
            return {};
        order[std::size_t(r - 1)] = int(j);
    }
    return order;
}

}  // namespace pcs::charts
