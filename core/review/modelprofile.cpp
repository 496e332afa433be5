#include "core/review/modelprofile.h"

#include "core/review/queuestore.h"
#include "core/review/serverreply.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>

namespace pcs {

namespace {

const QString kTemperature = QStringLiteral("temperature");
const QString kLogprobs = QStringLiteral("logprobs");
const QString kTopLogprobs = QStringLiteral("top_logprobs");
const QString kMaxTokens = QStringLiteral("max_tokens");
const QString kMaxCompletionTokens = QStringLiteral("max_completion_tokens");
const QString kResponseFormat = QStringLiteral("response_format");
const QString kReasoningEffort = QStringLiteral("reasoning_effort");
const QString kMessages = QStringLiteral("messages");
const QString kProfilePrefix = QStringLiteral("model_profile/");

const QStringList &rangeKeywords()
{
    static const QStringList keywords { QStringLiteral("minimum"), QStringLiteral("maximum"),
                                        QStringLiteral("exclusiveMinimum"),
                                        QStringLiteral("exclusiveMaximum") };
    return keywords;
}

// A JSON schema without numeric range keywords, at any depth. Only schema positions are
// visited, so a property that happens to be called "minimum" keeps its name.
QJsonValue withoutRanges(const QJsonValue &schemaValue, bool *removed)
{
    if (!schemaValue.isObject())
        return schemaValue;
    QJsonObject schema = schemaValue.toObject();
    for (const QString &keyword : rangeKeywords()) {
        if (schema.contains(keyword)) {
            schema.remove(keyword);
            *removed = true;
        }
    }
    for (const char *mapKey : { "properties", "$defs", "definitions", "patternProperties" }) {
        const QString key = QString::fromLatin1(mapKey);
        if (!schema.value(key).isObject())
            continue;
        QJsonObject map = schema.value(key).toObject();
        for (auto it = map.begin(); it != map.end(); ++it)
            it.value() = withoutRanges(it.value(), removed);
        schema.insert(key, map);
    }
    for (const char *arrayKey : { "anyOf", "oneOf", "allOf", "prefixItems" }) {
        const QString key = QString::fromLatin1(arrayKey);
        if (!schema.value(key).isArray())
            continue;
        QJsonArray array = schema.value(key).toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            array[i] = withoutRanges(array.at(i), removed);
        schema.insert(key, array);
    }
    for (const char *schemaKey : { "items", "additionalProperties", "not" }) {
        const QString key = QString::fromLatin1(schemaKey);
        if (schema.value(key).isObject())
            schema.insert(key, withoutRanges(schema.value(key), removed));
    }
    return schema;
}

// The response_format with its JSON schema's ranges removed; `removed` says whether any were.
QJsonObject responseFormatWithoutRanges(QJsonObject format, bool *removed)
{
    QJsonObject jsonSchema = format.value(QLatin1String("json_schema")).toObject();
    if (!jsonSchema.contains(QLatin1String("schema")))
        return format;
    jsonSchema.insert(QStringLiteral("schema"),
                      withoutRanges(jsonSchema.value(QLatin1String("schema")), removed));
    format.insert(QStringLiteral("json_schema"), jsonSchema);
    return format;
}

bool sentSchemaHasRanges(const QJsonObject &sentBody)
{
    bool removed = false;
    responseFormatWithoutRanges(sentBody.value(kResponseFormat).toObject(), &removed);
    return removed;
}

QString numberText(const QJsonValue &value)
{
    return value.isDouble() ? QString::number(value.toDouble()) : value.toVariant().toString();
}

bool soundsUnsupported(const QString &message)
{
    static const QRegularExpression words(
        QStringLiteral("not supported|unsupported|not permitted|not allowed|does not support|"
                       "not enabled|unrecognized|extra inputs|extra_forbidden|not available"),
        QRegularExpression::CaseInsensitiveOption);
    return words.match(message).hasMatch();
}

// The body key a message names as unsupported, in the forms servers write it.
QString namedInMessage(const QString &message, const QJsonObject &sentBody)
{
    static const QList<QRegularExpression> patterns {
        QRegularExpression(QStringLiteral(R"(unrecognized request argument supplied:\s*(\w+))"),
                           QRegularExpression::CaseInsensitiveOption),
        QRegularExpression(QStringLiteral(R"(['"]loc['"]:\s*[\(\[]['"]body['"],\s*['"](\w+)['"])")),
        QRegularExpression(QStringLiteral(R"(unsupported (?:parameter|value):\s*['"`]?(\w+))"),
                           QRegularExpression::CaseInsensitiveOption),
        QRegularExpression(
            QStringLiteral(R"(['"`](\w+)['"`]\s+(?:is |are )?(?:not |un)(?:supported|)"
                           R"(allowed|permitted|enabled))"),
            QRegularExpression::CaseInsensitiveOption),
        QRegularExpression(
            QStringLiteral(R"(does not support (?:the )?['"`]?(\w+)['"`]?(?: parameter)?)"),
            QRegularExpression::CaseInsensitiveOption),
    };
    for (const QRegularExpression &pattern : patterns) {
        const QRegularExpressionMatch match = pattern.match(message);
        if (match.hasMatch() && sentBody.contains(match.captured(1)))
            return match.captured(1);
    }
    if (!soundsUnsupported(message))
        return {};
    // "logprobs is not supported with this model": a bare name. Longer names first, so that
    // top_logprobs is not read as logprobs.
    QStringList keys = sentBody.keys();
    std::sort(keys.begin(), keys.end(),
              [](const QString &a, const QString &b) { return a.size() > b.size(); });
    for (const QString &key : std::as_const(keys)) {
        if (key == kMessages || key == QLatin1String("model"))
            continue;
        const QRegularExpression word(
            QStringLiteral("(?<![\\w])%1(?![\\w])").arg(QRegularExpression::escape(key)),
            QRegularExpression::CaseInsensitiveOption);
        if (word.match(message).hasMatch())
            return key;
    }
    return {};
}

}  // namespace

