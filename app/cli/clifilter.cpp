// filter train / filter apply: the fastText pretraining-data filter from the command line.
#include "app/cli/clicommands.h"
#include "app/cli/clisupport.h"
#include "core/filter/fasttextmodel.h"
#include "core/filter/filterapply.h"
#include "core/filter/filtertrain.h"
#include "core/io/atomicwrite.h"

#include <QCommandLineParser>
#include <QJsonArray>

#include <cstdio>

namespace pcs::cli {

namespace {

const QString kTrain = QStringLiteral("filter train");
const QString kApply = QStringLiteral("filter apply");

// Files given as `--opt A --opt B` and/or `--opt A B C` (the words after the options).
QStringList filesOption(const QCommandLineParser &parser, const QString &name)
{
    return parser.values(name) + parser.positionalArguments();
}

std::optional<double> optionalDouble(const QCommandLineParser &parser, const QString &name,
                                     const QString &command, bool *failed)
{
    if (!parser.isSet(name))
        return std::nullopt;
    const auto value = doubleOption(parser, name, command);
    if (!value)
        *failed = true;
    return value;
}

int runTrain(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions({
        { QStringLiteral("texts"),
          QStringLiteral("Texts: JSONL, optionally .gz/.zst (repeat, or list several after it)."),
          QStringLiteral("FILE") },
        { QStringLiteral("distribution"),
          QStringLiteral("The distribution CSV of `select` (columns text, weight). Repeatable: "
                         "the shards of `project --cut`, in any order, as one distribution."),
          QStringLiteral("FILE") },
        { QStringLiteral("key"),
          QStringLiteral("The JSONL field matched to the distribution's text column (default id)."),
          QStringLiteral("FIELD"), QStringLiteral("id") },
        { QStringLiteral("text-field"),
          QStringLiteral("The JSONL field holding the text (default text)."),
          QStringLiteral("FIELD"), QStringLiteral("text") },
        { QStringLiteral("output"),
          QStringLiteral("The model to write (.bin); its manifest goes to FILE.manifest.json."),
          QStringLiteral("FILE") },
        { QStringLiteral("quantize"),
          QStringLiteral("Also write a quantized model beside it (.ftz) with its own manifest and "
                         "threshold.") },
        { QStringLiteral("epoch"), QStringLiteral("Epochs (default 5)."), QStringLiteral("N") },
        { QStringLiteral("lr"), QStringLiteral("Learning rate (default 0.1)."),
          QStringLiteral("X") },
        { QStringLiteral("dim"), QStringLiteral("Vector dimension (default 100)."),
          QStringLiteral("N") },
        { QStringLiteral("word-ngrams"), QStringLiteral("Word n-grams (default 2)."),
          QStringLiteral("N") },
        { QStringLiteral("min-count"), QStringLiteral("Minimal word count (default 1)."),
          QStringLiteral("N") },
        { QStringLiteral("bucket"),
          QStringLiteral("Hash buckets for word n-grams (default 2000000)."), QStringLiteral("N") },
        { QStringLiteral("threads"), QStringLiteral("Training threads (default: one per core)."),
          QStringLiteral("N") },
        { QStringLiteral("seed"),
          QStringLiteral("Seed of the train/test split and of fastText (default 0)."),
          QStringLiteral("N") },
        { QStringLiteral("test-fraction"),
          QStringLiteral("Documents held out for evaluation (default 0.1)."), QStringLiteral("F") },
        { QStringLiteral("threshold"),
          QStringLiteral("The threshold to record (default: keep the include share of the held-out "
                         "documents)."),
          QStringLiteral("T") },
        { QStringLiteral("keep-fraction"),
          QStringLiteral(
              "Record the threshold that keeps this fraction of the held-out documents."),
          QStringLiteral("F") },
        { QStringLiteral("report"), QStringLiteral("Write the manifest also to this file."),
          QStringLiteral("FILE") },
    });
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, kTrain,
                    QStringLiteral("Train a fastText filter: a text is include when its key's "
                                   "weight > 0 in the distribution, else exclude."),
                    &exitCode, true))
        return exitCode;
    FilterTrainOptions options;
    options.data.textFiles = filesOption(parser, QStringLiteral("texts"));
    const QStringList distributions = parser.values(QStringLiteral("distribution"));
    options.data.distributionFile = distributions.value(0);
    options.data.moreDistributionFiles = distributions.mid(1);
    options.data.keyField = parser.value(QStringLiteral("key"));
    options.data.textField = parser.value(QStringLiteral("text-field"));
    const QString output = parser.value(QStringLiteral("output"));
    if (options.data.textFiles.isEmpty())
        return usageError(QStringLiteral("--texts is required"), kTrain);
    if (options.data.distributionFile.isEmpty())
        return usageError(QStringLiteral("--distribution is required"), kTrain);
    if (output.isEmpty())
        return usageError(QStringLiteral("--output is required"), kTrain);

