#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace pcs {

// What a server accepted of what the assessor asks for.
struct ConnectionCapability {
    QString name;  // "temperature 0", "logprobs", "json_schema strict"
    bool works = false;
    QString detail;  // why not: the HTTP status and the server's message, or the network error
};

struct ConnectionReport {
    QString url;  // the endpoint (without credentials)
    bool ok = false;  // a chat completion came back
    QString failure;  // why not, e.g. "cannot connect to 127.0.0.1:8000: Connection refused"
    QString model;  // as the server named it in its answer
    qint64 latencyMs = -1;  // of that one-token chat completion
    std::optional<bool> modelListed;  // whether GET /models lists the model, when it answers
    QList<ConnectionCapability> capabilities;

    // One paragraph for the user: the model, the latency and what works, or the failure.
    QString summary() const;
};

// Test connection: a few tiny requests to an OpenAI-compatible endpoint, asynchronous (the
// network does not block the thread it lives in).
//  1. GET <url>/models, within connectTimeoutMs: no HTTP answer = "cannot connect to HOST:PORT";
//     401/403 = the key is refused; a redirect is reported, never followed (a key must not
//     follow it). Other statuses (404: no such route) go on.
//  2. POST <url>/chat/completions, one user message, max_tokens 1 (max_completion_tokens 1 when
//     the server asks for that, as OpenAI's reasoning models do): the model and the latency.
//  3. The same with temperature 0; with logprobs + top_logprobs 20 (works only when log-probs
//     come back); with a strict json_schema response_format. Each is the assessor's request
//     shape; "works" means the server took it (one token cannot show a schema is enforced).
// The key goes into every request's Authorization header when given and into no message.
class ConnectionTest : public QObject {
    Q_OBJECT

public:
    explicit ConnectionTest(QObject *parent = nullptr);
    ~ConnectionTest() override;

    // Abandons a test in progress (its report never comes) and starts a new one.
    void start(const QString &url, const QString &key, const QString &model);
    void cancel();
    bool isRunning() const { return m_reply != nullptr; }

    void setConnectTimeoutMs(int ms) { m_connectTimeoutMs = ms; }
    void setRequestTimeoutMs(int ms) { m_requestTimeoutMs = ms; }

Q_SIGNALS:
    void finished(const pcs::ConnectionReport &report);

private:
    enum class Step { Models, Plain, Temperature, Logprobs, JsonSchema };

    void send(Step step);
    void onFinished();
    void onTimeout();
    void handleModels(int status, const QJsonObject &json, const QString &problem);
    void handlePlain(int status, const QJsonObject &json, const QString &problem);
    void handleProbe(int status, const QJsonObject &json, const QString &problem);
    void finish();
    QJsonObject chatBody(Step step) const;
    QString scrubbed(QString text) const;
    QString keyHint(int status) const;  // for 401 and 403: whether a key was sent at all

    QNetworkAccessManager *m_network;
    QNetworkReply *m_reply = nullptr;
    QTimer m_timeout;
    QElapsedTimer m_clock;
    Step m_step = Step::Models;
    bool m_timedOut = false;
    bool m_maxCompletionTokens = false;  // the server wants max_completion_tokens
    QString m_url;
    QString m_key;
    QString m_model;
    ConnectionReport m_report;
    int m_connectTimeoutMs = 5000;
    int m_requestTimeoutMs = 60000;
};

}  // namespace pcs

Q_DECLARE_METATYPE(pcs::ConnectionReport)
