// estimate, project and select: the perplexity-correlations pipeline from the command line.
#include "app/cli/clicommands.h"
#include "app/cli/cliprojectshards.h"
#include "app/cli/cliselectstream.h"
#include "app/cli/clisupport.h"
#include "app/cli/clitrust.h"
#include "core/common/parallel.h"
#include "core/io/atomicwrite.h"
#include "core/io/bpbsource.h"
#include "core/io/bpbtextrowsource.h"
#include "core/io/fileinfo.h"
#include "core/io/namedvalues.h"
#include "core/io/outputpaths.h"
#include "core/selection/domains.h"
#include "core/selection/estimatorinfo.h"
#include "core/selection/llmmatching.h"
#include "core/selection/runreport.h"
#include "core/selection/selectionrun.h"
#include "core/selection/shardedprojection.h"
#include "core/selection/standardize.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>

namespace pcs::cli {

namespace {

enum class Mode { Estimate, Project, Select };

QString commandName(Mode mode)
{
    switch (mode) {
    case Mode::Estimate:
        return QStringLiteral("estimate");
    case Mode::Project:
        return QStringLiteral("project");
    case Mode::Select:
        return QStringLiteral("select");
    }
    return {};
}

void addOptions(QCommandLineParser &parser, Mode mode)
{
    auto add = [&](const QString &name, const QString &help, const QString &valueName = {},
                   const QString &def = {}) {
        QCommandLineOption option(name, help, valueName, def);
        parser.addOption(option);
    };
    if (mode != Mode::Project) {
        add(QStringLiteral("bpb"),
            QStringLiteral("BPB matrix: CSV/TSV (text rows, LLM rows or llm,text,bpb) or .npy."),
            QStringLiteral("FILE"));
        add(QStringLiteral("errors"),
            QStringLiteral("Benchmark errors: the package's CSV, or lm-evaluation-harness JSON "
                           "(file or folder)."),
            QStringLiteral("FILE"));
        add(QStringLiteral("benchmark"),
            QStringLiteral("Benchmarks to combine, comma-separated (default: those every matched "
                           "LLM has, a group counted once by its own value, known direction, "
                           "error rates in [0, 1] before perplexities)."),
            QStringLiteral("A[,B...]"));
        add(QStringLiteral("combine"),
            QStringLiteral("How several benchmarks make one error per LLM: mean (default, as the "
                           "Python package: the errors' own scale), rank-mean (mean of "
                           "per-benchmark mid-ranks: scale-free) or z-mean (mean of per-benchmark "
                           "z-scores, population sd; a benchmark without spread is left out)."),
            QStringLiteral("MODE"), QStringLiteral("mean"));
        add(QStringLiteral("match"),
            QStringLiteral("How LLM names are matched across the files: exact (default) or hf-id "
                           "(the org/model[@revision] of names like \"('family', 'org/model')\", "
                           "case-insensitive)."),
            QStringLiteral("MODE"), QStringLiteral("exact"));
        add(QStringLiteral("llm-map"),
            QStringLiteral("CSV with columns bpb_name,errors_name: these LLMs are matched as "
                           "listed, the others by --match."),
            QStringLiteral("FILE"));
        parser.addOption(QCommandLineOption(
            QStringLiteral("dedupe-llms"),
            QStringLiteral("Of LLMs with identical BPB values in every text (one model under two "
                           "names), use only the first.")));
        add(QStringLiteral("metric"),
            QStringLiteral("lm-eval results: the metric (and filter) to take for a task instead "
                           "of the default choice, e.g. gsm8k=exact_match,strict-match. "
                           "Repeatable."),
            QStringLiteral("TASK=METRIC[,FILTER]"));
        add(QStringLiteral("estimator"), estimatorHelpText(), QStringLiteral("NAME"),
            QStringLiteral("spearmanr"));
        add(QStringLiteral("layout"),
            QStringLiteral("BPB layout: auto (default), text-rows, llm-rows, long or npy."),
            QStringLiteral("NAME"), QStringLiteral("auto"));
        add(QStringLiteral("texts"), QStringLiteral("For .npy: text names, one per line."),
            QStringLiteral("FILE"));
        add(QStringLiteral("llms"), QStringLiteral("For .npy: LLM names, one per line."),
            QStringLiteral("FILE"));
        add(QStringLiteral("text-column"),
            QStringLiteral("Text-rows layout: the label column naming texts (default id, chunk, "
                           "then domain)."),
            QStringLiteral("NAME"));
        add(QStringLiteral("threads"), QStringLiteral("Worker threads (default: one per core)."),
            QStringLiteral("N"), QStringLiteral("0"));
    }
    if (mode == Mode::Estimate)
        add(QStringLiteral("shard"),
            QStringLiteral("Estimate only shard I of N equal text ranges (0-based, as "
                           "SLURM_ARRAY_TASK_ID counts; shard I holds texts [floor(I*D/N), "
                           "floor((I+1)*D/N)), so with N > D some are empty). Writes CSV "
                           "text,estimate,index (index = global text index) and FILE.shard.json "
                           "beside it; the shards' rows in order are those of --shard 0/1."),
            QStringLiteral("I/N"));
    if (mode == Mode::Project) {
        add(QStringLiteral("estimate"),
            QStringLiteral("Estimate CSV with columns text,estimate, or an estimate shard. "
                           "Repeatable: several files are one estimate, in the order given."),
            QStringLiteral("FILE"));
        parser.addOption(QCommandLineOption(
            QStringLiteral("cut-only"),
            QStringLiteral("With the --estimate shards of `estimate --shard`: stream them and "
                           "write only the cut (JSON) that decides every weight, for --cut.")));
        add(QStringLiteral("cut"),
            QStringLiteral("Project one estimate shard (--estimate EI.csv) with the cut of "
                           "--cut-only: writes shard I's distribution, global ranks included."),
            QStringLiteral("FILE"));
    }
    if (mode != Mode::Estimate) {
        add(QStringLiteral("tau"), QStringLiteral("Per-text caps, CSV with columns text,tau."),
            QStringLiteral("FILE"));
        add(QStringLiteral("token-counts"),
            QStringLiteral("Tokens per text, CSV with columns text,tokens (default: every text "
                           "counts equally)."),
            QStringLiteral("FILE"));
        add(QStringLiteral("keep-ratio"),
            QStringLiteral("Fraction of the pool to keep, in (0, 1]."), QStringLiteral("R"));
        add(QStringLiteral("projection"), QStringLiteral("linear (default) or l2."),
            QStringLiteral("NAME"), QStringLiteral("linear"));
    }
    add(QStringLiteral("output"),
        QStringLiteral("Output file, or - for standard output (default)."), QStringLiteral("FILE"),
        QStringLiteral("-"));
    add(QStringLiteral("format"),
        QStringLiteral("csv or json (default: from the output's extension, else csv)."),
        QStringLiteral("FORMAT"));
    add(QStringLiteral("report"),
        QStringLiteral("Write a JSON provenance report (inputs and SHA-256, parameters, LLMs used "
                       "and dropped, timings)."),
        QStringLiteral("FILE"));
    parser.addOption(QCommandLineOption(
        QStringLiteral("no-hash"),
        QStringLiteral("Do not compute the inputs' SHA-256 for --report (the report says so).")));
    addTrustOptions(parser, mode != Mode::Project, mode == Mode::Select);
}

QString describe(Mode mode)
{
    switch (mode) {
    case Mode::Estimate:
        return QStringLiteral(
            "Estimate, per text, how strongly lower BPB goes with lower benchmark error.");
    case Mode::Project:
        return QStringLiteral(
            "Project an estimate onto a sampling distribution with per-text caps.");
    case Mode::Select:
        return QStringLiteral("Estimate, then project: the whole selection in one run.");
    }
    return {};
}

struct Settings {
    Mode mode = Mode::Select;
    QString command;
    Estimator estimator = Estimator::Spearmanr;
    Projection projection = Projection::Linear;
    BpbLoadOptions bpbOptions;
    TauSpec tau;
    TableFormat format = TableFormat::Csv;
    int threads = 0;
    AlignOptions align;  // without the map, which is read when the run starts
    BenchmarkLoadOptions errorsOptions;
    TrustSettings trust;  // --standardize, --bootstrap, --domains (clitrust.h)
};

// Checks and converts the options; returns an exit code when they are unusable.
std::optional<int> readSettings(const QCommandLineParser &parser, Settings &s)
{
    auto need = [&](const QString &name) -> bool {
        if (parser.isSet(name) && !parser.value(name).isEmpty())
            return true;
        usageError(QStringLiteral("--%1 is required").arg(name), s.command);
        return false;
    };
    if (s.mode != Mode::Project) {
        if (!need(QStringLiteral("bpb")) || !need(QStringLiteral("errors")))
            return ExitBadInput;
        const auto estimator = estimatorFromName(parser.value(QStringLiteral("estimator")));
        if (!estimator)
            return usageError(QStringLiteral("unknown estimator '%1'; choose one of %2")
                                  .arg(parser.value(QStringLiteral("estimator")),
                                       estimatorNames().join(QStringLiteral(", "))),
                              s.command);
        s.estimator = *estimator;
        if (!bpbLayoutFromName(parser.value(QStringLiteral("layout")), &s.bpbOptions.layout))
            return usageError(
                QStringLiteral("unknown layout '%1'; choose auto, text-rows, llm-rows, long or npy")
                    .arg(parser.value(QStringLiteral("layout"))),
                s.command);
        s.bpbOptions.textsFile = parser.value(QStringLiteral("texts"));
        s.bpbOptions.llmsFile = parser.value(QStringLiteral("llms"));
        s.bpbOptions.textColumn = parser.value(QStringLiteral("text-column"));
        const auto threads = intOption(parser, QStringLiteral("threads"), 0, 0, s.command);
        if (!threads)
            return ExitBadInput;
        s.threads = s.bpbOptions.threads = *threads;
        const auto matching = llmMatchingFromName(parser.value(QStringLiteral("match")));
        if (!matching)
            return usageError(QStringLiteral("unknown --match '%1'; choose exact or hf-id")
                                  .arg(parser.value(QStringLiteral("match"))),
                              s.command);
        const auto combination = combinationFromName(parser.value(QStringLiteral("combine")));
        if (!combination)
            return usageError(QStringLiteral("unknown --combine '%1'; choose mean, rank-mean or "
                                             "z-mean")
                                  .arg(parser.value(QStringLiteral("combine"))),
                              s.command);
        s.align.benchmarks = listOption(parser, QStringLiteral("benchmark"));
        s.align.matching = *matching;
        s.align.combination = *combination;
        s.align.dedupeLlms = parser.isSet(QStringLiteral("dedupe-llms"));
        for (const QString &metric : parser.values(QStringLiteral("metric")))
            if (Status added = addMetricOverride(s.errorsOptions, metric); !added)
                return usageError(added.error().reason, s.command);
    }
    if (s.mode == Mode::Project && !need(QStringLiteral("estimate")))
        return ExitBadInput;
    if (s.mode != Mode::Estimate) {
        const auto projection = projectionFromName(parser.value(QStringLiteral("projection")));
        if (!projection)
            return usageError(QStringLiteral("unknown projection '%1'; choose linear or l2")
                                  .arg(parser.value(QStringLiteral("projection"))),
                              s.command);
        s.projection = *projection;
        const bool hasTau = parser.isSet(QStringLiteral("tau"));
        const bool hasRatio = parser.isSet(QStringLiteral("keep-ratio"));
        if (hasTau && (hasRatio || parser.isSet(QStringLiteral("token-counts"))))
            return usageError(
                QStringLiteral(
                    "--tau gives the caps itself; leave out --keep-ratio and --token-counts"),
                s.command);
        if (!hasTau && !hasRatio)
            return usageError(
                QStringLiteral("give --keep-ratio R (with optional --token-counts) or --tau FILE"),
                s.command);
        if (hasTau) {
            s.tau = { TauSpec::Source::File, parser.value(QStringLiteral("tau")), 1.0 };
        } else {
            const auto ratio = doubleOption(parser, QStringLiteral("keep-ratio"), s.command);
            if (!ratio)
                return ExitBadInput;
            if (!(*ratio > 0.0 && *ratio <= 1.0))
                return usageError(QStringLiteral("--keep-ratio must be in (0, 1], not %1")
                                      .arg(parser.value(QStringLiteral("keep-ratio"))),
                                  s.command);
            const bool tokens = parser.isSet(QStringLiteral("token-counts"));
            s.tau = { tokens ? TauSpec::Source::TokenCounts : TauSpec::Source::Uniform,
                      parser.value(QStringLiteral("token-counts")), *ratio };
        }
    }
    if (const auto failed = readTrustSettings(parser, s.trust, s.command, s.mode == Mode::Select))
        return failed;
    const QString format = parser.value(QStringLiteral("format")).toLower();
    if (format == QLatin1String("json")
        || (format.isEmpty()
            && parser.value(QStringLiteral("output"))
                   .endsWith(QLatin1String(".json"), Qt::CaseInsensitive)))
        s.format = TableFormat::Json;
    else if (!format.isEmpty() && format != QLatin1String("csv"))
        return usageError(QStringLiteral("unknown format '%1'; choose csv or json").arg(format),
                          s.command);
    return std::nullopt;
}

void printDropped(const QList<DroppedLlm> &dropped)
{
    const int shown = 10;
    for (qsizetype i = 0; i < dropped.size() && i < shown; ++i)
        printInfo(QStringLiteral("dropped LLM %1: %2").arg(dropped[i].name, dropped[i].reason));
    if (dropped.size() > shown)
        printInfo(QStringLiteral("… and %1 more dropped LLMs (all are listed in --report)")
                      .arg(dropped.size() - shown));
}

int runSelection(const QStringList &arguments, Mode mode)
{
    Settings s;
    s.mode = mode;
    s.command = commandName(mode);
    QCommandLineParser parser;
    addOptions(parser, mode);
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, s.command, describe(mode), &exitCode))
        return exitCode;
    if (mode == Mode::Project && parser.isSet(QStringLiteral("cut")))
        return runShardProjection(parser, s.command);
    if (const auto failed = readSettings(parser, s))
        return *failed;
    if (mode == Mode::Project && parser.isSet(QStringLiteral("cut-only")))
        return runProjectionCut(parser, s.tau, s.projection, s.command);
    std::optional<ShardSpec> shard;
    if (mode == Mode::Estimate && parser.isSet(QStringLiteral("shard"))) {
        auto spec = parseShardSpec(parser.value(QStringLiteral("shard")));
        if (!spec)
            return usageError(spec.error().reason, s.command);
        if (parser.value(QStringLiteral("output")) == QLatin1String("-")
            || s.format != TableFormat::Csv)
            return usageError(QStringLiteral("--shard writes a CSV file and its description "
                                             "beside it: give --output FILE.csv"),
                              s.command);
        shard = *spec;
    }
    // Before any work: no output may replace an input (each mode has its own input options).
    QStringList inputOptions;
    if (mode == Mode::Project)
        inputOptions << QStringLiteral("estimate");
    else
        inputOptions << QStringLiteral("errors") << QStringLiteral("texts")
                     << QStringLiteral("llms") << QStringLiteral("llm-map");
    if (mode != Mode::Estimate)
        inputOptions << QStringLiteral("tau") << QStringLiteral("token-counts");
    if (mode == Mode::Select)
        inputOptions << QStringLiteral("domains");
    QList<NamedPath> inputFiles;
    for (const QString &option : inputOptions)
        for (const QString &path : parser.values(option))
            inputFiles << NamedPath { path, QStringLiteral("--") + option };
    if (mode != Mode::Project)
        inputFiles += bpbMatrixFiles(parser.value(QStringLiteral("bpb")), QStringLiteral("--bpb"));
    if (const auto refused = refuseOverwrites(
            { { parser.value(QStringLiteral("output")), QStringLiteral("--output") },
              { shard ? estimateShardInfoPath(parser.value(QStringLiteral("output"))) : QString(),
                QStringLiteral("--output's shard description") },
              { parser.value(QStringLiteral("report")), QStringLiteral("--report") },
              { mode == Mode::Select && parser.value(QStringLiteral("output")) != QLatin1String("-")
                    ? domainsCsvPath(parser.value(QStringLiteral("output")))
                    : QString(),
                QStringLiteral("--output's domain table") } },
            inputFiles))
        return *refused;

