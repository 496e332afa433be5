#pragma once

#include "core/common/result.h"
#include "core/io/benchmarkerrors.h"

#include <QStringList>

#include <Eigen/Core>

#include <optional>
#include <vector>

// Which benchmarks make the benchmark error y, and how several are combined into one value per
// LLM.
namespace pcs {

enum class Combination {
    Mean,  // arithmetic mean of the errors (the Python package; the errors' own scale)
    RankMean,  // mean of per-benchmark mid-ranks (1 = lowest error) among the LLMs aligned
    ZMean,  // mean of per-benchmark z-scores (population standard deviation)
};
QString combinationName(Combination combination);  // "mean", "rank-mean", "z-mean"
std::optional<Combination> combinationFromName(const QString &name);
QString combinationFormula(Combination combination);  // for reports: "mean of errors", ...

// The default benchmark set, chosen over `columns` (the LLMs of the benchmark file that are
// matched and have every BPB value). The rules, applied in this order:
//  1. coverage: only benchmarks that EVERY one of those LLMs has (an intersection, so one LLM
//     with an extra task cannot cost the others their place);
//  2. direction: a benchmark whose direction is unknown is left out (its value may be a score,
//     and averaging it as an error could invert it);
//  3. groups once: a benchmark is left out when a group it belongs to (directly or through a
//     subgroup) is still in the set; the group counts by its own value;
//  4. error rates first: of what is left, those whose values all lie in [0, 1] when there are
//     any (so LAMBADA perplexities, up to ~1e6, do not decide a mean alone); otherwise all.
// Empty when no benchmark survives rules 1-2; `whyEmpty` then says which benchmarks come
// closest and how many of the LLMs each has.
QStringList defaultBenchmarkSet(const BenchmarkErrors &errors,
                                const std::vector<qsizetype> &columns, QString *whyEmpty);

// How many of `columns` have a value, per benchmark of `errors`.
std::vector<qsizetype> benchmarkCoverage(const BenchmarkErrors &errors,
                                         const std::vector<qsizetype> &columns);

// y from the chosen benchmarks' errors (B x N, complete). For ZMean, a benchmark whose errors
// are all equal has no z-score: it is left out (`averaged[b]` false) with a warning; when every
// benchmark is like that, the result is an error. `benchmarks` names the rows for messages.
struct CombinedErrors {
    Eigen::VectorXd values;  // per LLM
    QList<bool> averaged;  // per benchmark: did it enter the combination
    Warnings warnings;
};
Result<CombinedErrors> combineBenchmarks(const Eigen::MatrixXd &errors,
                                         const QStringList &benchmarks, Combination combination);

}  // namespace pcs
