#include "core/review/localassessors.h"

#include "core/filter/cleaning.h"
#include "core/review/criteria.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace pcs {

namespace {

Error ruleFileError(const QString &file, const QString &path, const QString &problem)
{
    return Error::badInput(path + QLatin1Char(' ') + problem, file);
}

Result<ScoringRule> ruleFromJson(const QJsonValue &value, const QString &file, const QString &path)
{
    if (!value.isObject())
        return ruleFileError(file, path, QStringLiteral("must be an object"));
    const QJsonObject object = value.toObject();
    static const QSet<QString> known { QStringLiteral("pattern"), QStringLiteral("regex"),
                                       QStringLiteral("weight"), QStringLiteral("case_sensitive") };
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!known.contains(it.key()))
            return ruleFileError(file, path + u'.' + it.key(),
                                 QStringLiteral("is not a known key (expected case_sensitive, "
                                                "pattern, regex or weight)"));
    }
    ScoringRule rule;
    const QJsonValue pattern = object.value(QStringLiteral("pattern"));
    if (!pattern.isString())
        return ruleFileError(file, path + QStringLiteral(".pattern"),
                             pattern.isUndefined() ? QStringLiteral("is missing")
                                                   : QStringLiteral("must be a string"));
    rule.pattern = pattern.toString();
    const QJsonValue weight = object.value(QStringLiteral("weight"));
    if (!weight.isDouble())
        return ruleFileError(file, path + QStringLiteral(".weight"),
                             weight.isUndefined() ? QStringLiteral("is missing")
                                                  : QStringLiteral("must be a number"));
    rule.weight = weight.toDouble();
    for (const auto &[key, target] :
         { std::pair { QStringLiteral("regex"), &rule.regex },
           std::pair { QStringLiteral("case_sensitive"), &rule.caseSensitive } }) {
        const QJsonValue flag = object.value(key);
        if (flag.isUndefined())
            continue;
        if (!flag.isBool())
            return ruleFileError(file, path + u'.' + key, QStringLiteral("must be true or false"));
        *target = flag.toBool();
    }
    return rule;
}

// The compiled expression of each rule (an empty one for keyword rules), or the first error,
// named by rule index in `file`.
Result<QList<QRegularExpression>> compiledRules(const QList<ScoringRule> &rules, double cap,
                                                const QString &file)
{
    if (!std::isfinite(cap) || cap <= 0 || cap > 100)
        return Error::badInput(QStringLiteral("cap must be a number in (0, 100], got %1").arg(cap),
                               file);
    QList<QRegularExpression> expressions;
    expressions.reserve(rules.size());
    for (qsizetype i = 0; i < rules.size(); ++i) {
        const ScoringRule &rule = rules.at(i);
        const QString path = QStringLiteral("rules[%1]").arg(i);
        if (rule.pattern.isEmpty())
            return ruleFileError(file, path + QStringLiteral(".pattern"),
                                 QStringLiteral("must not be empty"));
        if (!std::isfinite(rule.weight))
            return ruleFileError(file, path + QStringLiteral(".weight"),
                                 QStringLiteral("must be finite"));
        QRegularExpression expression;
        if (rule.regex) {
            expression.setPattern(rule.pattern);
            expression.setPatternOptions(rule.caseSensitive
                                             ? QRegularExpression::UseUnicodePropertiesOption
                                             : QRegularExpression::UseUnicodePropertiesOption
                                                 | QRegularExpression::CaseInsensitiveOption);
            // isValid() compiles the pattern: done here, so score() only reads it.
            if (!expression.isValid())
                return ruleFileError(file, path + QStringLiteral(".pattern"),
                                     QStringLiteral("is not a valid regular expression: %1 at "
                                                    "offset %2")
                                         .arg(expression.errorString())
                                         .arg(expression.patternErrorOffset()));
        }
        expressions.append(expression);
    }
    return expressions;
}

}  // namespace

Result<RuleAssessor> RuleAssessor::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::badInput(QStringLiteral("cannot read: %1").arg(file.errorString()), path);
    return fromJson(file.readAll(), path);
}

Result<RuleAssessor> RuleAssessor::fromJson(const QByteArray &json, const QString &sourceName)
{
    Result<QJsonObject> parsed = parseJsonObject(json, sourceName);
    if (!parsed)
        return parsed.error();
    for (auto it = parsed->begin(); it != parsed->end(); ++it) {
        if (it.key() != u"rules" && it.key() != u"cap")
            return ruleFileError(sourceName, it.key(),
                                 QStringLiteral("is not a known key (expected cap or rules)"));
    }
    const QJsonValue rulesValue = parsed->value(QStringLiteral("rules"));
    if (!rulesValue.isArray())
        return ruleFileError(sourceName, QStringLiteral("rules"),
                             rulesValue.isUndefined() ? QStringLiteral("is missing")
                                                      : QStringLiteral("must be an array"));
    double cap = 100;
    const QJsonValue capValue = parsed->value(QStringLiteral("cap"));
    if (!capValue.isUndefined()) {
        if (!capValue.isDouble())
            return ruleFileError(sourceName, QStringLiteral("cap"),
                                 QStringLiteral("must be a number"));
        cap = capValue.toDouble();
    }
    QList<ScoringRule> rules;
    const QJsonArray array = rulesValue.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        Result<ScoringRule> rule
            = ruleFromJson(array.at(i), sourceName, QStringLiteral("rules[%1]").arg(i));
        if (!rule)
            return rule.error();
        rules.append(*rule);
    }
    return build(std::move(rules), cap, sourceName);
}

