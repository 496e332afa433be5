#include "app/cli/clitrust.h"

#include "app/cli/clisupport.h"
#include "core/io/atomicwrite.h"
#include "core/selection/bootstrap.h"
#include "core/selection/domains.h"
#include "core/selection/estimatorinfo.h"
#include "core/selection/runreport.h"
#include "core/selection/selectionrun.h"

#include <QElapsedTimer>

namespace pcs::cli {

void addTrustOptions(QCommandLineParser &parser, bool estimates, bool selects)
{
    if (estimates)
        parser.addOption(QCommandLineOption(
            QStringLiteral("standardize"),
            QStringLiteral("Z-score each text's BPB column and the errors before estimating: "
                           "makes product Pearson's correlation (the paper's intended "
                           "inner-product estimate) and sign scale-free; rank estimators are "
                           "unchanged.")));
    if (!selects)
        return;
    parser.addOption(QCommandLineOption(
        QStringLiteral("bootstrap"),
        QStringLiteral("Resample the LLMs with replacement B times (e.g. 200), rerun the estimate "
                       "and projection, and add per text ci_low, ci_high (percentile interval) "
                       "and p_selected (share of resamples with weight > 0); the report gets the "
                       "selection's stability."),
        QStringLiteral("B")));
    parser.addOption(QCommandLineOption(QStringLiteral("seed"),
                                        QStringLiteral("Seed of the bootstrap's resamples "
                                                       "(default 0): the same seed gives the same "
                                                       "figures for any thread count."),
                                        QStringLiteral("S"), QStringLiteral("0")));
    parser.addOption(QCommandLineOption(
        QStringLiteral("ci"), QStringLiteral("Level of the bootstrap interval, in (0, 1)."),
        QStringLiteral("LEVEL"), QStringLiteral("0.9")));
    parser.addOption(QCommandLineOption(
        QStringLiteral("domains"),
        QStringLiteral("Domain of each text: CSV/TSV with columns text,domain, or JSONL with "
                       "id and domain fields. Default: the BPB file's domain column, if any. "
                       "Adds weight, texts selected and mean estimate per domain to the report "
                       "and writes OUTPUT.domains.csv beside a file output."),
        QStringLiteral("FILE")));
}

std::optional<int> readTrustSettings(const QCommandLineParser &parser, TrustSettings &settings,
                                     const QString &command, bool selects)
{
    const QStringList names = parser.optionNames();
    auto has = [&](const char *name) {
        return names.contains(QLatin1String(name)) && parser.isSet(QLatin1String(name));
    };
    settings.standardize = has("standardize");
    // --seed and --ci belong to the bootstrap only where it is offered (validate has its own).
    if (!selects)
        return std::nullopt;
    if (has("bootstrap")) {
        const auto resamples = intOption(parser, QStringLiteral("bootstrap"), 0, 1, command);
        if (!resamples)
            return ExitBadInput;
        settings.bootstrap = *resamples;
    }
    if (has("seed")) {
        bool ok = false;
        settings.seed = parser.value(QStringLiteral("seed")).toULongLong(&ok);
        if (!ok)
            return usageError(QStringLiteral("--seed must be a non-negative integer, not '%1'")
                                  .arg(parser.value(QStringLiteral("seed"))),
                              command);
    }
    if (has("ci")) {
        const auto level = doubleOption(parser, QStringLiteral("ci"), command);
        if (!level)
            return ExitBadInput;
        if (!(*level > 0 && *level < 1))
            return usageError(QStringLiteral("--ci must be in (0, 1), not %1")
                                  .arg(parser.value(QStringLiteral("ci"))),
                              command);
        settings.ciLevel = *level;
    }
    if ((has("seed") || has("ci")) && settings.bootstrap == 0)
        return usageError(
            QStringLiteral("--seed and --ci set up the bootstrap: give --bootstrap B"), command);
    if (has("domains"))
        settings.domainsPath = parser.value(QStringLiteral("domains"));
    return std::nullopt;
}

void noteEstimatorChoice(Estimator estimator, const TrustSettings &settings, RunReport &report)
{
    report.setParameter(QStringLiteral("standardize"), settings.standardize);
    const QString warning = estimatorWarning(estimator, settings.standardize);
    if (warning.isEmpty())
        return;
    printInfo(QStringLiteral("warning: %1").arg(warning));
    report.setSection(QStringLiteral("estimator_warning"), warning);
}

namespace {

QString percent(double share)
{
    return QString::number(100 * share, 'f', 0) + QLatin1Char('%');
}

Status addBootstrap(const TrustSettings &settings, const SelectionInputs &inputs,
                    SelectionTable &table, const EstimateOptions &estimate, Projection projection,
                    RunReport &report)
{
    BootstrapOptions options;
    options.resamples = settings.bootstrap;
    options.seed = settings.seed;
    options.level = settings.ciLevel;
    options.estimator = estimate.estimator;
    options.standardize = settings.standardize;
    options.projection = projection;
    options.threads = estimate.threads;
    // A line at every tenth of the resamples: a long run shows it is moving.
    int lastTenth = 0;
    const TaskControl progress(
        [&](qint64 done, qint64 total) {
            const int tenth = int(done * 10 / total);
            if (tenth > lastTenth && done < total) {
                lastTenth = tenth;
                printInfo(QStringLiteral("bootstrap: %1 of %2 resamples").arg(done).arg(total));
            }
        },
        {});
    QElapsedTimer timer;
    timer.start();
    auto result
        = bootstrapSelection(inputs.bpb->values, inputs.aligned.bpbRows, inputs.aligned.errors,
                             table.tau, table.weight, options, progress);
    if (!result)
        return result.error();
    report.setPhaseSeconds(QStringLiteral("bootstrap_s"), double(timer.nsecsElapsed()) * 1e-9);
    table.ciLow = result->ciLow;
    table.ciHigh = result->ciHigh;
    table.pSelected = result->pSelected;
    report.setSection(QStringLiteral("bootstrap"), result->toJson());
    printInfo(QStringLiteral("bootstrap (%1 resamples of the %2 LLMs, seed %3): the selected "
                             "sets overlap the full-data one by %4 on average (mean Jaccard); "
                             "%5 of the %6 selected texts are selected in at least %7 of "
                             "resamples")
                  .arg(result->resamples)
                  .arg(inputs.aligned.llms.size())
                  .arg(result->seed)
                  .arg(QString::number(result->meanJaccard, 'f', 3))
                  .arg(result->stableCount)
                  .arg(result->fullSelectedCount)
                  .arg(percent(kStableSelectionShare)));
    if (result->redrawn > 0)
        printInfo(QStringLiteral("bootstrap: %1 resamples with equal errors for every drawn LLM "
                                 "were drawn again")
                      .arg(result->redrawn));
    return Done {};
}

}  // namespace

Status addTrustFigures(const TrustSettings &settings, const SelectionInputs &inputs,
                       SelectionTable &table, const EstimateOptions &estimate,
                       Projection projection, RunReport &report, OutputSet &outputs,
                       const QString &output)
{
    if (settings.bootstrap > 0)
        if (Status done = addBootstrap(settings, inputs, table, estimate, projection, report);
            !done)
            return done;

    std::optional<TextDomains> domains;
    if (!settings.domainsPath.isEmpty()) {
        auto loaded = loadTextDomains(settings.domainsPath, table.texts);
        if (!loaded)
            return loaded.error();
        domains = std::move(loaded).value();
    } else {
        domains = domainsFromBpb(*inputs.bpb);
    }
    if (!domains)
        return Done {};
    const auto summaries = summarizeDomains(table, domains->domains);
    report.setSection(QStringLiteral("domains"),
                      QJsonObject { { QStringLiteral("source"), domains->source },
                                    { QStringLiteral("per_domain"), domainsToJson(summaries) } });
    printInfo(QStringLiteral("per domain (from %1): weight, texts selected, mean estimate")
                  .arg(domains->source));
    const std::size_t shown = 12;
    for (std::size_t i = 0; i < summaries.size() && i < shown; ++i)
        printInfo(QStringLiteral("  %1  weight %2  selected %3 of %4  mean estimate %5")
                      .arg(summaries[i].domain)
                      .arg(QString::number(summaries[i].weight, 'f', 4))
                      .arg(summaries[i].selectedCount)
                      .arg(summaries[i].textCount)
                      .arg(QString::number(summaries[i].meanEstimate, 'g', 4)));
    if (summaries.size() > shown)
        printInfo(QStringLiteral("  … and %1 more domains (all in the report and the domains CSV)")
                      .arg(summaries.size() - shown));
    if (output != QLatin1String("-"))
        return addDomainsCsv(outputs, domainsCsvPath(output), summaries);
    return Done {};
}

}  // namespace pcs::cli
