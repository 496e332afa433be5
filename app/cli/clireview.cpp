// review run/status/export/batch-export/batch-import: LLM-assisted curation from the command line.
#include "app/cli/clicommands.h"
#include "app/cli/clireviewaudit.h"
#include "app/cli/clisupport.h"
#include "core/review/apikey.h"
#include "core/review/batchfiles.h"
#include "core/review/criteria.h"
#include "core/review/keysettings.h"
#include "core/review/llmclient.h"
#include "core/review/modelprofile.h"
#include "core/review/queueinputs.h"
#include "core/review/queuestore.h"
#include "core/review/reviewproject.h"
#include "core/review/reviewrunner.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QThread>

#include <cstdio>

namespace pcs::cli {

namespace {

const QString kRun = QStringLiteral("review run");
const QString kStatus = QStringLiteral("review status");
const QString kExport = QStringLiteral("review export");
const QString kBatchExport = QStringLiteral("review batch-export");
const QString kBatchImport = QStringLiteral("review batch-import");
const QString kImport = QStringLiteral("review import");
const QString kThresholds = QStringLiteral("review thresholds");

QCommandLineOption dbOption()
{
    return { QStringLiteral("db"), QStringLiteral("The review queue (SQLite; created if missing)."),
             QStringLiteral("QUEUE.sqlite") };
}

void printJson(const QJsonObject &json)
{
    const QByteArray text = QJsonDocument(json).toJson(QJsonDocument::Indented);
    std::fwrite(text.constData(), 1, std::size_t(text.size()), stdout);
}

std::unique_ptr<QueueStore> openStore(const QCommandLineParser &parser, const QString &command,
                                      int *exitCode)
{
    if (parser.value(QStringLiteral("db")).isEmpty()) {
        *exitCode = usageError(QStringLiteral("--db is required"), command);
        return nullptr;
    }
    auto store = QueueStore::open(parser.value(QStringLiteral("db")));
    if (!store) {
        *exitCode = reportError(store.error());
        return nullptr;
    }
    return std::move(store).value();
}

QCommandLineOption idFieldOption()
{
    return { QStringLiteral("id-field"),
             QStringLiteral("The JSONL field holding each record's own id, shown for the item in "
                            "the app, logs and summaries (a number as written); default: none "
                            "(the queue's internal id)."),
             QStringLiteral("FIELD") };
}

QList<NamedPath> queueFiles(const QCommandLineParser &parser)
{
    return sqliteFiles(parser.value(QStringLiteral("db")),
                       QStringLiteral("the review queue (--db)"));
}

// The files named by these options, as inputs.
QList<NamedPath> optionFiles(const QCommandLineParser &parser, const QStringList &options)
{
    QList<NamedPath> files;
    for (const QString &option : options)
        files << NamedPath { parser.value(option), QStringLiteral("--") + option };
    return files;
}

// Exports must not replace the queue or a source imported into it: checked again once the
// queue is open and its sources are known.
std::optional<int> refuseOverwritingQueue(QueueStore &store, const QList<NamedPath> &outputs)
{
    auto inputs = queueInputFiles(store);
    if (!inputs)
        return reportError(inputs.error());
    return refuseOverwrites(outputs, *inputs);
}

// "N items scored without log-probs: reason N, reason N (the integer the model wrote; ...)"
QString withoutLogprobsLine(qint64 items, const QMap<QString, qint64> &byReason)
{
    QStringList reasons;
    for (auto it = byReason.begin(); it != byReason.end(); ++it)
        reasons << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());
    return QStringLiteral("%1 items scored without log-probs: %2 (the integer the model wrote; "
                          "`review status` counts them)")
        .arg(items)
        .arg(reasons.join(QStringLiteral(", ")));
}

QList<QCommandLineOption> requestShapeOptions()
{
    return { { QStringLiteral("temperature"),
               QStringLiteral("none, or the temperature to send (default 0, left out for models "
                              "that refuse it)."),
               QStringLiteral("none|T") },
             { QStringLiteral("reasoning-effort"),
               QStringLiteral("Sent as reasoning_effort (reasoning models): low, medium, high or "
                              "minimal (default: none sent)."),
               QStringLiteral("EFFORT") } };
}

// --temperature and --reasoning-effort into `profile`; an exit code when they are wrong.
std::optional<int> chooseRequestShape(const QCommandLineParser &parser, ModelProfile &profile,
                                      const QString &command)
{
    if (parser.isSet(QStringLiteral("temperature"))) {
        const QString value = parser.value(QStringLiteral("temperature")).trimmed();
        bool numeric = false;
        const double temperature = value.toDouble(&numeric);
        if (value == QLatin1String("none"))
            profile.temperature.reset();
        else if (numeric && temperature >= 0 && temperature <= 2)
            profile.temperature = temperature;
        else
            return usageError(
                QStringLiteral("--temperature must be none or a number from 0 to 2, not '%1'")
                    .arg(value),
                command);
        profile.temperatureChosen = true;
    }
    if (parser.isSet(QStringLiteral("reasoning-effort"))) {
        const QString effort = parser.value(QStringLiteral("reasoning-effort")).trimmed();
        if (!QStringList { QStringLiteral("low"), QStringLiteral("medium"), QStringLiteral("high"),
                           QStringLiteral("minimal") }
                 .contains(effort))
            return usageError(
                QStringLiteral("--reasoning-effort must be low, medium, high or minimal, not '%1'")
                    .arg(effort),
                command);
        profile.reasoningEffort = effort;
    }
    return std::nullopt;
}

// "rate_limited 2, refusal 1"
QString errorCodeCounts(const QMap<QString, qint64> &codes)
{
    QStringList parts;
    for (auto it = codes.cbegin(); it != codes.cend(); ++it)
        parts << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());
    return parts.join(QStringLiteral(", "));
}

