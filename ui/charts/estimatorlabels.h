#pragma once

#include "core/selection/estimators.h"

#include <QString>

namespace pcs {

// The short names charts show for estimators (titles, axes, Compare), where there is no room for
// the friendly names; the CLI's names (spearmanr, sign_cdf) are for files and flags.
QString estimatorLabel(Estimator estimator);  // "Spearman ρ", "Kendall τ-a (sign-sign)", …
// For choosers: the friendly name of core's estimatorInfo, "Spearman rank correlation (default)".
QString estimatorChoiceLabel(Estimator estimator);
// Core's estimatorInfo paragraph (what it measures, when to use it, what it assumes) after the
// friendly name, the one explanation the CLI and the README give too.
QString estimatorHelp(Estimator estimator);

}  // namespace pcs
