#include "core/io/bpbtextrowsource.h"

#include "core/common/parallel.h"
#include "core/io/filekind.h"
#include "core/io/sha256.h"
#include "core/io/textutil.h"

#include <QFile>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <unordered_map>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pcs::io {

namespace {

// Bytes read per window when opening; a record longer than a window doubles it.
constexpr qint64 kWindowBytes = qint64(32) << 20;
constexpr qint64 kFirstHeadBytes = qint64(1) << 20;

const char *findChar(const char *begin, const char *end, char c)
{
    const void *hit = std::memchr(begin, c, std::size_t(end - begin));
    return hit ? static_cast<const char *>(hit) : end;
}

bool flipForQuotes(const char *from, const char *to, bool inQuotes)
{
    for (const char *q = findChar(from, to, '"'); q < to; q = findChar(q + 1, to, '"'))
        inQuotes = !inQuotes;
    return inQuotes;
}

// Just past the last line end of [begin, end) that is outside quotes (begin starts a record):
// the end of the last whole record. `begin` if there is none.
const char *lastRecordEnd(const char *begin, const char *end)
{
    const char *cut = begin;
    bool inQuotes = false;
    for (const char *p = begin;;) {
        const char *newline = findChar(p, end, '\n');
        inQuotes = flipForQuotes(p, newline, inQuotes);
        if (newline == end)
            return cut;
        if (!inQuotes)
            cut = newline + 1;
        p = newline + 1;
    }
}

// True when `text` holds a whole first non-blank record (the header), line end included.
bool holdsFirstRecord(std::string_view text, char delimiter)
{
    const char *p = text.data();
    const char *end = p + text.size();
    bool inQuotes = false;
    bool started = false;
    while (p < end) {
        const char *newline = findChar(p, end, '\n');
        if (!started) {
            const char *q = p;
            while (q < newline && CsvCursor::isBlankChar(*q, delimiter))
                ++q;
            started = q < newline;
        }
        inQuotes = flipForQuotes(p, newline, inQuotes);
        if (newline == end)
            return false;
        if (started && !inQuotes)
            return true;
        p = newline + 1;
    }
    return false;
}

Error readFailure(const QString &path, ssize_t got)
{
    return Error::internal(
        got == 0
            ? QStringLiteral("the file shrank while it was read")
            : QStringLiteral("cannot read: %1").arg(QString::fromLocal8Bit(std::strerror(errno))),
        path);
}

// Reads the start of the file until it holds the header record (or is the whole file).
template<typename ReadAt>
Status readHead(qint64 fileBytes, char delimiterOverride, const QString &path, const ReadAt &readAt,
                std::string &head)
{
    qint64 bytes = std::min(fileBytes, kFirstHeadBytes);
    for (;;) {
        head.resize(std::size_t(bytes));
        if (Status read = readAt(0, head.data(), bytes); !read)
            return read;
        const std::string_view text = skipBom(head);
        if (bytes == fileBytes
            || holdsFirstRecord(text, detectDelimiter(path, text, delimiterOverride)))
            return Done {};
        bytes = std::min(fileBytes, bytes * 2);
    }
}

Status checkUniqueTextNames(const TextNames &names, const std::vector<qint64> &lines,
                            const QString &path, qint64 column)
{
    std::unordered_map<std::string_view, qint64> seen;
    seen.reserve(std::size_t(names.size()));
    for (qint64 i = 0; i < names.size(); ++i) {
        const auto [at, inserted] = seen.emplace(names.utf8(i), i);
        if (!inserted)
            return Error::badInput(QStringLiteral("duplicate text name %1 (first on line %2)")
                                       .arg(quoteForMessage(toQString(names.utf8(i))))
                                       .arg(lines[std::size_t(at->second)]),
                                   path, lines[std::size_t(i)], column);
    }
    return Done {};
}

}  // namespace

