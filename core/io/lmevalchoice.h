#pragma once

#include "core/common/warningcollector.h"
#include "core/io/benchmarkerrors.h"
#include "core/io/lmevalfile.h"

#include <QHash>
#include <QSet>

#include <functional>
#include <vector>

// Choosing each task's metric and laying out groups (internal to core/io; the rules are in
// lmevalresults.h).
namespace pcs::io {

// A group this loader computes from members named by prefix (0.3's and the leaderboard's
// hendrycksTest-*), because their layouts report no value for it.
struct ComputedGroup {
    QString name;
    QStringList members;  // in task order
    int fullMemberCount = 0;  // members the benchmark has (MMLU: 57)
};

struct TaskLayout {
    QHash<QString, QString> parents;  // task -> the group it is a direct member of
    QHash<QString, QStringList> members;  // group -> its direct members
    QList<ComputedGroup> computed;
};

// Groups from 0.4's group_subtasks (a member's parent is the first group listing it), then
// computed groups for prefix-named members that have no parent and whose group is not a task.
TaskLayout taskLayout(const QStringList &tasks,
                      const QList<std::pair<QString, QStringList>> &groupMembers,
                      const QSet<QString> &groupNames);

// The value of `choice` among `metrics`; the filter "none" also matches a key without a filter.
const MetricValue *findMetric(const QList<MetricValue> &metrics, const MetricChoice &choice);

// "acc (none), exact_match (strict-match, flexible-extract)", for messages.
QString describeMetrics(const QList<MetricValue> &metrics);

// Every metric any LLM reports for a task.
using MetricsOfTask = std::function<QList<MetricValue>(const QString &task)>;

// One metric and filter per task (see lmevalresults.h). Errors (BadInput, naming `path`): an
// override of a task, metric or filter the results do not have, listing what they have.
Result<QHash<QString, MetricChoice>>
chooseMetrics(const QStringList &tasks, const TaskLayout &layout,
              const QHash<QString, MetricChoice> &overrides, const MetricsOfTask &metricsOf,
              const QSet<QString> &leaderboardTasks, const QString &path);

// One benchmark's row, before it enters the matrix.
struct BenchmarkColumn {
    QString name;
    BenchmarkInfo info;
    std::vector<double> errors;  // per LLM; NaN = missing
};

// The unweighted mean of the members' errors, for LLMs with every member (NaN otherwise; one
// warning line). An error when members differ in metric, filter or mapping (then there is no
// meaningful mean): its reason says so.
Result<BenchmarkColumn> computeGroup(const ComputedGroup &group,
                                     const std::vector<const BenchmarkColumn *> &members,
                                     const QStringList &llms, WarningCollector &warnings,
                                     const QString &path);

}  // namespace pcs::io
