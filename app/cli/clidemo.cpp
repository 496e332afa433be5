// demo: writes a synthetic dataset with a known answer and runs the selection on it.
#include "app/cli/clicommands.h"
#include "app/cli/clisupport.h"
#include "core/demo/demodata.h"
#include "core/filter/filtertrain.h"
#include "core/io/namedvalues.h"

#include <QDir>
#include <QJsonObject>
#include <QSet>

namespace pcs::cli {

int runDemoCommand(const QStringList &arguments)
{
    const QString command = QStringLiteral("demo");
    QCommandLineParser parser;
    parser.addOption({ QStringLiteral("output"),
                       QStringLiteral("Folder for the demo files (default: ./pcstudio-demo)."),
                       QStringLiteral("DIR"), QStringLiteral("pcstudio-demo") });
    parser.addOption({ QStringLiteral("llms"), QStringLiteral("Number of LLMs (default 240)."),
                       QStringLiteral("N"), QStringLiteral("240") });
    parser.addOption({ QStringLiteral("texts"), QStringLiteral("Number of texts (default 3000)."),
                       QStringLiteral("D"), QStringLiteral("3000") });
    parser.addOption({ QStringLiteral("seed"), QStringLiteral("Random seed (default 20240905)."),
                       QStringLiteral("S"), QStringLiteral("20240905") });
    parser.addOption({ QStringLiteral("keep-ratio"),
                       QStringLiteral("Fraction of the pool to keep (default 0.2)."),
                       QStringLiteral("R"), QStringLiteral("0.2") });
    parser.addOption({ QStringLiteral("no-filter"),
                       QStringLiteral("Skip training and applying the fastText filter.") });
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, command,
                    QStringLiteral("Generate a synthetic dataset whose good domains are known, "
                                   "then run `select` on it."),
                    &exitCode))
        return exitCode;
    const auto llms = intOption(parser, QStringLiteral("llms"), 240, 3, command);
    const auto texts = intOption(parser, QStringLiteral("texts"), 3000, 1, command);
    const auto seed = intOption(parser, QStringLiteral("seed"), 20240905, 0, command);
    if (!llms || !texts || !seed)
        return ExitBadInput;

    const QString folder = QDir(parser.value(QStringLiteral("output"))).absolutePath();
    // The demo reads nothing, but its files must not be one file under several names (links).
    QList<NamedPath> outputs;
    for (const char *name : { "bpb.csv", "errors.csv", "token_counts.csv", "truth.csv",
                              "texts.jsonl", "distribution.csv", "report.json", "filter.bin",
                              "filter.bin.manifest.json", "kept.jsonl" })
        outputs << NamedPath { QDir(folder).filePath(QString::fromLatin1(name)),
                               QStringLiteral("a demo file") };
    if (const auto refused = refuseOverwrites(outputs, {}))
        return *refused;
    const DemoDataset dataset = generateDemoDataset({ *llms, *texts, quint64(*seed) });
    auto files = writeDemoDataset(dataset, folder);
    if (!files)
        return reportError(files.error());
    printInfo(
        QStringLiteral("demo data: %1 LLMs × %2 texts in %3").arg(*llms).arg(*texts).arg(folder));

    const QString distribution = QDir(folder).filePath(QStringLiteral("distribution.csv"));
    const QString report = QDir(folder).filePath(QStringLiteral("report.json"));
    const int selected = runSelectCommand(
        { QStringLiteral("select"), QStringLiteral("--bpb"), files->bpb, QStringLiteral("--errors"),
          files->errors, QStringLiteral("--token-counts"), files->tokenCounts,
          QStringLiteral("--keep-ratio"), parser.value(QStringLiteral("keep-ratio")),
          QStringLiteral("--output"), distribution, QStringLiteral("--report"), report });
    if (selected != ExitOk)
        return selected;

    // How well did the selection find the domains that really drive the benchmark?
    auto weights = loadNamedValues(distribution, QStringLiteral("text"), QStringLiteral("weight"));
    if (!weights)
        return reportError(weights.error());
    const QSet<QString> good(dataset.goodDomains.begin(), dataset.goodDomains.end());
    qsizetype included = 0, includedGood = 0, poolGood = 0;
    for (qsizetype j = 0; j < dataset.domains.size(); ++j)
        poolGood += good.contains(dataset.domains[j]);
    for (qsizetype j = 0; j < weights->names.size(); ++j) {
        if (weights->values[size_t(j)] <= 0.0)
            continue;
        ++included;
        includedGood += good.contains(weights->names[j].section(QLatin1Char('/'), 0, 0));
    }
    printInfo(
        QStringLiteral("selection: %1 texts included; %2% of them from the good domains (%3), "
                       "which are %4% of the pool")
            .arg(included)
            .arg(included ? 100.0 * double(includedGood) / double(included) : 0.0, 0, 'f', 1)
            .arg(dataset.goodDomains.join(QStringLiteral(", ")))
            .arg(100.0 * double(poolGood) / double(std::max<qsizetype>(1, dataset.domains.size())),
                 0, 'f', 1));
    if (parser.isSet(QStringLiteral("no-filter"))) {
        printInfo(QStringLiteral("outputs: %1 (distribution), %2 (provenance report)")
                      .arg(distribution, report));
        return ExitOk;
    }

    // The paper's last step: a fastText filter that generalises the selection to new text,
    // trained on the demo's documents (texts.jsonl) and applied back to them.
    const QString model = QDir(folder).filePath(QStringLiteral("filter.bin"));
    const QString kept = QDir(folder).filePath(QStringLiteral("kept.jsonl"));
    const int trained = runFilterCommand(
        { QStringLiteral("filter"), QStringLiteral("train"), QStringLiteral("--texts"),
          files->texts, QStringLiteral("--distribution"), distribution, QStringLiteral("--output"),
          model, QStringLiteral("--seed"), QStringLiteral("1"),
          // 100k n-gram buckets (40 MB) suit 3000 short texts; the default 2M is for real corpora.
          QStringLiteral("--bucket"), QStringLiteral("100000") });
    if (trained != ExitOk)
        return trained;
    auto manifest = loadFilterManifest(model);
    if (!manifest)
        return reportError(manifest.error());
    const double threshold = manifest->value(QStringLiteral("threshold"))
                                 .toObject()
                                 .value(QStringLiteral("value"))
                                 .toDouble();
    const int applied = runFilterCommand(
        { QStringLiteral("filter"), QStringLiteral("apply"), QStringLiteral("--model"), model,
          QStringLiteral("--threshold"), QString::number(threshold, 'g', 17),
          QStringLiteral("--input"), files->texts, QStringLiteral("--output"), kept });
    if (applied != ExitOk)
        return applied;
    printInfo(QStringLiteral("outputs: %1 (distribution), %2 (provenance report), %3 (+ "
                             ".manifest.json, the filter), %4 (texts the filter keeps)")
                  .arg(distribution, report, model, kept));
    return ExitOk;
}

}  // namespace pcs::cli