QJsonObject ModelProfile::toJson() const
{
    QJsonObject json { { QStringLiteral("temperature"), temperatureAllowed },
                       { QStringLiteral("logprobs"), logprobsAllowed },
                       { QStringLiteral("top_logprobs_limit"), topLogprobsLimit },
                       { QStringLiteral("token_limit_parameter"),
                         maxCompletionTokens ? kMaxCompletionTokens : kMaxTokens },
                       { QStringLiteral("schema_ranges"), schemaRangesAllowed },
                       { QStringLiteral("adaptations"), QJsonArray::fromStringList(adaptations) } };
    return json;
}

ModelProfile ModelProfile::fromJson(const QJsonObject &json)
{
    ModelProfile profile;
    profile.temperatureAllowed
        = json.value(QLatin1String("temperature")).toBool(profile.temperatureAllowed);
    profile.logprobsAllowed = json.value(QLatin1String("logprobs")).toBool(profile.logprobsAllowed);
    profile.topLogprobsLimit = std::clamp(
        json.value(QLatin1String("top_logprobs_limit")).toInt(profile.topLogprobsLimit), 0, 20);
    profile.maxCompletionTokens
        = json.value(QLatin1String("token_limit_parameter")).toString() == kMaxCompletionTokens;
    profile.schemaRangesAllowed
        = json.value(QLatin1String("schema_ranges")).toBool(profile.schemaRangesAllowed);
    for (const QJsonValue &note : json.value(QLatin1String("adaptations")).toArray())
        if (note.isString())
            profile.adaptations << note.toString();
    return profile;
}

QString ModelProfile::summary() const
{
    QStringList parts;
    if (!temperatureAllowed)
        parts << QStringLiteral("temperature left out");
    if (!logprobsAllowed)
        parts << QStringLiteral("no log-probs (scores are the integers the model wrote)");
    else if (topLogprobsLimit < ModelProfile().topLogprobsLimit)
        parts << QStringLiteral("top_logprobs %1").arg(topLogprobsLimit);
    if (maxCompletionTokens)
        parts << QStringLiteral("max_completion_tokens");
    if (!schemaRangesAllowed)
        parts << QStringLiteral("no minimum/maximum in the schema");
    return parts.join(QStringLiteral("; "));
}

