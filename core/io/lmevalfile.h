#pragma once

#include "core/common/result.h"

#include <QHash>
#include <QList>
#include <QStringList>

#include <utility>

// One lm-evaluation-harness (or Open LLM Leaderboard) results file, read into what the loader
// needs, before any metric is chosen. Internal to core/io; lmevalresults.h says the rules.
namespace pcs::io {

struct MetricValue {
    QString metric;  // "acc", "exact_match"
    QString filter;  // "none", "strict-match"; empty when the key has none (0.3, leaderboard)
    double value = 0;

    QString key() const { return filter.isEmpty() ? metric : metric + QLatin1Char(',') + filter; }
};

struct TaskResult {
    QString task;
    QList<MetricValue> metrics;  // numeric metrics only, in the file's key order
};

struct LmEvalFile {
    QString path;
    // Set when the file is valid JSON but not a results file (a config, a sample dump): why.
    QString notResults;
    bool leaderboard = false;  // the Open LLM Leaderboard v1 layout
    QString llm;  // NAME, or NAME@REVISION for a revision other than "main"
    QList<TaskResult> tasks;  // tasks with at least one numeric metric, in key order
    QStringList tasksWithoutMetric;
    QStringList duplicateTasks;  // leaderboard: a task under several shot counts (first kept)
    // Directions the file declares: 0.4's higher_is_better.<task>.<metric> and
    // configs.<task>.metric_list[].higher_is_better.
    QHash<QString, QHash<QString, bool>> declaredHigherIsBetter;
    QList<std::pair<QString, QStringList>> groupMembers;  // 0.4 group_subtasks (non-empty)
    QStringList groupNames;  // 0.4 "groups" keys (groups whose members may be unknown)
};

// Reads one file. Errors: it cannot be read, or it is not JSON (naming line and column).
Result<LmEvalFile> readLmEvalFile(const QString &path);

}  // namespace pcs::io