    const bool hashInputs = !parser.isSet(QStringLiteral("no-hash"));
    // A .npy or text-rows matrix is streamed in blocks of texts: never whole in memory. A shard
    // reads only its own texts' values once the whole matrix's row facts are known. The bootstrap,
    // --standardize and the per-domain breakdown need every value at once, so they load it.
    // A BPB file's own domain column gives the breakdown without --domains.
    const bool needsWholeMatrix = s.trust.standardize || s.trust.bootstrap > 0
        || !s.trust.domainsPath.isEmpty()
        || (mode == Mode::Select
            && io::textRowsHasLabelColumn(parser.value(QStringLiteral("bpb")), s.bpbOptions,
                                          QStringLiteral("domain")));
    if (mode != Mode::Project && !needsWholeMatrix
        && io::isBlockReadableBpb(parser.value(QStringLiteral("bpb")), s.bpbOptions)) {
        StreamedSelection run;
        run.command = s.command;
        run.estimateOnly = mode == Mode::Estimate;
        run.bpbPath = parser.value(QStringLiteral("bpb"));
        run.bpbOptions = s.bpbOptions;
        run.errorsPath = parser.value(QStringLiteral("errors"));
        run.errorsOptions = s.errorsOptions;
        run.align = s.align;
        run.llmMapPath = parser.value(QStringLiteral("llm-map"));
        run.metricOverrides = parser.values(QStringLiteral("metric"));
        run.estimate = { s.estimator, s.threads };
        run.tau = s.tau;
        run.projection = s.projection;
        run.format = s.format;
        run.output = parser.value(QStringLiteral("output"));
        run.reportPath = parser.value(QStringLiteral("report"));
        run.hash = hashInputs;
        run.shard = shard;
        if (mode != Mode::Estimate)
            for (const auto &[option, role] :
                 { std::pair { QStringLiteral("tau"), QStringLiteral("tau") },
                   std::pair { QStringLiteral("token-counts"), QStringLiteral("token_counts") } })
                run.otherInputs.append({ role, parser.value(option) });
        return runStreamedSelection(run);
    }

