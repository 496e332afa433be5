// bpb batch-export / batch-import: the BPB matrix through Batch API files (core/bpb/bpbbatch.h).
#include "app/cli/clibpbbatch.h"

#include "app/cli/clisupport.h"
#include "core/bpb/bpbbatch.h"
#include "core/io/atomicwrite.h"
#include "core/io/bpbwriter.h"
#include "core/io/outputpaths.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>

namespace pcs::cli {

namespace {

const QString kExport = QStringLiteral("bpb batch-export");
const QString kImport = QStringLiteral("bpb batch-import");

// The options both commands share: the texts and how they are cut into windows.
QList<QCommandLineOption> textOptions()
{
    return {
        { QStringLiteral("texts"), QStringLiteral("JSON Lines file of texts."),
          QStringLiteral("FILE") },
        { QStringLiteral("text-field"), QStringLiteral("JSON field of the text (default text)."),
          QStringLiteral("FIELD"), QStringLiteral("text") },
        { QStringLiteral("id-field"),
          QStringLiteral("JSON field of the id (default id; absent = line number)."),
          QStringLiteral("FIELD"), QStringLiteral("id") },
        { QStringLiteral("window"),
          QStringLiteral("Characters scored per request (default 8000, as bpb compute)."),
          QStringLiteral("N"), QStringLiteral("8000") },
        { QStringLiteral("overlap"),
          QStringLiteral("Characters of context before each later window (default 1000)."),
          QStringLiteral("N"), QStringLiteral("1000") },
        { QStringLiteral("api"),
          QStringLiteral("Request shape: vllm-chat (the default; /v1/chat/completions, the one "
                         "`vllm run-batch` runs), vllm (/v1/completions with prompt_logprobs) "
                         "or openai-legacy (/v1/completions with echo, the OpenAI Batch API)."),
          QStringLiteral("API"), QStringLiteral("vllm-chat") },
    };
}

std::optional<BpbApi> apiOption(const QString &name, const QString &command)
{
    const auto api = bpbApiFromName(name);
    if (!api)
        usageError(
            QStringLiteral("--api must be vllm-chat, vllm or openai-legacy, not '%1'").arg(name),
            command);
    return api;
}

// The file that lists an export's request files, one absolute path a line (for array jobs).
QString listPathIn(const QString &folder)
{
    return QDir(folder).filePath(QStringLiteral("requests.txt"));
}

}  // namespace

int runBpbBatchExportCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions(textOptions());
    BatchFileLimits limits;
    parser.addOptions({
        { QStringLiteral("model"),
          QStringLiteral("The model of every request, as the server or run-batch serves it."),
          QStringLiteral("NAME") },
        { QStringLiteral("max-requests"),
          QStringLiteral("Requests per file at most (default 50000, the OpenAI Batch API's "
                         "limit; 0 = no limit)."),
          QStringLiteral("N"), QString::number(limits.maxRequests) },
        { QStringLiteral("max-bytes"),
          QStringLiteral("Bytes per file at most (default 190000000, below the OpenAI Batch "
                         "API's 200 MB; 0 = no limit)."),
          QStringLiteral("B"), QString::number(limits.maxBytes) },
        { QStringLiteral("output-dir"),
          QStringLiteral("Folder of the request files: requests.jsonl when all fit one file, "
                         "else requests-001.jsonl, ...; and requests.txt listing them."),
          QStringLiteral("DIR") },
    });
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, kExport,
                    QStringLiteral("Write the windows of every text (those bpb compute sends) as "
                                   "Batch API requests for prompt log-probabilities, one model, "
                                   "within --max-requests/--max-bytes per file; run them with "
                                   "`vllm run-batch` (or the OpenAI Batch API with --api "
                                   "openai-legacy) and read the results with bpb batch-import."),
                    &exitCode))
        return exitCode;
    for (const char *required : { "texts", "model", "output-dir" })
        if (parser.value(QString::fromLatin1(required)).isEmpty())
            return usageError(QStringLiteral("--%1 is required").arg(QString::fromLatin1(required)),
                              kExport);
    const auto maxRequests
        = intOption(parser, QStringLiteral("max-requests"), int(limits.maxRequests), 0, kExport);
    const auto maxBytes
        = intOption(parser, QStringLiteral("max-bytes"), int(limits.maxBytes), 0, kExport);
    const auto window = intOption(parser, QStringLiteral("window"), 8000, 1, kExport);
    const auto overlap = intOption(parser, QStringLiteral("overlap"), 1000, 0, kExport);
    const auto api = apiOption(parser.value(QStringLiteral("api")), kExport);
    if (!maxRequests || !maxBytes || !window || !overlap || !api)
        return ExitBadInput;
    limits.maxRequests = *maxRequests;
    limits.maxBytes = *maxBytes;
    BpbBatchSettings settings;
    settings.model = parser.value(QStringLiteral("model"));
    settings.api = *api;
    settings.windowChars = *window;
    settings.overlapChars = *overlap;

    const QString textsPath = parser.value(QStringLiteral("texts"));
    const QString folder = parser.value(QStringLiteral("output-dir"));
    if (!QDir().mkpath(folder))
        return reportError(Error::io(QStringLiteral("cannot create the folder"), folder));
    const QString path = QDir(folder).filePath(QStringLiteral("requests.jsonl"));
    const QList<NamedPath> inputs { { textsPath, QStringLiteral("--texts") } };
    const QString list = listPathIn(folder);
    if (const auto refused = refuseOverwrites(
            { { path, QStringLiteral("the requests") }, { list, QStringLiteral("their list") } },
            inputs))
        return *refused;
    auto texts = readBpbTexts(textsPath, parser.value(QStringLiteral("text-field")),
                              parser.value(QStringLiteral("id-field")));
    if (!texts)
        return reportError(texts.error());
    auto summary = exportBpbBatch(*texts, settings, path, limits, [&](const QString &output) {
        return checkOutputsAgainstInputs({ { output, QStringLiteral("the requests") } }, inputs);
    });
    if (!summary)
        return reportError(summary.error());
    QByteArray listed;
    for (const BatchExportSummary::File &file : summary->files)
        listed += QFileInfo(file.path).absoluteFilePath().toUtf8() + '\n';
    if (Status written = writeAtomically(list, listed); !written)
        return reportError(written.error());
    printInfo(QStringLiteral("bpb batch-export: %1 texts, %2 requests (%3, %4) in %5 file(s), "
                             "listed in %6")
                  .arg(summary->texts)
                  .arg(summary->requests)
                  .arg(bpbApiName(settings.api), bpbRequestUrl(settings.api))
                  .arg(summary->files.size())
                  .arg(list));
    for (const BatchExportSummary::File &file : summary->files)
        printInfo(QStringLiteral("  %1 (%2 requests, %3 bytes)")
                      .arg(file.path)
                      .arg(file.requests)
                      .arg(file.bytes));
    for (const QString &stale : std::as_const(summary->staleFiles))
        printInfo(QStringLiteral("bpb batch-export: warning: %1 is not part of this export (an "
                                 "earlier one?); do not run it with these")
                      .arg(stale));
    return ExitOk;
}

int runBpbBatchImportCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions(textOptions());
    parser.addOptions({
        { QStringLiteral("model"),
          QStringLiteral("The model the results are of, as exported (repeat for several "
                         "exports of the same texts: one column each)."),
          QStringLiteral("NAME") },
        { QStringLiteral("name"),
          QStringLiteral("Column name of a --model (repeat, in order; default the model)."),
          QStringLiteral("NAME") },
        { QStringLiteral("results"),
          QStringLiteral("Result files (repeat, or list more after it; any order)."),
          QStringLiteral("FILE") },
        { QStringLiteral("output"),
          QStringLiteral("The BPB matrix: CSV (text rows; - for stdout), or .npy (+ "
                         ".texts.txt/.llms.txt)."),
          QStringLiteral("FILE") },
    });
    int exitCode = ExitOk;
    if (parseOrExit(parser, arguments, kImport,
                    QStringLiteral("Read Batch API result files of bpb batch-export (any order, "
                                   "several at once) into the BPB matrix: the same as bpb compute "
                                   "on the same texts and settings. Give the export's --texts, "
                                   "--model, --api, --window and --overlap."),
                    &exitCode, true))
        return exitCode;
    for (const char *required : { "texts", "model", "output" })
        if (parser.value(QString::fromLatin1(required)).isEmpty())
            return usageError(QStringLiteral("--%1 is required").arg(QString::fromLatin1(required)),
                              kImport);
    const QStringList results
        = parser.values(QStringLiteral("results")) + parser.positionalArguments();
    if (results.isEmpty())
        return usageError(QStringLiteral("--results is required"), kImport);
    const QStringList modelNames = parser.values(QStringLiteral("model"));
    const QStringList names = parser.values(QStringLiteral("name"));
    if (!names.isEmpty() && names.size() != modelNames.size())
        return usageError(QStringLiteral("give one --name per --model, or none"), kImport);
    const auto window = intOption(parser, QStringLiteral("window"), 8000, 1, kImport);
    const auto overlap = intOption(parser, QStringLiteral("overlap"), 1000, 0, kImport);
    const auto api = apiOption(parser.value(QStringLiteral("api")), kImport);
    if (!window || !overlap || !api)
        return ExitBadInput;
    std::vector<BpbBatchSettings> models;
    for (qsizetype i = 0; i < modelNames.size(); ++i) {
        BpbBatchSettings settings;
        settings.model = modelNames[i];
        settings.name = names.value(i);
        settings.api = *api;
        settings.windowChars = *window;
        settings.overlapChars = *overlap;
        models.push_back(settings);
    }

    const QString textsPath = parser.value(QStringLiteral("texts"));
    const QString output = parser.value(QStringLiteral("output"));
    QList<NamedPath> inputs { { textsPath, QStringLiteral("--texts") } };
    for (const QString &path : results)
        inputs << NamedPath { path, QStringLiteral("--results") };
    if (const auto refused
        = refuseOverwrites(bpbMatrixFiles(output, QStringLiteral("--output")), inputs))
        return *refused;
    auto texts = readBpbTexts(textsPath, parser.value(QStringLiteral("text-field")),
                              parser.value(QStringLiteral("id-field")));
    if (!texts)
        return reportError(texts.error());
    BpbBatchImportSummary summary;
    auto matrix = importBpbBatch(*texts, models, results, &summary);
    if (!matrix)
        return reportError(matrix.error());
    if (Status written = writeBpbMatrix(output, *matrix); !written)
        return reportError(written.error());
    printInfo(QStringLiteral("bpb batch-import: %1 texts × %2 LLMs from %3 windows in %4 file(s)")
                  .arg(matrix->texts.size())
                  .arg(matrix->llms.size())
                  .arg(summary.windows)
                  .arg(summary.files));
    return ExitOk;
}

}  // namespace pcs::cli
