// validate: does a selection chosen on some LLMs predict held-out LLMs better than baselines?
#include "app/cli/clicommands.h"
#include "app/cli/clisupport.h"
#include "app/cli/clitrust.h"
#include "core/common/parallel.h"
#include "core/io/atomicwrite.h"
#include "core/io/outputpaths.h"
#include "core/selection/estimatorinfo.h"
#include "core/selection/llmmatching.h"
#include "core/selection/runreport.h"
#include "core/selection/selectionrun.h"
#include "core/selection/validation.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>

namespace pcs::cli {

namespace {

const QString kCommand = QStringLiteral("validate");

void addOptions(QCommandLineParser &parser)
{
    auto add = [&](const char *name, const QString &help, const char *valueName = nullptr,
                   const char *fallback = nullptr) {
        parser.addOption(QCommandLineOption(QLatin1String(name), help,
                                            valueName ? QLatin1String(valueName) : QString(),
                                            fallback ? QLatin1String(fallback) : QString()));
    };
    add("bpb", QStringLiteral("BPB matrix: CSV/TSV (text rows, LLM rows or llm,text,bpb) or .npy."),
        "FILE");
    add("errors",
        QStringLiteral("Benchmark errors: the package's CSV, or lm-evaluation-harness JSON."),
        "FILE");
    add("benchmark", QStringLiteral("Benchmarks to combine, comma-separated (default: as select)."),
        "A[,B...]");
    add("combine", QStringLiteral("mean (default), rank-mean or z-mean."), "MODE", "mean");
    add("match", QStringLiteral("exact (default) or hf-id."), "MODE", "exact");
    add("llm-map", QStringLiteral("CSV bpb_name,errors_name: LLMs matched as listed."), "FILE");
    parser.addOption(QCommandLineOption(QStringLiteral("dedupe-llms"),
                                        QStringLiteral("Of LLMs with identical BPB rows, use "
                                                       "only the first.")));
    add("metric", QStringLiteral("lm-eval: TASK=METRIC[,FILTER]. Repeatable."), "SPEC");
    add("estimator", estimatorHelpText(), "NAME", "spearmanr");
    add("layout", QStringLiteral("BPB layout: auto, text-rows, llm-rows, long or npy."), "NAME",
        "auto");
    add("texts", QStringLiteral("For .npy: text names, one per line."), "FILE");
    add("llms", QStringLiteral("For .npy: LLM names, one per line."), "FILE");
    add("text-column", QStringLiteral("Text-rows layout: the label column naming texts."), "NAME");
    add("threads", QStringLiteral("Worker threads (default: one per core)."), "N", "0");
    add("tau", QStringLiteral("Per-text caps, CSV text,tau."), "FILE");
    add("token-counts", QStringLiteral("Tokens per text, CSV text,tokens."), "FILE");
    add("keep-ratio", QStringLiteral("Fraction of the pool to keep, in (0, 1]."), "R");
    add("projection", QStringLiteral("linear (default) or l2."), "NAME", "linear");
    add("folds", QStringLiteral("Number of folds K >= 2 (default 5)."), "K", "5");
    add("seed", QStringLiteral("Seed of the folds and random baselines (default 0)."), "S", "0");
    add("group-by",
        QStringLiteral("llm (default) or family: hold out whole families (the first element of "
                       "names like \"('family', 'org/model')\"), never splitting one."),
        "WHAT", "llm");
    add("random-draws", QStringLiteral("Random selections of the same size per fold (default 20)."),
        "N", "20");
    add("output", QStringLiteral("Write the per-fold figures and their means as JSON."),
        "FILE.json");
    addTrustOptions(parser, true, false);
}

QString describe()
{
    return QStringLiteral(
        "Held-out-LLM validation: for each of K folds, choose the distribution on the other LLMs "
        "and score it on the held-out ones (Spearman rho between their benchmark error and their "
        "BPB averaged under the distribution), against the uniform distribution and random "
        "selections of the same size.");
}

}  // namespace

int runValidateCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    addOptions(parser);
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, kCommand, describe(), &exitCode))
        return exitCode;
    for (const char *required : { "bpb", "errors" })
        if (parser.value(QLatin1String(required)).isEmpty())
            return usageError(QStringLiteral("--%1 is required").arg(QLatin1String(required)),
                              kCommand);

    ValidationOptions options;
    const auto estimator = estimatorFromName(parser.value(QStringLiteral("estimator")));
    if (!estimator)
        return usageError(QStringLiteral("unknown estimator '%1'; choose one of %2")
                              .arg(parser.value(QStringLiteral("estimator")),
                                   estimatorNames().join(QStringLiteral(", "))),
                          kCommand);
    options.estimator = *estimator;
    const auto projection = projectionFromName(parser.value(QStringLiteral("projection")));
    if (!projection)
        return usageError(QStringLiteral("unknown projection '%1'; choose linear or l2")
                              .arg(parser.value(QStringLiteral("projection"))),
                          kCommand);
    options.projection = *projection;
    BpbLoadOptions bpbOptions;
    if (!bpbLayoutFromName(parser.value(QStringLiteral("layout")), &bpbOptions.layout))
        return usageError(
            QStringLiteral("unknown layout '%1'").arg(parser.value(QStringLiteral("layout"))),
            kCommand);
    bpbOptions.textsFile = parser.value(QStringLiteral("texts"));
    bpbOptions.llmsFile = parser.value(QStringLiteral("llms"));
    bpbOptions.textColumn = parser.value(QStringLiteral("text-column"));
    const auto threads = intOption(parser, QStringLiteral("threads"), 0, 0, kCommand);
    const auto folds = intOption(parser, QStringLiteral("folds"), 5, 2, kCommand);
    const auto draws = intOption(parser, QStringLiteral("random-draws"), 20, 1, kCommand);
    if (!threads || !folds || !draws)
        return ExitBadInput;
    options.threads = bpbOptions.threads = *threads;
    options.folds = *folds;
    options.randomDraws = *draws;
    bool seedOk = false;
    options.seed = parser.value(QStringLiteral("seed")).toULongLong(&seedOk);
    if (!seedOk)
        return usageError(QStringLiteral("--seed must be a non-negative integer, not '%1'")
                              .arg(parser.value(QStringLiteral("seed"))),
                          kCommand);
    const QString groupBy = parser.value(QStringLiteral("group-by"));
    if (groupBy != QLatin1String("llm") && groupBy != QLatin1String("family"))
        return usageError(
            QStringLiteral("unknown --group-by '%1'; choose llm or family").arg(groupBy), kCommand);
    options.groupByFamily = groupBy == QLatin1String("family");
    TrustSettings trust;
    if (const auto failed = readTrustSettings(parser, trust, kCommand, false))
        return *failed;
    options.standardize = trust.standardize;

    AlignOptions align;
    const auto matching = llmMatchingFromName(parser.value(QStringLiteral("match")));
    const auto combination = combinationFromName(parser.value(QStringLiteral("combine")));
    if (!matching || !combination)
        return usageError(QStringLiteral("unknown --match or --combine value"), kCommand);
    align.matching = *matching;
    align.combination = *combination;
    align.benchmarks = listOption(parser, QStringLiteral("benchmark"));
    align.dedupeLlms = parser.isSet(QStringLiteral("dedupe-llms"));
    BenchmarkLoadOptions errorsOptions;
    for (const QString &metric : parser.values(QStringLiteral("metric")))
        if (Status added = addMetricOverride(errorsOptions, metric); !added)
            return usageError(added.error().reason, kCommand);

    TauSpec tau;
    const bool hasTau = parser.isSet(QStringLiteral("tau"));
    const bool hasRatio = parser.isSet(QStringLiteral("keep-ratio"));
    if (hasTau == hasRatio)
        return usageError(QStringLiteral("give --keep-ratio R (with optional --token-counts) or "
                                         "--tau FILE"),
                          kCommand);
    if (hasTau) {
        tau = { TauSpec::Source::File, parser.value(QStringLiteral("tau")), 1.0 };
    } else {
        const auto ratio = doubleOption(parser, QStringLiteral("keep-ratio"), kCommand);
        if (!ratio)
            return ExitBadInput;
        if (!(*ratio > 0.0 && *ratio <= 1.0))
            return usageError(QStringLiteral("--keep-ratio must be in (0, 1]"), kCommand);
        const bool tokens = parser.isSet(QStringLiteral("token-counts"));
        tau = { tokens ? TauSpec::Source::TokenCounts : TauSpec::Source::Uniform,
                parser.value(QStringLiteral("token-counts")), *ratio };
    }

    const QString output = parser.value(QStringLiteral("output"));
    QList<NamedPath> inputs;
    for (const char *option : { "errors", "texts", "llms", "llm-map", "tau", "token-counts" })
        for (const QString &path : parser.values(QLatin1String(option)))
            inputs << NamedPath { path, QStringLiteral("--") + QLatin1String(option) };
    inputs += bpbMatrixFiles(parser.value(QStringLiteral("bpb")), QStringLiteral("--bpb"));
    if (const auto refused = refuseOverwrites({ { output, QStringLiteral("--output") } }, inputs))
        return *refused;

    if (!parser.value(QStringLiteral("llm-map")).isEmpty()) {
        auto map = loadLlmMap(parser.value(QStringLiteral("llm-map")));
        if (!map)
            return reportError(map.error());
        align.llmMap = std::move(map).value();
    }
    auto loaded = loadSelectionInputs(parser.value(QStringLiteral("bpb")), bpbOptions,
                                      parser.value(QStringLiteral("errors")), errorsOptions, align);
    if (!loaded)
        return reportError(loaded.error());
    Warnings warnings = loaded->bpb->warnings + loaded->errors.warnings + loaded->aligned.warnings;
    auto caps = resolveTau(loaded->bpb->texts, tau, &warnings);
    if (!caps)
        return reportError(caps.error());
    printWarnings(warnings);
    if (const QString warning = estimatorWarning(options.estimator, options.standardize);
        !warning.isEmpty())
        printInfo(QStringLiteral("warning: %1").arg(warning));
    printInfo(QStringLiteral("validate: %1 LLMs (%2 dropped), %3 texts, %4 folds%5")
                  .arg(loaded->aligned.llms.size())
                  .arg(loaded->aligned.dropped.size())
                  .arg(loaded->bpb->texts.size())
                  .arg(options.folds)
                  .arg(options.groupByFamily ? QStringLiteral(" of whole families") : QString()));

    auto result = validateSelection(loaded->bpb->values, loaded->aligned.bpbRows,
                                    loaded->aligned.errors, loaded->aligned.llms, *caps, options);
    if (!result)
        return reportError(result.error());

    // The text report: per fold, then the means and the verdict.
    QString text = QStringLiteral("fold  held-out  texts  selected  uniform  random\n");
    for (std::size_t f = 0; f < result->folds.size(); ++f) {
        const ValidationFold &fold = result->folds[f];
        text += QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                    .arg(f, 4)
                    .arg(fold.heldOut.size(), 8)
                    .arg(fold.selectedCount, 5)
                    .arg(fold.selected, 8, 'f', 3)
                    .arg(fold.uniform, 7, 'f', 3)
                    .arg(fold.random, 6, 'f', 3);
    }
    text += QStringLiteral("mean  %1  %2  %3  %4\n")
                .arg(QString(), 14)
                .arg(result->selected.mean, 8, 'f', 3)
                .arg(result->uniform.mean, 7, 'f', 3)
                .arg(result->random.mean, 6, 'f', 3);
    text += QStringLiteral("sd    %1  %2  %3  %4\n")
                .arg(QString(), 14)
                .arg(result->selected.sd, 8, 'f', 3)
                .arg(result->uniform.sd, 7, 'f', 3)
                .arg(result->random.sd, 6, 'f', 3);
    text += result->verdict() + QLatin1Char('\n');
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stdout);

    if (!output.isEmpty()) {
        QJsonObject json = result->toJson();
        json.insert(QStringLiteral("estimator"), estimatorName(options.estimator));
        json.insert(QStringLiteral("standardize"), options.standardize);
        json.insert(QStringLiteral("projection"), projectionName(options.projection));
        json.insert(QStringLiteral("n_llms"), double(loaded->aligned.llms.size()));
        json.insert(QStringLiteral("n_texts"), double(loaded->bpb->texts.size()));
        json.insert(QStringLiteral("benchmarks"),
                    QJsonArray::fromStringList(loaded->aligned.benchmarks));
        if (Status written
            = writeAtomically(output, QJsonDocument(json).toJson(QJsonDocument::Indented));
            !written)
            return reportError(written.error());
    }
    return ExitOk;
}

}  // namespace pcs::cli
