#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"

#include <QHash>
#include <QJsonObject>
#include <QStringList>

#include <Eigen/Core>

#include <optional>
#include <utility>

namespace pcs {

// How a benchmark's reported metric value v became an error (lower is better). Monotone for
// every metric, never flipping sign inside the metric's range.
enum class ErrorMapping {
    AsIs,  // v: already an error (the package's CSV), or a lower-is-better metric (perplexity)
    OneMinus,  // 1 - v: a higher-is-better rate in [0, 1] (acc, exact_match, f1, ...)
    HalfOneMinus,  // (1 - v) / 2: a higher-is-better correlation in [-1, 1] (mcc, ...)
    OneMinusPercent,  // 1 - v / 100: a higher-is-better percentage in [0, 100] (BLEU, chrF)
    Percent,  // v / 100: a lower-is-better percentage (TER), on the scale of error rates
    Negate,  // -v: another higher-is-better score (ROUGE, score differences, unknown ranges)
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
    // The group this benchmark is a direct member of (e.g. "mmlu_stem"), or empty. The group
    // may have no value of its own (then it is not among the benchmarks).
    QString group;
    bool isGroup = false;  // an aggregate of other benchmarks (e.g. "mmlu")
    QStringList members;  // for a group: its direct members
    // A group value this loader computed (the unweighted mean of its members' errors, for
    // layouts that report no group value: 0.3's and the leaderboard's hendrycksTest-*), not one
    // read from a file.
    bool computed = false;
    QString note;  // anything else a reader of the report should know (corrected direction, ...)

    QJsonObject toJson() const;
};

// Benchmark errors (lower is better) of LLMs: each benchmark's metric value v mapped as its
// info says (1 - accuracy, (1 - mcc)/2, a raw perplexity, ...).
struct BenchmarkErrors {
    QStringList benchmarks;  // B names
    QStringList llms;  // N names
    Eigen::MatrixXd values;  // B x N; quiet NaN = missing
    QList<BenchmarkInfo> info;  // B entries, in the order of `benchmarks`
    Warnings warnings;  // grouped: one line per kind, with a count and the first example

    const BenchmarkInfo &infoFor(qsizetype benchmark) const;
};

// The metric (and optionally the filter) to take for a task, overriding the loader's choice:
// `--metric TASK=METRIC[,FILTER]`.
struct MetricChoice {
    QString metric;
    QString filter;  // empty = the preferred filter order
};

struct BenchmarkLoadOptions {
    // By task name. An override of a computed group (hendrycksTest) applies to its members. An
    // override naming a task, metric or filter the results do not have is a BadInput error
    // that lists what they have; overrides for the package's CSV layout are an error too.
    QHash<QString, MetricChoice> metricOverrides;
};

// Parses the value of `--metric`: "TASK=METRIC" or "TASK=METRIC,FILTER", e.g.
// "gsm8k=exact_match,strict-match". Task names may contain ':' (the leaderboard's
// "arc:challenge"). Errors are BadInput and show the expected form.
Result<std::pair<QString, MetricChoice>> parseMetricOverride(const QString &text);

// Parses `text` and adds it to `options`; a second override of the same task is an error.
Status addMetricOverride(BenchmarkLoadOptions &options, const QString &text);

// Loads benchmark errors from
//  - the package's CSV layout: a `benchmark` column, one column per LLM, one row per benchmark
//    (values are errors already: info has the defaults, mapping AsIs);
//  - an lm-evaluation-harness results JSON file, or a directory searched recursively for them
//    (0.3 and 0.4 layouts), or Open LLM Leaderboard (v1) results files. lmevalresults.h says
//    how LLMs are named, metrics chosen and values turned into errors.
Result<BenchmarkErrors> loadBenchmarkErrors(const QString &path,
                                            const BenchmarkLoadOptions &options = {},
                                            const TaskControl &control = TaskControl::none());

}  // namespace pcs
