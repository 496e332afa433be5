#pragma once

#include "io/benchmarkerrors.h"

namespace pcs::io {

// Reads lm-evaluation-harness results: one JSON file, or every *.json with a `results` object
// under a directory (recursively). See lmevalresults.cpp for how metrics become errors.
Result<BenchmarkErrors> loadLmEvalResults(const QString &path, const TaskControl &control);

}  // namespace pcs::io
