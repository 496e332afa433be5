#pragma once

#include "core/common/result.h"
#include "core/io/bpbmatrix.h"
#include "core/review/llmclient.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
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
// Request (one per window): POST <baseUrl>/completions, in the shape the model's `api` needs:
//   vllm:          {"model", "prompt": window, "max_tokens": 1, "temperature": 0,
//                   "prompt_logprobs": 0}   (vLLM's own extension; no other server has it)
//   openai-legacy: {"model", "prompt": window, "max_tokens": 1, "temperature": 0,
//                   "echo": true, "logprobs": 1}   (the legacy Completions API: echo returns the
//                   prompt's tokens with their log-probs; logprobs 1 rather than 0 because some
//                   servers take 0 for "off"; max_tokens 1 because not every server accepts 0.
//                   As lm-evaluation-harness asks for loglikelihoods. OpenAI itself refuses
//                   echo with logprobs on gpt-3.5-turbo-instruct and has no other completions
//                   model that gives them but davinci-002 and babbage-002.)
//   vllm-chat:     POST <baseUrl>/chat/completions {"model", "messages": [{"role": "user",
//                   "content": window}], "chat_template": kBpbRawTextChatTemplate,
//                   "add_generation_prompt": false, "add_special_tokens": true,
//                   "max_completion_tokens": 1, "temperature": 0, "prompt_logprobs": 0}
//                   (vLLM's chat extensions: the template renders the window alone, and the
//                   tokenizer adds its BOS as /completions does, so the prompt's tokens are the
//                   same; the answer carries "prompt_logprobs" beside "choices". For `vllm
//                   run-batch`, which runs /v1/chat/completions but not /v1/completions.)
// The generated token is ignored. Answers are read as (whichever the server gave):
//  1. vLLM: choices[0].prompt_logprobs = [null, {"<token id>": {"logprob", "rank",
//     "decoded_token"}}, ...]. prompt_logprobs = 0 asks for no alternatives, so each position has
//     one entry: the prompt's own token. When a position has several entries (a server that
//     adds alternatives), the one with the largest "rank" is taken (vLLM adds the prompt token
//     after the top-k when it is not among them); that is exact only with one entry.
//  2. Legacy echo: choices[0].logprobs.token_logprobs (null first) with "tokens"; its tail holds
//     the generated token(s) (usage.completion_tokens of them, else 1) which are dropped.
//     "text_offset" is not used to place tokens: vLLM computes it by summing the token strings'
//     lengths, the very thing that goes wrong with byte pieces (below).
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
// are summed. Tokens are placed on the window's UTF-8 bytes (placeTokensOnBytes in
// review/tokenbytes.h): byte pieces of a multi-byte character, which servers spell as U+FFFD,
// "" or "bytes:\xe4\xb8", are anchored by the known tokens around them instead of being
// counted as characters. This is approximate only where a token straddles the context/scored
// boundary (it is dropped), or where the pieces leave a token's start undecided on both sides
// of it (dropped too). With overlapChars = 0 the first token of every window has no
// log-probability and is lost.
//
// Resumable: results go to an SQLite store (WAL) keyed by (llm name, text id) with the summed
// log-prob, the UTF-8 bytes and a fingerprint of text + window settings (+ the byte placement,
// for texts of several windows: cells placed by the older character sums are computed again); a
// rerun sends only what is missing (or whose text or settings changed). The request shape is not
// in the fingerprint: both give the same model's log-probs.

struct BpbText {
    QString id;
    QString text;
};

// How the server is asked for the prompt's log-probs (see above).
enum class BpbApi { Vllm, OpenAiLegacy, VllmChat };
QString bpbApiName(BpbApi api);  // "vllm", "openai-legacy", "vllm-chat"
std::optional<BpbApi> bpbApiFromName(const QString &name);

struct BpbModel {
    QString name;  // column name; empty = "<model>@<baseUrl>"
    LlmEndpoint endpoint;  // baseUrl such as http://127.0.0.1:8000/v1, model, apiKey
    BpbApi api = BpbApi::Vllm;
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

// The chat template of vllm-chat: the first message's text, nothing around it.
inline constexpr char kBpbRawTextChatTemplate[] = "{{ messages[0]['content'] }}";

QString bpbLlmName(const BpbModel &model);
std::vector<BpbWindow> bpbWindows(const QString &text, int windowChars, int overlapChars);
// The request body for one window (/completions, or /chat/completions for vllm-chat).
QJsonObject bpbRequestBody(BpbApi api, const QString &model, const QString &prompt);
// The URL path of that request relative to the server's root: /v1/completions or
// /v1/chat/completions (as a Batch API line's "url").
QString bpbRequestUrl(BpbApi api);
// Sums the prompt log-probabilities in `body` (choices[0].prompt_logprobs, or beside the choices
// as vLLM's chat answers put them, or the legacy echo) for the tokens that start at or after the
// first `contextLength` characters of `prompt` (placed on its UTF-8 bytes).
Result<BpbWindowScore> scoreCompletionsAnswer(const QJsonObject &body, const QString &prompt,
                                              qsizetype contextLength);

// Reads JSON Lines: one object per line with a string `textField` and an `idField` (string or
// number; when absent the 1-based line number). Blank lines are skipped; empty texts, duplicate
// ids and bad lines are errors.
Result<std::vector<BpbText>> readBpbTexts(const QString &path,
                                          const QString &textField = QStringLiteral("text"),
                                          const QString &idField = QStringLiteral("id"));

// A text's BPB from its windows' scores: their log-prob sums added in window order (so that
// every path that computes it gives the same double), over ln 2 x the text's UTF-8 bytes.
double bpbFromWindowSums(const std::vector<double> &windowSums, qint64 utf8Bytes);

// Computes (or takes from the store) every cell. Runs a local event loop: call it from a thread
// that has none running for it (the CLI's main thread, a test). `progress` (optional) gets
// (cells done, cells total) lines as they arrive.
// The matrix: LLMs x texts, column names bpbLlmName(), text names the ids.
Result<BpbMatrix> computeBpbMatrix(const std::vector<BpbText> &texts,
                                   const std::vector<BpbModel> &models,
                                   const BpbComputeOptions &options,
                                   BpbComputeStats *stats = nullptr,
                                   const std::function<void(int, int)> &progress = {});

}  // namespace pcs