    RunReport report(s.command);
    if (!hashInputs)
        report.setParameter(QStringLiteral("hashes"), QStringLiteral("not computed (--no-hash)"));
    Warnings warnings;
    OutputSet outputs;
    QElapsedTimer timer;
    timer.start();
    QStringList texts;
    Eigen::VectorXd estimateValues;
    EstimateShardInfo shardInfo;
    std::optional<SelectionInputs> loadedInputs;  // for the bootstrap and the domains

    const QString reportPath = parser.value(QStringLiteral("report"));
    // The report says what was asked and read, even when the run fails.
    bool inputsDescribed = false;
    auto addInputsToReport = [&](bool mustDescribe) -> Status {
        inputsDescribed = true;
        QList<QPair<QString, QString>> roles
            = { { QStringLiteral("estimate"), QStringLiteral("estimate") } };
        if (mode != Mode::Project)
            roles = { { QStringLiteral("bpb"), QStringLiteral("bpb") },
                      { QStringLiteral("errors"), QStringLiteral("errors") },
                      { QStringLiteral("texts"), QStringLiteral("texts") },
                      { QStringLiteral("llms"), QStringLiteral("llms") },
                      { QStringLiteral("llm-map"), QStringLiteral("llm_map") } };
        if (mode != Mode::Estimate)
            roles += { { QStringLiteral("tau"), QStringLiteral("tau") },
                       { QStringLiteral("token-counts"), QStringLiteral("token_counts") } };
        for (const auto &[option, role] : roles) {
            for (const QString &path : parser.values(option)) {
                if (path.isEmpty())
                    continue;
                auto info = hashInputs ? describeInputFile(role, path)
                                       : describeInputFileUnhashed(role, path);
                if (info)
                    report.addInput(*info);
                else if (mustDescribe)
                    return info.error();
            }
        }
        return Done {};
    };
    // Publishing failed (a full disk, an input gone before it was hashed): the outputs and the
    // report are one set, so the old files stay as they were, the old report too.
    auto failPublishing = [&](const Error &error) {
        outputs.discard();
        printWarnings(warnings);
        return reportError(error);
    };
    // The run failed before writing: no output; with --report, the report alone, saying why.
    auto fail = [&](const Error &error) {
        outputs.discard();
        printWarnings(warnings);
        const int failedCode = reportError(error);
        if (reportPath.isEmpty())
            return failedCode;
        report.setFailure(error);
        if (!inputsDescribed)
            addInputsToReport(false);
        report.addWarnings(warnings);
        OutputSet reportOnly;
        if (Status written = publishWithReport(reportOnly, reportPath, report.toJson()); !written)
            reportError(written.error());
        return failedCode;
    };

