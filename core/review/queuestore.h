#pragma once

#include "common/result.h"
#include "common/taskcontrol.h"
#include "review/decision.h"

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

class QSqlQuery;

namespace pcs {

// One document of a review project: where it came from, what the assessors said and what was
// decided. States: "pending" (not assessed yet), "assessed", "error" (assessment failed; never a
// score, never "keep"). Decisions: "keep", "revise", "filter"; empty = none.
struct QueueItem {
    qint64 id = 0;
    QString sourceFile;  // absolute path at import time
    QString sourceSha256;
    qint64 sourceLine = 0;  // 1-based
    QString record;  // the original JSON line, unchanged
    QString text;  // the record's text field at import time
    QString state;
    std::optional<double> llmScore;
    QString llmReasoning;
    std::optional<double> logprobCoverage;
    std::optional<double> ruleScore;
    std::optional<double> fastTextScore;
    std::optional<double> score;  // the combined score the decisions are derived from
    QString autoDecision;
    QString humanDecision;
    QString revisedText;  // empty = no revision
    std::optional<double> revisedScore;
    QString editedText;  // the reviewer's own text; empty = not edited
    QString error;
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

    // The human decision when set, else the automatic one (empty while pending or in error).
    QString finalDecision() const { return humanDecision.isEmpty() ? autoDecision : humanDecision; }
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
    QString state;  // only items in this state; empty = all
    QString decision;  // only items with this final decision; "none" = without one; empty = all
    QString textSearch;  // only items whose text contains this (ASCII case-insensitive)
    std::optional<double> minScore;  // only items scored at least this (inclusive)
    std::optional<double> maxScore;  // only items scored at most this (inclusive)
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

// The review queue of one project: a SQLite database file (Qt Sql, driver QSQLITE) holding every
// imported document with its assessment and decisions. Each instance owns its own connection,
// so several stores (even on the same file) may coexist; one instance is used from one thread.
//
// Durability: the database runs in WAL mode with synchronous=NORMAL. Every committed transaction
// is in the WAL file once the commit returns, so killing the process never loses or corrupts a
// committed result; only a power loss or OS crash may lose the last few commits (never corrupt).
class QueueStore {
public:
    // Creates the database (and its schema) or opens an existing one, migrating an older schema
    // in place. Opening a current queue writes nothing (readers never wait for the write lock).
    // Errors: not a database or damaged (BadInput), written by a newer version (BadInput), a full
    // disk, a read-only file or folder or another I/O failure, said as such (Internal).
    static Result<std::unique_ptr<QueueStore>> open(const QString &path);
    ~QueueStore();
    QueueStore(const QueueStore &) = delete;
    QueueStore &operator=(const QueueStore &) = delete;

    const QString &path() const { return m_path; }

    // Adds every line of a JSONL file (plain, .gz or .zst) as a pending item, keyed by the file's
    // SHA-256 and line number: importing the same content twice adds nothing. Malformed lines are
    // counted and skipped. Commits every kImportBatchRows rows, so a canceled or failed import
    // keeps the rows committed so far (a rerun adds the rest).
    // Errors: unreadable or corrupt file (BadInput), database failure (Internal), Canceled.
    Result<ImportSummary> importJsonl(const QString &path, const QString &textField,
                                      const TaskControl &control = TaskControl::none());

    // Pending items with id > afterId, by id (claimed ones included).
    Result<std::vector<QueueItem>> pending(int limit, qint64 afterId = 0);

    // The run lease (see RunLease). acquireRunLease takes the lease when it is free or stale (its
    // holder on this host is gone, or its heartbeat is older than staleAfterMs), releasing every
    // claim of the stale run so that its items are sent again; else it answers who holds it.
    // Holding it already answers acquired. The lease is released by releaseRunLease (with the
    // claims still held) or when this store is destroyed; a killed process leaves it stale.
    Result<RunLeaseAttempt> acquireRunLease(qint64 staleAfterMs = kRunLeaseStaleMs);
    // Refreshes the heartbeat (a beat that finds the queue locked beyond the busy timeout is
    // skipped). Errors: the lease was taken over meanwhile (Internal).
    Status refreshRunLease();
    Status releaseRunLease();
    // This store took the lease and has not released it (refreshRunLease tells whether another
    // run took it over since).
    bool holdsRunLease() const { return !m_leaseId.isEmpty(); }
    // The lease as stored (held by any process), if any.
    Result<std::optional<RunLease>> currentRunLease();
    // Claims up to `limit` pending unclaimed items with id > afterId (by id) for this store's
    // lease, in the transaction that picks them: no other run can pick them until they are
    // recorded (recordAssessment/recordError clear the claim) or released. Needs the lease.
    Result<std::vector<QueueItem>> claimPending(int limit, qint64 afterId = 0);
    // Gives a claimed item back (a canceled request): it stays pending.
    Status releaseClaim(qint64 id);

    // PRAGMA quick_check: BadInput naming SQLite's first complaint when the file is damaged.
    Status quickCheck();
    Result<QueueItem> item(qint64 id);

    // Marks the item assessed and derives its automatic decision from the current thresholds
    // (and clears its claim). Committed when it returns. Errors: no such item or a non-finite
    // score (BadInput).
    Status recordAssessment(qint64 id, const AssessmentRecord &assessment);
    // Marks the item failed: no score, no automatic decision (and clears its claim).
    // `requestId`: the server's x-request-id of the failed request, if it sent one.
    Status recordError(qint64 id, const QString &errorCode, const QString &message, int attempts,
                       const QString &requestId = {});
    // Stores a revised text (and its score, when it was rescored).
    Status recordRevision(qint64 id, const QString &revisedText,
                          std::optional<double> revisedScore);
    // decision: keep, revise, filter, or empty to clear (which also clears the edited text).
    // editedText: the reviewer's replacement text; empty = none.
    Status setHumanDecision(qint64 id, const QString &decision, const QString &editedText = {});

