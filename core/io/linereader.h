#pragma once

#include "core/common/result.h"

#include <QString>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pcs {

// Reads a text file line by line with constant memory: plain, gzip or zstd. The compression is
// recognised by its magic bytes (not the extension), so `x.jsonl.gz` renamed still reads.
// "-" reads standard input (also plain, gzip or zstd). Lines end at '\n'; a '\r' before it is
// dropped; the last line may lack its '\n'. A line of any length is returned whole.
class LineReader {
public:
    virtual ~LineReader();

    // Errors: the file cannot be opened (BadInput naming the file and the OS reason).
    static Result<std::unique_ptr<LineReader>> open(const QString &path);

    // The next line without its line ending, valid until the next call. False at the end or
    // on an error; then error() tells which (a truncated or corrupt .gz/.zst is BadInput with
    // the file and the line number reached).
    bool next(std::string_view &line);
    const std::optional<Error> &error() const { return m_error; }

    qint64 lineNumber() const { return m_lineNumber; }  // 1-based number of the last line returned
    qint64 compressedBytesRead() const;  // bytes consumed from the file so far (for progress)
    qint64 fileSize() const { return m_fileSize; }  // -1 for standard input or unknown
    const QString &path() const { return m_path; }

protected:
    LineReader() = default;
    // Fills `buffer` with up to `capacity` decompressed bytes; returns the count, 0 at the
    // end, or -1 after setting m_error.
    virtual qint64 read(char *buffer, qint64 capacity) = 0;

    QString m_path;
    qint64 m_fileSize = -1;
    qint64 m_compressedRead = 0;
    std::optional<Error> m_error;

private:
    bool refill();

    std::string m_buffer;  // decompressed bytes; [m_start, m_end) not yet returned
    std::size_t m_start = 0;  // start of the unreturned part of m_buffer
    std::size_t m_end = 0;  // end of the valid bytes (m_buffer.size() is the capacity)
    std::size_t m_searched = 0;  // [m_start, m_searched) is known to hold no '\n'
    bool m_eof = false;
    qint64 m_lineNumber = 0;
};

}  // namespace pcs
