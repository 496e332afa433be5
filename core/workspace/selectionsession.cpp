#include "core/workspace/selectionsession.h"

#include "core/io/namedvalues.h"

#include <QElapsedTimer>
#include <QThreadPool>

namespace pcs {

namespace {

using RunReply = SelectionSession::RunReply;

// Shared ownership whose last release frees the object on a pool thread: ten million text names
// and gigabytes of matrix take long to free, and the last holder (a view replacing its data)
// is usually on the GUI thread.
template<typename T> std::shared_ptr<const T> freedInBackground(std::unique_ptr<T> object)
{
    return std::shared_ptr<const T>(object.release(), [](const T *doomed) {
        QThreadPool *pool = QThreadPool::globalInstance();
        if (pool)
            pool->start([doomed] { delete doomed; });
        else
            delete doomed;  // at exit, when the pool is gone
    });
}

Result<std::shared_ptr<const SelectionData>> loadInBackground(const SelectionInputPaths &paths,
                                                              BackgroundControl &control)
{
    QElapsedTimer timer;
    timer.start();

    auto bpb = loadBpbMatrix(paths.bpb, paths.bpbOptions, control);
    if (!bpb)
        return bpb.error();
    control.setMessage(QObject::tr("Loading benchmark errors"));
    auto errors = loadBenchmarkErrors(paths.errors, {}, control);
    if (!errors)
        return errors.error();
    auto data = std::make_unique<SelectionData>();
    data->warnings = bpb->warnings + errors->warnings;
    if (!paths.tokenCounts.isEmpty()) {
        // Resolve once by name; caps then follow from the keep ratio of each run.
        auto tau = resolveTau(bpb->texts, { TauSpec::Source::TokenCounts, paths.tokenCounts, 1.0 },
                              &data->warnings);
        if (!tau)
            return tau.error();
        data->tokens = std::move(tau).value();  // proportional to the token counts, sums to 1
    }
    data->paths = paths;
    data->bpb = std::make_shared<const BpbMatrix>(std::move(bpb).value());
    data->errors = std::move(errors).value();
    data->loadSeconds = double(timer.nsecsElapsed()) * 1e-9;
    return freedInBackground(std::move(data));
}

Result<RunReply> runInBackground(const std::shared_ptr<const SelectionData> &data,
                                 const SelectionParameters &parameters,
                                 std::shared_ptr<const EstimateCache> cache,
                                 const TaskControl &control)
{
    auto outcome = std::make_unique<SelectionOutcome>();
    outcome->parameters = parameters;

    AlignOptions options;
    options.benchmarks = parameters.benchmarks;
    options.matching = parameters.matching;
    options.dedupeLlms = parameters.dedupeLlms;
    options.combination = parameters.combination;
    if (!parameters.llmMapPath.isEmpty()) {
        auto map = loadLlmMap(parameters.llmMapPath);
        if (!map)
            return map.error();
        options.llmMap = std::move(map).value();
    }
    auto aligned
        = alignInputs(*data->bpb, data->errors, options, data->paths.bpb, data->paths.errors);
    if (!aligned)
        return aligned.error();
    outcome->aligned = std::move(aligned).value();
    outcome->warnings = outcome->aligned.warnings;

    QElapsedTimer timer;
    timer.start();
    const AlignedInputs &a = outcome->aligned;
    if (!cache || cache->estimator != parameters.estimator || cache->bpbRows != a.bpbRows
        || cache->errors.size() != a.errors.size() || cache->errors != a.errors) {
        auto values = estimate(data->bpb->values, a.bpbRows, a.errors,
                               { parameters.estimator, parameters.threads }, control);
        if (!values)
            return values.error();
        cache = freedInBackground(std::make_unique<EstimateCache>(EstimateCache {
            parameters.estimator, a.bpbRows, a.errors, std::move(values).value() }));
    }
    outcome->estimateSeconds = double(timer.nsecsElapsed()) * 1e-9;
    timer.restart();

    auto tau = data->tokens.size() > 0 ? tauFromTokenCounts(data->tokens, parameters.keepRatio)
                                       : uniformTau(data->bpb->texts.size(), parameters.keepRatio);
    if (!tau)
        return tau.error();
    auto table
        = makeDistributionTable(data->bpb->texts, cache->estimate, *tau, parameters.projection);
    if (!table)
        return table.error();
    outcome->table = std::move(table).value();
    outcome->projectSeconds = double(timer.nsecsElapsed()) * 1e-9;
    return RunReply { freedInBackground(std::move(outcome)), std::move(cache) };
}

}  // namespace

SelectionSession::SelectionSession(QObject *parent)
    : QObject(parent)
{
    m_load.onFinished([this](auto data) { onLoaded(std::move(data)); });
    m_run.onFinished([this](auto reply) { onRun(std::move(reply)); });
    m_compare.onFinished([this](auto estimate) { onCompared(std::move(estimate)); });
    for (BackgroundTaskBase *task :
         { static_cast<BackgroundTaskBase *>(&m_load), static_cast<BackgroundTaskBase *>(&m_run),
           static_cast<BackgroundTaskBase *>(&m_compare) })
        m_tasks.add(task);
    connect(&m_tasks, &BackgroundTaskGroup::busyChanged, this, &SelectionSession::busyChanged);
    connect(&m_tasks, &BackgroundTaskGroup::progressChanged, this,
            [this](double fraction, const QString &message) {
                Q_EMIT progressChanged(int(1000 * fraction), message);
            });
}

// The tasks cancel and wait for their work as they go.
SelectionSession::~SelectionSession() = default;

void SelectionSession::load(const SelectionInputPaths &paths)
{
    m_run.cancel();
    m_compare.cancel();
    m_load.start(tr("Loading"),
                 [paths](BackgroundControl &control) { return loadInBackground(paths, control); });
}

void SelectionSession::setParameters(const SelectionParameters &parameters)
{
    m_parameters = parameters;
    if (m_data && !m_load.isBusy())
        startRun();
}

void SelectionSession::startRun()
{
    m_run.start(
        tr("Estimating"),
        [data = m_data, parameters = m_parameters, cache = m_cache](BackgroundControl &control) {
            return runInBackground(data, parameters, cache, control);
        });
}

void SelectionSession::requestComparison(Estimator estimator)
{
    m_comparisonEstimator = estimator;
    m_compare.cancel();
    if (!m_data || !m_outcome)
        return;
    m_compare.start(tr("Comparing estimators"),
                    [data = m_data, outcome = m_outcome, estimator,
                     threads = m_parameters.threads](BackgroundControl &control) {
                        return estimate(data->bpb->values, outcome->aligned.bpbRows,
                                        outcome->aligned.errors, { estimator, threads }, control);
                    });
}

void SelectionSession::cancel()
{
    m_tasks.cancel();
}

bool SelectionSession::isBusy() const
{
    return m_tasks.isBusy();
}

void SelectionSession::waitForIdle()
{
    m_tasks.waitForIdle();
}

void SelectionSession::onLoaded(Result<std::shared_ptr<const SelectionData>> data)
{
    if (!data) {
        if (data.error().kind == ErrorKind::Canceled)
            Q_EMIT runCanceled();
        else
            Q_EMIT loadFailed(data.error());
        return;
    }
    m_data = std::move(data).value();
    m_outcome.reset();
    m_cache.reset();
    m_comparisonEstimate = {};
    Q_EMIT loadFinished();
    startRun();
}

void SelectionSession::onRun(Result<RunReply> reply)
{
    if (!reply) {
        if (reply.error().kind == ErrorKind::Canceled)
            Q_EMIT runCanceled();
        else
            Q_EMIT runFailed(reply.error());
        return;
    }
    m_outcome = reply->outcome;
    m_cache = reply->cache;
    Q_EMIT outcomeChanged();
    if (m_comparisonEstimator)
        requestComparison(*m_comparisonEstimator);
}

void SelectionSession::onCompared(Result<Eigen::VectorXd> estimate)
{
    if (!estimate) {
        if (estimate.error().kind != ErrorKind::Canceled)
            Q_EMIT runFailed(estimate.error());
        return;
    }
    m_comparisonEstimate = std::move(estimate).value();
    Q_EMIT comparisonChanged();
}

}  // namespace pcs
