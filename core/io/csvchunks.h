#pragma once

#include "core/common/taskcontrol.h"

#include <vector>

namespace pcs::io {

// A piece of a CSV body that starts and ends at record boundaries, so that threads can parse
// pieces independently.
struct CsvChunk {
    const char *begin = nullptr;
    const char *end = nullptr;
    qint64 firstLine = 0;  // line number at begin
    qint64 firstRecord = 0;  // index (in the body) of the chunk's first record
    qint64 records = 0;  // non-blank records in the chunk
};

// A chunk size that keeps every thread busy and progress reports frequent.
qint64 defaultChunkBytes(qint64 bodyBytes, int threads);

// Splits the body [begin, end) into chunks of about targetBytes at record boundaries and counts
// the records of each. A newline inside a quoted field is not a boundary: the quote parity at
// each split candidate comes from counting the quotes before it, which is exact for well-formed
// CSV (the tokenizer rejects stray quotes, so malformed input fails in the earliest chunk).
// Returns false if canceled.
bool planCsvChunks(const char *begin, const char *end, char delimiter, qint64 firstLine,
                   qint64 targetBytes, int threads, const TaskControl &control,
                   std::vector<CsvChunk> &chunks);

// Counts the non-blank records and the newlines of [begin, end), which starts outside quotes.
void countCsvRecords(const char *begin, const char *end, char delimiter, qint64 *records,
                     qint64 *newlines);

}  // namespace pcs::io
