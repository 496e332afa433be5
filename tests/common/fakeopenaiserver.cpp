#include "tests/common/fakeopenaiserver.h"

#include <QDateTime>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <cmath>

namespace pcs::test {

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 301:
        return "Moved Permanently";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 413:
        return "Payload Too Large";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

// The text of the last user message: a string, or the text parts of a content array.
QString lastUserText(const QJsonObject &body)
{
    const QJsonArray messages = body.value(QLatin1String("messages")).toArray();
    for (qsizetype i = messages.size() - 1; i >= 0; --i) {
        const QJsonObject message = messages.at(i).toObject();
        if (message.value(QLatin1String("role")).toString() != QLatin1String("user"))
            continue;
        const QJsonValue content = message.value(QLatin1String("content"));
        if (content.isString())
            return content.toString();
        QString text;
        for (const QJsonValue &part : content.toArray())
            text += part.toObject().value(QLatin1String("text")).toString();
        return text;
    }
    return {};
}

std::optional<int> markerNumber(const QString &text, const QString &name)
{
    static const QRegularExpression pattern(
        QStringLiteral(R"(\[\[(score|status|flaky|redirect)[=-](-?\d+)\]\])"));
    auto matches = pattern.globalMatch(text);
    while (matches.hasNext()) {
        const auto match = matches.next();
        if (match.captured(1) == name)
            return match.captured(2).toInt();
    }
    return std::nullopt;
}

QJsonArray utf8Bytes(const QString &token)
{
    QJsonArray bytes;
    for (const char byte : token.toUtf8())
        bytes.append(int(static_cast<unsigned char>(byte)));
    return bytes;
}

QJsonObject tokenLogprob(const QString &token, double logprob)
{
    return QJsonObject { { QStringLiteral("token"), token },
                         { QStringLiteral("logprob"), logprob },
                         { QStringLiteral("bytes"), utf8Bytes(token) } };
}

}  // namespace

struct FakeOpenAiServer::Connection : QObject {
    explicit Connection(QTcpSocket *owner)
        : QObject(owner)
        , socket(owner)
    {
    }
    QTcpSocket *socket;
    QByteArray buffer;
    bool answering = false;  // HTTP/1.1 answers in order: read nothing more until this one is out
    bool closeAfterAnswer = false;
};

FakeOpenAiServer::FakeOpenAiServer(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    m_server->setMaxPendingConnections(1000);
    connect(m_server, &QTcpServer::newConnection, this, &FakeOpenAiServer::onNewConnection);
    m_clock.start();
}

FakeOpenAiServer::~FakeOpenAiServer()
{
    // Sockets die with the server below; their signals must not reach a half-destroyed us.
    for (QTcpSocket *socket : m_server->findChildren<QTcpSocket *>()) {
        socket->disconnect();
        socket->abort();
    }
}

bool FakeOpenAiServer::listen()
{
    return m_server->listen(QHostAddress::LocalHost, 0);
}

QString FakeOpenAiServer::url() const
{
    return QStringLiteral("http://127.0.0.1:%1/v1").arg(m_server->serverPort());
}

void FakeOpenAiServer::resetStats()
{
    m_received.clear();
    m_requestsPerKey.clear();
    m_maxConcurrent = m_concurrent;
}

void FakeOpenAiServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        ++m_connectionsAccepted;
        auto *connection = new Connection(socket);
        connect(socket, &QTcpSocket::readyRead, connection, [this, connection] {
            connection->buffer += connection->socket->readAll();
            processBuffered(connection);
        });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket, connection] {
            if (connection->answering) {
                connection->answering = false;
                --m_concurrent;
            }
            socket->deleteLater();
        });
    }
}

void FakeOpenAiServer::processBuffered(Connection *connection)
{
    while (!connection->answering) {
        const qsizetype headerEnd = connection->buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const QList<QByteArray> lines = connection->buffer.left(headerEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        ReceivedRequest request;
        request.method = requestLine.value(0);
        request.path = requestLine.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                request.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                       lines[i].mid(colon + 1).trimmed());
        }
        const qsizetype length = request.headers.value("content-length", "0").toLongLong();
        if (connection->buffer.size() < headerEnd + 4 + length)
            return;
        request.body = connection->buffer.mid(headerEnd + 4, length);
        connection->buffer.remove(0, headerEnd + 4 + length);
        request.json = QJsonDocument::fromJson(request.body).object();
        request.scriptKey = lastUserText(request.json);
        if (request.scriptKey.isEmpty() && request.json.value(QLatin1String("prompt")).isString())
            request.scriptKey = request.json.value(QLatin1String("prompt")).toString();
        request.arrivalMs = m_clock.elapsed();
        connection->closeAfterAnswer = request.headers.value("connection").toLower() == "close";

        connection->answering = true;
        m_maxConcurrent = std::max(m_maxConcurrent, ++m_concurrent);
        request.concurrentAtArrival = m_concurrent;
        request.number = int(m_received.size()) + 1;
        m_received.append(request);
        ++m_requestsPerKey[request.scriptKey];
        Q_EMIT requestReceived(int(m_received.size()));
        respond(connection, request);
    }
}

