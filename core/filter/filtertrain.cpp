#include "core/filter/filtertrain.h"

#include "core/common/parallel.h"
#include "core/filter/cleaning.h"
#include "core/io/atomicwrite.h"
#include "core/io/fileinfo.h"
#include "core/io/linereader.h"
#include "core/io/outputpaths.h"

#include "pcstudio_version.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QTemporaryDir>

#include <cmath>

namespace pcs {

namespace {

double secondsSince(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) * 1e-9;
}

// A part of a task's progress: reports [from, to] of the parent's permille scale.
class ProgressSlice {
public:
    ProgressSlice(const TaskControl &parent, double from, double to)
        : m_control(
            [&parent, from, to](qint64 done, qint64 total) {
                const double share = total > 0 ? double(done) / double(total) : 0.0;
                parent.reportProgress(qint64(std::lround(1000.0 * (from + (to - from) * share))),
                                      1000);
            },
            [&parent] { return parent.isCanceled(); })
    {
    }
    const TaskControl &control() const { return m_control; }

private:
    TaskControl m_control;
};

// Scores the held-out file: each line is "__label__X text".
Status scoreHeldOut(const FastTextModel &model, const QString &testFile,
                    std::vector<double> &scores, std::vector<bool> &isInclude,
                    const TaskControl &control)
{
    scores.clear();
    isInclude.clear();
    auto reader = LineReader::open(testFile);
    if (!reader)
        return reader.error();
    const std::string_view include = FastTextModel::kIncludeLabel;
    std::string_view line;
    while ((*reader)->next(line)) {
        const std::size_t space = line.find(' ');
        if (space == std::string_view::npos)
            continue;
        isInclude.push_back(line.substr(0, space) == include);
        scores.push_back(model.scoreInclude(line.substr(space + 1)));
        if ((scores.size() & 0xFFF) == 0 && control.isCanceled())
            return Error::canceled();
    }
    if ((*reader)->error())
        return *(*reader)->error();
    return Done {};
}

QJsonObject hyperparametersJson(const FastTextParameters &p)
{
    return QJsonObject { { QStringLiteral("model"), QStringLiteral("supervised") },
                         { QStringLiteral("loss"), QStringLiteral("softmax") },
                         { QStringLiteral("epoch"), p.epoch },
                         { QStringLiteral("lr"), p.lr },
                         { QStringLiteral("dim"), p.dim },
                         { QStringLiteral("word_ngrams"), p.wordNgrams },
                         { QStringLiteral("min_count"), p.minCount },
                         { QStringLiteral("bucket"), p.bucket },
                         { QStringLiteral("minn"), 0 },
                         { QStringLiteral("maxn"), 0 },
                         { QStringLiteral("threads"), resolveThreadCount(p.threads) },
                         { QStringLiteral("seed"), p.seed } };
}

// The manifest of the model at `modelPath`, whose bytes are in `modelFile` (finished, not yet
// published), added to `outputs` as MODEL.manifest.json.
Result<QJsonObject> writeManifest(const TrainedFilter &filter, const QString &modelPath,
                                  const AtomicFile &modelFile, const ThresholdChoice &choice,
                                  const FilterEvaluation &evaluation, bool quantized,
                                  OutputSet &outputs)
{
    // The temporary file holds exactly the bytes that will be published.
    auto model = describeInputFile(QStringLiteral("model"), modelFile.temporaryPath());
    if (!model)
        return model.error();
    model->path = QFileInfo(modelPath).absoluteFilePath();
    QJsonArray inputs;
    for (const QString &path : filter.options.data.textFiles) {
        auto info = describeInputFile(QStringLiteral("texts"), path);
        if (!info)
            return info.error();
        inputs.append(info->toJson());
    }
    for (const QString &path : QStringList { filter.options.data.distributionFile }
             + filter.options.data.moreDistributionFiles) {
        auto distribution = describeInputFile(QStringLiteral("distribution"), path);
        if (!distribution)
            return distribution.error();
        inputs.append(distribution->toJson());
    }

    const QJsonObject manifest {
        { QStringLiteral("tool"), QStringLiteral("pcstudio") },
        { QStringLiteral("version"), QStringLiteral(PCSTUDIO_VERSION) },
        { QStringLiteral("kind"), QStringLiteral("pcstudio-fasttext-filter") },
        { QStringLiteral("created_utc"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate) },
        { QStringLiteral("model"),
          QJsonObject { { QStringLiteral("path"), model->path },
                        { QStringLiteral("size_bytes"), double(model->sizeBytes) },
                        { QStringLiteral("sha256"), model->sha256 },
                        { QStringLiteral("quantized"), quantized } } },
        { QStringLiteral("labels"),
          QJsonObject {
              { QStringLiteral("include"), QString::fromLatin1(FastTextModel::kIncludeLabel) },
              { QStringLiteral("exclude"), QString::fromLatin1(FastTextModel::kExcludeLabel) },
              { QStringLiteral("rule"),
                QStringLiteral("include when the key's weight in the distribution is > 0") } } },
        { QStringLiteral("score"),
          QStringLiteral("P(__label__include) as `fasttext predict-prob MODEL - 2` prints it") },
        { QStringLiteral("threshold"), choice.toJson() },
        { QStringLiteral("cleaning"), QString::fromLatin1(kFastTextCleaningRule) },
        { QStringLiteral("text_field"), filter.options.data.textField },
        { QStringLiteral("key_field"), filter.options.data.keyField },
        { QStringLiteral("test_fraction"), filter.options.data.testFraction },
        { QStringLiteral("split_seed"), double(filter.options.data.seed) },
        { QStringLiteral("hyperparameters"), hyperparametersJson(filter.options.fastText) },
        { QStringLiteral("training_data"), filter.data.toJson() },
        { QStringLiteral("evaluation"), evaluation.toJson() },
        { QStringLiteral("inputs"), inputs },
        { QStringLiteral("timings"),
          QJsonObject { { QStringLiteral("prepare_s"), filter.prepareSeconds },
                        { QStringLiteral("train_s"), filter.trainSeconds },
                        { QStringLiteral("evaluate_s"), filter.evaluateSeconds } } }
    };
    auto manifestFile = outputs.add(modelPath + QStringLiteral(".manifest.json"));
    if (!manifestFile)
        return manifestFile.error();
    if (Status written = (*manifestFile)->write(QJsonDocument(manifest).toJson()); !written)
        return written.error();
    return manifest;
}

}  // namespace

