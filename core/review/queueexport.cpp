// QueueStore::exportCurated: the curated corpus, the dropped texts and the decision log, written
// from the stored input lines without ever re-parsing them into a document.
#include "core/io/atomicwrite.h"
#include "core/io/jsonline.h"
#include "core/review/queuesql.h"
#include "core/review/queuestore.h"
#include "core/review/sqlitesupport.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <string>
#include <string_view>

namespace pcs {

namespace {

const QString kOriginalText = QStringLiteral("original_text");
const QString kOwnOriginalText = QStringLiteral("pcstudio_original_text");

// RFC 4180 field: quoted when it holds a separator, quote or line break.
void appendCsvField(QByteArray &out, std::string_view value)
{
    if (value.find_first_of(",\"\n\r") == std::string_view::npos) {
        out.append(value.data(), qsizetype(value.size()));
        return;
    }
    out += '"';
    for (const char c : value) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

// A state or decision as SQLite returns its name (the names are ASCII).
template<typename Value>
std::optional<Value> fromSqlName(std::string_view name,
                                 std::optional<Value> (*fromName)(const QString &))
{
    if (name.empty())
        return std::nullopt;
    return fromName(QString::fromLatin1(name.data(), qsizetype(name.size())));
}

// One row of the export query, in its column order. The texts are views into SQLite's row,
// valid until the statement steps on.
struct ExportRow {
    qint64 id = 0;
    std::string_view sourceFile;
    qint64 sourceLine = 0;
    std::string_view record;  // the stored input line, byte for byte
    std::string_view text;
    ItemState state = ItemState::Pending;
    std::optional<double> score;
    std::optional<Decision> autoDecision;
    std::optional<Decision> humanDecision;
    std::string_view revisedText;
    std::string_view editedText;
    std::string_view errorCode;
    std::string_view requestId;
    std::string_view logprobStatus;
    std::string_view logprobNote;
    std::optional<std::string_view> ownSourceId;  // the record's own id; none: the internal one

    std::optional<Decision> finalDecision() const
    {
        return humanDecision ? humanDecision : autoDecision;
    }
    QString sourceId() const
    {
        return !ownSourceId
            ? QString::number(id)
            : QString::fromUtf8(ownSourceId->data(), qsizetype(ownSourceId->size()));
    }
};

ExportRow readRow(const sqlite::Statement &query)
{
    ExportRow row;
    int column = 0;
    row.id = query.columnInt64(column++);
    row.sourceFile = query.columnText(column++);
    row.sourceLine = query.columnInt64(column++);
    row.record = query.columnText(column++);
    row.text = query.columnText(column++);
    row.state
        = fromSqlName(query.columnText(column++), itemStateFromName).value_or(ItemState::Pending);
    if (!query.isNull(column))
        row.score = query.columnDouble(column);
    ++column;
    row.autoDecision = fromSqlName(query.columnText(column++), decisionFromName);
    row.humanDecision = fromSqlName(query.columnText(column++), decisionFromName);
    row.revisedText = query.columnText(column++);
    row.editedText = query.columnText(column++);
    row.errorCode = query.columnText(column++);
    row.requestId = query.columnText(column++);
    row.logprobStatus = query.columnText(column++);
    row.logprobNote = query.columnText(column++);
    if (!query.isNull(column))
        row.ownSourceId = query.columnText(column);
    return row;
}

// The stored line with only the value of `textField` replaced by `newText` and the old value
// appended as "original_text" (or "pcstudio_original_text" when the record has its own
// "original_text"): every other byte as it was. Errors: the line cannot be scanned, or has no
// string `textField`, or has both member names taken (BadInput, with the column in the line).
Result<std::string> withReplacedText(JsonLineScanner &scanner, std::string_view line,
                                     const QString &textField, std::string_view newText,
                                     bool *ownOriginalText)
{
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
    spliced.reserve(line.size() + newText.size() + 32);
    spliced.append(line.substr(0, text.rawBegin));
    appendJsonString(spliced, newText);
    spliced.append(line.substr(text.rawEnd));
    const std::size_t closingBrace = scanner.closingBrace() + spliced.size() - line.size();
    // The old value as it was written (its escapes included).
    const std::string_view oldValue = line.substr(text.rawBegin, text.rawEnd - text.rawBegin);
    return withAddedMember(spliced, closingBrace,
                           (originalTaken ? kOwnOriginalText : kOriginalText).toStdString(),
                           oldValue);
}

// The decision log's row for `row`, appended to `out`: where its text came from and where it
// went.
void appendLogRow(QByteArray &out, const ExportRow &row, const char *textSource, const char *output)
{
    const bool assessed = row.state == ItemState::Assessed;
    const char *decidedBy = !assessed ? "" : !row.humanDecision ? "auto" : "human";
    const auto appendName = [&out](std::optional<Decision> decision) {
        if (decision)
            out += decisionName(*decision).toLatin1();
    };
    out += QByteArray::number(row.id);
    out += ',';
    appendCsvField(out, row.sourceFile);
    out += ',';
    out += QByteArray::number(row.sourceLine);
    out += ',';
    if (row.score)
        out += QByteArray::number(*row.score, 'g', QLocale::FloatingPointShortest);
    out += ',';
    appendName(row.autoDecision);
    out += ',';
    appendName(row.humanDecision);
    out += ',';
    if (assessed)
        appendName(row.finalDecision());
    out += ',';
    appendCsvField(out, row.errorCode);
    out += ',';
    out += decidedBy;
    out += ',';
    out += textSource;
    out += ',';
    out += output;
    out += ',';
    appendCsvField(out, row.requestId);
    out += ',';
    appendCsvField(out, row.logprobStatus);
    out += ',';
    appendCsvField(out, row.logprobNote);
    out += ',';
    if (row.ownSourceId)
        appendCsvField(out, *row.ownSourceId);
    else
        out += QByteArray::number(row.id);
    out += '\n';
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

    // The record as a blob: its bytes exactly as stored, no UTF-16 round trip. A native
    // statement: a row costs no QVariant, and its texts are read in place.
    const QByteArray sql
        = QStringLiteral("SELECT items.id, source_file, source_line, CAST(record AS BLOB), text, "
                         "state, score, %1, human_decision, revised_text, edited_text, "
                         "error_code, request_id, logprob_status, logprob_note, source_id FROM %2 "
                         "ORDER BY items.id")
              .arg(queuesql::autoDecision(), queuesql::itemsWithThresholds())
              .toUtf8();
    sqlite::Statement query(m_db, sql.constData());
    if (!query.isValid())
        return sqlite::describeFailure(m_db, query.lastError(),
                                       QStringLiteral("reading the queue for export"), m_path);
    ExportSummary summary;
    summary.reviseMissingPolicy = reviseMissing;
    JsonLineScanner scanner(
        { textField.toStdString(), kOriginalText.toStdString(), kOwnOriginalText.toStdString() });
    // What import accepts today, to report records an older version let in.
    JsonLineScanner importCheck({}, JsonLineScanner::Options { true });
    const auto listProblem = [&summary](const ExportRow &row, const Error &error,
                                        const QString &what) {
        if (summary.problems.size() < ExportSummary::kMaxListedProblems)
            summary.problems
                << Error::badInput(
                       QStringLiteral("item %1: %2: %3").arg(row.sourceId(), what, error.reason),
                       QString::fromUtf8(row.sourceFile.data(), qsizetype(row.sourceFile.size())),
                       row.sourceLine, error.column)
                       .toString();
    };
    // Log rows are gathered here and handed to the writer in large pieces.
    QByteArray logRows;
    constexpr qsizetype kLogFlushBytes = 1 << 20;
    while (query.step()) {
        const ExportRow row = readRow(query);
        const std::optional<Decision> finalDecision = row.finalDecision();
        const char *textSource = "";  // original, revision or edit; empty when not exported
        const char *output = "";
        const auto writeLog = [&]() -> Status {
            if (!log)
                return Done {};
            appendLogRow(logRows, row, textSource, output);
            if (logRows.size() < kLogFlushBytes)
                return Done {};
            Status written = log->write(logRows);
            logRows.clear();
            return written;
        };

        // Only assessed items are decided; pending and failed ones are never exported.
        if (row.state != ItemState::Assessed) {
            ++(row.state == ItemState::Pending ? summary.pending : summary.errors);
            if (Status logged = writeLog(); !logged)
                return logged.error();
            continue;
        }
        bool drop = finalDecision == Decision::Filter;
        std::string_view newText;
        if (!drop) {
            if (!row.editedText.empty())
                newText = row.editedText;
            else if (finalDecision == Decision::Revise)
                newText = row.revisedText;
        }
        // "revise" without a revision or an edit: never curated silently.
        if (finalDecision == Decision::Revise && newText.empty()) {
            ++summary.reviseMissing;
            if (summary.reviseMissingIds.size() < ExportSummary::kMaxListedIds) {
                summary.reviseMissingIds << row.id;
                summary.reviseMissingSourceIds << row.sourceId();
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

        std::string changedLine;
        std::string_view line;
        if (!newText.empty() && newText != row.text) {
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
            changedLine = std::move(*changed);
            line = changedLine;
            summary.ownOriginalText += ownOriginalText ? 1 : 0;
            ++summary.textChanged;
            textSource = row.editedText.empty() ? "revision" : "edit";
        } else {
            // Unchanged: the input line itself, whatever it holds. A line that today's import
            // would refuse (a queue imported by an older version) is exported but reported.
            line = row.record;
            textSource = "original";
            if (const auto problem = importCheck.scan(line)) {
                ++summary.unscannable;
                listProblem(row, Error::badInput(problem->reason, {}, 0, problem->column),
                            QStringLiteral("exported unchanged, but its stored record is not "
                                           "valid today"));
            }
        }
        AtomicFile *target = drop ? dropped : curated;
        if (drop) {
            ++summary.dropped;
            output = kOutputDropped;
        } else {
            ++summary.curated;
            output = kOutputCurated;
            const bool revised = finalDecision == Decision::Revise;
            const bool original = std::string_view(textSource) == "original";
            ++(revised && !original ? summary.revised : summary.kept);
        }
        if (target) {
            if (Status written = target->write(line.data(), qint64(line.size())); !written)
                return written.error();
            if (Status written = target->write("\n", 1); !written)
                return written.error();
        }
        if (Status logged = writeLog(); !logged)
            return logged.error();
    }
    if (query.failed())
        return sqlite::describeFailure(m_db, query.lastError(),
                                       QStringLiteral("reading the queue for export"), m_path);
    if (log && !logRows.isEmpty())
        if (Status written = log->write(logRows); !written)
            return written.error();
    if (Status published = set.publish(); !published)
        return published.error();
    return summary;
}

}  // namespace pcs