FakeOpenAiServer::ScriptedReply FakeOpenAiServer::scriptedReply(const ReceivedRequest &request)
{
    const QString &text = request.scriptKey;
    const int seen = m_requestsPerKey.value(text);  // this request included
    const QString model = request.json.value(QLatin1String("model")).toString();
    const qint64 promptTokens = 10 + request.body.size() / 100;
    const auto has = [&](const char *marker) { return text.contains(QLatin1String(marker)); };
    const auto failure
        = [](int status, const QString &message, const QString &type, const QString &code) {
              return ScriptedReply { status, errorBody(message, type, code), {}, 0 };
          };

    if (request.method == "POST"
        && (request.path == "/v1/completions" || request.path.startsWith("/v1/completions?")))
        return completionsReply(request);
    // vLLM's chat completions with prompt_logprobs (bpb's vllm-chat shape).
    if (request.method == "POST" && request.path == "/v1/chat/completions"
        && request.json.contains(QLatin1String("prompt_logprobs")))
        return completionsReply(request);
    if (request.method == "GET" && request.path == "/v1/models")
        return modelsReply();
    if (request.method != "POST" || !request.path.endsWith("/chat/completions"))
        return failure(404, QStringLiteral("no such endpoint"),
                       QStringLiteral("invalid_request_error"), QStringLiteral("unknown_url"));
    if (const auto status = markerNumber(text, QStringLiteral("redirect"));
        status && request.path == "/v1/chat/completions" && !m_redirectLocation.isEmpty()) {
        ScriptedReply reply { *status, QByteArray(), {}, 0 };
        reply.headers.append(qMakePair(QByteArray("Location"), m_redirectLocation.toUtf8()));
        return reply;
    }
    if (auto refused = serviceReply(request))
        return *refused;
    // A revision request (response_format json_schema named "revision"): a critique and a rewrite.
    if (request.json.value(QLatin1String("response_format"))
            .toObject()
            .value(QLatin1String("json_schema"))
            .toObject()
            .value(QLatin1String("name"))
            .toString()
        == QLatin1String("revision")) {
        const QJsonObject content {
            { QStringLiteral("critique"), QStringLiteral("Scripted critique.") },
            { QStringLiteral("revised_text"), QStringLiteral("A calmer, accurate rewrite.") }
        };
        const QJsonObject body {
            { QStringLiteral("id"), QStringLiteral("chatcmpl-fake-revision") },
            { QStringLiteral("object"), QStringLiteral("chat.completion") },
            { QStringLiteral("model"), model },
            { QStringLiteral("choices"),
              QJsonArray { QJsonObject {
                  { QStringLiteral("index"), 0 },
                  { QStringLiteral("message"),
                    QJsonObject { { QStringLiteral("role"), QStringLiteral("assistant") },
                                  { QStringLiteral("content"),
                                    QString::fromUtf8(QJsonDocument(content).toJson(
                                        QJsonDocument::Compact)) } } },
                  { QStringLiteral("finish_reason"), QStringLiteral("stop") } } } },
            { QStringLiteral("usage"),
              QJsonObject { { QStringLiteral("prompt_tokens"), promptTokens },
                            { QStringLiteral("completion_tokens"), 12 } } }
        };
        return ScriptedReply { 200, QJsonDocument(body).toJson(QJsonDocument::Compact), {}, 0 };
    }
    if (const auto status = markerNumber(text, QStringLiteral("status"))) {
        QString message = QStringLiteral("scripted status %1").arg(*status);
        if (*status == 401)
            message = QStringLiteral("Incorrect API key provided: %1")
                          .arg(QString::fromUtf8(request.headers.value("authorization")));
        return failure(*status, message, QStringLiteral("invalid_request_error"), QString());
    }
    if (has("[[quota]]"))
        return failure(429, QStringLiteral("You exceeded your current quota."),
                       QStringLiteral("insufficient_quota"), QStringLiteral("insufficient_quota"));
    if (has("[[429]]") && seen == 1) {
        ScriptedReply reply
            = failure(429, QStringLiteral("Rate limit reached."), QStringLiteral("requests"),
                      QStringLiteral("rate_limit_exceeded"));
        reply.headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("1")));
        return reply;
    }
    if (has("[[429ms]]") && seen == 1) {
        ScriptedReply reply
            = failure(429, QStringLiteral("Rate limit reached."), QStringLiteral("requests"),
                      QStringLiteral("rate_limit_exceeded"));
        reply.headers.append(qMakePair(QByteArray("retry-after-ms"), QByteArray("200")));
        return reply;
    }
    if (has("[[500]]"))
        return failure(500, QStringLiteral("The server had an error."),
                       QStringLiteral("server_error"), QString());
    if (has("[[503]]"))
        return failure(503, QStringLiteral("The engine is currently overloaded."),
                       QStringLiteral("server_error"), QString());
    if (const auto failures = markerNumber(text, QStringLiteral("flaky"));
        failures && seen <= *failures)
        return failure(503, QStringLiteral("flaky: failure %1 of %2").arg(seen).arg(*failures),
                       QStringLiteral("server_error"), QString());
    if (has("[[malformed]]"))
        return ScriptedReply { 200, "this is not JSON {", {}, 0 };
    if (has("[[too-large]]")) {
        ScriptedReply reply = failure(
            429,
            QStringLiteral("Request too large for gpt-4o in organization org-fake on tokens per "
                           "min (TPM): Limit 30000, Requested 36278. The input or output tokens "
                           "must be reduced in order to run successfully. Visit "
                           "https://platform.openai.com/account/rate-limits to learn more."),
            QStringLiteral("tokens"), QStringLiteral("rate_limit_exceeded"));
        reply.headers.append(qMakePair(QByteArray("retry-after-ms"), QByteArray("20")));
        return reply;
    }
    if (has("[[groq-too-large]]")) {
        const QJsonObject error {
            { QStringLiteral("message"),
              QStringLiteral("Request too large for model `llama-3.1-8b-instant` in organization "
                             "`org_fake` service tier `on_demand` on tokens per minute (TPM): "
                             "Limit 7000, Requested 12903, please reduce your message size and "
                             "try again. Visit https://console.groq.com/docs/rate-limits for "
                             "more information.") },
            { QStringLiteral("type"), QStringLiteral("tokens") },
            { QStringLiteral("code"), QStringLiteral("rate_limit_exceeded") }
        };
        ScriptedReply reply { 429,
                              QJsonDocument(QJsonObject { { QStringLiteral("error"), error } })
                                  .toJson(QJsonDocument::Compact),
                              {},
                              0 };
        reply.headers.append(qMakePair(QByteArray("retry-after"), QByteArray("7")));
        return reply;
    }
    if (has("[[rate-limit-long]]")) {
        ScriptedReply reply
            = failure(429, QStringLiteral("Rate limit reached for requests per day."),
                      QStringLiteral("requests"), QStringLiteral("rate_limit_exceeded"));
        reply.headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("3600")));
        return reply;
    }
    if (has("[[ratelimit-reset]]") && seen == 1) {
        ScriptedReply reply = failure(
            429, QStringLiteral("Rate limit reached for fake-model on requests per min (RPM)."),
            QStringLiteral("requests"), QStringLiteral("rate_limit_exceeded"));
        reply.headers.append(
            qMakePair(QByteArray("x-ratelimit-remaining-requests"), QByteArray("0")));
        reply.headers.append(
            qMakePair(QByteArray("x-ratelimit-reset-requests"), QByteArray("300ms")));
        return reply;
    }
    const QString vllmMessage = QStringLiteral("This model's maximum context length is 2048 "
                                               "tokens. However, you requested 2723 tokens.");
    if (has("[[vllm-old-error]]")) {
        const QJsonObject body { { QStringLiteral("object"), QStringLiteral("error") },
                                 { QStringLiteral("message"), vllmMessage },
                                 { QStringLiteral("type"), QStringLiteral("BadRequestError") },
                                 { QStringLiteral("param"), QJsonValue::Null },
                                 { QStringLiteral("code"), 400 } };
        return ScriptedReply { 400, QJsonDocument(body).toJson(QJsonDocument::Compact), {}, 0 };
    }
    if (has("[[vllm-error]]") || has("[[vllm-nested-error]]")) {
        const QJsonObject error { { QStringLiteral("message"), vllmMessage },
                                  { QStringLiteral("type"), QStringLiteral("BadRequestError") },
                                  { QStringLiteral("param"), QJsonValue::Null },
                                  { QStringLiteral("code"), 400 } };
        const QJsonObject inner = has("[[vllm-nested-error]]")
            ? QJsonObject { { QStringLiteral("error"), error } }
            : error;
        return ScriptedReply { 400,
                               QJsonDocument(QJsonObject { { QStringLiteral("error"), inner } })
                                   .toJson(QJsonDocument::Compact),
                               {},
                               0 };
    }
    if (has("[[string-error]]"))
        return ScriptedReply { 400, R"({"error":"the server refused this request"})", {}, 0 };

    const bool scripted = has("[[") && text.contains(QLatin1String("]]"));
    if (!scripted && m_defaultResponder)
        return m_defaultResponder(request);

    int score = markerNumber(text, QStringLiteral("score")).value_or(10);
    if (has("[[range]]"))
        score = 1000;
    AnswerShape shape = AnswerShape::Plain;
    const bool logprobsAsked = request.json.value(QLatin1String("logprobs")).toBool();
    if (has("[[refusal]]"))
        shape = AnswerShape::Refusal;
    else if (has("[[truncated]]"))
        shape = AnswerShape::Truncated;
    else if (has("[[logprobs]]") || (m_service == Service::VllmOld && logprobsAsked))
        shape = AnswerShape::WithLogprobs;
    static const QRegularExpression pieces(QStringLiteral("\\[\\[pieces=(\\w+)\\]\\]"));
    if (const auto match = pieces.match(text); match.hasMatch())
        return ScriptedReply {
            200, piecedCompletionBody(score, model, promptTokens, match.captured(1)), {}, 0
        };
    const int topLogprobs = request.json.contains(QLatin1String("top_logprobs"))
        ? request.json.value(QLatin1String("top_logprobs")).toInt()
        : 3;
    ScriptedReply reply {
        200, completionBody(score, model, promptTokens, shape, topLogprobs), {}, 0
    };
    if (has("[[slow]]"))
        reply.extraDelayMs = m_slowDelayMs;
    return reply;
}

