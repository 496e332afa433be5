#include "core/io/lmevalchoice.h"

#include "core/io/metricsemantics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pcs::io {

namespace {

constexpr qsizetype kTasksListed = 15;  // in the message for an unknown task

const WarningKind kPartialComputedGroup { QStringLiteral("missing: computed group values of "
                                                         "LLMs without every member"),
                                          QStringLiteral("LLM"), QStringLiteral("groups") };
const WarningKind kFewMembers { QStringLiteral("computed groups with fewer members than the "
                                               "benchmark has (a partial mean)"),
                                QStringLiteral("group") };

// (rank, name) order: lower rank first, ties by name.
template<typename RankFn> QString best(const QStringList &names, RankFn rank)
{
    return *std::min_element(names.begin(), names.end(), [&](const QString &a, const QString &b) {
        const int ra = rank(a);
        const int rb = rank(b);
        return ra != rb ? ra < rb : a < b;
    });
}

// No filter (0.3, the leaderboard) and 0.4's "none" are the same thing, so that a task read
// from files of both versions has one metric.
bool isNoFilter(const QString &filter)
{
    return filter.isEmpty() || filter == QLatin1String("none");
}

bool sameFilter(const QString &a, const QString &b)
{
    return a == b || (isNoFilter(a) && isNoFilter(b));
}

QStringList filtersOf(const QList<MetricValue> &metrics, const QString &metric)
{
    QStringList filters;
    for (const MetricValue &value : metrics) {
        if (value.metric != metric)
            continue;
        if (std::none_of(filters.begin(), filters.end(),
                         [&](const QString &f) { return sameFilter(f, value.filter); }))
            filters.append(value.filter);
    }
    return filters;
}

Error overrideError(const QString &task, const MetricChoice &choice, const QString &why,
                    const QString &path)
{
    const QString given = choice.filter.isEmpty()
        ? choice.metric
        : choice.metric + QLatin1Char(',') + choice.filter;
    return Error::badInput(QStringLiteral("--metric %1=%2: %3").arg(task, given, why), path);
}

// The override's metric and filter as the task has them, or why it cannot be used.
Result<MetricChoice> applyOverride(const QString &task, const MetricChoice &wanted,
                                   const QList<MetricValue> &metrics, const QString &path)
{
    const QStringList filters = filtersOf(metrics, wanted.metric);
    if (filters.isEmpty())
        return overrideError(task, wanted,
                             QStringLiteral("task %1 has no metric %2; it has: %3")
                                 .arg(task, wanted.metric, describeMetrics(metrics)),
                             path);
    if (wanted.filter.isEmpty())
        return MetricChoice { wanted.metric, best(filters, filterRank) };
    for (const QString &filter : filters) {
        if (sameFilter(wanted.filter, filter))
            return MetricChoice { wanted.metric, filter };
    }
    return overrideError(task, wanted,
                         QStringLiteral("task %1 has no filter %2 for %3; it has: %4")
                             .arg(task, wanted.filter, wanted.metric, describeMetrics(metrics)),
                         path);
}

}  // namespace

TaskLayout taskLayout(const QStringList &tasks,
                      const QList<std::pair<QString, QStringList>> &groupMembers,
                      const QSet<QString> &groupNames)
{
    TaskLayout layout;
    for (const auto &[group, members] : groupMembers) {
        layout.members.insert(group, members);
        for (const QString &member : members) {
            if (!layout.parents.contains(member))
                layout.parents.insert(member, group);
        }
    }
    for (const QString &task : tasks) {
        const auto prefixed = prefixGroupOf(task);
        if (!prefixed || layout.parents.contains(task) || tasks.contains(prefixed->group)
            || groupNames.contains(prefixed->group) || layout.members.contains(prefixed->group))
            continue;
        auto group
            = std::find_if(layout.computed.begin(), layout.computed.end(),
                           [&](const ComputedGroup &g) { return g.name == prefixed->group; });
        if (group == layout.computed.end())
            group = layout.computed.insert(
                layout.computed.end(),
                ComputedGroup { prefixed->group, {}, prefixed->memberCount });
        group->members.append(task);
        layout.parents.insert(task, prefixed->group);
    }
    for (const ComputedGroup &group : layout.computed)
        layout.members.insert(group.name, group.members);
    return layout;
}

const MetricValue *findMetric(const QList<MetricValue> &metrics, const MetricChoice &choice)
{
    for (const MetricValue &value : metrics) {
        if (value.metric == choice.metric && sameFilter(choice.filter, value.filter))
            return &value;
    }
    return nullptr;
}

