#pragma once

#include "core/common/result.h"
#include "core/filter/fasttextmodel.h"

#include <QByteArray>
#include <QList>
#include <QRegularExpression>
#include <QString>

#include <optional>

namespace pcs {

// One rule of a RuleAssessor: a keyword (a plain substring) or a regular expression.
struct ScoringRule {
    QString pattern;
    bool regex = false;
    double weight = 0;  // may be negative: a sign of conformance lowers the score
    bool caseSensitive = false;
};

// A cheap local non-conformance score from weighted rules. score = the sum of the weights of the
// rules that match (each rule counts once, however often it matches), clamped to [0, cap].
// On disk: {"rules": [{"pattern": "...", "regex": false, "weight": 30, "case_sensitive": false}],
//           "cap": 100}  ("regex", "case_sensitive" default false; "cap" defaults to 100).
class RuleAssessor {
public:
    // Errors (BadInput) name the file and the rule, e.g. "rules[3].pattern is not a valid
    // regular expression: … at offset 5"; unknown keys are errors too.
    static Result<RuleAssessor> load(const QString &path);
    static Result<RuleAssessor> fromJson(const QByteArray &json, const QString &sourceName = {});
    // Validates as load() does: non-empty patterns, valid regexes, finite weights, 0 < cap ≤ 100.
    static Result<RuleAssessor> create(QList<ScoringRule> rules, double cap = 100);

    // Thread-safe (patterns are compiled once, before any call).
    double score(const QString &text) const;
    // The indices of the rules that match, for explaining a score.
    QList<qsizetype> matchingRules(const QString &text) const;

    const QList<ScoringRule> &rules() const { return m_rules; }
    double cap() const { return m_cap; }

private:
    // Validates and compiles; `file` is named in errors.
    static Result<RuleAssessor> build(QList<ScoringRule> rules, double cap, const QString &file);
    bool matches(qsizetype ruleIndex, const QString &text) const;

    QList<ScoringRule> m_rules;
    QList<QRegularExpression> m_expressions;  // per rule; unused for keyword rules
    double m_cap = 100;
};

// The fastText filter as an assessor. Non-conformance = 100 × (1 − P(include)): the filter is
// trained with the wanted data as its include class, so what it would not include is what does
// not conform. P(include) is clamped to [0, 1] (fastText's smoothing can exceed 1 by 1e-5); a
// text with no known word gets P = 0 from the model, hence 100.
class FastTextAssessor {
public:
    static Result<FastTextAssessor> load(const QString &modelPath);
    explicit FastTextAssessor(FastTextModel model);

    // Cleans the text as the filter does (cleanForFastText), then scores it. Thread-safe.
    double score(const QString &text) const;

private:
    FastTextModel m_model;
};

// How the LLM's score and the local ones become the score a decision is taken on.
struct ScoreCombination {
    enum class Mode {
        LlmOnly,  // the LLM's score
        LocalOnly,  // weighted mean of the local scores present (rule, fastText); no LLM needed
        Max,  // the highest of the LLM's score and the local ones present; needs the LLM
        WeightedMean,  // weighted mean of the LLM's score and the local ones present; needs the LLM
    };
    Mode mode = Mode::LlmOnly;
    double llmWeight = 1;
    double ruleWeight = 1;
    double fastTextWeight = 1;

    // Weights finite and ≥ 0; the weights a mode averages over not all zero.
    Status validate() const;
};

// "llm-only", "local-only", "max", "weighted-mean", for settings and the CLI.
QString scoreCombinationModeName(ScoreCombination::Mode mode);
std::optional<ScoreCombination::Mode> scoreCombinationModeFromName(const QString &name);

// The combined score, or nullopt when it cannot be had: a mode that needs the LLM without an LLM
// score (a failed assessment must make the item an error, never a "keep"), no score at all, or
// only scores whose weights are zero. Absent local scores are left out of means and maxima.
std::optional<double> combineScores(std::optional<double> llm, std::optional<double> rule,
                                    std::optional<double> fastText,
                                    const ScoreCombination &combination);

}  // namespace pcs
