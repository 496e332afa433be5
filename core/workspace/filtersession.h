#pragma once

#include "core/common/backgroundtask.h"
#include "core/filter/filterapply.h"
#include "core/filter/filtertrain.h"
// Declares pcs::Error as a metatype, which has to come before a signal uses it.
#include "core/workspace/selectionsession.h"

#include <QJsonObject>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace pcs {

// What an export wrote.
struct FilterExportResult {
    QString modelPath;
    QString quantizedPath;  // empty when not quantized
    QJsonObject manifest;  // of the .bin
    ThresholdChoice choice;
};

// What an apply did, with the malformed lines it met.
struct FilterApplyResult {
    FilterApplySummary summary;
    QStringList problems;  // the first kMaxListedProblems, as FILE:LINE:COLUMN: reason
    QString output;

    static constexpr int kMaxListedProblems = 100;
};

// The Filter stage's work: trains a fastText filter, exports it as a bundle and applies it to
// corpora, each in the background with progress and cancel. One task runs at a time (an export
// changes the model an apply would read); a request while busy is refused with an error.
class FilterSession final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FilterSession)
public:
    // Work done in the background before training, e.g. writing the distribution file.
    using PrepareStep = std::function<Status()>;

    explicit FilterSession(QObject *parent = nullptr);
    ~FilterSession() override;

    Status train(const FilterTrainOptions &options, PrepareStep prepare = {});
    // Saves the trained filter (see saveFilterBundle). With `quantize`, the full model is read
    // back from the saved .bin afterwards, so later exports and applies still use it.
    Status exportBundle(const QString &modelPath, const ThresholdChoice &choice, bool quantize);
    // A model file (.bin/.ftz) that apply uses instead of the trained one, until the next training.
    Status loadModel(const QString &path);
    Status apply(const FilterApplyOptions &options);
    void cancel();

    bool isBusy() const;
    // False while exporting: quantizing reports no progress, so a bar should just show activity.
    bool reportsProgress() const { return !m_export.isBusy(); }
    // Blocks until the work in flight is over (tests and shutdown).
    void waitForIdle();

    // Read-only for views; only this session's own exports change its model, one task at a time.
    std::shared_ptr<const TrainedFilter> filter() const { return m_filter; }
    // The model apply uses: the loaded file's, else the trained one; null before either.
    std::shared_ptr<const FastTextModel> applyModel() const { return m_applyModel; }
    QString loadedModelPath() const { return m_loadedModelPath; }  // empty = the trained model
    std::optional<QJsonObject> loadedModelManifest() const { return m_loadedManifest; }

Q_SIGNALS:
    void busyChanged(bool busy);
    void progressChanged(int permille, const QString &activity);
    void trainingFinished();
    void trainingFailed(const pcs::Error &error);
    void trainingCanceled();
    void exportFinished(const pcs::FilterExportResult &result);
    void exportFailed(const pcs::Error &error);
    void modelLoaded();
    void modelLoadFailed(const pcs::Error &error);
    void applyFinished(const pcs::FilterApplyResult &result);
    void applyFailed(const pcs::Error &error);
    void applyCanceled();

public:
    // A model file read by loadModel (public for BackgroundTask).
    struct LoadedModel {
        QString path;
        std::shared_ptr<const FastTextModel> model;
        std::optional<QJsonObject> manifest;
    };

private:
    Status checkIdle() const;
    void onTrained(Result<std::shared_ptr<TrainedFilter>> filter);
    void onExported(Result<FilterExportResult> result);
    void onModelLoaded(Result<LoadedModel> loaded);
    void onApplied(Result<FilterApplyResult> result);

    std::shared_ptr<TrainedFilter> m_filter;
    std::shared_ptr<const FastTextModel> m_applyModel;
    QString m_loadedModelPath;
    std::optional<QJsonObject> m_loadedManifest;
    // Set when a quantizing export left only the quantized model in memory.
    std::optional<Error> m_exportBlocked;

    // Declared last: destroyed first, so no work outlives the state above.
    BackgroundTask<std::shared_ptr<TrainedFilter>> m_train;
    BackgroundTask<FilterExportResult> m_export;
    BackgroundTask<LoadedModel> m_load;
    BackgroundTask<FilterApplyResult> m_apply;
    BackgroundTaskGroup m_tasks;
};

}  // namespace pcs
