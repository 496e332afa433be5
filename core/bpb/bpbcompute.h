#pragma once

#include "common/result.h"
#include "review/llmclient.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace pcs {

// Computes a BPB matrix (texts x LLMs) from OpenAI-compatible completions servers.
//
// Definition: BPB(text, llm) = -sum(ln p(token)) / (ln 2 * UTF-8 bytes of the whole text).
// The sum runs over the text's tokens that have a conditional log-probability: the first token
// of the text has none (vLLM's prompt_logprobs and OpenAI's echo give null for it) and is left
// out of the sum, while the denominator counts the bytes of the whole text. A BOS token the
// server prepends is that null first entry, and then every real token is counted.
//
// Request (one per window): POST <baseUrl>/completions with
//   {"model", "prompt": window, "max_tokens": 1, "temperature": 0,
//    "prompt_logprobs": 0, "echo": true, "logprobs": 0}
// The generated token is ignored. Answers are read as:
//  1. vLLM: choices[0].prompt_logprobs = [null, {"<token id>": {"logprob", "rank",
//     "decoded_token"}}, ...]. prompt_logprobs = 0 asks for no alternatives, so each position has
//     one entry: the prompt's own token. When a position has several entries (a server that
//     adds alternatives), the one with the largest "rank" is taken (vLLM adds the prompt token
//     after the top-k when it is not among them); that is exact only with one entry.
//  2. OpenAI legacy echo: choices[0].logprobs.token_logprobs (null first) with "tokens"; its tail
//     holds the generated token(s) (usage.completion_tokens of them, else 1) which are dropped.
// A server answering neither fails with "the server returned no prompt log-probabilities: it
// needs vLLM's prompt_logprobs or echo+logprobs".
//
// The sender is LlmClient (bounded concurrency, retries on 429/5xx honouring Retry-After, a
// deadline). It posts to baseUrl + "/chat/completions"; to reach /completions without changing
// it, the base URL given to it is "<baseUrl>/completions?_=" so that the request URL becomes
// "<baseUrl>/completions?_=/chat/completions" (an ignored query parameter). Base URLs that
// already carry a query string are therefore not supported.
//
// Long texts (approximation): a text is cut into scored parts of at most windowChars UTF-16
// characters, cut at the last whitespace inside the window when there is one (never inside a
// surrogate pair). Scored parts do not overlap. Each window after the first is sent with up to
// overlapChars characters of preceding context; only tokens that start inside the scored part
// are summed. Token start offsets are found from the end of the prompt by summing the lengths of
// the token texts (decoded_token / tokens), which tolerates an unknown first token. This is
// approximate where a token straddles the context/scored boundary (it is dropped) and where token
// texts are not exact (byte-level pieces of multi-byte characters). With overlapChars = 0 the
// first token of every window has no log-probability and is lost.
//
// Resumable: results go to an SQLite store (WAL) keyed by (llm name, text id) with the summed
// log-prob, the UTF-8 bytes and a fingerprint of text + window settings; a rerun sends only what
// is missing (or whose text or settings changed).

struct BpbText {
    QString id;
    QString text;
};

struct BpbModel {
    QString name;  // column name; empty = "<model>@<baseUrl>"
    LlmEndpoint endpoint;  // baseUrl such as http://127.0.0.1:8000/v1, model, apiKey
};

struct BpbComputeOptions {
    int windowChars = 8000;
    int overlapChars = 1000;
    QString storePath;  // SQLite file; empty = not resumable (an in-memory store)
    ClientLimits limits;
};

struct BpbComputeStats {
    int requestsSent = 0;  // windows whose answer arrived (ok or not) in this run
    int textsFromStore = 0;  // (llm, text) cells already in the store
    int textsComputed = 0;  // cells computed in this run
};

struct ComputedBpb {
    QStringList llms;
    QStringList ids;
    std::vector<double> values;  // row-major: ids.size() x llms.size()
    double at(qsizetype row, qsizetype column) const
    {
        return values[size_t(row * llms.size() + column)];
    }
};

// A window of a text: characters [contextStart, end) are sent, [scoredStart, end) are scored.
struct BpbWindow {
    qsizetype contextStart = 0;
    qsizetype scoredStart = 0;
    qsizetype end = 0;
};

// The log-probabilities summed from one answer.
struct BpbWindowScore {
    double logprobSum = 0;
    qint64 tokens = 0;
};

QString bpbLlmName(const BpbModel &model);
std::vector<BpbWindow> bpbWindows(const QString &text, int windowChars, int overlapChars);
// Sums the prompt log-probabilities in `body` for the tokens that start at or after
// `contextLength` characters of a prompt of `promptLength` characters.
Result<BpbWindowScore> scoreCompletionsAnswer(const QJsonObject &body, qsizetype promptLength,
                                              qsizetype contextLength);

// Reads JSON Lines: one object per line with a string `textField` and an `idField` (string or
// number; when absent the 1-based line number). Blank lines are skipped; empty texts, duplicate
// ids and bad lines are errors.
Result<std::vector<BpbText>> readBpbTexts(const QString &path, const QString &textField = "text",
                                          const QString &idField = "id");

// Computes (or takes from the store) every cell. Runs a local event loop: call it from a thread
// that has none running for it (the CLI's main thread, a test). `progress` (optional) gets
// (cells done, cells total) lines as they arrive.
Result<ComputedBpb> computeBpbMatrix(const std::vector<BpbText> &texts,
                                     const std::vector<BpbModel> &models,
                                     const BpbComputeOptions &options,
                                     BpbComputeStats *stats = nullptr,
                                     const std::function<void(int, int)> &progress = {});

// The package's text-rows layout: `id,"<llm1>","<llm2>"` then one row per text, values in
// std::to_chars shortest form.
QByteArray bpbMatrixCsv(const ComputedBpb &matrix);

}  // namespace pcs
