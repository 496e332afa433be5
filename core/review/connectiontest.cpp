#include "core/review/connectiontest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUrl>

namespace pcs {

namespace {

QString serverMessage(const QJsonObject &json, const QByteArray &body)
{
    const QJsonValue error = json.value(QLatin1String("error"));
    if (error.isObject()) {
        const QString message = error.toObject().value(QLatin1String("message")).toString();
        if (!message.isEmpty())
            return message;
    }
    if (error.isString())
        return error.toString();
    return QString::fromUtf8(body.left(200)).simplified();
}

QString hostAndPort(const QString &url)
{
    const QUrl parsed(url);
    const int port = parsed.port(parsed.scheme() == QLatin1String("https") ? 443 : 80);
    return QStringLiteral("%1:%2").arg(parsed.host()).arg(port);
}

QString endpointPath(QString url, const QString &path)
{
    while (url.endsWith(QLatin1Char('/')))
        url.chop(1);
    return url + path;
}

}  // namespace

QString ConnectionReport::summary() const
{
    if (!ok)
        return failure;
    QString text = QStringLiteral("Connected to %1: model %2 answered in %3 ms")
                       .arg(url, model.isEmpty() ? QStringLiteral("(unnamed)") : model)
                       .arg(latencyMs);
    if (modelListed)
        text += *modelListed ? QStringLiteral(" (listed by /models)")
                             : QStringLiteral(" (not listed by /models)");
    text += QLatin1Char('.');
    for (const ConnectionCapability &capability : capabilities)
        text += QStringLiteral("\n%1 %2%3")
                    .arg(capability.works ? QStringLiteral("✔") : QStringLiteral("✘"),
                         capability.name,
                         capability.detail.isEmpty() ? QString()
                                                     : QStringLiteral(": ") + capability.detail);
    return text;
}

ConnectionTest::ConnectionTest(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
    qRegisterMetaType<pcs::ConnectionReport>();
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, &ConnectionTest::onTimeout);
}

ConnectionTest::~ConnectionTest()
{
    cancel();
}

void ConnectionTest::cancel()
{
    m_timeout.stop();
    if (QNetworkReply *reply = std::exchange(m_reply, nullptr)) {
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        reply->deleteLater();
    }
}

void ConnectionTest::start(const QString &url, const QString &key, const QString &model)
{
    cancel();
    m_url = url;
    m_key = key;
    m_model = model;
    m_maxCompletionTokens = false;
    m_report = ConnectionReport {};
    m_report.url = url;
    send(Step::Models);
}

QJsonObject ConnectionTest::chatBody(Step step) const
{
    QJsonObject body {
        { QStringLiteral("model"), m_model },
        { QStringLiteral("messages"),
          QJsonArray { QJsonObject {
              { QStringLiteral("role"), QStringLiteral("user") },
              { QStringLiteral("content"), QStringLiteral("Reply with the word OK.") } } } },
        { m_maxCompletionTokens ? QStringLiteral("max_completion_tokens")
                                : QStringLiteral("max_tokens"),
          1 }
    };
    if (step == Step::Temperature)
        body.insert(QStringLiteral("temperature"), 0);
    if (step == Step::Logprobs) {
        body.insert(QStringLiteral("logprobs"), true);
        body.insert(QStringLiteral("top_logprobs"), 20);
    }
    if (step == Step::JsonSchema) {
        const QJsonObject schema {
            { QStringLiteral("type"), QStringLiteral("object") },
            { QStringLiteral("properties"),
              QJsonObject {
                  { QStringLiteral("ok"),
                    QJsonObject { { QStringLiteral("type"), QStringLiteral("boolean") } } } } },
            { QStringLiteral("required"), QJsonArray { QStringLiteral("ok") } },
            { QStringLiteral("additionalProperties"), false }
        };
        body.insert(QStringLiteral("response_format"),
                    QJsonObject { { QStringLiteral("type"), QStringLiteral("json_schema") },
                                  { QStringLiteral("json_schema"),
                                    QJsonObject { { QStringLiteral("name"),
                                                    QStringLiteral("connection_test") },
                                                  { QStringLiteral("strict"), true },
                                                  { QStringLiteral("schema"), schema } } } });
    }
    return body;
}

void ConnectionTest::send(Step step)
{
    m_step = step;
    m_timedOut = false;
    const bool models = step == Step::Models;
    QNetworkRequest request(QUrl(endpointPath(
        m_url, models ? QStringLiteral("/models") : QStringLiteral("/chat/completions"))));
    // A redirect is reported, never followed: the key must not go where it was not meant to.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setRawHeader("Accept", "application/json");
    if (!m_key.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_key.toUtf8());
    m_clock.start();
    if (models) {
        m_reply = m_network->get(request);
    } else {
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        m_reply = m_network->post(request,
                                  QJsonDocument(chatBody(step)).toJson(QJsonDocument::Compact));
    }
    connect(m_reply, &QNetworkReply::finished, this, &ConnectionTest::onFinished);
    m_timeout.start(models ? m_connectTimeoutMs : m_requestTimeoutMs);
}

