#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/filter/fasttextmodel.h"
#include "core/filter/filterevaluation.h"
#include "core/filter/trainingdata.h"
#include "core/io/atomicwrite.h"
#include "core/io/outputpaths.h"

#include <QJsonObject>

#include <memory>
#include <optional>
#include <vector>

class QTemporaryDir;

namespace pcs {

struct FilterTrainOptions {
    TrainingDataOptions data;
    FastTextParameters fastText;
};

// A filter trained in memory, with its held-out scores, before a threshold is chosen and it is
// saved: the app lets the user pick the threshold on these scores first.
struct TrainedFilter {
    FastTextModel model;
    FilterTrainOptions options;
    TrainingDataSummary data;
    std::vector<double> testScores;  // P(include) per held-out document
    std::vector<bool> testIsInclude;
    std::shared_ptr<QTemporaryDir> workDir;  // holds the training file (quantizing needs it)
    QString trainingFile;
    double prepareSeconds = 0;
    double trainSeconds = 0;
    double evaluateSeconds = 0;
};

// Labels and splits the texts, trains, and scores the held-out part. Progress: preparing the
// data 0–15%, training 15–97%, scoring the rest. Errors as writeTrainingData and
// FastTextModel::train; Canceled.
Result<TrainedFilter> trainFilter(const FilterTrainOptions &options,
                                  const TaskControl &control = TaskControl::none());

// How the threshold of a saved filter was chosen.
struct ThresholdChoice {
    enum class Rule { Given, KeepFraction, IncludeShare };
    Rule rule = Rule::IncludeShare;
    double threshold = 0.5;
    double keepFraction = 0;  // the held-out fraction with score >= threshold
    double requestedFraction = 0;  // KeepFraction / IncludeShare: the fraction aimed at

    QString describe() const;  // e.g. "keeps 18.3% of the held-out documents, the share of them
                               // labelled include (18.1%)"
    QJsonObject toJson() const;
};

// Given: `threshold`; else KeepFraction: the threshold keeping `keepFraction` of the held-out
// scores; else IncludeShare: keeping the share of the held-out documents labelled include.
ThresholdChoice chooseThreshold(const std::vector<double> &testScores,
                                const TrainingDataSummary &data, std::optional<double> threshold,
                                std::optional<double> keepFraction);

// Saves MODEL (.bin) and MODEL.manifest.json: labels, threshold and rule, cleaning rule,
// hyperparameters, the model's SHA-256, the training data counts, the held-out evaluation at
// the threshold, the inputs and their hashes. With `quantize`, also the quantized model beside
// it (same name, .ftz) with its own manifest and its own threshold (same rule, its own scores);
// the model is quantized in place for that, then the full model is read back from the .bin
// written (if that fails, the model stays quantized, or empty when fastText discarded it
// half-way). Returns the .bin manifest. The files are published
// together (OutputSet): all of them or, after any failure, none. Errors: a file of the bundle
// would replace a training input (BadInput); a failed write, e.g. a full disk (Io).
Result<QJsonObject> saveFilterBundle(TrainedFilter &filter, const QString &modelPath,
                                     const ThresholdChoice &choice, bool quantize,
                                     const TaskControl &control = TaskControl::none());
// As saveFilterBundle, but the files are only added to `outputs` (written, not published): the
// caller publishes them with its own files (the CLI's --report).
Result<QJsonObject> writeFilterBundle(TrainedFilter &filter, const QString &modelPath,
                                      const ThresholdChoice &choice, bool quantize,
                                      OutputSet &outputs,
                                      const TaskControl &control = TaskControl::none());

// The files a bundle for `modelPath` consists of (model, manifest, and with `quantize` the .ftz
// and its manifest), and the inputs of the training, for checkOutputsAgainstInputs.
QList<NamedPath> filterBundleFiles(const QString &modelPath, bool quantize);
QList<NamedPath> filterTrainingInputs(const TrainingDataOptions &data);

// The path of the quantized model saved beside `modelPath` (x.bin → x.ftz).
QString quantizedModelPath(const QString &modelPath);

// The manifest of a saved model (MODEL.manifest.json), if there is one.
Result<QJsonObject> loadFilterManifest(const QString &modelPath);

}  // namespace pcs
