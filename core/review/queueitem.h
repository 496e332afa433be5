#pragma once

// The value types of the review queue (QueueStore): items, queries, counts and summaries.
#include "core/review/decision.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace pcs {

// Where an item is in its assessment: not assessed yet, assessed (it has a score), or its
// assessment failed (never a score, never a decision of its own). Named only in SQL and JSON
// ("pending", "assessed", "error"), by itemStateName/itemStateFromName.
enum class ItemState { Pending, Assessed, Error };
QString itemStateName(ItemState state);
// The inverse of itemStateName (exact); nullopt if unknown.
std::optional<ItemState> itemStateFromName(const QString &name);

// Why an answer of the assessor (or the reviser) could not be used, or an item got no score.
// Named only where it is written to or read from the queue (items.error_code), JSON reports and
// logs, by responseErrorName/responseErrorFromName; the names are the codes stored since the
// first version, so existing queues read unchanged. An item's stored error code may also be the
// client's own ("http_503", "timeout", ...: ChatResponse::errorCode), which is no ResponseError.
enum class ResponseError {
    ApiError,  // api_error: the body is an {"error": ...} object
    NoChoices,  // no_choices: no choices[0].message
    Refusal,  // refusal: message.refusal is non-empty
    Truncated,  // truncated: finish_reason "length"
    ContentFilter,  // content_filter: finish_reason "content_filter"
    InvalidJson,  // invalid_json: the content is not one JSON object of the asked shape
    MissingScore,  // missing_score
    OutOfRange,  // out_of_range: the score is not an integer 0–100
    EmptyReasoning,  // empty_reasoning: reasoning missing or blank
    EmptyRevisedText,  // empty_revised_text: revised_text missing or blank
    // invalid_logprobs: the log-probs give no finite expected score or coverage (corrupt).
    InvalidLogprobs,
    NoScore,  // no_score: the project's score combination had no score to combine
    RequestFailed,  // request_failed: the request failed and the client named no cause
    MalformedResult,  // malformed_result: a batch result line names an item but is not valid
    InvalidScore,  // invalid_score: the queue refused a batch result's score
};
inline constexpr int kResponseErrorCount = int(ResponseError::InvalidScore) + 1;
QString responseErrorName(ResponseError error);
// The inverse of responseErrorName (exact); nullopt for any other text (a client code such as
// "http_503", or a name from a newer version).
std::optional<ResponseError> responseErrorFromName(const QString &name);
// The stored name of an error, empty for none.
inline QString responseErrorText(std::optional<ResponseError> error)
{
    return error ? responseErrorName(*error) : QString();
}

// decisionName() of a decision, empty for none: the text views and logs show.
inline QString decisionText(std::optional<Decision> decision)
{
    return decision ? decisionName(*decision) : QString();
}

// One document of a review project: where it came from, what the assessors said and what was
// decided.
struct QueueItem {
    qint64 id = 0;
    // The record's own id (the field named at import, e.g. "id"; a number as its JSON text), or
    // the internal id as text when the import named none or the record has none: what the UI,
    // logs and summaries show.
    QString sourceId;
    QString sourceFile;  // absolute path at import time
    QString sourceSha256;
    qint64 sourceLine = 0;  // 1-based
    QString record;  // the original JSON line, unchanged
    QString text;  // the record's text field at import time
    ItemState state = ItemState::Pending;
    std::optional<double> llmScore;
    QString llmReasoning;
    std::optional<double> logprobCoverage;
    std::optional<double> ruleScore;
    std::optional<double> fastTextScore;
    std::optional<double> score;  // the combined score the decisions are derived from
    // Derived when read from the score and the queue's thresholds (autoDecisionRange), never
    // stored; none unless assessed.
    std::optional<Decision> autoDecision;
    std::optional<Decision> humanDecision;  // stored: the reviewer's own

    QString revisedText;  // empty = no revision
    std::optional<double> revisedScore;
    QString
        revisionCritique;  // why the LLM rewrote it as it did (Revision::critique); may be empty
    QString editedText;  // the reviewer's own text; empty = not edited
    QString error;
    // A ResponseError's name (responseError()) or the client's own code; empty when none.
    QString errorCode;
    int attempts = 0;
    QString createdAt;  // ISO 8601 UTC, e.g. 2024-05-01T12:00:00.000Z
    QString assessedAt;
    QString decidedAt;  // when the human decision was set
    QString requestId;  // the server's x-request-id of the last answer or failure; empty = none
    // Why an LLM score is the bare integer the model wrote rather than the probability-weighted
    // one; at most one of the two is set, both empty when the log-probs gave the score (or for
    // other assessors). The request side, logprobStatus (LogprobStatus in assessment.h): none
    // were asked for, "not_requested" (the run wanted none) or "not_allowed" (the model refuses
    // them, so the request left them out). The answer side, logprobNote ("code: explanation",
    // LogprobNote in assessment.h): they were asked for but could not be used ("not_returned",
    // "unaligned", ...).
    QString logprobStatus;
    QString logprobNote;

    // The stored error code as a ResponseError; nullopt for none and for a client code.
    std::optional<ResponseError> responseError() const { return responseErrorFromName(errorCode); }

    // The human decision when set, else the automatic one (none while pending or in error).
    std::optional<Decision> finalDecision() const
    {
        return humanDecision ? humanDecision : autoDecision;
    }
};

struct ImportSummary {
    qint64 lines = 0;  // non-blank lines read
    qint64 imported = 0;  // new items
    qint64 duplicates = 0;  // lines already in the queue (same file content and line): ignored
    // Invalid JSON or UTF-8, a duplicate top-level key, a number beyond a double, a missing or
    // non-string text: not imported.
    qint64 malformed = 0;
    QStringList problems;  // the first kMaxListedProblems, as FILE:LINE:COLUMN: reason

