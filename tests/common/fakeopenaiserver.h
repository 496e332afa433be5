#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

class QTcpServer;
class QTcpSocket;

namespace pcs::test {

// A scripted OpenAI-compatible server for tests: HTTP/1.1 with keep-alive on 127.0.0.1 at an
// ephemeral port, answering POST /v1/chat/completions. Runs in the test's thread and event loop.
//
// What it answers is chosen by markers in the text of the last user message (the "script key";
// string content or the concatenated text parts):
//   (none)           200, a well-formed completion (below) with score 10
//   [[score=NN]]     the score in the answer (any integer, negative too)
//   [[range]]        score 1000: out of any sane scale
//   [[refusal]]      200, message.content null and message.refusal set, finish_reason "stop"
//   [[truncated]]    200, finish_reason "length", content cut in the middle of the JSON
//   [[logprobs]]     200, with choices[0].logprobs (shape below)
//   [[malformed]]    200 with a body that is not JSON
//   [[slow]]         a well-formed answer after slowDelayMs() (default 5000 ms) on top of latency
//   [[429]]          the first request for this key: 429 with "Retry-After: 1"; then success
//   [[429ms]]        the first request for this key: 429 with "retry-after-ms: 200"; then success
//   [[quota]]        always 429 {"error":{"code":"insufficient_quota","type":"insufficient_quota"}}
//   [[500]] [[503]]  always that status with an OpenAI-style error body
//   [[status=NNN]]   always that status; a 401 echoes the received Authorization header in its
//                    message, as a test of the client's scrubbing
//   [[flaky-N]]      the first N requests for this key get 503, later ones succeed
//   [[too-large]]    always OpenAI's 429 for one request above the tokens-per-minute limit
//                    ("Request too large for gpt-4o … Limit 30000, Requested 36278 …", type
//                    "tokens", code "rate_limit_exceeded"), with retry-after-ms: 20
//   [[groq-too-large]] always Groq's 429 "Request too large for model `llama-3.1-8b-instant` …
//                    Limit 7000, Requested 12903, please reduce your message size …", retry-after:
//                    7
//   [[rate-limit-long]] always a 429 rate limit with Retry-After: 3600
//   [[ratelimit-reset]] the first request for this key: a 429 (type "requests") with no
//                    Retry-After but x-ratelimit-remaining-requests: 0 and
//                    x-ratelimit-reset-requests: 300ms; then success
//   [[vllm-old-error]] always 400 in vLLM's pre-0.10.1 shape {"object": "error", "message",
//                    "type": "BadRequestError", "param": null, "code": 400}
//   [[vllm-error]]   always 400 in vLLM's current shape {"error": {..., "code": 400}}
//   [[vllm-nested-error]] always 400 {"error": {"error": {"message", ...}}}
//   [[string-error]] always 400 {"error": "a plain string"}
//   [[redirect=NNN]] a POST to /v1/chat/completions gets status NNN with Location:
//                    redirectLocation() (default /v1/moved/chat/completions, the same origin;
//                    empty: no redirect), which is answered like /v1/chat/completions
// Without a marker a custom default responder (setDefaultResponder) answers, if set.
//
// Services (setService), checked before the markers:
//   OpenAi           as above; a reasoning_effort gets 400 "Unrecognized request argument
//                    supplied: reasoning_effort"
//   OpenAiReasoning  OpenAI's reasoning models (o-series, gpt-5*): 400 for a temperature other
//                    than 1 (code "unsupported_value", param "temperature": "Unsupported value:
//                    'temperature' does not support 0 with this model. Only the default (1) value
//                    is supported."), for logprobs / top_logprobs / max_tokens (code
//                    "unsupported_parameter", "Unsupported parameter: 'logprobs' is not supported
//                    with this model.", max_tokens adds "Use 'max_completion_tokens' instead."),
//                    and a reasoning_effort not in setReasoningEfforts (unsupported_value)
//   VllmOld          vLLM before 0.10.1 with xgrammar: 400 in the old shape for a response_format
//                    schema with minimum/maximum ("The provided JSON schema contains features not
//                    supported by xgrammar.") and for top_logprobs above setVllmMaxLogprobs
//                    ("Requested sample logprobs of N, which is greater than max allowed: M");
//                    answers with log-probs whenever asked (their top_logprobs cut to the count)
// Every reply carries x-request-id: req_fake_<n> (n counts requests from 1); setReplyHook can
// change any reply (add rate-limit headers, say) before it goes out.
// A revision request (response_format json_schema named "revision") always gets
//   {"critique": "Scripted critique.", "revised_text": "A calmer, accurate rewrite."}.
//
// Well-formed answer:
//   {"id": "chatcmpl-fake-K", "object": "chat.completion", "created": T, "model": <request's>,
//    "choices": [{"index": 0, "message": {"role": "assistant", "content": CONTENT, "refusal":
//    null},
//                 "logprobs": null, "finish_reason": "stop"}],
//    "usage": {"prompt_tokens": P, "completion_tokens": C, "total_tokens": P + C}}
//   CONTENT = {"reasoning": "Scripted reasoning.", "score": S} (with those spaces),
//   P = 10 + request body bytes / 100, C = CONTENT bytes / 4 (at least 1).
// Logprobs ([[logprobs]]): choices[0].logprobs = {"content": [TOKEN...], "refusal": null}, whose
//   "token" strings concatenate to CONTENT exactly: `{"` `reasoning` `":` ` "`
//   `Scripted reasoning.` `",` ` "` `score` `":` ` ` `S` `}` (S as one token of its decimal
//   digits). TOKEN = {"token", "logprob", "bytes": [its UTF-8 bytes], "top_logprobs": [...]}.
//   The score token has logprob ln 0.6 and top_logprobs [{S, ln 0.6}, {S+1, ln 0.3},
//   {S+2, ln 0.1}] (each {"token", "logprob", "bytes"}), so [[score=7]] gives "7" 0.6, "8" 0.3,
//   "9" 0.1; every other token has logprob 0 and top_logprobs [itself with 0].
// Truncated ([[truncated]]): CONTENT cut after its first 20 characters.
// Byte pieces ([[pieces=STYLE]], STYLE fffd, perbyte, empty, escaped or garbled): CONTENT is
//   {"reasoning": "It says “act now” 中 🙂.", "score": S} and its log-probs split the curly
//   quotes, the CJK character and the emoji into byte pieces, spelled as vLLM (fffd: one U+FFFD
//   per undecodable run), Ollama (perbyte: one per byte), an incremental detokeniser (empty: ""
//   until the character is whole) or OpenAI/DeepSeek (escaped: "\xe2\x80" with the real
//   "bytes") spell them; the score token as with [[logprobs]] (expected score S + 0.5).
//   garbled: fffd pieces whose count does not fit the text, so nothing can place them.
//
// Legacy completions (POST /v1/completions, for BPB): the prompt is the script key. It is split
// into tokens of leading whitespace + one word (regex \s*\S+, trailing whitespace its own
// token); each token's logprob is -0.1 x its non-space characters, the first token's is null.
// A CJK character (U+3040-U+9FFF) is a token of its own (with the whitespace before it), split
// into byte pieces by its code point c as real byte-level tokenizers split rarer characters:
// c % 3 == 0 one piece; 1: two pieces (all but the last byte, the last byte); 2: three pieces
// (whitespace + lead byte, each continuation byte). See completionPieces() for their logprobs.
// The answer has choices[0].text "x" and, when the body has "prompt_logprobs", vLLM's
// choices[0].prompt_logprobs = [null, {"<id>": {"logprob", "rank": 1, "decoded_token"}}, ...]
// (split pieces spelled as vLLM spells them: two-piece characters as U+FFFD pieces, three-piece
// ones as "", "" and then the whole character); with setCompletionsLegacyOnly(true) instead, or
// when the body has "echo" true and no "prompt_logprobs", OpenAI's legacy choices[0].logprobs
// {"tokens", "token_logprobs" (null first), "text_offset"} covering the prompt and one generated
// token " x" (logprob -5), usage.completion_tokens 1; split pieces are spelled "bytes:\xe4\xb8"
// and text_offset sums the token strings' lengths (as vLLM computes it).
//   [[noprompt]]     no prompt log-probabilities at all
// setCompletionsFailAfter(N): completions requests after the first N get 400 (not retried).
//
// GET /v1/models: {"object": "list", "data": [{"id", "object": "model", "owned_by"}]} listing
// setModels() (default: none). authorizationHeaders() gives the Authorization header each
// request came with, so that tests can see which key went where.
class FakeOpenAiServer : public QObject {
    Q_OBJECT

public:
    struct ReceivedRequest {
        QByteArray method;
        QByteArray path;
        QHash<QByteArray, QByteArray> headers;  // names in lower case
        QByteArray body;
        QJsonObject json;
        QString scriptKey;  // the last user message's text
        qint64 arrivalMs = 0;  // since the server started
        int concurrentAtArrival = 0;  // requests being answered, this one included
        int number = 0;  // 1-based, in arrival order (also in x-request-id)
    };
    struct ScriptedReply {
        int status = 200;
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
        int extraDelayMs = 0;  // on top of the base latency
    };
    using Responder = std::function<ScriptedReply(const ReceivedRequest &)>;
    using ReplyHook = std::function<void(const ReceivedRequest &, ScriptedReply &)>;
    enum class Service { OpenAi, OpenAiReasoning, VllmOld };

