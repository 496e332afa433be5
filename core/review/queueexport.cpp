// QueueStore::exportCurated: the curated corpus, the dropped texts and the decision log, written
// from the stored input lines without ever re-parsing them into a document.
#include "review/queuesql.h"
#include "review/queuestore.h"

#include "io/jsonline.h"
#include "io/atomicwrite.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace pcs {

namespace {

const QString kOriginalText = QStringLiteral("original_text");
const QString kOwnOriginalText = QStringLiteral("pcstudio_original_text");

// RFC 4180 field: quoted when it holds a separator, quote or line break.
QByteArray csvField(const QString &value)
{
    QByteArray bytes = value.toUtf8();
    if (bytes.contains(',') || bytes.contains('"') || bytes.contains('\n') || bytes.contains('\r'))
        bytes = '"' + bytes.replace("\"", "\"\"") + '"';
    return bytes;
}

QString numberText(const QVariant &value)
{
    return value.isNull() ? QString()
                          : QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest);
}

std::string_view viewOf(const QByteArray &bytes)
{
    return std::string_view(bytes.constData(), std::size_t(bytes.size()));
}

// One row of the export query, in its column order.
struct ExportRow {
    qint64 id = 0;
    QString sourceFile;
    qint64 sourceLine = 0;
    QByteArray record;  // the stored input line, byte for byte
    QString text;
    ItemState state = ItemState::Pending;
    QVariant score;
    std::optional<Decision> autoDecision;
    std::optional<Decision> humanDecision;
    QString revisedText;
    QString editedText;
    QString errorCode;
    QString requestId;
    QString logprobStatus;
    QString logprobNote;
    QString sourceId;  // the record's own id, else the internal one

    std::optional<Decision> finalDecision() const
    {
        return humanDecision ? humanDecision : autoDecision;
    }
};

ExportRow readRow(const QSqlQuery &query)
{
    ExportRow row;
    int column = 0;
    const auto next = [&] { return query.value(column++); };
    row.id = next().toLongLong();
    row.sourceFile = next().toString();
    row.sourceLine = next().toLongLong();
    row.record = next().toByteArray();
    row.text = next().toString();
    row.state = itemStateFromName(next().toString()).value_or(ItemState::Pending);
    row.score = next();
    row.autoDecision = queuesql::decisionFromSql(next());
    row.humanDecision = queuesql::decisionFromSql(next());
    row.revisedText = next().toString();
    row.editedText = next().toString();
    row.errorCode = next().toString();
    row.requestId = next().toString();
    row.logprobStatus = next().toString();
    row.logprobNote = next().toString();
    const QVariant sourceId = next();
    row.sourceId = sourceId.isNull() ? QString::number(row.id) : sourceId.toString();
    return row;
}

// The stored line with only the value of `textField` replaced by `newText` and the old value
// appended as "original_text" (or "pcstudio_original_text" when the record has its own
// "original_text"): every other byte as it was. Errors: the line cannot be scanned, or has no
// string `textField`, or has both member names taken (BadInput, with the column in the line).
Result<std::string> withReplacedText(JsonLineScanner &scanner, const QByteArray &record,
                                     const QString &textField, const QString &newText,
                                     bool *ownOriginalText)
{
    const std::string_view line = viewOf(record);
    if (const auto problem = scanner.scan(line))
        return Error::badInput(problem->reason, {}, 0, problem->column);
    const JsonLineScanner::Field &text = scanner.field(0);
    if (text.kind != JsonLineScanner::Kind::String)
        return Error::badInput(text.kind == JsonLineScanner::Kind::Missing
                                   ? QStringLiteral("the record has no \"%1\"").arg(textField)
                                   : QStringLiteral("\"%1\" is not a string").arg(textField));
    const bool originalTaken = scanner.field(1).kind != JsonLineScanner::Kind::Missing;
    if (originalTaken && scanner.field(2).kind != JsonLineScanner::Kind::Missing)
        return Error::badInput(QStringLiteral("the record has both \"%1\" and \"%2\": no member "
                                              "name is left for the original text")
                                   .arg(kOriginalText, kOwnOriginalText));
    *ownOriginalText = originalTaken;

    std::string spliced;
    const QByteArray newUtf8 = newText.toUtf8();
    spliced.reserve(line.size() + std::size_t(newUtf8.size()) + 32);
    spliced.append(line.substr(0, text.rawBegin));
    appendJsonString(spliced, viewOf(newUtf8));
    spliced.append(line.substr(text.rawEnd));
    const std::size_t closingBrace = scanner.closingBrace() + spliced.size() - line.size();
    // The old value as it was written (its escapes included).
    const std::string_view oldValue = line.substr(text.rawBegin, text.rawEnd - text.rawBegin);
    return withAddedMember(spliced, closingBrace,
                           (originalTaken ? kOwnOriginalText : kOriginalText).toStdString(),
                           oldValue);
}