std::optional<FakeOpenAiServer::ScriptedReply>
FakeOpenAiServer::serviceReply(const ReceivedRequest &request) const
{
    const QJsonObject &body = request.json;
    const auto openAiError = [](const QString &message, const QString &param, const QString &code) {
        const QJsonObject error { { QStringLiteral("message"), message },
                                  { QStringLiteral("type"),
                                    QStringLiteral("invalid_request_error") },
                                  { QStringLiteral("param"), param },
                                  { QStringLiteral("code"), code } };
        return ScriptedReply { 400,
                               QJsonDocument(QJsonObject { { QStringLiteral("error"), error } })
                                   .toJson(QJsonDocument::Compact),
                               {},
                               0 };
    };
    switch (m_service) {
    case Service::OpenAi:
        if (body.contains(QLatin1String("reasoning_effort")))
            return ScriptedReply { 400,
                                   errorBody(QStringLiteral("Unrecognized request argument "
                                                            "supplied: reasoning_effort"),
                                             QStringLiteral("invalid_request_error"), {}),
                                   {},
                                   0 };
        return std::nullopt;
    case Service::OpenAiReasoning: {
        const QJsonValue temperature = body.value(QLatin1String("temperature"));
        if (!temperature.isUndefined() && temperature.toDouble() != 1.0)
            return openAiError(QStringLiteral("Unsupported value: 'temperature' does not support "
                                              "%1 with this model. Only the default (1) value "
                                              "is supported.")
                                   .arg(temperature.toDouble()),
                               QStringLiteral("temperature"), QStringLiteral("unsupported_value"));
        for (const char *parameter : { "logprobs", "top_logprobs", "max_tokens" }) {
            const QString name = QString::fromLatin1(parameter);
            if (!body.contains(name))
                continue;
            QString message = QStringLiteral("Unsupported parameter: '%1' is not supported with "
                                             "this model.")
                                  .arg(name);
            if (name == QLatin1String("max_tokens"))
                message += QStringLiteral(" Use 'max_completion_tokens' instead.");
            return openAiError(message, name, QStringLiteral("unsupported_parameter"));
        }
        const QJsonValue effort = body.value(QLatin1String("reasoning_effort"));
        if (!effort.isUndefined() && !m_reasoningEfforts.contains(effort.toString()))
            return openAiError(
                QStringLiteral("Unsupported value: 'reasoning_effort' does not "
                               "support '%1' with this model. Supported values "
                               "are: %2.")
                    .arg(effort.toString(), m_reasoningEfforts.join(QStringLiteral(", "))),
                QStringLiteral("reasoning_effort"), QStringLiteral("unsupported_value"));
        return std::nullopt;
    }
    case Service::VllmOld: {
        const auto oldError = [](const QString &message) {
            const QJsonObject error { { QStringLiteral("object"), QStringLiteral("error") },
                                      { QStringLiteral("message"), message },
                                      { QStringLiteral("type"), QStringLiteral("BadRequestError") },
                                      { QStringLiteral("param"), QJsonValue::Null },
                                      { QStringLiteral("code"), 400 } };
            return ScriptedReply {
                400, QJsonDocument(error).toJson(QJsonDocument::Compact), {}, 0
            };
        };
        const QByteArray schema = QJsonDocument(body.value(QLatin1String("response_format"))
                                                    .toObject()
                                                    .value(QLatin1String("json_schema"))
                                                    .toObject()
                                                    .value(QLatin1String("schema"))
                                                    .toObject())
                                      .toJson(QJsonDocument::Compact);
        if (schema.contains("\"minimum\"") || schema.contains("\"maximum\""))
            return oldError(QStringLiteral("The provided JSON schema contains features not "
                                           "supported by xgrammar."));
        const int asked = body.value(QLatin1String("top_logprobs")).toInt();
        if (asked > m_vllmMaxLogprobs)
            return oldError(QStringLiteral("Requested sample logprobs of %1, which is greater "
                                           "than max allowed: %2")
                                .arg(asked)
                                .arg(m_vllmMaxLogprobs));
        return std::nullopt;
    }
    }
    return std::nullopt;
}