// --criteria FILE, else the criteria stored in the queue by `review run`, `review import` or
// the app.
Result<Criteria> criteriaFor(const QCommandLineParser &parser, QueueStore &store)
{
    if (!parser.value(QStringLiteral("criteria")).isEmpty())
        return Criteria::load(parser.value(QStringLiteral("criteria")));
    const ReviewProject project(store);
    if (!project.hasCriteria())
        return Error::badInput(
            QStringLiteral("this queue has no criteria yet: give --criteria FILE"), store.path());
    return project.criteria();
}

// Loads criteria and keeps them in the queue, so batch-export (and the app) can use them later.
Result<Criteria> keepCriteria(QueueStore &store, const QString &path)
{
    auto criteria = Criteria::load(path);
    if (!criteria)
        return criteria.error();
    if (Status kept = ReviewProject(store).setCriteria(*criteria); !kept)
        return kept.error();
    return criteria;
}

// Imports --input (with --text-field) and says what happened; the exit code.
int importInto(QueueStore &store, const QCommandLineParser &parser, const QString &textField)
{
    auto imported
        = store.importJsonl(parser.value(QStringLiteral("input")), textField, TaskControl::none(),
                            parser.value(QStringLiteral("id-field")));
    if (!imported)
        return reportError(imported.error());
    for (const QString &problem : imported->problems.mid(0, 10))
        printInfo(QStringLiteral("not imported: %1").arg(problem));
    printInfo(QStringLiteral("import: %1 new, %2 already in the queue, %3 malformed")
                  .arg(imported->imported)
                  .arg(imported->duplicates)
                  .arg(imported->malformed));
    return ExitOk;
}

int importReview(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions(
        { { QStringLiteral("input"), QStringLiteral("JSONL texts (optionally .gz/.zst)."),
            QStringLiteral("FILE") },
          dbOption(),
          { QStringLiteral("criteria"),
            QStringLiteral("Criteria to keep with the queue (for batch-export)."),
            QStringLiteral("FILE") },
          { QStringLiteral("text-field"),
            QStringLiteral("The JSONL field holding the text (default text)."),
            QStringLiteral("FIELD"), QStringLiteral("text") },
          idFieldOption() });
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, kImport,
                    QStringLiteral(
                        "Add texts to the queue without assessing them (e.g. for batch-export)."),
                    &exitCode))
        return exitCode;
    if (parser.value(QStringLiteral("input")).isEmpty())
        return usageError(QStringLiteral("--input is required"), kImport);
    if (const auto refused = refuseOverwrites(
            queueFiles(parser),
            optionFiles(parser, { QStringLiteral("input"), QStringLiteral("criteria") })))
        return *refused;
    auto store = openStore(parser, kImport, &exitCode);
    if (!store)
        return exitCode;
    if (!parser.value(QStringLiteral("criteria")).isEmpty()) {
        if (auto kept = keepCriteria(*store, parser.value(QStringLiteral("criteria"))); !kept)
            return reportError(kept.error());
    }
    // The text field is the project's: runs and the app read the same one.
    ReviewProject project(*store);
    auto settings = project.settings();
    if (!settings)
        return reportError(settings.error());
    if (parser.isSet(QStringLiteral("text-field"))) {
        settings->textField = parser.value(QStringLiteral("text-field"));
        if (Status saved = project.setSettings(*settings); !saved)
            return reportError(saved.error());
    }
    return importInto(*store, parser, settings->textField);
}

// Takes the queue's run lease, waiting for it with `wait`; the exit code (3 when another run
// holds the queue and we do not wait). A stale lease is taken over and said so.
int takeRunLease(QueueStore &store, bool wait)
{
    constexpr int kPollMs = 500;
    bool told = false;
    for (;;) {
        auto attempt = store.acquireRunLease();
        if (!attempt)
            return reportError(attempt.error());
        if (attempt->acquired) {
            if (attempt->takenOver) {
                const RunLease &stale = *attempt->takenOver;
                printInfo(QStringLiteral("%1: took over the run lease of PID %2 on %3 (since %4): "
                                         "%5; %6 items it had claimed are pending again")
                              .arg(store.path())
                              .arg(stale.pid)
                              .arg(stale.host, stale.startedAt, attempt->takeoverReason)
                              .arg(attempt->releasedClaims));
            }
            return ExitOk;
        }
        const QString busy
            = QStringLiteral("%1: %2").arg(store.path(), attempt->holder.busyReason());
        if (!wait) {
            printInfo(busy);
            return ExitIncomplete;
        }
        if (!told)
            printInfo(busy + QStringLiteral("; waiting for it to end"));
        told = true;
        QThread::msleep(kPollMs);
    }
}