namespace {

// The header of the delimited file `path`; nothing for a .npy or anything unreadable.
std::optional<QStringList> delimitedHeaderNames(const QString &path, const BpbLoadOptions &options)
{
    if (!checkRegularFile(path))
        return std::nullopt;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.size() == 0)
        return std::nullopt;
    const auto readAt = [&](qint64 offset, char *into, qint64 bytes) -> Status {
        if (!file.seek(offset) || file.read(into, bytes) != bytes)
            return Error::internal(QStringLiteral("cannot read"), path);
        return Done {};
    };
    std::string head;
    if (!readHead(file.size(), options.delimiter, path, readAt, head))
        return std::nullopt;
    const std::string_view text = skipBom(head);
    if (text.substr(0, 6) == "\x93NUMPY")
        return std::nullopt;
    auto header = readCsvHeader(text, path, detectDelimiter(path, text, options.delimiter));
    if (!header)
        return std::nullopt;
    return header->names;
}

}  // namespace

bool hasTextRowsHeader(const QString &path, const BpbLoadOptions &options)
{
    if (options.layout == BpbLayout::TextRows)
        return true;
    if (options.layout != BpbLayout::Auto)
        return false;
    const auto names = delimitedHeaderNames(path, options);
    return names && sniffBpbLayout(*names) == BpbLayout::TextRows;
}

bool textRowsHasLabelColumn(const QString &path, const BpbLoadOptions &options,
                            const QString &label)
{
    const auto names = delimitedHeaderNames(path, options);
    if (!names || !names->contains(label) || !isTextRowsLabelName(label))
        return false;
    // The column that names the texts is not an extra label (as classifyTextRowsColumns decides).
    QString textColumn = options.textColumn;
    for (qsizetype i = 0; textColumn.isEmpty() && i < textRowsLabelNames().size(); ++i)
        if (names->contains(textRowsLabelNames()[i]))
            textColumn = textRowsLabelNames()[i];
    return textColumn != label;
}

TextRowsBpbSource::~TextRowsBpbSource()
{
    if (m_descriptor >= 0)
        ::close(m_descriptor);
}

Status TextRowsBpbSource::readAt(qint64 offset, char *into, qint64 bytes) const
{
    while (bytes > 0) {
        const ssize_t got = ::pread(m_descriptor, into, std::size_t(bytes), off_t(offset));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return readFailure(m_path, got);
        into += got;
        offset += got;
        bytes -= got;
    }
    return Done {};
}

Result<std::unique_ptr<TextRowsBpbSource>> TextRowsBpbSource::open(const QString &path,
                                                                   const BpbLoadOptions &options,
                                                                   bool hash,
                                                                   const TaskControl &control)
{
    // The same checks, in the same order and words, as MappedFile::open for the loader.
    if (Status regular = checkRegularFile(path); !regular)
        return regular.error();
    std::unique_ptr<TextRowsBpbSource> source(new TextRowsBpbSource);
    source->m_path = path;
    source->m_descriptor
        = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (source->m_descriptor < 0)
        return Error::badInput(QStringLiteral("cannot open file: %1")
                                   .arg(QString::fromLocal8Bit(std::strerror(errno))),
                               path);
    struct stat status { };
    if (::fstat(source->m_descriptor, &status) != 0 || !S_ISREG(status.st_mode))
        return Error::badInput(QStringLiteral("not a regular file (it changed while it was "
                                              "opened)"),
                               path);
    source->m_fileBytes = qint64(status.st_size);
    if (source->m_fileBytes == 0)
        return Error::badInput(QStringLiteral("file is empty"), path, 1);
    source->m_threads = resolveThreadCount(options.threads);
    source->m_chunkBytes = options.chunkBytes;

    std::string head;
    const auto readAt = [&](qint64 offset, char *into, qint64 bytes) {
        return source->readAt(offset, into, bytes);
    };
    if (Status read = readHead(source->m_fileBytes, options.delimiter, path, readAt, head); !read)
        return read.error();
    BpbCsvInput input;
    input.path = path;
    input.text = skipBom(head);
    source->m_delimiter = detectDelimiter(path, input.text, options.delimiter);
    auto header = readCsvHeader(input.text, path, source->m_delimiter);
    if (!header)
        return header.error();
    input.header = std::move(header).value();
    if (options.layout == BpbLayout::Auto
        && sniffBpbLayout(input.header.names) != BpbLayout::TextRows)
        return Error::badInput(QStringLiteral("not a text-rows BPB file (found: %1)")
                                   .arg(listColumns(input.header.names)),
                               path, input.header.line);
    auto columns = classifyTextRowsColumns(input, options);
    if (!columns)
        return columns.error();
    source->m_columns = std::move(columns).value();
    source->m_headerLine = input.header.line;
    const qint64 bodyOffset = qint64(input.header.bodyBegin - head.data());
    if (Status read = source->readEverything(head.substr(0, std::size_t(bodyOffset)), bodyOffset,
                                             input.header.bodyLine, hash, control);
        !read)
        return read.error();
    return source;
}

