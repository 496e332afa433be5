#pragma once

#include "common/result.h"
#include "common/taskcontrol.h"

#include <QJsonObject>

#include <QHash>
#include <QStringList>

#include <Eigen/Core>

#include <optional>

namespace pcs {

// How a benchmark's reported metric value v became an error (lower is better). Monotone for
// every metric, never flipping sign inside the metric's range.
enum class ErrorMapping {
    AsIs,  // v: already an error (the package's CSV), or a lower-is-better metric (perplexity)
    OneMinus,  // 1 - v: a higher-is-better rate in [0, 1] (acc, exact_match, f1, ...)
    HalfOneMinus,  // (1 - v) / 2: a higher-is-better correlation in [-1, 1] (mcc, ...)
    OneMinusPercent,  // 1 - v / 100: a higher-is-better percentage in [0, 100]
    Negate,  // -v: another higher-is-better score (BLEU, ROUGE on other scales)
};
QString errorMappingFormula(ErrorMapping mapping);  // "v", "1 - v", "(1 - v)/2", ...

// Where a benchmark's value came from and how it became an error: shown in reports and on the
// Data page, so the user can see exactly which number entered y.
struct BenchmarkInfo {
    QString metric;  // e.g. "acc", "mcc", "exact_match"; empty for the package's CSV layout
    QString filter;  // lm-eval filter, e.g. "none", "strict-match"; empty when not applicable
    ErrorMapping mapping = ErrorMapping::AsIs;
    std::optional<bool> higherIsBetter;  // of the metric; nullopt = unknown (CSV: not applicable)
    QString directionSource;  // "file" (higher_is_better), "table" (known metric), "unknown", ""
    QString group;  // the group this benchmark is a member of (e.g. "mmlu_stem"), or empty
    bool isGroup = false;  // an aggregate of other benchmarks (e.g. "mmlu")
    QStringList members;  // for a group: its direct members

    QJsonObject toJson() const;
};

// Benchmark errors (lower is better) of LLMs: 1 - accuracy, or a raw perplexity.
struct BenchmarkErrors {
    QStringList benchmarks;  // B names
    QStringList llms;  // N names
    Eigen::MatrixXd values;  // B x N; quiet NaN = missing
    QList<BenchmarkInfo> info;  // B entries, in the order of `benchmarks`
    Warnings warnings;

    const BenchmarkInfo &infoFor(qsizetype benchmark) const;
};

// The metric (and optionally the filter) to take for a task, overriding the loader's choice:
// `--metric TASK=METRIC[,FILTER]`.
struct MetricChoice {
    QString metric;
    QString filter;  // empty = the preferred filter order
};

struct BenchmarkLoadOptions {
    QHash<QString, MetricChoice> metricOverrides;  // by task name
};

// Loads benchmark errors from
//  - the package's CSV layout: a `benchmark` column, one column per LLM, one row per benchmark;
//  - an lm-evaluation-harness results JSON file, or a directory searched recursively for them
//    (0.3 and 0.4 layouts), or Open LLM Leaderboard results files.
Result<BenchmarkErrors> loadBenchmarkErrors(const QString &path,
                                            const BenchmarkLoadOptions &options = {},
                                            const TaskControl &control = TaskControl::none());

}  // namespace pcs
