// The perplexity-correlations package's layout: one row per text, label columns (id, chunk,
// domain) anywhere, every other column one LLM. This is the hot path of loading.
#include "core/common/parallel.h"
#include "core/io/bpblayouts.h"

#include <QHash>

namespace pcs::io {

namespace {

constexpr int kTextLabel = -1;
constexpr int kFirstExtraLabel = -2;  // extra label k is kFirstExtraLabel - k

}  // namespace

Result<TextRowsColumns> classifyTextRowsColumns(const BpbCsvInput &input,
                                                const BpbLoadOptions &options)
{
    const QStringList &names = input.header.names;
    TextRowsColumns columns;
    if (!options.textColumn.isEmpty()) {
        columns.textField = int(names.indexOf(options.textColumn));
        if (columns.textField < 0)
            return Error::badInput(
                QStringLiteral("no column named %1 for the text names; the "
                               "header has: %2")
                    .arg(quoteForMessage(options.textColumn), listColumns(names)),
                input.path, input.header.line);
    } else {
        for (const QString &preferred : textRowsLabelNames()) {
            columns.textField = int(names.indexOf(preferred));
            if (columns.textField >= 0)
                break;
        }
        if (columns.textField < 0)
            return Error::badInput(QStringLiteral("not a text-rows BPB file: the header has no "
                                                  "id, chunk or domain column (found: %1)")
                                       .arg(listColumns(names)),
                                   input.path, input.header.line);
    }
    QList<qint64> llmColumns;
    for (qsizetype i = 0; i < names.size(); ++i) {
        // Two label columns of one name would be merged into one extra label list.
        if (isTextRowsLabelName(names[i]) && names.indexOf(names[i]) < i)
            return Error::badInput(QStringLiteral("duplicate column %1 (also column %2)")
                                       .arg(quoteForMessage(names[i]))
                                       .arg(names.indexOf(names[i]) + 1),
                                   input.path, input.header.line, i + 1);
        if (i == columns.textField) {
            columns.kinds.push_back(kTextLabel);
        } else if (isTextRowsLabelName(names[i])) {
            columns.kinds.push_back(kFirstExtraLabel - int(columns.extraNames.size()));
            columns.extraNames.append(names[i]);
        } else {
            columns.kinds.push_back(int(columns.llms.size()));
            columns.llms.append(names[i]);
            llmColumns.append(i + 1);
        }
    }
    if (columns.llms.isEmpty())
        return Error::badInput(QStringLiteral("no LLM columns: the header has only labels (%1)")
                                   .arg(listColumns(names)),
                               input.path, input.header.line);
    // Names are checked column by column so the error points at the offending header cell.
    QHash<QString, qint64> seen;
    for (qsizetype k = 0; k < columns.llms.size(); ++k) {
        const qint64 column = llmColumns[k];
        const QString &name = columns.llms[k];
        if (name.trimmed().isEmpty())
            return Error::badInput(QStringLiteral("empty LLM name in the header"), input.path,
                                   input.header.line, column);
        const qsizetype before = seen.size();
        qint64 &first = seen[name];
        if (seen.size() == before)
            return Error::badInput(QStringLiteral("duplicate LLM name %1 (also in column %2)")
                                       .arg(quoteForMessage(name))
                                       .arg(first),
                                   input.path, input.header.line, column);
        first = column;
    }
    return columns;
}

bool parseTextRowsChunk(const CsvChunk &chunk, const TextRowsColumns &columns, char delimiter,
                        const TextRowsPlaces &places, TextRowsLabels &out, CsvIssue &issue)
{
    const auto fieldCount = qint64(columns.kinds.size());
    const auto llmCount = qint64(columns.llms.size());
    out.texts.reserve(chunk.records);
    out.extras.assign(std::size_t(columns.extraNames.size()), {});
    CsvCursor cursor(chunk.begin, chunk.end, delimiter, chunk.firstLine);
    std::string scratch;
    qint64 row = chunk.firstRecord;
    const qint64 rowEnd = chunk.firstRecord + chunk.records;
    while (cursor.skipBlankLines()) {
        if (row == rowEnd)
            break;  // reported below
        const qint64 rowLine = cursor.line();
        const qint64 local = row - chunk.firstRecord;
        places.rowLines[local] = rowLine;
        if (places.rowOffsets)
            places.rowOffsets[local] = places.beginOffset + (cursor.position() - chunk.begin);
        // Column-major N x D: this text's N values are contiguous.
        double *column = places.values + local * llmCount;
        for (qint64 f = 0; f < fieldCount; ++f) {
            const int kind = columns.kinds[std::size_t(f)];
            const qint64 fieldLine = cursor.line();
            if (kind >= 0) {
                double &value = column[kind];
                if (!cursor.readNumber(value, scratch, f + 1, issue))
                    return false;
                if (value < 0)
                    out.negatives.add(fieldLine, f + 1);
            } else {
                std::string_view text;
                if (!cursor.readField(text, scratch, f + 1, issue))
                    return false;
                const bool isText = kind == kTextLabel;
                if (!checkName(text, isText ? "text name" : "label", fieldLine, f + 1, issue,
                               !isText))
                    return false;
                if (isText)
                    out.texts.append(toQString(text));
                else
                    out.extras[std::size_t(kFirstExtraLabel - kind)].append(toQString(text));
            }
            const CsvCursor::After after = cursor.finishField();
            if (f + 1 < fieldCount && after == CsvCursor::After::RecordEnd) {
                issue = raggedRow(rowLine, fieldCount, f + 1);
                return false;
            }
            if (f + 1 == fieldCount && after == CsvCursor::After::Delimiter) {
                issue
                    = raggedRow(rowLine, fieldCount, fieldCount + cursor.skipRestOfRecord(scratch));
                return false;
            }
        }
        ++row;
    }
    return finishedChunkCleanly(cursor, row, rowEnd, issue);
}

Result<BpbMatrix> parseTextRows(const BpbCsvInput &input, const BpbLoadOptions &options,
                                const TaskControl &control)
{
    auto columns = classifyTextRowsColumns(input, options);
    if (!columns)
        return columns.error();
    auto chunks = planBody(input, options, control);
    if (!chunks)
        return chunks.error();
    const qint64 textCount = chunks->back().firstRecord + chunks->back().records;
    const auto llmCount = qint64(columns->llms.size());

    BpbMatrix matrix;
    matrix.layout = BpbLayout::TextRows;
    if (Status allocated = allocateMatrix(matrix.values, llmCount, textCount, input.path);
        !allocated)
        return allocated.error();
    std::vector<qint64> rowLines(std::size_t(textCount), 0);
    std::vector<TextRowsLabels> labels(chunks->size());
    const char delimiter = input.header.delimiter;
    double *values = matrix.values.data();
    const Status parsed = parseChunks(
        *chunks, input, resolveThreadCount(options.threads), control,
        [&](std::size_t i, const CsvChunk &chunk, CsvIssue &issue) {
            const TextRowsPlaces places { values + chunk.firstRecord * llmCount,
                                          rowLines.data() + chunk.firstRecord };
            return parseTextRowsChunk(chunk, *columns, delimiter, places, labels[i], issue);
        });
    if (!parsed)
        return parsed.error();

    matrix.llms = columns->llms;
    matrix.texts.reserve(textCount);
    NegativeTally negatives;
    for (TextRowsLabels &chunk : labels) {
        matrix.texts += chunk.texts;
        for (qsizetype k = 0; k < columns->extraNames.size(); ++k)
            matrix.extraLabels[columns->extraNames[k]] += chunk.extras[std::size_t(k)];
        negatives.merge(chunk.negatives);
        chunk = {};
    }
    if (Status unique = checkUniqueLabels(matrix.texts, rowLines, "text name", input.path,
                                          columns->textField + 1);
        !unique)
        return unique.error();
    negatives.warnInto(matrix.warnings, input.path);
    return matrix;
}

}  // namespace pcs::io
