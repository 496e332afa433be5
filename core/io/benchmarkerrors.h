#pragma once

#include "common/result.h"
#include "common/taskcontrol.h"

#include <QStringList>

#include <Eigen/Core>

namespace pcs {

// Benchmark errors (lower is better) of LLMs: 1 - accuracy, or a raw perplexity.
struct BenchmarkErrors {
    QStringList benchmarks;  // B names
    QStringList llms;        // N names
    Eigen::MatrixXd values;  // B x N; quiet NaN = missing
    Warnings warnings;
};

// Loads benchmark errors from
//  - the package's CSV layout: a `benchmark` column, one column per LLM, one row per benchmark;
//  - an lm-evaluation-harness results JSON file, or a directory searched recursively for them.
Result<BenchmarkErrors> loadBenchmarkErrors(const QString &path,
                                            const TaskControl &control = TaskControl::none());

}  // namespace pcs
