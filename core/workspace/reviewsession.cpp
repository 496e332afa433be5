#include "core/workspace/reviewsession.h"

#include "core/common/backgroundtask.h"
#include "core/review/apikey.h"
#include "core/review/modelprofile.h"
#include "core/workspace/keyresolver.h"
#include "core/workspace/reviewtasks.h"

namespace pcs {

namespace {

enum class Task { None, Import, Thresholds, ExportCurated, ExportBatch };

// A one-off request waiting for the endpoint's key (reassess, revise, try).
struct PendingOneOff {
    enum class Kind { Reassess, Revise, Try } kind = Kind::Try;
    qint64 id = 0;
    Criteria criteria;  // of a try
    QString text;  // of a try
};

ReviewCounts toReviewCounts(const QueueCounts &counts)
{
    ReviewCounts result;
    result.total = counts.total;
    result.pending = counts.pending;
    result.assessed = counts.assessed;
    result.errors = counts.errors;
    result.keep = counts.keep;
    result.revise = counts.revise;
    result.filter = counts.filter;
    result.humanDecided = counts.humanDecided;
    return result;
}

// Deletes a QObject once control is back in the event loop, after cutting it off: it may be
// the sender of the signal being handled right now.
void disposeLater(QObject *object)
{
    if (!object)
        return;
    object->disconnect();
    object->deleteLater();
}

Error notOpen()
{
    return Error::badInput(QObject::tr("no review project is open"));
}

Error noEndpoint()
{
    return Error::badInput(QObject::tr("no endpoint is configured for the assessor"));
}

Status checkIdle(const BackgroundTaskBase &task, const QString &activity)
{
    if (task.isBusy())
        return Error::badInput(
            QObject::tr("the review project is busy (%1); wait for it first").arg(activity));
    return Done {};
}

}  // namespace

// Everything a run needs, read from the project before the key is looked up.
struct ReviewSession::RunPlan {
    Criteria criteria;
    ReviewProjectSettings settings;
    ReviewRunOptions options;
    ModelProfile profile;
};

struct ReviewSession::Private {
    // The assessment run (GUI thread; the network is asynchronous).
    LlmClient *runClient = nullptr;
    ReviewRunner *runner = nullptr;
    bool paused = false;
    QString pauseReason;  // of the last run, when it paused itself
    // The run's key, resolved on a worker thread before its client is made.
    KeyResolver runKeys;
    bool runStarting = false;

    // Credentials typed into the endpoint URL this session: its key, never stored.
    QString credentialedEndpoint;

    // One-off requests (reassess, revise, try): a runner of their own, made on first use with the
    // current settings once the key is resolved; until then requests wait.
    LlmClient *oneOffClient = nullptr;
    ReviewRunner *oneOffRunner = nullptr;
    KeyResolver oneOffKeys;
    bool oneOffResolving = false;
    QList<PendingOneOff> pendingOneOffs;

    // Whole-queue work on a worker thread, one task at a time (the session refuses a second).
    BackgroundTask<ReviewTaskReply> task;
    Task taskKind = Task::None;
    QString activity;
    bool closing = false;  // results of work canceled by close() are not reported

