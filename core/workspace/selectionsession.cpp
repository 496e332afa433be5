#include "workspace/selectionsession.h"

#include "io/namedvalues.h"
#include "workspace/promisecontrol.h"

#include <QElapsedTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace pcs {

namespace {

using LoadReply = SelectionSession::LoadReply;
using RunReply = SelectionSession::RunReply;
using CompareReply = SelectionSession::CompareReply;

void loadInBackground(QPromise<LoadReply> &promise, SelectionInputPaths paths)
{
    QElapsedTimer timer;
    timer.start();
    const PromiseControl<LoadReply> control(promise);
    auto fail = [&](const Error &error) { promise.addResult(LoadReply { nullptr, error }); };

    auto bpb = loadBpbMatrix(paths.bpb, paths.bpbOptions, control);
    if (!bpb)
        return fail(bpb.error());
    auto errors = loadBenchmarkErrors(paths.errors, {}, control);
    if (!errors)
        return fail(errors.error());
    auto data = std::make_shared<SelectionData>();
    data->warnings = bpb->warnings + errors->warnings;
    if (!paths.tokenCounts.isEmpty()) {
        // Resolve once by name; caps then follow from the keep ratio of each run.
        auto tau = resolveTau(bpb->texts, { TauSpec::Source::TokenCounts, paths.tokenCounts, 1.0 },
                              &data->warnings);
        if (!tau)
            return fail(tau.error());
        data->tokens = std::move(tau).value();  // proportional to the token counts, sums to 1
    }
    data->paths = std::move(paths);
    data->bpb = std::make_shared<const BpbMatrix>(std::move(bpb).value());
    data->errors = std::move(errors).value();
    data->loadSeconds = double(timer.nsecsElapsed()) * 1e-9;
    promise.addResult(LoadReply { std::move(data), std::nullopt });
}

void runInBackground(QPromise<RunReply> &promise, std::shared_ptr<const SelectionData> data,
                     SelectionParameters parameters, std::shared_ptr<const EstimateCache> cache)
{
    const PromiseControl<RunReply> control(promise);
    auto fail = [&](const Error &error) { promise.addResult(RunReply { nullptr, {}, error }); };
    auto outcome = std::make_shared<SelectionOutcome>();
    outcome->parameters = parameters;

    AlignOptions options;
    options.benchmarks = parameters.benchmarks;
    options.matching = parameters.matching;
    options.dedupeLlms = parameters.dedupeLlms;
    options.combination = parameters.combination;
    if (!parameters.llmMapPath.isEmpty()) {
        auto map = loadLlmMap(parameters.llmMapPath);
        if (!map)
            return fail(map.error());
        options.llmMap = std::move(map).value();
    }
    auto aligned
        = alignInputs(*data->bpb, data->errors, options, data->paths.bpb, data->paths.errors);
    if (!aligned)
        return fail(aligned.error());
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
            return fail(values.error());
        cache = std::make_shared<const EstimateCache>(
            EstimateCache { parameters.estimator, a.bpbRows, a.errors, std::move(values).value() });
    }
    outcome->estimateSeconds = double(timer.nsecsElapsed()) * 1e-9;
    timer.restart();

    auto tau = data->tokens.size() > 0 ? tauFromTokenCounts(data->tokens, parameters.keepRatio)
                                       : uniformTau(data->bpb->texts.size(), parameters.keepRatio);
    if (!tau)
        return fail(tau.error());
    auto table
        = makeDistributionTable(data->bpb->texts, cache->estimate, *tau, parameters.projection);
    if (!table)
        return fail(table.error());
    outcome->table = std::move(table).value();
    outcome->projectSeconds = double(timer.nsecsElapsed()) * 1e-9;
    promise.addResult(RunReply { std::move(outcome), std::move(cache), std::nullopt });
}

void compareInBackground(QPromise<CompareReply> &promise, std::shared_ptr<const SelectionData> data,
                         std::shared_ptr<const SelectionOutcome> outcome, Estimator estimator,
                         int threads)
{
    const PromiseControl<CompareReply> control(promise);
    auto values = estimate(data->bpb->values, outcome->aligned.bpbRows, outcome->aligned.errors,
                           { estimator, threads }, control);
    if (!values)
        promise.addResult(CompareReply { {}, values.error() });
    else
        promise.addResult(CompareReply { std::move(values).value(), std::nullopt });
}

}  // namespace

