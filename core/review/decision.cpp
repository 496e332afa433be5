#include "core/review/decision.h"

#include <QStringList>

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

namespace {

// Which threshold bounds a decision's scores: the rule itself, as data.
enum class Bound { Open, Revise, Filter };
struct DecisionBounds {
    Decision decision;
    Bound lower;  // exclusive
    Bound upper;  // inclusive
};
// Checked in the order listed, harshest first (decide() and autoDecisionSql() alike).
constexpr DecisionBounds kRule[] = {
    { Decision::Filter, Bound::Filter, Bound::Open },
    { Decision::Revise, Bound::Revise, Bound::Filter },
    { Decision::Keep, Bound::Open, Bound::Revise },
};

const DecisionBounds &boundsOf(Decision decision)
{
    for (const DecisionBounds &bounds : kRule)
        if (bounds.decision == decision)
            return bounds;
    return kRule[0];
}

std::optional<double> valueOf(Bound bound, const Thresholds &thresholds)
{
    switch (bound) {
    case Bound::Open:
        return std::nullopt;
    case Bound::Revise:
        return thresholds.revise;
    case Bound::Filter:
        return thresholds.filter;
    }
    return std::nullopt;
}

}  // namespace

bool ScoreRange::contains(double score) const
{
    if (std::isnan(score))
        return false;
    if (min && (minInclusive ? score < *min : score <= *min))
        return false;
    if (max && (maxInclusive ? score > *max : score >= *max))
        return false;
    return true;
}

ScoreRange autoDecisionRange(Decision decision, const Thresholds &thresholds)
{
    const DecisionBounds &bounds = boundsOf(decision);
    return ScoreRange { valueOf(bounds.lower, thresholds), false, valueOf(bounds.upper, thresholds),
                        true };
}

Decision decide(double score, const Thresholds &thresholds)
{
    if (std::isnan(score))
        return Decision::Filter;
    for (const DecisionBounds &bounds : kRule)
        if (autoDecisionRange(bounds.decision, thresholds).contains(score))
            return bounds.decision;
    return Decision::Filter;  // unreachable: the ranges cover every number
}

QString autoDecisionSql(const QString &scoreSql, const QString &filterSql, const QString &reviseSql)
{
    const auto sqlOf = [&](Bound bound) { return bound == Bound::Revise ? reviseSql : filterSql; };
    QString sql = QStringLiteral("(CASE WHEN (%1) IS NULL THEN NULL").arg(scoreSql);
    for (const DecisionBounds &bounds : kRule) {
        QStringList conditions;
        if (bounds.lower != Bound::Open)
            conditions << QStringLiteral("(%1) > (%2)").arg(scoreSql, sqlOf(bounds.lower));
        if (bounds.upper != Bound::Open)
            conditions << QStringLiteral("(%1) <= (%2)").arg(scoreSql, sqlOf(bounds.upper));
        sql += QStringLiteral(" WHEN %1 THEN '%2'")
                   .arg(conditions.isEmpty() ? QStringLiteral("1")
                                             : conditions.join(QStringLiteral(" AND ")),
                        decisionName(bounds.decision));
    }
    // Reached only when the thresholds are NULL: never a silent keep.
    return sql + QStringLiteral(" ELSE 'filter' END)");
}

}  // namespace pcs