    void startTask(Task kind, const QString &startedActivity,
                   BackgroundTask<ReviewTaskReply>::Work work);
    void finishTask(ReviewSession &session, Result<ReviewTaskReply> reply);
    void submitOneOff(ReviewSession &session, PendingOneOff request);
    void onOneOffKey(ReviewSession &session, const Result<ResolvedEndpoint> &resolved);
    void dropOneOffRunner();
    void failPendingOneOffs(ReviewSession &session, const Error &error);
    // Ends a run that is still waiting for its key: gives the lease back.
    void abandonRunStart(ReviewSession &session);
    // Cuts the run off and deletes it once control is back in the event loop.
    void disposeRun();
};

void ReviewSession::Private::startTask(Task kind, const QString &startedActivity,
                                       BackgroundTask<ReviewTaskReply>::Work work)
{
    taskKind = kind;
    activity = startedActivity;
    task.start(activity, std::move(work));
}

void ReviewSession::Private::finishTask(ReviewSession &session, Result<ReviewTaskReply> reply)
{
    const Task finished = std::exchange(taskKind, Task::None);
    if (closing)
        return;
    if (finished == Task::Import || finished == Task::Thresholds)
        Q_EMIT session.itemsChanged();  // a canceled import keeps its committed batches
    if (!reply)
        Q_EMIT session.taskFailed(reply.error());  // Error::canceled() when canceled
    else if (finished == Task::Import)
        Q_EMIT session.importFinished(*reply->import);
    else if (finished == Task::ExportCurated || finished == Task::ExportBatch)
        Q_EMIT session.exportFinished(reply->description);
}

void ReviewSession::Private::disposeRun()
{
    disposeLater(std::exchange(runner, nullptr));
    disposeLater(std::exchange(runClient, nullptr));
    paused = false;
}

ReviewSession::ReviewSession(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    qRegisterMetaType<pcs::Error>();
    qRegisterMetaType<pcs::ReviewRunSummary>();
    qRegisterMetaType<pcs::RunProgress>();
    qRegisterMetaType<pcs::RecordedItem>();
    d->task.onFinished(
        [this](Result<ReviewTaskReply> reply) { d->finishTask(*this, std::move(reply)); });
    connect(&d->task, &BackgroundTaskBase::busyChanged, this, [this](bool busy) {
        if (!d->closing)
            Q_EMIT busyChanged(busy);
    });
    connect(&d->task, &BackgroundTaskBase::progressChanged, this,
            [this](double fraction, const QString &) {
                Q_EMIT progressChanged(int(fraction * 1000), d->activity);
            });
}

ReviewSession::~ReviewSession()
{
    close();
}

Status ReviewSession::open(const QString &queuePath)
{
    close();
    auto project = ReviewProject::open(queuePath);
    if (!project)
        return project.error();
    m_project = std::move(project).value();
    // An endpoint stored with credentials (before they were kept out): keep them in memory only.
    const ReviewProjectSettings stored = settings();
    if (hasUrlCredentials(stored.endpoint)) {
        if (Status scrubbed = setSettings(stored); !scrubbed) {
            close();
            return scrubbed;
        }
    }
    return Done {};
}

void ReviewSession::close()
{
    if (d->runStarting) {
        d->abandonRunStart(*this);
        Q_EMIT runStateChanged();
    }
    if (d->runner) {
        // Stop first (the store is still there), then cut the run off from everything.
        QObject::disconnect(d->runner, nullptr, this, nullptr);
        d->runner->stop();
        d->disposeRun();
        Q_EMIT runStateChanged();
    }
    d->dropOneOffRunner();
    d->credentialedEndpoint.clear();
    if (d->task.isBusy()) {
        d->closing = true;
        d->task.cancel();
        d->task.waitForIdle();
        d->closing = false;
        Q_EMIT busyChanged(false);
    }
    m_project.reset();
}

QString ReviewSession::queuePath() const
{
    return m_project ? m_project->path() : QString();
}

Result<Criteria> ReviewSession::criteria() const
{
    if (!m_project)
        return notOpen();
    return m_project->criteria();
}

bool ReviewSession::hasCriteria() const
{
    return m_project && m_project->hasCriteria();
}

Status ReviewSession::setCriteria(const Criteria &criteria)
{
    if (!m_project)
        return notOpen();
    Status stored = m_project->setCriteria(criteria);
    if (stored && d->oneOffRunner)
        d->oneOffRunner->setCriteria(criteria);  // what is sent from now on
    return stored;
}

ReviewProjectSettings ReviewSession::settings() const
{
    if (!m_project)
        return {};
    auto stored = m_project->settings();
    return stored ? *stored : ReviewProjectSettings {};
}

Status ReviewSession::setSettings(const ReviewProjectSettings &settings)
{
    if (!m_project)
        return notOpen();
    Status stored = m_project->setSettings(settings);  // without credentials
    if (!stored)
        return stored;
    const QString endpoint = settings.endpoint.trimmed();
    if (hasUrlCredentials(endpoint))
        d->credentialedEndpoint = endpoint;
    else if (scrubbedEndpointUrl(d->credentialedEndpoint) != scrubbedEndpointUrl(endpoint))
        d->credentialedEndpoint.clear();  // another endpoint: those credentials are not its key
    // One-off requests use the new settings from now on; those in flight are dropped.
    d->dropOneOffRunner();
    return stored;
}

Result<EndpointKeySettings> ReviewSession::endpointKeySettings() const
{
    if (!m_project)
        return notOpen();
    return pcs::endpointKeySettings(m_project->store(), settings().endpoint);
}

Status ReviewSession::setEndpointKeySettings(const EndpointKeySettings &keySettings)
{
    if (!m_project)
        return notOpen();
    Status stored
        = pcs::setEndpointKeySettings(m_project->store(), settings().endpoint, keySettings);
    if (stored)
        d->dropOneOffRunner();  // the next one-off request resolves the key again
    return stored;
}

bool ReviewSession::hasSessionCredentials() const
{
    return m_project && !d->credentialedEndpoint.isEmpty()
        && scrubbedEndpointUrl(d->credentialedEndpoint) == settings().endpoint;
}

Result<ReviewSession::KeyRequest> ReviewSession::keyRequest() const
{
    if (!m_project)
        return notOpen();
    const ReviewProjectSettings projectSettings = settings();
    if (projectSettings.endpoint.isEmpty())
        return noEndpoint();
    auto keySettings = endpointKeySettings();
    if (!keySettings)
        return keySettings.error();
    KeyRequest request;
    request.url = hasSessionCredentials() ? d->credentialedEndpoint : projectSettings.endpoint;
    request.options.apiKeyEnv = keySettings->apiKeyEnv;
    request.options.allowInsecure = keySettings->allowInsecureKey;
    request.options.caller = KeyOptions::Caller::App;
    return request;
}

Status ReviewSession::importFiles(const QStringList &paths)
{
    if (!m_project)
        return notOpen();
    if (Status idle = checkIdle(d->task, d->activity); !idle)
        return idle;
    if (paths.isEmpty())
        return Error::badInput(tr("no files to import"));
    d->startTask(
        Task::Import, tr("Importing"),
        [queue = queuePath(), paths, textField = settings().textField](BackgroundControl &control) {
            return importQueueFiles(queue, paths, textField, control);
        });
    return Done {};
}

Status ReviewSession::startRun(bool retryErrors)
{
    if (!m_project)
        return notOpen();
    if (d->runner || d->runStarting)
        return Error::badInput(tr("an assessment run is already going on"));
    // Everything the run is made of, read once and handed down (errors before the lease).
    RunPlan plan;
    auto runCriteria = m_project->criteria();
    if (!runCriteria)
        return runCriteria.error();
    plan.criteria = std::move(runCriteria).value();
    auto stored = m_project->settings();
    if (!stored)
        return stored.error();
    plan.settings = *stored;
    auto options = ReviewProject::runOptions(plan.settings);
    if (!options)
        return options.error();
    plan.options = std::move(options).value();
    auto profile = m_project->modelProfile(plan.settings);
    if (!profile)
        return profile.error();
    plan.profile = *profile;
    auto keys = keyRequest();
    if (!keys)
        return keys.error();
    // One run per queue, across processes (a `review run` in a terminal, another window): the
    // same lease and the same sentence as the CLI. The runner releases it when the run ends.
    QueueStore &store = m_project->store();
    auto lease = store.acquireRunLease();
    if (!lease)
        return lease.error();
    if (!lease->acquired)
        return Error::badInput(lease->holder.busyReason(), queuePath());
    QString takeover;
    if (lease->takenOver)
        takeover
            = tr("Took over the run lease of PID %1 on %2 (since %3): %4; %5 items it "
                 "had claimed are pending again")
                  .arg(lease->takenOver->pid)
                  .arg(lease->takenOver->host, lease->takenOver->startedAt, lease->takeoverReason)
                  .arg(lease->releasedClaims);
    if (retryErrors) {
        if (Status reset = store.resetErrors(); !reset) {
            store.releaseRunLease();
            return reset;
        }
    }

    d->runStarting = true;
    d->paused = false;
    d->pauseReason.clear();
    Q_EMIT runStateChanged();
    if (!takeover.isEmpty())
        Q_EMIT runNote(takeover);  // after runStateChanged, so that views show it last
    d->runKeys.resolve(keys->url, keys->options,
                       [this, plan = std::move(plan)](const Result<ResolvedEndpoint> &resolved) {
                           d->runStarting = false;
                           if (resolved) {
                               beginRun(*resolved, plan);
                               return;
                           }
                           m_project->store().releaseRunLease();
                           Q_EMIT runStateChanged();
                           Q_EMIT runFailed(resolved.error());
                       });
    return Done {};
}

void ReviewSession::beginRun(const ResolvedEndpoint &endpoint, RunPlan plan)
{
    d->runClient = new LlmClient(LlmEndpoint { endpoint.url, plan.settings.model, endpoint.key },
                                 ReviewProject::clientLimits(plan.settings), this);
    d->runClient->setModelProfile(plan.profile);
    d->runner = new ReviewRunner(m_project->store(), *d->runClient, std::move(plan.criteria),
                                 std::move(plan.options), this);
    connectRunner(d->runner);
    connect(d->runner, &ReviewRunner::progress, this, [this](const RunProgress &progress) {
        Q_EMIT runProgress(progress.done, progress.total, progress.itemsPerSecond,
                           progress.promptTokens, progress.completionTokens, progress.errors);
        Q_EMIT runProgressed(progress);
    });
    connect(d->runner, &ReviewRunner::finished, this, [this](const ReviewRunSummary &summary) {
        d->disposeRun();
        Q_EMIT runStateChanged();
        Q_EMIT runFinished(summary);
        if (summary.paused) {
            d->pauseReason = QStringLiteral("%1: %2").arg(summary.pauseCode, summary.pauseReason);
            Q_EMIT runPaused(d->pauseReason);
        }
    });
    connect(d->runner, &ReviewRunner::failed, this, [this](const Error &error) {
        d->disposeRun();
        Q_EMIT runStateChanged();
        Q_EMIT runFailed(error);
    });
    d->runner->start();  // runStateChanged was emitted when the run started waiting for its key
}

// What every runner reports that the session passes on as it is.
void ReviewSession::connectRunner(ReviewRunner *runner)
{
    connect(runner, &ReviewRunner::itemRecorded, this,
            [this](qint64 id, const RecordedItem &recorded) {
                Q_EMIT itemRecorded(id, recorded);
                Q_EMIT itemUpdated(id);
            });
    connect(runner, &ReviewRunner::modelProfileLearned, this,
            [this] { Q_EMIT modelProfileChanged(); });
}

void ReviewSession::pauseRun()
{
    if (!d->runClient || d->paused)
        return;
    d->runClient->pause();
    d->paused = true;
    Q_EMIT runStateChanged();
}

void ReviewSession::resumeRun()
{
    if (!d->runner && !d->runStarting && !d->pauseReason.isEmpty()) {
        if (Status started = startRun(); !started)
            Q_EMIT runFailed(started.error());
        return;
    }
    if (!d->runClient || !d->paused)
        return;
    d->runClient->resume();
    d->paused = false;
    Q_EMIT runStateChanged();
}

void ReviewSession::cancelRun()
{
    if (d->runStarting) {
        d->abandonRunStart(*this);
        Q_EMIT runStateChanged();
        ReviewRunSummary summary;
        summary.canceled = true;
        Q_EMIT runFinished(summary);
        return;
    }
    if (d->runner)
        d->runner->stop();  // in-flight answers come back "canceled"; the runner then finishes
}

bool ReviewSession::isRunning() const
{
    return d->runner != nullptr || d->runStarting;
}

bool ReviewSession::isPaused() const
{
    return d->runner != nullptr && d->paused;
}

QString ReviewSession::pauseReason() const
{
    return d->pauseReason;
}

ModelProfile ReviewSession::modelProfile() const
{
    if (!m_project)
        return {};
    auto profile = m_project->modelProfile(settings());
    return profile ? *profile : ModelProfile();
}

Status ReviewSession::tryCriteria(const Criteria &criteria, const QString &text)
{
    if (!m_project)
        return notOpen();
    if (text.trimmed().isEmpty())
        return Error::badInput(tr("no text to try the criteria on"));
    if (settings().endpoint.isEmpty())
        return noEndpoint();
    d->submitOneOff(*this, { PendingOneOff::Kind::Try, 0, criteria, text });
    return Done {};
}

Result<QueueItem> ReviewSession::setHumanDecision(qint64 id, std::optional<Decision> decision,
                                                  const QString &editedText)
{
    if (!m_project)
        return notOpen();
    auto before = m_project->store().item(id);
    if (!before)
        return before.error();
    if (Status set = m_project->store().setHumanDecision(id, decision, editedText); !set)
        return set.error();
    Q_EMIT itemUpdated(id);
    return before;
}

Result<DecisionBatch> ReviewSession::acceptBelow(double score)
{
    if (!m_project)
        return notOpen();
    auto batch = m_project->store().acceptBelow(score);
    if (batch && batch->changed > 0)
        Q_EMIT itemsChanged();
    return batch;
}

Result<DecisionBatch> ReviewSession::filterAbove(double score)
{
    if (!m_project)
        return notOpen();
    auto batch = m_project->store().filterAbove(score);
    if (batch && batch->changed > 0)
        Q_EMIT itemsChanged();
    return batch;
}

Status ReviewSession::undoDecisions(const DecisionBatch &batch)
{
    if (!m_project)
        return notOpen();
    if (batch.changed == 0)
        return Done {};
    if (Status undone = m_project->store().undoDecisions(batch.undoStep); !undone)
        return undone;
    Q_EMIT itemsChanged();
    return Done {};
}

Status ReviewSession::restoreDecisions(const std::vector<QueueItem> &before)
{
    if (!m_project)
        return notOpen();
    if (Status restored = m_project->store().restoreHumanDecisions(before); !restored)
        return restored;
    if (before.size() == 1)
        Q_EMIT itemUpdated(before.front().id);
    else if (!before.empty())
        Q_EMIT itemsChanged();
    return Done {};
}

Status ReviewSession::reassess(qint64 id)
{
    return submitForItem(id, ReviewRunner::Request::Reassess);
}

Status ReviewSession::requestRevision(qint64 id)
{
    return submitForItem(id, ReviewRunner::Request::Revise);
}

Status ReviewSession::submitForItem(qint64 id, ReviewRunner::Request request)
{
    if (!m_project)
        return notOpen();
    // Said now, not when the key is there: no such item, no criteria, no endpoint.
    if (auto item = m_project->store().item(id); !item)
        return item.error();
    if (auto itemCriteria = m_project->criteria(); !itemCriteria)
        return itemCriteria.error();
    if (settings().endpoint.isEmpty())
        return noEndpoint();
    d->submitOneOff(*this,
                    { request == ReviewRunner::Request::Reassess ? PendingOneOff::Kind::Reassess
                                                                 : PendingOneOff::Kind::Revise,
                      id,
                      {},
                      {} });
    return Done {};
}

void ReviewSession::Private::submitOneOff(ReviewSession &session, PendingOneOff request)
{
    if (oneOffRunner) {
        if (request.kind == PendingOneOff::Kind::Try) {
            oneOffRunner->tryText(request.criteria, request.text);
            return;
        }
        if (Status sent = oneOffRunner->submit({ request.id },
                                               request.kind == PendingOneOff::Kind::Reassess
                                                   ? ReviewRunner::Request::Reassess
                                                   : ReviewRunner::Request::Revise);
            !sent)
            Q_EMIT session.taskFailed(sent.error());
        return;
    }
    pendingOneOffs.append(std::move(request));
    if (oneOffResolving)
        return;
    auto keys = session.keyRequest();
    if (!keys)
        return failPendingOneOffs(session, keys.error());
    oneOffResolving = true;
    oneOffKeys.resolve(keys->url, keys->options,
                       [this, &session](const Result<ResolvedEndpoint> &resolved) {
                           onOneOffKey(session, resolved);
                       });
}

void ReviewSession::Private::onOneOffKey(ReviewSession &session,
                                         const Result<ResolvedEndpoint> &resolved)
{
    oneOffResolving = false;
    if (!resolved)
        return failPendingOneOffs(session, resolved.error());
    if (!session.m_project)
        return;
    // The project's settings, assessors and combination, as a run has them.
    auto projectSettings = session.m_project->settings();
    if (!projectSettings)
        return failPendingOneOffs(session, projectSettings.error());
    auto options = ReviewProject::runOptions(*projectSettings);
    if (!options)
        return failPendingOneOffs(session, options.error());
    ClientLimits limits = ReviewProject::clientLimits(*projectSettings);
    limits.concurrency = std::min(4, limits.concurrency);
    oneOffClient = new LlmClient(
        LlmEndpoint { resolved->url, projectSettings->model, resolved->key }, limits, &session);
    oneOffClient->setModelProfile(session.modelProfile());
    auto criteria = session.m_project->criteria();  // none yet: only tries can be pending
    oneOffRunner = new ReviewRunner(session.m_project->store(), *oneOffClient,
                                    criteria ? *criteria : Criteria {}, *options, &session);
    session.connectRunner(oneOffRunner);
    QObject::connect(oneOffRunner, &ReviewRunner::itemRecorded, &session,
                     [&session](qint64 id, const RecordedItem &recorded) {
                         if (recorded.kind != RecordedItem::Kind::RevisionFailed)
                             return;
                         // The item is unchanged; the reviewer is told why there is no rewrite.
                         Q_EMIT session.taskFailed(Error::badInput(
                             ReviewSession::tr("the rewrite of item %1 failed (%2): %3")
                                 .arg(id)
                                 .arg(recorded.errorCode, recorded.errorMessage)));
                     });
    QObject::connect(oneOffRunner, &ReviewRunner::requestFailed, &session,
                     [&session](const Error &error) { Q_EMIT session.taskFailed(error); });
    QObject::connect(
        oneOffRunner, &ReviewRunner::tried, &session, [&session](const AssessmentOutcome &outcome) {
            Q_EMIT session.tryFinished(outcome.ok() ? outcome.reasoning : outcome.errorMessage,
                                       outcome.score, outcome.errorCode);
        });
    for (PendingOneOff &pending : std::exchange(pendingOneOffs, {}))
        submitOneOff(session, std::move(pending));
}

void ReviewSession::Private::failPendingOneOffs(ReviewSession &session, const Error &error)
{
    bool itemRequests = false;
    for (const PendingOneOff &pending : std::exchange(pendingOneOffs, {})) {
        if (pending.kind == PendingOneOff::Kind::Try)
            Q_EMIT session.tryFinished(error.toString(), std::nullopt, QStringLiteral("api_key"));
        else
            itemRequests = true;
    }
    // The items are left as they are: a key problem says nothing about them.
    if (itemRequests)
        Q_EMIT session.taskFailed(error);
}

void ReviewSession::Private::dropOneOffRunner()
{
    oneOffKeys.cancel();
    oneOffResolving = false;
    pendingOneOffs.clear();
    if (!oneOffRunner)
        return;
    oneOffClient->cancel();  // what is in flight answers "canceled": nothing recorded
    disposeLater(std::exchange(oneOffRunner, nullptr));
    disposeLater(std::exchange(oneOffClient, nullptr));
}

void ReviewSession::Private::abandonRunStart(ReviewSession &session)
{
    runKeys.cancel();
    runStarting = false;
    if (session.m_project)
        session.m_project->store().releaseRunLease();
}

Result<ReviewCounts> ReviewSession::countsFor(const Thresholds &candidate) const
{
    if (!m_project)
        return notOpen();
    auto counts = m_project->store().countsFor(candidate);
    if (!counts)
        return counts.error();
    return toReviewCounts(*counts);
}

Status ReviewSession::setThresholds(const Thresholds &thresholds)
{
    if (!m_project)
        return notOpen();
    if (Status valid = thresholds.validate(); !valid)
        return valid;
    if (Status idle = checkIdle(d->task, d->activity); !idle)
        return idle;
    d->startTask(Task::Thresholds, tr("Applying the thresholds"),
                 [queue = queuePath(), thresholds](BackgroundControl &) {
                     return applyThresholds(queue, thresholds);
                 });
    return Done {};
}

Result<Thresholds> ReviewSession::thresholds() const
{
    if (!m_project)
        return notOpen();
    return m_project->store().thresholds();
}

Result<ReviewCounts> ReviewSession::counts() const
{
    if (!m_project)
        return notOpen();
    auto counts = m_project->store().counts();
    if (!counts)
        return counts.error();
    return toReviewCounts(*counts);
}

Result<std::vector<qint64>> ReviewSession::scoreHistogram(int bins) const
{
    if (!m_project)
        return notOpen();
    return m_project->store().scoreHistogram(bins);
}

Status ReviewSession::exportCurated(const QString &curatedPath, const QString &droppedPath,
                                    const QString &logPath)
{
    if (!m_project)
        return notOpen();
    if (Status idle = checkIdle(d->task, d->activity); !idle)
        return idle;
    d->startTask(Task::ExportCurated, tr("Exporting"),
                 [queue = queuePath(), curatedPath, droppedPath, logPath,
                  textField = settings().textField](BackgroundControl &) {
                     return exportCuratedFiles(queue, curatedPath, droppedPath, logPath, textField);
                 });
    return Done {};
}

Status ReviewSession::exportBatchRequests(const QString &path)
{
    if (!m_project)
        return notOpen();
    if (Status idle = checkIdle(d->task, d->activity); !idle)
        return idle;
    auto batchCriteria = criteria();
    if (!batchCriteria)
        return batchCriteria.error();
    const ReviewProjectSettings projectSettings = settings();
    d->startTask(Task::ExportBatch, tr("Writing batch requests"),
                 [queue = queuePath(), path, batch = std::move(batchCriteria).value(),
                  model = projectSettings.model, withLogprobs = projectSettings.withLogprobs,
                  profile = modelProfile()](BackgroundControl &) {
                     return exportBatchFile(queue, path, batch, model, withLogprobs, profile);
                 });
    return Done {};
}

bool ReviewSession::isBusy() const
{
    return d->task.isBusy();
}

void ReviewSession::cancelTask()
{
    d->task.cancel();  // answered by taskFailed(Error::canceled()) once the work has stopped
}

void ReviewSession::waitForIdle()
{
    d->task.waitForIdle();  // reports now, not when the queued result arrives
}

}  // namespace pcs
