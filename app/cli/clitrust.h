#pragma once

#include "core/common/result.h"
#include "core/selection/estimators.h"
#include "core/selection/projection.h"

#include <QCommandLineParser>

#include <optional>

namespace pcs {
class OutputSet;
class RunReport;
struct SelectionInputs;
struct SelectionTable;
}  // namespace pcs

// The options of `estimate` and `select` that say how much to trust a selection: --standardize,
// --bootstrap/--seed/--ci and the per-domain breakdown (--domains). Kept apart from
// cliselect.cpp, which calls these at fixed points.
namespace pcs::cli {

struct TrustSettings {
    bool standardize = false;
    int bootstrap = 0;  // resamples; 0 = no bootstrap
    quint64 seed = 0;
    double ciLevel = 0.9;
    QString domainsPath;  // empty: the BPB file's domain column, if it has one
};

// --standardize for estimating commands; --bootstrap, --seed, --ci and --domains for `select`.
void addTrustOptions(QCommandLineParser &parser, bool estimates, bool selects);
// Reads them (`selects`: the options were added with selects = true); returns an exit code
// after a usage error.
std::optional<int> readTrustSettings(const QCommandLineParser &parser, TrustSettings &settings,
                                     const QString &command, bool selects);

// The estimator's caveat (product without --standardize) on stderr and in the report, and the
// choice in the report's parameters.
void noteEstimatorChoice(Estimator estimator, const TrustSettings &settings, RunReport &report);

// After a select run's distribution: the bootstrap columns and stability figures, and the
// per-domain breakdown (stderr, the report, and OUTPUT.domains.csv beside a file output, in
// `outputs`). Errors: a bad --domains file, the bootstrap's errors (Canceled never: no cancel).
Status addTrustFigures(const TrustSettings &settings, const SelectionInputs &inputs,
                       SelectionTable &table, const EstimateOptions &estimate,
                       Projection projection, RunReport &report, OutputSet &outputs,
                       const QString &output);

}  // namespace pcs::cli
