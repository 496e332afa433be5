#pragma once

#include "core/common/result.h"
#include "core/review/criteria.h"
#include "core/review/localassessors.h"
#include "core/review/modelprofile.h"

#include <QJsonObject>
#include <QString>

#include <memory>

namespace pcs {

class QueueStore;
struct ClientLimits;
struct ReviewRunOptions;

// Which assessors score a text and how their scores become the one a decision is taken on.
// The local assessors are kept as the paths of their files (absolute), read when a run starts.
struct AssessorSettings {
    ScoreCombination combination;  // LLM alone by default
    QString rulesPath;  // RuleAssessor JSON; empty: no rule scores
    QString fastTextPath;  // a fastText filter model; empty: no fastText scores

    friend bool operator==(const AssessorSettings &a, const AssessorSettings &b)
    {
        return a.combination.mode == b.combination.mode
            && a.combination.llmWeight == b.combination.llmWeight
            && a.combination.ruleWeight == b.combination.ruleWeight
            && a.combination.fastTextWeight == b.combination.fastTextWeight
            && a.rulesPath == b.rulesPath && a.fastTextPath == b.fastTextPath;
    }
};

// What a review project is assessed with: kept in the queue file (property "settings", JSON),
// written and read only by ReviewProject, so that the CLI and the app agree on it. Never the API
// key: the endpoint is stored without credentials, and the key is resolved each time
// (review/apikey.h, review/keysettings.h).
struct ReviewProjectSettings {
    QString endpoint;  // OpenAI-compatible base URL
    QString model;
    int concurrency = 8;
    double requestsPerMinute = 0;
    int deadlineSeconds = 120;  // per request, retries included
    bool withLogprobs = true;
    bool revise = false;  // ask for rewrites of the texts to revise
    bool reassessRevisions = false;  // and assess each rewrite
    QString textField = QStringLiteral("text");
    AssessorSettings assessors;

    QJsonObject toJson() const;
    // Missing values take their defaults (older projects have fewer keys); a value of the wrong
    // type or out of range is an error naming the key, as is an unknown combination mode.
    static Result<ReviewProjectSettings> fromJson(const QJsonObject &json,
                                                  const QString &source = {});
    friend bool operator==(const ReviewProjectSettings &, const ReviewProjectSettings &) = default;
};

// A review queue together with what it is reviewed by: its criteria, its settings (endpoint,
// model, concurrency, assessors and their combination) and the model's learned profile. The one
// owner of the property names these live under: the CLI's `review run` and the app's session
// both load and save them here, so a queue made by one opens in the other with everything it
// needs. Loading and saving are explicit; what a run uses is handed to it as arguments
// (runOptions, clientLimits), never read back from the file mid-run.
class ReviewProject final {
public:
    explicit ReviewProject(std::unique_ptr<QueueStore> store);
    explicit ReviewProject(QueueStore &store);  // on a store the caller keeps open
    ~ReviewProject();
    // Errors: not a queue, a newer format (QueueStore::open).
    static Result<std::unique_ptr<ReviewProject>> open(const QString &queuePath);

    QueueStore &store() const { return *m_store; }
    QString path() const;

    // Errors: none stored yet ("the project has no criteria yet"), or stored criteria that do not
    // parse (naming the queue).
    Result<Criteria> criteria() const;
    bool hasCriteria() const;
    Status setCriteria(const Criteria &criteria);

    // Defaults when none are stored.
    Result<ReviewProjectSettings> settings() const;
    // Stores the endpoint without any credentials typed into its URL (see hasUrlCredentials).
    Status setSettings(const ReviewProjectSettings &settings);

    // What the configured model is known to refuse (defaults when nothing was learned).
    Result<ModelProfile> modelProfile(const ReviewProjectSettings &settings) const;

    // The run options of these settings, with the local assessors loaded from their files
    // (errors name the file). The combination is validated.
    static Result<ReviewRunOptions> runOptions(const ReviewProjectSettings &settings);
    static ClientLimits clientLimits(const ReviewProjectSettings &settings);

    static constexpr char kCriteriaKey[] = "criteria";
    static constexpr char kSettingsKey[] = "settings";

private:
    std::unique_ptr<QueueStore> m_owned;
    QueueStore *m_store = nullptr;
};

}  // namespace pcs
