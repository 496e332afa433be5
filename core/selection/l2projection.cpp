#include "core/selection/l2projection.h"

#include "core/selection/accuratesum.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>
#include <vector>

namespace pcs::detail {

namespace {

using Eigen::Index;

// A residual this small is left alone: it is far below the documented 1e-12.
constexpr double kNegligibleResidual = 1e-15;

inline double clip(double value, double cap)
{
    return std::min(std::max(value, 0.0), cap);
}

// g at c = lo + delta: Σ_j clip((e_j + lo) + delta, 0, τ_j), accurately summed.
double sumAt(const double *e, const double *tau, Index d, double lo, double delta)
{
    AccurateSum sum;
    for (Index j = 0; j < d; ++j)
        sum.add(clip((e[j] + lo) + delta, tau[j]));
    return sum.value();
}

// The projection, and in `out` the shift that makes it.
Eigen::VectorXd solve(const Eigen::Ref<const Eigen::VectorXd> &estimate,
                      const Eigen::Ref<const Eigen::VectorXd> &tau, L2Shift &out)
{
    const Index d = estimate.size();
    const double *e = estimate.data();
    const double *t = tau.data();

    // Median-of-breakpoints search for the segment [lo, hi] that holds the root of g = 1.
    std::vector<double> work(2 * std::size_t(d));
    for (Index j = 0; j < d; ++j) {
        work[2 * std::size_t(j)] = -e[j];
        work[2 * std::size_t(j) + 1] = t[j] - e[j];
    }
    double lo = -std::numeric_limits<double>::infinity();
    double hi = std::numeric_limits<double>::infinity();
    double gLo = 0;
    while (!work.empty()) {
        const auto mid = work.begin() + std::ptrdiff_t(work.size() / 2);
        std::nth_element(work.begin(), mid, work.end());
        const double pivot = *mid;
        const double g = sumAt(e, t, d, pivot, 0.0);
        if (g < 1) {
            lo = pivot;
            gLo = g;
            work.erase(work.begin(), mid + 1);
            std::erase_if(work, [pivot](double b) { return b <= pivot; });
        } else {
            hi = pivot;
            work.erase(mid, work.end());
            std::erase_if(work, [pivot](double b) { return b >= pivot; });
        }
    }
    // g(min breakpoint) = 0 < 1, so lo is a breakpoint. On (lo, hi) the free texts are those
    // whose breakpoints enclose it; none when hi = +inf (every text at its cap).
    Index free = 0;
    for (Index j = 0; j < d; ++j)
        free += (-e[j] <= lo && t[j] - e[j] >= hi) ? 1 : 0;
    double delta = free > 0 ? (1 - gLo) / double(free) : 0.0;

    Eigen::VectorXd p(d);
    auto fill = [&](double shift) {
        AccurateSum sum;
        Index inside = 0;
        for (Index j = 0; j < d; ++j) {
            const double value = clip((e[j] + lo) + shift, t[j]);
            p[j] = value;
            sum.add(value);
            inside += (value > 0 && value < t[j]) ? 1 : 0;
        }
        return std::make_tuple(sum.value(), inside);
    };
    auto [sum, inside] = fill(delta);
    // Newton steps on the free set remove the rounding left in delta.
    for (int step = 0; step < 3 && inside > 0 && std::abs(1 - sum) > kNegligibleResidual; ++step) {
        const double next = delta + (1 - sum) / double(inside);
        if (next == delta)
            break;
        delta = next;
        std::tie(sum, inside) = fill(delta);
    }
    // Something is left only when the root sits on a breakpoint within rounding (or Στ < 1
    // within the tolerance): the text nearest to moving takes it, inside its bounds.
    double residual = 1 - sum;
    std::map<Index, double> moves;  // the texts moved here, with their final weight
    for (int step = 0; step < 4 && std::abs(residual) > kNegligibleResidual; ++step) {
        Index best = -1;
        for (Index j = 0; j < d; ++j) {
            const bool canMove = residual > 0 ? p[j] < t[j] : p[j] > 0;
            if (canMove && (best < 0 || (residual > 0 ? e[j] > e[best] : e[j] < e[best])))
                best = j;
        }
        if (best < 0)
            break;
        const double moved = std::clamp(p[best] + residual, 0.0, t[best]);
        residual -= moved - p[best];
        p[best] = moved;
        moves[best] = moved;
    }
    out.lo = lo;
    out.delta = delta;
    out.overrides.assign(moves.begin(), moves.end());
    return p;
}

}  // namespace

Eigen::VectorXd projectL2(const Eigen::Ref<const Eigen::VectorXd> &estimate,
                          const Eigen::Ref<const Eigen::VectorXd> &tau)
{
    L2Shift shift;
    return solve(estimate, tau, shift);
}

L2Shift l2Shift(const Eigen::Ref<const Eigen::VectorXd> &estimate,
                const Eigen::Ref<const Eigen::VectorXd> &tau)
{
    L2Shift shift;
    solve(estimate, tau, shift);
    return shift;
}

double l2Weight(const L2Shift &shift, Eigen::Index index, double estimate, double tau)
{
    const auto moved = std::lower_bound(shift.overrides.begin(), shift.overrides.end(), index,
                                        [](const std::pair<Eigen::Index, double> &entry,
                                           Eigen::Index i) { return entry.first < i; });
    if (moved != shift.overrides.end() && moved->first == index)
        return moved->second;
    return clip((estimate + shift.lo) + shift.delta, tau);
}

}  // namespace pcs::detail
