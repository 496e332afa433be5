#include "review/llmclient.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <cmath>

namespace pcs {

namespace {

// Qt 6.4's fixed number of HTTP/1.1 connections per host in one QNetworkAccessManager
// (QHttp1Configuration, which changes it, arrived in 6.5).
constexpr int kConnectionsPerManager = 6;

bool isRetryableStatus(int status)
{
    return status == 408 || status == 409 || status == 429 || (status >= 500 && status <= 599);
}

// The server's "wait this long" hint: retry-after-ms (OpenAI, Azure) first, being the finer one,
// then Retry-After as seconds or an HTTP date.
std::optional<qint64> retryAfterHintMs(const QNetworkReply &reply)
{
    bool ok = false;
    const QByteArray milliseconds = reply.rawHeader("retry-after-ms").trimmed();
    if (!milliseconds.isEmpty()) {
        const double value = milliseconds.toDouble(&ok);
        if (ok && value >= 0 && std::isfinite(value))
            return qint64(std::ceil(value));
    }
    const QByteArray retryAfter = reply.rawHeader("retry-after").trimmed();
    if (retryAfter.isEmpty())
        return std::nullopt;
    const double seconds = retryAfter.toDouble(&ok);
    if (ok && seconds >= 0 && std::isfinite(seconds))
        return qint64(std::ceil(seconds * 1000));
    // An HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT"); Qt 6.4's RFC 2822 parser wants "+0000".
    QString date = QString::fromLatin1(retryAfter);
    if (date.endsWith(QLatin1String(" GMT")) || date.endsWith(QLatin1String(" UTC")))
        date = date.chopped(4) + QStringLiteral(" +0000");
    const QDateTime when = QDateTime::fromString(date, Qt::RFC2822Date);
    if (when.isValid())
        return std::max<qint64>(0, QDateTime::currentDateTimeUtc().msecsTo(when));
    return std::nullopt;
}

// OpenAI-style {"error": {"message", "type", "code"}}; other servers send plain text.
struct ServerError {
    QString message;
    QString code;
    QString type;
};

ServerError parseServerError(const QByteArray &body)
{
    ServerError parsed;
    const QJsonDocument document = QJsonDocument::fromJson(body);
    const QJsonValue error = document.object().value(QLatin1String("error"));
    if (error.isObject()) {
        const QJsonObject object = error.toObject();
        parsed.message = object.value(QLatin1String("message")).toString();
        parsed.code = object.value(QLatin1String("code")).toVariant().toString();
        parsed.type = object.value(QLatin1String("type")).toString();
    } else if (error.isString()) {
        parsed.message = error.toString();
    } else if (!document.isObject()) {
        parsed.message = QString::fromUtf8(body.left(300)).simplified();
    }
    return parsed;
}

}  // namespace

// One request from its first attempt until its response; a QObject so that its timers die with it.
struct LlmClient::Job : QObject {
    quint64 id = 0;
    ChatRequest request;
    int attempts = 0;
    qint64 firstStartMs = 0;
    QNetworkReply *reply = nullptr;
    int networkIndex = -1;
    QTimer attemptTimer { this };
    QTimer retryTimer { this };
};

struct LlmClient::Failure {
    Error error;
    QString code;
    int httpStatus = 0;
    bool retryable = false;
    std::optional<qint64> retryAfterMs;
};

LlmClient::LlmClient(LlmEndpoint endpoint, ClientLimits limits, QObject *parent)
    : QObject(parent)
    , m_endpoint(std::move(endpoint))
    , m_limits(limits)
{
    qRegisterMetaType<pcs::ChatResponse>();
    m_limits.concurrency = std::max(1, m_limits.concurrency);
    m_limits.maxAttempts = std::max(1, m_limits.maxAttempts);
    const int managers
        = (m_limits.concurrency + kConnectionsPerManager - 1) / kConnectionsPerManager;
    for (int i = 0; i < managers; ++i)
        m_networks.push_back(new QNetworkAccessManager(this));
    m_repliesPerNetwork.assign(m_networks.size(), 0);
    m_clock.start();
}

LlmClient::~LlmClient()
{
    // Replies belong to the managers (our children); only silence them before they go.
    for (auto &[id, job] : m_active)
        detachReply(job.get());
}

QString LlmClient::chatCompletionsUrl() const
{
    QString base = m_endpoint.baseUrl.trimmed();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    return base + QStringLiteral("/chat/completions");
}

void LlmClient::submit(ChatRequest request)
{
    m_queue.push_back(std::move(request));
    startQueued();
}

void LlmClient::pause()
{
    m_paused = true;
}

void LlmClient::resume()
{
    m_paused = false;
    startQueued();
}

void LlmClient::cancel()
{
    std::deque<ChatRequest> dropped = std::move(m_queue);
    m_queue.clear();
    std::map<quint64, std::unique_ptr<Job>> aborted = std::move(m_active);
    m_active.clear();

    std::vector<ChatResponse> responses;
    for (auto &[id, job] : aborted) {
        job->attemptTimer.stop();
        job->retryTimer.stop();
        detachReply(job.get());
        ChatResponse response;
        response.tag = job->request.tag;
        response.attempts = job->attempts;
        responses.push_back(std::move(response));
        job.release()->deleteLater();
    }
    for (const ChatRequest &request : dropped) {
        ChatResponse response;
        response.tag = request.tag;
        responses.push_back(std::move(response));
    }
    // State is settled before any slot runs, so slots may submit again.
    for (ChatResponse &response : responses) {
        response.error = Error::canceled();
        response.errorCode = QStringLiteral("canceled");
        emit finished(response);
    }
    if (m_active.empty() && m_queue.empty())
        emit idle();
}

void LlmClient::scheduleStartQueued(qint64 delayMs)
{
    if (m_startScheduled)
        return;
    m_startScheduled = true;
    QTimer::singleShot(std::chrono::milliseconds(delayMs), Qt::PreciseTimer, this, [this] {
        m_startScheduled = false;
        startQueued();
    });
}

void LlmClient::startQueued()
{
    while (!m_paused && !m_queue.empty() && int(m_active.size()) < m_limits.concurrency) {
        const qint64 now = m_clock.elapsed();
        if (m_limits.requestsPerMinute > 0 && m_nextStartAllowedMs > now) {
            scheduleStartQueued(m_nextStartAllowedMs - now);
            return;
        }
        reserveStartSlot();
        auto job = std::make_unique<Job>();
        job->id = m_nextJobId++;
        job->request = std::move(m_queue.front());
        m_queue.pop_front();
        job->firstStartMs = now;
        Job *started = job.get();
        connect(&started->attemptTimer, &QTimer::timeout, this,
                [this, started] { onAttemptTimeout(started); });
        connect(&started->retryTimer, &QTimer::timeout, this,
                [this, started] { startAttempt(started); });
        started->attemptTimer.setSingleShot(true);
        // Coarse timers may fire 5% early, which would turn a deadline into a retry.
        started->attemptTimer.setTimerType(Qt::PreciseTimer);
        started->retryTimer.setSingleShot(true);
        started->retryTimer.setTimerType(Qt::PreciseTimer);
        m_active.emplace(started->id, std::move(job));
        startAttempt(started);
    }
}

qint64 LlmClient::reserveStartSlot()
{
    const qint64 now = m_clock.elapsed();
    if (m_limits.requestsPerMinute <= 0)
        return 0;
    const qint64 startAt = std::max(now, m_nextStartAllowedMs);
    m_nextStartAllowedMs = startAt + qint64(std::ceil(60000.0 / m_limits.requestsPerMinute));
    return startAt - now;
}

qint64 LlmClient::remainingMs(const Job *job) const
{
    return m_limits.deadlineMs - (m_clock.elapsed() - job->firstStartMs);
}

QString LlmClient::scrubbed(QString text) const
{
    // Servers echo (parts of) a wrong key in 401 messages; it must not reach logs or the UI.
    if (!m_endpoint.apiKey.isEmpty())
        text.replace(m_endpoint.apiKey, QStringLiteral("[api key]"));
    return text;
}

void LlmClient::startAttempt(Job *job)
{
    const qint64 remaining = remainingMs(job);
    if (remaining <= 0) {
        ChatResponse response;
        response.error = Error::internal(
            QStringLiteral("the deadline of %1 ms passed before attempt %2 could start")
                .arg(m_limits.deadlineMs)
                .arg(job->attempts + 1));
        response.errorCode = QStringLiteral("deadline");
        finish(job, std::move(response));
        return;
    }
    ++job->attempts;

    QJsonObject body = job->request.body;
    if (!body.contains(QLatin1String("model")) && !m_endpoint.model.isEmpty())
        body.insert(QLatin1String("model"), m_endpoint.model);

    QNetworkRequest request { QUrl(chatCompletionsUrl()) };
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Accept", "application/json");
    if (!m_endpoint.apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_endpoint.apiKey.toUtf8());

    const auto leastBusy = std::min_element(m_repliesPerNetwork.begin(), m_repliesPerNetwork.end());
    job->networkIndex = int(leastBusy - m_repliesPerNetwork.begin());
    ++*leastBusy;
    job->reply = m_networks[size_t(job->networkIndex)]->post(
        request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    connect(job->reply, &QNetworkReply::finished, this, [this, job] { onReplyFinished(job); });
    job->attemptTimer.start(int(std::min<qint64>(m_limits.attemptTimeoutMs, remaining)));
}

void LlmClient::detachReply(Job *job)
{
    job->attemptTimer.stop();
    if (!job->reply)
        return;
    QNetworkReply *reply = std::exchange(job->reply, nullptr);
    --m_repliesPerNetwork[size_t(job->networkIndex)];
    disconnect(reply, nullptr, this, nullptr);
    if (reply->isRunning())
        reply->abort();
    reply->deleteLater();
}

void LlmClient::onAttemptTimeout(Job *job)
{
    detachReply(job);
    if (remainingMs(job) <= 0) {
        ChatResponse response;
        response.error = Error::internal(
            QStringLiteral("no reply within the deadline of %1 ms (%2 attempt(s))")
                .arg(m_limits.deadlineMs)
                .arg(job->attempts));
        response.errorCode = QStringLiteral("deadline");
        finish(job, std::move(response));
        return;
    }
    Failure failure;
    failure.error = Error::internal(QStringLiteral("attempt %1 got no reply within %2 ms")
                                        .arg(job->attempts)
                                        .arg(m_limits.attemptTimeoutMs));
    failure.code = QStringLiteral("timeout");
    failure.retryable = true;
    handleFailure(job, std::move(failure));
}

void LlmClient::onReplyFinished(Job *job)
{
    QNetworkReply *reply = job->reply;
    const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const int status = statusAttribute.isValid() ? statusAttribute.toInt() : 0;
    const QByteArray data = reply->readAll();
    const QString networkError = reply->errorString();
    const std::optional<qint64> hintMs = retryAfterHintMs(*reply);
    detachReply(job);

    if (status == 0) {
        Failure failure;
        failure.error = Error::internal(scrubbed(QStringLiteral("network error talking to %1: %2")
                                                     .arg(chatCompletionsUrl(), networkError)));
        failure.code = QStringLiteral("network");
        failure.retryable = true;
        handleFailure(job, std::move(failure));
        return;
    }

    if (status >= 200 && status <= 299) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(data, &parseError);
        ChatResponse response;
        response.httpStatus = status;
        if (!document.isObject()) {
            response.error = Error::internal(
                QStringLiteral("HTTP %1 from %2, but the body is not a JSON object (%3)")
                    .arg(status)
                    .arg(scrubbed(chatCompletionsUrl()),
                         parseError.error == QJsonParseError::NoError
                             ? QStringLiteral("not an object")
                             : parseError.errorString()));
            response.errorCode = QStringLiteral("invalid_json_body");
            finish(job, std::move(response));
            return;
        }
        response.body = document.object();
        const QJsonObject usage = response.body.value(QLatin1String("usage")).toObject();
        response.promptTokens = usage.value(QLatin1String("prompt_tokens")).toInteger();
        response.completionTokens = usage.value(QLatin1String("completion_tokens")).toInteger();
        m_promptTokens += response.promptTokens;
        m_completionTokens += response.completionTokens;
        finish(job, std::move(response));
        return;
    }

    const ServerError serverError = parseServerError(data);
    const QString reason = scrubbed(QStringLiteral("HTTP %1 from %2%3")
                                        .arg(status)
                                        .arg(chatCompletionsUrl(),
                                             serverError.message.isEmpty()
                                                 ? QString()
                                                 : QStringLiteral(": ") + serverError.message));
    Failure failure;
    failure.httpStatus = status;
    failure.retryAfterMs = hintMs;
    // The request itself (or the key) was refused: the user's to fix, not ours.
    failure.error = status >= 400 && status <= 499 && status != 408 && status != 429
        ? Error::badInput(reason)
        : Error::internal(reason);
    const QString quota = QStringLiteral("insufficient_quota");
    if (status == 429 && (serverError.code == quota || serverError.type == quota)) {
        failure.error = Error::badInput(reason);
        failure.code = quota;
        failure.retryable = false;
    } else {
        failure.code = QStringLiteral("http_%1").arg(status);
        failure.retryable = isRetryableStatus(status);
    }
    handleFailure(job, std::move(failure));
}

void LlmClient::handleFailure(Job *job, Failure failure)
{
    const auto giveUp = [&](QString code, QString reason) {
        ChatResponse response;
        response.httpStatus = failure.httpStatus;
        response.error = failure.error;
        response.error->reason = std::move(reason);
        response.errorCode = std::move(code);
        finish(job, std::move(response));
    };
    if (!failure.retryable) {
        giveUp(failure.code, failure.error.reason);
        return;
    }
    if (job->attempts >= m_limits.maxAttempts) {
        giveUp(failure.code,
               QStringLiteral("gave up after %1 attempt(s): %2")
                   .arg(job->attempts)
                   .arg(failure.error.reason));
        return;
    }
    qint64 waitMs = 0;
    if (failure.retryAfterMs) {
        waitMs = *failure.retryAfterMs;
    } else {
        // Full jitter: spreads the retries of many requests that failed together.
        const double ceiling = std::min<double>(
            m_limits.maxBackoffMs, m_limits.initialBackoffMs * std::pow(2.0, job->attempts - 1));
        waitMs = qint64(QRandomGenerator::global()->generateDouble() * std::max(0.0, ceiling));
    }
    // The retry also takes a slot of the requests-per-minute spacing.
    if (m_limits.requestsPerMinute > 0) {
        const qint64 now = m_clock.elapsed();
        const qint64 startAt = std::max(now + waitMs, m_nextStartAllowedMs);
        m_nextStartAllowedMs = startAt + qint64(std::ceil(60000.0 / m_limits.requestsPerMinute));
        waitMs = startAt - now;
    }
    if (waitMs >= remainingMs(job)) {
        giveUp(
            QStringLiteral("deadline"),
            QStringLiteral("the deadline of %1 ms would pass before attempt %2 (waiting %3 ms): %4")
                .arg(m_limits.deadlineMs)
                .arg(job->attempts + 1)
                .arg(waitMs)
                .arg(failure.error.reason));
        return;
    }
    ++m_retries;
    job->retryTimer.start(int(waitMs));
}

void LlmClient::finish(Job *job, ChatResponse response)
{
    job->attemptTimer.stop();
    job->retryTimer.stop();
    detachReply(job);
    response.tag = job->request.tag;
    response.attempts = job->attempts;
    if (response.error)
        response.error->reason = scrubbed(response.error->reason);
    const auto found = m_active.find(job->id);
    if (found != m_active.end()) {
        found->second.release()->deleteLater();
        m_active.erase(found);
    }
    emit finished(response);
    startQueued();
    if (m_active.empty() && m_queue.empty())
        emit idle();
}

}  // namespace pcs