// The decision log's row for `row`: where its text came from and where it went.
QByteArray logRow(const ExportRow &row, const QString &textSource, const char *output)
{
    const bool assessed = row.state == ItemState::Assessed;
    const QByteArray decidedBy = !assessed ? QByteArray()
        : !row.humanDecision               ? QByteArray("auto")
                                           : QByteArray("human");
    const auto name = [](std::optional<Decision> decision) {
        return decision ? decisionName(*decision).toUtf8() : QByteArray();
    };
    return QByteArray::number(row.id) + ',' + csvField(row.sourceFile) + ','
        + QByteArray::number(row.sourceLine) + ',' + numberText(row.score).toUtf8() + ','
        + name(row.autoDecision) + ',' + name(row.humanDecision) + ','
        + (assessed ? name(row.finalDecision()) : QByteArray()) + ',' + csvField(row.errorCode)
        + ',' + decidedBy + ',' + textSource.toUtf8() + ',' + output + ',' + csvField(row.requestId)
        + ',' + csvField(row.logprobStatus) + ',' + csvField(row.logprobNote) + ','
        + csvField(row.sourceId) + '\n';
}

// Never replace an input (or the database) with an output, nor one output with another.
Status checkOutputPaths(const QSqlDatabase &db, const QString &databasePath,
                        const QStringList &outputPaths)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT DISTINCT path FROM sources")))
        return Error::internal(
            QStringLiteral("reading the sources: %1").arg(query.lastError().text()), databasePath);
    QStringList protectedPaths { databasePath };
    while (query.next())
        protectedPaths << query.value(0).toString();
    QStringList outputs;
    for (const QString &output : outputPaths) {
        if (output.isEmpty())
            continue;
        const QFileInfo info(output);
        const QString absolute = info.absoluteFilePath();
        const QString canonical = info.exists() ? info.canonicalFilePath() : absolute;
        for (const QString &input : std::as_const(protectedPaths)) {
            const QFileInfo inputInfo(input);
            if (absolute == input
                || (inputInfo.exists() && canonical == inputInfo.canonicalFilePath()))
                return Error::badInput(
                    QStringLiteral("refusing to overwrite an input of the review queue"), output);
        }
        if (outputs.contains(canonical))
            return Error::badInput(QStringLiteral("the same path is given for two outputs"),
                                   output);
        outputs << canonical;
    }

    return Done {};
}

// Where an item went, for the log's "output" column.
const char *const kOutputCurated = "curated";
const char *const kOutputDropped = "dropped";
const char *const kOutputHeld = "held";
const char *const kOutputFailed = "failed";

}  // namespace

QString reviseMissingPolicyName(ReviseMissingPolicy policy)
{
    switch (policy) {
    case ReviseMissingPolicy::Hold:
        return QStringLiteral("hold");
    case ReviseMissingPolicy::KeepOriginal:
        return QStringLiteral("keep-original");
    case ReviseMissingPolicy::Drop:
        return QStringLiteral("drop");
    }
    return {};
}

