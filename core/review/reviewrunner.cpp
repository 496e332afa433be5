#include "core/review/reviewrunner.h"

#include "core/review/assessment.h"
#include "core/review/modelprofile.h"
#include "core/review/queuestore.h"

namespace pcs {

namespace {
const QString kCanceled = QStringLiteral("canceled");

AssessmentRecorder::Assessors assessorsOf(const ReviewRunOptions &options)
{
    return { options.combination, options.rules, options.fastText, options.withLogprobs };
}

RecordedItem recordedAssessment(const AssessmentOutcome &outcome)
{
    RecordedItem recorded;
    recorded.kind = outcome.ok() ? RecordedItem::Kind::Assessed : RecordedItem::Kind::Failed;
    recorded.score = outcome.score;
    recorded.errorCode = outcome.errorCode;
    recorded.errorMessage = outcome.errorMessage;
    return recorded;
}
}  // namespace

ReviewRunner::ReviewRunner(QueueStore &store, LlmClient &client, Criteria criteria,
                           ReviewRunOptions options, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_client(client)
    , m_criteria(std::move(criteria))
    , m_options(std::move(options))
    , m_recorder(store, assessorsOf(m_options))
{
    qRegisterMetaType<pcs::ReviewRunSummary>();
    qRegisterMetaType<pcs::RunProgress>();
    if (m_options.lookahead <= 0)
        m_options.lookahead = 4 * std::max(1, m_client.limits().concurrency);
    connect(&m_client, &LlmClient::finished, this, &ReviewRunner::onResponse);
    // What the model refuses is kept in the queue: reruns and batch files start from it.
    connect(&m_client, &LlmClient::modelProfileAdapted, this,
            [this](const ModelProfile &profile, const QString &adaptation) {
                m_summary.adaptations << adaptation;
                if (Status stored
                    = storeModelProfile(m_store, m_client.baseUrl(), m_client.model(), profile);
                    !stored) {
                    if (m_running)
                        fail(stored.error());
                    else
                        Q_EMIT requestFailed(stored.error());
                    return;
                }
                Q_EMIT modelProfileLearned(adaptation);
            });
    m_probing = m_options.combination.mode != ScoreCombination::Mode::LocalOnly;
    m_heartbeat.setInterval(QueueStore::kRunLeaseHeartbeatMs);
    connect(&m_heartbeat, &QTimer::timeout, this, [this] {
        if (Status refreshed = m_store.refreshRunLease(); !refreshed)
            fail(refreshed.error());  // taken over: stop sending what the other run may send
    });
}

void ReviewRunner::start()
{
    m_running = true;
    m_clock.start();
    if (!m_store.holdsRunLease())
        return fail(Error::internal(
            QStringLiteral("a review run needs the queue's run lease (none was taken)"),
            m_store.path()));
    m_heartbeat.start();
    auto thresholds = m_store.thresholds();
    if (!thresholds)
        return fail(thresholds.error());
    m_thresholds.filter = thresholds->filter;
    m_thresholds.revise = thresholds->revise;
    PageQuery pending;
    pending.state = ItemState::Pending;
    auto total = m_store.count(pending);
    if (!total)
        return fail(total.error());
    m_total = *total;
    reportProgress();
    fill();
    finishIfDone();
}

void ReviewRunner::stop()
{
    m_stopping = true;
    m_client.cancel();  // every outstanding request answers "canceled" and stays pending
    finishIfDone();
}

Status ReviewRunner::submit(const QList<qint64> &ids, Request request)
{
    std::vector<QueueItem> items;
    for (const qint64 id : ids) {
        auto item = m_store.item(id);
        if (!item)
            return item.error();
        items.push_back(std::move(item).value());
    }
    for (const QueueItem &item : items) {
        if (request == Request::Revise) {
            send({ item.id, Kind::OneOffRevise, item.text, {} },
                 revisionRequestBody(m_criteria, item.text, item.llmReasoning));
        } else if (m_options.combination.mode == ScoreCombination::Mode::LocalOnly) {
            // No request needed: the local assessors score it now.
            auto outcome = m_recorder.recordAssessment(item.id, item.text, nullptr);
            if (!outcome)
                return outcome.error();
            Q_EMIT itemRecorded(item.id, recordedAssessment(*outcome));
        } else {
            send({ item.id, Kind::OneOffAssess, item.text, {} },
                 assessmentRequestBody(m_criteria, item.text, m_options.withLogprobs));
        }
    }
    return Done {};
}

void ReviewRunner::tryText(const Criteria &criteria, const QString &text)
{
    if (m_options.combination.mode == ScoreCombination::Mode::LocalOnly) {
        Q_EMIT tried(m_recorder.evaluate(text, nullptr));  // nothing to ask the model
        return;
    }
    send({ 0, Kind::Try, text, {} }, assessmentRequestBody(criteria, text, m_options.withLogprobs));
}

void ReviewRunner::send(InFlight request, const QJsonObject &body)
{
    const quint64 tag = m_nextTag++;
    if (isRunKind(request.kind))
        ++m_runInFlight;
    m_inFlight.insert(tag, std::move(request));
    m_client.submit({ tag, body });
}

void ReviewRunner::fill()
{
    const qsizetype lookahead = m_probing ? 1 : m_options.lookahead;
    while (m_running && !m_exhausted && !m_stopping && !m_done && m_runInFlight < lookahead) {
        auto items = m_store.claimPending(int(lookahead - m_runInFlight), m_lastQueuedId);
        if (!items)
            return fail(items.error());
        if (items->empty()) {
            m_exhausted = true;
            break;
        }
        for (const QueueItem &item : *items) {
            m_lastQueuedId = item.id;
            const InFlight request { item.id, Kind::Assess, item.text, {} };
            if (m_options.combination.mode == ScoreCombination::Mode::LocalOnly) {
                // No request needed: the local assessors score it now.
                auto outcome = m_recorder.recordAssessment(item.id, item.text, nullptr);
                if (!outcome)
                    return fail(outcome.error());
                afterRunAssessment(request, *outcome);
                continue;
            }
            send(request, assessmentRequestBody(m_criteria, item.text, m_options.withLogprobs));
        }
    }
}

void ReviewRunner::onResponse(const ChatResponse &response)
{
    const auto found = m_inFlight.find(response.tag);
    if (found == m_inFlight.end())
        return;  // not ours (or already handled)
    const InFlight request = found.value();
    m_inFlight.erase(found);
    if (!isRunKind(request.kind)) {
        handleOneOff(request, response);  // never pauses a run, never fills one
        return;
    }
    --m_runInFlight;
    const bool canceled = response.errorCode == kCanceled;
    if (!canceled)
        m_probing = false;
    if (response.fatal) {
        pauseOn(request, response);
        return;
    }
    if (canceled) {
        // Stopped: the item stays pending (or keeps its assessment) for the next run.
        if (request.kind == Kind::Assess)
            if (Status released = m_store.releaseClaim(request.id); !released)
                fail(released.error());
    } else if (request.kind == Kind::Assess) {
        handleAssessment(request, response);
    } else if (request.kind == Kind::Revise) {
        handleRevision(request, response);
    } else {
        handleReassessment(request, response);
    }
    fill();
    finishIfDone();
}

void ReviewRunner::pauseOn(const InFlight &request, const ChatResponse &response)
{
    // Not this item's fault: it stays pending (or keeps its assessment), like the rest.
    if (request.kind == Kind::Assess)
        if (Status released = m_store.releaseClaim(request.id); !released)
            return fail(released.error());
    if (!m_summary.paused) {
        m_summary.paused = true;
        m_summary.pauseCode = response.errorCode;
        m_summary.pauseReason = response.error ? response.error->reason : response.errorCode;
    }
    if (!m_stopping) {
        m_stopping = true;
        m_client.cancel();  // what is in flight or queued answers "canceled": pending again
    }
    finishIfDone();
}

void ReviewRunner::handleAssessment(const InFlight &request, const ChatResponse &response)
{
    auto outcome = m_recorder.recordAssessment(request.id, request.text, &response);
    if (!outcome)
        return fail(outcome.error());
    afterRunAssessment(request, *outcome);
}

void ReviewRunner::afterRunAssessment(const InFlight &request, const AssessmentOutcome &outcome)
{
    if (!outcome.ok()) {
        ++m_summary.errors;
        ++m_summary.errorCodes[outcome.errorCode];
    } else {
        ++m_summary.assessed;
        if (const QString reason = outcome.withoutLogprobsReason(); !reason.isEmpty()) {
            ++m_summary.withoutLogprobs;
            ++m_summary.withoutLogprobsByReason[reason];
        }
    }
    ++m_completed;
    Q_EMIT itemRecorded(request.id, recordedAssessment(outcome));
    reportProgress();
    if (outcome.ok() && m_options.revise && decide(*outcome.score, m_thresholds) == Decision::Revise
        && !m_stopping && !m_done)
        send({ request.id, Kind::Revise, request.text, {} },
             revisionRequestBody(m_criteria, request.text, outcome.reasoning));
}

void ReviewRunner::handleRevision(InFlight request, const ChatResponse &response)
{
    const Revision revision = AssessmentRecorder::parseRevision(response);
    if (revision.ok() && m_options.reassessRevisions && !m_stopping) {
        request.kind = Kind::ReassessRevision;
        request.revision = revision;
        send(request,
             assessmentRequestBody(m_criteria, revision.revisedText, m_options.withLogprobs));
        return;
    }
    auto recorded = m_recorder.recordRevision(request.id, revision, std::nullopt);
    if (!recorded)
        return fail(recorded.error());
    ++(recorded->kind == RecordedItem::Kind::Revised ? m_summary.revised
                                                     : m_summary.revisionErrors);
    Q_EMIT itemRecorded(request.id, *recorded);
}

void ReviewRunner::handleReassessment(const InFlight &request, const ChatResponse &response)
{
    // The rewrite scored by the same assessors; a failed reassessment still keeps the rewrite,
    // without a score for it.
    const AssessmentOutcome outcome = m_recorder.evaluate(request.revision.revisedText, &response);
    auto recorded = m_recorder.recordRevision(request.id, request.revision, outcome.score);
    if (!recorded)
        return fail(recorded.error());
    ++m_summary.revised;
    Q_EMIT itemRecorded(request.id, *recorded);
}

void ReviewRunner::handleOneOff(const InFlight &request, const ChatResponse &response)
{
    if (response.errorCode == kCanceled)
        return;  // closed or reconfigured: nothing recorded, nothing to answer
    switch (request.kind) {
    case Kind::Try:
        Q_EMIT tried(m_recorder.evaluate(request.text, &response));
        return;
    case Kind::OneOffAssess: {
        auto outcome = m_recorder.recordAssessment(request.id, request.text, &response);
        if (!outcome)
            return Q_EMIT requestFailed(outcome.error());
        Q_EMIT itemRecorded(request.id, recordedAssessment(*outcome));
        return;
    }
    case Kind::OneOffRevise: {
        auto recorded = m_recorder.recordRevision(
            request.id, AssessmentRecorder::parseRevision(response), std::nullopt);
        if (!recorded)
            return Q_EMIT requestFailed(recorded.error());
        Q_EMIT itemRecorded(request.id, *recorded);
        return;
    }
    default:
        return;
    }
}

void ReviewRunner::reportProgress()
{
    RunProgress progress;
    progress.done = m_completed;
    progress.total = m_total;
    progress.errors = m_summary.errors;
    progress.promptTokens = m_client.promptTokens();
    progress.completionTokens = m_client.completionTokens();
    progress.itemsPerSecond = m_completed == 0
        ? 0
        : double(m_completed) / std::max(1e-3, m_clock.nsecsElapsed() * 1e-9);
    Q_EMIT this->progress(progress);
}

void ReviewRunner::fail(const Error &error)
{
    if (m_done)
        return;
    m_done = true;
    m_client.cancel();
    endRun();  // the first error is the one to report; a lease left behind goes stale
    Q_EMIT failed(error);
}

Status ReviewRunner::endRun()
{
    m_heartbeat.stop();
    return m_store.releaseRunLease();
}

void ReviewRunner::finishIfDone()
{
    if (!m_running || m_done || m_runInFlight > 0 || !(m_exhausted || m_stopping))
        return;
    m_done = true;
    m_summary.canceled = m_stopping && !m_summary.paused;
    m_summary.promptTokens = m_client.promptTokens();
    m_summary.completionTokens = m_client.completionTokens();
    m_summary.retries = m_client.retries();
    m_summary.adaptiveResends = m_client.adaptiveResends();
    m_summary.modelProfile = m_client.modelProfile().summary();
    m_summary.concurrency = m_client.limits().concurrency;
    m_summary.lowestConcurrency = m_client.lowestConcurrencyCap();
    m_summary.seconds = double(m_clock.nsecsElapsed()) * 1e-9;
    if (Status released = endRun(); !released) {
        Q_EMIT failed(released.error());
        return;
    }
    Q_EMIT finished(m_summary);
}

}  // namespace pcs
