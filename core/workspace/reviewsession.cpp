#include "workspace/reviewsession.h"

#include "review/apikey.h"
#include "review/assessment.h"
#include "review/batchfiles.h"
#include "review/modelprofile.h"
#include "review/queueinputs.h"
#include "workspace/keyresolver.h"
#include "workspace/promisecontrol.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHash>
#include <QJsonDocument>
#include <QtConcurrent/QtConcurrentRun>

#include <functional>

namespace pcs {

namespace {

const QString kCriteriaKey = QStringLiteral("criteria");
const QString kSettingsKey = QStringLiteral("settings");

// What a background task hands back to the GUI thread.
struct TaskReply {
    std::optional<Error> error;
    std::optional<ImportSummary> import;
    QString description;  // for exportFinished
};

enum class Task { None, Import, Thresholds, ExportCurated, ExportBatch };

// The session's own one-off requests (reassess, revise, try), told apart by their tag.
enum class SingleKind { Reassess, Revise, Try };
struct SingleRequest {
    SingleKind kind = SingleKind::Try;
    qint64 id = 0;
};
// A one-off request waiting for the endpoint's key.
struct PendingSingle {
    SingleKind kind = SingleKind::Try;
    qint64 id = 0;
    QJsonObject body;
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

// The worker's own connection: SQLite connections belong to the thread that opened them.
Result<std::unique_ptr<QueueStore>> openWorkerStore(const QString &path)
{
    return QueueStore::open(path);
}

void importInBackground(QPromise<TaskReply> &promise, QString queuePath, QStringList paths,
                        QString textField)
{
    promise.setProgressRange(0, 1000);
    auto store = openWorkerStore(queuePath);
    if (!store) {
        promise.addResult(TaskReply { store.error(), std::nullopt, {} });
        return;
    }
    ImportSummary total;
    const auto fileCount = qint64(paths.size());
    for (qint64 index = 0; index < fileCount; ++index) {
        // Each file reports its own progress; spread it over the file's share of the whole.
        const TaskControl control(
            [&promise, index, fileCount](qint64 done, qint64 size) {
                const qint64 withinFile = size > 0 ? 1000 * done / size : 0;
                promise.setProgressValue(int((index * 1000 + withinFile) / fileCount));
            },
            [&promise] { return promise.isCanceled(); });
        auto imported = (*store)->importJsonl(paths.at(index), textField, control);
        if (!imported) {
            promise.addResult(TaskReply { imported.error(), std::nullopt, {} });
            return;
        }
        total.lines += imported->lines;
        total.imported += imported->imported;
        total.duplicates += imported->duplicates;
        total.malformed += imported->malformed;
        for (const QString &problem : std::as_const(imported->problems))
            if (total.problems.size() < ImportSummary::kMaxListedProblems)
                total.problems << problem;
    }
    promise.addResult(TaskReply { std::nullopt, total, {} });
}

void thresholdsInBackground(QPromise<TaskReply> &promise, QString queuePath, Thresholds thresholds)
{
    auto store = openWorkerStore(queuePath);
    if (!store) {
        promise.addResult(TaskReply { store.error(), std::nullopt, {} });
        return;
    }
    Status set = (*store)->setThresholds(thresholds.filter, thresholds.revise);
    promise.addResult(
        TaskReply { set ? std::nullopt : std::optional(set.error()), std::nullopt, {} });
}

void exportCuratedInBackground(QPromise<TaskReply> &promise, QString queuePath, QString curatedPath,
                               QString droppedPath, QString logPath, QString textField)
{
    auto store = openWorkerStore(queuePath);
    if (!store) {
        promise.addResult(TaskReply { store.error(), std::nullopt, {} });
        return;
    }
    auto inputs = queueInputFiles(**store);
    if (!inputs) {
        promise.addResult(TaskReply { inputs.error(), std::nullopt, {} });
        return;
    }
    if (Status distinct
        = checkOutputsAgainstInputs({ { curatedPath, QObject::tr("the curated texts") },
                                      { droppedPath, QObject::tr("the dropped texts") },
                                      { logPath, QObject::tr("the decision log") } },
                                    *inputs);
        !distinct) {
        promise.addResult(TaskReply { distinct.error(), std::nullopt, {} });
        return;
    }
    auto summary = (*store)->exportCurated(curatedPath, droppedPath, logPath, textField);
    if (!summary) {
        promise.addResult(TaskReply { summary.error(), std::nullopt, {} });
        return;
    }
    QString description
        = QObject::tr("Exported %1 curated texts (%2 kept, %3 revised, %4 with a new text) to "
                      "%5; %6 dropped; %7 pending and %8 failed not exported")
              .arg(summary->curated)
              .arg(summary->kept)
              .arg(summary->revised)
              .arg(summary->textChanged)
              .arg(QFileInfo(curatedPath).fileName())
              .arg(summary->dropped)
              .arg(summary->pending)
              .arg(summary->errors);
    // Items left out of the curated file must be visible, never silent.
    if (summary->held > 0) {
        QStringList ids;
        for (const qint64 id : std::as_const(summary->reviseMissingIds))
            ids << QString::number(id);
        description += QObject::tr("; %1 held back: decided \"revise\" but without a revision "
                                   "or edit (items %2%3)")
                           .arg(summary->held)
                           .arg(ids.join(QStringLiteral(", ")),
                                summary->held > ids.size() ? QStringLiteral(", …") : QString());
    }
    if (summary->failed > 0)
        description += QObject::tr("; %1 not exported: their record could not take the new text")
                           .arg(summary->failed);
    if (summary->unscannable > 0)
        description += QObject::tr("; %1 exported unchanged though today's import would refuse "
                                   "them")
                           .arg(summary->unscannable);
    if (!summary->problems.isEmpty())
        description += QObject::tr(" (first: %1)").arg(summary->problems.first());
    promise.addResult(TaskReply { std::nullopt, std::nullopt, description });
}

void exportBatchInBackground(QPromise<TaskReply> &promise, QString queuePath, QString path,
                             Criteria criteria, QString model, bool withLogprobs,
                             ModelProfile profile)
{
    auto store = openWorkerStore(queuePath);
    if (!store) {
        promise.addResult(TaskReply { store.error(), std::nullopt, {} });
        return;
    }
    auto summary = exportBatchRequests(**store, criteria, model, path, withLogprobs, profile);
    if (!summary) {
        promise.addResult(TaskReply { summary.error(), std::nullopt, {} });
        return;
    }
    // More than the Batch API takes in one file: shards FILE-001, FILE-002, ...
    QStringList names;
    for (const BatchExportSummary::File &file : summary->files)
        names << QFileInfo(file.path).fileName();
    QString description = QObject::tr("Wrote %1 batch requests to %2")
                              .arg(summary->requests)
                              .arg(names.join(QStringLiteral(", ")));
    for (const QString &warning : std::as_const(summary->warnings))
        description += QStringLiteral("; ") + warning;
    if (!summary->staleFiles.isEmpty())
        description += QObject::tr("; not from this export (do not upload them with these): %1")
                           .arg(summary->staleFiles.join(QStringLiteral(", ")));
    promise.addResult(TaskReply { std::nullopt, std::nullopt, description });
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

}  // namespace

QJsonObject ReviewProjectSettings::toJson() const
{
    return QJsonObject { { QStringLiteral("endpoint"), endpoint },
                         { QStringLiteral("model"), model },
                         { QStringLiteral("concurrency"), concurrency },
                         { QStringLiteral("requests_per_minute"), requestsPerMinute },
                         { QStringLiteral("with_logprobs"), withLogprobs },
                         { QStringLiteral("revise"), revise },
                         { QStringLiteral("text_field"), textField } };
}

ReviewProjectSettings ReviewProjectSettings::fromJson(const QJsonObject &json)
{
    // Missing or mistyped values fall back to the defaults: the settings are the app's own.
    ReviewProjectSettings settings;
    settings.endpoint = json.value(QStringLiteral("endpoint")).toString(settings.endpoint);
    settings.model = json.value(QStringLiteral("model")).toString(settings.model);
    settings.concurrency
        = std::max(1, json.value(QStringLiteral("concurrency")).toInt(settings.concurrency));
    settings.requestsPerMinute = std::max(
        0.0,
        json.value(QStringLiteral("requests_per_minute")).toDouble(settings.requestsPerMinute));
    settings.withLogprobs
        = json.value(QStringLiteral("with_logprobs")).toBool(settings.withLogprobs);
    settings.revise = json.value(QStringLiteral("revise")).toBool(settings.revise);
    settings.textField = json.value(QStringLiteral("text_field")).toString(settings.textField);
    if (settings.textField.isEmpty())
        settings.textField = QStringLiteral("text");
    return settings;
}

struct ReviewSession::Private {
    QString queuePath;