// The endpoint without credentials and its key (review/apikey.h): the variable named by
// --api-key-env, else the one this queue remembers for the endpoint; --allow-insecure-key is
// never remembered. Says where the key comes from, never the key.
Result<ResolvedEndpoint> resolveRunEndpoint(const QCommandLineParser &parser, QueueStore &store,
                                            const QString &endpoint)
{
    KeyOptions options;
    options.allowInsecure = parser.isSet(QStringLiteral("allow-insecure-key"));
    if (parser.isSet(QStringLiteral("api-key-env"))) {
        options.apiKeyEnv = parser.value(QStringLiteral("api-key-env")).trimmed();
    } else {
        auto kept = endpointKeySettings(store, scrubbedEndpointUrl(endpoint));
        if (!kept)
            return kept.error();
        options.apiKeyEnv = kept->apiKeyEnv;
    }
    auto resolved = resolveEndpoint(endpoint, options);
    if (!resolved)
        return resolved;
    QString line = QStringLiteral("review run: %1, API key from %2")
                       .arg(resolved->url, resolved->sourceDescription());
    if (!parser.isSet(QStringLiteral("api-key-env")) && !options.apiKeyEnv.isEmpty())
        line += QStringLiteral(" (kept in the queue by an earlier run)");
    printInfo(line);
    if (!resolved->note.isEmpty())
        printInfo(QStringLiteral("review run: %1").arg(resolved->note));
    return resolved;
}

// Remembers the variable given with --api-key-env (or forgets it, when given empty) for reruns.
Status keepApiKeyEnv(const QCommandLineParser &parser, QueueStore &store, const QString &url)
{
    if (!parser.isSet(QStringLiteral("api-key-env")))
        return Done {};
    auto kept = endpointKeySettings(store, url);
    if (!kept)
        return kept.error();
    EndpointKeySettings settings = *kept;
    settings.apiKeyEnv = parser.value(QStringLiteral("api-key-env")).trimmed();
    return setEndpointKeySettings(store, url, settings);
}

