#include "core/io/textnames.h"

#include "core/common/hugebuffer.h"
#include "core/common/parallel.h"
#include "core/io/filekind.h"
#include "core/io/sha256.h"
#include "core/io/textutil.h"

#include <QFile>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pcs {

TextNames TextNames::fromList(const QStringList &names)
{
    TextNames result;
    result.m_offsets.reserve(std::size_t(names.size()) + 1);
    for (const QString &name : names) {
        const QByteArray utf8 = name.toUtf8();
        result.append({ utf8.constData(), std::size_t(utf8.size()) });
    }
    return result;
}

QString TextNames::operator[](qint64 i) const
{
    return io::toQString(utf8(i));
}

QStringList TextNames::toList() const
{
    QStringList names;
    names.reserve(size());
    for (qint64 i = 0; i < size(); ++i)
        names.append((*this)[i]);
    return names;
}

TextNames TextNames::mid(qint64 first, qint64 end) const
{
    TextNames part;
    if (first >= end)
        return part;
    const std::uint64_t from = m_offsets[std::size_t(first)];
    part.m_bytes.assign(m_bytes.begin() + std::ptrdiff_t(from),
                        m_bytes.begin() + std::ptrdiff_t(m_offsets[std::size_t(end)]));
    part.m_offsets.resize(std::size_t(end - first) + 1);
    for (qint64 i = first; i <= end; ++i)
        part.m_offsets[std::size_t(i - first)] = m_offsets[std::size_t(i)] - from;
    return part;
}

void TextNames::reserve(qint64 names, qint64 bytes)
{
    m_offsets.reserve(std::size_t(names) + 1);
    m_bytes.reserve(std::size_t(bytes));
}

void TextNames::append(std::string_view utf8)
{
    m_bytes.insert(m_bytes.end(), utf8.begin(), utf8.end());
    m_offsets.push_back(m_bytes.size());
}

TextNames TextNames::adopt(Bytes bytes, Offsets offsets)
{
    TextNames names;
    names.m_bytes = std::move(bytes);
    names.m_offsets = std::move(offsets);
    if (names.m_offsets.empty())
        names.m_offsets.push_back(0);
    return names;
}

namespace io {

namespace {

// 64-bit hash of a name (FNV-1a over 8-byte words, then a final mix): only for the duplicate
// check, which compares the bytes of every candidate.
std::uint64_t hashName(std::string_view name)
{
    std::uint64_t h = 1469598103934665603ull ^ name.size();
    std::size_t i = 0;
    for (; i + 8 <= name.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, name.data() + i, 8);
        h = (h ^ word) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 29;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, name.data() + i, name.size() - i);
    h = (h ^ tail) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 32;
    return h * 0xD6E8FEB86659FD93ull;
}

// A file's bytes in memory that is not zeroed first (it is read over at once).
struct FileBytes {
    HugeBuffer<char> data;  // huge pages: 4 KB page faults cost more than the read
    std::size_t size = 0;
    std::string_view view() const { return { data.data(), size }; }
};

Result<FileBytes> readWholeFile(const QString &path)
{
    if (Status regular = checkRegularFile(path); !regular)
        return regular.error();
    const int descriptor = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0)
        return Error::badInput(QStringLiteral("cannot open file: %1")
                                   .arg(QString::fromLocal8Bit(std::strerror(errno))),
                               path);
    struct stat status { };
    ::fstat(descriptor, &status);
    FileBytes bytes;
    bytes.size = std::size_t(status.st_size);
    bytes.data = HugeBuffer<char>(bytes.size);
    std::size_t done = 0;
    while (done < bytes.size) {
        const ssize_t got = ::read(descriptor, bytes.data.data() + done, bytes.size - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            const int error = errno;
            ::close(descriptor);
            if (got == 0)
                break;  // shrank while read: what is there is the file
            return Error::internal(QStringLiteral("cannot read file: %1")
                                       .arg(QString::fromLocal8Bit(std::strerror(error))),
                                   path);
        }
        done += std::size_t(got);
    }
    ::close(descriptor);
    bytes.size = done;
    if (bytes.size == 0)
        return Error::badInput(QStringLiteral("file is empty"), path, 1);
    return bytes;
}

