#include "core/review/reviewproject.h"

#include "core/review/apikey.h"
#include "core/review/llmclient.h"
#include "core/review/queuestore.h"
#include "core/review/reviewrunner.h"

#include <QFileInfo>
#include <QJsonDocument>

#include <cmath>

namespace pcs {

namespace {

const QString kEndpoint = QStringLiteral("endpoint");
const QString kModel = QStringLiteral("model");
const QString kConcurrency = QStringLiteral("concurrency");
const QString kRequestsPerMinute = QStringLiteral("requests_per_minute");
const QString kDeadlineSeconds = QStringLiteral("deadline_seconds");
const QString kWithLogprobs = QStringLiteral("with_logprobs");
const QString kRevise = QStringLiteral("revise");
const QString kReassessRevisions = QStringLiteral("reassess_revisions");
const QString kTextField = QStringLiteral("text_field");
const QString kAssessors = QStringLiteral("assessors");
const QString kCombination = QStringLiteral("combination");
const QString kLlmWeight = QStringLiteral("llm_weight");
const QString kRuleWeight = QStringLiteral("rule_weight");
const QString kFastTextWeight = QStringLiteral("fasttext_weight");
const QString kRules = QStringLiteral("rules");
const QString kFastText = QStringLiteral("fasttext");

// Reads the settings' JSON leniently about absence (older projects have fewer keys) and
// strictly about types: a value of the wrong type is named, never replaced by a default.
class SettingsReader {
public:
    SettingsReader(const QJsonObject &json, QString source, QString prefix = {})
        : m_json(json)
        , m_source(std::move(source))
        , m_prefix(std::move(prefix))
    {
    }

