#include "ui/models/valueorder.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>

namespace pcs {

std::uint64_t orderedKey(double value)
{
    if (std::isnan(value))
        value = std::numeric_limits<double>::infinity();
    if (value == 0.0)
        value = 0.0;  // -0 and +0 are equal values
    const auto bits = std::bit_cast<std::uint64_t>(value);
    constexpr std::uint64_t sign = std::uint64_t(1) << 63;
    // Negative numbers: flip all bits (larger magnitude = smaller); positive: set the sign bit.
    return (bits & sign) ? ~bits : bits | sign;
}

std::vector<int> orderByValue(const std::vector<double> &values, bool ascending)
{
    const std::size_t n = values.size();
    struct Item {
        std::uint64_t key;
        int index;
    };
    // Six stable passes of 11 bits (2048 counters stay in L1 while scattering); all histograms
    // come from one read, and a pass whose digit is the same for every key is skipped.
    // Stability keeps equal keys in index order.
    constexpr int kBits = 11;
    constexpr int kPasses = (64 + kBits - 1) / kBits;
    constexpr std::uint64_t kMask = (std::uint64_t(1) << kBits) - 1;
    std::vector<std::array<std::uint32_t, kMask + 1>> counts(kPasses);
    std::vector<Item> items(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t key = orderedKey(values[i]);
        if (!ascending)
            key = ~key;
        items[i] = { key, int(i) };
        for (int pass = 0; pass < kPasses; ++pass)
            ++counts[std::size_t(pass)][(key >> (kBits * pass)) & kMask];
    }
    std::vector<Item> scratch(n);
    for (int pass = 0; pass < kPasses && n > 0; ++pass) {
        auto &count = counts[std::size_t(pass)];
        const int shift = kBits * pass;
        if (count[(items[0].key >> shift) & kMask] == n)
            continue;
        std::uint32_t total = 0;
        for (std::uint32_t &c : count) {
            const std::uint32_t here = c;
            c = total;
            total += here;
        }
        for (const Item &item : items)
            scratch[count[(item.key >> shift) & kMask]++] = item;
        items.swap(scratch);
    }
    std::vector<int> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = items[i].index;
    return order;
}

}  // namespace pcs
