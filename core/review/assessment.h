#pragma once

#include "core/review/criteria.h"
#include "core/review/queueitem.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace pcs {

// Why an assessment that was asked for log-probs has no probability-weighted score: the first
// word of Assessment::logprobNote ("code: explanation"). The score is then the integer the model
// wrote. Kept with the item (QueueItem::logprobNote) and counted by runs and `review status`.
namespace LogprobNote {
inline constexpr char kNotReturned[] = "not_returned";  // the answer came without log-probs
inline constexpr char kUnaligned[] = "unaligned";  // its tokens do not spell it, even as bytes
inline constexpr char kScoreNotFound[] = "score_not_found";  // no "score" number in the text
// The score's digits lie in a piece of unknown content, or where the pieces around them allow
// more than one placement.
inline constexpr char kScoreTokenUnknown[] = "score_token_unknown";
inline constexpr char kSplitDigits[] = "split_digits";  // digits over several tokens
inline constexpr char kNoValidAlternative[] = "no_valid_alternative";  // no alternative 0-100
// The code of a note ("unaligned" of "unaligned: ...").
QString codeOf(const QString &note);
}  // namespace LogprobNote

// Why an LLM assessment was sent without asking for log-probs (QueueItem::logprobStatus): the
// request side, where LogprobNote is the answer side. The score is the integer the model wrote.
namespace LogprobStatus {
inline constexpr char kNotRequested[] = "not_requested";  // the run wanted none
// The run wanted them, but the model refuses them (its ModelProfile), so they were left out.
inline constexpr char kNotAllowed[] = "not_allowed";
}  // namespace LogprobStatus

// The text is shown to the model between these tags; any occurrence of them inside the text is
// neutralised first (see neutralizeDocumentTags), so a text can neither close its data block
// early nor open a fake one.
inline constexpr char kDocumentOpenTag[] = "<document>";
inline constexpr char kDocumentCloseTag[] = "</document>";

// Replaces the '<' of every "<document" / "</document" (any case, spaces allowed after '<' and
// '/') with "&lt;", so the text keeps its meaning for a reader but holds no tag.
QString neutralizeDocumentTags(const QString &text);

// A Chat Completions request body (without "model", which the client adds) asking for the
// non-conformance score of `text`: a system message with the task, the principles, the scale and
// the rule that the document is data, never instructions; the few-shot examples as user/assistant
// turns; the text in a <document> block; a strict json_schema response format
// {reasoning: string, score: integer 0–100} (reasoning first, so the score follows from it);
// temperature 0; with `withLogprobs`, logprobs true and top_logprobs 20.
QJsonObject assessmentRequestBody(const Criteria &criteria, const QString &text, bool withLogprobs);

// An assessor's answer: a score, or an error code and message, never both.
struct Assessment {
    // Non-conformance 0–100. With logprobs, the probability-weighted expected score (so it may be
    // fractional); otherwise the integer the model wrote.
    std::optional<double> score;
    QString reasoning;
    // With logprobs: the probability mass of the valid scores the expectation was taken over (or
    // of the chosen number's tokens when its digits span several tokens). Empty without logprobs.
    std::optional<double> logprobCoverage;
    // Why there is no score (ResponseError, queueitem.h; an answer with an error never carries a
    // score), none when ok.
    std::optional<ResponseError> errorCode;
    QString errorMessage;
    // Why the score is not the probability-weighted one, as "code: explanation" (LogprobNote),
    // or empty. kNotReturned is set whenever the answer has no log-probs: callers that did not
    // ask for them drop it.
    QString logprobNote;

    bool ok() const { return score.has_value() && !errorCode; }
};

// Parses a Chat Completions response to assessmentRequestBody(). Checks, in order: api_error,
// no_choices, refusal, truncated, content_filter, invalid_json, missing_score, out_of_range
// (a JSON number that is not an integer 0–100, or a string such as "80"), empty_reasoning (the
// score is conditioned on the reasoning written before it, and reviewers are shown it, so a
// blank one marks a degenerate answer), invalid_logprobs (below).
//
// Logprobs (choices[0].logprobs.content, when present): the tokens are placed on the UTF-8 bytes
// of the content (placeTokensOnBytes: a token's `bytes` when given; U+FFFD, empty and escaped
// pieces as bytes of unknown content, anchored by the known tokens around them), so an emoji, a
// CJK character or a curly quote in the reasoning changes nothing. The token holding the score's
// first digit is found by scanning the content's top-level JSON for the "score" key. If the
// whole number lies in that one token (OpenAI tokenizers put up to three digits in one token),
// every top_logprobs alternative at that token which reads as an integer 0–100 (with the chosen
// token's surrounding text, e.g. a leading space) is a complete score, and
// score = Σ p·value / Σ p, coverage = Σ p. Should no alternative be valid, the parsed integer is
// kept with coverage 0. If the digits span several tokens (per-digit tokenizers: "8", "5"), the
// alternatives at the first digit are only first digits and their conditional continuations are
// unknown, so the parsed integer is kept with coverage = the joint probability of the chosen
// digit tokens. If the tokens cannot be placed, logprobs are ignored (coverage empty). Whenever
// the expectation is not used, logprobNote says why.
// Log-probs whose expectation or coverage is not a finite number (a logprob so far above 0 that
// its probability overflows) are invalid_logprobs: an error, never a score. The integer the model
// wrote is not used instead either: the answer it came with is corrupt, and a failed assessment
// must stay visible (it is retried or reviewed), never pass as conforming.
Assessment parseAssessmentResponse(const QJsonObject &chatCompletion);

// A request to rewrite `text` so that it conforms: the system message holds the principles and
// revision guidance; the user message the assessor's reasoning (in an <assessment> block) and
// the text (in a <document> block), both data. Strict json_schema {critique, revised_text}:
// the critique is written first, so the rewrite follows from it. Temperature 0.
QJsonObject revisionRequestBody(const Criteria &criteria, const QString &text,
                                const QString &assessmentReasoning);

struct Revision {
    QString critique;
    QString revisedText;
    // Why there is no revision (ResponseError), none when ok. RequestFailed when the request
    // itself failed (AssessmentRecorder::parseRevision): requestErrorCode then says how.
    std::optional<ResponseError> errorCode;
    QString requestErrorCode;  // the client's code (ChatResponse::errorCode), with RequestFailed
    QString errorMessage;

    bool ok() const { return !errorCode && !revisedText.trimmed().isEmpty(); }
};

// Errors: api_error, no_choices, refusal, truncated, content_filter, invalid_json,
// empty_revised_text. A missing or non-string critique is invalid_json; an empty one is allowed.
Revision parseRevisionResponse(const QJsonObject &chatCompletion);

}  // namespace pcs