    // Stores the thresholds and re-derives the automatic decision of every assessed item at once.
    // Errors: outside 0 <= revise <= filter <= 100 (BadInput; see Thresholds::validate).
    Status setThresholds(double filter, double revise);
    Result<Thresholds> thresholds();

    // Puts failed items back to pending, so that the next run retries them.
    Status resetErrors();

    // Named values of the project (e.g. "criteria": the criteria JSON the queue is assessed
    // with, so offline batch files need not name it again). Empty when unset.
    Status setProperty(const QString &key, const QString &value);
    Result<QString> property(const QString &key);
    // The properties whose key starts with `prefix`, by key.
    Result<QList<QPair<QString, QString>>> propertiesWithPrefix(const QString &prefix);

    // One page in the query's order. OFFSET paging: fine at any depth up to ~1M items (see the
    // benchmark); pageAfter() is the constant-time alternative for scrolling on.
    Result<std::vector<QueueItem>> page(const PageQuery &query);
    // The page that follows `last` (the final item of the previous page) in the query's order;
    // query.offset is ignored (keyset pagination).
    Result<std::vector<QueueItem>> pageAfter(const PageQuery &query, const QueueItem &last);
    // Items matching the query's filters.
    Result<qint64> count(const PageQuery &filterOnly);

    // {"items", "run": {pid, host, started_at, heartbeat_at} or null (the run lease),
    //  "states": {pending, assessed, error}, "auto_decisions": {keep, revise, filter},
    //  "human_decisions": {...}, "final_decisions": {...}, "thresholds": {filter, revise},
    //  "scored_without_logprobs": {"items": N, "reasons": {code: count}} (assessed items whose
    //  run wanted log-probs but whose score is the bare integer: logprob_status "not_allowed" or
    //  a logprob_note, by its code), "sources": [{path, sha256, imported_at}]}
    Result<QJsonObject> status();

    // Writes the curated JSONL (final decision keep or revise, by id), the dropped JSONL (final
    // decision filter) and the decision log CSV (every item: score, decisions, who decided, where
    // the text came from, where the item went); dropped/log paths may be empty. An item whose
    // text is unchanged is its stored input line byte for byte. A revised or edited item is that
    // line with only the text field's value replaced and the old value appended as
    // "original_text" ("pcstudio_original_text" when the record has its own "original_text").
    // No record is ever re-parsed or re-serialised, so an odd record never fails the export: one
    // that cannot take its new text is left out and listed (ExportSummary::failed). Pending and
    // failed items are never exported; "revise" without a revision follows `reviseMissing`.
    // The files are published together (OutputSet): all or none. An output path naming an
    // imported source file is refused (BadInput), so inputs are never overwritten.
    // Errors: database failure (Internal), a write that fails (Io).
    Result<ExportSummary> exportCurated(const QString &curatedPath, const QString &droppedPath,
                                        const QString &logPath, const QString &textField,
                                        ReviseMissingPolicy reviseMissing
                                        = ReviseMissingPolicy::Hold);

    // Counts by the stored decisions.
    Result<QueueCounts> counts();
    // Counts as they would be with `candidate` thresholds, without writing anything: the live
    // preview of a threshold change. Index-only ranges on the score, plus the (few) items with a
    // human decision; relies on items having a score exactly when assessed.
    Result<QueueCounts> countsFor(const Thresholds &candidate);
    // Assessed items per score bin: `bins` equal bins over [0, 100] (100 falls in the last).
    Result<std::vector<qint64>> scoreHistogram(int bins);

    // Sets `decision` (keep, revise, filter; empty clears, with the edited text) on every item
    // matching the query's filters (and with score < scoreBelow, when given), in one
    // transaction. A non-empty decision keeps each item's edited text. Returns the items as they
    // were, for restoreHumanDecisions().
    Result<std::vector<QueueItem>>
    setHumanDecisions(const PageQuery &filter, const QString &decision,
                      std::optional<double> scoreBelow = std::nullopt);
    // Puts human_decision, edited_text and decided_at back exactly as in `before`, in one
    // transaction (undo). Errors: an item that no longer exists (nothing is changed).
    Status restoreHumanDecisions(const std::vector<QueueItem> &before);

    static constexpr int kImportBatchRows = 50000;
    // 2: run lease (table run_lease) and item claims (items.claimed_by, claimed_at).
    // 3: items.logprob_note. 4: items.request_id and items.logprob_status. Older queues are
    // migrated in place when opened.
    static constexpr int kSchemaVersion = 4;
    static constexpr qint64 kRunLeaseStaleMs = 60000;
    static constexpr int kRunLeaseHeartbeatMs = 5000;

private:
    QueueStore(QString path, QString connectionName);
    Status initialize();
    Status createOrMigrateSchema();
    Status exec(const QString &sql);
    Status beginTransaction();
    Error databaseError(const QString &what, const QSqlQuery &query) const;
    Status requireChanged(const QSqlQuery &query, qint64 id) const;

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
    std::unique_ptr<QSqlQuery> m_recordAssessment;  // prepared once: the runner's hot path
    QString m_leaseId;  // the run lease this store holds; empty = none
};

}  // namespace pcs
