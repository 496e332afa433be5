#pragma once

#include "common/result.h"
#include "io/benchmarkerrors.h"
#include "io/bpbmatrix.h"

#include <QStringList>

#include <Eigen/Core>

#include <vector>

namespace pcs {

struct DroppedLlm {
    QString name;
    QString reason;
};

// The LLMs that have every BPB value and every chosen benchmark, matched by exact name.
struct AlignedInputs {
    QStringList llms;  // sorted by name (as the Python package does)
    std::vector<Eigen::Index> bpbRows;  // row of each LLM in BpbMatrix::values
    Eigen::VectorXd errors;  // mean of the chosen benchmarks, per LLM
    QStringList benchmarks;  // the benchmarks averaged
    QList<DroppedLlm> dropped;  // every LLM of either file that is not used, and why
    Warnings warnings;
};

// Which benchmarks to use when the user names none: every benchmark whose values are all in
// [0, 1] (error rates); when there is none of those, all of them. Averaging error rates with
// raw perplexities (up to ~1e6) would let the perplexities decide alone.
QStringList defaultBenchmarks(const BenchmarkErrors &errors);

// Matches LLMs by exact name. Errors: an unknown benchmark (listing the known ones), no LLM in
// common, fewer than 3 usable LLMs. `benchmarks` empty = defaultBenchmarks().
Result<AlignedInputs> alignInputs(const BpbMatrix &bpb, const BenchmarkErrors &errors,
                                  const QStringList &benchmarks = {}, const QString &bpbFile = {},
                                  const QString &errorsFile = {});

}  // namespace pcs
