#pragma once

#include "core/common/error.h"
#include "core/review/modelprofile.h"
#include "core/review/serverreply.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QUrl>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

class QNetworkAccessManager;
class QNetworkReply;

namespace pcs {

// Where chat completions are posted: an OpenAI-compatible server (OpenAI, vLLM, llama.cpp, Ollama).
struct LlmEndpoint {
    QString baseUrl;  // e.g. http://127.0.0.1:8000/v1; requests go to baseUrl + "/chat/completions"
    QString model;  // put into the request body when the caller left "model" out
    QString apiKey;  // empty = no Authorization header (local servers); never logged or reported
};

struct ClientLimits {
    int concurrency = 8;  // requests started and not finished (waiting to retry included)
    double requestsPerMinute = 0;  // spacing between attempt starts; 0 = unlimited
    int maxAttempts = 6;
    int deadlineMs = 120000;  // per request, from its first attempt (queueing does not count)
    int attemptTimeoutMs = 60000;
    // An attempt whose request is not on its way by then has no connection: "connect_failed".
    int connectTimeoutMs = 5000;
    int initialBackoffMs = 500;
    int maxBackoffMs = 30000;
    int maxRedirects = 5;  // 307/308 hops followed within one attempt
};

struct ChatRequest {
    quint64 tag = 0;  // the caller's, handed back in the response; need not be unique
    QJsonObject body;  // a Chat Completions body: messages, response_format, logprobs...
};

struct ChatResponse {
    quint64 tag = 0;
    QJsonObject body;  // the parsed JSON of a 2xx reply
    std::optional<Error> error;
    int httpStatus = 0;  // of the last attempt; 0 when no HTTP reply arrived
    int attempts = 0;
    qint64 promptTokens = 0;
    qint64 completionTokens = 0;
    // Machine-readable cause: "http_400", "http_503", "insufficient_quota", "rate_limited" (429s
    // until the attempts or the deadline ran out), "request_too_large" (one request above the
    // whole per-minute budget), "unsupported_parameter" (a parameter the model refuses and the
    // profile cannot leave out), "redirect" (one the client does not follow), "deadline",
    // "canceled", "invalid_json_body", "network", "timeout" (one attempt's), "connect_failed" (no
    // connection within connectTimeoutMs, refused, no such host: fatal until the server answered
    // once, as a wrong address fails every request alike).
    QString errorCode;
    QString requestId;  // the server's x-request-id of the last reply, if it sent one
    // The failure would hit every request alike (a key refused, no quota, no such model, a
    // parameter the model refuses, a redirect not followed): the caller should stop sending.
    bool fatal = false;
    bool sentLogprobs = false;  // the request that got this answer asked for log-probs

    bool ok() const { return !error.has_value(); }
};

// Sends chat completions with bounded concurrency, optional rate spacing and retries.
//
// Retried: network errors, one attempt running past attemptTimeoutMs, HTTP 408/409/429/5xx.
// A connection that cannot be made ("connect_failed": refused, no such host, none within
// connectTimeoutMs) before the server ever answered is a wrong address or a server that is not
// up: fatal, said at once ("could not connect to HOST:PORT within 5 s"), not retried for every
// item; after an answer it is retried like any network error.
// The wait before a retry is the server's retry-after-ms or Retry-After (seconds or an HTTP
// date) when given; for a 429 then x-ratelimit-reset-tokens/-requests (the budget its error
// type names, or the one at 0) or "try again in 2s" in its message; else exponential backoff
// with full jitter (random in [0, min(maxBackoffMs, initialBackoffMs * 2^(retry-1))]). A 429
// also holds every start for its wait and halves the concurrency.
// Never retried: other 4xx, a 429 for insufficient_quota (waiting does not buy credit) or for a
// request larger than the per-minute budget ("request_too_large"), and a 2xx whose body is not a
// JSON object ("invalid_json_body": the tokens are spent and a broken server repeats itself).
// Giving up: after maxAttempts the response carries the last failure's code ("rate_limited" for
// 429s); when the deadline ends an attempt or the next wait would pass it, the code is
// "deadline", or "rate_limited" when the wait is the server's (with its reason).
//
// Request shaping: every body goes out through the model profile (applyModelProfile). A 400
// that names a parameter the model refuses (parameterComplaint) adapts the profile once
// (modelProfileAdapted) and sends the same request again at once, not counted as a retry;
// requests already in flight with the old profile that fail the same way are sent again with
// the new one without learning anything twice. A refusal the profile cannot adapt to is
// "unsupported_parameter".
//
// Rate-limit headers: x-ratelimit-remaining-requests/-tokens lower the number of requests in
// flight as they approach 0 (and hold starts until x-ratelimit-reset-* when one is at 0); the
// concurrency grows back by one per window of healthy answers.
//
// Redirects are followed by the client, never by Qt (whose default keeps the Authorization
// header on another host): only 307/308 (which keep the POST), within the same origin (scheme,
// host, port) with the key, to another origin WITHOUT it (and said so in any error), never from
// https to http; anything else is a "redirect" error.
//
// Lives in a thread with an event loop. Qt 6.4 opens at most 6 HTTP/1.1 connections per host
// and access manager, so the client keeps ceil(concurrency / 6) managers to reach its limit.
class LlmClient final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LlmClient)

