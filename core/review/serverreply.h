#pragma once

#include <QByteArray>
#include <QString>

#include <functional>
#include <optional>

namespace pcs {

// What an OpenAI-compatible server said when it refused a request, read from the error bodies
// the services actually send:
//   OpenAI, Groq, vLLM ≥ 0.10.1  {"error": {"message", "type", "param", "code"}}  (code: a string,
//                                or vLLM's HTTP status as an integer)
//   vLLM before 0.10.1           {"object": "error", "message", "type", "param", "code": 400}
//   wrapped twice                {"error": {"error": {"message", ...}}}
//   a bare string                {"error": "..."}
//   FastAPI validation           {"detail": "..."} or {"detail": [{"loc", "msg", ...}]}
//   anything else                its first 300 characters, as text
struct ServerError {
    QString message;
    QString type;
    QString code;  // as text: "insufficient_quota", "unsupported_value", "400"
    QString param;  // the request parameter the server names, if any
};
ServerError parseServerError(const QByteArray &body);

// A duration as the rate-limit headers write it: Go-style "1s", "6m0s", "20ms", "2m59.56s",
// "1h2m3s", or plain seconds ("60", "0.5"). Milliseconds, rounded up; nothing when unreadable.
std::optional<qint64> parseDurationMs(const QByteArray &text);

// Reads a reply's headers by lower-case name (empty when absent).
using HeaderLookup = std::function<QByteArray(const QByteArray &name)>;

// The wait a server asks for: retry-after-ms (OpenAI, Azure) first, being the finer one, then
// Retry-After as seconds or an HTTP date.
std::optional<qint64> retryAfterHintMs(const HeaderLookup &header);

// OpenAI's (and Groq's) rate-limit headers: x-ratelimit-remaining-requests/-tokens and
// x-ratelimit-reset-requests/-tokens (durations as parseDurationMs reads them).
struct RateLimitHeaders {
    std::optional<qint64> remainingRequests;
    std::optional<qint64> remainingTokens;
    std::optional<qint64> resetRequestsMs;
    std::optional<qint64> resetTokensMs;

    bool any() const
    {
        return remainingRequests || remainingTokens || resetRequestsMs || resetTokensMs;
    }
    // How long until the exhausted budget refills: the reset of the budget that is at 0 (the
    // later one if both are); nothing when neither is known to be exhausted.
    std::optional<qint64> waitForExhaustedMs() const;
};
RateLimitHeaders readRateLimitHeaders(const HeaderLookup &header);

// A wait named in the message itself: "Please try again in 4.77s" / "in 20ms" / "in 6m0s".
std::optional<qint64> messageRetryHintMs(const QString &message);

// A 429 (or Groq's 413) for one request larger than the whole per-minute budget: waiting never
// helps. OpenAI: "Request too large for gpt-4o … on tokens per min (TPM): Limit 30000,
// Requested 36278. The input or output tokens must be reduced …"; Groq: "Request too large for
// model `…` … Limit 7000, Requested 12903, please reduce your message size …". Also any
// "Limit N, Requested M" with M > N (an ordinary rate limit says "Limit N, Used U, Requested M"
// with M ≤ N).
bool isRequestTooLarge(const QString &message);

}  // namespace pcs