    if (mode == Mode::Project) {
        auto table = loadEstimateFiles(parser.values(QStringLiteral("estimate")));
        if (!table)
            return fail(table.error());
        texts = table->names;
        estimateValues = Eigen::Map<const Eigen::VectorXd>(table->values.data(),
                                                           Eigen::Index(table->values.size()));
        report.setPhaseSeconds(QStringLiteral("load_s"), secondsSince(timer));
    } else {
        report.setParameter(QStringLiteral("estimator"), estimatorName(s.estimator));
        noteEstimatorChoice(s.estimator, s.trust, report);
        report.setParameter(QStringLiteral("match"), llmMatchingName(s.align.matching));
        report.setParameter(QStringLiteral("combine"), combinationName(s.align.combination));
        report.setParameter(QStringLiteral("dedupe_llms"), s.align.dedupeLlms);
        report.setParameter(QStringLiteral("benchmarks_requested"),
                            QJsonArray::fromStringList(s.align.benchmarks));
        if (parser.isSet(QStringLiteral("metric")))
            report.setParameter(
                QStringLiteral("metric_overrides"),
                QJsonArray::fromStringList(parser.values(QStringLiteral("metric"))));
        AlignOptions align = s.align;
        if (!parser.value(QStringLiteral("llm-map")).isEmpty()) {
            auto map = loadLlmMap(parser.value(QStringLiteral("llm-map")));
            if (!map)
                return fail(map.error());
            align.llmMap = std::move(map).value();
        }
        auto inputs
            = loadSelectionInputs(parser.value(QStringLiteral("bpb")), s.bpbOptions,
                                  parser.value(QStringLiteral("errors")), s.errorsOptions, align);
        if (!inputs)
            return fail(inputs.error());
        report.setPhaseSeconds(QStringLiteral("load_s"), secondsSince(timer));
        warnings += inputs->bpb->warnings + inputs->errors.warnings + inputs->aligned.warnings;
        report.setAlignment(inputs->aligned);
        report.setParameter(QStringLiteral("layout"), bpbLayoutName(inputs->bpb->layout));
        report.setParameter(QStringLiteral("threads"), resolveThreadCount(s.threads));
        printDropped(inputs->aligned.dropped);

        // A shard estimates its own text range only (textshards.h).
        const TextRange range = shard ? shardTextRange(inputs->bpb->texts.size(), *shard)
                                      : TextRange { 0, inputs->bpb->texts.size() };
        auto values = estimateSelectionMaybeStandardized(*inputs, { s.estimator, s.threads },
                                                         s.trust.standardize, range);
        if (!values)
            return fail(values.error());
        report.setPhaseSeconds(QStringLiteral("estimate_s"), secondsSince(timer));
        texts = inputs->bpb->texts.mid(range.first, range.size());
        if (shard) {
            shardInfo.shard = *shard;
            shardInfo.texts = range;
            shardInfo.textCount = inputs->bpb->texts.size();
            shardInfo.estimator = estimatorName(s.estimator);
            shardInfo.bpbPath = QFileInfo(parser.value(QStringLiteral("bpb"))).absoluteFilePath();
            shardInfo.bpbSizeBytes = QFileInfo(parser.value(QStringLiteral("bpb"))).size();
            shardInfo.llmCount = inputs->aligned.llms.size();
            report.setParameter(QStringLiteral("shard"), shardInfo.toJson());
            printInfo(QStringLiteral("shard %1 of %2: texts [%3, %4) of %5")
                          .arg(shard->index)
                          .arg(shard->count)
                          .arg(range.first)
                          .arg(range.end)
                          .arg(shardInfo.textCount));
        }
        estimateValues = std::move(values).value();
        loadedInputs = *inputs;
        printInfo(QStringLiteral("%1: %2 LLMs used (matched by %3), %4 dropped; %5 texts; "
                                 "%6 of benchmarks %7")
                      .arg(estimatorName(s.estimator))
                      .arg(inputs->aligned.llms.size())
                      .arg(llmMatchingName(s.align.matching))
                      .arg(inputs->aligned.dropped.size())
                      .arg(texts.size())
                      .arg(combinationName(s.align.combination))
                      .arg(inputs->aligned.benchmarks.join(QLatin1Char('+'))));
    }
    report.setTextCount(texts.size());

