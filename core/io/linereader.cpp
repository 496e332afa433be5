#include "core/io/linereader.h"

#include <QFile>

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace pcs {

namespace {

// Big reads keep system calls and decompressor calls rare; memory stays at a few of these
// blocks plus the longest line.
constexpr qint64 kBlockSize = qint64(1) << 20;

// zlib counts in uInt; one call never needs more than this anyway.
constexpr qint64 kMaxChunk = qint64(1) << 30;

QString displayName(const QString &path)
{
    return path == QLatin1String("-") ? QStringLiteral("standard input") : path;
}

// The file or standard input, whose first bytes are peeked at for the magic number and then
// handed out again, so that detection also works on a pipe.
class Source {
public:
    Status open(const QString &path)
    {
        const QString name = displayName(path);
        bool opened = false;
        m_isStdin = path == QLatin1String("-");
        if (m_isStdin) {
            opened = m_file.open(0, QIODevice::ReadOnly | QIODevice::Unbuffered,
                                 QFileDevice::DontCloseHandle);
        } else {
            m_file.setFileName(path);
            opened = m_file.open(QIODevice::ReadOnly | QIODevice::Unbuffered);
        }
        if (!opened)
            return Error::badInput(
                QStringLiteral("cannot open the file: %1").arg(m_file.errorString()), name);
        // A pipe or terminal may hand out fewer bytes than asked for: wait for all four.
        char magic[4];
        qint64 got = 0;
        while (got < qint64(sizeof magic)) {
            const qint64 n = m_file.read(magic + got, qint64(sizeof magic) - got);
            if (n < 0)
                return Error::badInput(
                    QStringLiteral("cannot read the file: %1").arg(m_file.errorString()), name);
            if (n == 0)
                break;
            got += n;
        }
        m_peeked.assign(magic, std::size_t(got));
        return Done {};
    }

    std::string_view peeked() const { return m_peeked; }
    // -1 for standard input even when it is a redirected file: it may not start at offset 0.
    qint64 size() const { return m_isStdin || m_file.isSequential() ? -1 : m_file.size(); }
    QString errorString() const { return m_file.errorString(); }

    // Up to `capacity` bytes; 0 at the end, -1 on an error (see errorString()).
    qint64 read(char *buffer, qint64 capacity)
    {
        if (m_peekPosition < m_peeked.size()) {
            const std::size_t count
                = std::min<std::size_t>(std::size_t(capacity), m_peeked.size() - m_peekPosition);
            std::memcpy(buffer, m_peeked.data() + m_peekPosition, count);
            m_peekPosition += count;
            return qint64(count);
        }
        return m_file.read(buffer, capacity);
    }

private:
    QFile m_file;
    bool m_isStdin = false;
    std::string m_peeked;
    std::size_t m_peekPosition = 0;
};

bool isGzip(std::string_view magic)
{
    return magic.size() >= 2 && magic[0] == '\x1f' && magic[1] == '\x8b';
}

bool isZstd(std::string_view magic)
{
    if (magic.size() < 4)
        return false;
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(magic[i]); };
    const bool frame = byte(0) == 0x28 && byte(1) == 0xb5 && byte(2) == 0x2f && byte(3) == 0xfd;
    // A zstd file may also start with a skippable frame (magic 0x184D2A5?, little-endian).
    const bool skippable
        = (byte(0) & 0xf0) == 0x50 && byte(1) == 0x2a && byte(2) == 0x4d && byte(3) == 0x18;
    return frame || skippable;
}

// What the subclasses share: the source, and an error met after some output was already
// produced, held back until that output has been handed out (so every complete line before a
// corrupt spot is still returned).
class SourceReader : public LineReader {
protected:
    SourceReader(const QString &path, std::unique_ptr<Source> source)
        : m_source(std::move(source))
    {
        m_path = path;
        m_fileSize = m_source->size();
    }

    // Reads compressed (or plain) input into `buffer`; -1 after setting the pending error.
    qint64 readInput(char *buffer, qint64 capacity)
    {
        const qint64 n = m_source->read(buffer, capacity);
        if (n < 0) {
            m_pending = Error::internal(
                QStringLiteral("cannot read the file: %1").arg(m_source->errorString()),
                displayName(m_path));
            return -1;
        }
        m_compressedRead += n;
        return n;
    }

    void fail(Error error) { m_pending = std::move(error); }
    void failBadInput(const QString &reason) { fail(Error::badInput(reason, displayName(m_path))); }

    // What read() returns after producing `produced` bytes: the bytes, or the pending error when
    // there are none.
    qint64 finish(qint64 produced)
    {
        if (produced > 0 || !m_pending)
            return produced;
        m_error = std::move(m_pending);
        m_pending.reset();
        return -1;
    }

    bool hasPendingError() const { return m_pending.has_value(); }

    std::unique_ptr<Source> m_source;

private:
    std::optional<Error> m_pending;
};

class PlainReader final : public SourceReader {
public:
    PlainReader(const QString &path, std::unique_ptr<Source> source)
        : SourceReader(path, std::move(source))
    {
    }

protected:
    qint64 read(char *buffer, qint64 capacity) override
    {
        if (hasPendingError())
            return finish(0);
        const qint64 n = readInput(buffer, capacity);
        return finish(std::max<qint64>(n, 0));
    }
};

class GzipReader final : public SourceReader {
public:
    GzipReader(const QString &path, std::unique_ptr<Source> source)
        : SourceReader(path, std::move(source))
        , m_input(std::size_t(kBlockSize))
    {
    }
    ~GzipReader() override
    {
        if (m_initialized)
            inflateEnd(&m_stream);
    }

    Status init()
    {
        // 15 + 32: the largest window, gzip or zlib header recognised automatically.
        if (inflateInit2(&m_stream, 15 + 32) != Z_OK)
            return Error::internal(QStringLiteral("cannot start the gzip decompressor"),
                                   displayName(m_path));
        m_initialized = true;
        return Done {};
    }

protected:
    qint64 read(char *buffer, qint64 capacity) override
    {
        if (hasPendingError())
            return finish(0);
        const qint64 chunk = std::min(capacity, kMaxChunk);
        m_stream.next_out = reinterpret_cast<Bytef *>(buffer);
        m_stream.avail_out = uInt(chunk);
        while (m_stream.avail_out > 0) {
            if (m_stream.avail_in == 0 && !m_inputEnded) {
                const qint64 n
                    = readInput(reinterpret_cast<char *>(m_input.data()), qint64(m_input.size()));
                if (n < 0)
                    break;
                if (n == 0)
                    m_inputEnded = true;
                m_stream.next_in = m_input.data();
                m_stream.avail_in = uInt(n);
            }
            if (m_memberEnded) {
                if (m_stream.avail_in == 0) {
                    if (m_inputEnded)
                        break;
                    continue;
                }
                // Another gzip member follows (`gzip -c b >> a.gz` makes such files): it
                // continues the same text.
                inflateReset(&m_stream);
                m_memberEnded = false;
            }
            const int status = inflate(&m_stream, Z_NO_FLUSH);
            if (status == Z_OK)
                continue;
            if (status == Z_STREAM_END) {
                m_memberEnded = true;
                continue;
            }
            if (status == Z_BUF_ERROR && m_stream.avail_in == 0) {
                // No progress without more input: fine unless the file has ended.
                if (!m_inputEnded)
                    continue;
                failBadInput(QStringLiteral("truncated gzip data (the file ends inside the "
                                            "compressed stream)"));
                break;
            }
            if (status == Z_MEM_ERROR) {
                fail(Error::internal(QStringLiteral("out of memory while decompressing gzip data"),
                                     displayName(m_path)));
                break;
            }
            const QString detail = m_stream.msg ? QString::fromUtf8(m_stream.msg)
                                                : QStringLiteral("zlib error %1").arg(status);
            failBadInput(status == Z_NEED_DICT
                             ? QStringLiteral("corrupt gzip data (it needs a preset dictionary)")
                             : QStringLiteral("corrupt gzip data (%1)").arg(detail));
            break;
        }
        return finish(chunk - qint64(m_stream.avail_out));
    }

private:
    z_stream m_stream {};
    bool m_initialized = false;
    std::vector<Bytef> m_input;
    bool m_inputEnded = false;
    bool m_memberEnded = false;
};

class ZstdReader final : public SourceReader {
public:
    ZstdReader(const QString &path, std::unique_ptr<Source> source)
        : SourceReader(path, std::move(source))
        , m_input(std::size_t(kBlockSize))
    {
    }
    ~ZstdReader() override { ZSTD_freeDCtx(m_context); }

    Status init()
    {
        m_context = ZSTD_createDCtx();
        if (!m_context)
            return Error::internal(QStringLiteral("cannot start the zstd decompressor"),
                                   displayName(m_path));
        return Done {};
    }

protected:
    qint64 read(char *buffer, qint64 capacity) override
    {
        if (hasPendingError())
            return finish(0);
        ZSTD_outBuffer out { buffer, std::size_t(capacity), 0 };
        while (out.pos < out.size) {
            if (m_in.pos == m_in.size && !m_inputEnded) {
                const qint64 n = readInput(m_input.data(), qint64(m_input.size()));
                if (n < 0)
                    break;
                if (n == 0)
                    m_inputEnded = true;
                m_in = ZSTD_inBuffer { m_input.data(), std::size_t(n), 0 };
            }
            const bool inputExhausted = m_in.pos == m_in.size && m_inputEnded;
            if (inputExhausted && m_frameComplete)
                break;
            const std::size_t before = out.pos;
            // Frames follow one another transparently: after one ends the next call starts
            // the next.
            const std::size_t status = ZSTD_decompressStream(m_context, &out, &m_in);
            if (ZSTD_isError(status)) {
                failBadInput(QStringLiteral("corrupt zstd data (%1)")
                                 .arg(QString::fromUtf8(ZSTD_getErrorName(status))));
                break;
            }
            m_frameComplete = status == 0;
            if (inputExhausted && out.pos == before && !m_frameComplete) {
                failBadInput(QStringLiteral("truncated zstd data (the file ends inside a "
                                            "compressed frame)"));
                break;
            }
        }
        return finish(qint64(out.pos));
    }

private:
    ZSTD_DCtx *m_context = nullptr;
    std::vector<char> m_input;
    ZSTD_inBuffer m_in { nullptr, 0, 0 };
    bool m_inputEnded = false;
    // At a frame boundary; a file that ends elsewhere is truncated. False at first, since the
    // magic number promised a frame.
    bool m_frameComplete = false;
};

}  // namespace