void FakeOpenAiServer::respond(Connection *connection, const ReceivedRequest &request)
{
    ScriptedReply reply = scriptedReply(request);
    reply.headers.append(
        qMakePair(QByteArray("x-request-id"), "req_fake_" + QByteArray::number(request.number)));
    if (m_replyHook)
        m_replyHook(request, reply);
    QByteArray message = "HTTP/1.1 " + QByteArray::number(reply.status) + ' '
        + reasonPhrase(reply.status) + "\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(reply.body.size()) + "\r\n";
    message
        += connection->closeAfterAnswer ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
    for (const auto &[name, value] : reply.headers)
        message += name + ": " + value + "\r\n";
    message += "\r\n" + reply.body;

    // A timer per request, so that many slow answers overlap instead of queueing.
    QTimer::singleShot(m_baseLatencyMs + reply.extraDelayMs, Qt::PreciseTimer, connection,
                       [this, connection, message] {
                           connection->answering = false;
                           --m_concurrent;
                           connection->socket->write(message);
                           if (connection->closeAfterAnswer)
                               connection->socket->disconnectFromHost();
                           else
                               processBuffered(connection);
                       });
}

QByteArray FakeOpenAiServer::errorBody(const QString &message, const QString &type,
                                       const QString &code)
{
    const QJsonObject error {
        { QStringLiteral("message"), message },
        { QStringLiteral("type"), type },
        { QStringLiteral("param"), QJsonValue::Null },
        { QStringLiteral("code"), code.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(code) }
    };
    return QJsonDocument(QJsonObject { { QStringLiteral("error"), error } })
        .toJson(QJsonDocument::Compact);
}