Result<TrainedFilter> trainFilter(const FilterTrainOptions &options, const TaskControl &control)
{
    TrainedFilter filter;
    filter.options = options;
    filter.workDir = std::make_shared<QTemporaryDir>();
    if (!filter.workDir->isValid())
        return Error::internal(QStringLiteral("cannot create a temporary folder: %1")
                                   .arg(filter.workDir->errorString()));
    filter.trainingFile = filter.workDir->filePath(QStringLiteral("train.txt"));
    const QString testFile = filter.workDir->filePath(QStringLiteral("test.txt"));

    QElapsedTimer timer;
    timer.start();
    {
        const ProgressSlice slice(control, 0.0, 0.15);
        auto data = writeTrainingData(options.data, filter.trainingFile, testFile, slice.control());
        if (!data)
            return data.error();
        filter.data = std::move(data).value();
    }
    filter.prepareSeconds = secondsSince(timer);
    timer.restart();
    {
        const ProgressSlice slice(control, 0.15, 0.97);
        auto model = FastTextModel::train(filter.trainingFile, options.fastText, slice.control());
        if (!model)
            return model.error();
        filter.model = std::move(model).value();
    }
    filter.trainSeconds = secondsSince(timer);
    timer.restart();
    if (Status scored
        = scoreHeldOut(filter.model, testFile, filter.testScores, filter.testIsInclude, control);
        !scored)
        return scored.error();
    filter.evaluateSeconds = secondsSince(timer);
    control.reportProgress(1000, 1000);
    return filter;
}

