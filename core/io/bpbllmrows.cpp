// One row per LLM: the first column names the LLM (header `llm` or `model`), every other column
// is one text. Rows can be tens of megabytes long, so they are parsed in parallel like text rows.
#include "core/common/parallel.h"
#include "core/io/bpblayouts.h"
#include "core/io/matrixcopy.h"

#include <algorithm>

namespace pcs::io {

namespace {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct ChunkLlms {
    QStringList llms;
    NegativeTally negatives;
};

bool parseChunk(const CsvChunk &chunk, qint64 textCount, char delimiter, RowMajor &rows,
                std::vector<qint64> &rowLines, ChunkLlms &out, CsvIssue &issue)
{
    const qint64 fieldCount = textCount + 1;
    CsvCursor cursor(chunk.begin, chunk.end, delimiter, chunk.firstLine);
    std::string scratch;
    qint64 row = chunk.firstRecord;
    const qint64 rowEnd = chunk.firstRecord + chunk.records;
    while (cursor.skipBlankLines() && row < rowEnd) {
        const qint64 rowLine = cursor.line();
        rowLines[std::size_t(row)] = rowLine;
        std::string_view name;
        if (!cursor.readField(name, scratch, 1, issue)
            || !checkName(name, "LLM name", rowLine, 1, issue))
            return false;
        out.llms.append(toQString(name));
        double *values = rows.row(Eigen::Index(row)).data();
        for (qint64 f = 1; f <= fieldCount; ++f) {
            const CsvCursor::After after = cursor.finishField();
            if (f < fieldCount && after == CsvCursor::After::RecordEnd) {
                issue = raggedRow(rowLine, fieldCount, f);
                return false;
            }
            if (f == fieldCount) {
                if (after == CsvCursor::After::Delimiter) {
                    issue = raggedRow(rowLine, fieldCount,
                                      fieldCount + cursor.skipRestOfRecord(scratch));
                    return false;
                }
                break;
            }
            const qint64 fieldLine = cursor.line();
            double &value = values[f - 1];
            if (!cursor.readNumber(value, scratch, f + 1, issue))
                return false;
            if (value < 0)
                out.negatives.add(fieldLine, f + 1);
        }
        ++row;
    }
    return finishedChunkCleanly(cursor, row, rowEnd, issue);
}

}  // namespace

Result<BpbMatrix> parseLlmRows(const BpbCsvInput &input, const BpbLoadOptions &options,
                               const TaskControl &control)
{
    const QStringList &names = input.header.names;
    if (names.isEmpty()
        || (names.front() != QLatin1String("llm") && names.front() != QLatin1String("model")))
        return Error::badInput(QStringLiteral("not an LLM-rows BPB file: the first column must "
                                              "be named llm or model (found: %1)")
                                   .arg(listColumns(names)),
                               input.path, input.header.line, 1);
    const QStringList texts = names.mid(1);
    if (texts.isEmpty())
        return Error::badInput(QStringLiteral("no text columns after the llm column"), input.path,
                               input.header.line);
    if (Status ok = checkHeaderNames(texts, "text name", input.path, input.header.line, 2); !ok)
        return ok.error();
    auto chunks = planBody(input, options, control);
    if (!chunks)
        return chunks.error();
    const qint64 llmCount = chunks->back().firstRecord + chunks->back().records;
    const auto textCount = qint64(texts.size());

    // Rows are parsed into a row-major buffer (threads writing whole rows of a column-major
    // matrix would share cache lines), then transposed in parallel column blocks.
    RowMajor rows;
    try {
        rows.resize(Eigen::Index(llmCount), Eigen::Index(textCount));
    } catch (const std::bad_alloc &) {
        return Error::internal(
            QStringLiteral("out of memory for %1 x %2 values").arg(llmCount).arg(textCount),
            input.path);
    }
    std::vector<qint64> rowLines(std::size_t(llmCount), 0);
    std::vector<ChunkLlms> parts(chunks->size());
    const int threads = resolveThreadCount(options.threads);
    const Status parsed
        = parseChunks(*chunks, input, threads, control,
                      [&](std::size_t i, const CsvChunk &chunk, CsvIssue &issue) {
                          return parseChunk(chunk, textCount, input.header.delimiter, rows,
                                            rowLines, parts[i], issue);
                      });
    if (!parsed)
        return parsed.error();

    BpbMatrix matrix;
    matrix.layout = BpbLayout::LlmRows;
    matrix.texts = texts;
    NegativeTally negatives;
    for (const ChunkLlms &part : parts) {
        matrix.llms += part.llms;
        negatives.merge(part.negatives);
    }
    if (Status unique = checkUniqueLabels(matrix.llms, rowLines, "LLM name", input.path, 1);
        !unique)
        return unique.error();
    if (Status allocated = allocateMatrix(matrix.values, llmCount, textCount, input.path);
        !allocated)
        return allocated.error();
    const TaskControl cancelOnly({}, [&control] { return control.isCanceled(); });
    const auto *source = reinterpret_cast<const char *>(rows.data());
    if (!parallelFor(textCount, 4096, threads, cancelOnly, [&](qint64 first, qint64 last) {
            copyRowMajorColumns<double>(source, llmCount, textCount, matrix.values.data(), first,
                                        last);
        }))
        return Error::canceled();
    negatives.warnInto(matrix.warnings, input.path);
    return matrix;
}

}  // namespace pcs::io
