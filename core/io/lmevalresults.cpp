// lm-evaluation-harness results -> benchmark errors. The rules are in lmevalresults.h; what
// metrics mean is in metricsemantics.cpp; reading one file is in lmevalfile.cpp.
#include "core/io/lmevalresults.h"

#include "core/common/warningcollector.h"
#include "core/io/filekind.h"
#include "core/io/lmevalchoice.h"
#include "core/io/lmevalfile.h"
#include "core/io/metricsemantics.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QMap>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <limits>

namespace pcs::io {

namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

const WarningKind kSkippedFiles { QStringLiteral("skipped: not lm-evaluation-harness results "
                                                 "files (configs, samples)"),
                                  QStringLiteral("file") };
const WarningKind kNoMetric { QStringLiteral("skipped: tasks with no numeric metric") };
const WarningKind kLeaderboardDuplicate { QStringLiteral("skipped: a task under several shot "
                                                         "counts in one leaderboard file (the "
                                                         "first key is used)") };
const WarningKind kDirectionUnknown {
    QStringLiteral("direction unknown (no higher_is_better in the file, metric not in the "
                   "table): values kept as reported and not used by default; choose another "
                   "metric with --metric"),
    QStringLiteral("task"), QStringLiteral("metrics")
};
const WarningKind kDirectionConflict {
    QStringLiteral("files disagree on higher_is_better; the metric table decides, or the "
                   "direction is unknown"),
    QStringLiteral("task"), QStringLiteral("tasks")
};
const WarningKind kOutOfRange { QStringLiteral("values outside their metric's range (kept: the "
                                               "mapping is monotone; check the metric)"),
                                QStringLiteral("value"), QStringLiteral("tasks") };
const WarningKind kLacksChosenMetric { QStringLiteral("missing: LLMs whose results for a task "
                                                      "lack the metric chosen for it"),
                                       QStringLiteral("value"), QStringLiteral("tasks") };

WarningKind replacedKind(const QString &llm)
{
    return { QStringLiteral("LLM %1: tasks also in an earlier file; the later file (by sorted "
                            "path) is used")
                 .arg(llm) };
}

struct Observed {
    QList<MetricValue> metrics;
    qsizetype file = 0;
};

struct Declared {
    bool higher = false;
    bool lower = false;
};

// Everything read from the files, before any metric is chosen.
struct Collected {
    QStringList files;
    QStringList llms;
    std::vector<QHash<QString, Observed>> perLlm;  // by LLM: task -> its metrics
    QStringList tasks;  // first seen first
    QSet<QString> taskSet;
    QSet<QString> leaderboardTasks;
    QHash<QString, QHash<QString, Declared>> declared;  // task -> metric -> directions seen
    QList<std::pair<QString, QStringList>> groupMembers;  // union over files
    QSet<QString> groupNames;
    QMap<QString, QString> withoutMetric;  // task -> first file where it has no numeric metric
};

QStringList resultFiles(const QString &path, bool directory, WarningCollector &warnings)
{
    if (!directory)
        return { path };
    QStringList files;
    QDirIterator it(path, { QStringLiteral("*.json") }, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(it.next());
    // Sorted, so that for a task seen twice the lexicographically last file wins.
    std::sort(files.begin(), files.end());
    QStringList kept;
    for (const QString &file : files) {
        if (QFileInfo(file).fileName().startsWith(QLatin1String("samples_")))
            warnings.add(kSkippedFiles, Error::badInput(QStringLiteral("sample file"), file));
        else
            kept.append(file);
    }
    return kept;
}

void mergeGroups(const LmEvalFile &file, Collected &out)
{
    for (const auto &[group, members] : file.groupMembers) {
        auto it = std::find_if(out.groupMembers.begin(), out.groupMembers.end(),
                               [&](const auto &entry) { return entry.first == group; });
        if (it == out.groupMembers.end()) {
            out.groupMembers.append({ group, members });
            continue;
        }
        for (const QString &member : members) {
            if (!it->second.contains(member))
                it->second.append(member);
        }
    }
    for (const QString &group : file.groupNames)
        out.groupNames.insert(group);
}

void mergeFile(LmEvalFile &&file, Collected &out, WarningCollector &warnings)
{
    qsizetype llm = out.llms.indexOf(file.llm);
    if (llm < 0) {
        llm = out.llms.size();
        out.llms.append(file.llm);
        out.perLlm.emplace_back();
    }
    const qsizetype fileIndex = out.files.size();
    out.files.append(file.path);
    auto &tasks = out.perLlm[std::size_t(llm)];
    for (TaskResult &task : file.tasks) {
        if (const auto earlier = tasks.constFind(task.task); earlier != tasks.cend()) {
            warnings.add(replacedKind(file.llm),
                         Error::badInput(QStringLiteral("task %1: %2 replaces %3")
                                             .arg(task.task, QFileInfo(file.path).fileName(),
                                                  out.files[earlier->file]),
                                         file.path));
        }
        if (!out.taskSet.contains(task.task)) {
            out.taskSet.insert(task.task);
            out.tasks.append(task.task);
        }
        if (file.leaderboard)
            out.leaderboardTasks.insert(task.task);
        tasks.insert(task.task, Observed { std::move(task.metrics), fileIndex });
    }
    for (const QString &task : file.tasksWithoutMetric) {
        if (!out.withoutMetric.contains(task))
            out.withoutMetric.insert(task, file.path);
    }
    for (const QString &key : file.duplicateTasks)
        warnings.add(kLeaderboardDuplicate, Error::badInput(key, file.path));
    for (auto task = file.declaredHigherIsBetter.begin(); task != file.declaredHigherIsBetter.end();
         ++task) {
        for (auto metric = task->begin(); metric != task->end(); ++metric) {
            Declared &seen = out.declared[task.key()][metric.key()];
            (metric.value() ? seen.higher : seen.lower) = true;
        }
    }
    mergeGroups(file, out);
}

Result<Collected> collect(const QString &path, const TaskControl &control,
                          WarningCollector &warnings)
{
    const bool directory = QFileInfo(path).isDir();
    if (!directory && !QFileInfo::exists(path))
        return Error::badInput(QStringLiteral("file does not exist"), path);
    const QStringList files = resultFiles(path, directory, warnings);
    Collected collected;
    for (qsizetype f = 0; f < files.size(); ++f) {
        if (control.isCanceled())
            return Error::canceled();
        control.reportProgress(f, files.size());
        auto file = readLmEvalFile(files[f]);
        if (!file)
            return file.error();
        if (!file->notResults.isEmpty()) {
            if (!directory)
                return Error::badInput(file->notResults
                                           + QStringLiteral(": not an "
                                                            "lm-evaluation-harness "
                                                            "results file"),
                                       files[f]);
            warnings.add(kSkippedFiles, Error::badInput(file->notResults, files[f]));
            continue;
        }
        mergeFile(std::move(*file), collected, warnings);
    }
    control.reportProgress(files.size(), files.size());
    // Said once per task, and only of tasks no file gives a value. A group's row with only an
    // alias is lm-eval's header for a group without an aggregate: expected, not said.
    QSet<QString> groups = collected.groupNames;
    for (const auto &[group, members] : collected.groupMembers)
        groups.insert(group);
    for (auto it = collected.withoutMetric.begin(); it != collected.withoutMetric.end(); ++it) {
        if (!collected.taskSet.contains(it.key()) && !groups.contains(it.key()))
            warnings.add(kNoMetric,
                         Error::badInput(QStringLiteral("task %1").arg(it.key()), it.value()));
    }
    if (collected.llms.isEmpty() || collected.tasks.isEmpty())
        return Error::badInput(directory ? QStringLiteral("no lm-evaluation-harness results "
                                                          "(JSON files with a \"results\" "
                                                          "object) in this directory")
                                         : QStringLiteral("no tasks in the results"),
                               path);
    return collected;
}

// The direction of `metric` of `task`: the file's declaration unless lm-eval's own is known to
// be wrong; else the table; else unknown.
void decideDirection(const Collected &collected, const QString &task, BenchmarkInfo &info,
                     WarningCollector &warnings)
{
    const auto known = knownMetric(task, info.metric);
    const Declared declared = collected.declared.value(task).value(info.metric);
    if (declared.higher != declared.lower) {
        const QString wrong = knownMisdeclaration(info.metric, declared.higher);
        if (wrong.isEmpty() || !known) {
            info.higherIsBetter = declared.higher;
            info.directionSource = QStringLiteral("file");
            return;
        }
        info.note = wrong;
    } else if (declared.higher && declared.lower) {
        warnings.add(kDirectionConflict,
                     Error::badInput(QStringLiteral("task %1, metric %2").arg(task, info.metric)),
                     task);
    }
    if (known) {
        info.higherIsBetter = known->higherIsBetter;
        info.directionSource = QStringLiteral("table");
    } else {
        info.directionSource = QStringLiteral("unknown");
        warnings.add(kDirectionUnknown,
                     Error::badInput(QStringLiteral("task %1, metric %2").arg(task, info.metric)),
                     info.metric);
    }
}

BenchmarkColumn buildBenchmark(const Collected &collected, const QString &task,
                               const MetricChoice &choice, WarningCollector &warnings)
{
    BenchmarkColumn benchmark { task,
                                {},
                                std::vector<double>(std::size_t(collected.llms.size()), kMissing) };
    BenchmarkInfo &info = benchmark.info;
    info.metric = choice.metric;
    info.filter = choice.filter;
    decideDirection(collected, task, info, warnings);
    const auto known = knownMetric(task, info.metric);
    info.mapping = info.higherIsBetter
        ? errorMappingFor(*info.higherIsBetter, known ? known->scale : MetricScale::Unknown)
        : ErrorMapping::AsIs;
    for (qsizetype n = 0; n < collected.llms.size(); ++n) {
        const auto observed = collected.perLlm[std::size_t(n)].constFind(task);
        if (observed == collected.perLlm[std::size_t(n)].cend())
            continue;
        const QString &file = collected.files[observed->file];
        const MetricValue *value = findMetric(observed->metrics, choice);
        if (!value) {
            warnings.add(
                kLacksChosenMetric,
                Error::badInput(QStringLiteral("LLM %1, task %2: no %3 (it has %4)")
                                    .arg(collected.llms[n], task,
                                         MetricValue { choice.metric, choice.filter }.key(),
                                         describeMetrics(observed->metrics)),
                                file),
                task);
            continue;
        }
        if (known && !inRange(*known, value->value))
            warnings.add(kOutOfRange,
                         Error::badInput(QStringLiteral("LLM %1, task %2: %3 = %4, outside %5")
                                             .arg(collected.llms[n], task, value->key())
                                             .arg(value->value)
                                             .arg(rangeText(*known)),
                                         file),
                         task);
        benchmark.errors[std::size_t(n)] = applyErrorMapping(info.mapping, value->value);
    }
    return benchmark;
}

}  // namespace

Result<BenchmarkErrors> loadLmEvalResults(const QString &path, const BenchmarkLoadOptions &options,
                                          const TaskControl &control)
{
    if (Status usable = checkRegularFileOrDirectory(path); !usable)
        return usable.error();
    WarningCollector warnings;
    auto collected = collect(path, control, warnings);
    if (!collected)
        return collected.error();
    const TaskLayout layout
        = taskLayout(collected->tasks, collected->groupMembers, collected->groupNames);
    auto choices = chooseMetrics(
        collected->tasks, layout, options.metricOverrides,
        [&](const QString &task) {
            QList<MetricValue> all;
            for (const auto &tasks : collected->perLlm) {
                if (const auto it = tasks.constFind(task); it != tasks.cend())
                    all.append(it->metrics);
            }
            return all;
        },
        collected->leaderboardTasks, path);
    if (!choices)
        return choices.error();

    std::vector<BenchmarkColumn> benchmarks;
    QHash<QString, qsizetype> index;
    for (const QString &task : collected->tasks) {
        index.insert(task, qsizetype(benchmarks.size()));
        benchmarks.push_back(buildBenchmark(*collected, task, choices->value(task), warnings));
        BenchmarkInfo &info = benchmarks.back().info;
        info.group = layout.parents.value(task);
        info.members = layout.members.value(task);
        info.isGroup = !info.members.isEmpty() || collected->groupNames.contains(task);
    }

    BenchmarkErrors errors;
    errors.llms = collected->llms;
    QStringList order;
    for (const QString &task : collected->tasks) {
        // A computed group goes just before its first member.
        for (const ComputedGroup &group : layout.computed) {
            if (group.members.first() == task)
                order.append(group.name);
        }
        order.append(task);
    }
    for (const ComputedGroup &group : layout.computed) {
        std::vector<const BenchmarkColumn *> members;
        for (const QString &member : group.members)
            members.push_back(&benchmarks[std::size_t(index.value(member))]);
        auto computed = computeGroup(group, members, errors.llms, warnings, path);
        if (!computed) {
            order.removeOne(group.name);
            warnings.add({ computed.error().reason, QStringLiteral("group") },
                         Error::badInput(group.name, path));
            continue;
        }
        members.clear();  // pointers into `benchmarks`, which grows next
        index.insert(group.name, qsizetype(benchmarks.size()));
        benchmarks.push_back(std::move(*computed));
    }

    errors.values.resize(order.size(), errors.llms.size());
    for (qsizetype b = 0; b < order.size(); ++b) {
        const BenchmarkColumn &benchmark = benchmarks[std::size_t(index.value(order[b]))];
        errors.benchmarks.append(benchmark.name);
        errors.info.append(benchmark.info);
        for (qsizetype n = 0; n < errors.llms.size(); ++n)
            errors.values(b, n) = benchmark.errors[std::size_t(n)];
    }
    errors.warnings = warnings.warnings();
    return errors;
}

}  // namespace pcs::io
