#include "core/common/parallel.h"
#include "core/io/bpblayouts.h"

#include <QHash>

#include <atomic>
#include <limits>
#include <new>

namespace pcs::io {

const QStringList &textRowsLabelNames()
{
    static const QStringList names { QStringLiteral("id"), QStringLiteral("chunk"),
                                     QStringLiteral("domain") };
    return names;
}

bool isTextRowsLabelName(const QString &name)
{
    return textRowsLabelNames().contains(name);
}

void NegativeTally::merge(const NegativeTally &later)
{
    if (later.count == 0)
        return;
    if (count == 0) {
        line = later.line;
        column = later.column;
        where = later.where;
    }
    count += later.count;
}

void NegativeTally::warnInto(Warnings &warnings, const QString &path) const
{
    if (count == 0)
        return;
    QString reason = QStringLiteral("%1 negative BPB value(s); bits per byte cannot be negative, "
                                    "so check how the file was made")
                         .arg(count);
    if (!where.isEmpty())
        reason += QStringLiteral(" (first at %1)").arg(where);
    warnings.append(Error::badInput(reason, path, line, column));
}

Status checkHeaderNames(const QStringList &names, const char *what, const QString &path,
                        qint64 line, qint64 firstColumn)
{
    QHash<QString, qint64> seen;
    seen.reserve(names.size());
    for (qsizetype i = 0; i < names.size(); ++i) {
        const qint64 column = firstColumn + i;
        if (names[i].trimmed().isEmpty())
            return Error::badInput(
                QStringLiteral("empty %1 in the header").arg(QLatin1String(what)), path, line,
                column);
        const qsizetype before = seen.size();
        qint64 &first = seen[names[i]];
        if (seen.size() == before)
            return Error::badInput(QStringLiteral("duplicate %1 %2 (also in column %3)")
                                       .arg(QLatin1String(what), quoteForMessage(names[i]))
                                       .arg(first),
                                   path, line, column);
        first = column;
    }
    return Done {};
}

Status checkUniqueLabels(const QStringList &names, const std::vector<qint64> &lines,
                         const char *what, const QString &path, qint64 column)
{
    QHash<QString, qsizetype> seen;
    seen.reserve(names.size());
    for (qsizetype i = 0; i < names.size(); ++i) {
        const qsizetype before = seen.size();
        qsizetype &first = seen[names[i]];
        if (seen.size() == before)
            return Error::badInput(QStringLiteral("duplicate %1 %2 (first on line %3)")
                                       .arg(QLatin1String(what), quoteForMessage(names[i]))
                                       .arg(lines[std::size_t(first)]),
                                   path, lines[std::size_t(i)], column);
        first = i;
    }
    return Done {};
}

Result<std::vector<CsvChunk>> planBody(const BpbCsvInput &input, const BpbLoadOptions &options,
                                       const TaskControl &control)
{
    const char *begin = input.header.bodyBegin;
    const char *end = input.text.data() + input.text.size();
    const int threads = resolveThreadCount(options.threads);
    const qint64 target
        = options.chunkBytes > 0 ? options.chunkBytes : defaultChunkBytes(end - begin, threads);
    std::vector<CsvChunk> chunks;
    if (!planCsvChunks(begin, end, input.header.delimiter, input.header.bodyLine, target, threads,
                       control, chunks))
        return Error::canceled();
    qint64 records = 0;
    for (const CsvChunk &chunk : chunks)
        records += chunk.records;
    if (records == 0)
        return Error::badInput(QStringLiteral("no data rows: the file has only a header"),
                               input.path, input.header.line);
    return chunks;
}

Status parseChunks(const std::vector<CsvChunk> &chunks, const BpbCsvInput &input, int threads,
                   const TaskControl &control, const ChunkParser &parse)
{
    const qint64 total = qint64(input.text.size());
    const qint64 headerBytes = input.header.bodyBegin - input.text.data();
    std::atomic<qint64> done { headerBytes };
    std::atomic<std::size_t> firstFailed { std::numeric_limits<std::size_t>::max() };
    std::vector<CsvIssue> issues(chunks.size());
    const TaskControl cancelOnly({}, [&control] { return control.isCanceled(); });

    const bool finished = parallelFor(
        qint64(chunks.size()), 1, threads, cancelOnly, [&](qint64 first, qint64 last) {
            for (auto i = std::size_t(first); i < std::size_t(last); ++i) {
                // Chunks after a failed one cannot change the reported (earliest) error.
                if (i > firstFailed.load(std::memory_order_relaxed))
                    continue;
                if (!parse(i, chunks[i], issues[i])) {
                    std::size_t current = firstFailed.load();
                    while (i < current && !firstFailed.compare_exchange_weak(current, i)) { }
                }
                const qint64 bytes = chunks[i].end - chunks[i].begin;
                control.reportProgress(done.fetch_add(bytes) + bytes, total);
            }
        });
    if (!finished)
        return Error::canceled();
    const std::size_t failed = firstFailed.load();
    if (failed < chunks.size())
        return csvError(issues[failed], input.path);
    return Done {};
}

bool finishedChunkCleanly(const CsvCursor &cursor, qint64 row, qint64 rowEnd, CsvIssue &issue)
{
    if (row == rowEnd && cursor.atEnd())
        return true;
    issue = CsvIssue { cursor.line(), 0,
                       QStringLiteral("internal error: rows were split inconsistently") };
    return false;
}

CsvIssue raggedRow(qint64 line, qint64 expected, qint64 found)
{
    return CsvIssue { line, std::min(expected, found) + 1,
                      QStringLiteral("ragged row: expected %1 fields (as in the header), found %2")
                          .arg(expected)
                          .arg(found) };
}

Status allocateMatrix(Eigen::MatrixXd &matrix, qint64 rows, qint64 cols, const QString &path)
{
    try {
        matrix.resize(Eigen::Index(rows), Eigen::Index(cols));
    } catch (const std::bad_alloc &) {
        return Error::internal(
            QStringLiteral("out of memory for a %1 x %2 matrix of doubles").arg(rows).arg(cols),
            path);
    }
    return Done {};
}

}  // namespace pcs::io
