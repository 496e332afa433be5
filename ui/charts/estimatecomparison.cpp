#include "ui/charts/estimatecomparison.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pcs::charts {

namespace {

// Strict weak order "comes first in the top list": larger value, then lower index.
struct TopOrder {
    std::span<const double> values;
    double key(std::int64_t i) const
    {
        const double v = values[std::size_t(i)];
        return std::isnan(v) ? -std::numeric_limits<double>::infinity() : v;
    }
    bool operator()(std::int64_t l, std::int64_t r) const
    {
        const double a = key(l);
        const double b = key(r);
        return a > b || (a == b && l < r);
    }
};

// Marks the top 10% with `ten` and, inside them, the top 1% with `one`.
void markTop(std::span<const double> values, std::int64_t kOne, std::int64_t kTen, std::uint8_t one,
             std::uint8_t ten, std::vector<std::uint8_t> &flags)
{
    std::vector<std::int64_t> index(values.size());
    for (std::size_t i = 0; i < index.size(); ++i)
        index[i] = std::int64_t(i);
    const TopOrder order { values };
    std::nth_element(index.begin(), index.begin() + (kTen - 1), index.end(), order);
    // The top 1% lie inside the top 10%, so the second selection only scans those.
    std::nth_element(index.begin(), index.begin() + (kOne - 1), index.begin() + kTen, order);
    for (std::int64_t i = 0; i < kTen; ++i)
        flags[std::size_t(index[std::size_t(i)])] |= ten | (i < kOne ? one : 0);
}

}  // namespace

std::vector<std::int64_t> topIndices(std::span<const double> values, std::int64_t k)
{
    const auto n = std::int64_t(values.size());
    k = std::clamp<std::int64_t>(k, 0, n);
    std::vector<std::int64_t> index(values.size());
    for (std::size_t i = 0; i < index.size(); ++i)
        index[i] = std::int64_t(i);
    if (k == 0)
        return {};
    std::nth_element(index.begin(), index.begin() + (k - 1), index.end(), TopOrder { values });
    index.resize(std::size_t(k));
    return index;
}

double pearsonCorrelation(std::span<const double> a, std::span<const double> b)
{
    const std::size_t n = std::min(a.size(), b.size());
    // Two passes (means, then centred sums) for accuracy with large offsets.
    double sumA = 0, sumB = 0;
    std::int64_t used = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isfinite(a[i]) && std::isfinite(b[i])) {
            sumA += a[i];
            sumB += b[i];
            ++used;
        }
    }
    if (used < 2)
        return std::numeric_limits<double>::quiet_NaN();
    const double meanA = sumA / double(used);
    const double meanB = sumB / double(used);
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isfinite(a[i]) && std::isfinite(b[i])) {
            const double da = a[i] - meanA;
            const double db = b[i] - meanB;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
    }
    if (saa <= 0 || sbb <= 0)
        return std::numeric_limits<double>::quiet_NaN();
    return std::clamp(sab / std::sqrt(saa * sbb), -1.0, 1.0);
}

EstimateComparison compareEstimates(std::span<const double> a, std::span<const double> b)
{
    EstimateComparison result;
    if (a.size() != b.size() || a.empty())
        return result;
    const auto d = std::int64_t(a.size());
    result.count = d;
    result.kOnePercent = std::max<std::int64_t>(1, std::llround(double(d) / 100.0));
    result.kTenPercent = std::max<std::int64_t>(1, std::llround(double(d) / 10.0));
    result.flags.assign(a.size(), 0);
    markTop(a, result.kOnePercent, result.kTenPercent, TopOnePercentA, TopTenPercentA,
            result.flags);
    markTop(b, result.kOnePercent, result.kTenPercent, TopOnePercentB, TopTenPercentB,
            result.flags);
    std::int64_t bothOne = 0, bothTen = 0;
    for (const std::uint8_t f : result.flags) {
        bothOne += (f & TopOnePercentA) && (f & TopOnePercentB);
        bothTen += (f & TopTenPercentA) && (f & TopTenPercentB);
    }
    result.overlapOnePercent = double(bothOne) / double(result.kOnePercent);
    result.overlapTenPercent = double(bothTen) / double(result.kTenPercent);
    result.pearson = pearsonCorrelation(a, b);
    return result;
}

}  // namespace pcs::charts
