#pragma once

#include "core/io/benchmarkerrors.h"

namespace pcs::io {

// Reads lm-evaluation-harness results (0.3 and 0.4 layouts) and Open LLM Leaderboard v1 results:
// one JSON file, or every *.json under a directory (recursively, in sorted path order; files
// named samples_* and JSON files that are not results files are skipped, in one warning line).
//
// LLMs: model_name (0.4), else pretrained= of config.model_args, else the leaderboard's
// config_general.model_name, else the file name; a revision other than "main" (model_args
// revision=, or config.model_revision) makes it NAME@REVISION, so checkpoints stay separate.
// The same LLM in several files: per task, the later file wins (one warning line per LLM).
//
// Benchmarks: the tasks of `results` (leaderboard keys "harness|arc:challenge|25" become
// "arc:challenge"; its "all" average is skipped). 0.4's group_subtasks and groups say which
// tasks are groups and whose members they are. 0.3 and the leaderboard report no MMLU value:
// their hendrycksTest-* subjects get a computed group "hendrycksTest", the unweighted mean of
// its members' errors where an LLM has every member (as the leaderboard averaged MMLU).
//
// Metric of a task (one per benchmark, the same for every LLM): the override from `options`,
// else (leaderboard) the metric the leaderboard scored the task by, else the first of the
// metric table's preference order (metricsemantics.cpp: acc, acc_norm, ..., perplexity), else
// the first unknown metric by name. Filter: strict-match, then none, then flexible-extract,
// then the others by name - never the JSON key order.
//
// Direction: the file's higher_is_better (0.4), except where lm-eval's own declaration is known
// to be wrong (TER); else the metric table; else unknown: the value is kept as reported
// (mapping "v", higherIsBetter nullopt, directionSource "unknown") and one warning line names
// the metrics. Mapping by the metric's scale (never per value): see ErrorMapping. Values outside
// the metric's range are kept (the mapping is monotone) and reported in one warning line.
Result<BenchmarkErrors> loadLmEvalResults(const QString &path, const BenchmarkLoadOptions &options,
                                          const TaskControl &control);

}  // namespace pcs::io