Status TextRowsBpbSource::readEverything(const std::string &prefix, qint64 bodyOffset,
                                         qint64 bodyLine, bool hash, const TaskControl &control)
{
    Sha256 fileHash;
    if (hash)
        fileHash.add(prefix);
    const TaskControl cancelOnly(nullptr, [&control] { return control.isCanceled(); });
    const auto llmCount = qint64(m_columns.llms.size());
    qint64 windowBytes = m_chunkBytes > 0 ? std::max<qint64>(64, 4 * m_chunkBytes) : kWindowBytes;
    std::string window;
    std::vector<double> values;
    std::vector<CsvChunk> chunks;
    NegativeTally negatives;
    qint64 position = bodyOffset;
    qint64 line = bodyLine;
    control.reportProgress(position, m_fileBytes);
    while (position < m_fileBytes) {
        if (control.isCanceled())
            return Error::canceled();
        const qint64 want = std::min(windowBytes, m_fileBytes - position);
        window.resize(std::size_t(want));
        if (Status read = readAt(position, window.data(), want); !read)
            return read;
        const char *begin = window.data();
        const bool last = position + want == m_fileBytes;
        const char *cut = last ? begin + want : lastRecordEnd(begin, begin + want);
        if (cut == begin) {
            windowBytes *= 2;  // one record longer than the window
            continue;
        }
        const qint64 target
            = m_chunkBytes > 0 ? m_chunkBytes : defaultChunkBytes(cut - begin, m_threads);
        if (!planCsvChunks(begin, cut, m_delimiter, line, target, m_threads, cancelOnly, chunks))
            return Error::canceled();
        qint64 records = 0;
        for (const CsvChunk &chunk : chunks)
            records += chunk.records;
        const auto firstRow = qint64(m_rowLines.size());
        m_rowLines.resize(std::size_t(firstRow + records));
        m_rowOffsets.resize(std::size_t(firstRow + records));
        values.resize(std::size_t(records * llmCount));
        std::vector<TextRowsLabels> labels(chunks.size());
        BpbCsvInput windowInput;
        windowInput.path = m_path;
        windowInput.text = std::string_view(begin, std::size_t(cut - begin));
        windowInput.header.bodyBegin = begin;
        const Status parsed = parseChunks(
            chunks, windowInput, m_threads, cancelOnly,
            [&](std::size_t i, const CsvChunk &chunk, CsvIssue &issue) {
                const qint64 row = firstRow + chunk.firstRecord;
                const TextRowsPlaces places { values.data() + chunk.firstRecord * llmCount,
                                              m_rowLines.data() + row, m_rowOffsets.data() + row,
                                              position + (chunk.begin - begin) };
                return parseTextRowsChunk(chunk, m_columns, m_delimiter, places, labels[i], issue);
            });
        if (!parsed)
            return parsed;
        for (const TextRowsLabels &chunk : labels) {
            for (const QString &text : chunk.texts)
                m_texts.append(text.toStdString());
            negatives.merge(chunk.negatives);
        }
        if (hash)
            fileHash.add(windowInput.text);
        line += std::count(begin, cut, '\n');
        position += cut - begin;
        control.reportProgress(position, m_fileBytes);
    }
    if (m_rowLines.empty())
        return Error::badInput(QStringLiteral("no data rows: the file has only a header"), m_path,
                               m_headerLine);
    if (Status unique = checkUniqueTextNames(m_texts, m_rowLines, m_path, m_columns.textField + 1);
        !unique)
        return unique;
    negatives.warnInto(m_warnings, m_path);
    m_rowOffsets.push_back(m_fileBytes);
    if (hash)
        m_fileSha256 = fileHash.finishHex();
    return Done {};
}