std::optional<ReviseMissingPolicy> reviseMissingPolicyFromName(const QString &name)
{
    for (const ReviseMissingPolicy policy :
         { ReviseMissingPolicy::Hold, ReviseMissingPolicy::KeepOriginal,
           ReviseMissingPolicy::Drop }) {
        if (name == reviseMissingPolicyName(policy))
            return policy;
    }
    return std::nullopt;
}

QJsonObject ExportSummary::toJson() const
{
    QJsonArray ids;
    for (const qint64 id : reviseMissingIds)
        ids.append(id);
    return QJsonObject {
        { QStringLiteral("curated"), curated },
        { QStringLiteral("kept"), kept },
        { QStringLiteral("revised"), revised },
        { QStringLiteral("text_changed"), textChanged },
        { QStringLiteral("dropped"), dropped },
        { QStringLiteral("pending"), pending },
        { QStringLiteral("errors"), errors },
        { QStringLiteral("revise_missing"), reviseMissing },
        { QStringLiteral("revise_missing_policy"), reviseMissingPolicyName(reviseMissingPolicy) },
        { QStringLiteral("revise_missing_ids"), ids },
        { QStringLiteral("revise_missing_source_ids"),
          QJsonArray::fromStringList(reviseMissingSourceIds) },
        { QStringLiteral("held"), held },
        { QStringLiteral("own_original_text"), ownOriginalText },
        { QStringLiteral("failed"), failed },
        { QStringLiteral("unscannable"), unscannable },
        { QStringLiteral("problems"), QJsonArray::fromStringList(problems) },
    };
}

