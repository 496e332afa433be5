#include "core/selection/projection.h"

#include "core/selection/accuratesum.h"
#include "core/selection/descendingorder.h"
#include "core/selection/l2projection.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace pcs {

namespace {

using Eigen::Index;

// Στ may fall short of 1 by this much (relative) and still count as 1: caps computed as
// (t_j / Σt) / r sum to 1/r only up to rounding.
constexpr double kTauSumTolerance = 1e-12;

struct Entry {
    double value;
    Index index;
};

// Larger estimate first; ties: lower index first. A strict total order, so the result does
// not depend on the sorting algorithm.
bool before(const Entry &a, const Entry &b)
{
    return a.value > b.value || (a.value == b.value && a.index < b.index);
}

std::vector<Entry> entriesOf(const Eigen::Ref<const Eigen::VectorXd> &estimate)
{
    std::vector<Entry> entries(std::size_t(estimate.size()));
    for (Index j = 0; j < estimate.size(); ++j)
        entries[std::size_t(j)] = { estimate[j], j };
    return entries;
}

Status validate(const Eigen::Ref<const Eigen::VectorXd> &estimate,
                const Eigen::Ref<const Eigen::VectorXd> &tau)
{
    if (estimate.size() != tau.size())
        return Error::badInput(
            QStringLiteral("the estimate has %1 texts but the caps (tau) have %2")
                .arg(estimate.size())
                .arg(tau.size()));
    if (estimate.size() == 0)
        return Error::badInput(QStringLiteral("there are no texts to project"));
    detail::AccurateSum tauSum;
    for (Index j = 0; j < tau.size(); ++j) {
        if (!std::isfinite(estimate[j]))
            return Error::badInput(QStringLiteral("the estimate of text %1 is not finite: %2")
                                       .arg(j)
                                       .arg(estimate[j]));
        if (!(tau[j] > 0) || !std::isfinite(tau[j]))
            return Error::badInput(
                QStringLiteral("the cap (tau) of text %1 is %2; every cap must be "
                               "positive and finite")
                    .arg(j)
                    .arg(tau[j]));
        tauSum.add(tau[j]);
    }
    if (tauSum.value() < 1 - kTauSumTolerance)
        return Error::badInput(
            QStringLiteral("the caps (tau) sum to %1, less than 1: no distribution "
                           "fits under them (keep a larger fraction of the pool)")
                .arg(tauSum.value(), 0, 'g', 17));
    return Done {};
}

// Greedy: the best texts at their caps until the mass reaches 1 (the paper's `linear`).
// The texts in selection order by a radix sort when many are needed; when few are (a small keep
// ratio), only the best few are sorted: enough, usually, for their caps to reach 1.
Eigen::VectorXd projectLinear(const Eigen::Ref<const Eigen::VectorXd> &estimate,
                              const Eigen::Ref<const Eigen::VectorXd> &tau)
{
    const Index d = estimate.size();
    Eigen::VectorXd p = Eigen::VectorXd::Zero(d);
    detail::AccurateSum total;
    // Takes text j at its cap, or the remainder when its cap reaches 1; true when done.
    const auto take = [&](Index j) {
        const double remaining = 1 - total.value();
        if (tau[j] >= remaining) {  // the crossing text takes the remainder
            p[j] = std::max(0.0, remaining);
            return true;
        }
        p[j] = tau[j];
        total.add(tau[j]);
        return false;
    };
    // Caps average Στ/D, so about D/Στ texts are needed; twice that (at least 1024) first.
    const double guess = 2 * double(d) / tau.sum();
    std::size_t chunk = std::size_t(std::clamp(guess, 1024.0, double(d)));
    if (chunk >= std::size_t(d) / 8) {
        const HugeBuffer<Index> order = descendingOrder(estimate);
        for (std::size_t k = 0; k < order.size(); ++k)
            if (take(order[k]))
                break;
        return p;
    }
    std::vector<Entry> entries = entriesOf(estimate);
    std::size_t sorted = 0;
    for (std::size_t k = 0; k < entries.size(); ++k) {
        if (k == sorted) {
            const std::size_t end = std::min(entries.size(), sorted + chunk);
            auto first = entries.begin() + std::ptrdiff_t(sorted);
            auto last = entries.begin() + std::ptrdiff_t(end);
            std::nth_element(first, last - 1, entries.end(), before);
            std::sort(first, last, before);
            sorted = end;
            chunk *= 4;
        }
        if (take(entries[k].index))
            break;
    }
    return p;
}

}  // namespace

QString projectionName(Projection projection)
{
    switch (projection) {
    case Projection::Linear:
        return QStringLiteral("linear");
    case Projection::L2:
        return QStringLiteral("l2");
    }
    return {};
}

std::optional<Projection> projectionFromName(const QString &name)
{
    for (Projection projection : { Projection::Linear, Projection::L2 }) {
        if (projectionName(projection) == name)
            return projection;
    }
    return std::nullopt;
}

QStringList projectionNames()
{
    return { projectionName(Projection::Linear), projectionName(Projection::L2) };
}

Result<Eigen::VectorXd> project(const Eigen::Ref<const Eigen::VectorXd> &estimate,
                                const Eigen::Ref<const Eigen::VectorXd> &tau, Projection projection)
{
    if (Status status = validate(estimate, tau); !status)
        return status.error();
    if (projection == Projection::Linear)
        return projectLinear(estimate, tau);
    return detail::projectL2(estimate, tau);
}

Result<Eigen::VectorXd> tauFromTokenCounts(const Eigen::Ref<const Eigen::VectorXd> &tokens,
                                           double keepRatio)
{
    if (!(keepRatio > 0 && keepRatio <= 1))
        return Error::badInput(
            QStringLiteral("the keep ratio must be in (0, 1], got %1").arg(keepRatio));
    if (tokens.size() == 0)
        return Error::badInput(QStringLiteral("there are no token counts"));
    detail::AccurateSum total;
    for (Index j = 0; j < tokens.size(); ++j) {
        if (!(tokens[j] > 0) || !std::isfinite(tokens[j]))
            return Error::badInput(
                QStringLiteral("the token count of text %1 is %2; every text needs "
                               "a positive, finite token count")
                    .arg(j)
                    .arg(tokens[j]));
        total.add(tokens[j]);
    }
    const double sum = total.value();
    if (!std::isfinite(sum))
        return Error::badInput(
            QStringLiteral("the token counts sum to more than a double can hold"));
    return Eigen::VectorXd((tokens.array() / sum) / keepRatio);
}

Result<Eigen::VectorXd> uniformTau(Eigen::Index textCount, double keepRatio)
{
    if (!(keepRatio > 0 && keepRatio <= 1))
        return Error::badInput(
            QStringLiteral("the keep ratio must be in (0, 1], got %1").arg(keepRatio));
    if (textCount <= 0)
        return Error::badInput(QStringLiteral("there are no texts to cap"));
    return Eigen::VectorXd(
        Eigen::VectorXd::Constant(textCount, 1.0 / (double(textCount) * keepRatio)));
}

Eigen::VectorXi ranksDescending(const Eigen::Ref<const Eigen::VectorXd> &estimate)
{
    const HugeBuffer<Index> order = descendingOrder(estimate);
    Eigen::VectorXi ranks(estimate.size());
    for (std::size_t k = 0; k < order.size(); ++k)
        ranks[order[k]] = int(k + 1);
    return ranks;
}

}  // namespace pcs
