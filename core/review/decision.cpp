#include "review/decision.h"

#include <cmath>

namespace pcs {

QString decisionName(Decision decision)
{
    switch (decision) {
    case Decision::Keep:
        return QStringLiteral("keep");
    case Decision::Revise:
        return QStringLiteral("revise");
    case Decision::Filter:
        return QStringLiteral("filter");
    }
    return {};
}

std::optional<Decision> decisionFromName(const QString &name)
{
    const QString normalized = name.trimmed().toLower();
    for (Decision decision : { Decision::Keep, Decision::Revise, Decision::Filter }) {
        if (normalized == decisionName(decision))
            return decision;
    }
    return std::nullopt;
}

Status Thresholds::validate() const
{
    if (!std::isfinite(filter) || !std::isfinite(revise))
        return Error::badInput(QStringLiteral("thresholds must be finite numbers"));
    if (revise < 0 || revise > filter || filter > 100)
        return Error::badInput(
            QStringLiteral(
                "thresholds must satisfy 0 ≤ revise ≤ filter ≤ 100 (revise %1, filter %2)")
                .arg(revise)
                .arg(filter));
    return Done {};
}

Decision decide(double score, const Thresholds &thresholds)
{
    if (std::isnan(score) || score > thresholds.filter)
        return Decision::Filter;
    if (score > thresholds.revise)
        return Decision::Revise;
    return Decision::Keep;
}

}  // namespace pcs