int runReview(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions({
        { QStringLiteral("input"),
          QStringLiteral(
              "JSONL texts to review (optionally .gz/.zst); imported once, however often run."),
          QStringLiteral("FILE") },
        dbOption(),
        { QStringLiteral("criteria"),
          QStringLiteral("The criteria (JSON: principles and few-shot examples). Default: the "
                         "queue's (kept by an earlier run, import or the app)."),
          QStringLiteral("FILE") },
        { QStringLiteral("endpoint"),
          QStringLiteral("OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 or "
                         "https://api.openai.com/v1. Default: the queue's. Kept in the queue "
                         "(never its credentials), as are the model, concurrency, rpm, deadline, "
                         "rules, fastText model and combination: options not given take the "
                         "queue's values."),
          QStringLiteral("URL") },
        { QStringLiteral("model"),
          QStringLiteral("The model name the server expects. Default: the queue's."),
          QStringLiteral("NAME") },
        { QStringLiteral("api-key-env"),
          QStringLiteral("Read the endpoint's API key from this environment variable (its name "
                         "is kept in the queue for reruns; empty forgets it). Default: "
                         "credentials in the URL, OPENAI_API_KEY for https://api.openai.com "
                         "only, else the keychain entry for the endpoint."),
          QStringLiteral("NAME") },
        { QStringLiteral("allow-insecure-key"),
          QStringLiteral("Send the API key over plain http:// to a host that is not this "
                         "machine (refused otherwise).") },
        { QStringLiteral("concurrency"), QStringLiteral("Requests in flight at once (default 8)."),
          QStringLiteral("N") },
        { QStringLiteral("rpm"),
          QStringLiteral("At most this many requests per minute (default: no limit)."),
          QStringLiteral("N") },
        { QStringLiteral("deadline"),
          QStringLiteral("Seconds a request may take in all, retries included (default 120)."),
          QStringLiteral("S") },
        { QStringLiteral("filter-threshold"),
          QStringLiteral("Score above which a text is filtered (default 80, or the queue's)."),
          QStringLiteral("T") },
        { QStringLiteral("revise-threshold"),
          QStringLiteral("Score above which a text is revised (default 50, or the queue's)."),
          QStringLiteral("T") },
        { QStringLiteral("revise"),
          QStringLiteral(
              "Have the LLM rewrite the texts to revise (a critique, then a rewrite).") },
        { QStringLiteral("reassess"),
          QStringLiteral("With --revise: assess each rewrite too and keep its score.") },
        { QStringLiteral("no-logprobs"),
          QStringLiteral(
              "Do not ask for logprobs (the score is then the integer the model wrote).") },
        { QStringLiteral("rules"),
          QStringLiteral("Also score with weighted regex/keyword rules (JSON)."),
          QStringLiteral("FILE") },
        { QStringLiteral("fasttext"),
          QStringLiteral("Also score with a fastText filter model: 100 × (1 − P(include))."),
          QStringLiteral("MODEL") },
        { QStringLiteral("combine"),
          QStringLiteral(
              "llm (default), max or mean: how the LLM's score and the local ones combine."),
          QStringLiteral("HOW"), QStringLiteral("llm") },
        { QStringLiteral("retry-errors"),
          QStringLiteral("Send the items that ended in an error again.") },
        { QStringLiteral("text-field"),
          QStringLiteral("The JSONL field holding the text (default text)."),
          QStringLiteral("FIELD"), QStringLiteral("text") },
        idFieldOption(),
        { QStringLiteral("wait"),
          QStringLiteral("When another run holds the queue, wait until it ends (default: exit "
                         "with code 3).") },
    });
    parser.addOptions(requestShapeOptions());
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, kRun,
                    QStringLiteral("Assess every pending text with an LLM and record each result "
                                   "as it arrives; run again to resume. One run per queue: "
                                   "while another holds it, exits with code 3 (or waits, "
                                   "with --wait). Exits 0 when no item of this run ended in an "
                                   "error, 3 when some did or when the run paused because every "
                                   "request would fail (a key refused, no quota, no such model, "
                                   "a parameter the model refuses): the rest stays pending."),
                    &exitCode))
        return exitCode;
    if (const auto refused
        = refuseOverwrites(queueFiles(parser),
                           optionFiles(parser,
                                       { QStringLiteral("input"), QStringLiteral("criteria"),
                                         QStringLiteral("rules"), QStringLiteral("fasttext") })))
        return *refused;
    // A new queue has nothing to fall back on: say what is missing before creating it.
    if (!parser.value(QStringLiteral("db")).isEmpty()
        && !QFileInfo::exists(parser.value(QStringLiteral("db"))))
        for (const char *required : { "criteria", "endpoint", "model" })
            if (parser.value(QString::fromLatin1(required)).isEmpty())
                return usageError(
                    QStringLiteral("--%1 is required").arg(QString::fromLatin1(required)), kRun);
    auto store = openStore(parser, kRun, &exitCode);
    if (!store)
        return exitCode;
    // The run's settings: the options given, else what the project keeps (from an earlier run or
    // the app); saved back below, so the app opens the queue with them.
    ReviewProject project(*store);
    auto kept = project.settings();
    if (!kept)
        return reportError(kept.error());
    ReviewProjectSettings settings = *kept;
    auto criteria = criteriaFor(parser, *store);
    if (!criteria && parser.value(QStringLiteral("criteria")).isEmpty() && !project.hasCriteria())
        return usageError(QStringLiteral("--criteria is required (the queue has none yet)"), kRun);
    if (!criteria)
        return reportError(criteria.error());
    for (const auto &[option, target] :
         { std::pair { QStringLiteral("endpoint"), &settings.endpoint },
           std::pair { QStringLiteral("model"), &settings.model } }) {
        if (!parser.value(option).isEmpty())
            *target = parser.value(option);
        if (target->isEmpty())
            return usageError(
                QStringLiteral("--%1 is required (the queue has none yet)").arg(option), kRun);
    }
    if (parser.isSet(QStringLiteral("text-field")))
        settings.textField = parser.value(QStringLiteral("text-field"));
    // Flags are this run's choices.
    settings.revise = parser.isSet(QStringLiteral("revise"));
    settings.reassessRevisions = parser.isSet(QStringLiteral("reassess"));
    settings.withLogprobs = !parser.isSet(QStringLiteral("no-logprobs"));
    if (parser.isSet(QStringLiteral("rules")))
        settings.assessors.rulesPath = parser.value(QStringLiteral("rules"));
    if (parser.isSet(QStringLiteral("fasttext")))
        settings.assessors.fastTextPath = parser.value(QStringLiteral("fasttext"));
    if (parser.isSet(QStringLiteral("combine"))) {
        const QString combine = parser.value(QStringLiteral("combine"));
        if (combine == QLatin1String("llm"))
            settings.assessors.combination.mode = ScoreCombination::Mode::LlmOnly;
        else if (combine == QLatin1String("max"))
            settings.assessors.combination.mode = ScoreCombination::Mode::Max;
        else if (combine == QLatin1String("mean"))
            settings.assessors.combination.mode = ScoreCombination::Mode::WeightedMean;
        else
            return usageError(QStringLiteral("--combine must be llm, max or mean"), kRun);
    }
    const auto concurrency
        = intOption(parser, QStringLiteral("concurrency"), settings.concurrency, 1, kRun);
    const auto rpm
        = intOption(parser, QStringLiteral("rpm"), int(settings.requestsPerMinute), 0, kRun);
    const auto deadline
        = intOption(parser, QStringLiteral("deadline"), settings.deadlineSeconds, 1, kRun);
    if (!concurrency || !rpm || !deadline)
        return ExitBadInput;
    settings.concurrency = *concurrency;
    if (parser.isSet(QStringLiteral("rpm")))
        settings.requestsPerMinute = *rpm;
    settings.deadlineSeconds = *deadline;
    // The local assessors are loaded here, before anything is sent (errors name their file).
    auto options = ReviewProject::runOptions(settings);
    if (!options)
        return reportError(options.error());

    // Before anything is imported or sent: a key that must not go there stops the run here.
    auto resolved = resolveRunEndpoint(parser, *store, settings.endpoint);
    if (!resolved)
        return reportError(resolved.error());

    // Importing is additive and idempotent, so it need not wait for another run.
    if (!parser.value(QStringLiteral("input")).isEmpty()) {
        if (const int imported = importInto(*store, parser, settings.textField); imported != ExitOk)
            return imported;
    }
    // One run per queue: everything from here on changes what a run does.
    if (const int leased = takeRunLease(*store, parser.isSet(QStringLiteral("wait")));
        leased != ExitOk)
        return leased;
    if (Status saved = project.setCriteria(*criteria); !saved)
        return reportError(saved.error());
    if (Status saved = project.setSettings(settings); !saved)  // never the key
        return reportError(saved.error());
    if (Status keptEnv = keepApiKeyEnv(parser, *store, resolved->url); !keptEnv)
        return reportError(keptEnv.error());
    if (parser.isSet(QStringLiteral("filter-threshold"))
        || parser.isSet(QStringLiteral("revise-threshold"))) {
        auto current = store->thresholds();
        if (!current)
            return reportError(current.error());
        Thresholds thresholds { current->filter, current->revise };
        for (const auto &[name, target] :
             { std::pair { QStringLiteral("filter-threshold"), &thresholds.filter },
               std::pair { QStringLiteral("revise-threshold"), &thresholds.revise } }) {
            if (!parser.isSet(name))
                continue;
            const auto value = doubleOption(parser, name, kRun);
            if (!value)
                return ExitBadInput;
            *target = *value;
        }
        if (Status valid = thresholds.validate(); !valid)
            return usageError(valid.error().reason, kRun);
        if (Status set = store->setThresholds(thresholds.filter, thresholds.revise); !set)
            return reportError(set.error());
    }
    if (parser.isSet(QStringLiteral("retry-errors")))
        if (Status reset = store->resetErrors(); !reset)
            return reportError(reset.error());

    const ClientLimits limits = ReviewProject::clientLimits(settings);
    LlmEndpoint endpoint;
    endpoint.baseUrl = resolved->url;  // without credentials: it shows up in error messages
    endpoint.model = settings.model;
    // What earlier runs learned the model refuses, then this run's own choices.
    auto profile = loadModelProfile(*store, endpoint.baseUrl, endpoint.model);
    if (!profile)
        return reportError(profile.error());
    if (const auto refused = chooseRequestShape(parser, *profile, kRun))
        return *refused;
    endpoint.apiKey = resolved->key;  // resolveEndpoint's: only where it may go

    LlmClient client(endpoint, limits);
    client.setModelProfile(*profile);
    ReviewRunner runner(*store, client, std::move(criteria).value(), std::move(options).value());
    QEventLoop loop;
    int result = ExitOk;
    qint64 lastShown = -1;
    QObject::connect(&runner, &ReviewRunner::progress, [&lastShown](const RunProgress &progress) {
        const qint64 done = progress.done;
        const qint64 total = progress.total;
        if (total > 0 && (done == total || done / std::max<qint64>(1, total / 20) != lastShown)) {
            lastShown = done / std::max<qint64>(1, total / 20);
            printInfo(QStringLiteral("assessed %1 of %2").arg(done).arg(total));
        }
    });
    QObject::connect(&runner, &ReviewRunner::failed, [&](const Error &error) {
        result = reportError(error);
        loop.quit();
    });
    QObject::connect(&runner, &ReviewRunner::finished, [&](const ReviewRunSummary &summary) {
        printInfo(QStringLiteral("run: %1 assessed, %2 errors (kept as errors, never as scores), "
                                 "%3 revised, %4 rewrites failed; "
                                 "%5 prompt + %6 completion tokens, %7 retries, %8 s")
                      .arg(summary.assessed)
                      .arg(summary.errors)
                      .arg(summary.revised)
                      .arg(summary.revisionErrors)
                      .arg(summary.promptTokens)
                      .arg(summary.completionTokens)
                      .arg(summary.retries)
                      .arg(summary.seconds, 0, 'f', 1));
        if (!summary.errorCodes.isEmpty())
            printInfo(
                QStringLiteral("run: errors by code: %1").arg(errorCodeCounts(summary.errorCodes)));
        if (!summary.adaptations.isEmpty())
            printInfo(QStringLiteral("run: adapted to %1 (%2 request(s) sent again): %3; kept in "
                                     "the queue for later runs and batch-export")
                          .arg(endpoint.model)
                          .arg(summary.adaptiveResends)
                          .arg(summary.adaptations.join(QStringLiteral("; "))));
        else if (!summary.modelProfile.isEmpty())
            printInfo(QStringLiteral("run: requests shaped by the stored profile of %1: %2")
                          .arg(endpoint.model, summary.modelProfile));
        if (summary.lowestConcurrency < summary.concurrency)
            printInfo(QStringLiteral("run: rate limits lowered the requests in flight to %1 "
                                     "(of %2)")
                          .arg(summary.lowestConcurrency)
                          .arg(summary.concurrency));
        if (summary.paused) {
            PageQuery pending;
            pending.state = ItemState::Pending;
            const auto left = store->count(pending);
            printInfo(QStringLiteral("run paused (%1): %2; %3 items stay pending: fix the cause "
                                     "and run again to resume")
                          .arg(summary.pauseCode, summary.pauseReason,
                               left ? QString::number(*left) : QStringLiteral("the other")));
        }
        if (summary.withoutLogprobs > 0)
            printInfo(QStringLiteral("run: %1").arg(
                withoutLogprobsLine(summary.withoutLogprobs, summary.withoutLogprobsByReason)));
        result = summary.paused || summary.errors > 0 ? ExitIncomplete : ExitOk;
        loop.quit();
    });
    QMetaObject::invokeMethod(&runner, &ReviewRunner::start, Qt::QueuedConnection);
    loop.exec();
    return result;
}