QJsonObject applyModelProfile(QJsonObject body, const ModelProfile &profile)
{
    if (body.contains(kTemperature)) {
        body.remove(kTemperature);
        if (profile.temperature && (profile.temperatureAllowed || profile.temperatureChosen))
            body.insert(kTemperature, *profile.temperature);
    }
    if (!profile.logprobsAllowed || profile.topLogprobsLimit <= 0) {
        body.remove(kLogprobs);
        body.remove(kTopLogprobs);
    } else if (body.value(kTopLogprobs).toInt() > profile.topLogprobsLimit) {
        body.insert(kTopLogprobs, profile.topLogprobsLimit);
    }
    const QString refused = profile.maxCompletionTokens ? kMaxTokens : kMaxCompletionTokens;
    const QString accepted = profile.maxCompletionTokens ? kMaxCompletionTokens : kMaxTokens;
    // Without a learned preference a body keeps the name it was written with.
    if (profile.maxCompletionTokens && body.contains(refused)) {
        const QJsonValue limit = body.take(refused);
        if (!body.contains(accepted))
            body.insert(accepted, limit);
    }
    if (!profile.schemaRangesAllowed && body.value(kResponseFormat).isObject()) {
        bool removed = false;
        body.insert(kResponseFormat,
                    responseFormatWithoutRanges(body.value(kResponseFormat).toObject(), &removed));
    }
    if (!profile.reasoningEffort.isEmpty())
        body.insert(kReasoningEffort, profile.reasoningEffort);
    return body;
}

ParameterComplaint parameterComplaint(int httpStatus, const ServerError &error,
                                      const QJsonObject &sentBody)
{
    ParameterComplaint complaint;
    if (httpStatus != 400 && httpStatus != 422)
        return complaint;
    // About this text ("messages", "messages[1].content"), not about how requests are shaped.
    if (error.param.startsWith(kMessages) || error.code == QLatin1String("context_length_exceeded"))
        return complaint;
    const QString &message = error.message;

    // vLLM: "Requested sample logprobs of 20, which is greater than max allowed: 5".
    static const QRegularExpression logprobsCap(
        QStringLiteral(R"(requested (?:sample )?(?:top_)?logprobs of (\d+),? which is greater )"
                       R"(than (?:the )?max(?:imum)? allowed:?\s*(\d+))"),
        QRegularExpression::CaseInsensitiveOption);
    if (const QRegularExpressionMatch match = logprobsCap.match(message);
        match.hasMatch() && (sentBody.contains(kTopLogprobs) || sentBody.contains(kLogprobs))) {
        complaint.kind = ParameterComplaint::Kind::TopLogprobsLimit;
        complaint.parameter = kTopLogprobs;
        complaint.maxAllowed = match.captured(2).toInt();
        return complaint;
    }

    static const QRegularExpression rangeKeyword(
        QStringLiteral(R"(['"`]?(?:exclusive)?(?:minimum|maximum)['"`]?)"),
        QRegularExpression::CaseInsensitiveOption);
    const bool aboutRanges
        = message.contains(QLatin1String("not supported by xgrammar"), Qt::CaseInsensitive)
        || (rangeKeyword.match(message).hasMatch()
            && (soundsUnsupported(message) || error.param == kResponseFormat));
    if (aboutRanges && sentSchemaHasRanges(sentBody)) {
        complaint.kind = ParameterComplaint::Kind::SchemaRanges;
        complaint.parameter = kResponseFormat;
        return complaint;
    }

    QString named;
    if (!error.param.isEmpty() && sentBody.contains(error.param))
        named = error.param;
    else
        named = namedInMessage(message, sentBody);
    if (named.isEmpty() || named == kMessages)
        return complaint;
    complaint.parameter = named;
    if (named == kTemperature)
        complaint.kind = ParameterComplaint::Kind::Temperature;
    else if (named == kLogprobs || named == kTopLogprobs)
        complaint.kind = ParameterComplaint::Kind::Logprobs;
    else if (named == kMaxTokens || named == kMaxCompletionTokens)
        complaint.kind = ParameterComplaint::Kind::TokenLimit;
    else if (named == kReasoningEffort)
        complaint.kind = ParameterComplaint::Kind::ReasoningEffort;
    else
        complaint.kind = ParameterComplaint::Kind::Other;
    return complaint;
}