SelectionSession::SelectionSession(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<pcs::Error>();
    connect(&m_loadWatcher, &QFutureWatcherBase::finished, this, &SelectionSession::onLoadFinished);
    connect(&m_runWatcher, &QFutureWatcherBase::finished, this, &SelectionSession::onRunFinished);
    connect(&m_compareWatcher, &QFutureWatcherBase::finished, this,
            &SelectionSession::onCompareFinished);
    connect(&m_loadWatcher, &QFutureWatcherBase::progressValueChanged, this,
            [this](int value) { Q_EMIT progressChanged(value, tr("Loading")); });
    connect(&m_runWatcher, &QFutureWatcherBase::progressValueChanged, this,
            [this](int value) { Q_EMIT progressChanged(value, tr("Estimating")); });
}

SelectionSession::~SelectionSession()
{
    cancel();
    waitForIdle();
}

void SelectionSession::load(const SelectionInputPaths &paths)
{
    m_loadWatcher.cancel();
    m_runWatcher.cancel();
    m_compareWatcher.cancel();
    m_loadWatcher.setFuture(QtConcurrent::run(loadInBackground, paths));
    m_loadPending = true;
    updateBusy();
    Q_EMIT progressChanged(0, tr("Loading"));
}

void SelectionSession::setParameters(const SelectionParameters &parameters)
{
    m_parameters = parameters;
    if (m_data && !m_loadWatcher.isRunning())
        startRun();
}

void SelectionSession::startRun()
{
    m_runWatcher.cancel();
    m_runWatcher.setFuture(QtConcurrent::run(runInBackground, m_data, m_parameters, m_cache));
    m_runPending = true;
    updateBusy();
    Q_EMIT progressChanged(0, tr("Estimating"));
}

void SelectionSession::requestComparison(Estimator estimator)
{
    m_comparisonEstimator = estimator;
    m_compareWatcher.cancel();
    if (!m_data || !m_outcome)
        return;
    m_compareWatcher.setFuture(
        QtConcurrent::run(compareInBackground, m_data, m_outcome, estimator, m_parameters.threads));
    m_comparePending = true;
    updateBusy();
}

void SelectionSession::cancel()
{
    m_loadWatcher.cancel();
    m_runWatcher.cancel();
    m_compareWatcher.cancel();
}

bool SelectionSession::isBusy() const
{
    return m_loadPending || m_runPending || m_comparePending;
}

void SelectionSession::waitForIdle()
{
    m_loadWatcher.waitForFinished();
    m_runWatcher.waitForFinished();
    m_compareWatcher.waitForFinished();
}

void SelectionSession::onLoadFinished()
{
    const QFuture<LoadReply> future = m_loadWatcher.future();
    // A finished() queued for a replaced future arrives while the new one still runs.
    if (!m_loadPending || !future.isFinished())
        return;
    m_loadPending = false;
    updateBusy();
    if (future.isCanceled() || future.resultCount() == 0) {
        Q_EMIT runCanceled();
        return;
    }
    const LoadReply reply = future.result();
    if (reply.error) {
        if (reply.error->kind == ErrorKind::Canceled)
            Q_EMIT runCanceled();
        else
            Q_EMIT loadFailed(*reply.error);
        return;
    }
    m_data = reply.data;
    m_outcome.reset();
    m_cache.reset();
    m_comparisonEstimate = {};
    Q_EMIT loadFinished();
    startRun();
}

void SelectionSession::onRunFinished()
{
    const QFuture<RunReply> future = m_runWatcher.future();
    // A finished() queued for a replaced future arrives while the new one still runs.
    if (!m_runPending || !future.isFinished())
        return;
    m_runPending = false;
    updateBusy();
    if (future.isCanceled() || future.resultCount() == 0) {
        Q_EMIT runCanceled();
        return;
    }
    const RunReply reply = future.result();
    if (reply.error) {
        if (reply.error->kind == ErrorKind::Canceled)
            Q_EMIT runCanceled();
        else
            Q_EMIT runFailed(*reply.error);
        return;
    }
    m_outcome = reply.outcome;
    m_cache = reply.cache;
    Q_EMIT outcomeChanged();
    if (m_comparisonEstimator)
        requestComparison(*m_comparisonEstimator);
}

void SelectionSession::onCompareFinished()
{
    const QFuture<CompareReply> future = m_compareWatcher.future();
    // A finished() queued for a replaced future arrives while the new one still runs.
    if (!m_comparePending || !future.isFinished())
        return;
    m_comparePending = false;
    updateBusy();
    if (future.isCanceled() || future.resultCount() == 0)
        return;
    const CompareReply reply = future.result();
    if (reply.error) {
        if (reply.error->kind != ErrorKind::Canceled)
            Q_EMIT runFailed(*reply.error);
        return;
    }
    m_comparisonEstimate = reply.estimate;
    Q_EMIT comparisonChanged();
}

void SelectionSession::updateBusy()
{
    const bool busy = isBusy();
    if (busy == m_busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

}  // namespace pcs
