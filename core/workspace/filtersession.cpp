#include "workspace/filtersession.h"

#include "filter/fasttextmodel.h"
#include "io/outputpaths.h"
#include "workspace/promisecontrol.h"

#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

#include <mutex>

namespace pcs {

namespace {

using TrainReply = FilterSession::TrainReply;
using ExportReply = FilterSession::ExportReply;
using LoadReply = FilterSession::LoadReply;
using ApplyReply = FilterSession::ApplyReply;

void trainInBackground(QPromise<TrainReply> &promise, FilterTrainOptions options,
                       FilterSession::PrepareStep prepare)
{
    const PromiseControl<TrainReply> control(promise);
    if (prepare) {
        if (Status prepared = prepare(); !prepared) {
            promise.addResult(TrainReply { nullptr, prepared.error() });
            return;
        }
    }
    auto trained = trainFilter(options, control);
    if (!trained) {
        promise.addResult(TrainReply { nullptr, trained.error() });
        return;
    }
    promise.addResult(
        TrainReply { std::make_shared<TrainedFilter>(std::move(trained).value()), std::nullopt });
}

void exportInBackground(QPromise<ExportReply> &promise, std::shared_ptr<TrainedFilter> filter,
                        QString modelPath, ThresholdChoice choice, bool quantize)
{
    const PromiseControl<ExportReply> control(promise);
    ExportReply reply;
    auto manifest = saveFilterBundle(*filter, modelPath, choice, quantize, control);
    // saveFilterBundle reads the full model back after quantizing; when even that failed, only
    // the quantized model (or none) is left. The file at modelPath is no help then: after a
    // failed export it is the previous model, if any.
    if (filter->model.isQuantized() || filter->model.labels().isEmpty())
        reply.reloadError = Error::internal(
            QStringLiteral("the full model could not be read back after quantizing"), modelPath);
    if (!manifest) {
        reply.error = manifest.error();
    } else {
        const QString ftz = quantizedModelPath(modelPath);
        reply.result = FilterExportResult { modelPath, quantize ? ftz : QString(),
                                            std::move(manifest).value(), choice };
    }
    promise.addResult(std::move(reply));
}

void loadInBackground(QPromise<LoadReply> &promise, QString path)
{
    auto model = FastTextModel::load(path);
    if (!model) {
        promise.addResult(LoadReply { path, nullptr, std::nullopt, model.error() });
        return;
    }
    std::optional<QJsonObject> manifest;
    if (auto found = loadFilterManifest(path))
        manifest = std::move(found).value();
    promise.addResult(LoadReply { path,
                                  std::make_shared<const FastTextModel>(std::move(model).value()),
                                  std::move(manifest), std::nullopt });
}

void applyInBackground(QPromise<ApplyReply> &promise, std::shared_ptr<const FastTextModel> model,
                       FilterApplyOptions options)
{
    const PromiseControl<ApplyReply> control(promise);
    FilterApplyResult result;
    result.output = options.output;
    std::mutex problemsMutex;  // applyFilter reports from its writer; guard in case that changes
    auto problem = [&](const Error &error) {
        const std::lock_guard lock(problemsMutex);
        if (result.problems.size() < FilterApplyResult::kMaxListedProblems)
            result.problems << error.toString();
    };
    auto summary = applyFilter(*model, options, problem, control);
    if (!summary) {
        promise.addResult(ApplyReply { std::nullopt, summary.error() });
        return;
    }
    result.summary = std::move(summary).value();
    promise.addResult(ApplyReply { std::move(result), std::nullopt });
}

// A reply, or nullopt when the future was canceled before it produced one.
template<typename Reply> std::optional<Reply> takeReply(const QFutureWatcher<Reply> &watcher)
{
    const QFuture<Reply> future = watcher.future();
    if (future.isCanceled() || future.resultCount() == 0)
        return std::nullopt;
    return future.result();
}

}  // namespace

FilterSession::FilterSession(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<pcs::Error>();
    qRegisterMetaType<pcs::FilterExportResult>();
    qRegisterMetaType<pcs::FilterApplyResult>();
    connect(&m_trainWatcher, &QFutureWatcherBase::finished, this, &FilterSession::onTrainFinished);
    connect(&m_exportWatcher, &QFutureWatcherBase::finished, this,
            &FilterSession::onExportFinished);
    connect(&m_loadWatcher, &QFutureWatcherBase::finished, this, &FilterSession::onLoadFinished);
    connect(&m_applyWatcher, &QFutureWatcherBase::finished, this, &FilterSession::onApplyFinished);
    for (QFutureWatcherBase *watcher : std::initializer_list<QFutureWatcherBase *> {
             &m_trainWatcher, &m_exportWatcher, &m_loadWatcher, &m_applyWatcher })
        connect(watcher, &QFutureWatcherBase::progressValueChanged, this,
                [this](int value) { Q_EMIT progressChanged(value, m_activity); });
}

FilterSession::~FilterSession()
{
    cancel();
    waitForIdle();
}

Status FilterSession::checkIdle() const
{
    if (m_running != Task::None)
        return Error::badInput(
            tr("the filter is busy (%1); wait for it or cancel it first").arg(m_activity));
    return Done {};
}

void FilterSession::started(Task task, const QString &activity)
{
    m_activity = activity;
    m_running = task;
    updateBusy();
    Q_EMIT progressChanged(0, activity);
}

bool FilterSession::finishing(Task task, const QFutureWatcherBase &watcher)
{
    // A finished() queued for an earlier task of this watcher may arrive during another task.
    if (m_running != task || !watcher.isFinished())
        return false;
    m_running = Task::None;
    updateBusy();
    return true;
}

Status FilterSession::train(const FilterTrainOptions &options, PrepareStep prepare)
{
    if (Status idle = checkIdle(); !idle)
        return idle;
    m_trainWatcher.setFuture(QtConcurrent::run(trainInBackground, options, std::move(prepare)));
    started(Task::Train, tr("Training"));
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
    m_exportWatcher.setFuture(
        QtConcurrent::run(exportInBackground, m_filter, modelPath, choice, quantize));
    started(Task::Export, tr("Exporting"));
    return Done {};
}

Status FilterSession::loadModel(const QString &path)
{
    if (Status idle = checkIdle(); !idle)
        return idle;
    m_loadWatcher.setFuture(QtConcurrent::run(loadInBackground, path));
    started(Task::Load, tr("Loading the model"));
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
    m_applyWatcher.setFuture(QtConcurrent::run(applyInBackground, m_applyModel, options));
    started(Task::Apply, tr("Applying"));
    return Done {};
}

void FilterSession::cancel()
{
    m_trainWatcher.cancel();
    m_exportWatcher.cancel();
    m_loadWatcher.cancel();
    m_applyWatcher.cancel();
}

bool FilterSession::isBusy() const
{
    return m_running != Task::None;
}

void FilterSession::waitForIdle()
{
    m_trainWatcher.waitForFinished();
    m_exportWatcher.waitForFinished();
    m_loadWatcher.waitForFinished();
    m_applyWatcher.waitForFinished();
}

void FilterSession::onTrainFinished()
{
    if (!finishing(Task::Train, m_trainWatcher))
        return;
    const auto reply = takeReply(m_trainWatcher);
    if (!reply || (reply->error && reply->error->kind == ErrorKind::Canceled)) {
        Q_EMIT trainingCanceled();
        return;
    }
    if (reply->error) {
        Q_EMIT trainingFailed(*reply->error);
        return;
    }
    m_filter = reply->filter;
    // Aliases the filter's model: apply shares it without copying it.
    m_applyModel = std::shared_ptr<const FastTextModel>(m_filter, &m_filter->model);
    m_loadedModelPath.clear();
    m_loadedManifest.reset();
    m_exportBlocked.reset();
    Q_EMIT trainingFinished();
}

void FilterSession::onExportFinished()
{
    if (!finishing(Task::Export, m_exportWatcher))
        return;
    const auto reply = takeReply(m_exportWatcher);
    if (reply && reply->reloadError) {
        // Only the quantized model is left: it still applies, but saving it as the full
        // model would be wrong.
        m_exportBlocked = Error::badInput(
            tr("after quantizing, the full model could not be read back (%1): train again to "
               "export")
                .arg(reply->reloadError->toString()));
        if (m_filter->model.labels().isEmpty() && m_loadedModelPath.isEmpty())
            m_applyModel.reset();  // fastText discarded it: there is nothing left to apply
    }
    if (!reply) {
        Q_EMIT exportFailed(Error::canceled());
        return;
    }
    if (reply->error) {
        Q_EMIT exportFailed(*reply->error);
        return;
    }
    Q_EMIT exportFinished(*reply->result);
}

void FilterSession::onLoadFinished()
{
    if (!finishing(Task::Load, m_loadWatcher))
        return;
    const auto reply = takeReply(m_loadWatcher);
    if (!reply) {
        Q_EMIT modelLoadFailed(Error::canceled());
        return;
    }
    if (reply->error) {
        Q_EMIT modelLoadFailed(*reply->error);
        return;
    }
    m_applyModel = reply->model;
    m_loadedModelPath = reply->path;
    m_loadedManifest = reply->manifest;
    Q_EMIT modelLoaded();
}

void FilterSession::onApplyFinished()
{
    if (!finishing(Task::Apply, m_applyWatcher))
        return;
    const auto reply = takeReply(m_applyWatcher);
    if (!reply || (reply->error && reply->error->kind == ErrorKind::Canceled)) {
        Q_EMIT applyCanceled();
        return;
    }
    if (reply->error) {
        Q_EMIT applyFailed(*reply->error);
        return;
    }
    Q_EMIT applyFinished(*reply->result);
}

void FilterSession::updateBusy()
{
    const bool busy = isBusy();
    if (busy == m_busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

}  // namespace pcs
