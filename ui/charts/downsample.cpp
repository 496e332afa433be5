#include "charts/downsample.h"

#include <algorithm>
#include <cmath>

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
