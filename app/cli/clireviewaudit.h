#pragma once

#include <QStringList>

namespace pcs::cli {

// review audit --db Q --sample N [--seed S] | --report [--json]; arguments start with "audit".
int runReviewAuditCommand(const QStringList &arguments);
// review calibrate --db Q [--apply] [--json]; arguments start with "calibrate".
int runReviewCalibrateCommand(const QStringList &arguments);

}  // namespace pcs::cli