    explicit FakeOpenAiServer(QObject *parent = nullptr);
    ~FakeOpenAiServer() override;

    bool listen();  // 127.0.0.1, ephemeral port
    QString url() const;  // http://127.0.0.1:PORT/v1

    void setBaseLatencyMs(int ms) { m_baseLatencyMs = ms; }
    void setSlowDelayMs(int ms) { m_slowDelayMs = ms; }
    int slowDelayMs() const { return m_slowDelayMs; }
    void setDefaultResponder(Responder responder) { m_defaultResponder = std::move(responder); }
    void setReplyHook(ReplyHook hook) { m_replyHook = std::move(hook); }
    void setService(Service service) { m_service = service; }
    void setVllmMaxLogprobs(int count) { m_vllmMaxLogprobs = count; }
    void setReasoningEfforts(QStringList efforts) { m_reasoningEfforts = std::move(efforts); }
    void setRedirectLocation(QString location) { m_redirectLocation = std::move(location); }
    const QString &redirectLocation() const { return m_redirectLocation; }
    void setCompletionsLegacyOnly(bool legacy) { m_completionsLegacyOnly = legacy; }
    void setCompletionsFailAfter(int requests) { m_completionsFailAfter = requests; }
    int completionsRequests() const { return m_completionsRequests; }
    // The scripted tokens of a prompt (see above) and their logprobs (first one NaN = null).
    static QStringList completionTokens(const QString &prompt);
    static double completionTokenLogprob(const QString &token);
    // The pieces the /completions answers are made of: each token, or its byte pieces. A whole
    // token's logprob is completionTokenLogprob(); piece k (0-based) of a split character has
    // -0.05 x (k + 1) - 0.01 x its bytes. The first piece of the prompt has none (null).
    struct CompletionPiece {
        QByteArray bytes;
        double logprob = 0;
        QString vllmText;  // decoded_token
        QString legacyText;  // the legacy "tokens" entry
    };
    static QList<CompletionPiece> completionPieces(const QString &prompt);
    // The 200 answer body to a prompt log-probs request (as above: the /v1/completions shapes;
    // and vLLM's chat shape, a body with "messages" and "prompt_logprobs", answered with
    // "prompt_logprobs" beside the choices, its prompt the first message's content when
    // "chat_template" is bpb's raw-text template with add_generation_prompt false, else that
    // content wrapped in "<|user|>\n" ... "<|assistant|>\n"); `legacyOnly` as
    // setCompletionsLegacyOnly. The live server answers with it; a batch stand-in can too.
    static QJsonObject promptLogprobsAnswer(const QJsonObject &request, bool legacyOnly = false);

