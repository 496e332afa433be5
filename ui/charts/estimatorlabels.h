#pragma once

#include "selection/estimators.h"

#include <QString>

namespace pcs {

// The names the app shows for estimators, one set everywhere (controls, chart titles, axes,
// Compare): the CLI's names (spearmanr, sign_cdf) are for files and flags.
QString estimatorLabel(Estimator estimator);  // "Spearman ρ", "Kendall τ-a (sign-sign)", …
// The label with what it is, for choosers: "Spearman ρ: rank correlation (default)".
QString estimatorChoiceLabel(Estimator estimator);
// One paragraph: what it measures, when to use it, what it assumes.
QString estimatorHelp(Estimator estimator);

}  // namespace pcs
