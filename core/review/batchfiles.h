#pragma once

#include "common/result.h"
#include "review/criteria.h"

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
// Written atomically. Errors: `path` names the queue's database (or its -wal/-shm/-journal) or
// one of its imported sources (BadInput, before anything is written); a failed write (Io).
Result<BatchExportSummary> exportBatchRequests(QueueStore &store, const Criteria &criteria,
                                               const QString &model, const QString &path,
                                               bool withLogprobs = true);

struct BatchImportSummary {
    qint64 lines = 0;
    qint64 assessed = 0;  // results recorded as assessments
    qint64 errors
        = 0;  // results recorded as errors (HTTP error, refusal, truncation, bad JSON, range)
    qint64 notPending = 0;  // custom_id of an item already assessed or in error: left as it is
    qint64 unknown = 0;  // custom_id that names no item of this queue
    qint64 malformed = 0;  // lines that are not a batch result
    QStringList problems;  // the first 100, as FILE:LINE:COLUMN: reason
    QJsonObject toJson() const;
};
// Scores are the LLM's own (the local assessors are for live runs). Committed line by line.
Result<BatchImportSummary> importBatchResults(QueueStore &store, const QString &path);

}  // namespace pcs
