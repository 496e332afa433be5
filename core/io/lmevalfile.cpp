// Reading one results file. Layouts, as their writers document them:
//  - lm-eval 0.3: {"results": {"<task>": {"acc": 0.7, "acc_stderr": ...}}, "versions": {...},
//    "config": {"model": "hf-causal", "model_args": "pretrained=X,revision=Y", ...}}
//  - lm-eval 0.4: {"results": {"<task>": {"alias": ..., "acc,none": 0.7, ...}}, "groups": {...},
//    "group_subtasks": {"mmlu": ["mmlu_stem", ...], "mmlu_stem": [...], "<leaf>": []},
//    "configs": {"<task>": {"metric_list": [{"metric": "acc", "higher_is_better": true}]}},
//    "higher_is_better": {"<task>": {"acc": true}}, "n-shot": {...}, "model_name": "X",
//    "config": {"model_args": "pretrained=X,revision=Y" or {"pretrained": "X", ...},
//               "model_revision": "Y", ...}}
//  - Open LLM Leaderboard v1: {"config_general": {"model_name": "X", "model_sha": ...},
//    "results": {"harness|arc:challenge|25": {"acc": ..., "acc_norm": ...}, ..., "all": {...}}}
#include "core/io/lmevalfile.h"

#include "core/io/filekind.h"
#include "core/io/metricsemantics.h"
#include "core/io/textutil.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cstring>

namespace pcs::io {

namespace {

// Python's json writes NaN and Infinity, which are not JSON: turn them into same-length strings
// (so that error offsets stay right); such metrics are then not numeric and are skipped.
QByteArray neutraliseNonFinite(QByteArray json)
{
    bool inString = false;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
            continue;
        }
        for (const char *word : { "-Infinity", "Infinity", "NaN" }) {
            const auto length = qsizetype(std::strlen(word));
            if (json.size() - i >= length
                && std::string_view(json.constData() + i, std::size_t(length)) == word) {
                json[i] = '"';
                json[i + length - 1] = '"';
                for (qsizetype k = i + 1; k < i + length - 1; ++k)
                    json[k] = 'x';
                i += length - 1;
                break;
            }
        }
    }
    return json;
}

Result<QJsonDocument> readJson(const QString &file)
{
    if (Status regular = checkRegularFile(file); !regular)
        return regular.error();  // checked before opening: a FIFO would block
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        return Error::badInput(QStringLiteral("cannot open file: %1").arg(in.errorString()), file);
    const QByteArray data = in.readAll();
    QJsonParseError error;
    QJsonDocument document = QJsonDocument::fromJson(data, &error);
    if (error.error == QJsonParseError::NoError)
        return document;
    QJsonParseError retryError;
    document = QJsonDocument::fromJson(neutraliseNonFinite(data), &retryError);
    if (retryError.error == QJsonParseError::NoError)
        return document;
    qint64 line = 0;
    qint64 column = 0;
    lineAndColumn(std::string_view(data.constData(), std::size_t(data.size())), error.offset, &line,
                  &column);
    return Error::badInput(QStringLiteral("invalid JSON: %1").arg(error.errorString()), file, line,
                           column);
}

// "pretrained=X,revision=Y,dtype=float16" or {"pretrained": "X", "revision": "Y"}.
QString modelArg(const QJsonValue &args, QLatin1String key)
{
    if (args.isObject())
        return args.toObject().value(key).toString().trimmed();
    for (const QString &pair : args.toString().split(QLatin1Char(','))) {
        if (pair.section(QLatin1Char('='), 0, 0).trimmed() == key)
            return pair.section(QLatin1Char('='), 1).trimmed();
    }
    return {};
}

// model_name (0.4), else pretrained= of config.model_args, else config_general.model_name (the
// leaderboard), else the file's base name; then "@REVISION" for a revision other than main, so
// that checkpoints of one model are separate LLMs. The leaderboard's model_sha is not used: it
// is a commit hash for every model, which no BPB file's LLM names carry.
QString llmName(const QJsonObject &root, const QString &path)
{
    const QJsonObject config = root.value(QLatin1String("config")).toObject();
    const QJsonValue args = config.value(QLatin1String("model_args"));
    QString name = root.value(QLatin1String("model_name")).toString().trimmed();
    if (name.isEmpty())
        name = modelArg(args, QLatin1String("pretrained"));
    if (name.isEmpty()) {
        name = root.value(QLatin1String("config_general"))
                   .toObject()
                   .value(QLatin1String("model_name"))
                   .toString()
                   .trimmed();
    }
    if (name.isEmpty())
        name = QFileInfo(path).completeBaseName();
    QString revision = modelArg(args, QLatin1String("revision"));
    if (revision.isEmpty())
        revision = config.value(QLatin1String("model_revision")).toString().trimmed();
    if (!revision.isEmpty() && revision != QLatin1String("main"))
        name += QLatin1Char('@') + revision;
    return name;
}