int statusReview(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOption(dbOption());
    parser.addOption({ QStringLiteral("check"),
                       QStringLiteral("Also read every page of the queue (SQLite quick_check): "
                                      "seconds per GB.") });
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, kStatus,
                    QStringLiteral("Prints counts by state and decision, as JSON, after checking "
                                   "them against the items (--check: the whole file too)."),
                    &exitCode))
        return exitCode;
    auto store = openStore(parser, kStatus, &exitCode);
    if (!store)
        return exitCode;
    // The counts are kept as items change; checking them against the state and decision indexes
    // costs a fraction of a second at a million items, a whole-file quick_check seconds. The
    // export reads every row it writes and reports a damaged one itself.
    if (Status intact = parser.isSet(QStringLiteral("check")) ? store->quickCheck() : Done {};
        !intact)
        return reportError(intact.error());
    if (Status agreed = store->checkTallies(); !agreed)
        return reportError(agreed.error());
    auto status = store->status();
    if (!status)
        return reportError(status.error());
    printJson(*status);
    return ExitOk;
}

int exportReview(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions(
        { dbOption(),
          { QStringLiteral("output"), QStringLiteral("Curated JSONL: kept and revised texts."),
            QStringLiteral("FILE") },
          { QStringLiteral("dropped"), QStringLiteral("Filtered texts (JSONL)."),
            QStringLiteral("FILE") },
          { QStringLiteral("log"), QStringLiteral("Decision log (CSV)."), QStringLiteral("FILE") },
          { QStringLiteral("text-field"),
            QStringLiteral("The field to put the final text in (default text)."),
            QStringLiteral("FIELD"), QStringLiteral("text") },
          { QStringLiteral("revise-missing"),
            QStringLiteral("A revise decision without a revision or edit: hold (default: not "
                           "exported, listed), keep-original (curated as it is) or drop."),
            QStringLiteral("POLICY"), QStringLiteral("hold") } });
    int exitCode = ExitOk;
    if (parseOrExit(
            parser, arguments, kExport,
            QStringLiteral("Write the curated corpus, the dropped texts and a decision log."),
            &exitCode))
        return exitCode;
    if (parser.value(QStringLiteral("output")).isEmpty())
        return usageError(QStringLiteral("--output is required"), kExport);
    const auto reviseMissing
        = reviseMissingPolicyFromName(parser.value(QStringLiteral("revise-missing")));
    if (!reviseMissing)
        return usageError(QStringLiteral("--revise-missing must be hold, keep-original or drop"),
                          kExport);
    const QList<NamedPath> outputs {
        { parser.value(QStringLiteral("output")), QStringLiteral("--output") },
        { parser.value(QStringLiteral("dropped")), QStringLiteral("--dropped") },
        { parser.value(QStringLiteral("log")), QStringLiteral("--log") }
    };
    if (const auto refused = refuseOverwrites(outputs, queueFiles(parser)))
        return *refused;
    auto store = openStore(parser, kExport, &exitCode);
    if (!store)
        return exitCode;
    if (const auto refused = refuseOverwritingQueue(*store, outputs))
        return *refused;
    auto summary = store->exportCurated(parser.value(QStringLiteral("output")),
                                        parser.value(QStringLiteral("dropped")),
                                        parser.value(QStringLiteral("log")),
                                        parser.value(QStringLiteral("text-field")), *reviseMissing);
    if (!summary)
        return reportError(summary.error());
    for (const QString &problem : std::as_const(summary->problems))
        printInfo(QStringLiteral("export: %1").arg(problem));
    QString line = QStringLiteral("export: %1 curated (%2 revised), %3 dropped; not exported: %4 "
                                  "pending, %5 errors, %6 held back, %7 failed")
                       .arg(summary->curated)
                       .arg(summary->revised)
                       .arg(summary->dropped)
                       .arg(summary->pending)
                       .arg(summary->errors)
                       .arg(summary->held)
                       .arg(summary->failed);
    if (summary->reviseMissing > 0) {
        // Named by the records' own ids (--id-field at import), else the internal ones.
        const QStringList &ids = summary->reviseMissingSourceIds;
        const QString fate = *reviseMissing == ReviseMissingPolicy::Hold
            ? QStringLiteral("held back")
            : *reviseMissing == ReviseMissingPolicy::Drop
            ? QStringLiteral("dropped")
            : QStringLiteral("curated with their original text");
        line += QStringLiteral("; %1 revise decisions without a revision (%2; items %3%4)")
                    .arg(summary->reviseMissing)
                    .arg(fate, ids.join(QStringLiteral(", ")),
                         summary->reviseMissing > ids.size() ? QStringLiteral(", ...") : QString());
    }
    if (summary->ownOriginalText > 0)
        line
            += QStringLiteral("; %1 records have their own \"original_text\": the replaced text is "
                              "in \"pcstudio_original_text\"")
                   .arg(summary->ownOriginalText);
    if (summary->unscannable > 0)
        line += QStringLiteral("; %1 exported unchanged though today's import would refuse them")
                    .arg(summary->unscannable);
    printInfo(line);
    return ExitOk;
}