Status TextRowsBpbSource::readPrefix(std::string &bytes) const
{
    bytes.clear();
    return Done {};
}

Status TextRowsBpbSource::readRaw(qint64 first, qint64 end, RawBlock &raw) const
{
    const qint64 from = m_rowOffsets[std::size_t(first)];
    const qint64 to = m_rowOffsets[std::size_t(end)];
    std::string bytes(std::size_t(to - from), '\0');
    if (Status read = readAt(from, bytes.data(), to - from); !read)
        return read;
    const char *begin = bytes.data();
    const char *stop = begin + bytes.size();
    const qint64 count = end - first;
    const qint64 target
        = m_chunkBytes > 0 ? m_chunkBytes : defaultChunkBytes(stop - begin, m_threads);
    std::vector<CsvChunk> chunks;
    planCsvChunks(begin, stop, m_delimiter, m_rowLines[std::size_t(first)], target, m_threads,
                  TaskControl::none(), chunks);
    qint64 records = 0;
    for (const CsvChunk &chunk : chunks)
        records += chunk.records;
    if (records != count)
        return Error::badInput(QStringLiteral("the file changed while it was read"), m_path);
    const auto llmCount = qint64(m_columns.llms.size());
    raw.resize(std::size_t(count * llmCount) * sizeof(double));
    // The buffer comes from operator new, aligned for doubles.
    auto *values = reinterpret_cast<double *>(raw.data());
    std::vector<qint64> lines(static_cast<std::size_t>(count), 0);
    std::vector<TextRowsLabels> labels(chunks.size());
    BpbCsvInput input;
    input.path = m_path;
    input.text = std::string_view(begin, bytes.size());
    input.header.bodyBegin = begin;
    return parseChunks(chunks, input, m_threads, TaskControl::none(),
                       [&](std::size_t i, const CsvChunk &chunk, CsvIssue &issue) {
                           const TextRowsPlaces places { values + chunk.firstRecord * llmCount,
                                                         lines.data() + chunk.firstRecord };
                           return parseTextRowsChunk(chunk, m_columns, m_delimiter, places,
                                                     labels[i], issue);
                       });
}

void TextRowsBpbSource::decode(const RawBlock &raw, qint64 count, Eigen::MatrixXd &out,
                               int /*threads*/) const
{
    const qint64 rows = llmCount();
    if (out.rows() != rows || out.cols() != count)
        out.resize(rows, count);
    std::memcpy(out.data(), raw.data(), std::size_t(rows * count) * sizeof(double));
}

// A raw block is already N x count doubles, column-major: the piece is a copy.
void TextRowsBpbSource::decodeColumns(const RawBlock &raw, qint64 /*count*/, qint64 begin,
                                      qint64 end, double *out) const
{
    const qint64 rows = llmCount();
    std::memcpy(out, raw.data() + std::size_t(begin * rows) * sizeof(double),
                std::size_t((end - begin) * rows) * sizeof(double));
}

}  // namespace pcs::io