    FastTextParameters &ft = options.fastText;
    const struct {
        const char *name;
        int *target;
        int minimum;
    } ints[] = { { "epoch", &ft.epoch, 1 },
                 { "dim", &ft.dim, 1 },
                 { "word-ngrams", &ft.wordNgrams, 1 },
                 { "min-count", &ft.minCount, 1 },
                 { "bucket", &ft.bucket, 1 },
                 { "threads", &ft.threads, 0 },
                 { "seed", &ft.seed, 0 } };
    for (const auto &option : ints) {
        const auto value = intOption(parser, QString::fromLatin1(option.name), *option.target,
                                     option.minimum, kTrain);
        if (!value)
            return ExitBadInput;
        *option.target = *value;
    }
    options.data.seed = quint64(ft.seed);
    bool failed = false;
    if (const auto lr = optionalDouble(parser, QStringLiteral("lr"), kTrain, &failed)) {
        if (!(*lr > 0.0))
            return usageError(QStringLiteral("--lr must be > 0"), kTrain);
        ft.lr = *lr;
    }
    if (const auto fraction
        = optionalDouble(parser, QStringLiteral("test-fraction"), kTrain, &failed)) {
        if (!(*fraction > 0.0 && *fraction < 1.0))
            return usageError(QStringLiteral("--test-fraction must be in (0, 1)"), kTrain);
        options.data.testFraction = *fraction;
    }
    const auto threshold = optionalDouble(parser, QStringLiteral("threshold"), kTrain, &failed);
    const auto keepFraction
        = optionalDouble(parser, QStringLiteral("keep-fraction"), kTrain, &failed);
    if (failed)
        return ExitBadInput;
    if (threshold && keepFraction)
        return usageError(QStringLiteral("give --threshold or --keep-fraction, not both"), kTrain);
    if (keepFraction && !(*keepFraction > 0.0 && *keepFraction <= 1.0))
        return usageError(QStringLiteral("--keep-fraction must be in (0, 1]"), kTrain);

    const bool quantize = parser.isSet(QStringLiteral("quantize"));
    QList<NamedPath> outputs = filterBundleFiles(output, quantize);
    outputs << NamedPath { parser.value(QStringLiteral("report")), QStringLiteral("--report") };
    if (const auto refused = refuseOverwrites(outputs, filterTrainingInputs(options.data)))
        return *refused;

    auto trained = trainFilter(options);
    if (!trained)
        return reportError(trained.error());
    const TrainingDataSummary &data = trained->data;
    printInfo(
        QStringLiteral(
            "training data: %1 documents (%2 include, %3 exclude); %4 for training, %5 held out")
            .arg(data.include + data.exclude)
            .arg(data.include)
            .arg(data.exclude)
            .arg(data.trainDocuments)
            .arg(data.testDocuments));
    if (data.unknownKey > 0)
        printInfo(QStringLiteral("%1 documents skipped: key not in the distribution (e.g. %2)")
                      .arg(data.unknownKey)
                      .arg(data.unknownKeySample.mid(0, 3).join(QStringLiteral(", "))));
    if (data.problemCount > 0) {
        for (const QString &problem : data.problems.mid(0, 10))
            printInfo(QStringLiteral("skipped: %1").arg(problem));
        printInfo(
            QStringLiteral("%1 malformed lines skipped in all (the manifest lists the first %2)")
                .arg(data.problemCount)
                .arg(TrainingDataSummary::kMaxListedProblems));
    }
    const ThresholdChoice choice
        = chooseThreshold(trained->testScores, data, threshold, keepFraction);
    // The bundle and the report are published together.
    OutputSet bundle;
    auto manifest = writeFilterBundle(*trained, output, choice, quantize, bundle);
    if (!manifest)
        return reportError(manifest.error());
    if (Status published
        = publishWithReport(bundle, parser.value(QStringLiteral("report")), *manifest);
        !published)
        return reportError(published.error());
    const QJsonObject evaluation = manifest->value(QStringLiteral("evaluation")).toObject();
    printInfo(
        QStringLiteral("held out: precision %1, recall %2, F1 %3, ROC AUC %4 at threshold %5 (%6)")
            .arg(evaluation.value(QStringLiteral("precision")).toDouble(), 0, 'f', 4)
            .arg(evaluation.value(QStringLiteral("recall")).toDouble(), 0, 'f', 4)
            .arg(evaluation.value(QStringLiteral("f1")).toDouble(), 0, 'f', 4)
            .arg(evaluation.value(QStringLiteral("roc_auc")).toDouble(), 0, 'f', 4)
            .arg(choice.threshold, 0, 'g', 6)
            .arg(choice.describe()));
    printInfo(
        QStringLiteral("model: %1 (+ .manifest.json)%2; train %3 s")
            .arg(output,
                 quantize ? QStringLiteral(" and %1").arg(quantizedModelPath(output)) : QString())
            .arg(trained->trainSeconds, 0, 'f', 2));
    return ExitOk;
}

