#pragma once

#include "core/common/result.h"

#include <QStringList>

#include <Eigen/Core>

#include <optional>

namespace pcs {

// Projections of an estimate onto {p : 0 <= p <= tau, sum p = 1} (DESIGN.md §3).
enum class Projection { Linear, L2 };

QString projectionName(Projection projection);  // "linear", "l2"
std::optional<Projection> projectionFromName(const QString &name);
QStringList projectionNames();  // in enum order

// Both need a finite estimate, tau > 0 and finite everywhere, equal sizes and sum(tau) >= 1
// (short of 1 by at most 1e-12, the rounding of computed caps: then p = tau); else BadInput.
// Both return 0 <= p_j <= tau_j exactly and |sum(p) - 1| <= 1e-12 (summed accurately).
// linear: maximises <estimate, p>: from the largest estimate down (ties: lower index first),
//         each text gets its full cap until the mass reaches 1; the crossing text gets the rest.
// l2:     the Euclidean projection, p_j = clip(e_j + c, 0, tau_j) with c exact (see
//         l2projection.h); robust for estimates of any magnitude.
Result<Eigen::VectorXd> project(const Eigen::Ref<const Eigen::VectorXd> &estimate,
                                const Eigen::Ref<const Eigen::VectorXd> &tau,
                                Projection projection);

// tau_j = (t_j / sum t) / keepRatio. keepRatio in (0, 1]; every t_j > 0 and finite.
Result<Eigen::VectorXd> tauFromTokenCounts(const Eigen::Ref<const Eigen::VectorXd> &tokens,
                                           double keepRatio);
// Every text counts equally: tau_j = 1 / (D * keepRatio).
Result<Eigen::VectorXd> uniformTau(Eigen::Index textCount, double keepRatio);

// Rank 1 = largest estimate; ties: lower index first (the same order `linear` walks).
Eigen::VectorXi ranksDescending(const Eigen::Ref<const Eigen::VectorXd> &estimate);

}  // namespace pcs
