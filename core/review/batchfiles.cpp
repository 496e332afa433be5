#include "review/batchfiles.h"

#include "filter/linereader.h"
#include "io/atomicwrite.h"
#include "io/outputpaths.h"
#include "review/assessment.h"
#include "review/queueinputs.h"
#include "review/queuestore.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace pcs {

namespace {

const QString kCustomIdPrefix = QStringLiteral("item-");

}  // namespace

QJsonObject BatchImportSummary::toJson() const
{
    return QJsonObject { { QStringLiteral("lines"), double(lines) },
                         { QStringLiteral("assessed"), double(assessed) },
                         { QStringLiteral("errors"), double(errors) },
                         { QStringLiteral("not_pending"), double(notPending) },
                         { QStringLiteral("unknown"), double(unknown) },
                         { QStringLiteral("malformed"), double(malformed) },
                         { QStringLiteral("problems"), QJsonArray::fromStringList(problems) } };
}

Result<BatchExportSummary> exportBatchRequests(QueueStore &store, const Criteria &criteria,
                                               const QString &model, const QString &path,
                                               bool withLogprobs)
{
    auto inputs = queueInputFiles(store);
    if (!inputs)
        return inputs.error();
    if (Status distinct
        = checkOutputsAgainstInputs({ { path, QStringLiteral("the batch requests") } }, *inputs);
        !distinct)
        return distinct.error();
    auto file = AtomicFile::create(path);
    if (!file)
        return file.error();
    BatchExportSummary summary;
    qint64 after = 0;
    for (;;) {
        auto items = store.pending(10000, after);
        if (!items)
            return items.error();
        if (items->empty())
            break;
        for (const QueueItem &item : *items) {
            QJsonObject body = assessmentRequestBody(criteria, item.text, withLogprobs);
            body.insert(QStringLiteral("model"), model);
            const QJsonObject line {
                { QStringLiteral("custom_id"), kCustomIdPrefix + QString::number(item.id) },
                { QStringLiteral("method"), QStringLiteral("POST") },
                { QStringLiteral("url"), QStringLiteral("/v1/chat/completions") },
                { QStringLiteral("body"), body }
            };
            if (Status written
                = (*file)->write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n');
                !written)
                return written.error();
            ++summary.requests;
            after = item.id;
        }
    }
    if (Status committed = (*file)->commit(); !committed)
        return committed.error();
    return summary;
}

Result<BatchImportSummary> importBatchResults(QueueStore &store, const QString &path)
{
    auto opened = LineReader::open(path);
    if (!opened)
        return opened.error();
    LineReader &reader = **opened;
    BatchImportSummary summary;
    auto problem
        = [&](qint64 column, const QString &reason) {
              ++summary.malformed;
              if (summary.problems.size() < 100)
                  summary.problems
                      << Error::badInput(reason, path, reader.lineNumber(), column).toString();
          };
    std::string_view line;
    while (reader.next(line)) {
        if (line.find_first_not_of(" \t") == std::string_view::npos)
            continue;
        ++summary.lines;
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(
            QByteArray::fromRawData(line.data(), qsizetype(line.size())), &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
            problem(parseError.offset + 1,
                    QStringLiteral("not a JSON object: %1").arg(parseError.errorString()));
            continue;
        }
        const QJsonObject result = document.object();
        const QString customId = result.value(QStringLiteral("custom_id")).toString();
        bool numeric = false;
        const qint64 id = customId.startsWith(kCustomIdPrefix)
            ? customId.mid(kCustomIdPrefix.size()).toLongLong(&numeric)
            : 0;
        if (!numeric) {
            problem(0, QStringLiteral("no custom_id of the form item-<id>"));
            continue;
        }
        auto item = store.item(id);
        if (!item) {
            ++summary.unknown;
            continue;
        }
        if (item->state != QLatin1String("pending")) {
            ++summary.notPending;
            continue;
        }
        // An error object, a non-2xx status, or an answer that is not a valid assessment is
        // recorded as an error with its reason: never as a score.
        const QJsonObject response = result.value(QStringLiteral("response")).toObject();
        const int status = response.value(QStringLiteral("status_code")).toInt();
        QString code, message;
        Assessment assessment;
        if (result.value(QStringLiteral("error")).isObject()) {
            const QJsonObject error = result.value(QStringLiteral("error")).toObject();
            code = error.value(QStringLiteral("code")).toString(QStringLiteral("batch_error"));
            message = error.value(QStringLiteral("message")).toString();
        } else if (status < 200 || status > 299) {
            code = QStringLiteral("http_%1").arg(status);
            message
                = QString::fromUtf8(QJsonDocument(response.value(QStringLiteral("body")).toObject())
                                        .toJson(QJsonDocument::Compact));
        } else {
            assessment = parseAssessmentResponse(response.value(QStringLiteral("body")).toObject());
            if (!assessment.ok()) {
                code = assessment.errorCode.isEmpty() ? QStringLiteral("no_score")
                                                      : assessment.errorCode;
                message = assessment.errorMessage;
            }
        }
        if (!code.isEmpty()) {
            if (Status recorded = store.recordError(id, code, message, 1); !recorded)
                return recorded.error();
            ++summary.errors;
            continue;
        }
        AssessmentRecord record;
        record.llmScore = assessment.score;
        record.llmReasoning = assessment.reasoning;
        record.logprobCoverage = assessment.logprobCoverage;
        record.score = *assessment.score;
        if (Status recorded = store.recordAssessment(id, record); !recorded)
            return recorded.error();
        ++summary.assessed;
    }
    if (reader.error())
        return *reader.error();
    return summary;
}

}  // namespace pcs