int runApply(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions({
        { QStringLiteral("model"), QStringLiteral("The filter model (.bin or .ftz)."),
          QStringLiteral("FILE") },
        { QStringLiteral("threshold"), QStringLiteral("Keep documents with P(include) >= T."),
          QStringLiteral("T") },
        { QStringLiteral("keep-fraction"),
          QStringLiteral(
              "Keep about this fraction; the threshold is estimated on the first --sample lines."),
          QStringLiteral("F") },
        { QStringLiteral("sample"),
          QStringLiteral("Lines to estimate the --keep-fraction threshold on (default 100000)."),
          QStringLiteral("N") },
        { QStringLiteral("mode"),
          QStringLiteral("keep (default), drop, score (one number per line) or annotate (adds "
                         "\"pcstudio_score\")."),
          QStringLiteral("MODE"), QStringLiteral("keep") },
        { QStringLiteral("text-field"),
          QStringLiteral("The JSONL field holding the text (default text)."),
          QStringLiteral("FIELD"), QStringLiteral("text") },
        { QStringLiteral("input"),
          QStringLiteral("JSONL input, optionally .gz/.zst (repeat, or list several after it; "
                         "default standard input)."),
          QStringLiteral("FILE") },
        { QStringLiteral("output"),
          QStringLiteral("Output JSONL (default standard output); written atomically."),
          QStringLiteral("FILE"), QStringLiteral("-") },
        { QStringLiteral("on-malformed"),
          QStringLiteral(
              "skip (default) or pass: what to do with a malformed line after reporting it."),
          QStringLiteral("WHAT"), QStringLiteral("skip") },
        { QStringLiteral("threads"), QStringLiteral("Scoring threads (default: one per core)."),
          QStringLiteral("N") },
        { QStringLiteral("report"),
          QStringLiteral("Write a JSON summary (counts, threshold, timings)."),
          QStringLiteral("FILE") },
    });
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, kApply,
                    QStringLiteral("Apply a fastText filter to JSONL, streaming, in input order."),
                    &exitCode, true))
        return exitCode;
    FilterApplyOptions options;
    options.inputs = filesOption(parser, QStringLiteral("input"));
    options.output = parser.value(QStringLiteral("output"));
    options.textField = parser.value(QStringLiteral("text-field"));
    if (parser.value(QStringLiteral("model")).isEmpty())
        return usageError(QStringLiteral("--model is required"), kApply);
    const auto mode = applyModeFromName(parser.value(QStringLiteral("mode")));
    if (!mode)
        return usageError(QStringLiteral("unknown mode '%1'; choose keep, drop, score or annotate")
                              .arg(parser.value(QStringLiteral("mode"))),
                          kApply);
    options.mode = *mode;
    const QString malformed = parser.value(QStringLiteral("on-malformed"));
    if (malformed != QLatin1String("skip") && malformed != QLatin1String("pass"))
        return usageError(QStringLiteral("--on-malformed must be skip or pass"), kApply);
    options.malformed
        = malformed == QLatin1String("pass") ? MalformedPolicy::Pass : MalformedPolicy::Skip;
    bool failed = false;
    options.threshold = optionalDouble(parser, QStringLiteral("threshold"), kApply, &failed);
    options.keepFraction = optionalDouble(parser, QStringLiteral("keep-fraction"), kApply, &failed);
    if (failed)
        return ExitBadInput;
    if (options.threshold.has_value() == options.keepFraction.has_value())
        return usageError(QStringLiteral("give --threshold T or --keep-fraction F"), kApply);
    if (options.keepFraction && !(*options.keepFraction > 0.0 && *options.keepFraction <= 1.0))
        return usageError(QStringLiteral("--keep-fraction must be in (0, 1]"), kApply);
    const auto threads = intOption(parser, QStringLiteral("threads"), 0, 0, kApply);
    const auto sample = intOption(parser, QStringLiteral("sample"), 100000, 1, kApply);
    if (!threads || !sample)
        return ExitBadInput;
    options.threads = *threads;
    options.sampleLines = *sample;

    QList<NamedPath> inputs;
    for (const QString &input : options.inputs)
        inputs << NamedPath { input, QStringLiteral("--input") };
    inputs << NamedPath { parser.value(QStringLiteral("model")), QStringLiteral("--model") }
           << NamedPath { parser.value(QStringLiteral("model")) + QStringLiteral(".manifest.json"),
                          QStringLiteral("the model's manifest") };
    if (const auto refused = refuseOverwrites(
            { { options.output, QStringLiteral("--output") },
              { parser.value(QStringLiteral("report")), QStringLiteral("--report") } },
            inputs))
        return *refused;

    auto model = FastTextModel::load(parser.value(QStringLiteral("model")));
    if (!model)
        return reportError(model.error());
    // The output and the report are published together.
    OutputSet outputs;
    options.outputSet = &outputs;
    qint64 shown = 0;
    auto summary = applyFilter(*model, options, [&shown](const Error &problem) {
        // Every malformed line is reported; after many, only a count, to keep logs readable.
        if (++shown <= 100)
            printInfo(QStringLiteral("malformed: %1").arg(problem.toString()));
    });
    if (!summary)
        return reportError(summary.error());
    if (shown > 100)
        printInfo(QStringLiteral("… %1 malformed lines in all").arg(shown));
    if (summary->thresholdRule == QLatin1String("keep_fraction"))
        printInfo(QStringLiteral("threshold %1, estimated to keep %2 on the first %3 lines")
                      .arg(summary->threshold, 0, 'g', 6)
                      .arg(summary->requestedKeepFraction)
                      .arg(summary->sampleLines));
    printInfo(
        QStringLiteral("%1 lines: %2 scored >= %3, %4 malformed (%5); %6 written in %7 s (%8 MB/s)")
            .arg(summary->lines)
            .arg(summary->kept)
            .arg(summary->threshold, 0, 'g', 6)
            .arg(summary->malformed)
            .arg(options.malformed == MalformedPolicy::Pass ? QStringLiteral("passed through")
                                                            : QStringLiteral("skipped"))
            .arg(summary->written)
            .arg(summary->seconds, 0, 'f', 2)
            .arg(summary->seconds > 0 ? double(summary->inputBytes) / 1e6 / summary->seconds : 0.0,
                 0, 'f', 1));
    QJsonObject report = summary->toJson();
    report.insert(QStringLiteral("model"), parser.value(QStringLiteral("model")));
    report.insert(QStringLiteral("mode"), applyModeName(options.mode));
    report.insert(QStringLiteral("inputs"), QJsonArray::fromStringList(options.inputs));
    report.insert(QStringLiteral("output"), options.output);
    if (Status published
        = publishWithReport(outputs, parser.value(QStringLiteral("report")), report);
        !published)
        return reportError(published.error());
    return ExitOk;
}

}  // namespace

int runFilterCommand(const QStringList &arguments)
{
    const QString usage = QStringLiteral(
        "usage: pcstudio-cli filter train|apply [OPTIONS] (see pcstudio-cli filter train --help)");
    if (arguments.size() < 2)
        return usageError(usage, QStringLiteral("filter"));
    const QString sub = arguments[1];
    QStringList rest = arguments.mid(1);  // the subcommand takes the place of the command name
    if (sub == QLatin1String("train"))
        return runTrain(rest);
    if (sub == QLatin1String("apply"))
        return runApply(rest);
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        std::fputs(qPrintable(usage + QLatin1Char('\n')), stdout);
        return ExitOk;
    }
    return usageError(QStringLiteral("unknown filter command '%1'; %2").arg(sub, usage),
                      QStringLiteral("filter"));
}

}  // namespace pcs::cli