    // The assessment run (GUI thread; the network is asynchronous).
    LlmClient *runClient = nullptr;
    ReviewRunner *runner = nullptr;
    QElapsedTimer runClock;
    qint64 runDone = 0;
    qint64 runTotal = 0;
    qint64 runErrors = 0;
    bool paused = false;
    QString pauseReason;  // of the last run, when it paused itself
    // The run's key, resolved on a worker thread before its client is made.
    KeyResolver runKeys;
    bool runStarting = false;

    // Credentials typed into the endpoint URL this session: its key, never stored.
    QString credentialedEndpoint;

    // One-off requests: reassess, revise, try.
    LlmClient *singleClient = nullptr;
    QHash<quint64, SingleRequest> singleRequests;
    quint64 nextSingleTag = 1;
    KeyResolver singleKeys;
    bool singleResolving = false;
    QList<PendingSingle> pendingSingles;  // until the key is there

    // Whole-queue work on a worker thread, one task at a time.
    QFutureWatcher<TaskReply> watcher;
    Task task = Task::None;
    QString activity;
    bool busy = false;

    void startTask(ReviewSession &session, Task started, QFuture<TaskReply> future,
                   const QString &startedActivity);
    void finishTask(ReviewSession &session);
    void submitSingle(ReviewSession &session, SingleKind kind, qint64 id, const QJsonObject &body);
    void onSingleFinished(ReviewSession &session, const ChatResponse &response);
    void onSingleKey(ReviewSession &session, const Result<ResolvedEndpoint> &resolved);
    void dropSingleClient(ReviewSession &session);
    void failPendingSingles(ReviewSession &session, const Error &error);
    // Ends a run that is still waiting for its key: gives the lease back.
    void abandonRunStart(ReviewSession &session);
};

void ReviewSession::Private::startTask(ReviewSession &session, Task started,
                                       QFuture<TaskReply> future, const QString &startedActivity)
{
    watcher.setFuture(std::move(future));
    task = started;
    activity = startedActivity;
    busy = true;
    Q_EMIT session.busyChanged(true);
    Q_EMIT session.progressChanged(0, activity);
}

void ReviewSession::Private::finishTask(ReviewSession &session)
{
    if (task == Task::None || !watcher.isFinished())
        return;  // already reported (waitForIdle), or a stale signal of an earlier task
    const Task finished = std::exchange(task, Task::None);
    const QFuture<TaskReply> future = watcher.future();
    const std::optional<TaskReply> reply = future.isCanceled() || future.resultCount() == 0
        ? std::nullopt
        : std::optional(future.result());
    if (busy) {
        busy = false;
        Q_EMIT session.busyChanged(false);
    }
    if (finished == Task::Import || finished == Task::Thresholds)
        Q_EMIT session.itemsChanged();  // a canceled import keeps its committed batches
    if (!reply) {
        Q_EMIT session.taskFailed(Error::canceled());
    } else if (reply->error) {
        Q_EMIT session.taskFailed(*reply->error);
    } else if (finished == Task::Import) {
        Q_EMIT session.importFinished(*reply->import);
    } else if (finished == Task::ExportCurated || finished == Task::ExportBatch) {
        Q_EMIT session.exportFinished(reply->description);
    }
}

ReviewSession::ReviewSession(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    qRegisterMetaType<pcs::Error>();
    qRegisterMetaType<pcs::ReviewRunSummary>();
    connect(&d->watcher, &QFutureWatcherBase::finished, this, [this] { d->finishTask(*this); });
    connect(&d->watcher, &QFutureWatcherBase::progressValueChanged, this,
            [this](int value) { Q_EMIT progressChanged(value, d->activity); });
}

ReviewSession::~ReviewSession()
{
    close();
}

Status ReviewSession::open(const QString &queuePath)
{
    close();
    auto store = QueueStore::open(queuePath);
    if (!store)
        return store.error();
    m_store = std::move(store).value();
    d->queuePath = m_store->path();
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
        QObject::disconnect(d->runClient, nullptr, this, nullptr);
        d->runner->stop();
        disposeLater(std::exchange(d->runner, nullptr));
        disposeLater(std::exchange(d->runClient, nullptr));
        d->paused = false;
        Q_EMIT runStateChanged();
    }
    d->dropSingleClient(*this);
    d->credentialedEndpoint.clear();
    if (d->task != Task::None) {
        d->watcher.cancel();
        d->watcher.waitForFinished();
        d->task = Task::None;
        if (d->busy) {
            d->busy = false;
            Q_EMIT busyChanged(false);
        }
    }
    m_store.reset();
    d->queuePath.clear();
}

QString ReviewSession::queuePath() const
{
    return d->queuePath;
}

namespace {
Error notOpen()
{
    return Error::badInput(QObject::tr("no review project is open"));
}
}  // namespace

Result<Criteria> ReviewSession::criteria() const
{
    if (!m_store)
        return notOpen();
    auto stored = m_store->property(kCriteriaKey);
    if (!stored)
        return stored.error();
    if (stored->isEmpty())
        return Error::badInput(tr("the project has no criteria yet"), d->queuePath);
    return Criteria::fromJson(stored->toUtf8(), d->queuePath);
}

bool ReviewSession::hasCriteria() const
{
    if (!store())
        return false;
    const auto stored = store()->property(kCriteriaKey);
    return stored && !stored->isEmpty();
}

Status ReviewSession::setCriteria(const Criteria &criteria)
{
    if (!m_store)
        return notOpen();
    return m_store->setProperty(
        kCriteriaKey,
        QString::fromUtf8(QJsonDocument(criteria.toJson()).toJson(QJsonDocument::Compact)));
}

ReviewProjectSettings ReviewSession::settings() const
{
    if (!m_store)
        return {};
    auto stored = m_store->property(kSettingsKey);
    if (!stored || stored->isEmpty())
        return {};
    return ReviewProjectSettings::fromJson(QJsonDocument::fromJson(stored->toUtf8()).object());
}

Status ReviewSession::setSettings(const ReviewProjectSettings &settings)
{
    if (!m_store)
        return notOpen();
    ReviewProjectSettings kept = settings;
    kept.endpoint = scrubbedEndpointUrl(settings.endpoint.trimmed());
    Status stored = m_store->setProperty(
        kSettingsKey,
        QString::fromUtf8(QJsonDocument(kept.toJson()).toJson(QJsonDocument::Compact)));
    if (!stored)
        return stored;
    if (hasUrlCredentials(settings.endpoint.trimmed()))
        d->credentialedEndpoint = settings.endpoint.trimmed();
    else if (scrubbedEndpointUrl(d->credentialedEndpoint) != kept.endpoint)
        d->credentialedEndpoint.clear();  // another endpoint: those credentials are not its key
    // One-off requests use the new endpoint from now on; those in flight are dropped.
    d->dropSingleClient(*this);
    return stored;
}

Result<EndpointKeySettings> ReviewSession::endpointKeySettings() const
{
    if (!m_store)
        return notOpen();
    return pcs::endpointKeySettings(*m_store, settings().endpoint);
}

Status ReviewSession::setEndpointKeySettings(const EndpointKeySettings &keySettings)
{
    if (!m_store)
        return notOpen();
    Status stored = pcs::setEndpointKeySettings(*m_store, settings().endpoint, keySettings);
    if (stored)
        d->dropSingleClient(*this);  // the next one-off request resolves the key again
    return stored;
}

bool ReviewSession::hasSessionCredentials() const
{
    return m_store && !d->credentialedEndpoint.isEmpty()
        && scrubbedEndpointUrl(d->credentialedEndpoint) == settings().endpoint;
}

Result<ReviewSession::KeyRequest> ReviewSession::keyRequest() const
{
    if (!m_store)
        return notOpen();
    const ReviewProjectSettings projectSettings = settings();
    if (projectSettings.endpoint.isEmpty())
        return Error::badInput(tr("no endpoint is configured for the assessor"));
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

namespace {
Status checkIdle(Task task, const QString &activity)
{
    if (task != Task::None)
        return Error::badInput(
            QObject::tr("the review project is busy (%1); wait for it first").arg(activity));
    return Done {};
}
}  // namespace

Status ReviewSession::importFiles(const QStringList &paths)
{
    if (!m_store)
        return notOpen();
    if (Status idle = checkIdle(d->task, d->activity); !idle)
        return idle;
    if (paths.isEmpty())
        return Error::badInput(tr("no files to import"));
    d->startTask(*this, Task::Import,
                 QtConcurrent::run(importInBackground, d->queuePath, paths, settings().textField),
                 tr("Importing"));
    return Done {};
}

Status ReviewSession::startRun(bool retryErrors)
{
    if (!m_store)
        return notOpen();
    if (d->runner || d->runStarting)
        return Error::badInput(tr("an assessment run is already going on"));
    auto runCriteria = criteria();
    if (!runCriteria)
        return runCriteria.error();
    auto keys = keyRequest();
    if (!keys)
        return keys.error();
    // One run per queue, across processes (a `review run` in a terminal, another window): the
    // same lease and the same sentence as the CLI. The runner releases it when the run ends.
    auto lease = m_store->acquireRunLease();
    if (!lease)
        return lease.error();
    if (!lease->acquired)
        return Error::badInput(lease->holder.busyReason(), d->queuePath);
    QString takeover;
    if (lease->takenOver)
        takeover
            = tr("Took over the run lease of PID %1 on %2 (since %3): %4; %5 items it "
                 "had claimed are pending again")
                  .arg(lease->takenOver->pid)
                  .arg(lease->takenOver->host, lease->takenOver->startedAt, lease->takeoverReason)
                  .arg(lease->releasedClaims);
    if (retryErrors) {
        if (Status reset = m_store->resetErrors(); !reset) {
            m_store->releaseRunLease();
            return reset;
        }
    }

    const ReviewProjectSettings projectSettings = settings();
    auto profile = loadModelProfile(*m_store, projectSettings.endpoint, projectSettings.model);
    if (!profile) {
        m_store->releaseRunLease();
        return profile.error();
    }

    d->runStarting = true;
    d->paused = false;
    d->pauseReason.clear();
    Q_EMIT runStateChanged();
    if (!takeover.isEmpty())
        Q_EMIT runNote(takeover);  // after runStateChanged, so that views show it last
    d->runKeys.resolve(keys->url, keys->options,
                       [this, runCriteria = std::move(runCriteria).value(),
                        profile = *profile](const Result<ResolvedEndpoint> &resolved) {
                           d->runStarting = false;
                           if (resolved) {
                               beginRun(*resolved, runCriteria, profile);
                               return;
                           }
                           m_store->releaseRunLease();
                           Q_EMIT runStateChanged();
                           Q_EMIT runFailed(resolved.error());
                       });
    return Done {};
}

void ReviewSession::beginRun(const ResolvedEndpoint &endpoint, Criteria runCriteria,
                             const ModelProfile &profile)
{
    const ReviewProjectSettings projectSettings = settings();
    ClientLimits limits;
    limits.concurrency = std::max(1, projectSettings.concurrency);
    limits.requestsPerMinute = projectSettings.requestsPerMinute;
    d->runClient = new LlmClient(LlmEndpoint { endpoint.url, projectSettings.model, endpoint.key },
                                 limits, this);
    d->runClient->setModelProfile(profile);
    // Connected before the runner: counts failed assessments as the runner sees them.
    connect(d->runClient, &LlmClient::finished, this, [this](const ChatResponse &response) {
        if ((response.tag & 3) != 0 || response.errorCode == QLatin1String("canceled")
            || response.fatal)
            return;  // a revision, or an item that stays pending
        if (!response.ok() || !parseAssessmentResponse(response.body).ok())
            ++d->runErrors;
    });
    ReviewRunOptions options;
    options.revise = projectSettings.revise;
    options.withLogprobs = projectSettings.withLogprobs;
    d->runner = new ReviewRunner(*m_store, *d->runClient, std::move(runCriteria), options, this);
    // Connected after the runner, which stores what is learned: views read it back.
    connect(d->runClient, &LlmClient::modelProfileAdapted, this,
            [this] { Q_EMIT modelProfileChanged(); });
    // Connected after the runner: the item is recorded by the time this runs.
    connect(d->runClient, &LlmClient::finished, this, [this](const ChatResponse &response) {
        if (response.errorCode == QLatin1String("canceled"))
            return;
        Q_EMIT itemUpdated(qint64(response.tag >> 2));
        if (d->runClient)
            Q_EMIT runProgress(d->runDone, d->runTotal,
                               d->runDone / std::max(1e-3, d->runClock.nsecsElapsed() * 1e-9),
                               d->runClient->promptTokens(), d->runClient->completionTokens(),
                               d->runErrors);
    });
    connect(d->runner, &ReviewRunner::progress, this, [this](qint64 done, qint64 total) {
        d->runDone = done;
        d->runTotal = total;
        if (done == 0)  // the start; later steps are reported once the item is recorded
            Q_EMIT runProgress(0, total, 0, 0, 0, 0);
    });
    // The runner reports its end from inside the client's `finished`, before this session's own
    // slot for that last answer has run: end the run once that emission is over.
    const auto endRunLater = [this](std::function<void()> report) {
        QMetaObject::invokeMethod(
            this,
            [this, runner = d->runner, report = std::move(report)] {
                if (d->runner != runner)
                    return;  // closed meanwhile
                disposeLater(std::exchange(d->runner, nullptr));
                disposeLater(std::exchange(d->runClient, nullptr));
                d->paused = false;
                Q_EMIT runStateChanged();
                report();
            },
            Qt::QueuedConnection);
    };
    connect(d->runner, &ReviewRunner::finished, this,
            [this, endRunLater](const ReviewRunSummary &summary) {
                endRunLater([this, summary] {
                    Q_EMIT runFinished(summary);
                    if (summary.paused) {
                        d->pauseReason
                            = QStringLiteral("%1: %2").arg(summary.pauseCode, summary.pauseReason);
                        Q_EMIT runPaused(d->pauseReason);
                    }
                });
            });
    connect(d->runner, &ReviewRunner::failed, this, [this, endRunLater](const Error &error) {
        endRunLater([this, error] { Q_EMIT runFailed(error); });
    });

    d->runDone = d->runTotal = d->runErrors = 0;
    d->runClock.start();
    d->runner->start();  // runStateChanged was emitted when the run started waiting for its key
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
    if (!m_store)
        return {};
    const ReviewProjectSettings projectSettings = settings();
    auto profile = loadModelProfile(*m_store, projectSettings.endpoint, projectSettings.model);
    return profile ? *profile : ModelProfile();
}

Status ReviewSession::tryCriteria(const Criteria &criteria, const QString &text)
{
    if (!m_store)
        return notOpen();
    if (text.trimmed().isEmpty())
        return Error::badInput(tr("no text to try the criteria on"));
    const ReviewProjectSettings projectSettings = settings();
    if (projectSettings.endpoint.isEmpty())
        return Error::badInput(tr("no endpoint is configured for the assessor"));
    d->submitSingle(*this, SingleKind::Try, 0,
                    assessmentRequestBody(criteria, text, projectSettings.withLogprobs));
    return Done {};
}

Result<QueueItem> ReviewSession::setHumanDecision(qint64 id, const QString &decision,
                                                  const QString &editedText)
{
    if (!m_store)
        return notOpen();
    auto before = m_store->item(id);
    if (!before)
        return before.error();
    if (Status set = m_store->setHumanDecision(id, decision, editedText); !set)
        return set.error();
    Q_EMIT itemUpdated(id);
    return before;
}

Result<std::vector<QueueItem>> ReviewSession::setHumanDecisions(const PageQuery &filter,
                                                                const QString &decision,
                                                                std::optional<double> scoreBelow)
{
    if (!m_store)
        return notOpen();
    auto before = m_store->setHumanDecisions(filter, decision, scoreBelow);
    if (before && !before->empty())
        Q_EMIT itemsChanged();
    return before;
}

Status ReviewSession::restoreDecisions(const std::vector<QueueItem> &before)
{
    if (!m_store)
        return notOpen();
    if (Status restored = m_store->restoreHumanDecisions(before); !restored)
        return restored;
    if (before.size() == 1)
        Q_EMIT itemUpdated(before.front().id);
    else if (!before.empty())
        Q_EMIT itemsChanged();
    return Done {};
}

Status ReviewSession::reassess(qint64 id)
{
    return submitForItem(id, true);
}

Status ReviewSession::requestRevision(qint64 id)
{
    return submitForItem(id, false);
}

Status ReviewSession::submitForItem(qint64 id, bool assess)
{
    if (!m_store)
        return notOpen();
    auto item = m_store->item(id);
    if (!item)
        return item.error();
    auto itemCriteria = criteria();
    if (!itemCriteria)
        return itemCriteria.error();
    const ReviewProjectSettings projectSettings = settings();
    if (projectSettings.endpoint.isEmpty())
        return Error::badInput(tr("no endpoint is configured for the assessor"));
    if (assess)
        d->submitSingle(
            *this, SingleKind::Reassess, id,
            assessmentRequestBody(*itemCriteria, item->text, projectSettings.withLogprobs));
    else
        d->submitSingle(*this, SingleKind::Revise, id,
                        revisionRequestBody(*itemCriteria, item->text, item->llmReasoning));
    return Done {};
}

// One request on the session's small client, made on first use with the current settings once
// the endpoint's key is resolved (on a worker thread); until then requests wait.
void ReviewSession::Private::submitSingle(ReviewSession &session, SingleKind kind, qint64 id,
                                          const QJsonObject &body)
{
    if (singleClient) {
        const quint64 tag = nextSingleTag++;
        singleRequests.insert(tag, SingleRequest { kind, id });
        singleClient->submit(ChatRequest { tag, body });
        return;
    }
    pendingSingles.append(PendingSingle { kind, id, body });
    if (singleResolving)
        return;
    auto keys = session.keyRequest();
    if (!keys)
        return failPendingSingles(session, keys.error());
    singleResolving = true;
    singleKeys.resolve(keys->url, keys->options,
                       [this, &session](const Result<ResolvedEndpoint> &resolved) {
                           onSingleKey(session, resolved);
                       });
}

void ReviewSession::Private::onSingleKey(ReviewSession &session,
                                         const Result<ResolvedEndpoint> &resolved)
{
    singleResolving = false;
    if (!resolved)
        return failPendingSingles(session, resolved.error());
    const ReviewProjectSettings projectSettings = session.settings();
    ClientLimits limits;
    limits.concurrency = std::max(1, std::min(4, projectSettings.concurrency));
    singleClient = new LlmClient(
        LlmEndpoint { resolved->url, projectSettings.model, resolved->key }, limits, &session);
    singleClient->setModelProfile(session.modelProfile());
    QObject::connect(singleClient, &LlmClient::modelProfileAdapted, &session,
                     [&session, projectSettings](const ModelProfile &profile) {
                         if (!session.m_store)
                             return;
                         if (Status stored
                             = storeModelProfile(*session.m_store, projectSettings.endpoint,
                                                 projectSettings.model, profile);
                             !stored)
                             Q_EMIT session.taskFailed(stored.error());
                         Q_EMIT session.modelProfileChanged();
                     });
    QObject::connect(
        singleClient, &LlmClient::finished, &session,
        [this, &session](const ChatResponse &response) { onSingleFinished(session, response); });
    for (const PendingSingle &pending : std::exchange(pendingSingles, {}))
        submitSingle(session, pending.kind, pending.id, pending.body);
}

void ReviewSession::Private::failPendingSingles(ReviewSession &session, const Error &error)
{
    bool itemRequests = false;
    for (const PendingSingle &pending : std::exchange(pendingSingles, {})) {
        if (pending.kind == SingleKind::Try)
            Q_EMIT session.tryFinished(error.toString(), std::nullopt, QStringLiteral("api_key"));
        else
            itemRequests = true;
    }
    // The items are left as they are: a key problem says nothing about them.
    if (itemRequests)
        Q_EMIT session.taskFailed(error);
}

void ReviewSession::Private::dropSingleClient(ReviewSession &session)
{
    singleKeys.cancel();
    singleResolving = false;
    pendingSingles.clear();
    if (!singleClient)
        return;
    QObject::disconnect(singleClient, nullptr, &session, nullptr);
    singleClient->cancel();
    disposeLater(std::exchange(singleClient, nullptr));
    singleRequests.clear();
}

void ReviewSession::Private::abandonRunStart(ReviewSession &session)
{
    runKeys.cancel();
    runStarting = false;
    if (session.m_store)
        session.m_store->releaseRunLease();
}

void ReviewSession::Private::onSingleFinished(ReviewSession &session, const ChatResponse &response)
{
    const auto found = singleRequests.constFind(response.tag);
    if (found == singleRequests.cend())
        return;
    const SingleRequest request = *found;
    singleRequests.erase(found);
    if (response.errorCode == QLatin1String("canceled"))
        return;  // closed or reconfigured: nothing recorded, nothing to answer
    const QString transportError = response.error ? response.error->reason : QString();
    switch (request.kind) {
    case SingleKind::Try: {
        if (!response.ok()) {
            Q_EMIT session.tryFinished(transportError, std::nullopt, response.errorCode);
            return;
        }
        const Assessment assessment = parseAssessmentResponse(response.body);
        Q_EMIT session.tryFinished(assessment.ok() ? assessment.reasoning : assessment.errorMessage,
                                   assessment.score, assessment.errorCode);
        return;
    }
    case SingleKind::Reassess: {
        if (!session.m_store)
            return;
        Status recorded = Done {};
        const Assessment assessment
            = response.ok() ? parseAssessmentResponse(response.body) : Assessment {};
        if (!response.ok()) {
            recorded = session.m_store->recordError(
                request.id,
                response.errorCode.isEmpty() ? QStringLiteral("request_failed")
                                             : response.errorCode,
                transportError, response.attempts, response.requestId);
        } else if (!assessment.ok()) {
            recorded = session.m_store->recordError(
                request.id,
                assessment.errorCode.isEmpty() ? QStringLiteral("no_score") : assessment.errorCode,
                assessment.errorMessage, response.attempts, response.requestId);
        } else {
            // The session assesses with the LLM alone, as its runs do.
            AssessmentRecord record;
            record.llmScore = assessment.score;
            record.llmReasoning = assessment.reasoning;
            record.logprobCoverage = assessment.logprobCoverage;
            record.score = *assessment.score;
            record.attempts = response.attempts;
            record.requestId = response.requestId;
            // Why none were asked for (the request side), else why those asked for were unusable.
            if (!session.settings().withLogprobs)
                record.logprobStatus = QLatin1String(LogprobStatus::kNotRequested);
            else if (!response.sentLogprobs)
                record.logprobStatus = QLatin1String(LogprobStatus::kNotAllowed);
            else
                record.logprobNote = assessment.logprobNote;
            recorded = session.m_store->recordAssessment(request.id, record);
        }
        if (!recorded)
            Q_EMIT session.taskFailed(recorded.error());
        Q_EMIT session.itemUpdated(request.id);
        return;
    }
    case SingleKind::Revise: {
        if (!session.m_store)
            return;
        const Revision revision
            = response.ok() ? parseRevisionResponse(response.body) : Revision {};
        if (!response.ok() || !revision.ok()) {
            // The item is unchanged; the reviewer is told why there is no rewrite.
            const QString code = response.ok() ? revision.errorCode : response.errorCode;
            const QString reason = response.ok() ? revision.errorMessage : transportError;
            Q_EMIT session.taskFailed(
                Error::badInput(ReviewSession::tr("the rewrite of item %1 failed (%2): %3")
                                    .arg(request.id)
                                    .arg(code, reason)));
            return;
        }
        if (Status recorded
            = session.m_store->recordRevision(request.id, revision.revisedText, std::nullopt);
            !recorded)
            Q_EMIT session.taskFailed(recorded.error());
        Q_EMIT session.itemUpdated(request.id);
        return;
    }
    }
}

Result<ReviewCounts> ReviewSession::countsFor(const Thresholds &candidate) const
{
    if (!m_store)
        return notOpen();
    auto counts = m_store->countsFor(candidate);
    if (!counts)
        return counts.error();
    return toReviewCounts(*counts);
}

Status ReviewSession::setThresholds(const Thresholds &thresholds)
{
    if (!m_store)
        return notOpen();
    if (Status valid = thresholds.validate(); !valid)
        return valid;
    if (Status idle = checkIdle(d->task, d->activity); !idle)
        return idle;
    d->startTask(*this, Task::Thresholds,
                 QtConcurrent::run(thresholdsInBackground, d->queuePath, thresholds),
                 tr("Applying the thresholds"));
    return Done {};
}

Result<Thresholds> ReviewSession::thresholds() const
{
    if (!m_store)
        return notOpen();
    return m_store->thresholds();
}

Result<ReviewCounts> ReviewSession::counts() const
{
    if (!m_store)
        return notOpen();
    auto counts = m_store->counts();
    if (!counts)
        return counts.error();
    return toReviewCounts(*counts);
}

Result<std::vector<qint64>> ReviewSession::scoreHistogram(int bins) const
{
    if (!m_store)
        return notOpen();
    return m_store->scoreHistogram(bins);
}

Status ReviewSession::exportCurated(const QString &curatedPath, const QString &droppedPath,
                                    const QString &logPath)
{
    if (!m_store)
        return notOpen();
    if (Status idle = checkIdle(d->task, d->activity); !idle)
        return idle;
    d->startTask(*this, Task::ExportCurated,
                 QtConcurrent::run(exportCuratedInBackground, d->queuePath, curatedPath,
                                   droppedPath, logPath, settings().textField),
                 tr("Exporting"));
    return Done {};
}

Status ReviewSession::exportBatchRequests(const QString &path)
{
    if (!m_store)
        return notOpen();
    if (Status idle = checkIdle(d->task, d->activity); !idle)
        return idle;
    auto batchCriteria = criteria();
    if (!batchCriteria)
        return batchCriteria.error();
    const ReviewProjectSettings projectSettings = settings();
    d->startTask(*this, Task::ExportBatch,
                 QtConcurrent::run(exportBatchInBackground, d->queuePath, path,
                                   std::move(batchCriteria).value(), projectSettings.model,
                                   projectSettings.withLogprobs, modelProfile()),
                 tr("Writing batch requests"));
    return Done {};
}

bool ReviewSession::isBusy() const
{
    return d->task != Task::None;
}

void ReviewSession::waitForIdle()
{
    d->watcher.waitForFinished();
    // Report now rather than when the watcher's queued signal arrives (which then does nothing).
    d->finishTask(*this);
}

}  // namespace pcs
