#include "core/workspace/filtersession.h"

#include "core/filter/fasttextmodel.h"
#include "core/io/outputpaths.h"

#include <QFileInfo>

#include <mutex>

namespace pcs {

namespace {

Result<std::shared_ptr<TrainedFilter>> trainInBackground(const FilterTrainOptions &options,
                                                         const FilterSession::PrepareStep &prepare,
                                                         const TaskControl &control)
{
    if (prepare) {
        if (Status prepared = prepare(); !prepared)
            return prepared.error();
    }
    auto trained = trainFilter(options, control);
    if (!trained)
        return trained.error();
    return std::make_shared<TrainedFilter>(std::move(trained).value());
}

Result<FilterExportResult> exportInBackground(const std::shared_ptr<TrainedFilter> &filter,
                                              const QString &modelPath,
                                              const ThresholdChoice &choice, bool quantize,
                                              const TaskControl &control)
{
    auto manifest = saveFilterBundle(*filter, modelPath, choice, quantize, control);
    if (!manifest)
        return manifest.error();
    const QString ftz = quantizedModelPath(modelPath);
    return FilterExportResult { modelPath, quantize ? ftz : QString(), std::move(manifest).value(),
                                choice };
}

Result<FilterSession::LoadedModel> loadInBackground(const QString &path)
{
    auto model = FastTextModel::load(path);
    if (!model)
        return model.error();
    std::optional<QJsonObject> manifest;
    if (auto found = loadFilterManifest(path))
        manifest = std::move(found).value();
    return FilterSession::LoadedModel {
        path, std::make_shared<const FastTextModel>(std::move(model).value()), std::move(manifest)
    };
}

Result<FilterApplyResult> applyInBackground(const std::shared_ptr<const FastTextModel> &model,
                                            const FilterApplyOptions &options,
                                            const TaskControl &control)
{
    FilterApplyResult result;
    result.output = options.output;
    std::mutex problemsMutex;  // applyFilter reports from its writer; guard in case that changes
    auto problem = [&](const Error &error) {
        const std::lock_guard lock(problemsMutex);
        if (result.problems.size() < FilterApplyResult::kMaxListedProblems)
            result.problems << error.toString();
    };
    auto summary = applyFilter(*model, options, problem, control);
    if (!summary)
        return summary.error();
    result.summary = std::move(summary).value();
    return result;
}

}  // namespace

FilterSession::FilterSession(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<pcs::Error>();
    qRegisterMetaType<pcs::FilterExportResult>();
    qRegisterMetaType<pcs::FilterApplyResult>();
    m_train.onFinished([this](auto filter) { onTrained(std::move(filter)); });
    m_export.onFinished([this](auto result) { onExported(std::move(result)); });
    m_load.onFinished([this](auto loaded) { onModelLoaded(std::move(loaded)); });
    m_apply.onFinished([this](auto result) { onApplied(std::move(result)); });
    for (BackgroundTaskBase *task :
         std::initializer_list<BackgroundTaskBase *> { &m_train, &m_export, &m_load, &m_apply })
        m_tasks.add(task);
    connect(&m_tasks, &BackgroundTaskGroup::busyChanged, this, &FilterSession::busyChanged);
    connect(&m_tasks, &BackgroundTaskGroup::progressChanged, this,
            [this](double fraction, const QString &message) {
                Q_EMIT progressChanged(int(1000 * fraction), message);
            });
}

// The tasks cancel and wait for their work as they go.
FilterSession::~FilterSession() = default;

Status FilterSession::checkIdle() const
{
    for (const BackgroundTaskBase *task : std::initializer_list<const BackgroundTaskBase *> {
             &m_train, &m_export, &m_load, &m_apply }) {
        if (task->isBusy())
            return Error::badInput(
                tr("the filter is busy (%1); wait for it or cancel it first").arg(task->message()));
    }
    return Done {};
}

Status FilterSession::train(const FilterTrainOptions &options, PrepareStep prepare)
{
    if (Status idle = checkIdle(); !idle)
        return idle;
    m_train.start(tr("Training"),
                  [options, prepare = std::move(prepare)](BackgroundControl &control) {
                      return trainInBackground(options, prepare, control);
                  });
    return Done {};
}

Status FilterSession::exportBundle(const QString &modelPath, const ThresholdChoice &choice,
                                   bool quantize)
{
    if (Status idle = checkIdle(); !idle)
        return idle;
    if (!m_filter)
        return Error::badInput(tr("nothing to export yet: train a filter first"));
    if (m_exportBlocked)
        return *m_exportBlocked;
    m_export.start(tr("Exporting"),
                   [filter = m_filter, modelPath, choice, quantize](BackgroundControl &control) {
                       return exportInBackground(filter, modelPath, choice, quantize, control);
                   });
    return Done {};
}

Status FilterSession::loadModel(const QString &path)
{
    if (Status idle = checkIdle(); !idle)
        return idle;
    m_load.start(tr("Loading the model"),
                 [path](BackgroundControl &) { return loadInBackground(path); });
    return Done {};
}

Status FilterSession::apply(const FilterApplyOptions &options)
{
    if (Status idle = checkIdle(); !idle)
        return idle;
    if (!m_applyModel)
        return Error::badInput(tr("no model yet: train a filter or choose a model file"));
    // applyFilter refuses an output that is one of the inputs; the model file is known here.
    QList<NamedPath> inputs;
    for (const QString &input : options.inputs)
        inputs << NamedPath { input, tr("an input") };
    if (!m_loadedModelPath.isEmpty())
        inputs << NamedPath { m_loadedModelPath, tr("the model") }
               << NamedPath { m_loadedModelPath + QStringLiteral(".manifest.json"),
                              tr("the model's manifest") };
    if (Status distinct
        = checkOutputsAgainstInputs({ { options.output, tr("the output") } }, inputs);
        !distinct)
        return distinct;
    m_apply.start(tr("Applying"), [model = m_applyModel, options](BackgroundControl &control) {
        return applyInBackground(model, options, control);
    });
    return Done {};
}

void FilterSession::cancel()
{
    m_tasks.cancel();
}

bool FilterSession::isBusy() const
{
    return m_tasks.isBusy();
}

void FilterSession::waitForIdle()
{
    m_tasks.waitForIdle();
}

void FilterSession::onTrained(Result<std::shared_ptr<TrainedFilter>> filter)
{
    if (!filter) {
        if (filter.error().kind == ErrorKind::Canceled)
            Q_EMIT trainingCanceled();
        else
            Q_EMIT trainingFailed(filter.error());
        return;
    }
    m_filter = std::move(filter).value();
    // Aliases the filter's model: apply shares it without copying it.
    m_applyModel = std::shared_ptr<const FastTextModel>(m_filter, &m_filter->model);
    m_loadedModelPath.clear();
    m_loadedManifest.reset();
    m_exportBlocked.reset();
    Q_EMIT trainingFinished();
}

void FilterSession::onExported(Result<FilterExportResult> result)
{
    // saveFilterBundle reads the full model back after quantizing; when even that failed, only
    // the quantized model (or none) is left, whatever the export's outcome. The file at the
    // model path is no help then: after a failed export it is the previous model, if any.
    if (m_filter->model.isQuantized() || m_filter->model.labels().isEmpty()) {
        // It still applies, but saving it as the full model would be wrong.
        m_exportBlocked = Error::badInput(
            tr("after quantizing, the full model could not be read back: train again to export"));
        if (m_filter->model.labels().isEmpty() && m_loadedModelPath.isEmpty())
            m_applyModel.reset();  // fastText discarded it: there is nothing left to apply
    }
    if (!result) {
        Q_EMIT exportFailed(result.error());
        return;
    }
    Q_EMIT exportFinished(*result);
}

void FilterSession::onModelLoaded(Result<LoadedModel> loaded)
{
    if (!loaded) {
        Q_EMIT modelLoadFailed(loaded.error());
        return;
    }
    m_applyModel = loaded->model;
    m_loadedModelPath = loaded->path;
    m_loadedManifest = loaded->manifest;
    Q_EMIT modelLoaded();
}

void FilterSession::onApplied(Result<FilterApplyResult> result)
{
    if (!result) {
        if (result.error().kind == ErrorKind::Canceled)
            Q_EMIT applyCanceled();
        else
            Q_EMIT applyFailed(result.error());
        return;
    }
    Q_EMIT applyFinished(*result);
}

}  // namespace pcs