public:
    LlmClient(LlmEndpoint endpoint, ClientLimits limits, QObject *parent = nullptr);
    ~LlmClient() override;

    const ClientLimits &limits() const { return m_limits; }
    QString chatCompletionsUrl() const;
    const QString &baseUrl() const { return m_endpoint.baseUrl; }
    const QString &model() const { return m_endpoint.model; }

    // The profile bodies are shaped with (set before submitting; adapted as the server refuses
    // parameters).
    void setModelProfile(ModelProfile profile);
    const ModelProfile &modelProfile() const { return m_profile; }

    void submit(ChatRequest request);
    void pause();  // no new starts (retries of started requests go on); in-flight ones finish
    void resume();
    bool isPaused() const { return m_paused; }
    // Drops the queue and aborts in-flight requests: each gets `finished` with errorCode
    // "canceled", then `idle` follows.
    void cancel();

    int inFlight() const { return int(m_active.size()); }
    int queued() const { return int(m_queue.size()); }
    qint64 promptTokens() const { return m_promptTokens; }
    qint64 completionTokens() const { return m_completionTokens; }
    int retries() const { return m_retries; }
    int adaptiveResends() const { return m_adaptiveResends; }  // sent again with a new profile
    int concurrencyCap() const { return m_concurrencyCap; }  // as lowered by rate limits
    int lowestConcurrencyCap() const { return m_lowestConcurrencyCap; }

Q_SIGNALS:
    void finished(pcs::ChatResponse response);
    void idle();  // nothing queued, nothing in flight
    // The server refused a parameter and the profile now leaves it out (`adaptation` says how).
    void modelProfileAdapted(const pcs::ModelProfile &profile, const QString &adaptation);

private:
    struct Job;
    struct Failure;

    void startQueued();
    void scheduleStartQueued(qint64 delayMs);
    void startAttempt(Job *job);
    void post(Job *job);  // the current attempt's request to job->url
    void onReplyFinished(Job *job);
    bool followRedirect(Job *job, int status, const QUrl &target, Failure &failure);
    // Sends the request again with an adapted profile; false when the profile cannot adapt.
    bool resendAdapted(Job *job, const ParameterComplaint &complaint);
    void noteRateLimits(const RateLimitHeaders &headers);
    void noteHealthyAnswer();
    void cutConcurrency(std::optional<qint64> holdMs);
    QJsonObject bodyWithModel(const Job *job) const;
    void onAttemptTimeout(Job *job);
    void onConnectTimeout(Job *job);
    void handleFailure(Job *job, Failure failure);
    void finish(Job *job, ChatResponse response);
    void detachReply(Job *job);
    qint64 reserveStartSlot();  // ms to wait before the next attempt may start
    qint64 remainingMs(const Job *job) const;
    QString scrubbed(QString text) const;

    LlmEndpoint m_endpoint;
    ClientLimits m_limits;
    std::vector<QNetworkAccessManager *> m_networks;
    std::vector<int> m_repliesPerNetwork;
    std::deque<ChatRequest> m_queue;
    std::map<quint64, std::unique_ptr<Job>> m_active;  // by internal id
    quint64 m_nextJobId = 1;
    QElapsedTimer m_clock;
    bool m_answered = false;  // an HTTP reply arrived: the address is right
    qint64 m_nextStartAllowedMs = 0;
    bool m_startScheduled = false;
    bool m_paused = false;
    qint64 m_promptTokens = 0;
    qint64 m_completionTokens = 0;
    int m_retries = 0;
    ModelProfile m_profile;
    int m_adaptiveResends = 0;
    int m_concurrencyCap = 1;
    int m_lowestConcurrencyCap = 1;
    int m_headerAllowance = 0;  // what the last rate-limit headers allow; 0 = no headers
    int m_healthyAnswers = 0;
    double m_tokensPerRequest = 0;  // a running mean of the usage
    qint64 m_holdUntilMs = 0;  // no start before this (a 429's wait, an exhausted budget)
};

}  // namespace pcs

Q_DECLARE_METATYPE(pcs::ChatResponse)
