#include "core/review/assessmentrecorder.h"

#include "core/review/llmclient.h"
#include "core/review/queuestore.h"

namespace pcs {

namespace {

// The code an item's error is recorded with (the queue's error_code, the run's counts): the
// client's own code when the request failed, else the ResponseError's name.
QString requestFailureCode(const ChatResponse &response)
{
    return response.errorCode.isEmpty() ? responseErrorName(ResponseError::RequestFailed)
                                        : response.errorCode;
}

}  // namespace

QString AssessmentOutcome::withoutLogprobsReason() const
{
    if (!ok() || !llmScore)
        return {};
    if (!logprobNote.isEmpty())
        return LogprobNote::codeOf(logprobNote);
    if (logprobStatus == QLatin1String(LogprobStatus::kNotAllowed))
        return logprobStatus;
    return {};
}

AssessmentRecorder::AssessmentRecorder(QueueStore &store, Assessors assessors)
    : m_store(store)
    , m_assessors(std::move(assessors))
{
    qRegisterMetaType<pcs::RecordedItem>();
    qRegisterMetaType<pcs::AssessmentOutcome>();
}

AssessmentOutcome AssessmentRecorder::evaluate(const QString &text,
                                               const ChatResponse *response) const
{
    AssessmentOutcome outcome;
    if (response) {
        outcome.attempts = response->attempts;
        outcome.requestId = response->requestId;
        if (response->error) {
            outcome.errorCode = requestFailureCode(*response);
            outcome.errorMessage = response->error->reason;
            return outcome;
        }
        const Assessment assessment = parseAssessmentResponse(response->body);
        if (!assessment.ok()) {
            outcome.errorCode
                = responseErrorName(assessment.errorCode.value_or(ResponseError::NoScore));
            outcome.errorMessage = assessment.errorMessage;
            return outcome;
        }
        outcome.llmScore = assessment.score;
        outcome.reasoning = assessment.reasoning;
        outcome.logprobCoverage = assessment.logprobCoverage;
        // Why none were asked for (the request side), else why those asked for were unusable.
        if (!m_assessors.withLogprobs)
            outcome.logprobStatus = QLatin1String(LogprobStatus::kNotRequested);
        else if (!response->sentLogprobs)  // the model refuses them (see the profile)
            outcome.logprobStatus = QLatin1String(LogprobStatus::kNotAllowed);
        else
            outcome.logprobNote = assessment.logprobNote;
    }
    if (m_assessors.rules)
        outcome.ruleScore = m_assessors.rules->score(text);
    if (m_assessors.fastText)
        outcome.fastTextScore = m_assessors.fastText->score(text);
    outcome.score = combineScores(outcome.llmScore, outcome.ruleScore, outcome.fastTextScore,
                                  m_assessors.combination);
    if (!outcome.score) {
        // Never a silent keep: without the scores the combination needs, the item is an error.
        outcome.errorCode = responseErrorName(ResponseError::NoScore);
        outcome.errorMessage = QStringLiteral("the chosen combination has no score to combine");
    }
    return outcome;
}

Result<AssessmentOutcome> AssessmentRecorder::recordAssessment(qint64 id, const QString &text,
                                                               const ChatResponse *response)
{
    AssessmentOutcome outcome = evaluate(text, response);
    if (!outcome.ok()) {
        if (Status recorded = m_store.recordError(id, outcome.errorCode, outcome.errorMessage,
                                                  outcome.attempts, outcome.requestId);
            !recorded)
            return recorded.error();
        return outcome;
    }
    AssessmentRecord record;
    record.llmScore = outcome.llmScore;
    record.llmReasoning = outcome.reasoning;
    record.logprobCoverage = outcome.logprobCoverage;
    record.ruleScore = outcome.ruleScore;
    record.fastTextScore = outcome.fastTextScore;
    record.score = *outcome.score;
    record.attempts = outcome.attempts;
    record.requestId = outcome.requestId;
    record.logprobStatus = outcome.logprobStatus;
    record.logprobNote = outcome.logprobNote;
    if (Status recorded = m_store.recordAssessment(id, record); !recorded)
        return recorded.error();
    return outcome;
}

Revision AssessmentRecorder::parseRevision(const ChatResponse &response)
{
    if (response.error) {
        Revision failed;
        failed.errorCode = ResponseError::RequestFailed;
        failed.requestErrorCode = requestFailureCode(response);
        failed.errorMessage = response.error->reason;
        return failed;
    }
    return parseRevisionResponse(response.body);
}

Result<RecordedItem> AssessmentRecorder::recordRevision(qint64 id, const Revision &revision,
                                                        std::optional<double> revisedScore)
{
    RecordedItem recorded;
    if (!revision.ok()) {
        // The assessment stands; the reviewer sees no rewrite and can write one.
        recorded.kind = RecordedItem::Kind::RevisionFailed;
        const ResponseError error = revision.errorCode.value_or(ResponseError::EmptyRevisedText);
        recorded.errorCode
            = error == ResponseError::RequestFailed && !revision.requestErrorCode.isEmpty()
            ? revision.requestErrorCode
            : responseErrorName(error);
        recorded.errorMessage = revision.errorMessage;
        return recorded;
    }
    if (Status stored
        = m_store.recordRevision(id, revision.revisedText, revisedScore, revision.critique);
        !stored)
        return stored.error();
    recorded.kind = RecordedItem::Kind::Revised;
    recorded.score = revisedScore;
    return recorded;
}

}  // namespace pcs