QList<MetricValue> numericMetrics(const QJsonObject &task)
{
    QList<MetricValue> metrics;
    for (auto it = task.begin(); it != task.end(); ++it) {
        if (!it.value().isDouble())
            continue;
        const QString metric = it.key().section(QLatin1Char(','), 0, 0);
        if (!isMetricName(metric))
            continue;
        const QString filter = it.key().contains(QLatin1Char(','))
            ? it.key().section(QLatin1Char(','), 1)
            : QString();
        metrics.append(MetricValue { metric, filter, it.value().toDouble() });
    }
    return metrics;
}

// "harness|arc:challenge|25" -> "arc:challenge"; other keys as they are.
QString leaderboardTaskName(const QString &key)
{
    const QStringList parts = key.split(QLatin1Char('|'));
    return parts.size() == 3 ? parts[1] : key;
}

void readDeclarations(const QJsonObject &root, LmEvalFile &file)
{
    const QJsonObject declared = root.value(QLatin1String("higher_is_better")).toObject();
    for (auto task = declared.begin(); task != declared.end(); ++task) {
        const QJsonObject metrics = task.value().toObject();
        for (auto metric = metrics.begin(); metric != metrics.end(); ++metric) {
            if (metric.value().isBool())
                file.declaredHigherIsBetter[task.key()][metric.key()] = metric.value().toBool();
        }
    }
    const QJsonObject configs = root.value(QLatin1String("configs")).toObject();
    for (auto task = configs.begin(); task != configs.end(); ++task) {
        const QJsonArray list
            = task.value().toObject().value(QLatin1String("metric_list")).toArray();
        for (const QJsonValue &entry : list) {
            const QJsonValue metric = entry.toObject().value(QLatin1String("metric"));
            const QJsonValue higher = entry.toObject().value(QLatin1String("higher_is_better"));
            // The top-level object is what the harness used; a config only fills gaps.
            auto &forTask = file.declaredHigherIsBetter[task.key()];
            if (metric.isString() && higher.isBool() && !forTask.contains(metric.toString()))
                forTask.insert(metric.toString(), higher.toBool());
        }
    }
}

void readGroups(const QJsonObject &root, LmEvalFile &file)
{
    const QJsonObject subtasks = root.value(QLatin1String("group_subtasks")).toObject();
    for (auto it = subtasks.begin(); it != subtasks.end(); ++it) {
        QStringList members;
        for (const QJsonValue &member : it.value().toArray()) {
            if (member.isString() && !member.toString().isEmpty())
                members.append(member.toString());
        }
        if (!members.isEmpty())
            file.groupMembers.append({ it.key(), members });
    }
    file.groupNames = root.value(QLatin1String("groups")).toObject().keys();
}

}  // namespace

Result<LmEvalFile> readLmEvalFile(const QString &path)
{
    auto document = readJson(path);
    if (!document)
        return document.error();
    LmEvalFile file;
    file.path = path;
    if (!document->isObject()) {
        file.notResults = QStringLiteral("not a JSON object");
        return file;
    }
    const QJsonObject root = document->object();
    const QJsonValue results = root.value(QLatin1String("results"));
    if (!results.isObject()) {
        file.notResults = QStringLiteral("no \"results\" object");
        return file;
    }
    const QJsonObject tasks = results.toObject();
    file.leaderboard = root.value(QLatin1String("config_general")).isObject();
    for (auto it = tasks.begin(); it != tasks.end() && !file.leaderboard; ++it)
        file.leaderboard = it.key().count(QLatin1Char('|')) == 2;
    file.llm = llmName(root, path);

    QSet<QString> seen;
    for (auto it = tasks.begin(); it != tasks.end(); ++it) {
        // The leaderboard's "all" averages every task's metrics, whatever they measure.
        if (file.leaderboard && it.key() == QLatin1String("all"))
            continue;
        const QString task = file.leaderboard ? leaderboardTaskName(it.key()) : it.key();
        if (seen.contains(task)) {
            file.duplicateTasks.append(it.key());
            continue;
        }
        seen.insert(task);
        QList<MetricValue> metrics = numericMetrics(it.value().toObject());
        if (metrics.isEmpty())
            file.tasksWithoutMetric.append(task);
        else
            file.tasks.append(TaskResult { task, std::move(metrics) });
    }
    readDeclarations(root, file);
    readGroups(root, file);
    return file;
}

}  // namespace pcs::io