int batchExportReview(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions(
        { dbOption(),
          { QStringLiteral("output"), QStringLiteral("Batch API input JSONL."),
            QStringLiteral("FILE") },
          { QStringLiteral("model"), QStringLiteral("The model named in every request."),
            QStringLiteral("NAME") },
          { QStringLiteral("criteria"),
            QStringLiteral(
                "The criteria (JSON); default: those the queue was run or imported with."),
            QStringLiteral("FILE") },
          { QStringLiteral("no-logprobs"), QStringLiteral("Do not ask for logprobs.") },
          { QStringLiteral("endpoint"),
            QStringLiteral("Shape the requests by what `review run` learned about MODEL at this "
                           "endpoint (default: the one endpoint with a profile for MODEL)."),
            QStringLiteral("URL") },
          { QStringLiteral("max-requests"),
            QStringLiteral("Requests per file at most (default 50000, OpenAI's limit; 0 = no "
                           "limit)."),
            QStringLiteral("N") },
          { QStringLiteral("max-bytes"),
            QStringLiteral("Bytes per file at most (default 190000000, under OpenAI's 200 MB; "
                           "0 = no limit)."),
            QStringLiteral("N") } });
    parser.addOptions(requestShapeOptions());
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, kBatchExport,
                    QStringLiteral("Write the pending assessments as OpenAI Batch API requests "
                                   "(vLLM run-batch reads them too): FILE when they fit one "
                                   "file, else FILE-001, FILE-002, ... each within the limits."),
                    &exitCode))
        return exitCode;
    BatchFileLimits limits;
    const auto maxRequests = intOption(parser, QStringLiteral("max-requests"),
                                       int(limits.maxRequests), 0, kBatchExport);
    const auto maxBytes
        = intOption(parser, QStringLiteral("max-bytes"), int(limits.maxBytes), 0, kBatchExport);
    if (!maxRequests || !maxBytes)
        return ExitBadInput;
    limits.maxRequests = *maxRequests;
    limits.maxBytes = *maxBytes;
    for (const char *required : { "output", "model" })
        if (parser.value(QString::fromLatin1(required)).isEmpty())
            return usageError(QStringLiteral("--%1 is required").arg(QString::fromLatin1(required)),
                              kBatchExport);
    const QList<NamedPath> outputs { { parser.value(QStringLiteral("output")),
                                       QStringLiteral("--output") } };
    if (const auto refused = refuseOverwrites(
            outputs, queueFiles(parser) + optionFiles(parser, { QStringLiteral("criteria") })))
        return *refused;
    auto store = openStore(parser, kBatchExport, &exitCode);
    if (!store)
        return exitCode;
    if (const auto refused = refuseOverwritingQueue(*store, outputs))
        return *refused;
    auto criteria = criteriaFor(parser, *store);
    if (!criteria)
        return reportError(criteria.error());
    const QString model = parser.value(QStringLiteral("model"));
    // Only a name for the profile here: credentials typed into it are never shown.
    QString profileEndpoint = scrubbedEndpointUrl(parser.value(QStringLiteral("endpoint")));
    ModelProfile profile;
    if (!profileEndpoint.isEmpty()) {
        auto stored = loadModelProfile(*store, profileEndpoint, model);
        if (!stored)
            return reportError(stored.error());
        profile = *stored;
    } else {
        auto stored = storedProfilesOf(*store, model);
        if (!stored)
            return reportError(stored.error());
        QStringList endpoints;
        for (const auto &[endpoint, learned] : std::as_const(*stored)) {
            endpoints << endpoint;
            if (learned.toJson() != stored->first().second.toJson())
                return usageError(QStringLiteral("%1 has model profiles at several endpoints "
                                                 "that differ (%2): give --endpoint")
                                      .arg(model, endpoints.join(QStringLiteral(", "))),
                                  kBatchExport);
        }
        if (!stored->isEmpty()) {
            profile = stored->first().second;
            profileEndpoint = stored->first().first;
        } else if (QRegularExpression(QStringLiteral("^(o\\d|gpt-5)")).match(model).hasMatch()
                   && !parser.isSet(QStringLiteral("temperature"))) {
            printInfo(QStringLiteral("batch-export: nothing is learned about %1 yet; OpenAI's "
                                     "reasoning models refuse temperature 0 and log-probs: run "
                                     "`review run` on a few items first, or give --temperature "
                                     "none --no-logprobs")
                          .arg(model));
        }
    }
    if (const auto refused = chooseRequestShape(parser, profile, kBatchExport))
        return *refused;
    auto summary
        = exportBatchRequests(*store, *criteria, model, parser.value(QStringLiteral("output")),
                              !parser.isSet(QStringLiteral("no-logprobs")), profile, limits);
    if (!summary)
        return reportError(summary.error());
    printInfo(QStringLiteral("batch-export: %1 requests in %2 file(s)")
                  .arg(summary->requests)
                  .arg(summary->files.size()));
    for (const BatchExportSummary::File &file : summary->files)
        printInfo(QStringLiteral("  %1 (%2 requests, %3 bytes)")
                      .arg(file.path)
                      .arg(file.requests)
                      .arg(file.bytes));
    if (!profile.summary().isEmpty())
        printInfo(QStringLiteral("batch-export: shaped by what %1 refused at %2: %3")
                      .arg(model, profileEndpoint, profile.summary()));
    for (const QString &warning : std::as_const(summary->warnings))
        printInfo(QStringLiteral("batch-export: warning: %1").arg(warning));
    for (const QString &stale : std::as_const(summary->staleFiles))
        printInfo(QStringLiteral("batch-export: warning: %1 is not part of this export (an "
                                 "earlier one?); do not upload it with these")
                      .arg(stale));
    return ExitOk;
}

