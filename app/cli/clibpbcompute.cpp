// bpb compute: the BPB matrix from OpenAI-compatible completions servers (core/bpb/bpbcompute.h).
#include "app/cli/clibpbcompute.h"

#include "app/cli/clisupport.h"
#include "core/bpb/bpbcompute.h"
#include "core/io/atomicwrite.h"
#include "core/io/bpbwriter.h"
#include "core/io/outputpaths.h"
#include "core/review/apikey.h"

#include <QCommandLineParser>

#include <cstdio>

namespace pcs::cli {

namespace {
const QString kCompute = QStringLiteral("bpb compute");
}

int runBpbComputeCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions({
        { QStringLiteral("texts"), QStringLiteral("JSON Lines file of texts."),
          QStringLiteral("FILE") },
        { QStringLiteral("endpoint"),
          QStringLiteral("Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 "
                         "(repeat, paired in order with --model)."),
          QStringLiteral("URL") },
        { QStringLiteral("model"), QStringLiteral("Model name (repeat, one per --endpoint)."),
          QStringLiteral("NAME") },
        { QStringLiteral("name"),
          QStringLiteral("Column name of an LLM (repeat, in order; default MODEL@URL)."),
          QStringLiteral("NAME") },
        { QStringLiteral("api-key-env"),
          QStringLiteral("The environment variable holding the API key of an --endpoint (repeat, "
                         "one per --endpoint in the same order, or none; '' = that endpoint's "
                         "default: credentials in its URL, OPENAI_API_KEY for "
                         "https://api.openai.com only, else its keychain entry)."),
          QStringLiteral("NAME") },
        { QStringLiteral("allow-insecure-key"),
          QStringLiteral("Send API keys over plain http:// to hosts that are not this machine "
                         "(refused otherwise).") },
        { QStringLiteral("api"),
          QStringLiteral("How to ask for the prompt's log-probs: vllm (prompt_logprobs, the "
                         "default), openai-legacy (echo + logprobs, the legacy Completions "
                         "API) or vllm-chat (vLLM's /chat/completions with prompt_logprobs and "
                         "a template that renders the text alone). Once for every --endpoint, "
                         "or once per --endpoint in order."),
          QStringLiteral("API") },
        { QStringLiteral("output"),
          QStringLiteral("The BPB matrix: CSV (text rows; - for stdout), or .npy (+ "
                         ".texts.txt/.llms.txt)."),
          QStringLiteral("FILE") },
        { QStringLiteral("store"),
          QStringLiteral("SQLite file of finished cells, to resume (default OUTPUT.store.sqlite)."),
          QStringLiteral("FILE") },
        { QStringLiteral("text-field"), QStringLiteral("JSON field of the text (default text)."),
          QStringLiteral("FIELD"), QStringLiteral("text") },
        { QStringLiteral("id-field"),
          QStringLiteral("JSON field of the id (default id; absent = line number)."),
          QStringLiteral("FIELD"), QStringLiteral("id") },
        { QStringLiteral("concurrency"),
          QStringLiteral("Requests in flight per server (default 8)."), QStringLiteral("N"),
          QStringLiteral("8") },
        { QStringLiteral("window"), QStringLiteral("Characters scored per request (default 8000)."),
          QStringLiteral("N"), QStringLiteral("8000") },
        { QStringLiteral("overlap"),
          QStringLiteral(
              "Characters of context before each later window, not scored (default 1000)."),
          QStringLiteral("N"), QStringLiteral("1000") },
    });
    int exitCode = ExitOk;
    if (parseOrExit(
            parser, arguments, kCompute,
            QStringLiteral("Compute a BPB matrix from OpenAI-compatible completions servers "
                           "(vLLM prompt_logprobs, or echo+logprobs). Each endpoint gets its own "
                           "API key (--api-key-env, its URL, its keychain entry; OPENAI_API_KEY "
                           "only for https://api.openai.com), never one on the command line. BPB = "
                           "-Σ ln p(token) / (ln 2 · UTF-8 bytes); the first token has no "
                           "log-probability and is left out."),
            &exitCode))
        return exitCode;
    const QString textsPath = parser.value(QStringLiteral("texts"));
    const QString output = parser.value(QStringLiteral("output"));
    const QStringList endpoints = parser.values(QStringLiteral("endpoint"));
    const QStringList modelNames = parser.values(QStringLiteral("model"));
    const QStringList names = parser.values(QStringLiteral("name"));
    if (textsPath.isEmpty())
        return usageError(QStringLiteral("--texts is required"), kCompute);
    if (output.isEmpty())
        return usageError(QStringLiteral("--output is required"), kCompute);
    if (endpoints.isEmpty() || endpoints.size() != modelNames.size())
        return usageError(QStringLiteral("give --endpoint and --model in pairs (at least one)"),
                          kCompute);
    if (!names.isEmpty() && names.size() != endpoints.size())
        return usageError(QStringLiteral("give one --name per --endpoint, or none"), kCompute);
    const QStringList keyVariables = parser.values(QStringLiteral("api-key-env"));
    if (!keyVariables.isEmpty() && keyVariables.size() != endpoints.size())
        return usageError(QStringLiteral("give one --api-key-env per --endpoint (in the same "
                                         "order; '' for an endpoint's default), or none"),
                          kCompute);
    std::vector<BpbApi> apis;
    for (const QString &name : parser.values(QStringLiteral("api"))) {
        const auto api = bpbApiFromName(name);
        if (!api)
            return usageError(
                QStringLiteral("--api must be vllm or openai-legacy (or vllm-chat), not '%1'")
                    .arg(name),
                kCompute);
        apis.push_back(*api);
    }
    if (apis.size() > 1 && qsizetype(apis.size()) != endpoints.size())
        return usageError(QStringLiteral("give --api once, or once per --endpoint"), kCompute);
    const auto concurrency = intOption(parser, QStringLiteral("concurrency"), 8, 1, kCompute);
    const auto window = intOption(parser, QStringLiteral("window"), 8000, 1, kCompute);
    const auto overlap = intOption(parser, QStringLiteral("overlap"), 1000, 0, kCompute);
    if (!concurrency || !window || !overlap)
        return ExitBadInput;