// Name indices are kept in 32 bits by the duplicate check.
constexpr qint64 kMaxNames = qint64(0xFFFFFFFEu);

// A name's place in the duplicate check: its index and 32 bits of its hash.
struct HashedName {
    std::uint32_t tag;
    std::uint32_t index;
};

// The first name in `entries` (in index order, all in one hash bucket) that repeats an earlier
// one, as {index, first}; {-1, -1} when there is none. `table` is scratch, reused.
std::pair<qint64, qint64> firstRepeatIn(const TextNames &names, const HashedName *entries,
                                        std::size_t count, std::vector<HashedName> &table)
{
    std::size_t slotCount = 16;
    while (slotCount < 2 * count)
        slotCount *= 2;
    table.assign(slotCount, HashedName { 0, 0xFFFFFFFFu });  // index ~0: empty
    const std::size_t mask = slotCount - 1;
    for (std::size_t k = 0; k < count; ++k) {
        const HashedName entry = entries[k];
        for (std::size_t slot = entry.tag & mask;; slot = (slot + 1) & mask) {
            HashedName &held = table[slot];
            if (held.index == 0xFFFFFFFFu) {
                held = entry;
                break;
            }
            if (held.tag == entry.tag && names.utf8(held.index) == names.utf8(entry.index))
                return { qint64(entry.index), qint64(held.index) };
        }
    }
    return { -1, -1 };
}

}  // namespace

// The first name, in file order, that is invalid UTF-8 (invalidAt: the byte) or repeats an
// earlier one (first: that one's index); index -1 when there is none.
struct NameProblem {
    qint64 index = -1;
    qint64 invalidAt = -1;
    qint64 first = -1;
};

NameProblem firstInvalidOrRepeated(const TextNames &names)
{
    const qint64 count = names.size();
    const int threads = resolveThreadCount(0);
    // The UTF-8 check in parallel: the first invalid name is the lowest index found.
    qint64 firstInvalid = std::numeric_limits<qint64>::max();
    qint64 invalidByte = -1;
    std::mutex invalidMutex;
    parallelFor(count, 1 << 16, threads, TaskControl::none(), [&](qint64 begin, qint64 end) {
        for (qint64 i = begin; i < end; ++i) {
            const std::string_view name = names.utf8(i);
            bool ascii = true;
            for (const char c : name)
                ascii &= static_cast<unsigned char>(c) < 0x80;
            if (qsizetype bad = 0; !ascii && !isValidUtf8(name, &bad)) {
                const std::lock_guard lock(invalidMutex);
                if (i < firstInvalid) {
                    firstInvalid = i;
                    invalidByte = bad;
                }
                return;
            }
        }
    });
    // Equal names have equal hashes. The names are partitioned by their hash's top bits into
    // buckets small enough for a table in cache, keeping index order inside each bucket (chunks
    // of names in order, each scattered in order); each bucket then finds its first repeat and
    // the lowest of those is the file's. A table of all names would miss the cache at every name.
    const qint64 end = std::min(count, firstInvalid);
    int bucketBits = 0;
    while (bucketBits < 12 && (qint64(1) << bucketBits) * 32768 < end)
        ++bucketBits;
    const std::size_t buckets = std::size_t(1) << bucketBits;
    const auto bucketOf = [bucketBits](std::uint64_t hash) {
        return bucketBits == 0 ? std::size_t(0) : std::size_t(hash >> (64 - bucketBits));
    };
    const qint64 chunks = end < (1 << 16) ? 1 : 4 * qint64(threads);
    const auto chunkBegin = [&](qint64 chunk) { return end * chunk / chunks; };
    // start[c * buckets + b]: where chunk c's names of bucket b go (counted, then summed).
    std::vector<qint64> start(std::size_t(chunks) * buckets + 1, 0);
    parallelFor(chunks, 1, threads, TaskControl::none(), [&](qint64 first, qint64 last) {
        for (qint64 c = first; c < last; ++c)
            for (qint64 i = chunkBegin(c); i < chunkBegin(c + 1); ++i)
                ++start[std::size_t(c) * buckets + bucketOf(hashName(names.utf8(i)))];
    });
    std::vector<qint64> bucketStart(buckets + 1, 0);
    qint64 running = 0;
    for (std::size_t b = 0; b < buckets; ++b) {
        bucketStart[b] = running;
        for (qint64 c = 0; c < chunks; ++c) {
            const qint64 n = start[std::size_t(c) * buckets + b];
            start[std::size_t(c) * buckets + b] = running;
            running += n;
        }
    }
    bucketStart[buckets] = running;
    HugeBuffer<HashedName> partitioned(std::size_t(std::max<qint64>(end, 1)));
    parallelFor(chunks, 1, threads, TaskControl::none(), [&](qint64 first, qint64 last) {
        for (qint64 c = first; c < last; ++c) {
            qint64 *at = start.data() + std::size_t(c) * buckets;
            for (qint64 i = chunkBegin(c); i < chunkBegin(c + 1); ++i) {
                const std::uint64_t hash = hashName(names.utf8(i));
                partitioned[std::size_t(at[bucketOf(hash)]++)]
                    = { std::uint32_t(hash), std::uint32_t(i) };
            }
        }
    });
    std::vector<NameProblem> found(buckets);
    parallelFor(qint64(buckets), 16, threads, TaskControl::none(), [&](qint64 first, qint64 last) {
        std::vector<HashedName> table;
        for (qint64 b = first; b < last; ++b) {
            const auto [index, earlier] = firstRepeatIn(
                names, partitioned.data() + bucketStart[std::size_t(b)],
                std::size_t(bucketStart[std::size_t(b) + 1] - bucketStart[std::size_t(b)]), table);
            found[std::size_t(b)] = { index, -1, earlier };
        }
    });
    NameProblem problem;
    for (const NameProblem &candidate : found)
        if (candidate.index >= 0 && (problem.index < 0 || candidate.index < problem.index))
            problem = candidate;
    if (end < count && (problem.index < 0 || end < problem.index))
        return { end, invalidByte, -1 };
    return problem;
}

