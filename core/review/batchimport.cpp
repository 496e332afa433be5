// review batch-import: Batch API (and vLLM run-batch) result files read back into the queue.
#include "core/io/jsonline.h"
#include "core/io/linereader.h"
#include "core/review/assessment.h"
#include "core/review/batchfiles.h"
#include "core/review/queuestore.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <optional>

namespace pcs {

namespace {

// The item id in a custom_id "item-<id>", or nothing.
std::optional<qint64> itemIdOf(std::string_view customId)
{
    const QString text = QString::fromUtf8(customId.data(), qsizetype(customId.size()));
    const QLatin1String prefix(kBatchCustomIdPrefix);
    if (!text.startsWith(prefix))
        return std::nullopt;
    bool numeric = false;
    const qint64 id = text.mid(prefix.size()).toLongLong(&numeric);
    return numeric ? std::optional(id) : std::nullopt;
}

// What a server said about a failure, wherever it put it.
struct ServerError {
    QString message;
    QString type;
    QJsonValue code;
};

// A string (vLLM's message for a request it could not run), an OpenAI or newer vLLM
// {"error": {...}} envelope, or the error object itself ({"message", "type", "code"}, also
// vLLM's older {"object": "error", ...}). Nothing when it holds none of these.
std::optional<ServerError> readServerError(const QJsonValue &value)
{
    if (value.isString() && !value.toString().trimmed().isEmpty())
        return ServerError { value.toString(), {}, {} };
    if (!value.isObject())
        return std::nullopt;
    const QJsonObject object = value.toObject();
    const QJsonValue inner = object.value(QStringLiteral("error"));
    if (inner.isObject() || inner.isString())
        return readServerError(inner);
    ServerError error { object.value(QStringLiteral("message")).toString(),
                        object.value(QStringLiteral("type")).toString(),
                        object.value(QStringLiteral("code")) };
    if (error.message.isEmpty() && error.type.isEmpty()
        && (error.code.isNull() || error.code.isUndefined()))
        return std::nullopt;
    return error;
}

QString codeText(const QJsonValue &code)
{
    if (code.isString())
        return code.toString();
    if (code.isDouble())
        return QString::number(code.toInteger());
    return {};
}

struct Failure {
    QString code;
    QString message;
};

// A result line that failed: its code (http_<status> when the line has an HTTP status, like the
// live client's errors; else the server's code or type) and the server's message with what else
// it said. Never an empty message: without one, the line's own words are kept.
Failure describeFailure(const QJsonObject &result)
{
    const QJsonObject response = result.value(QStringLiteral("response")).toObject();
    const QJsonValue statusValue = response.value(QStringLiteral("status_code"));
    const int status = statusValue.isDouble() ? statusValue.toInt() : 0;
    const bool httpFailure = status != 0 && (status < 200 || status > 299);
    std::optional<ServerError> error = readServerError(result.value(QStringLiteral("error")));
    if (!error || error->message.isEmpty()) {
        if (auto fromBody = readServerError(response.value(QStringLiteral("body"))))
            error = fromBody;
    }

    Failure failure;
    const QString serverCode = error ? codeText(error->code) : QString();
    if (httpFailure)
        failure.code = QStringLiteral("http_%1").arg(status);
    else if (error && error->code.isDouble())
        failure.code = QStringLiteral("http_%1").arg(serverCode);
    else if (!serverCode.isEmpty())
        failure.code = serverCode;
    else if (error && !error->type.isEmpty())
        failure.code = error->type;
    else
        failure.code = QStringLiteral("batch_error");

    QStringList details;
    if (httpFailure)
        details << QStringLiteral("HTTP %1").arg(status);
    if (error && !error->type.isEmpty())
        details << QStringLiteral("type %1").arg(error->type);
    if (!serverCode.isEmpty() && QStringLiteral("http_%1").arg(serverCode) != failure.code
        && serverCode != failure.code)
        details << QStringLiteral("code %1").arg(serverCode);
    QString message = error ? error->message : QString();
    if (message.isEmpty()) {
        QByteArray line = QJsonDocument(result).toJson(QJsonDocument::Compact);
        if (line.size() > 400)
            line = line.left(400) + "...";
        message = QStringLiteral("the result gives no reason: %1").arg(QString::fromUtf8(line));
    }
    failure.message
        = details.isEmpty() ? message : QStringLiteral("%1 (%2)").arg(message, details.join(u", "));
    return failure;
}

// Reads one results file into the queue, adding to `summary`. `logprobStatus`: why the export
// asked for no log-probs (LogprobStatus), empty when it asked.
Status importOneFile(QueueStore &store, LineReader &reader, const QString &logprobStatus,
                     BatchImportSummary &summary)
{
    const QString &path = reader.path();
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
        if (item->state != ItemState::Pending) {
            ++summary.notPending;
            continue;
        }

        // An error, a non-2xx status, a line that is not a valid result, or an answer that is
        // not a valid assessment is recorded as the item's error with its reason: never as a
        // score.
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
            code = responseErrorName(ResponseError::MalformedResult);
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
            const QJsonValue response = result.value(QStringLiteral("response"));
            const QJsonValue error = result.value(QStringLiteral("error"));
            const int status = response.toObject().value(QStringLiteral("status_code")).toInt(200);
            const bool failed = readServerError(error).has_value() || status < 200 || status > 299;
            if (!response.isObject() && !failed) {
                code = responseErrorName(ResponseError::MalformedResult);
                message = QStringLiteral("line %1 of %2: the result has neither a response nor "
                                         "an error")
                              .arg(reader.lineNumber())
                              .arg(path);
            } else if (failed || !response.isObject()) {
                const Failure failure = describeFailure(result);
                code = failure.code;
                message = failure.message;
            } else {
                assessment = parseAssessmentResponse(
                    response.toObject().value(QStringLiteral("body")).toObject());
                if (!assessment.ok()) {
                    code = responseErrorName(assessment.errorCode.value_or(ResponseError::NoScore));
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
            // As live runs record it: why none were asked for, else why those asked for were not
            // used (log-probs that came unasked and gave the score need no word).
            if (logprobStatus.isEmpty())
                record.logprobNote = assessment.logprobNote;
            else if (!assessment.logprobCoverage)
                record.logprobStatus = logprobStatus;
            const Status recorded = store.recordAssessment(*id, record);
            if (recorded) {
                ++summary.assessed;
                const QString reason = !record.logprobNote.isEmpty()
                    ? LogprobNote::codeOf(record.logprobNote)
                    : record.logprobStatus == QLatin1String(LogprobStatus::kNotAllowed)
                    ? record.logprobStatus
                    : QString();
                if (!reason.isEmpty()) {
                    ++summary.withoutLogprobs;
                    ++summary.withoutLogprobsByReason[reason];
                }
                continue;
            }
            if (recorded.error().kind != ErrorKind::BadInput)
                return recorded.error();
            // A score the queue refuses (not finite): the item's error, and the import goes on.
            code = responseErrorName(ResponseError::InvalidScore);
            message = recorded.error().reason;
        }
        if (Status recorded = store.recordError(*id, code, message, 1); !recorded)
            return recorded.error();
        ++summary.errors;
    }
    if (reader.error())
        return *reader.error();
    return Done {};
}

}  // namespace

std::optional<BatchResultFailure> batchResultFailure(const QJsonObject &result)
{
    const QJsonValue response = result.value(QStringLiteral("response"));
    const int status = response.toObject().value(QStringLiteral("status_code")).toInt(200);
    const bool failed = readServerError(result.value(QStringLiteral("error"))).has_value()
        || status < 200 || status > 299;
    if (!failed && response.isObject())
        return std::nullopt;
    if (!failed)
        return BatchResultFailure { responseErrorName(ResponseError::MalformedResult),
                                    QStringLiteral("the result has neither a response nor an "
                                                   "error") };
    const Failure failure = describeFailure(result);
    return BatchResultFailure { failure.code, failure.message };
}

QJsonObject BatchImportSummary::toJson() const
{
    QJsonObject reasons;
    for (auto it = withoutLogprobsByReason.begin(); it != withoutLogprobsByReason.end(); ++it)
        reasons.insert(it.key(), double(it.value()));
    return QJsonObject { { QStringLiteral("files"), double(files) },
                         { QStringLiteral("lines"), double(lines) },
                         { QStringLiteral("assessed"), double(assessed) },
                         { QStringLiteral("errors"), double(errors) },
                         { QStringLiteral("not_pending"), double(notPending) },
                         { QStringLiteral("unknown"), double(unknown) },
                         { QStringLiteral("malformed"), double(malformed) },
                         { QStringLiteral("scored_without_logprobs"),
                           QJsonObject { { QStringLiteral("items"), double(withoutLogprobs) },
                                         { QStringLiteral("reasons"), reasons } } },
                         { QStringLiteral("problems"), QJsonArray::fromStringList(problems) } };
}

Result<BatchImportSummary> importBatchResults(QueueStore &store, const QStringList &paths)
{
    // Every file readable before anything is recorded.
    std::vector<std::unique_ptr<LineReader>> readers;
    for (const QString &path : paths) {
        auto opened = LineReader::open(path);
        if (!opened)
            return opened.error();
        readers.push_back(std::move(opened).value());
    }
    auto asked = store.property(QLatin1String(kBatchLogprobsProperty));
    if (!asked)
        return asked.error();
    // Unset (results of an export made elsewhere): as if asked, so that none missing go unsaid.
    QString logprobStatus;
    if (*asked == QLatin1String("false") || *asked == QLatin1String(LogprobStatus::kNotRequested))
        logprobStatus = QLatin1String(LogprobStatus::kNotRequested);
    else if (*asked == QLatin1String(LogprobStatus::kNotAllowed))
        logprobStatus = QLatin1String(LogprobStatus::kNotAllowed);
    BatchImportSummary summary;
    for (auto &reader : readers) {
        if (Status imported = importOneFile(store, *reader, logprobStatus, summary); !imported)
            return imported.error();
        ++summary.files;
        reader.reset();  // one open file at a time
    }
    return summary;
}

Result<BatchImportSummary> importBatchResults(QueueStore &store, const QString &path)
{
    return importBatchResults(store, QStringList { path });
}

}  // namespace pcs
