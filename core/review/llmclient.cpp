#include "core/review/llmclient.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLocale>
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

// Same scheme, host and port: where the key may go along.
bool sameOrigin(const QUrl &a, const QUrl &b)
{
    const auto defaultPort
        = [](const QUrl &url) { return url.scheme() == QLatin1String("https") ? 443 : 80; };
    return a.scheme().compare(b.scheme(), Qt::CaseInsensitive) == 0
        && a.host().compare(b.host(), Qt::CaseInsensitive) == 0
        && a.port(defaultPort(a)) == b.port(defaultPort(b));
}

QString errorDetail(const ServerError &error)
{
    QStringList labels;
    for (const QString &label : { error.type, error.code })
        if (!label.isEmpty() && !labels.contains(label))
            labels << label;
    if (error.message.isEmpty())
        return labels.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(labels.join(u'/'));
    return QStringLiteral(": %1%2").arg(
        error.message,
        labels.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(labels.join(u'/')));
}

}  // namespace

// One request from its first attempt until its response; a QObject so that its timers die with it.
struct LlmClient::Job : QObject {
    quint64 id = 0;
    ChatRequest request;
    int attempts = 0;  // HTTP requests made, resends with an adapted profile included
    int resends = 0;  // of those, resends with an adapted profile (not retries)
    qint64 firstStartMs = 0;
    QNetworkReply *reply = nullptr;
    int networkIndex = -1;
    QTimer attemptTimer { this };
    QTimer retryTimer { this };
    QTimer connectTimer { this };  // until the request is on its way
    QJsonObject sentBody;  // of the current attempt, as shaped by the profile
    QUrl url;  // where the current attempt goes (moved by redirects)
    int redirects = 0;
    bool keyWithheld = false;  // redirected to another origin: no Authorization header
    QString redirectNote;  // said in any error after a redirect
};

struct LlmClient::Failure {
    Error error;
    QString code;
    int httpStatus = 0;
    bool retryable = false;
    bool fatal = false;
    bool rateLimited = false;
    QString requestId;
    std::optional<qint64> retryAfterMs;
};