Result<ExportSummary> QueueStore::exportCurated(const QString &curatedPath,
                                                const QString &droppedPath, const QString &logPath,
                                                const QString &textField,
                                                ReviseMissingPolicy reviseMissing)
{
    if (curatedPath.isEmpty())
        return Error::badInput(QStringLiteral("no path for the curated output"));
    if (textField.isEmpty())
        return Error::badInput(QStringLiteral("no text field name"));

    if (Status allowed = checkOutputPaths(m_db, m_path, { curatedPath, droppedPath, logPath });
        !allowed)
        return allowed.error();

    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    // The three files are published together or not at all.
    OutputSet set;
    AtomicFile *curated = nullptr, *dropped = nullptr, *log = nullptr;
    for (const auto &[path, file] :
         { std::pair { curatedPath, &curated }, std::pair { droppedPath, &dropped },
           std::pair { logPath, &log } }) {
        if (path.isEmpty())
            continue;
        auto added = set.add(path);
        if (!added)
            return added.error();
        *file = *added;
    }
    if (log) {
        if (Status written = log->write("id,source_file,source_line,score,auto_decision,"
                                        "human_decision,final_decision,error_code,decided_by,"
                                        "text_source,output,request_id,logprob_status,"
                                        "logprob_note,source_id\n");
            !written)
            return written.error();
    }

    // The record as a blob: its bytes exactly as stored, no UTF-16 round trip.
    if (!query.exec(QStringLiteral("SELECT items.id, source_file, source_line, CAST(record AS "
                                   "BLOB), text, state, score, %1, human_decision, revised_text, "
                                   "edited_text, error_code, request_id, logprob_status, "
                                   "logprob_note, source_id FROM %2 ORDER BY items.id")
                        .arg(queuesql::autoDecision(), queuesql::itemsWithThresholds())))
        return databaseError(QStringLiteral("reading the queue for export"), query);
    ExportSummary summary;
    summary.reviseMissingPolicy = reviseMissing;
    JsonLineScanner scanner(
        { textField.toStdString(), kOriginalText.toStdString(), kOwnOriginalText.toStdString() });
    // What import accepts today, to report records an older version let in.
    JsonLineScanner importCheck({}, JsonLineScanner::Options { true });
    const auto listProblem
        = [&summary](const ExportRow &row, const Error &error, const QString &what) {
              if (summary.problems.size() < ExportSummary::kMaxListedProblems)
                  summary.problems << Error::badInput(QStringLiteral("item %1: %2: %3")
                                                          .arg(row.sourceId, what, error.reason),
                                                      row.sourceFile, row.sourceLine, error.column)
                                          .toString();
          };
    while (query.next()) {
        const ExportRow row = readRow(query);
        const std::optional<Decision> finalDecision = row.finalDecision();
        QString textSource;  // original, revision or edit; empty when not exported
        const char *output = "";
        const auto writeLog = [&]() -> Status {
            return log ? log->write(logRow(row, textSource, output)) : Status(Done {});
        };

        // Only assessed items are decided; pending and failed ones are never exported.
        if (row.state != ItemState::Assessed) {
            ++(row.state == ItemState::Pending ? summary.pending : summary.errors);
            if (Status logged = writeLog(); !logged)
                return logged.error();
            continue;
        }
        bool drop = finalDecision == Decision::Filter;
        QString newText;
        if (!drop) {
            if (!row.editedText.isEmpty())
                newText = row.editedText;
            else if (finalDecision == Decision::Revise)
                newText = row.revisedText;
        }
        // "revise" without a revision or an edit: never curated silently.
        if (finalDecision == Decision::Revise && newText.isEmpty()) {
            ++summary.reviseMissing;
            if (summary.reviseMissingIds.size() < ExportSummary::kMaxListedIds) {
                summary.reviseMissingIds << row.id;
                summary.reviseMissingSourceIds << row.sourceId;
            }
            if (reviseMissing == ReviseMissingPolicy::Hold) {
                ++summary.held;
                output = kOutputHeld;
                if (Status logged = writeLog(); !logged)
                    return logged.error();
                continue;
            }
            drop = reviseMissing == ReviseMissingPolicy::Drop;
        }

        QByteArray line;
        if (!newText.isEmpty() && newText != row.text) {
            bool ownOriginalText = false;
            auto changed
                = withReplacedText(scanner, row.record, textField, newText, &ownOriginalText);
            if (!changed) {
                ++summary.failed;
                listProblem(row, changed.error(),
                            QStringLiteral("not exported: its stored record cannot take the new "
                                           "text"));
                output = kOutputFailed;
                if (Status logged = writeLog(); !logged)
                    return logged.error();
                continue;
            }
            line = QByteArray(changed->data(), qsizetype(changed->size()));
            summary.ownOriginalText += ownOriginalText ? 1 : 0;
            ++summary.textChanged;
            textSource
                = row.editedText.isEmpty() ? QStringLiteral("revision") : QStringLiteral("edit");
        } else {
            // Unchanged: the input line itself, whatever it holds. A line that today's import
            // would refuse (a queue imported by an older version) is exported but reported.
            line = row.record;
            textSource = QStringLiteral("original");
            if (const auto problem = importCheck.scan(viewOf(line))) {
                ++summary.unscannable;
                listProblem(row, Error::badInput(problem->reason, {}, 0, problem->column),
                            QStringLiteral("exported unchanged, but its stored record is not "
                                           "valid today"));
            }
        }
        line += '\n';
        AtomicFile *target = drop ? dropped : curated;
        if (drop) {
            ++summary.dropped;
            output = kOutputDropped;
        } else {
            ++summary.curated;
            output = kOutputCurated;
            const bool revised = finalDecision == Decision::Revise;
            ++(revised && textSource != QLatin1String("original") ? summary.revised : summary.kept);
        }
        if (target) {
            if (Status written = target->write(line); !written)
                return written.error();
        }
        if (Status logged = writeLog(); !logged)
            return logged.error();
    }
    if (query.lastError().isValid())
        return databaseError(QStringLiteral("reading the queue for export"), query);
    if (Status published = set.publish(); !published)
        return published.error();
    return summary;
}

}  // namespace pcs
