// lm-evaluation-harness results: {"results": {"<task>": {"acc,none": 0.7, ...}}, ...}.
#include "io/lmevalresults.h"

#include "io/filekind.h"
#include "io/textutil.h"

#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstring>
#include <limits>

namespace pcs::io {

namespace {

struct Metric {
    QString key;  // as in the file, e.g. "acc,none"
    QString name;  // without the filter, e.g. "acc"
    double value = 0;
};

// Metrics in order of preference when a task reports several.
const char *const kPreferred[]
    = { "acc", "acc_norm", "exact_match", "f1", "mcc", "perplexity", "word_perplexity" };
const char *const kHigherIsBetter[] = { "acc", "acc_norm", "exact_match", "f1", "mcc", "em" };
const char *const kLowerIsBetter[]
    = { "perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte" };

bool listed(const QString &name, const auto &list)
{
    return std::any_of(std::begin(list), std::end(list),
                       [&](const char *entry) { return name == QLatin1String(entry); });
}

// Picks the metric of a task: the preferred names first (the "none" filter, else the first
// filter in key order), else the first numeric metric. Standard errors and aliases are skipped.
bool chooseMetric(const QJsonObject &task, Metric *chosen)
{
    std::vector<Metric> metrics;
    for (auto it = task.begin(); it != task.end(); ++it) {
        if (!it.value().isDouble() || it.key() == QLatin1String("alias")
            || it.key().contains(QLatin1String("_stderr")))
            continue;
        metrics.push_back(
            Metric { it.key(), it.key().section(QLatin1Char(','), 0, 0), it.value().toDouble() });
    }
    if (metrics.empty())
        return false;
    for (const char *preferred : kPreferred) {
        const Metric *match = nullptr;
        for (const Metric &metric : metrics) {
            if (metric.name != QLatin1String(preferred))
                continue;
            if (!match || metric.key == metric.name + QStringLiteral(",none"))
                match = &metric;
        }
        if (match) {
            *chosen = *match;
            return true;
        }
    }
    *chosen = metrics.front();
    return true;
}

// Python's json writes NaN and Infinity, which are not JSON: turn them into same-length strings
// (so that error offsets stay right) and let the metric chooser skip them.
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

Result<QJsonObject> readJson(const QString &file)
{
    if (Status regular = checkRegularFile(file); !regular)
        return regular.error();  // checked before opening: a FIFO would block
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        return Error::badInput(QStringLiteral("cannot open file: %1").arg(in.errorString()), file);
    const QByteArray data = in.readAll();
    QJsonParseError error;
    QJsonDocument document = QJsonDocument::fromJson(data, &error);
    if (error.error != QJsonParseError::NoError) {
        QJsonParseError retryError;
        document = QJsonDocument::fromJson(neutraliseNonFinite(data), &retryError);
        if (retryError.error != QJsonParseError::NoError) {
            qint64 line = 0;
            qint64 column = 0;
            lineAndColumn(std::string_view(data.constData(), std::size_t(data.size())),
                          error.offset, &line, &column);
            return Error::badInput(QStringLiteral("invalid JSON: %1").arg(error.errorString()),
                                   file, line, column);
        }
    }
    if (!document.isObject())
        return Error::badInput(QStringLiteral("not a JSON object"), file, 1, 1);
    return document.object();
}

// top-level model_name, else pretrained=NAME in config.model_args, else the file's base name.
QString modelName(const QJsonObject &root, const QString &file)
{
    const QString named = root.value(QLatin1String("model_name")).toString();
    if (!named.trimmed().isEmpty())
        return named;
    const QJsonValue args
        = root.value(QLatin1String("config")).toObject().value(QLatin1String("model_args"));
    if (args.isObject()) {
        const QString pretrained = args.toObject().value(QLatin1String("pretrained")).toString();
        if (!pretrained.isEmpty())
            return pretrained;
    }
    for (const QString &pair : args.toString().split(QLatin1Char(','))) {
        const QString key = pair.section(QLatin1Char('='), 0, 0).trimmed();
        if (key == QLatin1String("pretrained"))
            return pair.section(QLatin1Char('='), 1).trimmed();
    }
    return QFileInfo(file).completeBaseName();
}

struct TaskValue {
    double error = 0;
    QString file;
};

}  // namespace

Result<BenchmarkErrors> loadLmEvalResults(const QString &path, const TaskControl &control)
{
    if (Status usable = checkRegularFileOrDirectory(path); !usable)
        return usable.error();
    const bool directory = fileKindOf(path) == FileKind::Directory;
    QStringList files;
    if (directory) {
        QDirIterator it(path, { QStringLiteral("*.json") }, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            files.append(it.next());
        // Sorted, so that for a task seen twice the lexicographically last file wins.
        std::sort(files.begin(), files.end());
    } else {
        files.append(path);
    }

    BenchmarkErrors errors;
    QHash<QString, qsizetype> modelIndex;
    QHash<QString, qsizetype> taskIndex;
    std::vector<QHash<QString, TaskValue>> perModel;
    for (qsizetype f = 0; f < files.size(); ++f) {
        if (control.isCanceled())
            return Error::canceled();
        control.reportProgress(f, files.size());
        const QString &file = files[f];
        auto root = readJson(file);
        if (!root)
            return root.error();
        const QJsonValue results = root->value(QLatin1String("results"));
        if (!results.isObject()) {
            if (directory) {
                // Other JSON files (configs, samples) may live beside results; say so, though.
                errors.warnings.append(
                    Error::badInput(QStringLiteral("skipped: no \"results\" object (not an "
                                                   "lm-evaluation-harness results file)"),
                                    file));
                continue;
            }
            return Error::badInput(QStringLiteral("no \"results\" object: not an "
                                                  "lm-evaluation-harness results file"),
                                   file);
        }
        const QString model = modelName(*root, file);
        if (!modelIndex.contains(model)) {
            modelIndex.insert(model, errors.llms.size());
            errors.llms.append(model);
            perModel.emplace_back();
        }
        auto &tasks = perModel[std::size_t(modelIndex.value(model))];
        const QJsonObject directions = root->value(QLatin1String("higher_is_better")).toObject();
        const QJsonObject resultsObject = results.toObject();
        for (auto it = resultsObject.begin(); it != resultsObject.end(); ++it) {
            const QString task = it.key();
            Metric metric;
            if (!it.value().isObject() || !chooseMetric(it.value().toObject(), &metric)) {
                errors.warnings.append(Error::badInput(
                    QStringLiteral("task %1 has no numeric metric; skipped").arg(task), file));
                continue;
            }
            bool higherIsBetter = true;
            const QJsonValue declared = directions.value(task).toObject().value(metric.name);
            if (declared.isBool()) {
                higherIsBetter = declared.toBool();
            } else if (listed(metric.name, kLowerIsBetter)) {
                higherIsBetter = false;
            } else if (!listed(metric.name, kHigherIsBetter)) {
                errors.warnings.append(Error::badInput(
                    QStringLiteral("task %1: direction of metric %2 is unknown; assuming higher "
                                   "is better")
                        .arg(task, metric.name),
                    file));
            }
            // Error is "lower is better". A score in [0, 1] becomes 1 - score; an unbounded
            // score (e.g. a BLEU of 27) is negated, which keeps the ranking that rank-based
            // estimators use; a lower-is-better metric (perplexity) is kept as it is.
            double error = metric.value;
            if (higherIsBetter)
                error = (metric.value >= 0 && metric.value <= 1) ? 1 - metric.value : -metric.value;
            if (tasks.contains(task))
                errors.warnings.append(Error::badInput(
                    QStringLiteral("task %1 of model %2 appears in %3 and %4; using the latter")
                        .arg(task, model, tasks.value(task).file, file),
                    file));
            tasks.insert(task, TaskValue { error, file });
            if (!taskIndex.contains(task)) {
                taskIndex.insert(task, errors.benchmarks.size());
                errors.benchmarks.append(task);
            }
        }
    }
    if (errors.llms.isEmpty() || errors.benchmarks.isEmpty())
        return Error::badInput(directory ? QStringLiteral("no lm-evaluation-harness results "
                                                          "(JSON files with a \"results\" "
                                                          "object) in this directory")
                                         : QStringLiteral("no tasks in the results"),
                               path);
    errors.values = Eigen::MatrixXd::Constant(errors.benchmarks.size(), errors.llms.size(),
                                              std::numeric_limits<double>::quiet_NaN());
    for (std::size_t n = 0; n < perModel.size(); ++n) {
        for (auto it = perModel[n].begin(); it != perModel[n].end(); ++it)
            errors.values(taskIndex.value(it.key()), Eigen::Index(n)) = it->error;
    }
    control.reportProgress(files.size(), files.size());
    return errors;
}

}  // namespace pcs::io
