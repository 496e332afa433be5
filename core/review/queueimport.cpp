// QueueStore::importJsonl: JSONL lines into pending items, keyed by the file's content.
#include "review/queuesql.h"
#include "review/queuestore.h"
#include "review/sqlitesupport.h"

#include "filter/jsonline.h"
#include "filter/linereader.h"
#include "io/fileinfo.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace pcs {

namespace {

// The record's own id as shown: a string as it is, a number as its JSON text; else none.
QVariant sourceIdOf(const JsonLineScanner::Field &field)
{
    if (field.kind != JsonLineScanner::Kind::String && field.kind != JsonLineScanner::Kind::Number)
        return {};
    return QString::fromUtf8(field.value.data(), qsizetype(field.value.size()));
}

}  // namespace

QJsonObject ImportSummary::toJson() const
{
    return QJsonObject { { QStringLiteral("lines"), lines },
                         { QStringLiteral("imported"), imported },
                         { QStringLiteral("duplicates"), duplicates },
                         { QStringLiteral("malformed"), malformed },
                         { QStringLiteral("problems"), QJsonArray::fromStringList(problems) } };
}

Result<ImportSummary> QueueStore::importJsonl(const QString &path, const QString &textField,
                                              const TaskControl &control, const QString &idField)
{
    // The content hash keys the items, so the same data imported again adds nothing.
    auto described = describeInputFile(QStringLiteral("review"), path);
    if (!described)
        return described.error();
    const QString sourceFile
        = described->path.isEmpty() ? QFileInfo(path).absoluteFilePath() : described->path;
    auto opened = LineReader::open(path);
    if (!opened)
        return opened.error();
    LineReader &reader = **opened;
    // A number beyond a double would reach the export's readers as infinity or 0, or make them
    // refuse the record: such a line is malformed here, located like any other problem.
    JsonLineScanner::Options strict;
    strict.rejectOutOfRangeNumbers = true;
    // The id field, when named, is the scanner's second field (the text field when not).
    JsonLineScanner scanner(
        { textField.toStdString(), (idField.isEmpty() ? textField : idField).toStdString() },
        strict);

    const QString createdAt = queuesql::nowUtc();
    const QVariant fileValue(sourceFile);
    const QVariant shaValue(described->sha256);
    const QVariant createdValue(createdAt);

    sqlite::Transaction transaction(m_db, m_path);
    if (Status begun = transaction.begin(); !begun)
        return begun.error();
    const auto fail = [](Error error) { return error; };  // the transaction rolls back
    QSqlQuery source(m_db);
    source.prepare(QStringLiteral("INSERT OR REPLACE INTO sources (path, sha256, size_bytes, "
                                  "imported_at) VALUES (?, ?, ?, ?)"));
    source.addBindValue(fileValue);
    source.addBindValue(shaValue);
    source.addBindValue(described->sizeBytes);
    source.addBindValue(createdValue);
    if (!source.exec())
        return fail(databaseError(QStringLiteral("recording the source file"), source));

    QSqlQuery insert(m_db);
    // Positional binds on one prepared statement: the fastest path through Qt Sql.
    if (!insert.prepare(QStringLiteral("INSERT OR IGNORE INTO items (source_file, source_sha256, "
                                       "source_line, record, text, created_at, source_id) "
                                       "VALUES (?, ?, ?, ?, ?, ?, ?)")))
        return fail(databaseError(QStringLiteral("preparing the import"), insert));

    ImportSummary summary;
    qint64 rowsInTransaction = 0;
    std::string_view line;
    while (reader.next(line)) {
        if (line.find_first_not_of(" \t\r") == std::string_view::npos)
            continue;
        ++summary.lines;
        if ((summary.lines & 4095) == 0) {
            if (control.isCanceled())
                return fail(Error::canceled());
            control.reportProgress(reader.compressedBytesRead(), reader.fileSize());
        }
        const auto problem = scanner.scan(line);
        const JsonLineScanner::Field &text = scanner.field(0);
        if (problem || text.kind != JsonLineScanner::Kind::String) {
            ++summary.malformed;
            if (summary.problems.size() < ImportSummary::kMaxListedProblems) {
                const Error error = problem
                    ? Error::badInput(problem->reason, sourceFile, reader.lineNumber(),
                                      problem->column)
                    : Error::badInput(text.kind == JsonLineScanner::Kind::Missing
                                          ? QStringLiteral("no \"%1\" field").arg(textField)
                                          : QStringLiteral("\"%1\" is not a string").arg(textField),
                                      sourceFile, reader.lineNumber());
                summary.problems << error.toString();
            }
            continue;
        }
        // A byte order mark belongs to the file, not to the first record.
        std::string_view record = line;
        if (record.substr(0, 3) == "\xEF\xBB\xBF")
            record.remove_prefix(3);

        insert.bindValue(0, fileValue);
        insert.bindValue(1, shaValue);
        insert.bindValue(2, reader.lineNumber());
        insert.bindValue(3, QString::fromUtf8(record.data(), qsizetype(record.size())));
        insert.bindValue(4, QString::fromUtf8(text.value.data(), qsizetype(text.value.size())));
        insert.bindValue(5, createdValue);
        insert.bindValue(6, idField.isEmpty() ? QVariant() : sourceIdOf(scanner.field(1)));
        if (!insert.exec())
            return fail(databaseError(
                QStringLiteral("importing line %1 of %2").arg(reader.lineNumber()).arg(sourceFile),
                insert));
        if (insert.numRowsAffected() > 0)
            ++summary.imported;
        else
            ++summary.duplicates;
        // Commit in batches: the WAL stays small and a long import keeps what it has done.
        if (++rowsInTransaction >= kImportBatchRows) {
            if (Status committed = transaction.commit(); !committed)
                return committed.error();
            if (Status begun = transaction.begin(); !begun)
                return begun.error();
            rowsInTransaction = 0;
        }
    }
    if (reader.error())
        return fail(*reader.error());
    insert.finish();
    if (Status committed = transaction.commit(); !committed)
        return committed.error();
    control.reportProgress(std::max<qint64>(1, reader.fileSize()),
                           std::max<qint64>(1, reader.fileSize()));
    return summary;
}

}  // namespace pcs
