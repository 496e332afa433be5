#pragma once

#include "core/common/result.h"
#include "core/io/atomicwrite.h"
#include "core/review/criteria.h"
#include "core/review/modelprofile.h"

#include <QJsonObject>
#include <QMap>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace pcs {

class QueueStore;

// Large assessment jobs offline: the pending items as OpenAI Batch API input files (also what
// vLLM's `run-batch` reads), and their result files read back into the queue.
//
// Request line: {"custom_id": "item-<id>", "method": "POST", "url": "/v1/chat/completions",
//                "body": {<the assessment request>, "model": MODEL}}
// Result line:  {"custom_id": "item-<id>", "response": {"status_code": 200, "body": {<chat
//                completion>}}, "error": null}   (any order; other fields ignored)
// Failed lines, as the servers write them (all kept as the item's error with the server's
// message; code http_<status> when the line has an HTTP status, else the server's own code):
//   OpenAI:  "response": {"status_code": 4xx/5xx, "body": {"error": {"message", "type",
//            "param", "code"}}}, or "response": null, "error": {"code", "message"}
//   vLLM run-batch (vllm/entrypoints/openai/run_batch.py): "response": {"status_code": 400,
//            "body": null} with "error": "<message>" (a request it could not run), or with
//            "error": its ErrorResponse, {"object": "error", "message", "type", "param",
//            "code": <status>} (older releases) or {"error": {"message", "type", "param",
//            "code": <status>}} (newer ones); an ErrorResponse in "response.body" is read too.

// The OpenAI Batch API's limits on one input file: "The file can contain up to 50,000 requests,
// and can be up to 200 MB in size" (API reference, Batch > Create batch, input_file_id). The
// byte limit kept here is 190,000,000 bytes: below 200 MB whether MB means 10^6 or 2^20 bytes,
// with 5% to spare. vLLM's run-batch has no limit; 0 means none.
struct BatchFileLimits {
    qint64 maxRequests = 50000;
    qint64 maxBytes = 190000000;
};

struct BatchExportSummary {
    struct File {
        QString path;
        qint64 requests = 0;
        qint64 bytes = 0;
    };
    qint64 requests = 0;
    std::vector<File> files;  // in order: FILE, or FILE-001, FILE-002, ...
    // Files beside the output that look like this export's but were not written by it (shards
    // of an earlier, larger export; or FILE itself when this one was sharded): uploading them
    // again would send requests twice. Left alone, listed.
    QStringList staleFiles;
    // What went wrong without stopping the export (the queue could not keep kBatchLogprobsProperty,
    // e.g. a read-only copy).
    QStringList warnings;
};

// Shard `index` (1-based) of `path`: requests.jsonl -> requests-001.jsonl (the number before the
// last suffix; at least three digits).
QString batchShardPath(const QString &path, int index);

// Batch input lines written to `path` while everything fits `limits`, else to shards
// batchShardPath(path, 1), (path, 2), ... each within them, in the order written; published
// together (OutputSet) by publish(), or nothing (destroyed unpublished). Each output is first
// passed to `check` (e.g. that it names no input), whose error stops the write. Used by every
// batch export (review batch-export, bpb batch-export).
class BatchFileWriter {
public:
    using OutputCheck = std::function<Status(const QString &output)>;
    static Result<std::unique_ptr<BatchFileWriter>>
    create(const QString &path, const BatchFileLimits &limits, OutputCheck check = {});
    ~BatchFileWriter();
    BatchFileWriter(const BatchFileWriter &) = delete;
    BatchFileWriter &operator=(const BatchFileWriter &) = delete;

    // Whether a line of `bytes` bytes can never fit (more than maxBytes alone): callers refuse
    // it with their own words (which item, which text) before calling write().
    bool tooLarge(qint64 bytes) const { return m_limits.maxBytes > 0 && bytes > m_limits.maxBytes; }
    // One whole line, its '\n' included. A line tooLarge() is refused (BadInput).
    Status write(const QByteArray &line);
    // Publishes every file written; then files() and staleFiles() describe them.
    Status publish();
    const std::vector<BatchExportSummary::File> &files() const { return m_files; }
    qint64 requests() const { return m_requests; }
    // Files beside the output named like this export's that it did not write (see
    // BatchExportSummary::staleFiles); meaningful after publish().
    QStringList staleFiles() const;

private:
    BatchFileWriter(const QString &path, const BatchFileLimits &limits, OutputCheck check);
    Status startShard();

