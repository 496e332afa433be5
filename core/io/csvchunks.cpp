#include "core/io/csvchunks.h"

#include "core/common/parallel.h"
#include "core/io/csvcursor.h"

#include <algorithm>
#include <cstring>

namespace pcs::io {

namespace {

const char *findChar(const char *begin, const char *end, char c)
{
    const void *hit = std::memchr(begin, c, std::size_t(end - begin));
    return hit ? static_cast<const char *>(hit) : end;
}

// Toggles the quote state once per quote in [from, to), jumping from quote to quote.
bool flipForQuotes(const char *from, const char *to, bool inQuotes)
{
    for (const char *q = findChar(from, to, '"'); q < to; q = findChar(q + 1, to, '"'))
        inQuotes = !inQuotes;
    return inQuotes;
}

// The first record boundary at or after `from`, given whether `from` is inside quotes. The
// quote search is bounded by each line, so a split candidate never looks far ahead.
const char *nextRecordStart(const char *from, const char *end, bool inQuotes)
{
    for (const char *p = from;;) {
        const char *newline = findChar(p, end, '\n');
        inQuotes = flipForQuotes(p, newline, inQuotes);
        if (newline == end)
            return end;
        if (!inQuotes)
            return newline + 1;
        p = newline + 1;
    }
}

qint64 countQuotes(const char *from, const char *to)
{
    qint64 quotes = 0;
    for (const char *q = findChar(from, to, '"'); q < to; q = findChar(q + 1, to, '"'))
        ++quotes;
    return quotes;
}

}  // namespace

qint64 defaultChunkBytes(qint64 bodyBytes, int threads)
{
    const qint64 perThread = bodyBytes / (4 * qint64(std::max(1, threads)));
    return std::clamp<qint64>(perThread, 64 * 1024, 8 * 1024 * 1024);
}

void countCsvRecords(const char *begin, const char *end, char delimiter, qint64 *records,
                     qint64 *newlines)
{
    qint64 recordCount = 0;
    qint64 newlineCount = 0;
    bool inQuotes = false;
    for (const char *p = begin;;) {  // p is the start of a line
        const char *newline = findChar(p, end, '\n');
        if (!inQuotes) {
            // The same test as CsvCursor::skipBlankLines(), so both agree on what a record is.
            const char *q = p;
            while (q < newline && CsvCursor::isBlankChar(*q, delimiter))
                ++q;
            if (q < newline)
                ++recordCount;
        }
        inQuotes = flipForQuotes(p, newline, inQuotes);
        if (newline == end)
            break;
        ++newlineCount;
        p = newline + 1;
    }
    *records = recordCount;
    *newlines = newlineCount;
}

bool planCsvChunks(const char *begin, const char *end, char delimiter, qint64 firstLine,
                   qint64 targetBytes, int threads, const TaskControl &control,
                   std::vector<CsvChunk> &chunks)
{
    chunks.clear();
    const qint64 size = end - begin;
    targetBytes = std::max<qint64>(1, targetBytes);
    const qint64 pieces = std::max<qint64>(1, (size + targetBytes - 1) / targetBytes);
    // Progress is the caller's (it reports bytes parsed); this only forwards cancellation.
    const TaskControl quiet({}, [&control] { return control.isCanceled(); });

    // Quotes per raw piece, for the parity at each split candidate.
    std::vector<qint64> quotes(std::size_t(pieces), 0);
    // Counted in parallel even when there are none: this pass also takes the page faults of a
    // freshly mapped file, which would otherwise fall on one thread.
    if (pieces > 1) {
        const bool done = parallelFor(pieces, 1, threads, quiet, [&](qint64 first, qint64 last) {
            for (qint64 i = first; i < last; ++i) {
                const char *from = begin + i * targetBytes;
                const char *to = std::min(end, from + targetBytes);
                quotes[std::size_t(i)] = countQuotes(from, to);
            }
        });
        if (!done)
            return false;
    }

    const char *chunkBegin = begin;
    qint64 quotesBefore = 0;
    for (qint64 i = 1; i < pieces && chunkBegin < end; ++i) {
        quotesBefore += quotes[std::size_t(i - 1)];
        const char *candidate = begin + i * targetBytes;
        if (candidate < chunkBegin)
            continue;
        const char *boundary = nextRecordStart(candidate, end, (quotesBefore & 1) != 0);
        if (boundary <= chunkBegin || boundary >= end)
            continue;
        chunks.push_back(CsvChunk { chunkBegin, boundary });
        chunkBegin = boundary;
    }
    if (chunkBegin < end || chunks.empty())
        chunks.push_back(CsvChunk { chunkBegin, end });

    std::vector<qint64> newlines(chunks.size(), 0);
    const bool counted
        = parallelFor(qint64(chunks.size()), 1, threads, quiet, [&](qint64 first, qint64 last) {
              for (qint64 i = first; i < last; ++i) {
                  CsvChunk &chunk = chunks[std::size_t(i)];
                  countCsvRecords(chunk.begin, chunk.end, delimiter, &chunk.records,
                                  &newlines[std::size_t(i)]);
              }
          });
    if (!counted)
        return false;
    qint64 line = firstLine;
    qint64 record = 0;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        chunks[i].firstLine = line;
        chunks[i].firstRecord = record;
        line += newlines[i];
        record += chunks[i].records;
    }
    return true;
}

}  // namespace pcs::io