namespace {

// Calls onLine(name, lineIndex) for each line of `text` (the line end and a CR before it
// removed), lineIndex counting from 0; a last line without a line end counts, an empty text
// after the last line end does not.
template<class OnLine> void forEachLine(std::string_view text, OnLine onLine)
{
    for (qint64 line = 0; !text.empty(); ++line) {
        const void *found = std::memchr(text.data(), '\n', text.size());
        const std::size_t newline
            = found ? std::size_t(static_cast<const char *>(found) - text.data()) : text.size();
        std::string_view name = text.substr(0, newline);
        text.remove_prefix(std::min(text.size(), newline + 1));
        if (!name.empty() && name.back() == '\r')
            name.remove_suffix(1);
        onLine(name, line);
    }
}

struct SplitLines {
    TextNames names;  // the non-empty lines
    qint64 firstEmptyLine = -1;  // 0-based, -1 = none
    qint64 lastNameLine = -1;  // the last non-empty line, 0-based
};

// The names of a text, one per line, split in pieces on every thread: each piece is counted,
// then copied to where the pieces before it end (the split is a third of the load otherwise).
SplitLines splitLines(std::string_view text)
{
    struct Piece {
        std::string_view text;
        qint64 lines = 0, names = 0, bytes = 0;
        qint64 firstEmpty = -1, lastName = -1;  // lines in the piece, 0-based
        qint64 firstLine = 0, firstName = 0, firstByte = 0;  // where the piece starts overall
    };
    // Pieces of about 1 MB that end just after a line end (or at the end of the text).
    constexpr std::size_t kPieceBytes = std::size_t(1) << 20;
    std::vector<Piece> pieces;
    for (std::size_t begin = 0; begin < text.size();) {
        std::size_t end = std::min(text.size(), begin + kPieceBytes);
        if (end < text.size()) {
            const void *found = std::memchr(text.data() + end, '\n', text.size() - end);
            end = found ? std::size_t(static_cast<const char *>(found) - text.data()) + 1
                        : text.size();
        }
        pieces.push_back({ text.substr(begin, end - begin) });
        begin = end;
    }
    const int threads = resolveThreadCount(0);
    const auto eachPiece = [&](const auto &body) {
        parallelFor(qint64(pieces.size()), 1, threads, TaskControl::none(),
                    [&](qint64 first, qint64 end) {
                        for (qint64 k = first; k < end; ++k)
                            body(pieces[std::size_t(k)]);
                    });
    };
    eachPiece([](Piece &piece) {
        forEachLine(piece.text, [&](std::string_view name, qint64 line) {
            ++piece.lines;
            if (name.empty()) {
                if (piece.firstEmpty < 0)
                    piece.firstEmpty = line;
                return;
            }
            ++piece.names;
            piece.bytes += qint64(name.size());
            piece.lastName = line;
        });
    });
    SplitLines split;
    qint64 lines = 0, names = 0, bytes = 0;
    for (Piece &piece : pieces) {
        piece.firstLine = lines;
        piece.firstName = names;
        piece.firstByte = bytes;
        if (piece.firstEmpty >= 0 && split.firstEmptyLine < 0)
            split.firstEmptyLine = lines + piece.firstEmpty;
        if (piece.lastName >= 0)
            split.lastNameLine = lines + piece.lastName;
        lines += piece.lines;
        names += piece.names;
        bytes += piece.bytes;
    }
    // Sized, not zeroed: every byte and offset is written below, on the threads.
    TextNames::Bytes allBytes(static_cast<std::size_t>(bytes));
    TextNames::Offsets offsets(std::size_t(names) + 1);
    offsets[0] = 0;
    eachPiece([&](const Piece &piece) {
        qint64 index = piece.firstName;
        std::uint64_t at = std::uint64_t(piece.firstByte);
        forEachLine(piece.text, [&](std::string_view name, qint64) {
            if (name.empty())
                return;
            std::memcpy(allBytes.data() + at, name.data(), name.size());
            at += name.size();
            offsets[std::size_t(++index)] = at;
        });
    });
    split.names = TextNames::adopt(std::move(allBytes), std::move(offsets));
    return split;
}

}  // namespace

