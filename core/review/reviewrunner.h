#pragma once

#include "core/common/error.h"
#include "core/common/result.h"
#include "core/review/assessment.h"
#include "core/review/assessmentrecorder.h"
#include "core/review/criteria.h"
#include "core/review/decision.h"
#include "core/review/llmclient.h"
#include "core/review/localassessors.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

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

// What a run has done so far (ReviewRunner::progress).
struct RunProgress {
    qint64 done = 0;  // items of this run recorded (assessed or failed)
    qint64 total = 0;  // pending when it started
    qint64 errors = 0;  // of those done, the items that ended in the error state
    qint64 promptTokens = 0;  // spent by this runner's requests so far
    qint64 completionTokens = 0;
    double itemsPerSecond = 0;  // done / seconds since the start
};

// Works through the pending items of a queue: sends each text to the LLM assessor (with the
// local assessors' scores combined as chosen), records every result or error the moment it
// arrives, and optionally has the LLM revise texts that need it. Resumable by construction:
// only items still pending are sent, so a run killed at any point continues where the
// committed results end. Runs in the thread of the client's event loop.
//
// The only code that turns the assessor's answers into records (through AssessmentRecorder):
// a run's items, and the one-off requests — reassess or revise items (submit), and "try these
// criteria on this text" (tryText), which records nothing — with the same assessors and
// combination. Every record is announced with itemRecorded, after it is committed.
//
// The first request of a run goes out alone, and the rest follow once it is answered: what the
// model refuses is learned (see LlmClient) with one request in flight, and a failure that hits
// every request (fatal: a key refused, no quota, no such model…) pauses the run after that one.
//
// One run per queue at a time: start() needs the store to hold the queue's run lease
// (QueueStore::acquireRunLease). The runner claims each item in the transaction that picks it,
// keeps the lease's heartbeat fresh while it runs, gives back the claims of canceled requests,
// and releases the lease when the run ends (finished, stopped or failed). One-off requests need
// no lease and never pause: their failures are recorded like any answer.
class ReviewRunner : public QObject {
    Q_OBJECT
public:
    // What a one-off request asks for an item.
    enum class Request { Reassess, Revise };

    ReviewRunner(QueueStore &store, LlmClient &client, Criteria criteria, ReviewRunOptions options,
                 QObject *parent = nullptr);

    void start();
    void stop();  // cancels what is in flight; those items stay pending for the next run
    bool isRunning() const { return m_running && !m_done; }

    // One-off requests for these items (reassess: the result replaces the old one; revise: a
    // rewrite with the item's reasoning), answered by itemRecorded. Errors: an unknown item (none
    // is sent then).
    Status submit(const QList<qint64> &ids, Request request);
    // One text through the assessors with `criteria` (which need not be saved): answered by
    // tried, nothing recorded.
    void tryText(const Criteria &criteria, const QString &text);
    // The criteria of the requests sent from now on (a one-off runner follows the saved ones).
    void setCriteria(Criteria criteria) { m_criteria = std::move(criteria); }

Q_SIGNALS:
    void progress(const pcs::RunProgress &progress);
    // Recorded for item `id` (by a run or a one-off request), after the commit.
    void itemRecorded(qint64 id, const pcs::RecordedItem &recorded);
    void tried(const pcs::AssessmentOutcome &outcome);
    // The model refused something and the client adapted: the profile is stored in the queue.
    void modelProfileLearned(const QString &adaptation);
    void finished(const pcs::ReviewRunSummary &summary);
    void failed(const pcs::Error &error);  // the store failed: the run stops
    // A one-off request's result could not be stored (the store failed).
    void requestFailed(const pcs::Error &error);

private:
    enum class Kind { Assess, Revise, ReassessRevision, OneOffAssess, OneOffRevise, Try };
    struct InFlight {
        qint64 id = 0;
        Kind kind = Kind::Assess;
        QString text;  // the item's (a rewrite's, for ReassessRevision)
        Revision revision;  // awaiting its reassessment
    };
    static bool isRunKind(Kind kind) { return kind <= Kind::ReassessRevision; }

    void send(InFlight request, const QJsonObject &body);
    void fill();
    void onResponse(const ChatResponse &response);
    void handleAssessment(const InFlight &request, const ChatResponse &response);
    void handleRevision(InFlight request, const ChatResponse &response);
    void handleReassessment(const InFlight &request, const ChatResponse &response);
    void handleOneOff(const InFlight &request, const ChatResponse &response);
    // A run's assessment, recorded: counts it, reports it, asks for a revision if wanted.
    void afterRunAssessment(const InFlight &request, const AssessmentOutcome &outcome);
    void reportProgress();
    void pauseOn(const InFlight &request, const ChatResponse &response);
    void fail(const Error &error);
    void finishIfDone();
    Status endRun();  // stops the heartbeat; releases the lease with its remaining claims

    QueueStore &m_store;
    LlmClient &m_client;
    Criteria m_criteria;
    ReviewRunOptions m_options;
    AssessmentRecorder m_recorder;
    Thresholds m_thresholds;
    qint64 m_lastQueuedId = 0;
    bool m_running = false;  // start() was called
    bool m_exhausted = false;
    bool m_stopping = false;
    bool m_done = false;
    bool m_probing = true;  // nothing answered yet: one request at a time
    QHash<quint64, InFlight> m_inFlight;  // by tag: sent and not answered
    qsizetype m_runInFlight = 0;  // of those, the run's
    quint64 m_nextTag = 1;
    qint64 m_total = 0;
    qint64 m_completed = 0;
    ReviewRunSummary m_summary;
    QElapsedTimer m_clock;
    QTimer m_heartbeat;
};

}  // namespace pcs

Q_DECLARE_METATYPE(pcs::ReviewRunSummary)
Q_DECLARE_METATYPE(pcs::RunProgress)
