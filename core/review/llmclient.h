#pragma once

#include "common/error.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QString>

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
    int initialBackoffMs = 500;
    int maxBackoffMs = 30000;
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
    // Machine-readable cause: "http_400", "http_503", "insufficient_quota", "deadline",
    // "canceled", "invalid_json_body", "network", "timeout" (one attempt's).
    QString errorCode;

    bool ok() const { return !error.has_value(); }
};

// Sends chat completions with bounded concurrency, optional rate spacing and retries.
//
// Retried: network errors, one attempt running past attemptTimeoutMs, HTTP 408/409/429/5xx.
// The wait before a retry is the server's retry-after-ms or Retry-After (seconds or an HTTP
// date) when given, else exponential backoff with full jitter (random in [0, min(maxBackoffMs,
// initialBackoffMs * 2^(retry-1))]). Never retried: other 4xx, a 429 for insufficient_quota
// (waiting does not buy credit), and a 2xx whose body is not a JSON object ("invalid_json_body":
// the tokens are already spent and a broken server tends to repeat itself).
// Giving up: after maxAttempts the response carries the last failure's code; when the deadline
// ends an attempt or the next wait would pass it, the code is "deadline".
//
// Lives in a thread with an event loop. Qt 6.4 opens at most 6 HTTP/1.1 connections per host
// and access manager, so the client keeps ceil(concurrency / 6) managers to reach its limit.
class LlmClient : public QObject {
    Q_OBJECT

public:
    LlmClient(LlmEndpoint endpoint, ClientLimits limits, QObject *parent = nullptr);
    ~LlmClient() override;

    const ClientLimits &limits() const { return m_limits; }
    QString chatCompletionsUrl() const;

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

signals:
    void finished(pcs::ChatResponse response);
    void idle();  // nothing queued, nothing in flight

private:
    struct Job;
    struct Failure;

    void startQueued();
    void scheduleStartQueued(qint64 delayMs);
    void startAttempt(Job *job);
    void onReplyFinished(Job *job);
    void onAttemptTimeout(Job *job);
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
    qint64 m_nextStartAllowedMs = 0;
    bool m_startScheduled = false;
    bool m_paused = false;
    qint64 m_promptTokens = 0;
    qint64 m_completionTokens = 0;
    int m_retries = 0;
};

}  // namespace pcs

Q_DECLARE_METATYPE(pcs::ChatResponse)
