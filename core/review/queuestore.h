#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/review/queueitem.h"

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QVariantList>

#include <memory>
#include <optional>
#include <vector>

class QSqlQuery;

namespace pcs {

// The review queue of one project: a SQLite database file (Qt Sql, driver QSQLITE) holding every
// imported document with its assessment and decisions. Each instance owns its own connection,
// so several stores (even on the same file) may coexist; one instance is used from one thread.
//
// Durability: the database runs in WAL mode with synchronous=NORMAL. Every committed transaction
// is in the WAL file once the commit returns, so killing the process never loses or corrupts a
// committed result; only a power loss or OS crash may lose the last few commits (never corrupt).
class QueueStore final {
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
    // `idField`: the field holding the record's own id, kept as QueueItem::sourceId (a string
    // as it is, a number as its JSON text); empty = none.
    Result<ImportSummary> importJsonl(const QString &path, const QString &textField,
                                      const TaskControl &control = TaskControl::none(),
                                      const QString &idField = {});

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
    // The counts the status prints, checked against the items themselves: every state and human
    // decision tally against a count over its index (read whole, so a damaged page of those
    // indexes is found too). BadInput naming the first disagreement. Reads narrow indexes only,
    // never the rows: a fraction of quickCheck()'s cost, which reads the whole file.
    Status checkTallies();
    Result<QueueItem> item(qint64 id);

    // Marks the item assessed (and clears its claim); its automatic decision follows from the
    // score and the thresholds whenever it is read. Committed when it returns. Errors: no such item
    // or a non-finite score (BadInput).
    Status recordAssessment(qint64 id, const AssessmentRecord &assessment);
    // Marks the item failed: no score, so no automatic decision (and clears its claim).
    // `requestId`: the server's x-request-id of the failed request, if it sent one.
    Status recordError(qint64 id, const QString &errorCode, const QString &message, int attempts,
                       const QString &requestId = {});
    // Stores a revised text (and its score, when it was rescored), with the critique that
    // explains it (empty = none).
    Status recordRevision(qint64 id, const QString &revisedText, std::optional<double> revisedScore,
                          const QString &critique = {});
    // decision: none clears (which also clears the edited text).
    // editedText: the reviewer's replacement text; empty = none.
    Status setHumanDecision(qint64 id, std::optional<Decision> decision,
                            const QString &editedText = {});

    // Stores the thresholds: one row; every automatic decision follows when next read.
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

    // Counts by state and by final decision under the stored thresholds.
    Result<QueueCounts> counts();
    // Counts as they would be with `candidate` thresholds, without writing anything: the live
    // preview of a threshold change. Exact, from tallies the queue keeps as items change (a
    // histogram keyed by the exact score of the items without a human decision, plus integer
    // bands of it), so its cost does not grow with the items.
    Result<QueueCounts> countsFor(const Thresholds &candidate);
    // Assessed items per score bin: `bins` equal bins over [0, 100] (100 falls in the last).
    Result<std::vector<qint64>> scoreHistogram(int bins);

    // Sets `decision` (none clears, with the edited text) on every item matching the query's
    // filters, in one transaction holding one statement for the change; the decisions as they
    // were are kept in the queue as one undo step (undoDecisions). A decision keeps each item's
    // edited text. Items it would not change are left alone.
    Result<DecisionBatch> decideMatching(const PageQuery &filter, std::optional<Decision> decision);
    // "Accept everything below": keep on every assessed item without a human decision scored
    // below `score`; "filter everything above": filter on those scored above it.
    Result<DecisionBatch> acceptBelow(double score);
    Result<DecisionBatch> filterAbove(double score);
    // Puts back exactly the human decisions, edited texts and decision times a batch replaced,
    // in one transaction, and forgets the step. Errors: an unknown (or already undone) step.
    Status undoDecisions(qint64 undoStep);
    // Puts human_decision, edited_text and decided_at back exactly as in `before`, in one
    // transaction (the undo of single decisions). Errors: an item that no longer exists
    // (nothing is changed).
    Status restoreHumanDecisions(const std::vector<QueueItem> &before);

    static constexpr int kImportBatchRows = 50000;
    // 2: run lease (table run_lease) and item claims (items.claimed_by, claimed_at).
    // 3: items.logprob_note. 4: items.request_id and items.logprob_status. 5: automatic
    // decisions derived when read (items.auto_decision dropped), tallies and the score
    // histogram kept by triggers, undo steps, items.source_id. 6: items.revision_critique, the
    // decision indexes (items_decided, items_id_decided, items_logprob_not_allowed) and
    // scored_bands. Older queues are migrated in place when opened.
    static constexpr int kSchemaVersion = 7;
    // The page size of a new queue's file (SQLite's default is 4096).
    static constexpr int kPageBytes = 16384;
    // Undo steps kept for decideMatching (the oldest are forgotten).
    static constexpr int kUndoSteps = 20;
    static constexpr qint64 kRunLeaseStaleMs = 60000;
    // Pages sorted by score start at their score band from this offset on (see readPage).
    static constexpr qint64 kBandSkipOffset = 1000;
    static constexpr int kRunLeaseHeartbeatMs = 5000;

private:
    QueueStore(QString path, QString connectionName);
    Status initialize();
    Status createOrMigrateSchema();
    Status exec(const QString &sql);
    // Inside a write transaction: drops the tally triggers, and creates them again. A bulk
    // write (import, batch, undo) runs between the two and updates the tallies itself.
    Status pauseTallyTriggers();
    Status resumeTallyTriggers();
    // Inside a write transaction, before the change: the tallies of the items of undo step
    // `step` (undo_items) as they will be once each takes the human decision `newDecisionSql`
    // (an SQL expression over undo_items AS u: a literal, or u.human_decision for an undo).
    Status applyDecisionTallies(qint64 step, const QString &newDecisionSql);
    Error databaseError(const QString &what, const QSqlQuery &query) const;
    Status requireChanged(const QSqlQuery &query, qint64 id) const;
    // Up to `limit` items of the query's filters, in its order (not by decision), after
    // `offset` rows, among those matching `afterWhere` (SQL over items, with `afterBinds`; empty
    // = all): the one read behind page() and pageAfter().
    Result<std::vector<QueueItem>> readPage(const PageQuery &query, const QString &afterWhere,
                                            const QVariantList &afterBinds, int limit,
                                            qint64 offset);
    // The scored items of a page query's filters by integer score band, in the page's order,
    // and how many match without a score; nullopt when the tallies cannot tell (a text search,
    // a score range, ...). Read inside the caller's snapshot.
    struct ScoreBands {
        std::vector<std::pair<qint64, qint64>> bands;  // band, items
        qint64 scored = 0;
        qint64 unscored = 0;
    };
    Result<std::optional<ScoreBands>> scoreBands(const PageQuery &query,
                                                 const Thresholds &thresholds);

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
    std::unique_ptr<QSqlQuery> m_recordAssessment;  // prepared once: the runner's hot path
    QString m_leaseId;  // the run lease this store holds; empty = none
};

}  // namespace pcs