int batchImportReview(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions(
        { dbOption(),
          { QStringLiteral("input"),
            QStringLiteral("Batch API results JSONL (repeat, or list more files after it; any "
                           "order)."),
            QStringLiteral("FILE") } });
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QStringLiteral("More results files (as --input)."),
                                 QStringLiteral("[FILE...]"));
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, kBatchImport,
                    QStringLiteral("Read Batch API results into the queue, joined by custom_id."),
                    &exitCode, /*allowPositional=*/true))
        return exitCode;
    QStringList inputs = parser.values(QStringLiteral("input"));
    inputs += parser.positionalArguments();
    inputs.removeAll(QString());
    if (inputs.isEmpty())
        return usageError(QStringLiteral("--input is required"), kBatchImport);
    QList<NamedPath> inputFiles;
    for (const QString &input : std::as_const(inputs))
        inputFiles << NamedPath { input, QStringLiteral("--input") };
    if (const auto refused = refuseOverwrites(queueFiles(parser), inputFiles))
        return *refused;
    auto store = openStore(parser, kBatchImport, &exitCode);
    if (!store)
        return exitCode;
    auto summary = importBatchResults(*store, inputs);
    if (!summary)
        return reportError(summary.error());
    for (const QString &problem : summary->problems.mid(0, 10))
        printInfo(QStringLiteral("batch-import: %1").arg(problem));
    printInfo(QStringLiteral("batch-import: %1 assessed, %2 errors, %3 not pending, %4 unknown "
                             "ids, %5 malformed lines")
                  .arg(summary->assessed)
                  .arg(summary->errors)
                  .arg(summary->notPending)
                  .arg(summary->unknown)
                  .arg(summary->malformed));
    if (summary->withoutLogprobs > 0)
        printInfo(QStringLiteral("batch-import: %1")
                      .arg(withoutLogprobsLine(summary->withoutLogprobs,
                                               summary->withoutLogprobsByReason)));
    return ExitOk;
}

