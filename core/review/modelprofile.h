#pragma once

#include "core/common/result.h"

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace pcs {

class QueueStore;
struct ServerError;

// What one model on one endpoint accepts in a Chat Completions body, learned from the 400s it
// answers and kept in the queue (property modelProfileKey()), plus what this run chooses to send.
//
// OpenAI's reasoning models (o-series, gpt-5, gpt-5-mini, gpt-5-nano) refuse temperature 0
// ("unsupported_value"), logprobs/top_logprobs and max_tokens ("unsupported_parameter", use
// max_completion_tokens); vLLM caps top_logprobs at its --max-logprobs and older guided-decoding
// backends (and OpenAI at the launch of Structured Outputs) refuse "minimum"/"maximum" in a JSON
// schema. Each refusal is learned once per endpoint and model (see adapt()), not per item.
struct ModelProfile {
    // Learned from the server (stored).
    bool temperatureAllowed = true;  // false: the body carries no temperature (the default)
    bool logprobsAllowed = true;  // false: no logprobs/top_logprobs (scores are the integers)
    int topLogprobsLimit = 20;  // the most top_logprobs the server takes
    bool maxCompletionTokens = false;  // the token limit goes as max_completion_tokens
    bool schemaRangesAllowed = true;  // false: minimum/maximum are left out of JSON schemas
    QStringList adaptations;  // what was learned, one sentence each, oldest first

    // Chosen for this run (never stored).
    std::optional<double> temperature = 0.0;  // nothing: none sent
    bool temperatureChosen = false;  // set by the user: never adapted away
    QString reasoningEffort;  // low|medium|high|minimal; empty: none sent

    bool operator==(const ModelProfile &) const = default;

    // The learned part ({"temperature": bool, "logprobs": bool, "top_logprobs_limit": N,
    // "token_limit_parameter": "max_tokens"|"max_completion_tokens", "schema_ranges": bool,
    // "adaptations": [...]}). fromJson keeps the defaults for what is missing or mistyped.
    QJsonObject toJson() const;
    static ModelProfile fromJson(const QJsonObject &json);

    // "temperature left out; no log-probs" — the learned differences from the defaults, for a
    // label; empty when there are none.
    QString summary() const;
};

// The body as this profile wants it sent. Only what the body already has is changed (a
// temperature is replaced by the chosen one or removed, logprobs removed or top_logprobs
// lowered, a max_tokens/max_completion_tokens renamed, minimum/maximum taken out of
// response_format's schema), except reasoning_effort, which is added when chosen.
QJsonObject applyModelProfile(QJsonObject body, const ModelProfile &profile);

// A 400 (or 422) that names a parameter of the body as unsupported or out of range.
struct ParameterComplaint {
    enum class Kind {
        None,  // not about a request parameter (e.g. the text is too long): the item's error
        Temperature,
        Logprobs,  // logprobs/top_logprobs refused altogether
        TopLogprobsLimit,  // top_logprobs above the server's maximum (maxAllowed)
        TokenLimit,  // max_tokens or max_completion_tokens refused
        SchemaRanges,  // minimum/maximum in the response_format's JSON schema refused
        ReasoningEffort,
        Other,  // another parameter of the body (kept in `parameter`)
    };
    Kind kind = Kind::None;
    QString parameter;
    int maxAllowed = -1;  // TopLogprobsLimit
};

// Reads OpenAI's error.param/error.code ("unsupported_parameter", "unsupported_value") and the
// messages vLLM, Groq and others send ("Unrecognized request argument supplied: X", pydantic's
// "Extra inputs are not permitted" at ('body', 'X'), "'X' is not supported with this model",
// "Requested sample logprobs of N, which is greater than max allowed: M", "The provided JSON
// schema contains features not supported by xgrammar.", "'minimum' is not permitted"), keeping
// only parameters that `sentBody` holds. A complaint about "messages" (a text too long) is None.
ParameterComplaint parameterComplaint(int httpStatus, const ServerError &error,
                                      const QJsonObject &sentBody);

// Changes the profile so that the complaint does not come again, and says how (one sentence,
// also appended to `adaptations`); nothing when it cannot: a value the user chose, reasoning
// effort (always the user's), another parameter, or nothing left to change.
std::optional<QString> adaptModelProfile(ModelProfile &profile, const ParameterComplaint &complaint,
                                         const QJsonObject &sentBody);

// "model_profile/<endpoint without trailing slashes>|<model>"
QString modelProfileKey(const QString &endpoint, const QString &model);

// The stored profile of this endpoint and model (defaults when none is stored).
Result<ModelProfile> loadModelProfile(QueueStore &store, const QString &endpoint,
                                      const QString &model);
Status storeModelProfile(QueueStore &store, const QString &endpoint, const QString &model,
                         const ModelProfile &profile);
// The stored profiles of `model` on any endpoint, by endpoint (for batch files, which name no
// endpoint).
Result<QList<QPair<QString, ModelProfile>>> storedProfilesOf(QueueStore &store,
                                                             const QString &model);

}  // namespace pcs

Q_DECLARE_METATYPE(pcs::ModelProfile)
