#pragma once

#include <cstdint>
#include <span>
#include <vector>

// Pure summaries of how two estimates of the same texts agree (no widgets).
namespace pcs::charts {

// The k largest values' indices (ties: lower index first, the order the linear projection and
// the rank column use; NaN counts as smallest), in no particular order. O(n) on average.
std::vector<std::int64_t> topIndices(std::span<const double> values, std::int64_t k);

// Pearson's r over all pairs where both values are finite; NaN when fewer than two such pairs
// or when either side is constant (undefined, not zero).
double pearsonCorrelation(std::span<const double> a, std::span<const double> b);

// Membership of each text in the top sets, as bit flags (one byte per text).
enum TopFlag : std::uint8_t {
    TopOnePercentA = 1,
    TopTenPercentA = 2,
    TopOnePercentB = 4,
    TopTenPercentB = 8,
};

struct EstimateComparison {
    std::int64_t count = 0;  // D
    std::int64_t kOnePercent = 0;  // max(1, round(D / 100))
    std::int64_t kTenPercent = 0;  // max(1, round(D / 10))
    double overlapOnePercent = 0;  // |topA ∩ topB| / k
    double overlapTenPercent = 0;
    double pearson = 0;  // over all D texts
    std::vector<std::uint8_t> flags;  // per text, TopFlag bits
};

// Top-k overlaps for k = 1% and 10% of D and Pearson's r of two equally long estimates
// (empty result for different lengths or D = 0). O(D) on average: two selections, no sort.
EstimateComparison compareEstimates(std::span<const double> a, std::span<const double> b);

}  // namespace pcs::charts