Result<RuleAssessor> RuleAssessor::create(QList<ScoringRule> rules, double cap)
{
    return build(std::move(rules), cap, {});
}

Result<RuleAssessor> RuleAssessor::build(QList<ScoringRule> rules, double cap, const QString &file)
{
    Result<QList<QRegularExpression>> expressions = compiledRules(rules, cap, file);
    if (!expressions)
        return expressions.error();
    RuleAssessor assessor;
    assessor.m_rules = std::move(rules);
    assessor.m_expressions = std::move(*expressions);
    assessor.m_cap = cap;
    return assessor;
}

bool RuleAssessor::matches(qsizetype ruleIndex, const QString &text) const
{
    const ScoringRule &rule = m_rules.at(ruleIndex);
    if (rule.regex)
        return m_expressions.at(ruleIndex).match(text).hasMatch();
    return text.contains(rule.pattern,
                         rule.caseSensitive ? Qt::CaseSensitive : Qt::CaseInsensitive);
}

QList<qsizetype> RuleAssessor::matchingRules(const QString &text) const
{
    QList<qsizetype> indices;
    for (qsizetype i = 0; i < m_rules.size(); ++i) {
        if (matches(i, text))
            indices.append(i);
    }
    return indices;
}

double RuleAssessor::score(const QString &text) const
{
    double sum = 0;
    for (qsizetype i = 0; i < m_rules.size(); ++i) {
        if (matches(i, text))
            sum += m_rules.at(i).weight;
    }
    return std::clamp(sum, 0.0, m_cap);
}

Result<FastTextAssessor> FastTextAssessor::load(const QString &modelPath)
{
    Result<FastTextModel> model = FastTextModel::load(modelPath);
    if (!model)
        return model.error();
    return FastTextAssessor(std::move(*model));
}

FastTextAssessor::FastTextAssessor(FastTextModel model)
    : m_model(std::move(model))
{
}

double FastTextAssessor::score(const QString &text) const
{
    const std::string cleaned = cleanForFastText(text.toStdString());
    const double include = std::clamp(m_model.scoreInclude(cleaned), 0.0, 1.0);
    return 100.0 * (1.0 - include);
}

Status ScoreCombination::validate() const
{
    for (double weight : { llmWeight, ruleWeight, fastTextWeight }) {
        if (!std::isfinite(weight) || weight < 0)
            return Error::badInput(QStringLiteral("score weights must be finite and ≥ 0"));
    }
    if (mode == Mode::LocalOnly && ruleWeight + fastTextWeight <= 0)
        return Error::badInput(
            QStringLiteral("local-only scoring needs a rule or fastText weight"));
    if (mode == Mode::WeightedMean && llmWeight <= 0)
        return Error::badInput(QStringLiteral("weighted-mean scoring needs an LLM weight above 0"));
    return Done {};
}

QString scoreCombinationModeName(ScoreCombination::Mode mode)
{
    switch (mode) {
    case ScoreCombination::Mode::LlmOnly:
        return QStringLiteral("llm-only");
    case ScoreCombination::Mode::LocalOnly:
        return QStringLiteral("local-only");
    case ScoreCombination::Mode::Max:
        return QStringLiteral("max");
    case ScoreCombination::Mode::WeightedMean:
        return QStringLiteral("weighted-mean");
    }
    return {};
}

std::optional<ScoreCombination::Mode> scoreCombinationModeFromName(const QString &name)
{
    using Mode = ScoreCombination::Mode;
    const QString normalized = name.trimmed().toLower();
    for (Mode mode : { Mode::LlmOnly, Mode::LocalOnly, Mode::Max, Mode::WeightedMean }) {
        if (normalized == scoreCombinationModeName(mode))
            return mode;
    }
    return std::nullopt;
}

std::optional<double> combineScores(std::optional<double> llm, std::optional<double> rule,
                                    std::optional<double> fastText,
                                    const ScoreCombination &combination)
{
    using Mode = ScoreCombination::Mode;
    if (!combination.validate())
        return std::nullopt;
    // A NaN is no score: treating it as one could decide "keep".
    auto present = [](const std::optional<double> &score) {
        return score.has_value() && !std::isnan(*score);
    };
    const bool needsLlm = combination.mode != Mode::LocalOnly;
    if (needsLlm && !present(llm))
        return std::nullopt;

    struct Weighted {
        std::optional<double> score;
        double weight;
    };
    QList<Weighted> scores { { rule, combination.ruleWeight },
                             { fastText, combination.fastTextWeight } };
    if (combination.mode == Mode::LlmOnly)
        return *llm;
    if (needsLlm)
        scores.prepend({ llm, combination.llmWeight });

    if (combination.mode == Mode::Max) {
        double highest = *llm;
        for (const Weighted &entry : scores) {
            if (present(entry.score))
                highest = std::max(highest, *entry.score);
        }
        return highest;
    }
    double weightedSum = 0;
    double totalWeight = 0;
    for (const Weighted &entry : scores) {
        if (present(entry.score) && entry.weight > 0) {
            weightedSum += entry.weight * *entry.score;
            totalWeight += entry.weight;
        }
    }
    if (totalWeight <= 0)
        return std::nullopt;
    return weightedSum / totalWeight;
}

}  // namespace pcs