LineReader::~LineReader() = default;

Result<std::unique_ptr<LineReader>> LineReader::open(const QString &path)
{
    auto source = std::make_unique<Source>();
    if (Status opened = source->open(path); !opened)
        return opened.error();
    const std::string_view magic = source->peeked();
    if (isGzip(magic)) {
        auto reader = std::make_unique<GzipReader>(path, std::move(source));
        if (Status started = reader->init(); !started)
            return started.error();
        return std::unique_ptr<LineReader>(std::move(reader));
    }
    if (isZstd(magic)) {
        auto reader = std::make_unique<ZstdReader>(path, std::move(source));
        if (Status started = reader->init(); !started)
            return started.error();
        return std::unique_ptr<LineReader>(std::move(reader));
    }
    return std::unique_ptr<LineReader>(std::make_unique<PlainReader>(path, std::move(source)));
}

qint64 LineReader::compressedBytesRead() const
{
    return m_compressedRead;
}

bool LineReader::next(std::string_view &line)
{
    if (m_error)
        return false;
    for (;;) {
        const char *data = m_buffer.data();
        m_searched = std::max(m_searched, m_start);
        const void *newline = m_end > m_searched
            ? std::memchr(data + m_searched, '\n', m_end - m_searched)
            : nullptr;
        if (newline) {
            const std::size_t newlineAt = std::size_t(static_cast<const char *>(newline) - data);
            std::size_t lineEnd = newlineAt;
            if (lineEnd > m_start && data[lineEnd - 1] == '\r')
                --lineEnd;
            line = std::string_view(data + m_start, lineEnd - m_start);
            m_start = m_searched = newlineAt + 1;
            ++m_lineNumber;
            return true;
        }
        m_searched = m_end;
        if (m_eof) {
            if (m_start == m_end)
                return false;
            // The last line, without its '\n'.
            line = std::string_view(data + m_start, m_end - m_start);
            m_start = m_end;
            ++m_lineNumber;
            return true;
        }
        if (!refill())
            return false;
    }
}

bool LineReader::refill()
{
    if (m_buffer.size() - m_end < std::size_t(kBlockSize)) {
        // Move the unfinished line to the front; grow only when it alone leaves too little room.
        const std::size_t pending = m_end - m_start;
        if (m_start > 0) {
            std::memmove(m_buffer.data(), m_buffer.data() + m_start, pending);
            m_searched -= m_start;
            m_start = 0;
            m_end = pending;
        }
        if (m_buffer.size() - m_end < std::size_t(kBlockSize))
            m_buffer.resize(std::max(m_buffer.size() * 2, m_end + std::size_t(kBlockSize)));
    }
    const qint64 count = read(m_buffer.data() + m_end, qint64(m_buffer.size() - m_end));
    if (count < 0) {
        if (!m_error)
            m_error = Error::internal(QStringLiteral("cannot read the file"), displayName(m_path));
        // All complete lines before have been returned: the damage is in the next one.
        if (m_error->line == 0)
            m_error->line = m_lineNumber + 1;
        return false;
    }
    if (count == 0)
        m_eof = true;
    m_end += std::size_t(count);
    return true;
}

}  // namespace pcs