    QString m_path;
    BatchFileLimits m_limits;
    OutputCheck m_check;
    std::unique_ptr<AtomicFile> m_single;
    OutputSet m_shards;
    AtomicFile *m_current = nullptr;
    std::vector<BatchExportSummary::File> m_files;
    qint64 m_requests = 0;
};

// Writes `path` when every pending request fits the limits, else shards batchShardPath(path, 1),
// (path, 2), ... each within them, filled in id order; all published together (OutputSet), or
// nothing. Errors: one request line alone larger than limits.maxBytes (BadInput, naming the item
// and its source line, before anything is written); an output that names the queue's database
// (or its -wal/-shm/-journal) or one of its imported sources (BadInput); a failed write (Io).
// Each body is shaped by `profile` (applyModelProfile: what the model is known to refuse is left
// out, the run's temperature and reasoning effort put in), so offline lines do not fail where
// live requests learned not to. Keeps whether log-probs were asked for in the queue
// (kBatchLogprobsProperty) for importBatchResults; a queue that cannot take it (read-only) still
// exports, with a warning.
Result<BatchExportSummary> exportBatchRequests(QueueStore &store, const Criteria &criteria,
                                               const QString &model, const QString &path,
                                               bool withLogprobs = true,
                                               const ModelProfile &profile = ModelProfile(),
                                               const BatchFileLimits &limits = {});

struct BatchImportSummary {
    qint64 lines = 0;
    qint64 assessed = 0;  // results recorded as assessments
    // Results recorded as the item's error: an HTTP error, a refusal, truncation, bad JSON, a
    // score out of range, invalid log-probs, a line that is not a valid result
    // (ResponseError::MalformedResult) or a score the queue refuses (ResponseError::InvalidScore).
    qint64 errors = 0;
    qint64 notPending = 0;  // custom_id of an item already assessed or in error: left as it is
    qint64 unknown = 0;  // custom_id that names no item of this queue
    qint64 malformed = 0;  // lines that name no item (no readable custom_id)
    qint64 files = 0;
    // Assessed although log-probs were asked for, with the integer the model wrote, by the code
    // of their note (LogprobNote in assessment.h).
    qint64 withoutLogprobs = 0;
    QMap<QString, qint64> withoutLogprobsByReason;
    // The first kMaxListedProblems of the unknown, malformed and ResponseError::MalformedResult
    // lines, as FILE:LINE:COLUMN: reason.
    QStringList problems;
    static constexpr int kMaxListedProblems = 100;
    QJsonObject toJson() const;
};

// Every request's custom_id is this prefix and the item's id.
inline constexpr char kBatchCustomIdPrefix[] = "item-";
// The queue property that says whether the last batch export asked for log-probs: "true", or
// why not, as a LogprobStatus ("not_requested", "not_allowed": the model's profile refuses
// them); "false" (older exports) reads as "not_requested". Results of an export that asked are
// noted when they come without (LogprobNote::kNotReturned); those of one that did not get the
// status (QueueItem::logprobStatus), as live runs record them.
inline constexpr char kBatchLogprobsProperty[] = "batch_logprobs";

// Why a result line failed, as importBatchResults records it: an error, a non-2xx status, or no
// response (code and the server's message, never empty); nothing when it holds a response body
// to read. For other importers of result files (bpb batch-import).
struct BatchResultFailure {
    QString code;
    QString message;
};
std::optional<BatchResultFailure> batchResultFailure(const QJsonObject &result);

// Scores are the LLM's own (the local assessors are for live runs). Committed line by line. One
// bad line never stops the import: it becomes its item's error (when it names one) or a counted
// problem; a rerun skips what is recorded (not pending). Several files (the shards' results) are
// read one after the other, in any order; every file is opened before anything is recorded.
// Errors: an unreadable file (BadInput), a database failure (Internal).
Result<BatchImportSummary> importBatchResults(QueueStore &store, const QStringList &paths);
Result<BatchImportSummary> importBatchResults(QueueStore &store, const QString &path);

}  // namespace pcs