LlmClient::LlmClient(LlmEndpoint endpoint, ClientLimits limits, QObject *parent)
    : QObject(parent)
    , m_endpoint(std::move(endpoint))
    , m_limits(limits)
{
    qRegisterMetaType<pcs::ChatResponse>();
    qRegisterMetaType<pcs::ModelProfile>();
    m_limits.concurrency = std::max(1, m_limits.concurrency);
    m_limits.maxAttempts = std::max(1, m_limits.maxAttempts);
    m_concurrencyCap = m_lowestConcurrencyCap = m_limits.concurrency;
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

void LlmClient::setModelProfile(ModelProfile profile)
{
    m_profile = std::move(profile);
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
        Q_EMIT finished(response);
    }
    if (m_active.empty() && m_queue.empty())
        Q_EMIT idle();
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
    while (!m_paused && !m_queue.empty() && int(m_active.size()) < m_concurrencyCap) {
        const qint64 now = m_clock.elapsed();
        if (m_holdUntilMs > now) {
            scheduleStartQueued(m_holdUntilMs - now);
            return;
        }
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
        connect(&started->connectTimer, &QTimer::timeout, this,
                [this, started] { onConnectTimeout(started); });
        started->connectTimer.setSingleShot(true);
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

QJsonObject LlmClient::bodyWithModel(const Job *job) const
{
    QJsonObject body = job->request.body;
    if (!body.contains(QLatin1String("model")) && !m_endpoint.model.isEmpty())
        body.insert(QLatin1String("model"), m_endpoint.model);
    return body;
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
    job->url = QUrl(chatCompletionsUrl());
    job->redirects = 0;
    job->keyWithheld = false;
    job->redirectNote.clear();
    post(job);
    job->attemptTimer.start(int(std::min<qint64>(m_limits.attemptTimeoutMs, remaining)));
}

void LlmClient::post(Job *job)
{
    job->sentBody = applyModelProfile(bodyWithModel(job), m_profile);
    QNetworkRequest request { job->url };
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Accept", "application/json");
    // Qt would follow a redirect to any host with every header, the key included.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    if (!m_endpoint.apiKey.isEmpty() && !job->keyWithheld)
        request.setRawHeader("Authorization", "Bearer " + m_endpoint.apiKey.toUtf8());

    const auto leastBusy = std::min_element(m_repliesPerNetwork.begin(), m_repliesPerNetwork.end());
    job->networkIndex = int(leastBusy - m_repliesPerNetwork.begin());
    ++*leastBusy;
    job->reply = m_networks[size_t(job->networkIndex)]->post(
        request, QJsonDocument(job->sentBody).toJson(QJsonDocument::Compact));
    connect(job->reply, &QNetworkReply::finished, this, [this, job] { onReplyFinished(job); });
    // Written to the socket: connected (a reused connection says so at once).
    connect(job->reply, &QNetworkReply::requestSent, this, [job] { job->connectTimer.stop(); });
    if (m_limits.connectTimeoutMs > 0)
        job->connectTimer.start(m_limits.connectTimeoutMs);
}

void LlmClient::detachReply(Job *job)
{
    job->attemptTimer.stop();
    job->connectTimer.stop();
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

namespace {

QString hostAndPort(const QUrl &url)
{
    const int port = url.port(url.scheme() == QLatin1String("https") ? 443 : 80);
    return QStringLiteral("%1:%2").arg(url.host()).arg(port);
}

}  // namespace

void LlmClient::onConnectTimeout(Job *job)
{
    const QUrl url = job->url;
    detachReply(job);
    Failure failure;
    failure.error = Error::internal(
        QStringLiteral("Could not connect to %1 within %2 s (%3)%4")
            .arg(hostAndPort(url))
            .arg(QLocale::c().toString(m_limits.connectTimeoutMs / 1000.0, 'g', 3),
                 url.toString(QUrl::RemoveUserInfo), job->redirectNote));
    failure.code = QStringLiteral("connect_failed");
    failure.retryable = m_answered;
    failure.fatal = !m_answered;
    handleFailure(job, std::move(failure));
}

bool LlmClient::followRedirect(Job *job, int status, const QUrl &target, Failure &failure)
{
    const QUrl from = job->url;
    const QUrl to = from.resolved(target);
    failure.httpStatus = status;
    failure.code = QStringLiteral("redirect");
    failure.fatal = true;  // the endpoint redirects every request alike
    const auto refuse = [&](const QString &why) {
        failure.error = Error::badInput(
            QStringLiteral("HTTP %1 from %2: redirected to %3, which "
                           "the client does not follow: %4")
                .arg(status)
                .arg(from.toString(QUrl::RemoveUserInfo), to.toString(QUrl::RemoveUserInfo), why));
        return false;
    };
    if (!target.isValid() || target.isEmpty())
        return refuse(QStringLiteral("no Location"));
    if (status != 307 && status != 308)
        return refuse(QStringLiteral("only 307 and 308 keep the POST; set the endpoint to the "
                                     "new address if you trust it"));
    if (to.scheme() != QLatin1String("http") && to.scheme() != QLatin1String("https"))
        return refuse(QStringLiteral("not an http(s) address"));
    if (from.scheme() == QLatin1String("https") && to.scheme() == QLatin1String("http"))
        return refuse(QStringLiteral("from https to plain http"));
    if (job->redirects >= m_limits.maxRedirects)
        return refuse(QStringLiteral("more than %1 redirects").arg(m_limits.maxRedirects));
    ++job->redirects;
    if (!sameOrigin(QUrl(chatCompletionsUrl()), to) && !job->keyWithheld) {
        // The key belongs to the configured origin: another one never gets it.
        job->keyWithheld = true;
        job->redirectNote
            = QStringLiteral(" (after a redirect from %1 to %2, another origin: the API key was "
                             "not sent there)")
                  .arg(from.toString(QUrl::RemoveUserInfo), to.toString(QUrl::RemoveUserInfo));
    }
    job->url = to;
    post(job);
    return true;
}

void LlmClient::onReplyFinished(Job *job)
{
    QNetworkReply *reply = job->reply;
    const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const int status = statusAttribute.isValid() ? statusAttribute.toInt() : 0;
    const QByteArray data = reply->readAll();
    const QString networkError = reply->errorString();
    const QNetworkReply::NetworkError networkErrorCode = reply->error();
    const HeaderLookup header = [reply](const QByteArray &name) { return reply->rawHeader(name); };
    const std::optional<qint64> hintMs = retryAfterHintMs(header);
    const RateLimitHeaders rateLimits = readRateLimitHeaders(header);
    const QString requestId = QString::fromLatin1(reply->rawHeader("x-request-id")).trimmed();
    const QUrl redirectTarget
        = reply->attribute(QNetworkRequest::RedirectionTargetAttribute).toUrl();
    const QString url = job->url.toString(QUrl::RemoveUserInfo);
    detachReply(job);
    noteRateLimits(rateLimits);

    if (status == 0 && !m_answered
        && (networkErrorCode == QNetworkReply::ConnectionRefusedError
            || networkErrorCode == QNetworkReply::HostNotFoundError)) {
        Failure failure;
        failure.error = Error::internal(
            scrubbed(QStringLiteral("Could not connect to %1: %2 (%3)%4")
                         .arg(hostAndPort(job->url), networkError, url, job->redirectNote)));
        failure.code = QStringLiteral("connect_failed");
        failure.fatal = true;  // a wrong address or a server that is not up: every request alike
        handleFailure(job, std::move(failure));
        return;
    }
    if (status != 0)
        m_answered = true;
    if (status == 0) {
        Failure failure;
        failure.error = Error::internal(scrubbed(QStringLiteral("network error talking to %1: %2%3")
                                                     .arg(url, networkError, job->redirectNote)));
        failure.code = QStringLiteral("network");
        failure.retryable = true;
        handleFailure(job, std::move(failure));
        return;
    }

    if (status >= 300 && status <= 399) {
        Failure failure;
        if (followRedirect(job, status, redirectTarget, failure))
            return;  // same attempt, same timer
        failure.requestId = requestId;
        handleFailure(job, std::move(failure));
        return;
    }

    if (status >= 200 && status <= 299) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(data, &parseError);
        ChatResponse response;
        response.httpStatus = status;
        response.requestId = requestId;
        response.sentLogprobs = job->sentBody.value(QLatin1String("logprobs")).toBool();
        if (!document.isObject()) {
            response.error = Error::internal(
                QStringLiteral("HTTP %1 from %2, but the body is not a JSON object (%3)")
                    .arg(status)
                    .arg(scrubbed(url),
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
        if (const qint64 used = response.promptTokens + response.completionTokens; used > 0)
            m_tokensPerRequest
                = m_tokensPerRequest > 0 ? 0.8 * m_tokensPerRequest + 0.2 * double(used) : used;
        noteHealthyAnswer();
        finish(job, std::move(response));
        return;
    }

    const ServerError serverError = parseServerError(data);
    const QString reason = scrubbed(
        QStringLiteral("HTTP %1 from %2%3%4%5")
            .arg(status)
            .arg(url, errorDetail(serverError),
                 requestId.isEmpty() ? QString() : QStringLiteral(" (request %1)").arg(requestId),
                 job->redirectNote));
    Failure failure;
    failure.httpStatus = status;
    failure.retryAfterMs = hintMs;
    failure.requestId = requestId;
    // The request itself (or the key) was refused: the user's to fix, not ours.
    failure.error = status >= 400 && status <= 499 && status != 408 && status != 429
        ? Error::badInput(reason)
        : Error::internal(reason);
    failure.code = QStringLiteral("http_%1").arg(status);
    failure.retryable = isRetryableStatus(status);
    const QString quota = QStringLiteral("insufficient_quota");

    if (status == 400 || status == 422) {
        const ParameterComplaint complaint = parameterComplaint(status, serverError, job->sentBody);
        if (complaint.kind != ParameterComplaint::Kind::None) {
            if (resendAdapted(job, complaint))
                return;
            failure.code = QStringLiteral("unsupported_parameter");
            failure.fatal = true;  // every request carries it
            failure.error.reason += complaint.kind == ParameterComplaint::Kind::ReasoningEffort
                    || (complaint.kind == ParameterComplaint::Kind::Temperature
                        && m_profile.temperatureChosen)
                ? QStringLiteral(" — \"%1\" is the run's own choice: choose another value or "
                                 "none")
                      .arg(complaint.parameter)
                : QStringLiteral(" — requests cannot go without \"%1\"").arg(complaint.parameter);
        }
    } else if (status == 429 && (serverError.code == quota || serverError.type == quota)) {
        failure.error = Error::badInput(reason);
        failure.code = quota;
        failure.retryable = false;
        failure.fatal = true;  // waiting does not buy credit, for any request
    } else if ((status == 429 || status == 413) && isRequestTooLarge(serverError.message)) {
        failure.error = Error::badInput(reason);
        failure.code = QStringLiteral("request_too_large");
        failure.retryable = false;
    } else if (status == 429) {
        failure.code = QStringLiteral("rate_limited");
        failure.rateLimited = true;
        if (!failure.retryAfterMs) {
            // The budget the error names, else the one at 0, else the message's own wait.
            if (serverError.type == QLatin1String("tokens") && rateLimits.resetTokensMs)
                failure.retryAfterMs = rateLimits.resetTokensMs;
            else if (serverError.type == QLatin1String("requests") && rateLimits.resetRequestsMs)
                failure.retryAfterMs = rateLimits.resetRequestsMs;
            else if (const auto exhausted = rateLimits.waitForExhaustedMs())
                failure.retryAfterMs = exhausted;
            else
                failure.retryAfterMs = messageRetryHintMs(serverError.message);
        }
        cutConcurrency(failure.retryAfterMs);
    } else if (status == 401 || status == 403 || status == 404) {
        failure.fatal = true;  // the key, the account or the model: the same for every item
    }
    handleFailure(job, std::move(failure));
}

bool LlmClient::resendAdapted(Job *job, const ParameterComplaint &complaint)
{
    constexpr int kMaxResends = 8;  // each one changes the profile; a guard against a loop
    if (job->resends >= kMaxResends || remainingMs(job) <= 0)
        return false;
    const QJsonObject original = bodyWithModel(job);
    // Sent before the profile learned what this answer says: send it as it is now.
    const bool outdated = applyModelProfile(original, m_profile) != job->sentBody;
    std::optional<QString> adaptation;
    if (!outdated) {
        ModelProfile adapted = m_profile;
        adaptation = adaptModelProfile(adapted, complaint, job->sentBody);
        if (!adaptation || applyModelProfile(original, adapted) == job->sentBody)
            return false;
        m_profile = std::move(adapted);
    }
    ++job->resends;
    ++job->attempts;
    ++m_adaptiveResends;
    job->url = QUrl(chatCompletionsUrl());
    job->redirects = 0;
    job->keyWithheld = false;
    job->redirectNote.clear();
    post(job);
    job->attemptTimer.start(
        int(std::min<qint64>(m_limits.attemptTimeoutMs, std::max<qint64>(1, remainingMs(job)))));
    if (adaptation)
        Q_EMIT modelProfileAdapted(m_profile, *adaptation);
    return true;
}

void LlmClient::noteRateLimits(const RateLimitHeaders &headers)
{
    if (!headers.any()) {
        m_headerAllowance = 0;
        return;
    }
    int allowance = m_limits.concurrency;
    if (headers.remainingRequests)
        allowance = int(std::clamp<qint64>(*headers.remainingRequests, 1, allowance));
    if (headers.remainingTokens && m_tokensPerRequest > 0)
        allowance = int(std::clamp<qint64>(
            qint64(double(*headers.remainingTokens) / m_tokensPerRequest), 1, allowance));
    m_headerAllowance = allowance;
    std::optional<qint64> hold = headers.waitForExhaustedMs();
    if (!hold && headers.remainingTokens && headers.resetTokensMs
        && double(*headers.remainingTokens) < m_tokensPerRequest)
        hold = headers.resetTokensMs;  // not even one more request fits
    if (hold)
        m_holdUntilMs = std::max(m_holdUntilMs, m_clock.elapsed() + *hold);
    if (allowance < m_concurrencyCap) {
        m_concurrencyCap = allowance;
        m_lowestConcurrencyCap = std::min(m_lowestConcurrencyCap, m_concurrencyCap);
        m_healthyAnswers = 0;
    }
}

void LlmClient::noteHealthyAnswer()
{
    // Additive increase: one more request in flight per window of answers that leave room.
    if (m_concurrencyCap >= m_limits.concurrency
        || (m_headerAllowance > 0 && m_headerAllowance <= m_concurrencyCap))
        return;
    if (++m_healthyAnswers >= m_concurrencyCap) {
        ++m_concurrencyCap;
        m_healthyAnswers = 0;
    }
}

void LlmClient::cutConcurrency(std::optional<qint64> holdMs)
{
    m_concurrencyCap = std::max(1, m_concurrencyCap / 2);
    m_lowestConcurrencyCap = std::min(m_lowestConcurrencyCap, m_concurrencyCap);
    m_healthyAnswers = 0;
    if (holdMs)
        m_holdUntilMs = std::max(m_holdUntilMs, m_clock.elapsed() + *holdMs);
}

void LlmClient::handleFailure(Job *job, Failure failure)
{
    const auto giveUp = [&](QString code, QString reason) {
        ChatResponse response;
        response.httpStatus = failure.httpStatus;
        response.error = failure.error;
        response.error->reason = std::move(reason);
        response.errorCode = std::move(code);
        response.requestId = failure.requestId;
        response.fatal = failure.fatal;
        response.sentLogprobs = job->sentBody.value(QLatin1String("logprobs")).toBool();
        finish(job, std::move(response));
    };
    if (!failure.retryable) {
        giveUp(failure.code, failure.error.reason);
        return;
    }
    if (job->attempts - job->resends >= m_limits.maxAttempts) {
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
        if (failure.rateLimited) {
            // The server's own wait is the reason, not a slow answer.
            giveUp(failure.code,
                   QStringLiteral("rate limited: the server asks to wait %1 ms, past the deadline "
                                  "of %2 ms (attempt %3): %4")
                       .arg(waitMs)
                       .arg(m_limits.deadlineMs)
                       .arg(job->attempts)
                       .arg(failure.error.reason));
            return;
        }
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
    Q_EMIT finished(response);
    startQueued();
    if (m_active.empty() && m_queue.empty())
        Q_EMIT idle();
}

}  // namespace pcs