    void setModels(const QStringList &ids) { m_models = ids; }
    // The Authorization header of each request received, in order (empty when it had none).
    QList<QByteArray> authorizationHeaders() const;

    int totalRequests() const { return int(m_received.size()); }
    int requestsFor(const QString &scriptKey) const { return m_requestsPerKey.value(scriptKey); }
    int maxConcurrent() const { return m_maxConcurrent; }  // requests received, not yet answered
    int connectionsAccepted() const { return m_connectionsAccepted; }
    const QList<ReceivedRequest> &received() const { return m_received; }
    void resetStats();

    // A well-formed Chat Completions body whose content is {"reasoning": ..., "score": score}.
    enum class AnswerShape { Plain, WithLogprobs, Refusal, Truncated };
    static QByteArray completionBody(int score, const QString &model, qint64 promptTokens,
                                     AnswerShape shape = AnswerShape::Plain, int topLogprobs = 3);
    static QByteArray errorBody(const QString &message, const QString &type, const QString &code);
    // The [[pieces=STYLE]] answer (see above).
    static QByteArray piecedCompletionBody(int score, const QString &model, qint64 promptTokens,
                                           const QString &style);

Q_SIGNALS:
    void requestReceived(int total);

private:
    struct Connection;

    void onNewConnection();
    void processBuffered(Connection *connection);
    void respond(Connection *connection, const ReceivedRequest &request);
    ScriptedReply scriptedReply(const ReceivedRequest &request);
    std::optional<ScriptedReply> serviceReply(const ReceivedRequest &request) const;

    QTcpServer *m_server = nullptr;
    QElapsedTimer m_clock;
    int m_baseLatencyMs = 0;
    int m_slowDelayMs = 5000;
    Responder m_defaultResponder;
    ReplyHook m_replyHook;
    Service m_service = Service::OpenAi;
    int m_vllmMaxLogprobs = 5;
    QStringList m_reasoningEfforts { QStringLiteral("low"), QStringLiteral("medium"),
                                     QStringLiteral("high"), QStringLiteral("minimal") };
    QString m_redirectLocation = QStringLiteral("/v1/moved/chat/completions");
    QList<ReceivedRequest> m_received;
    QHash<QString, int> m_requestsPerKey;
    int m_concurrent = 0;
    int m_maxConcurrent = 0;
    int m_connectionsAccepted = 0;
    ScriptedReply completionsReply(const ReceivedRequest &request);
    bool m_completionsLegacyOnly = false;
    int m_completionsFailAfter = -1;
    int m_completionsRequests = 0;
    QStringList m_models;
    ScriptedReply modelsReply() const;
};

}  // namespace pcs::test