QString ThresholdChoice::describe() const
{
    const QString kept = QString::number(100.0 * keepFraction, 'f', 1);
    switch (rule) {
    case Rule::Given:
        return QStringLiteral("given; keeps %1% of the held-out documents").arg(kept);
    case Rule::KeepFraction:
        return QStringLiteral("keeps %1% of the held-out documents (asked: %2%)")
            .arg(kept, QString::number(100.0 * requestedFraction, 'g', 4));
    case Rule::IncludeShare:
        return QStringLiteral(
                   "keeps %1% of the held-out documents, the share of them labelled include (%2%)")
            .arg(kept, QString::number(100.0 * requestedFraction, 'f', 1));
    }
    return {};
}

QJsonObject ThresholdChoice::toJson() const
{
    const char *ruleName = rule == Rule::Given ? "given"
        : rule == Rule::KeepFraction           ? "keep_fraction"
                                               : "include_share";
    QJsonObject json { { QStringLiteral("value"), threshold },
                       { QStringLiteral("rule"), QString::fromLatin1(ruleName) },
                       { QStringLiteral("heldout_kept_fraction"), keepFraction },
                       { QStringLiteral("description"), describe() } };
    if (rule != Rule::Given)
        json.insert(QStringLiteral("requested_fraction"), requestedFraction);
    return json;
}

ThresholdChoice chooseThreshold(const std::vector<double> &testScores,
                                const TrainingDataSummary &data, std::optional<double> threshold,
                                std::optional<double> keepFraction)
{
    ThresholdChoice choice;
    if (threshold) {
        choice.rule = ThresholdChoice::Rule::Given;
        choice.threshold = *threshold;
    } else {
        choice.rule = keepFraction ? ThresholdChoice::Rule::KeepFraction
                                   : ThresholdChoice::Rule::IncludeShare;
        // The include share of the held-out documents themselves: a perfect filter then keeps
        // exactly the held-out include documents (the share of all documents can differ by chance).
        const qint64 labelled = data.include + data.exclude;
        const double includeShare = data.testDocuments > 0
            ? double(data.testInclude) / double(data.testDocuments)
            : labelled > 0 ? double(data.include) / double(labelled)
                           : 0.5;
        choice.requestedFraction = keepFraction ? *keepFraction : includeShare;
        choice.threshold = testScores.empty()
            ? 0.5
            : thresholdForKeepFraction(testScores, choice.requestedFraction);
    }
    choice.keepFraction = keptFraction(testScores, choice.threshold);
    return choice;
}

QString quantizedModelPath(const QString &modelPath)
{
    const QFileInfo info(modelPath);
    const QString base = info.suffix().compare(QLatin1String("bin"), Qt::CaseInsensitive) == 0
        ? info.completeBaseName()
        : info.fileName();
    return info.dir().filePath(base + QStringLiteral(".ftz"));
}

QList<NamedPath> filterBundleFiles(const QString &modelPath, bool quantize)
{
    QList<NamedPath> files { { modelPath, QStringLiteral("the model") },
                             { modelPath + QStringLiteral(".manifest.json"),
                               QStringLiteral("the model's manifest") } };
    if (quantize) {
        const QString ftz = quantizedModelPath(modelPath);
        files << NamedPath { ftz, QStringLiteral("the quantized model") }
              << NamedPath { ftz + QStringLiteral(".manifest.json"),
                             QStringLiteral("the quantized model's manifest") };
    }
    return files;
}