    SelectionTable table;
    if (mode == Mode::Estimate && shard) {
        // Ranks need every text: the projection of the shards (--cut) gives them.
        table.texts = texts;
    } else if (mode == Mode::Estimate) {
        table = makeEstimateTable(texts, estimateValues);
    } else {
        auto tau = resolveTau(texts, s.tau, &warnings);
        if (!tau)
            return fail(tau.error());
        auto distribution = makeDistributionTable(texts, estimateValues, *tau, s.projection);
        if (!distribution)
            return fail(distribution.error());
        table = std::move(distribution).value();
        report.setPhaseSeconds(QStringLiteral("project_s"), secondsSince(timer));
        report.setParameter(QStringLiteral("projection"), projectionName(s.projection));
        report.setParameter(QStringLiteral("tau_source"), tauSourceName(s.tau.source));
        if (s.tau.source != TauSpec::Source::File)
            report.setParameter(QStringLiteral("keep_ratio"), s.tau.keepRatio);
        if (mode == Mode::Select)
            if (Status trusted = addTrustFigures(s.trust, *loadedInputs, table,
                                                 { s.estimator, s.threads }, s.projection, report,
                                                 outputs, parser.value(QStringLiteral("output")));
                !trusted)
                return fail(trusted.error());
        const qsizetype included = (table.weight.array() > 0.0).count();
        printInfo(QStringLiteral("%1 projection: %2 of %3 texts get weight > 0")
                      .arg(projectionName(s.projection))
                      .arg(included)
                      .arg(texts.size()));
    }

