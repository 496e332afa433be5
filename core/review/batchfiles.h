#pragma once

#include "common/result.h"
#include "review/criteria.h"
#include "review/modelprofile.h"

#include <QJsonObject>
#include <QStringList>

namespace pcs {

class QueueStore;

// Large assessment jobs offline: the pending items as an OpenAI Batch API input file (also what
// vLLM's `run-batch` reads), and its results file read back into the queue.
//
// Request line: {"custom_id": "item-<id>", "method": "POST", "url": "/v1/chat/completions",
//                "body": {<the assessment request>, "model": MODEL}}
// Result line:  {"custom_id": "item-<id>", "response": {"status_code": 200, "body": {<chat
//                completion>}}, "error": null}   (any order; other fields ignored)
struct BatchExportSummary {
    qint64 requests = 0;
};
// Written atomically. Each body is shaped by `profile` (applyModelProfile: what the model is
// known to refuse is left out, the run's temperature and reasoning effort put in), so offline
// lines do not fail where live requests learned not to. Errors: `path` names the queue's
// database (or its -wal/-shm/-journal) or one of its imported sources (BadInput, before anything
// is written); a failed write (Io).
Result<BatchExportSummary> exportBatchRequests(QueueStore &store, const Criteria &criteria,
                                               const QString &model, const QString &path,
                                               bool withLogprobs = true,
                                               const ModelProfile &profile = ModelProfile());

struct BatchImportSummary {
    qint64 lines = 0;
    qint64 assessed = 0;  // results recorded as assessments
    // Results recorded as the item's error: an HTTP error, a refusal, truncation, bad JSON, a
    // score out of range, invalid log-probs, a line that is not a valid result
    // (kMalformedResult) or a score the queue refuses (kInvalidScore).
    qint64 errors = 0;
    qint64 notPending = 0;  // custom_id of an item already assessed or in error: left as it is
    qint64 unknown = 0;  // custom_id that names no item of this queue
    qint64 malformed = 0;  // lines that name no item (no readable custom_id)
    // The first kMaxListedProblems of the unknown, malformed and kMalformedResult lines, as
    // FILE:LINE:COLUMN: reason.
    QStringList problems;
    static constexpr int kMaxListedProblems = 100;
    QJsonObject toJson() const;
};

// Error codes of batch results beyond the assessment's own (ResponseError).
inline constexpr char kMalformedResult[] = "malformed_result";  // names an item, is not valid
inline constexpr char kInvalidScore[] = "invalid_score";  // the queue refused the score

// Scores are the LLM's own (the local assessors are for live runs). Committed line by line. One
// bad line never stops the import: it becomes its item's error (when it names one) or a counted
// problem; a rerun skips what is recorded (not pending). Errors: unreadable file (BadInput), a
// database failure (Internal).
Result<BatchImportSummary> importBatchResults(QueueStore &store, const QString &path);

}  // namespace pcs