QByteArray FakeOpenAiServer::completionBody(int score, const QString &model, qint64 promptTokens,
                                            AnswerShape shape, int topLogprobs)
{
    const QString scoreToken = QString::number(score);
    const QStringList tokens { QStringLiteral("{\""),
                               QStringLiteral("reasoning"),
                               QStringLiteral("\":"),
                               QStringLiteral(" \""),
                               QStringLiteral("Scripted reasoning."),
                               QStringLiteral("\","),
                               QStringLiteral(" \""),
                               QStringLiteral("score"),
                               QStringLiteral("\":"),
                               QStringLiteral(" "),
                               scoreToken,
                               QStringLiteral("}") };
    QString content = tokens.join(QString());
    QString finishReason = QStringLiteral("stop");
    QJsonObject message { { QStringLiteral("role"), QStringLiteral("assistant") },
                          { QStringLiteral("refusal"), QJsonValue::Null } };
    QJsonValue logprobs = QJsonValue::Null;
    switch (shape) {
    case AnswerShape::Plain:
        break;
    case AnswerShape::Truncated:
        content = content.left(20);
        finishReason = QStringLiteral("length");
        break;
    case AnswerShape::Refusal:
        content.clear();
        message.insert(QStringLiteral("refusal"),
                       QStringLiteral("I'm sorry, I can't help with that."));
        break;
    case AnswerShape::WithLogprobs: {
        QJsonArray contentLogprobs;
        for (const QString &token : tokens) {
            QJsonObject entry;
            if (token == scoreToken) {
                entry = tokenLogprob(token, std::log(0.6));
                QJsonArray alternatives { tokenLogprob(scoreToken, std::log(0.6)),
                                          tokenLogprob(QString::number(score + 1), std::log(0.3)),
                                          tokenLogprob(QString::number(score + 2), std::log(0.1)) };
                while (alternatives.size() > std::max(1, topLogprobs))
                    alternatives.removeLast();
                entry.insert(QStringLiteral("top_logprobs"), alternatives);
            } else {
                entry = tokenLogprob(token, 0.0);
                entry.insert(QStringLiteral("top_logprobs"),
                             QJsonArray { tokenLogprob(token, 0.0) });
            }
            contentLogprobs.append(entry);
        }
        logprobs = QJsonObject { { QStringLiteral("content"), contentLogprobs },
                                 { QStringLiteral("refusal"), QJsonValue::Null } };
        break;
    }
    }
    message.insert(QStringLiteral("content"),
                   shape == AnswerShape::Refusal ? QJsonValue(QJsonValue::Null)
                                                 : QJsonValue(content));
    const qint64 completionTokens = std::max<qint64>(1, content.toUtf8().size() / 4);
    const QJsonObject choice { { QStringLiteral("index"), 0 },
                               { QStringLiteral("message"), message },
                               { QStringLiteral("logprobs"), logprobs },
                               { QStringLiteral("finish_reason"), finishReason } };
    static quint64 counter = 0;
    const QJsonObject body {
        { QStringLiteral("id"), QStringLiteral("chatcmpl-fake-%1").arg(++counter) },
        { QStringLiteral("object"), QStringLiteral("chat.completion") },
        { QStringLiteral("created"), QDateTime::currentSecsSinceEpoch() },
        { QStringLiteral("model"), model },
        { QStringLiteral("choices"), QJsonArray { choice } },
        { QStringLiteral("usage"),
          QJsonObject { { QStringLiteral("prompt_tokens"), promptTokens },
                        { QStringLiteral("completion_tokens"), completionTokens },
                        { QStringLiteral("total_tokens"), promptTokens + completionTokens } } }
    };
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QByteArray FakeOpenAiServer::piecedCompletionBody(int score, const QString &model,
                                                  qint64 promptTokens, const QString &style)
{
    // Each token: its bytes, and for a piece of a character what a detokeniser that holds
    // incomplete bytes back emits with it (the whole character on its last piece).
    struct Part {
        QByteArray bytes;
        QString completed;
        bool piece = false;
    };
    QList<Part> parts;
    const auto whole = [&parts](const QString &text) { parts.append({ text.toUtf8(), text }); };
    const auto split = [&parts](const QString &character, const QList<int> &sizes) {
        const QByteArray bytes = character.toUtf8();
        qsizetype at = 0;
        for (qsizetype k = 0; k < sizes.size(); ++k) {
            parts.append(
                { bytes.mid(at, sizes[k]), k + 1 == sizes.size() ? character : QString(), true });
            at += sizes[k];
        }
    };
    for (const char *text : { "{\"", "reasoning", "\":", " \"", "It", " says" })
        whole(QString::fromUtf8(text));
    split(QStringLiteral(" \u201C"), { 3, 1 });  // [20 E2 80] [9C]
    whole(QStringLiteral("act"));
    whole(QStringLiteral(" now"));
    split(QStringLiteral("\u201D"), { 1, 2 });  // [E2] [80 9D]
    split(QStringLiteral(" \u4E2D"), { 2, 1, 1 });  // [20 E4] [B8] [AD]
    split(QStringLiteral(" \U0001F642"), { 3, 2 });  // [20 F0 9F] [99 82]
    for (const char *text : { ".", "\",", " \"", "score", "\":", " " })
        whole(QString::fromUtf8(text));
    const QString scoreToken = QString::number(score);
    whole(scoreToken);
    whole(QStringLiteral("}"));

    // A piece as a decoder shows it: valid UTF-8 as text, each undecodable run (or byte) U+FFFD.
    const auto decoded = [](const QByteArray &bytes, bool perByte) {
        QString text;
        for (qsizetype i = 0; i < bytes.size(); ++i) {
            const auto byte = static_cast<unsigned char>(bytes[i]);
            if (byte < 0x80) {
                text += QChar(byte);
                continue;
            }
            text += QChar(0xFFFD);
            // Python's "replace": a lead byte and its continuation bytes are one U+FFFD.
            while (!perByte && byte >= 0xC0 && i + 1 < bytes.size()
                   && (static_cast<unsigned char>(bytes[i + 1]) & 0xC0) == 0x80)
                ++i;
        }
        return text;
    };
    QJsonArray contentLogprobs;
    QByteArray contentBytes;
    for (const Part &part : parts) {
        contentBytes += part.bytes;
        QString token = QString::fromUtf8(part.bytes);
        if (part.piece) {
            if (style == QLatin1String("perbyte"))
                token = decoded(part.bytes, true);
            else if (style == QLatin1String("empty"))
                token = part.completed;
            else if (style == QLatin1String("escaped")) {
                token.clear();
                for (const char byte : part.bytes) {
                    const auto value = static_cast<unsigned char>(byte);
                    token += value < 0x80
                        ? QString(QChar(value))
                        : QStringLiteral("\\x%1").arg(value, 2, 16, QLatin1Char('0'));
                }
            } else {
                token = decoded(part.bytes, false);
                if (style == QLatin1String("garbled"))
                    token += QChar(0xFFFD);  // one piece too many for the bytes
            }
        }
        QJsonObject entry
            = tokenLogprob(token, part.bytes == scoreToken.toUtf8() ? std::log(0.6) : 0.0);
        // Only the escaped style carries the real bytes; the others have none to give.
        if (style == QLatin1String("escaped") || !part.piece) {
            QJsonArray bytes;
            for (const char byte : part.bytes)
                bytes.append(int(static_cast<unsigned char>(byte)));
            entry.insert(QStringLiteral("bytes"), bytes);
        } else {
            entry.remove(QStringLiteral("bytes"));
        }
        if (part.bytes == scoreToken.toUtf8())
            entry.insert(QStringLiteral("top_logprobs"),
                         QJsonArray { tokenLogprob(scoreToken, std::log(0.6)),
                                      tokenLogprob(QString::number(score + 1), std::log(0.3)),
                                      tokenLogprob(QString::number(score + 2), std::log(0.1)) });
        else
            entry.insert(QStringLiteral("top_logprobs"), QJsonArray { entry });
        contentLogprobs.append(entry);
    }
    const QString content = QString::fromUtf8(contentBytes);
    const QJsonObject choice { { QStringLiteral("index"), 0 },
                               { QStringLiteral("message"),
                                 QJsonObject {
                                     { QStringLiteral("role"), QStringLiteral("assistant") },
                                     { QStringLiteral("content"), content },
                                     { QStringLiteral("refusal"), QJsonValue::Null } } },
                               { QStringLiteral("logprobs"),
                                 QJsonObject { { QStringLiteral("content"), contentLogprobs },
                                               { QStringLiteral("refusal"), QJsonValue::Null } } },
                               { QStringLiteral("finish_reason"), QStringLiteral("stop") } };
    const qint64 completionTokens = contentLogprobs.size();
    const QJsonObject body {
        { QStringLiteral("id"), QStringLiteral("chatcmpl-fake-pieces") },
        { QStringLiteral("object"), QStringLiteral("chat.completion") },
        { QStringLiteral("model"), model },
        { QStringLiteral("choices"), QJsonArray { choice } },
        { QStringLiteral("usage"),
          QJsonObject { { QStringLiteral("prompt_tokens"), promptTokens },
                        { QStringLiteral("completion_tokens"), completionTokens },
                        { QStringLiteral("total_tokens"), promptTokens + completionTokens } } }
    };
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QStringList FakeOpenAiServer::completionTokens(const QString &prompt)
{
    // Without CJK characters the same as \s*\S+|\s+$.
    static const QRegularExpression token(
        QStringLiteral("\\s*[\\x{3040}-\\x{9FFF}]|\\s*[^\\s\\x{3040}-\\x{9FFF}]+|\\s+$"));
    QStringList tokens;
    for (auto it = token.globalMatch(prompt); it.hasNext();)
        tokens.append(it.next().captured());
    return tokens;
}

double FakeOpenAiServer::completionTokenLogprob(const QString &token)
{
    return -0.1 * double(token.trimmed().size());
}

QList<FakeOpenAiServer::CompletionPiece> FakeOpenAiServer::completionPieces(const QString &prompt)
{
    const auto escaped = [](const QByteArray &bytes) {
        QString text = QStringLiteral("bytes:");
        for (const char byte : bytes) {
            const auto value = static_cast<unsigned char>(byte);
            text += value < 0x80 ? QString(QChar(value))
                                 : QStringLiteral("\\x%1").arg(value, 2, 16, QLatin1Char('0'));
        }
        return text;
    };
    QList<CompletionPiece> pieces;
    for (const QString &token : completionTokens(prompt)) {
        const char16_t last = token.isEmpty() ? 0 : token.back().unicode();
        const int split = last >= 0x3040 && last <= 0x9FFF ? last % 3 : 0;
        const QByteArray bytes = token.toUtf8();
        if (split == 0) {
            pieces.append({ bytes, completionTokenLogprob(token), token, token });
            continue;
        }
        // The character is the last 3 bytes; whitespace before it goes with the first piece.
        const qsizetype lead = bytes.size() - 3;
        const QList<QByteArray> parts = split == 1
            ? QList<QByteArray> { bytes.left(lead + 2), bytes.mid(lead + 2) }
            : QList<QByteArray> { bytes.left(lead + 1), bytes.mid(lead + 1, 1),
                                  bytes.mid(lead + 2) };
        for (qsizetype k = 0; k < parts.size(); ++k) {
            const QByteArray &part = parts[k];
            const QString whitespace = k == 0 ? token.left(token.size() - 1) : QString();
            // vLLM: a U+FFFD per undecodable piece, or "" until the character is complete.
            const QString vllm = split == 1 ? whitespace + QChar(0xFFFD)
                : k + 1 < parts.size()      ? QString()
                                            : token;
            pieces.append(
                { part, -0.05 * double(k + 1) - 0.01 * double(part.size()), vllm, escaped(part) });
        }
    }
    return pieces;
}

FakeOpenAiServer::ScriptedReply FakeOpenAiServer::completionsReply(const ReceivedRequest &request)
{
    ++m_completionsRequests;
    if (m_completionsFailAfter >= 0 && m_completionsRequests > m_completionsFailAfter)
        return ScriptedReply { 400,
                               errorBody(QStringLiteral("scripted failure"),
                                         QStringLiteral("invalid_request_error"), {}),
                               {},
                               0 };
    const QJsonObject body = promptLogprobsAnswer(request.json, m_completionsLegacyOnly);
    return ScriptedReply { 200, QJsonDocument(body).toJson(QJsonDocument::Compact), {}, 0 };
}

QJsonObject FakeOpenAiServer::promptLogprobsAnswer(const QJsonObject &request, bool legacyOnly)
{
    // The chat shape: the prompt is what its template renders; bpb's raw-text template renders
    // the message alone, anything else wraps it (as a model's own template would).
    const bool chat = request.contains(QLatin1String("messages"));
    QString prompt = request.value(QLatin1String("prompt")).toString();
    if (chat) {
        prompt = request.value(QLatin1String("messages"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("content"))
                     .toString();
        const bool rawText = request.value(QLatin1String("chat_template")).toString()
                == QLatin1String("{{ messages[0]['content'] }}")
            && !request.value(QLatin1String("add_generation_prompt")).toBool(true);
        if (!rawText)
            prompt = QStringLiteral("<|user|>\n") + prompt + QStringLiteral("<|assistant|>\n");
    }
    const QList<CompletionPiece> tokens = completionPieces(prompt);
    QJsonObject choice { { QStringLiteral("index"), 0 },
                         { QStringLiteral("text"), QStringLiteral("x") },
                         { QStringLiteral("finish_reason"), QStringLiteral("length") },
                         { QStringLiteral("logprobs"), QJsonValue::Null } };
    const bool noPrompt = prompt.contains(QLatin1String("[[noprompt]]"));
    const bool wantsPromptLogprobs = request.contains(QLatin1String("prompt_logprobs"));
    const bool echo = !chat && request.value(QLatin1String("echo")).toBool();
    QJsonValue chatPromptLogprobs;
    if (!noPrompt && !legacyOnly && wantsPromptLogprobs) {
        QJsonArray promptLogprobs;
        for (qsizetype i = 0; i < tokens.size(); ++i) {
            if (i == 0) {
                promptLogprobs.append(QJsonValue::Null);
                continue;
            }
            const QJsonObject entry { { QStringLiteral("logprob"), tokens[i].logprob },
                                      { QStringLiteral("rank"), 1 },
                                      { QStringLiteral("decoded_token"), tokens[i].vllmText } };
            promptLogprobs.append(QJsonObject { { QString::number(1000 + i), entry } });
        }
        if (chat)  // beside the choices, as vLLM's chat answers have them
            chatPromptLogprobs = promptLogprobs;
        else
            choice.insert(QStringLiteral("prompt_logprobs"), promptLogprobs);
    } else if (!noPrompt && echo && (legacyOnly || !wantsPromptLogprobs)) {
        QJsonArray texts, logprobs, offsets;
        qsizetype offset = 0;
        for (qsizetype i = 0; i < tokens.size(); ++i) {
            texts.append(tokens[i].legacyText);
            logprobs.append(i == 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(tokens[i].logprob));
            offsets.append(offset);
            offset += tokens[i].legacyText.size();
        }
        texts.append(QStringLiteral(" x"));
        logprobs.append(-5.0);
        offsets.append(offset);
        choice.insert(QStringLiteral("text"), prompt + QStringLiteral(" x"));
        choice.insert(QStringLiteral("logprobs"),
                      QJsonObject { { QStringLiteral("tokens"), texts },
                                    { QStringLiteral("token_logprobs"), logprobs },
                                    { QStringLiteral("text_offset"), offsets },
                                    { QStringLiteral("top_logprobs"), QJsonValue::Null } });
    }
    QJsonObject body { { QStringLiteral("id"), QStringLiteral("cmpl-fake") },
                       { QStringLiteral("object"), QStringLiteral("text_completion") },
                       { QStringLiteral("model"), request.value(QLatin1String("model")) },
                       { QStringLiteral("choices"), QJsonArray { choice } },
                       { QStringLiteral("usage"),
                         QJsonObject { { QStringLiteral("prompt_tokens"), tokens.size() },
                                       { QStringLiteral("completion_tokens"), 1 },
                                       { QStringLiteral("total_tokens"), tokens.size() + 1 } } } };
    if (chat) {
        body.insert(QStringLiteral("object"), QStringLiteral("chat.completion"));
        body.insert(QStringLiteral("prompt_logprobs"), chatPromptLogprobs);
        QJsonObject chatChoice { { QStringLiteral("index"), 0 },
                                 { QStringLiteral("message"),
                                   QJsonObject {
                                       { QStringLiteral("role"), QStringLiteral("assistant") },
                                       { QStringLiteral("content"), QStringLiteral("x") } } },
                                 { QStringLiteral("logprobs"), QJsonValue::Null },
                                 { QStringLiteral("finish_reason"), QStringLiteral("length") } };
        body.insert(QStringLiteral("choices"), QJsonArray { chatChoice });
    }
    return body;
}

QList<QByteArray> FakeOpenAiServer::authorizationHeaders() const
{
    QList<QByteArray> headers;
    for (const ReceivedRequest &request : m_received)
        headers.append(request.headers.value("authorization"));
    return headers;
}

FakeOpenAiServer::ScriptedReply FakeOpenAiServer::modelsReply() const
{
    QJsonArray data;
    for (const QString &id : m_models)
        data.append(QJsonObject { { QStringLiteral("id"), id },
                                  { QStringLiteral("object"), QStringLiteral("model") },
                                  { QStringLiteral("owned_by"), QStringLiteral("fake") } });
    const QJsonObject body { { QStringLiteral("object"), QStringLiteral("list") },
                             { QStringLiteral("data"), data } };
    return ScriptedReply { 200, QJsonDocument(body).toJson(QJsonDocument::Compact), {}, 0 };
}

}  // namespace pcs::test