std::optional<QString> adaptModelProfile(ModelProfile &profile, const ParameterComplaint &complaint,
                                         const QJsonObject &sentBody)
{
    QString note;
    using Kind = ParameterComplaint::Kind;
    switch (complaint.kind) {
    case Kind::Temperature:
        if (profile.temperatureChosen || !profile.temperatureAllowed)
            return std::nullopt;
        profile.temperatureAllowed = false;
        note = QStringLiteral("temperature %1 refused: requests go without a temperature (the "
                              "model's default)")
                   .arg(numberText(sentBody.value(kTemperature)));
        break;
    case Kind::TopLogprobsLimit:
        if (complaint.maxAllowed > 0 && complaint.maxAllowed < profile.topLogprobsLimit) {
            profile.topLogprobsLimit = complaint.maxAllowed;
            note = QStringLiteral("top_logprobs above %1 refused: %1 alternatives are asked for")
                       .arg(complaint.maxAllowed);
            break;
        }
        if (complaint.maxAllowed > 0 || !profile.logprobsAllowed)
            return std::nullopt;
        [[fallthrough]];
    case Kind::Logprobs:
        if (!profile.logprobsAllowed)
            return std::nullopt;
        profile.logprobsAllowed = false;
        note = QStringLiteral("log-probs refused: scores are the integers the model wrote");
        break;
    case Kind::TokenLimit:
        // Once: max_tokens → max_completion_tokens (OpenAI's reasoning models).
        if (complaint.parameter != kMaxTokens || profile.maxCompletionTokens)
            return std::nullopt;
        profile.maxCompletionTokens = true;
        note = QStringLiteral("max_tokens refused: the limit goes as max_completion_tokens");
        break;
    case Kind::SchemaRanges:
        if (!profile.schemaRangesAllowed)
            return std::nullopt;
        profile.schemaRangesAllowed = false;
        note = QStringLiteral("minimum/maximum refused in the JSON schema: left out (scores are "
                              "range-checked when read)");
        break;
    case Kind::None:
    case Kind::ReasoningEffort:  // always the user's choice
    case Kind::Other:
        return std::nullopt;
    }
    profile.adaptations << note;
    return note;
}

QString modelProfileKey(const QString &endpoint, const QString &model)
{
    QString base = endpoint.trimmed();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    return kProfilePrefix + base + QLatin1Char('|') + model;
}

Result<ModelProfile> loadModelProfile(QueueStore &store, const QString &endpoint,
                                      const QString &model)
{
    auto stored = store.property(modelProfileKey(endpoint, model));
    if (!stored)
        return stored.error();
    // The profile is the app's own; an unreadable one is simply learned again.
    return ModelProfile::fromJson(QJsonDocument::fromJson(stored->toUtf8()).object());
}

Status storeModelProfile(QueueStore &store, const QString &endpoint, const QString &model,
                         const ModelProfile &profile)
{
    return store.setProperty(
        modelProfileKey(endpoint, model),
        QString::fromUtf8(QJsonDocument(profile.toJson()).toJson(QJsonDocument::Compact)));
}

Result<QList<QPair<QString, ModelProfile>>> storedProfilesOf(QueueStore &store,
                                                             const QString &model)
{
    auto stored = store.propertiesWithPrefix(kProfilePrefix);
    if (!stored)
        return stored.error();
    QList<QPair<QString, ModelProfile>> profiles;
    const QString suffix = QLatin1Char('|') + model;
    for (const auto &[key, value] : std::as_const(*stored)) {
        if (!key.endsWith(suffix))
            continue;
        profiles.append(
            { key.mid(kProfilePrefix.size(), key.size() - kProfilePrefix.size() - suffix.size()),
              ModelProfile::fromJson(QJsonDocument::fromJson(value.toUtf8()).object()) });
    }
    return profiles;
}

}  // namespace pcs