    void read(const QString &key, QString &target)
    {
        if (const QJsonValue value = m_json.value(key); !value.isUndefined()) {
            if (value.isString())
                target = value.toString();
            else
                wrongType(key, QStringLiteral("a string"));
        }
    }
    void read(const QString &key, bool &target)
    {
        if (const QJsonValue value = m_json.value(key); !value.isUndefined()) {
            if (value.isBool())
                target = value.toBool();
            else
                wrongType(key, QStringLiteral("true or false"));
        }
    }
    void read(const QString &key, double &target, double minimum)
    {
        if (const QJsonValue value = m_json.value(key); !value.isUndefined()) {
            if (value.isDouble() && std::isfinite(value.toDouble()) && value.toDouble() >= minimum)
                target = value.toDouble();
            else
                wrongType(key, QStringLiteral("a number ≥ %1").arg(minimum));
        }
    }
    void read(const QString &key, int &target, int minimum)
    {
        double value = target;
        read(key, value, minimum);
        if (value != std::floor(value) || value > 1e6)
            wrongType(key, QStringLiteral("a whole number ≥ %1").arg(minimum));
        else
            target = int(value);
    }
    void wrongType(const QString &key, const QString &expected)
    {
        if (!m_error)
            m_error = Error::badInput(QObject::tr("the project settings' \"%1\" must be %2")
                                          .arg(m_prefix + key, expected),
                                      m_source);
    }
    const std::optional<Error> &error() const { return m_error; }
    void fail(Error error)
    {
        if (!m_error)
            m_error = std::move(error);
    }

private:
    QJsonObject m_json;
    QString m_source;
    QString m_prefix;
    std::optional<Error> m_error;
};

QString compactJson(const QJsonObject &json)
{
    return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
}

}  // namespace

QJsonObject ReviewProjectSettings::toJson() const
{
    const QJsonObject assessorJson { { kCombination,
                                       scoreCombinationModeName(assessors.combination.mode) },
                                     { kLlmWeight, assessors.combination.llmWeight },
                                     { kRuleWeight, assessors.combination.ruleWeight },
                                     { kFastTextWeight, assessors.combination.fastTextWeight },
                                     { kRules, assessors.rulesPath },
                                     { kFastText, assessors.fastTextPath } };
    return QJsonObject { { kEndpoint, endpoint },
                         { kModel, model },
                         { kConcurrency, concurrency },
                         { kRequestsPerMinute, requestsPerMinute },
                         { kDeadlineSeconds, deadlineSeconds },
                         { kWithLogprobs, withLogprobs },
                         { kRevise, revise },
                         { kReassessRevisions, reassessRevisions },
                         { kTextField, textField },
                         { kAssessors, assessorJson } };
}

Result<ReviewProjectSettings> ReviewProjectSettings::fromJson(const QJsonObject &json,
                                                              const QString &source)
{
    ReviewProjectSettings settings;
    SettingsReader reader(json, source);
    reader.read(kEndpoint, settings.endpoint);
    reader.read(kModel, settings.model);
    reader.read(kConcurrency, settings.concurrency, 1);
    reader.read(kRequestsPerMinute, settings.requestsPerMinute, 0);
    reader.read(kDeadlineSeconds, settings.deadlineSeconds, 1);
    reader.read(kWithLogprobs, settings.withLogprobs);
    reader.read(kRevise, settings.revise);
    reader.read(kReassessRevisions, settings.reassessRevisions);
    reader.read(kTextField, settings.textField);
    if (settings.textField.isEmpty())
        settings.textField = QStringLiteral("text");
    if (const QJsonValue assessors = json.value(kAssessors); !assessors.isUndefined()) {
        if (!assessors.isObject()) {
            reader.wrongType(kAssessors, QStringLiteral("an object"));
        } else {
            SettingsReader inner(assessors.toObject(), source, kAssessors + QLatin1Char('.'));
            QString mode = scoreCombinationModeName(settings.assessors.combination.mode);
            inner.read(kCombination, mode);
            if (const auto known = scoreCombinationModeFromName(mode))
                settings.assessors.combination.mode = *known;
            else
                inner.wrongType(kCombination,
                                QStringLiteral("llm-only, local-only, max or weighted-mean"));
            inner.read(kLlmWeight, settings.assessors.combination.llmWeight, 0);
            inner.read(kRuleWeight, settings.assessors.combination.ruleWeight, 0);
            inner.read(kFastTextWeight, settings.assessors.combination.fastTextWeight, 0);
            inner.read(kRules, settings.assessors.rulesPath);
            inner.read(kFastText, settings.assessors.fastTextPath);
            if (inner.error())
                reader.fail(*inner.error());
        }
    }
    if (reader.error())
        return *reader.error();
    return settings;
}

ReviewProject::ReviewProject(std::unique_ptr<QueueStore> store)
    : m_owned(std::move(store))
    , m_store(m_owned.get())
{
}

ReviewProject::ReviewProject(QueueStore &store)
    : m_store(&store)
{
}

ReviewProject::~ReviewProject() = default;

Result<std::unique_ptr<ReviewProject>> ReviewProject::open(const QString &queuePath)
{
    auto store = QueueStore::open(queuePath);
    if (!store)
        return store.error();
    return std::make_unique<ReviewProject>(std::move(store).value());
}

QString ReviewProject::path() const
{
    return m_store->path();
}

Result<Criteria> ReviewProject::criteria() const
{
    auto stored = m_store->property(QLatin1String(kCriteriaKey));
    if (!stored)
        return stored.error();
    if (stored->isEmpty())
        return Error::badInput(QObject::tr("the project has no criteria yet"), path());
    return Criteria::fromJson(stored->toUtf8(), path());
}

bool ReviewProject::hasCriteria() const
{
    auto stored = m_store->property(QLatin1String(kCriteriaKey));
    return stored && !stored->isEmpty();
}

Status ReviewProject::setCriteria(const Criteria &criteria)
{
    return m_store->setProperty(QLatin1String(kCriteriaKey), compactJson(criteria.toJson()));
}

Result<ReviewProjectSettings> ReviewProject::settings() const
{
    auto stored = m_store->property(QLatin1String(kSettingsKey));
    if (!stored)
        return stored.error();
    if (stored->isEmpty())
        return ReviewProjectSettings {};
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(stored->toUtf8(), &parseError);
    if (!document.isObject())
        return Error::badInput(QObject::tr("the project settings are not a JSON object: %1")
                                   .arg(parseError.errorString()),
                               path());
    return ReviewProjectSettings::fromJson(document.object(), path());
}

Status ReviewProject::setSettings(const ReviewProjectSettings &settings)
{
    ReviewProjectSettings kept = settings;
    // Never a key in the file: credentials typed into the URL stay with the caller.
    kept.endpoint = scrubbedEndpointUrl(settings.endpoint.trimmed());
    for (QString *file : { &kept.assessors.rulesPath, &kept.assessors.fastTextPath })
        if (!file->isEmpty())
            *file = QFileInfo(*file).absoluteFilePath();  // a rerun may start elsewhere
    return m_store->setProperty(QLatin1String(kSettingsKey), compactJson(kept.toJson()));
}

Result<ModelProfile> ReviewProject::modelProfile(const ReviewProjectSettings &settings) const
{
    return loadModelProfile(*m_store, scrubbedEndpointUrl(settings.endpoint), settings.model);
}

Result<ReviewRunOptions> ReviewProject::runOptions(const ReviewProjectSettings &settings)
{
    ReviewRunOptions options;
    options.revise = settings.revise;
    options.reassessRevisions = settings.revise && settings.reassessRevisions;
    options.withLogprobs = settings.withLogprobs;
    options.combination = settings.assessors.combination;
    if (Status valid = options.combination.validate(); !valid)
        return valid.error();
    if (!settings.assessors.rulesPath.isEmpty()) {
        auto rules = RuleAssessor::load(settings.assessors.rulesPath);
        if (!rules)
            return rules.error();
        options.rules = std::make_shared<const RuleAssessor>(std::move(rules).value());
    }
    if (!settings.assessors.fastTextPath.isEmpty()) {
        auto model = FastTextAssessor::load(settings.assessors.fastTextPath);
        if (!model)
            return model.error();
        options.fastText = std::make_shared<const FastTextAssessor>(std::move(model).value());
    }
    return options;
}

ClientLimits ReviewProject::clientLimits(const ReviewProjectSettings &settings)
{
    ClientLimits limits;
    limits.concurrency = std::max(1, settings.concurrency);
    limits.requestsPerMinute = settings.requestsPerMinute;
    limits.deadlineMs = std::max(1, settings.deadlineSeconds) * 1000;
    limits.attemptTimeoutMs = std::min(limits.attemptTimeoutMs, limits.deadlineMs);
    return limits;
}

}  // namespace pcs
