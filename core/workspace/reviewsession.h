#pragma once

#include "core/common/result.h"
#include "core/review/apikey.h"
#include "core/review/criteria.h"
#include "core/review/decision.h"
#include "core/review/keysettings.h"
#include "core/review/llmclient.h"
#include "core/review/queuestore.h"
#include "core/review/reviewproject.h"
#include "core/review/reviewrunner.h"

#include <QObject>

#include <memory>
#include <optional>

namespace pcs {

// Live counts for the thresholds panel and the progress line.
struct ReviewCounts {
    qint64 total = 0;
    qint64 pending = 0;
    qint64 assessed = 0;
    qint64 errors = 0;
    qint64 keep = 0;  // by final decision (human if set, else automatic)
    qint64 revise = 0;
    qint64 filter = 0;
    qint64 humanDecided = 0;  // items with a human decision
};

// The review stage's model of one project (a queue file), thin over the engine the CLI uses too:
// it owns the ReviewProject (the store connection used on the GUI thread, the criteria and the
// settings, loaded and saved there only), hands the project's settings to a ReviewRunner for
// runs and one more for one-off requests (reassess, revise, try), and forwards what they report.
// It applies human decisions one by one or in batches (each committed at once), and does the slow
// whole-queue work (thresholds over a million items, exports) on a worker thread with its own
// connection. Widget-free; the UI adds undo on top of setHumanDecision (which returns the
// previous state so it can be restored).
class ReviewSession final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReviewSession)
public:
    explicit ReviewSession(QObject *parent = nullptr);
    ~ReviewSession() override;

    // Opens (or creates) a project. Errors: not a queue, a newer format.
    Status open(const QString &queuePath);
    void close();
    bool isOpen() const { return m_project != nullptr; }
    QString queuePath() const;
    QueueStore *store() const { return m_project ? &m_project->store() : nullptr; }  // for models
    ReviewProject *project() const { return m_project.get(); }

    // Criteria and settings live in the queue file (ReviewProject).
    Result<Criteria> criteria() const;
    // Whether criteria were ever stored (a new project has none: the page offers the bundled).
    bool hasCriteria() const;
    Status setCriteria(const Criteria &criteria);
    // The stored settings; defaults when none are stored or they cannot be read (startRun then
    // says why).
    ReviewProjectSettings settings() const;
    // An endpoint given with credentials (https://user:key@host/v1) is stored without them; they
    // stay in memory as its key for this session (hasSessionCredentials).
    Status setSettings(const ReviewProjectSettings &settings);

    // The key of the configured endpoint: which variable holds it and whether it may go over
    // plain HTTP, kept in the project per endpoint (review/keysettings.h); never the key itself.
    Result<EndpointKeySettings> endpointKeySettings() const;
    Status setEndpointKeySettings(const EndpointKeySettings &settings);
    bool hasSessionCredentials() const;
    // What to resolve the key with (resolveEndpoint, off the GUI thread: see KeyResolver): the
    // endpoint, with this session's credentials when it has some, and the kept options.
    struct KeyRequest {
        QString url;
        KeyOptions options;
    };
    Result<KeyRequest> keyRequest() const;

    // Imports JSONL files in the background (progress; cancel).
    Status importFiles(const QStringList &paths);

    // Assessment run over the pending items (and the errors again, with retryErrors). Takes the
    // queue's run lease: while another run (any process) holds it, fails with
    // "queue is being run by PID … on HOST since …"; a stale one is taken over (runNote).
    // The run is going on (isRunning) from here; its first requests wait for the key, resolved
    // on a worker thread. A key that cannot be had or must not go there ends it with runFailed.
    Status startRun(bool retryErrors = false);
    void pauseRun();
    // Resumes a paused run; after a run that paused itself because every request would fail
    // (pauseReason), starts a new one over what is pending (the key is looked up again).
    void resumeRun();
    void cancelRun();  // in-flight items stay pending
    bool isRunning() const;
    bool isPaused() const;
    // Why the last run paused itself ("insufficient_quota: HTTP 429 …"); empty when it did not,
    // and again once a run starts.
    QString pauseReason() const;
    // What the project's model is known to refuse (learned by runs, kept in the queue).
    ModelProfile modelProfile() const;

    // One text through the assessor with the given (unsaved) criteria: the editor's "try on this
    // text". Answers with tryFinished.
    Status tryCriteria(const Criteria &criteria, const QString &text);

    // Human decisions, committed at once; none clears.
    // Returns the item as it was, so an undo command can put it back.
    Result<QueueItem> setHumanDecision(qint64 id, std::optional<Decision> decision,
                                       const QString &editedText = {});
    // Keep on every assessed item without a human decision scored below `score` / filter on
    // those above it: one transaction, undone as one step by undoDecisions.
    Result<DecisionBatch> acceptBelow(double score);
    Result<DecisionBatch> filterAbove(double score);
    Status undoDecisions(const DecisionBatch &batch);
    // Restores items exactly as they were (undo of the above).
    Status restoreDecisions(const std::vector<QueueItem> &before);
    // Sends one item to the assessor again (its result replaces the old one).
    Status reassess(qint64 id);
    // Asks the LLM for a rewrite of one item now.
    Status requestRevision(qint64 id);

    // Thresholds: counts for a candidate pair without changing anything (live preview), and the
    // change itself, re-deriving every automatic decision in the background.
    Result<ReviewCounts> countsFor(const Thresholds &candidate) const;
    Status setThresholds(const Thresholds &thresholds);
    Result<Thresholds> thresholds() const;
    Result<ReviewCounts> counts() const;
    // Score histogram of the assessed items, `bins` equal bins over [0, 100].
    Result<std::vector<qint64>> scoreHistogram(int bins = 50) const;

    // Exports in the background (exportFinished/Failed).
    Status exportCurated(const QString &curatedPath, const QString &droppedPath,
                         const QString &logPath);
    Status exportBatchRequests(const QString &path);

    bool isBusy() const;  // importing, exporting or re-deriving (not the assessment run)
    // Stops the task going on; it ends with taskFailed(canceled). An import stops at its next
    // batch and keeps those committed. A re-derivation or an export, which the store cannot
    // interrupt yet, runs to its end and is reported canceled all the same (what it wrote stays;
    // exports are written atomically, so never a partial file).
    void cancelTask();
    void waitForIdle();