Result<TextNames> loadTextNames(const QString &path, const char *what, QString *sha256)
{
    auto read = readWholeFile(path);
    if (!read)
        return read.error();
    const FileBytes &bytes = *read;
    // The hash runs beside the split and the checks (a 1e7-line file is 130 MB).
    QString hex;
    std::optional<std::jthread> hasher;
    if (sha256) {
        hasher.emplace([&hex, all = bytes.view()] {
            Sha256 hash;
            hash.add(all);
            hex = hash.finishHex();
        });
    }
    const std::string_view all = bytes.view();
    if (const QString looks = describeNonTextContent(all.substr(0, 64 * 1024)); !looks.isEmpty())
        return Error::badInput(QStringLiteral("not a file of %1 names (one per line): %2")
                                   .arg(QLatin1String(what), looks),
                               path);
    auto split = splitLines(skipBom(all));
    if (split.firstEmptyLine >= 0 && split.lastNameLine > split.firstEmptyLine)
        // Only empty lines at the very end are allowed; one in the middle shifts every name.
        return Error::badInput(
            QStringLiteral("empty %1 name (one name per line)").arg(QLatin1String(what)), path,
            split.firstEmptyLine + 1, 1);
    TextNames names = std::move(split.names);
    if (names.isEmpty())
        return Error::badInput(QStringLiteral("no %1 names in the file").arg(QLatin1String(what)),
                               path);
    if (names.size() > kMaxNames)
        return Error::badInput(
            QStringLiteral("more than %1 %2 names").arg(kMaxNames).arg(QLatin1String(what)), path);
    // Checked after splitting, so that the common all-ASCII file is one pass each.
    if (const auto duplicate = firstInvalidOrRepeated(names); duplicate.index >= 0) {
        if (duplicate.invalidAt >= 0)
            return Error::badInput(
                QStringLiteral("invalid UTF-8 in %1 name %2")
                    .arg(QLatin1String(what), quoteForMessage(names.utf8(duplicate.index))),
                path, duplicate.index + 1, duplicate.invalidAt + 1);
        return Error::badInput(
            QStringLiteral("duplicate %1 name %2 (first on line %3)")
                .arg(QLatin1String(what), quoteForMessage(names[duplicate.index]))
                .arg(duplicate.first + 1),
            path, duplicate.index + 1, 1);
    }
    if (hasher) {
        hasher.reset();  // joins
        *sha256 = hex;
    }
    return names;
}

}  // namespace io

}  // namespace pcs
