#include "review/reviewrunner.h"

#include "review/assessment.h"
#include "review/modelprofile.h"
#include "review/queuestore.h"

#include <QJsonArray>

namespace pcs {

ReviewRunner::ReviewRunner(QueueStore &store, LlmClient &client, Criteria criteria,
                           ReviewRunOptions options, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_client(client)
    , m_criteria(std::move(criteria))
    , m_options(std::move(options))
{
    qRegisterMetaType<pcs::ReviewRunSummary>();
    if (m_options.lookahead <= 0)
        m_options.lookahead = 4 * std::max(1, m_client.limits().concurrency);
    connect(&m_client, &LlmClient::finished, this, &ReviewRunner::onResponse);
    // What the model refuses is kept in the queue: reruns and batch files start from it.
    connect(&m_client, &LlmClient::modelProfileAdapted, this,
            [this](const ModelProfile &profile, const QString &adaptation) {
                m_summary.adaptations << adaptation;
                if (Status stored
                    = storeModelProfile(m_store, m_client.baseUrl(), m_client.model(), profile);
                    !stored)
                    fail(stored.error());
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
    Q_EMIT progress(0, m_total);
    fill();
    finishIfDone();
}

void ReviewRunner::stop()
{
    m_stopping = true;
    m_client.cancel();  // every outstanding request answers "canceled" and stays pending
    finishIfDone();
}

void ReviewRunner::fill()
{
    const qsizetype lookahead = m_probing ? 1 : m_options.lookahead;
    while (!m_exhausted && !m_stopping && !m_done && qsizetype(m_outstanding.size()) < lookahead) {
        auto items = m_store.claimPending(int(lookahead - qsizetype(m_outstanding.size())),
                                          m_lastQueuedId);
        if (!items)
            return fail(items.error());
        if (items->empty()) {
            m_exhausted = true;
            break;
        }
        for (const QueueItem &item : *items) {
            m_lastQueuedId = item.id;
            m_texts.insert(item.id, item.text);
            if (m_options.combination.mode == ScoreCombination::Mode::LocalOnly) {
                recordScores(item.id, std::nullopt, {}, std::nullopt, 0);  // no request needed
                continue;
            }
            m_outstanding.insert(tagFor(item.id, Kind::Assess));
            m_client.submit(
                { tagFor(item.id, Kind::Assess),
                  assessmentRequestBody(m_criteria, item.text, m_options.withLogprobs) });
        }
    }
}

void ReviewRunner::onResponse(const ChatResponse &response)
{
    if (m_outstanding.erase(response.tag) == 0)
        return;  // not ours (or already handled)
    const auto id = qint64(response.tag >> 2);
    const auto kind = Kind(response.tag & 3);
    if (response.errorCode != QLatin1String("canceled"))
        m_probing = false;
    if (response.fatal) {
        pauseOn(id, kind, response);
        return;
    }
    if (response.errorCode == QLatin1String("canceled")) {
        // Stopped: the item stays pending (or keeps its assessment) for the next run.
        m_texts.remove(id);
        m_revisedTexts.remove(id);
        if (kind == Kind::Assess)
            if (Status released = m_store.releaseClaim(id); !released)
                fail(released.error());
    } else if (kind == Kind::Assess) {
        handleAssessment(id, response);
    } else if (kind == Kind::Revise) {
        handleRevision(id, response);
    } else {
        handleReassessment(id, response);
    }
    fill();
    finishIfDone();
}

void ReviewRunner::pauseOn(qint64 id, Kind kind, const ChatResponse &response)
{
    // Not this item's fault: it stays pending (or keeps its assessment), like the rest.
    m_texts.remove(id);
    m_revisedTexts.remove(id);
    if (kind == Kind::Assess)
        if (Status released = m_store.releaseClaim(id); !released)
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

QString ReviewRunner::logprobStatusOf(const ChatResponse &response) const
{
    if (!m_options.withLogprobs)
        return QLatin1String(LogprobStatus::kNotRequested);
    if (!response.sentLogprobs)  // the model refuses them (see the profile)
        return QLatin1String(LogprobStatus::kNotAllowed);
    return {};  // asked for: the answer's LogprobNote says whether they could be used
}

void ReviewRunner::recordScores(qint64 id, std::optional<double> llmScore, const QString &reasoning,
                                std::optional<double> coverage, int attempts,
                                const QString &requestId, const QString &logprobStatus,
                                const QString &logprobNote)
{
    const QString text = m_texts.value(id);
    const std::optional<double> rule
        = m_options.rules ? std::optional(m_options.rules->score(text)) : std::nullopt;
    const std::optional<double> fastText
        = m_options.fastText ? std::optional(m_options.fastText->score(text)) : std::nullopt;
    const std::optional<double> combined
        = combineScores(llmScore, rule, fastText, m_options.combination);
    if (!combined) {
        // Never a silent keep: without the scores the combination needs, the item is an error.
        ++m_summary.errors;
        ++m_summary.errorCodes[QStringLiteral("no_score")];
        if (Status recorded
            = m_store.recordError(id, QStringLiteral("no_score"),
                                  QStringLiteral("the chosen combination has no score to combine"),
                                  attempts, requestId);
            !recorded)
            fail(recorded.error());
        m_texts.remove(id);
        Q_EMIT progress(++m_completed, m_total);
        return;
    }
    AssessmentRecord record;
    record.llmScore = llmScore;
    record.llmReasoning = reasoning;
    record.logprobCoverage = coverage;
    record.ruleScore = rule;
    record.fastTextScore = fastText;
    record.score = *combined;
    record.attempts = attempts;
    record.requestId = requestId;
    if (llmScore) {
        record.logprobStatus = logprobStatus;
        // Without log-probs asked for, the answer has none to note (the request side says why).
        if (logprobStatus.isEmpty())
            record.logprobNote = logprobNote;
    }
    if (Status recorded = m_store.recordAssessment(id, record); !recorded)
        return fail(recorded.error());
    ++m_summary.assessed;
    // Wanted, but the score is the bare integer: refused by the model, or unusable in the answer.
    const QString withoutLogprobsReason = !record.logprobNote.isEmpty()
        ? LogprobNote::codeOf(record.logprobNote)
        : record.logprobStatus == QLatin1String(LogprobStatus::kNotAllowed) ? record.logprobStatus
                                                                            : QString();
    if (!withoutLogprobsReason.isEmpty()) {
        ++m_summary.withoutLogprobs;
        ++m_summary.withoutLogprobsByReason[withoutLogprobsReason];
    }
    Q_EMIT progress(++m_completed, m_total);
    if (m_options.revise && decide(*combined, m_thresholds) == Decision::Revise && !m_stopping) {
        m_outstanding.insert(tagFor(id, Kind::Revise));
        m_client.submit(
            { tagFor(id, Kind::Revise), revisionRequestBody(m_criteria, text, reasoning) });
        return;
    }
    m_texts.remove(id);
}

void ReviewRunner::handleAssessment(qint64 id, const ChatResponse &response)
{
    QString code = response.errorCode;
    QString message = response.error ? response.error->reason : QString();
    Assessment assessment;
    if (!response.error) {
        assessment = parseAssessmentResponse(response.body);
        if (!assessment.ok()) {
            code = assessment.errorCode.isEmpty() ? QStringLiteral("no_score")
                                                  : assessment.errorCode;
            message = assessment.errorMessage;
        }
    } else if (code.isEmpty()) {
        code = QStringLiteral("request_failed");
    }
    if (!code.isEmpty()) {
        ++m_summary.errors;
        ++m_summary.errorCodes[code];
        if (Status recorded
            = m_store.recordError(id, code, message, response.attempts, response.requestId);
            !recorded)
            return fail(recorded.error());
        m_texts.remove(id);
        Q_EMIT progress(++m_completed, m_total);
        return;
    }
    recordScores(id, assessment.score, assessment.reasoning, assessment.logprobCoverage,
                 response.attempts, response.requestId, logprobStatusOf(response),
                 assessment.logprobNote);
}

void ReviewRunner::handleRevision(qint64 id, const ChatResponse &response)
{
    const Revision revision = response.error ? Revision {} : parseRevisionResponse(response.body);
    if (response.error || !revision.ok()) {
        // The assessment stands; the reviewer sees no rewrite and can write one.
        ++m_summary.revisionErrors;
        m_texts.remove(id);
        return;
    }
    if (m_options.reassessRevisions && !m_stopping) {
        m_revisedTexts.insert(id, revision.revisedText);
        m_outstanding.insert(tagFor(id, Kind::Reassess));
        m_client.submit(
            { tagFor(id, Kind::Reassess),
              assessmentRequestBody(m_criteria, revision.revisedText, m_options.withLogprobs) });
        return;
    }
    if (Status recorded = m_store.recordRevision(id, revision.revisedText, std::nullopt); !recorded)
        return fail(recorded.error());
    ++m_summary.revised;
    m_texts.remove(id);
}

void ReviewRunner::handleReassessment(qint64 id, const ChatResponse &response)
{
    const QString revised = m_revisedTexts.take(id);
    m_texts.remove(id);
    const Assessment assessment
        = response.error ? Assessment {} : parseAssessmentResponse(response.body);
    // A failed reassessment still keeps the rewrite, without a score for it.
    if (Status recorded
        = m_store.recordRevision(id, revised, assessment.ok() ? assessment.score : std::nullopt);
        !recorded)
        return fail(recorded.error());
    ++m_summary.revised;
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
    if (m_done || !m_outstanding.empty() || !(m_exhausted || m_stopping))
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
