#pragma once

#include <Eigen/Core>

#include <utility>
#include <vector>

namespace pcs::detail {

// The Euclidean projection of `estimate` onto {p : 0 <= p <= tau, Σp = 1} (DESIGN.md §3,
// the paper's `l2` projection): p_j = clip(e_j + c, 0, τ_j) with c the root of
// g(c) = Σ_j clip(e_j + c, 0, τ_j) = 1. Inputs must be validated: finite, equal sizes,
// τ > 0, Στ >= 1 − 1e-12.
//
// c is found exactly: a median-of-breakpoints search (breakpoints −e_j and τ_j − e_j;
// about log2(2D) evaluations of g, each O(D)) finds the segment [lo, hi] between consecutive
// breakpoints that holds the root; on it g is linear, so c = lo + δ with
// δ = (1 − g(lo)) / #free, g(lo) evaluated directly (not accumulated). c is kept as the
// pair (lo, δ) and p_j = clip((e_j + lo) + δ): when the estimates are large against τ,
// e_j + lo is exact for the free texts (Sterbenz), otherwise it errs by about eps·τ_j, so
// p_j is right to about one rounding whatever the magnitude of e. Newton steps on the free
// set then remove what is left of the residual (a text whose rounded breakpoint is lo
// itself can sit just below its cap).
//
// Guarantees: 0 <= p_j <= τ_j exactly, and |Σp − 1| <= 1e-12 with Σ evaluated accurately (a
// plain left-to-right sum of the result adds up to D·eps of its own rounding). When Στ is
// below 1 by less than the 1e-12 tolerance, p = τ.
Eigen::VectorXd projectL2(const Eigen::Ref<const Eigen::VectorXd> &estimate,
                          const Eigen::Ref<const Eigen::VectorXd> &tau);

// The same projection as a shift that each shard of texts applies on its own (a sharded
// projection): p_j = clip((e_j + lo) + delta, 0, τ_j), except the few texts in `overrides`
// (global index, value) that took the last rounding residual. projectL2 is
// applyL2Shift(l2Shift(e, τ)), so both give the same bits.
struct L2Shift {
    double lo = 0;
    double delta = 0;
    std::vector<std::pair<Eigen::Index, double>> overrides;  // in increasing index
};
L2Shift l2Shift(const Eigen::Ref<const Eigen::VectorXd> &estimate,
                const Eigen::Ref<const Eigen::VectorXd> &tau);
// p_j for text `index` (global) with estimate e and cap tau.
double l2Weight(const L2Shift &shift, Eigen::Index index, double estimate, double tau);

}  // namespace pcs::detail
