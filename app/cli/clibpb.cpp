// bpb aggregate (and bpb compute, see clibpbcompute.cpp): building the BPB matrix the selection
// needs.
#include "app/cli/clibpbbatch.h"
#include "app/cli/clibpbcompute.h"
#include "app/cli/clibpbconvert.h"
#include "app/cli/clicommands.h"
#include "app/cli/clisupport.h"
#include "core/bpb/lossaggregate.h"
#include "core/io/atomicwrite.h"
#include "core/io/bpbwriter.h"
#include "core/io/fileinfo.h"
#include "core/io/outputpaths.h"

#include "pcstudio_version.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>

namespace pcs::cli {

namespace {

const QString kAggregate = QStringLiteral("bpb aggregate");

int runAggregate(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions({
        { QStringLiteral("losses"),
          QStringLiteral("Per-chunk loss files, CSV or JSONL (repeat, or list several after it)."),
          QStringLiteral("FILE") },
        { QStringLiteral("by"),
          QStringLiteral("text (default), domain or chunk: what the rows of the matrix are."),
          QStringLiteral("WHAT"), QStringLiteral("text") },
        { QStringLiteral("output"),
          QStringLiteral(
              "The BPB matrix: CSV in the package's layout, or .npy (+ .texts.txt/.llms.txt)."),
          QStringLiteral("FILE") },
        { QStringLiteral("report"),
          QStringLiteral("A JSON report: inputs with SHA-256, counts, dropped chunks."),
          QStringLiteral("FILE") },
    });
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, kAggregate,
                    QStringLiteral("Aggregate per-chunk losses into a BPB matrix: bpb = Σ "
                                   "tokens·loss / (ln 2 · Σ bytes)."),
                    &exitCode, true))
        return exitCode;
    const QStringList files
        = parser.values(QStringLiteral("losses")) + parser.positionalArguments();
    if (files.isEmpty())
        return usageError(QStringLiteral("--losses is required"), kAggregate);
    if (parser.value(QStringLiteral("output")).isEmpty())
        return usageError(QStringLiteral("--output is required"), kAggregate);
    const QString by = parser.value(QStringLiteral("by"));
    LossGrouping grouping = LossGrouping::Text;
    if (by == QLatin1String("domain"))
        grouping = LossGrouping::Domain;
    else if (by == QLatin1String("chunk"))
        grouping = LossGrouping::Chunk;
    else if (by != QLatin1String("text"))
        return usageError(QStringLiteral("--by must be text, domain or chunk"), kAggregate);

    const QString output = parser.value(QStringLiteral("output"));
    const QString reportPath = parser.value(QStringLiteral("report"));
    QList<NamedPath> inputs;
    for (const QString &path : files)
        inputs << NamedPath { path, QStringLiteral("--losses") };
    QList<NamedPath> outputs = bpbMatrixFiles(output, QStringLiteral("--output"));
    outputs << NamedPath { reportPath, QStringLiteral("--report") };
    if (const auto refused = refuseOverwrites(outputs, inputs))
        return *refused;

    auto aggregate = aggregateLosses(files, grouping);
    if (!aggregate)
        return reportError(aggregate.error());
    for (const QString &dropped : aggregate->dropped.mid(0, 10))
        printInfo(QStringLiteral("dropped chunk: %1").arg(dropped));
    printInfo(QStringLiteral("bpb: %1 LLMs × %2 %3s from %4 chunks (%5 dropped for a missing or "
                             "non-finite loss); %6 empty cells")
                  .arg(aggregate->matrix.llms.size())
                  .arg(aggregate->matrix.texts.size())
                  .arg(lossGroupingName(grouping))
                  .arg(aggregate->chunksRead)
                  .arg(aggregate->chunksDropped)
                  .arg(aggregate->emptyCells));
    QByteArray reportJson;
    if (!reportPath.isEmpty()) {
        QJsonObject json = aggregate->toJson();
        QJsonArray described;
        for (const QString &path : files) {
            auto info = describeInputFile(QStringLiteral("losses"), path);
            if (!info)
                return reportError(info.error());
            described.append(info->toJson());
        }
        json.insert(QStringLiteral("tool"), QStringLiteral("pcstudio"));
        json.insert(QStringLiteral("version"), QStringLiteral(PCSTUDIO_VERSION));
        json.insert(QStringLiteral("command"), kAggregate);
        json.insert(QStringLiteral("by"), lossGroupingName(grouping));
        json.insert(QStringLiteral("inputs"), described);
        json.insert(QStringLiteral("output"), output);
        reportJson = QJsonDocument(json).toJson(QJsonDocument::Indented);
    }
    const QString labelColumn = bpbLabelColumn(grouping);
    if (output == QLatin1String("-")) {
        // Standard output cannot join a set: the report follows a complete write.
        if (Status written = writeBpbMatrix(output, aggregate->matrix, labelColumn); !written)
            return reportError(written.error());
        if (!reportPath.isEmpty())
            if (Status written = writeAtomically(reportPath, reportJson); !written)
                return reportError(written.error());
        return ExitOk;
    }
    // The matrix files and the report are published together: a report never describes a
    // matrix that was not written, and a failure leaves the old ones as they were.
    OutputSet publication;
    if (Status added = addBpbMatrix(publication, output, aggregate->matrix, labelColumn); !added)
        return reportError(added.error());
    const bool reportToStdout = reportPath == QLatin1String("-");
    if (!reportPath.isEmpty() && !reportToStdout) {
        auto report = publication.add(reportPath);
        if (!report)
            return reportError(report.error());
        if (Status written = (*report)->write(reportJson); !written)
            return reportError(written.error());
    }
    if (Status published = publication.publish(); !published)
        return reportError(published.error());
    if (reportToStdout)
        if (Status written = writeAtomically(reportPath, reportJson); !written)
            return reportError(written.error());
    return ExitOk;
}

}  // namespace

int runBpbCommand(const QStringList &arguments)
{
    const QString usage = QStringLiteral(
        "usage: pcstudio-cli bpb aggregate|compute|convert|batch-export|batch-import [OPTIONS]");
    if (arguments.size() < 2)
        return usageError(usage, QStringLiteral("bpb"));
    const QString sub = arguments[1];
    if (sub == QLatin1String("aggregate"))
        return runAggregate(arguments.mid(1));
    if (sub == QLatin1String("compute"))
        return runBpbComputeCommand(arguments.mid(1));
    if (sub == QLatin1String("batch-export"))
        return runBpbBatchExportCommand(arguments.mid(1));
    if (sub == QLatin1String("batch-import"))
        return runBpbBatchImportCommand(arguments.mid(1));
    if (sub == QLatin1String("convert"))
        return runBpbConvertCommand(arguments.mid(1));
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        std::fputs(qPrintable(usage + QLatin1Char('\n')), stdout);
        return ExitOk;
    }
    return usageError(QStringLiteral("unknown bpb command '%1'; %2").arg(sub, usage),
                      QStringLiteral("bpb"));
}

}  // namespace pcs::cli
