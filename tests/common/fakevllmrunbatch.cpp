// A stand-in for `vllm run-batch` in tests: the same command line (`run-batch -i IN -o OUT
// --model M`, other options ignored), the same result lines, answers from the fake server's
// deterministic model (FakeOpenAiServer::promptLogprobsAnswer), so no GPU is needed.
//
// As vLLM's run_batch.py: input lines in order, one result line each, in input order:
//   {"id": "vllm-<n>", "custom_id", "response": {"status_code": 200, "request_id":
//    "vllm-batch-<n>", "body": <answer>}, "error": null}
// /v1/chat/completions only (vLLM: "Supported endpoints: /v1/chat/completions, /v1/embeddings,
// /score, /rerank"); any other URL gets vLLM's error line (status 400, "error": the message).
// --accept-completions answers /v1/completions too (runners that take it). A body whose model is
// not --model gets a 404 ErrorResponse as vLLM gives it. Exit 0 when the input was read, 1 on a
// line that is no request (vLLM stops there too), 2 on bad arguments.
#include "tests/common/fakeopenaiserver.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStringList>

#include <cstdio>

using pcs::test::FakeOpenAiServer;

namespace {

QJsonObject errorLine(const QString &customId, int number, int status, const QJsonValue &error)
{
    return QJsonObject { { QStringLiteral("id"), QStringLiteral("vllm-%1").arg(number) },
                         { QStringLiteral("custom_id"), customId },
                         { QStringLiteral("response"),
                           QJsonObject { { QStringLiteral("status_code"), status },
                                         { QStringLiteral("request_id"),
                                           QStringLiteral("vllm-batch-%1").arg(number) },
                                         { QStringLiteral("body"), QJsonValue::Null } } },
                         { QStringLiteral("error"), error } };
}

}  // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = app.arguments().mid(1);
    QString input, output, model;
    bool acceptCompletions = false;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments[i];
        if ((argument == QLatin1String("-i") || argument == QLatin1String("--input-file"))
            && i + 1 < arguments.size())
            input = arguments[++i];
        else if ((argument == QLatin1String("-o") || argument == QLatin1String("--output-file"))
                 && i + 1 < arguments.size())
            output = arguments[++i];
        else if (argument == QLatin1String("--model") && i + 1 < arguments.size())
            model = arguments[++i];
        else if (argument == QLatin1String("--accept-completions"))
            acceptCompletions = true;
    }
    if (arguments.value(0) != QLatin1String("run-batch") || input.isEmpty() || output.isEmpty()
        || model.isEmpty()) {
        std::fputs("usage: fake-vllm-run-batch run-batch -i IN -o OUT --model M\n", stderr);
        return 2;
    }
    QFile in(input);
    if (!in.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "cannot read %s\n", qPrintable(input));
        return 1;
    }
    QByteArray results;
    int number = 0;
    while (!in.atEnd()) {
        const QByteArray line = in.readLine().trimmed();
        if (line.isEmpty())
            continue;
        ++number;
        const QJsonDocument document = QJsonDocument::fromJson(line);
        const QJsonObject request = document.object();
        if (!document.isObject() || !request.value(QLatin1String("custom_id")).isString()) {
            std::fprintf(stderr, "%s: line %d is not a batch request\n", qPrintable(input), number);
            return 1;
        }
        const QString customId = request.value(QLatin1String("custom_id")).toString();
        const QString url = request.value(QLatin1String("url")).toString();
        const QJsonObject body = request.value(QLatin1String("body")).toObject();
        QJsonObject result;
        if (url != QLatin1String("/v1/chat/completions")
            && !(acceptCompletions && url == QLatin1String("/v1/completions"))) {
            result = errorLine(customId, number, 400,
                               QStringLiteral("URL %1 was used. Supported endpoints: "
                                              "/v1/chat/completions, /v1/embeddings, /score, "
                                              "/rerank.")
                                   .arg(url));
        } else if (body.value(QLatin1String("model")).toString() != model) {
            const QJsonObject error { { QStringLiteral("message"),
                                        QStringLiteral("The model `%1` does not exist.")
                                            .arg(body.value(QLatin1String("model")).toString()) },
                                      { QStringLiteral("type"), QStringLiteral("NotFoundError") },
                                      { QStringLiteral("param"), QStringLiteral("model") },
                                      { QStringLiteral("code"), 404 } };
            result = errorLine(customId, number, 404, QJsonObject { { "error", error } });
        } else {
            result = QJsonObject {
                { QStringLiteral("id"), QStringLiteral("vllm-%1").arg(number) },
                { QStringLiteral("custom_id"), customId },
                { QStringLiteral("response"),
                  QJsonObject {
                      { QStringLiteral("status_code"), 200 },
                      { QStringLiteral("request_id"), QStringLiteral("vllm-batch-%1").arg(number) },
                      { QStringLiteral("body"), FakeOpenAiServer::promptLogprobsAnswer(body) } } },
                { QStringLiteral("error"), QJsonValue::Null }
            };
        }
        results += QJsonDocument(result).toJson(QJsonDocument::Compact) + '\n';
    }
    QSaveFile out(output);
    if (!out.open(QIODevice::WriteOnly) || out.write(results) != results.size() || !out.commit()) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(output));
        return 1;
    }
    return 0;
}
