#include "review/batchfiles.h"

#include "filter/jsonline.h"
#include "filter/linereader.h"
#include "io/atomicwrite.h"
#include "io/outputpaths.h"
#include "review/assessment.h"
#include "review/queueinputs.h"
#include "review/queuestore.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <optional>

namespace pcs {

namespace {

const QString kCustomIdPrefix = QStringLiteral("item-");

// The item id in a custom_id "item-<id>", or nothing.
std::optional<qint64> itemIdOf(std::string_view customId)
{
    const QString text = QString::fromUtf8(customId.data(), qsizetype(customId.size()));
    if (!text.startsWith(kCustomIdPrefix))
        return std::nullopt;
    bool numeric = false;
    const qint64 id = text.mid(kCustomIdPrefix.size()).toLongLong(&numeric);
    return numeric ? std::optional(id) : std::nullopt;
}

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
                                               bool withLogprobs, const ModelProfile &profile)
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
            body = applyModelProfile(std::move(body), profile);
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
    const auto listProblem
        = [&](qint64 column, const QString &reason) {
              if (summary.problems.size() < BatchImportSummary::kMaxListedProblems)
                  summary.problems
                      << Error::badInput(reason, path, reader.lineNumber(), column).toString();
          };
    // custom_id is read by the scanner, which needs no valid document: a line that is otherwise
    // broken still names its item, and that item gets the error.
    JsonLineScanner scanner({ "custom_id" });
    std::string_view line;
    while (reader.next(line)) {
        if (line.find_first_not_of(" \t") == std::string_view::npos)
            continue;
        ++summary.lines;
        const auto scanProblem = scanner.scan(line);
        const JsonLineScanner::Field &customId = scanner.field(0);
        // A custom_id read before any problem names the item, unless it is itself duplicated.
        const bool ambiguous = scanProblem
            && scanProblem->issue == JsonLineScanner::Issue::DuplicateKey
            && scanProblem->key == "custom_id";
        std::optional<qint64> id;
        if (customId.kind == JsonLineScanner::Kind::String && !ambiguous)
            id = itemIdOf(customId.value);
        if (!id) {
            ++summary.malformed;
            if (scanProblem)
                listProblem(scanProblem->column, scanProblem->reason);
            else
                listProblem(customId.kind == JsonLineScanner::Kind::Missing
                                ? 0
                                : qint64(customId.rawBegin) + 1,
                            QStringLiteral("no custom_id of the form item-<id>"));
            continue;
        }
        auto item = store.item(*id);
        if (!item) {
            if (item.error().kind != ErrorKind::BadInput)
                return item.error();  // the database failed, not the line
            ++summary.unknown;
            listProblem(qint64(customId.rawBegin) + 1,
                        QStringLiteral("custom_id item-%1 names no item of this queue").arg(*id));
            continue;
        }
        if (item->state != QLatin1String("pending")) {
            ++summary.notPending;
            continue;
        }

        // An error object, a non-2xx status, a line that is not a valid result, or an answer
        // that is not a valid assessment is recorded as the item's error with its reason:
        // never as a score.
        QString code, message;
        Assessment assessment;
        QJsonParseError parseError {};
        const QJsonDocument document = scanProblem
            ? QJsonDocument()
            : QJsonDocument::fromJson(QByteArray::fromRawData(line.data(), qsizetype(line.size())),
                                      &parseError);
        if (scanProblem || parseError.error != QJsonParseError::NoError || !document.isObject()) {
            // e.g. a truncated line, or a number Qt cannot hold (1e999 in the log-probs).
            const qint64 column = scanProblem ? scanProblem->column : parseError.offset + 1;
            const QString reason = scanProblem ? scanProblem->reason : parseError.errorString();
            code = QLatin1String(kMalformedResult);
            message = QStringLiteral("line %1, column %2 of %3: not a valid result: %4")
                          .arg(reader.lineNumber())
                          .arg(column)
                          .arg(path, reason);
            listProblem(column,
                        QStringLiteral("item-%1: not a valid result (%2); recorded as "
                                       "the item's error")
                            .arg(*id)
                            .arg(reason));
        } else {
            const QJsonObject result = document.object();
            const QJsonObject response = result.value(QStringLiteral("response")).toObject();
            const int status = response.value(QStringLiteral("status_code")).toInt();
            if (result.value(QStringLiteral("error")).isObject()) {
                const QJsonObject error = result.value(QStringLiteral("error")).toObject();
                code = error.value(QStringLiteral("code")).toString(QStringLiteral("batch_error"));
                message = error.value(QStringLiteral("message")).toString();
            } else if (status < 200 || status > 299) {
                code = QStringLiteral("http_%1").arg(status);
                message = QString::fromUtf8(
                    QJsonDocument(response.value(QStringLiteral("body")).toObject())
                        .toJson(QJsonDocument::Compact));
            } else {
                assessment
                    = parseAssessmentResponse(response.value(QStringLiteral("body")).toObject());
                if (!assessment.ok()) {
                    code = assessment.errorCode.isEmpty() ? QStringLiteral("no_score")
                                                          : assessment.errorCode;
                    message = assessment.errorMessage;
                }
            }
        }
        if (code.isEmpty()) {
            AssessmentRecord record;
            record.llmScore = assessment.score;
            record.llmReasoning = assessment.reasoning;
            record.logprobCoverage = assessment.logprobCoverage;
            record.score = *assessment.score;
            const Status recorded = store.recordAssessment(*id, record);
            if (recorded) {
                ++summary.assessed;
                continue;
            }
            if (recorded.error().kind != ErrorKind::BadInput)
                return recorded.error();
            // A score the queue refuses (not finite): the item's error, and the import goes on.
            code = QLatin1String(kInvalidScore);
            message = recorded.error().reason;
        }
        if (Status recorded = store.recordError(*id, code, message, 1); !recorded)
            return recorded.error();
        ++summary.errors;
    }
    if (reader.error())
        return *reader.error();
    return summary;
}

}  // namespace pcs
