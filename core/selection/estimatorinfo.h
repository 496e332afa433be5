#pragma once

#include "core/selection/estimators.h"

#include <QString>

namespace pcs {

// What each estimator is, for the app's explanations, the CLI's help and the README: one place.
struct EstimatorInfo {
    Estimator estimator = Estimator::Spearmanr;
    QString name;  // "spearmanr"
    QString friendlyName;  // "Spearman rank correlation"
    QString measures;  // one sentence each
    QString whenToUse;
    QString assumes;
    // Non-empty for estimators whose raw value can mislead (product: uncentred).
    QString warning;

    // measures + whenToUse + assumes as one paragraph.
    QString paragraph() const;
};

const EstimatorInfo &estimatorInfo(Estimator estimator);

// The warning to show for this choice, or empty: `product` without --standardize.
QString estimatorWarning(Estimator estimator, bool standardize);

// "--estimator" help: every estimator's name and friendly name, one per line, with the warning.
QString estimatorHelpText();

}  // namespace pcs