void ConnectionTest::onTimeout()
{
    m_timedOut = true;
    if (m_reply)
        m_reply->abort();  // finished follows, with no HTTP status
}

void ConnectionTest::onFinished()
{
    m_timeout.stop();
    QNetworkReply *reply = std::exchange(m_reply, nullptr);
    const qint64 elapsedMs = m_clock.elapsed();
    const QVariant statusAttribute = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const int status = statusAttribute.isValid() ? statusAttribute.toInt() : 0;
    const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray();  // aborted: closed
    const QJsonObject json = QJsonDocument::fromJson(body).object();
    QString problem;
    if (status == 0)
        problem = m_timedOut
            ? QStringLiteral("no answer within %1 s")
                  .arg((m_step == Step::Models ? m_connectTimeoutMs : m_requestTimeoutMs) / 1000.0)
            : reply->errorString();
    else if (status >= 300 && status < 400)
        problem = QStringLiteral("HTTP %1: the server redirects to %2; give that address as the "
                                 "endpoint")
                      .arg(status)
                      .arg(QString::fromUtf8(reply->rawHeader("Location")));
    else if (status >= 400)
        problem = QStringLiteral("HTTP %1: %2").arg(status).arg(serverMessage(json, body));
    reply->deleteLater();
    problem = scrubbed(problem);

    switch (m_step) {
    case Step::Models:
        handleModels(status, json, problem);
        return;
    case Step::Plain:
        if (status >= 200 && status < 300)
            m_report.latencyMs = elapsedMs;
        handlePlain(status, json, problem);
        return;
    case Step::Temperature:
    case Step::Logprobs:
    case Step::JsonSchema:
        handleProbe(status, json, problem);
        return;
    }
}

void ConnectionTest::handleModels(int status, const QJsonObject &json, const QString &problem)
{
    if (status == 0) {
        m_report.failure
            = QStringLiteral("cannot connect to %1: %2").arg(hostAndPort(m_url), problem);
        return finish();
    }
    if (status == 401 || status == 403 || (status >= 300 && status < 400)) {
        m_report.failure = QStringLiteral("%1 refused the connection test: %2%3")
                               .arg(m_url, problem, keyHint(status));
        return finish();
    }
    const QJsonValue data = json.value(QLatin1String("data"));
    if (status >= 200 && status < 300 && data.isArray()) {
        bool listed = false;
        for (const QJsonValue &entry : data.toArray())
            listed = listed || entry.toObject().value(QLatin1String("id")).toString() == m_model;
        m_report.modelListed = listed;
    }
    send(Step::Plain);
}

void ConnectionTest::handlePlain(int status, const QJsonObject &json, const QString &problem)
{
    if (status == 400 && !m_maxCompletionTokens
        && problem.contains(QLatin1String("max_completion_tokens"))) {
        m_maxCompletionTokens = true;  // OpenAI's reasoning models refuse max_tokens
        return send(Step::Plain);
    }
    if (!problem.isEmpty()) {
        m_report.failure = status == 0
            ? QStringLiteral("%1 did not answer a chat completion: %2").arg(m_url, problem)
            : QStringLiteral("%1 refused a one-token chat completion for model %2: %3%4")
                  .arg(m_url, m_model, problem, keyHint(status));
        return finish();
    }
    m_report.ok = true;
    m_report.model = json.value(QLatin1String("model")).toString();
    send(Step::Temperature);
}

void ConnectionTest::handleProbe(int status, const QJsonObject &json, const QString &problem)
{
    ConnectionCapability capability;
    capability.name = m_step == Step::Temperature ? QStringLiteral("temperature 0")
        : m_step == Step::Logprobs                ? QStringLiteral("logprobs")
                                                  : QStringLiteral("json_schema strict");
    capability.works = status >= 200 && status < 300;
    capability.detail = problem;
    if (capability.works && m_step == Step::Logprobs) {
        const QJsonValue content = json.value(QLatin1String("choices"))
                                       .toArray()
                                       .at(0)
                                       .toObject()
                                       .value(QLatin1String("logprobs"))
                                       .toObject()
                                       .value(QLatin1String("content"));
        if (content.toArray().isEmpty()) {
            capability.works = false;
            capability.detail = QStringLiteral("accepted, but no log-probabilities came back");
        }
    }
    m_report.capabilities.append(capability);
    if (m_step == Step::Temperature)
        return send(Step::Logprobs);
    if (m_step == Step::Logprobs)
        return send(Step::JsonSchema);
    finish();
}

void ConnectionTest::finish()
{
    Q_EMIT finished(m_report);
}

QString ConnectionTest::keyHint(int status) const
{
    if (status != 401 && status != 403)
        return {};
    return m_key.isEmpty() ? QStringLiteral(" (no key was sent)")
                           : QStringLiteral(" (the key was refused)");
}

QString ConnectionTest::scrubbed(QString text) const
{
    // Servers echo (parts of) a wrong key in 401 messages.
    if (!m_key.isEmpty())
        text.replace(m_key, QStringLiteral("[api key]"));
    return text;
}

}  // namespace pcs