    const QString output = parser.value(QStringLiteral("output"));
    report.setOutput(output);
    report.setParameter(QStringLiteral("format"),
                        s.format == TableFormat::Json ? QStringLiteral("json")
                                                      : QStringLiteral("csv"));
    // The output and its report are published together (a file output waits for the report).
    const QJsonObject metadata = report.toJson();
    if (shard) {
        auto file = outputs.add(output);
        if (!file)
            return failPublishing(file.error());
        formatEstimateShard(texts, estimateValues, shardInfo.texts.first, (*file)->sink());
        if (Status written = (*file)->finish(); !written)
            return failPublishing(written.error());
        auto info = outputs.add(estimateShardInfoPath(output));
        if (!info)
            return failPublishing(info.error());
        (*info)->write(QJsonDocument(shardInfo.toJson()).toJson(QJsonDocument::Indented));
        if (Status written = (*info)->finish(); !written)
            return failPublishing(written.error());
    } else if (output == QLatin1String("-")) {
        if (Status written = writeSelectionTable(output, table, s.format, metadata); !written)
            return failPublishing(written.error());
    } else {
        auto file = outputs.add(output);
        if (!file)
            return failPublishing(file.error());
        formatSelectionTable(table, s.format, metadata, (*file)->sink());
        if (Status written = (*file)->finish(); !written)
            return failPublishing(written.error());
    }
    report.setPhaseSeconds(QStringLiteral("write_s"), secondsSince(timer));
    printWarnings(warnings);

    QJsonObject reportJson;
    if (!reportPath.isEmpty()) {
        if (Status described = addInputsToReport(true); !described)
            return failPublishing(described.error());
        report.setPhaseSeconds(QStringLiteral("hash_s"), secondsSince(timer));
        report.addWarnings(warnings);
        reportJson = report.toJson();
    }
    if (Status published = publishWithReport(outputs, reportPath, reportJson); !published)
        return reportError(published.error());
    return ExitOk;
}

}  // namespace

int runEstimateCommand(const QStringList &arguments)
{
    return runSelection(arguments, Mode::Estimate);
}

int runProjectCommand(const QStringList &arguments)
{
    return runSelection(arguments, Mode::Project);
}

int runSelectCommand(const QStringList &arguments)
{
    return runSelection(arguments, Mode::Select);
}

}  // namespace pcs::cli