Q_SIGNALS:
    void itemsChanged();  // imported or re-derived: views reload
    void itemUpdated(qint64 id);  // an assessment, error or revision arrived; a decision was set
    // What a run or a one-off request recorded for the item (ReviewRunner::itemRecorded).
    void itemRecorded(qint64 id, const pcs::RecordedItem &recorded);
    void runProgress(qint64 done, qint64 total, double requestsPerSecond, qint64 promptTokens,
                     qint64 completionTokens, qint64 errors);
    void runProgressed(const pcs::RunProgress &progress);  // the same, as the runner's struct
    void runStateChanged();  // started, paused, resumed, finished, canceled
    void runFinished(const pcs::ReviewRunSummary &summary);
    void runFailed(const pcs::Error &error);
    void runNote(const QString &message);  // e.g. a stale run lease was taken over
    // The run stopped because every request would fail alike; what was not answered is pending.
    void runPaused(const QString &reason);
    void modelProfileChanged();  // a request taught the profile something (modelProfile())
    void tryFinished(const QString &reasoning, std::optional<double> score,
                     const QString &errorCode);
    void busyChanged(bool busy);
    void progressChanged(int permille, const QString &activity);
    void importFinished(const pcs::ImportSummary &summary);
    void exportFinished(const QString &description);
    void taskFailed(const pcs::Error &error);

private:
    // The one-item request behind reassess and requestRevision.
    Status submitForItem(qint64 id, ReviewRunner::Request request);
    struct RunPlan;
    // The run, once its key is there.
    void beginRun(const ResolvedEndpoint &endpoint, RunPlan plan);
    void connectRunner(ReviewRunner *runner);

    struct Private;
    std::unique_ptr<Private> d;
    std::unique_ptr<ReviewProject> m_project;
};

}  // namespace pcs
