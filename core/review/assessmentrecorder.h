#pragma once

#include "core/common/result.h"
#include "core/review/assessment.h"
#include "core/review/localassessors.h"

#include <QMetaType>
#include <QString>

#include <memory>
#include <optional>

namespace pcs {

class QueueStore;
struct ChatResponse;

// What the assessors made of one text: a combined score, or an error, never both.
struct AssessmentOutcome {
    std::optional<double> score;  // combined as the project chose
    std::optional<double> llmScore;
    std::optional<double> ruleScore;
    std::optional<double> fastTextScore;
    QString reasoning;  // the LLM's
    std::optional<double> logprobCoverage;
    QString logprobStatus;  // LogprobStatus: why no log-probs were asked for
    QString logprobNote;  // LogprobNote: why those asked for were not used
    // The code recorded: a ResponseError's name (queueitem.h) or the client's own code
    // (ChatResponse::errorCode, e.g. "http_503"), empty when ok.
    QString errorCode;
    QString errorMessage;
    int attempts = 0;
    QString requestId;

    bool ok() const { return score.has_value() && errorCode.isEmpty(); }
    // Log-probs were wanted but the score is the bare integer: the reason's code, else empty.
    QString withoutLogprobsReason() const;
};

// What became of one item's request, as recorded (ReviewRunner::itemRecorded).
struct RecordedItem {
    enum class Kind {
        Assessed,  // a score and its decision
        Failed,  // the item is in the error state (errorCode, errorMessage)
        Revised,  // a rewrite was stored (with its own score when reassessed)
        RevisionFailed,  // no rewrite: the assessment stands (errorCode, errorMessage)
    };
    Kind kind = Kind::Assessed;
    std::optional<double> score;
    QString errorCode;
    QString errorMessage;
};

// The one place where an answer of the assessor becomes a record in the queue: parses the
// Chat Completions answer, scores the text with the local assessors, combines the scores as the
// project chose (never a silent keep: without the scores the combination needs, the item is an
// error "no_score"), and writes the assessment, the error or the revision. Used by ReviewRunner
// for runs and one-off requests alike.
class AssessmentRecorder {
public:
    struct Assessors {
        ScoreCombination combination;
        std::shared_ptr<const RuleAssessor> rules;
        std::shared_ptr<const FastTextAssessor> fastText;
        bool withLogprobs = true;  // as the requests were sent
    };
    AssessmentRecorder(QueueStore &store, Assessors assessors);

    const Assessors &assessors() const { return m_assessors; }

    // The outcome of an assessment answer for `text`, without recording it (a try, a rewrite's
    // reassessment). `response` null: no LLM request (local assessors only).
    AssessmentOutcome evaluate(const QString &text, const ChatResponse *response) const;
    // evaluate(), then the assessment or the error recorded for item `id`.
    Result<AssessmentOutcome> recordAssessment(qint64 id, const QString &text,
                                               const ChatResponse *response);
    // Parses a revision answer; an ok one is stored with its critique and `revisedScore` (when
    // it was reassessed), a failed one leaves the item as it is. Errors: the store's.
    Result<RecordedItem> recordRevision(qint64 id, const Revision &revision,
                                        std::optional<double> revisedScore);
    static Revision parseRevision(const ChatResponse &response);

private:
    QueueStore &m_store;
    Assessors m_assessors;
};

}  // namespace pcs

Q_DECLARE_METATYPE(pcs::RecordedItem)
Q_DECLARE_METATYPE(pcs::AssessmentOutcome)
