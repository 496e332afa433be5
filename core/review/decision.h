#pragma once

#include "common/result.h"

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

// score > filter → Filter; else score > revise → Revise; else Keep. A NaN score (never a
// legitimate assessment) is filtered, so that a broken score can never slip through as Keep.
Decision decide(double score, const Thresholds &thresholds);

}  // namespace pcs
