#pragma once

#include "common/result.h"

#include <QStringList>

#include <Eigen/Core>

#include <optional>

namespace pcs {

// Projections of an estimate onto {p : 0 <= p <= tau, sum p = 1} (DESIGN.md §3).
enum class Projection { Linear, L2 };

QString projectionName(Projection projection);  // "linear", "l2"
std::optional<Projection> projectionFromName(const QString &name);

// Both need tau > 0 everywhere and sum(tau) >= 1; else a BadInput error.
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