// review thresholds: sets the thresholds (or, with --dry-run, only counts what they would do)
// and says the keep/revise/filter counts and how long it took.
int thresholdsReview(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions(
        { dbOption(),
          { QStringLiteral("filter-threshold"),
            QStringLiteral("Scores above this are filtered (0-100; default: the queue's)."),
            QStringLiteral("T") },
          { QStringLiteral("revise-threshold"),
            QStringLiteral("Scores above this (and not above the filter threshold) are revised "
                           "(0-100; default: the queue's)."),
            QStringLiteral("T") },
          { QStringLiteral("dry-run"),
            QStringLiteral("Print the counts the thresholds would give without setting them.") } });
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, kThresholds,
                    QStringLiteral("Set the queue's thresholds and print the keep/revise/filter "
                                   "counts they give."),
                    &exitCode))
        return exitCode;
    const QString db = parser.value(QStringLiteral("db"));
    if (db.isEmpty())
        return usageError(QStringLiteral("--db is required"), kThresholds);
    // Thresholds belong to a queue: never create an empty one here.
    if (!QFileInfo::exists(db))
        return reportError(Error::badInput(QStringLiteral("no review queue here"), db));
    auto store = openStore(parser, kThresholds, &exitCode);
    if (!store)
        return exitCode;
    auto current = store->thresholds();
    if (!current)
        return reportError(current.error());
    Thresholds wanted = *current;
    for (const auto &[name, target] :
         { std::pair { QStringLiteral("filter-threshold"), &wanted.filter },
           std::pair { QStringLiteral("revise-threshold"), &wanted.revise } }) {
        if (!parser.isSet(name))
            continue;
        const auto value = doubleOption(parser, name, kThresholds);
        if (!value)
            return ExitBadInput;
        *target = *value;
    }
    if (Status valid = wanted.validate(); !valid)
        return usageError(valid.error().reason, kThresholds);
    const bool dryRun = parser.isSet(QStringLiteral("dry-run"));
    QElapsedTimer timer;
    timer.start();
    if (!dryRun) {
        if (Status set = store->setThresholds(wanted.filter, wanted.revise); !set)
            return reportError(set.error());
    }
    auto counts = store->countsFor(wanted);
    if (!counts)
        return reportError(counts.error());
    const double seconds = double(timer.nsecsElapsed()) * 1e-9;
    std::printf("%s: filter %s, revise %s: keep %lld, revise %lld, filter %lld (%lld decided by a "
                "human; %lld pending, %lld errors, %lld items) in %.3f s\n",
                dryRun ? "dry run" : "thresholds set",
                qPrintable(QString::number(wanted.filter, 'g', QLocale::FloatingPointShortest)),
                qPrintable(QString::number(wanted.revise, 'g', QLocale::FloatingPointShortest)),
                counts->keep, counts->revise, counts->filter, counts->humanDecided, counts->pending,
                counts->errors, counts->total, seconds);
    std::fflush(stdout);
    return ExitOk;
}

}  // namespace

int runReviewCommand(const QStringList &arguments)
{
    const QString usage = QStringLiteral(
        "usage: pcstudio-cli review "
        "run|import|status|thresholds|export|batch-export|batch-import|audit|calibrate [OPTIONS]");
    if (arguments.size() < 2)
        return usageError(usage, QStringLiteral("review"));
    const QString sub = arguments[1];
    const QStringList rest = arguments.mid(1);
    if (sub == QLatin1String("run"))
        return runReview(rest);
    if (sub == QLatin1String("status"))
        return statusReview(rest);
    if (sub == QLatin1String("import"))
        return importReview(rest);
    if (sub == QLatin1String("thresholds"))
        return thresholdsReview(rest);
    if (sub == QLatin1String("export"))
        return exportReview(rest);
    if (sub == QLatin1String("batch-export"))
        return batchExportReview(rest);
    if (sub == QLatin1String("batch-import"))
        return batchImportReview(rest);
    if (sub == QLatin1String("audit"))
        return runReviewAuditCommand(rest);
    if (sub == QLatin1String("calibrate"))
        return runReviewCalibrateCommand(rest);
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        std::fputs(qPrintable(usage + QLatin1Char('\n')), stdout);
        return ExitOk;
    }
    return usageError(QStringLiteral("unknown review command '%1'; %2").arg(sub, usage),
                      QStringLiteral("review"));
}

}  // namespace pcs::cli
