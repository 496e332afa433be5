#pragma once

#include "core/common/result.h"

#include <QString>

#include <optional>

namespace pcs {

// What happens to a text after assessment.
enum class Decision { Keep, Revise, Filter };

// "keep", "revise", "filter": the names used in files, the CLI and the queue store.
QString decisionName(Decision decision);
// The inverse of decisionName(), ignoring case and surrounding spaces; nullopt if unknown.
std::optional<Decision> decisionFromName(const QString &name);

// Scores are non-conformance 0–100: above `filter` a text is dropped, above `revise` (and not
// above `filter`) it is rewritten, otherwise kept. Equal to a threshold is the milder decision.
struct Thresholds {
    double filter = 80;
    double revise = 50;

    // 0 ≤ revise ≤ filter ≤ 100, both finite. revise == filter disables revision.
    Status validate() const;
};

// A set of scores: between min and max, each bound inclusive or not; a missing bound is open.
struct ScoreRange {
    std::optional<double> min;
    bool minInclusive = true;
    std::optional<double> max;
    bool maxInclusive = true;

    bool contains(double score) const;
    bool isUnbounded() const { return !min && !max; }
    static ScoreRange above(double score) { return { score, false, std::nullopt, true }; }
    static ScoreRange below(double score) { return { std::nullopt, true, score, false }; }
};

// THE threshold rule, the one place it is written: the scores each automatic decision takes.
// Keep (-inf, revise], Revise (revise, filter], Filter (filter, +inf): every range is open below
// and closed above, so a score equal to a threshold gets the milder decision. decide(), the SQL
// of autoDecisionSql() and the counts of QueueStore::countsFor() are all derived from it.
ScoreRange autoDecisionRange(Decision decision, const Thresholds &thresholds);

// The automatic decision of a score: the decision whose autoDecisionRange() holds it. A NaN
// score (never a legitimate assessment) is filtered, so that a broken score can never slip
// through as Keep.
Decision decide(double score, const Thresholds &thresholds);

// The same rule as an SQL expression: 'keep', 'revise' or 'filter' for the score `scoreSql`
// (NULL when it is NULL), with the thresholds given as the SQL expressions `filterSql` and
// `reviseSql` (columns, binds or literals). Generated from autoDecisionRange's bounds.
QString autoDecisionSql(const QString &scoreSql, const QString &filterSql,
                        const QString &reviseSql);

}  // namespace pcs
