#pragma once

#include "core/io/benchmarkerrors.h"

#include <QString>

#include <optional>

// What lm-evaluation-harness metrics mean: their direction, their range and how a value becomes
// an error. One table (metricsemantics.cpp) holds every fact, with where it comes from.
namespace pcs::io {

// The scale of a metric's values, which decides its error mapping.
enum class MetricScale {
    Unknown,  // not in the table: only a direction declared by the file may be known
    Rate,  // [0, 1]: accuracies, exact match, F1, ...
    Correlation,  // [-1, 1]: Matthews, Pearson, Spearman
    Percent,  // [0, 100]: sacrebleu's BLEU and chrF, SQuAD v2's exact and F1; TER (>= 0)
    Unbounded,  // anything else: perplexities, likelihood differences, score differences
};

struct MetricSemantics {
    bool higherIsBetter = true;
    MetricScale scale = MetricScale::Unknown;
    double min = 0;  // the declared range, inclusive (infinite where unbounded)
    double max = 0;
    int preference = 0;  // lower = chosen first when a task reports several metrics
};

// The table entry for `metric` of `task` (a few entries depend on the task, e.g. SQuAD's F1 is
// a percentage). nullopt = not in the table.
std::optional<MetricSemantics> knownMetric(const QString &task, const QString &metric);

// "[0, 1]", "[1, inf)", ...
QString rangeText(const MetricSemantics &semantics);
bool inRange(const MetricSemantics &semantics, double value);

// Why a file's higher_is_better for `metric` is known to be wrong (and the table's direction is
// used instead), or empty. lm-eval registered TER as higher-is-better, so 0.4 files say so.
QString knownMisdeclaration(const QString &metric, bool declaredHigherIsBetter);

// Monotone, never sign-flipping inside the scale's range: see ErrorMapping.
ErrorMapping errorMappingFor(bool higherIsBetter, MetricScale scale);
double applyErrorMapping(ErrorMapping mapping, double value);

// Keys of a task's results that hold no metric: "alias", "samples", the "bypass" placeholder
// (always 999) and standard errors ("acc_stderr").
bool isMetricName(const QString &metric);

// Ranks for choosing among a task's metrics and filters (lower first, ties by name): metrics in
// the table by their preference, then unknown ones; filters "strict-match", then "none" (or no
// filter: the 0.3 layout), then "flexible-extract", then any other.
int metricRank(const QString &task, const QString &metric);
int filterRank(const QString &filter);

// The metric the Open LLM Leaderboard (v1) scored `task` by (e.g. "acc_norm" for
// "arc:challenge"), or empty for the general order.
QString leaderboardMetric(const QString &task);

// Layouts without group information (0.3, the leaderboard) name a group's members by prefix:
// "hendrycksTest-anatomy" is one of MMLU's 57 subjects.
struct PrefixGroup {
    QString prefix;  // "hendrycksTest-"
    QString group;  // "hendrycksTest"
    int memberCount = 0;  // members the full benchmark has (57)
};
std::optional<PrefixGroup> prefixGroupOf(const QString &task);

}  // namespace pcs::io