QList<NamedPath> filterTrainingInputs(const TrainingDataOptions &data)
{
    QList<NamedPath> inputs;
    for (const QString &path : data.textFiles)
        inputs << NamedPath { path, QStringLiteral("--texts") };
    inputs << NamedPath { data.distributionFile, QStringLiteral("--distribution") };
    for (const QString &path : data.moreDistributionFiles)
        inputs << NamedPath { path, QStringLiteral("--distribution") };
    return inputs;
}

Result<QJsonObject> writeFilterBundle(TrainedFilter &filter, const QString &modelPath,
                                      const ThresholdChoice &choice, bool quantize,
                                      OutputSet &outputs, const TaskControl &control)
{
    if (Status distinct = checkOutputsAgainstInputs(filterBundleFiles(modelPath, quantize),
                                                    filterTrainingInputs(filter.options.data));
        !distinct)
        return distinct.error();
    auto modelFile = outputs.add(modelPath);
    if (!modelFile)
        return modelFile.error();
    if (Status saved = filter.model.save(**modelFile); !saved)
        return saved.error();
    const FilterEvaluation evaluation
        = evaluateFilter(filter.testScores, filter.testIsInclude, choice.threshold);
    auto manifest = writeManifest(filter, modelPath, **modelFile, choice, evaluation,
                                  filter.model.isQuantized(), outputs);
    if (!manifest || !quantize)
        return manifest;

    // Quantizing converts the model in memory (or discards it when fastText fails half-way).
    // Whatever happens next, the full model comes back from the .bin just written: the files
    // are not published yet (and may never be), so the caller could not read it back later.
    const auto restoreFullModel = qScopeGuard([&filter, &modelFile] {
        if (auto full = FastTextModel::load((*modelFile)->temporaryPath()))
            filter.model = std::move(full).value();
    });
    if (Status quantized = filter.model.quantize(filter.trainingFile, control); !quantized)
        return quantized.error();
    // The quantized model scores a little differently: its threshold follows the same rule on
    // its own held-out scores (a given threshold stays as given).
    std::vector<double> scores;
    std::vector<bool> isInclude;
    const QString testFile = filter.workDir->filePath(QStringLiteral("test.txt"));
    if (Status scored = scoreHeldOut(filter.model, testFile, scores, isInclude, control); !scored)
        return scored.error();
    const std::optional<double> given = choice.rule == ThresholdChoice::Rule::Given
        ? std::optional(choice.threshold)
        : std::nullopt;
    const std::optional<double> fraction = choice.rule == ThresholdChoice::Rule::KeepFraction
        ? std::optional(choice.requestedFraction)
        : std::nullopt;
    const ThresholdChoice quantizedChoice = chooseThreshold(scores, filter.data, given, fraction);
    const QString ftz = quantizedModelPath(modelPath);
    auto ftzFile = outputs.add(ftz);
    if (!ftzFile)
        return ftzFile.error();
    if (Status saved = filter.model.save(**ftzFile); !saved)
        return saved.error();
    auto ftzManifest = writeManifest(filter, ftz, **ftzFile, quantizedChoice,
                                     evaluateFilter(scores, isInclude, quantizedChoice.threshold),
                                     true, outputs);
    if (!ftzManifest)
        return ftzManifest.error();
    return manifest;
}

Result<QJsonObject> saveFilterBundle(TrainedFilter &filter, const QString &modelPath,
                                     const ThresholdChoice &choice, bool quantize,
                                     const TaskControl &control)
{
    OutputSet outputs;
    auto manifest = writeFilterBundle(filter, modelPath, choice, quantize, outputs, control);
    if (!manifest)
        return manifest;
    if (Status published = outputs.publish(); !published)
        return published.error();
    return manifest;
}

Result<QJsonObject> loadFilterManifest(const QString &modelPath)
{
    const QString path = modelPath + QStringLiteral(".manifest.json");
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::badInput(QStringLiteral("no manifest: %1").arg(file.errorString()), path);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return Error::badInput(
            QStringLiteral("not a JSON object: %1").arg(parseError.errorString()), path);
    return document.object();
}

}  // namespace pcs