    BpbComputeOptions options;
    options.windowChars = *window;
    options.overlapChars = *overlap;
    options.limits.concurrency = *concurrency;
    options.storePath = parser.value(QStringLiteral("store"));
    if (options.storePath.isEmpty())
        options.storePath = output == QLatin1String("-") ? QStringLiteral("bpb.store.sqlite")
                                                         : output + QStringLiteral(".store.sqlite");

    // The store is written too: neither it nor the matrix may replace the texts, nor each other.
    QList<NamedPath> outputs = bpbMatrixFiles(output, QStringLiteral("--output"));
    outputs += sqliteFiles(options.storePath, QStringLiteral("the store (--store)"));
    if (const auto refused
        = refuseOverwrites(outputs, { { textsPath, QStringLiteral("--texts") } }))
        return *refused;

    // Every endpoint's key before any request: one that must not go where asked stops it all.
    std::vector<BpbModel> models;
    for (qsizetype i = 0; i < endpoints.size(); ++i) {
        KeyOptions keyOptions;
        keyOptions.apiKeyEnv = keyVariables.value(i);
        keyOptions.allowInsecure = parser.isSet(QStringLiteral("allow-insecure-key"));
        auto resolved = resolveEndpoint(endpoints[i], keyOptions);
        if (!resolved)
            return reportError(resolved.error());
        printInfo(QStringLiteral("bpb compute: %1, API key from %2")
                      .arg(resolved->url, resolved->sourceDescription()));
        if (!resolved->note.isEmpty())
            printInfo(QStringLiteral("bpb compute: %1").arg(resolved->note));
        BpbModel model;
        model.name = names.value(i);
        model.endpoint.baseUrl = resolved->url;  // without credentials: names and messages use it
        model.endpoint.model = modelNames[i];
        if (!apis.empty())
            model.api = apis[apis.size() == 1 ? 0 : size_t(i)];
        model.endpoint.apiKey = resolved->key;
        models.push_back(model);
    }

    auto texts = readBpbTexts(textsPath, parser.value(QStringLiteral("text-field")),
                              parser.value(QStringLiteral("id-field")));
    if (!texts)
        return reportError(texts.error());
    BpbComputeStats stats;
    int lastReported = -1;
    auto matrix = computeBpbMatrix(*texts, models, options, &stats, [&](int done, int total) {
        if (done == total || done - lastReported >= std::max(1, total / 20)) {
            lastReported = done;
            printInfo(QStringLiteral("bpb compute: %1/%2 cells").arg(done).arg(total));
        }
    });
    if (!matrix) {
        printInfo(QStringLiteral("bpb compute: %1 cells done before the failure are kept in %2; "
                                 "rerun to resume")
                      .arg(stats.textsComputed)
                      .arg(options.storePath));
        return reportError(matrix.error());
    }
    if (Status written = writeBpbMatrix(output, *matrix); !written)
        return reportError(written.error());
    printInfo(QStringLiteral("bpb compute: %1 texts × %2 LLMs; %3 cells computed (%4 requests), %5 "
                             "from the store %6")
                  .arg(matrix->texts.size())
                  .arg(matrix->llms.size())
                  .arg(stats.textsComputed)
                  .arg(stats.requestsSent)
                  .arg(stats.textsFromStore)
                  .arg(options.storePath));
    return ExitOk;
}

}  // namespace pcs::cli
