// QueueStore::importJsonl: JSONL lines into pending items, keyed by the file's content.
#include "core/io/fileinfo.h"
#include "core/io/jsonline.h"
#include "core/io/linereader.h"
#include "core/review/queuesql.h"
#include "core/review/queuestore.h"
#include "core/review/sqlitesupport.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace pcs {

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
    // (Qt Sql for the one row of the source; the items go through a native statement below.)

    sqlite::Transaction transaction(m_db, m_path);
    // Every chunk is one transaction with the tally triggers paused: a new item is pending, with
    // no score and no decision, so the chunk adds its count to "total" and "pending" at once.
    qint64 importedInChunk = 0;
    const auto beginChunk = [&]() -> Status {
        if (Status begun = transaction.begin(); !begun)
            return begun;
        importedInChunk = 0;
        return pauseTallyTriggers();
    };
    const auto commitChunk = [&]() -> Status {
        QSqlQuery tally(m_db);
        if (!tally.prepare(
                QStringLiteral("INSERT INTO item_tallies (name, items) VALUES ('total', ?), (?, ?) "
                               "ON CONFLICT (name) DO UPDATE SET items = items + excluded.items")))
            return databaseError(QStringLiteral("counting the imported items"), tally);
        tally.addBindValue(importedInChunk);
        tally.addBindValue(queuesql::stateSql(ItemState::Pending));
        tally.addBindValue(importedInChunk);
        if (!tally.exec())
            return databaseError(QStringLiteral("counting the imported items"), tally);
        // (pending, no score, no decision: counted in fixed_bands, not in the histogram)
        if (!tally.prepare(QStringLiteral(
                "INSERT INTO fixed_bands (decision, state, scored, band, items) VALUES ('', ?, 0, "
                "0, ?) ON CONFLICT (decision, state, scored, band) DO UPDATE SET items = items + "
                "excluded.items")))
            return databaseError(QStringLiteral("counting the imported items"), tally);
        tally.addBindValue(queuesql::stateSql(ItemState::Pending));
        tally.addBindValue(importedInChunk);
        if (!tally.exec())
            return databaseError(QStringLiteral("counting the imported items"), tally);
        if (Status resumed = resumeTallyTriggers(); !resumed)
            return resumed;
        return transaction.commit();
    };
    if (Status begun = beginChunk(); !begun)
        return begun.error();
    const auto fail = [](Error error) { return error; };  // the transaction rolls back
    QSqlQuery source(m_db);
    if (!source.prepare(QStringLiteral("INSERT OR REPLACE INTO sources (path, sha256, size_bytes, "
                                       "imported_at) VALUES (?, ?, ?, ?)")))
        return fail(databaseError(QStringLiteral("recording the source file"), source));
    source.addBindValue(fileValue);
    source.addBindValue(shaValue);
    source.addBindValue(described->sizeBytes);
    source.addBindValue(createdValue);
    if (!source.exec())
        return fail(databaseError(QStringLiteral("recording the source file"), source));

    // The native statement: every line's bytes go in as they are read, as UTF-8.
    sqlite::Statement insert(m_db,
                             "INSERT OR IGNORE INTO items (source_file, source_sha256, "
                             "source_line, record, text, created_at, source_id) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!insert.isValid())
        return sqlite::describeFailure(m_db, insert.lastError(),
                                       QStringLiteral("preparing the import"), m_path);
    const QByteArray fileUtf8 = sourceFile.toUtf8();
    const QByteArray shaUtf8 = described->sha256.toUtf8();
    const QByteArray createdUtf8 = createdAt.toUtf8();
    const auto view = [](const QByteArray &bytes) {
        return std::string_view(bytes.constData(), std::size_t(bytes.size()));
    };

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

        insert.bindText(1, view(fileUtf8));
        insert.bindText(2, view(shaUtf8));
        insert.bindInt64(3, reader.lineNumber());
        insert.bindText(4, record);
        insert.bindText(5, text.value);
        insert.bindText(6, view(createdUtf8));
        const JsonLineScanner::Field &id = scanner.field(1);
        // The record's own id: a string as it is, a number as its JSON text; else none.
        if (!idField.isEmpty()
            && (id.kind == JsonLineScanner::Kind::String
                || id.kind == JsonLineScanner::Kind::Number))
            insert.bindText(7, id.value);
        else
            insert.bindNull(7);
        if (!insert.run())
            return fail(sqlite::describeFailure(
                m_db, insert.lastError(),
                QStringLiteral("importing line %1 of %2").arg(reader.lineNumber()).arg(sourceFile),
                m_path));
        if (insert.changes() > 0) {
            ++summary.imported;
            ++importedInChunk;
        } else
            ++summary.duplicates;
        // Commit in batches: the WAL stays small and a long import keeps what it has done.
        if (++rowsInTransaction >= kImportBatchRows) {
            if (Status committed = commitChunk(); !committed)
                return committed.error();
            if (Status begun = beginChunk(); !begun)
                return begun.error();
            rowsInTransaction = 0;
        }
    }
    if (reader.error())
        return fail(*reader.error());
    if (Status committed = commitChunk(); !committed)
        return committed.error();
    control.reportProgress(std::max<qint64>(1, reader.fileSize()),
                           std::max<qint64>(1, reader.fileSize()));
    return summary;
}

}  // namespace pcs
