#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/io/bpbloader.h"
#include "core/io/csvchunks.h"
#include "core/io/csvcursor.h"
#include "core/io/csvreader.h"

#include <functional>
#include <vector>

// The parsers of the BPB layouts (internal to core/io); bpbloader.cpp picks one.
namespace pcs::io {

// A delimited BPB file whose header has been read.
struct BpbCsvInput {
    QString path;
    std::string_view text;  // the whole file after its BOM
    CsvHeader header;
};

Result<BpbMatrix> parseTextRows(const BpbCsvInput &input, const BpbLoadOptions &options,
                                const TaskControl &control);
Result<BpbMatrix> parseLlmRows(const BpbCsvInput &input, const BpbLoadOptions &options,
                               const TaskControl &control);
// The label columns of the text-rows layout, in the order one is preferred as the text names:
// id, chunk, domain. Every other column of such a file is an LLM.
const QStringList &textRowsLabelNames();
bool isTextRowsLabelName(const QString &name);

// The guessed layout of a delimited BPB file from its header (Auto when it cannot tell): long
// first (its header is the most specific), then LLM rows, then text rows.
BpbLayout sniffBpbLayout(const QStringList &names);

// True if a header is exactly llm (or model), text and bpb in some order.
bool isLongHeader(const QStringList &names);

Result<BpbMatrix> parseLong(const BpbCsvInput &input, const TaskControl &control);
Result<BpbMatrix> loadNpyBpb(const QString &path, const BpbLoadOptions &options,
                             const TaskControl &control);

// Negative BPB values: how many, and where the first one is.
struct NegativeTally {
    qint64 count = 0;
    qint64 line = 0;
    qint64 column = 0;
    QString where;  // for files without lines (npy): which LLM and text

    void add(qint64 atLine, qint64 atColumn)
    {
        if (count++ == 0) {
            line = atLine;
            column = atColumn;
        }
    }
    // Adds a later part of the file (keeps the earlier first location).
    void merge(const NegativeTally &later);
    // One summary warning, if there were any.
    void warnInto(Warnings &warnings, const QString &path) const;
};

// An error if a header names the same LLM or text twice (or has an empty name).
// `firstColumn` is the 1-based column of names[0].
Status checkHeaderNames(const QStringList &names, const char *what, const QString &path,
                        qint64 line, qint64 firstColumn);

// An error if a label column repeats a name; lines[i] is the line of names[i].
Status checkUniqueLabels(const QStringList &names, const std::vector<qint64> &lines,
                         const char *what, const QString &path, qint64 column);

// Splits the body of `input` into record-aligned chunks (see planCsvChunks).
Result<std::vector<CsvChunk>> planBody(const BpbCsvInput &input, const BpbLoadOptions &options,
                                       const TaskControl &control);

// Parses the chunks in parallel with parse(index, chunk, issue), reporting progress in bytes of
// the file and stopping at cancellation. The error is that of the earliest failing chunk.
using ChunkParser = std::function<bool(std::size_t index, const CsvChunk &chunk, CsvIssue &issue)>;
Status parseChunks(const std::vector<CsvChunk> &chunks, const BpbCsvInput &input, int threads,
                   const TaskControl &control, const ChunkParser &parse);

// The issue for a row with the wrong number of fields.
CsvIssue raggedRow(qint64 line, qint64 expected, qint64 found);

// A chunk parser's last check: it consumed exactly the rows the planner counted.
bool finishedChunkCleanly(const CsvCursor &cursor, qint64 row, qint64 rowEnd, CsvIssue &issue);

// The columns of a text-rows header: which is the text names, which are labels, which LLMs.
struct TextRowsColumns {
    std::vector<int> kinds;  // per field: an LLM index, or (negative) the text or an extra label
    int textField = -1;
    QStringList llms;
    QStringList extraNames;
};
Result<TextRowsColumns> classifyTextRowsColumns(const BpbCsvInput &input,
                                                const BpbLoadOptions &options);

// What one chunk of text rows produced besides its values.
struct TextRowsLabels {
    QStringList texts;
    std::vector<QStringList> extras;
    NegativeTally negatives;
};

// Where one chunk's rows go: values column-major (N per row) and the line of each row from the
// chunk's first row on; with rowOffsets, also each row's byte offset in the file, given the
// file offset of the chunk's beginning.
struct TextRowsPlaces {
    double *values = nullptr;
    qint64 *rowLines = nullptr;
    qint64 *rowOffsets = nullptr;
    qint64 beginOffset = 0;
};

// Parses one chunk of a text-rows body (the loader's and the streamed source's parser).
bool parseTextRowsChunk(const CsvChunk &chunk, const TextRowsColumns &columns, char delimiter,
                        const TextRowsPlaces &places, TextRowsLabels &out, CsvIssue &issue);

// Allocates an uninitialised matrix, turning an allocation failure into an Error.
Status allocateMatrix(Eigen::MatrixXd &matrix, qint64 rows, qint64 cols, const QString &path);

}  // namespace pcs::io