    static constexpr int kMaxListedProblems = 100;
    QJsonObject toJson() const;
};

// What the assessors produced for one item; `score` decides (see QueueStore::recordAssessment).
struct AssessmentRecord {
    std::optional<double> llmScore;
    QString llmReasoning;
    std::optional<double> logprobCoverage;
    std::optional<double> ruleScore;
    std::optional<double> fastTextScore;
    double score = 0;
    int attempts = 1;
    QString requestId;  // see QueueItem
    QString logprobStatus;  // see QueueItem::logprobStatus
    QString logprobNote;  // see QueueItem::logprobStatus
};

// The right to run the queue's assessments: one run per queue at a time, across processes and
// hosts sharing the file. Kept in the queue (table run_lease) while held; the holder refreshes
// its heartbeat every kRunLeaseHeartbeatMs.
struct RunLease {
    QString id;  // unique per run; the items it claimed carry it
    qint64 pid = 0;
    QString host;
    QString startedAt;  // ISO 8601 UTC
    QString heartbeatAt;

    // "queue is being run by PID 123 on HOST since 2024-05-01T12:00:00.000Z"
    QString busyReason() const;
};

struct RunLeaseAttempt {
    bool acquired = false;
    RunLease holder;  // ours when acquired, else the run that holds the queue
    std::optional<RunLease> takenOver;  // a stale lease this attempt replaced
    QString takeoverReason;  // why it was stale, e.g. "its process is gone"
    qint64 releasedClaims = 0;  // items claimed by a dead run, pending again
};

enum class QueueSortColumn { Score, Id, State, Decision };  // Decision = the final decision

// A page of the queue, or (limit/offset/sort ignored) a filter for count(). Rows are ordered by
// the column, ties by id in the same direction; a missing score or decision sorts as the
// smallest value (first when ascending, last when descending).
struct PageQuery {
    QueueSortColumn sortBy = QueueSortColumn::Score;
    bool ascending = false;
    qint64 offset = 0;
    int limit = 100;
    std::optional<ItemState> state;  // only items in this state; none = all
    std::optional<Decision> decision;  // only items with this final decision; none = all
    bool withoutDecision = false;  // only items without a final decision (ignores `decision`)
    bool withoutHumanDecision = false;  // only items no human has decided
    QString textSearch;  // only items whose text contains this (ASCII case-insensitive)
    // Only items scored in this range (a bounded range leaves out the items without a score).
    ScoreRange scores;
    // Only the items of the queue's audit sample (queueaudit.h); the queue must have one.
    bool auditSampleOnly = false;
};

// One batch of human decisions (QueueStore::decideMatching), undone as one step.
struct DecisionBatch {
    qint64 undoStep = 0;  // for QueueStore::undoDecisions
    qint64 changed = 0;  // items whose human decision was set
};

// Items by state and by final decision (the human one when set, else the automatic one).
struct QueueCounts {
    qint64 total = 0;
    qint64 pending = 0;
    qint64 assessed = 0;
    qint64 errors = 0;
    qint64 keep = 0;
    qint64 revise = 0;
    qint64 filter = 0;
    qint64 humanDecided = 0;

    friend bool operator==(const QueueCounts &, const QueueCounts &) = default;
};

// What the export does with an item whose final decision is "revise" but which has neither a
// revision nor a human edit: Hold (not exported; counted and listed), KeepOriginal (curated with
// its original text), Drop (goes to the dropped file).
enum class ReviseMissingPolicy { Hold, KeepOriginal, Drop };
QString reviseMissingPolicyName(ReviseMissingPolicy policy);  // hold, keep-original, drop
std::optional<ReviseMissingPolicy> reviseMissingPolicyFromName(const QString &name);

struct ExportSummary {
    qint64 curated = 0;  // lines written to the curated file (= kept + revised)
    qint64 kept = 0;  // curated otherwise: decision keep, or revise kept as it was (KeepOriginal)
    qint64 revised = 0;  // curated with a decision of revise and its revised (or edited) text
    qint64 textChanged = 0;  // curated items whose text was replaced (revision or human edit)
    qint64 dropped = 0;  // final decision filter (and revise without a revision under Drop)
    qint64 pending = 0;  // not assessed yet: not exported
    qint64 errors = 0;  // assessment failed: not exported
    // Final decision revise without a revision or an edit, under any policy; the first ids.
    qint64 reviseMissing = 0;
    QList<qint64> reviseMissingIds;
    QStringList reviseMissingSourceIds;  // the same items' QueueItem::sourceId
    ReviseMissingPolicy reviseMissingPolicy = ReviseMissingPolicy::Hold;
    qint64 held = 0;  // of those, not exported (Hold)
    // Items with a new text whose record has its own "original_text": the old text went to
    // "pcstudio_original_text" instead.
    qint64 ownOriginalText = 0;
    // Items whose text had to change but whose stored record could not take it (it cannot be
    // scanned, or has no string text field): not exported, listed in `problems`.
    qint64 failed = 0;
    // Unchanged items exported byte for byte although their stored record would not pass
    // today's import (a duplicate key or a number beyond a double, from an older version).
    qint64 unscannable = 0;
    QStringList problems;  // the first kMaxListedProblems of both, as FILE:LINE:COLUMN: reason

    static constexpr int kMaxListedIds = 20;
    static constexpr int kMaxListedProblems = 100;
    QJsonObject toJson() const;
};

}  // namespace pcs