QString describeMetrics(const QList<MetricValue> &metrics)
{
    QStringList names;
    for (const MetricValue &value : metrics) {
        if (!names.contains(value.metric))
            names.append(value.metric);
    }
    QStringList described;
    for (const QString &name : names) {
        QStringList filters = filtersOf(metrics, name);
        filters.removeAll(QString());
        described.append(filters.isEmpty() ? name
                                           : name + QStringLiteral(" (")
                                 + filters.join(QStringLiteral(", ")) + QLatin1Char(')'));
    }
    return described.join(QStringLiteral(", "));
}

Result<QHash<QString, MetricChoice>>
chooseMetrics(const QStringList &tasks, const TaskLayout &layout,
              const QHash<QString, MetricChoice> &overrides, const MetricsOfTask &metricsOf,
              const QSet<QString> &leaderboardTasks, const QString &path)
{
    QSet<QString> computedGroups;
    for (const ComputedGroup &group : layout.computed)
        computedGroups.insert(group.name);
    for (auto it = overrides.begin(); it != overrides.end(); ++it) {
        if (tasks.contains(it.key()) || computedGroups.contains(it.key()))
            continue;
        QStringList known = tasks;
        known.sort();
        const QString more = known.size() > kTasksListed
            ? QStringLiteral(", … %1 more").arg(known.size() - kTasksListed)
            : QString();
        return overrideError(it.key(), it.value(),
                             QStringLiteral("no task %1 in the results; they have %2 tasks: %3%4")
                                 .arg(it.key())
                                 .arg(known.size())
                                 .arg(known.mid(0, kTasksListed).join(QStringLiteral(", ")), more),
                             path);
    }

    QHash<QString, MetricChoice> choices;
    for (const QString &task : tasks) {
        const QList<MetricValue> metrics = metricsOf(task);
        // An override of a computed group applies to its members (the group has no metric).
        QString overrideKey = task;
        if (!overrides.contains(task) && computedGroups.contains(layout.parents.value(task)))
            overrideKey = layout.parents.value(task);
        if (const auto wanted = overrides.constFind(overrideKey); wanted != overrides.cend()) {
            auto applied = applyOverride(task, *wanted, metrics, path);
            if (!applied)
                return applied.error();
            choices.insert(task, *applied);
            continue;
        }
        QStringList names;
        for (const MetricValue &value : metrics) {
            if (!names.contains(value.metric))
                names.append(value.metric);
        }
        QString metric = leaderboardTasks.contains(task) ? leaderboardMetric(task) : QString();
        if (metric.isEmpty() || !names.contains(metric))
            metric = best(names, [&](const QString &name) { return metricRank(task, name); });
        choices.insert(task, MetricChoice { metric, best(filtersOf(metrics, metric), filterRank) });
    }
    return choices;
}

Result<BenchmarkColumn> computeGroup(const ComputedGroup &group,
                                     const std::vector<const BenchmarkColumn *> &members,
                                     const QStringList &llms, WarningCollector &warnings,
                                     const QString &path)
{
    const BenchmarkInfo &first = members.front()->info;
    for (const BenchmarkColumn *member : members) {
        const BenchmarkInfo &info = member->info;
        if (info.metric != first.metric || info.filter != first.filter
            || info.mapping != first.mapping)
            return Error::badInput(
                QStringLiteral("not computed: groups whose members use "
                               "different metrics (%1 uses %2, %3 uses %4)")
                    .arg(members.front()->name, first.metric, member->name, info.metric));
    }
    BenchmarkColumn column { group.name, first, {} };
    BenchmarkInfo &info = column.info;
    info.group.clear();
    info.isGroup = true;
    info.members = group.members;
    info.computed = true;
    const auto count = group.members.size();
    info.note = QStringLiteral("unweighted mean of the errors of its %1 members").arg(count);
    if (count < group.fullMemberCount) {
        info.note += QStringLiteral(" (the benchmark has %1)").arg(group.fullMemberCount);
        warnings.add(kFewMembers,
                     Error::badInput(QStringLiteral("%1: %2 of %3 members")
                                         .arg(group.name)
                                         .arg(count)
                                         .arg(group.fullMemberCount),
                                     path));
    }
    column.errors.assign(std::size_t(llms.size()), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t n = 0; n < column.errors.size(); ++n) {
        double sum = 0;
        qsizetype present = 0;
        for (const BenchmarkColumn *member : members) {
            if (!std::isnan(member->errors[n])) {
                sum += member->errors[n];
                ++present;
            }
        }
        if (present == count)
            column.errors[n] = sum / double(count);
        else if (present > 0)
            warnings.add(kPartialComputedGroup,
                         Error::badInput(QStringLiteral("LLM %1 has %2 of the %3 members of %4")
                                             .arg(llms[qsizetype(n)])
                                             .arg(present)
                                             .arg(count)
                                             .arg(group.name),
                                         path),
                         group.name);
    }
    return column;
}

}  // namespace pcs::io
