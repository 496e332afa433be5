#pragma once

#include "common/error.h"
#include "common/result.h"
#include "review/assessment.h"
#include "review/criteria.h"
#include "review/decision.h"
#include "review/llmclient.h"
#include "review/localassessors.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>
#include <set>

namespace pcs {

class QueueStore;

struct ReviewRunOptions {
    bool revise = false;  // ask the LLM to rewrite the texts whose decision is revise
    bool reassessRevisions = false;  // then assess each rewrite and keep its score
    bool withLogprobs = true;  // ask for logprobs (servers that lack them simply omit them)
    int lookahead = 0;  // items handed to the client ahead of its slots; 0 = 4 × concurrency
    ScoreCombination combination;
    std::shared_ptr<const RuleAssessor> rules;
    std::shared_ptr<const FastTextAssessor> fastText;
};

struct ReviewRunSummary {
    qint64 assessed = 0;  // this run
    qint64 errors = 0;  // items that ended in the error state this run (with their reason)
    QMap<QString, qint64> errorCodes;  // those errors by code
    qint64 revised = 0;
    qint64 revisionErrors = 0;  // rewrites that failed: the item keeps its assessment
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    int retries = 0;
    double seconds = 0;
    bool canceled = false;
    // Stopped because every request would fail alike (a key refused, no quota, no such model, a
    // parameter the model refuses that cannot be left out, a redirect not followed): the items
    // not answered stay pending, their claims released. Said once, with the server's reason.
    bool paused = false;
    QString pauseCode;
    QString pauseReason;
    QStringList adaptations;  // what the model profile learned this run, in order
    QString modelProfile;  // ModelProfile::summary() at the end
    int adaptiveResends = 0;  // requests sent again with an adapted profile
    int concurrency = 0;  // as configured
    int lowestConcurrency = 0;  // as rate-limit headers and 429s lowered it
    // Items of a run that wanted log-probs whose score is still the bare integer the model
    // wrote, by reason: "not_allowed" (LogprobStatus: the model refuses them) or the code of
    // their note (LogprobNote in assessment.h).
    qint64 withoutLogprobs = 0;
    QMap<QString, qint64> withoutLogprobsByReason;
};

// Works through the pending items of a queue: sends each text to the LLM assessor (with the
// local assessors' scores combined as chosen), records every result or error the moment it
// arrives, and optionally has the LLM revise texts that need it. Resumable by construction:
// only items still pending are sent, so a run killed at any point continues where the
// committed results end. Runs in the thread of the client's event loop.
//
// The first request goes out alone, and the rest follow once it is answered: what the model
// refuses is learned (see LlmClient) with one request in flight, and a failure that hits every
// request (fatal: a key refused, no quota, no such model…) pauses the run after that one.
//
// One run per queue at a time: start() needs the store to hold the queue's run lease
// (QueueStore::acquireRunLease). The runner claims each item in the transaction that picks it,
// keeps the lease's heartbeat fresh while it runs, gives back the claims of canceled requests,
// and releases the lease when the run ends (finished, stopped or failed).
class ReviewRunner : public QObject {
    Q_OBJECT
public:
    ReviewRunner(QueueStore &store, LlmClient &client, Criteria criteria, ReviewRunOptions options,
                 QObject *parent = nullptr);

    void start();
    void stop();  // cancels what is in flight; those items stay pending for the next run

Q_SIGNALS:
    void progress(qint64 done, qint64 total);
    void finished(const pcs::ReviewRunSummary &summary);
    void failed(const pcs::Error &error);  // the store failed: the run stops

private:
    enum class Kind : quint64 { Assess = 0, Revise = 1, Reassess = 2 };
    static quint64 tagFor(qint64 id, Kind kind) { return (quint64(id) << 2) | quint64(kind); }

    void fill();
    void onResponse(const ChatResponse &response);
    void handleAssessment(qint64 id, const ChatResponse &response);
    void handleRevision(qint64 id, const ChatResponse &response);
    void handleReassessment(qint64 id, const ChatResponse &response);
    // Combines the LLM's score with the local ones and records the assessment (or an error
    // when the combination has nothing to combine), then asks for a revision if wanted.
    void recordScores(qint64 id, std::optional<double> llmScore, const QString &reasoning,
                      std::optional<double> coverage, int attempts, const QString &requestId = {},
                      const QString &logprobStatus = {}, const QString &logprobNote = {});
    void pauseOn(qint64 id, Kind kind, const ChatResponse &response);
    // LogprobStatus of an answer: why its request asked for no log-probs; empty when it did.
    QString logprobStatusOf(const ChatResponse &response) const;
    void fail(const Error &error);
    void finishIfDone();
    Status endRun();  // stops the heartbeat; releases the lease with its remaining claims

    QueueStore &m_store;
    LlmClient &m_client;
    Criteria m_criteria;
    ReviewRunOptions m_options;
    Thresholds m_thresholds;
    qint64 m_lastQueuedId = 0;
    bool m_exhausted = false;
    bool m_stopping = false;
    bool m_done = false;
    bool m_probing = true;  // nothing answered yet: one request at a time
    std::set<quint64> m_outstanding;  // tags sent and not answered
    QHash<qint64, QString> m_texts;  // of the items in flight
    QHash<qint64, QString> m_revisedTexts;  // awaiting their reassessment
    qint64 m_total = 0;
    qint64 m_completed = 0;
    ReviewRunSummary m_summary;
    QElapsedTimer m_clock;
    QTimer m_heartbeat;
};

}  // namespace pcs

Q_DECLARE_METATYPE(pcs::ReviewRunSummary)
