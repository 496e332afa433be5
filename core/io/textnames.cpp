#include "io/textnames.h"

#include "common/hugebuffer.h"
#include "common/parallel.h"
#include "io/filekind.h"
#include "io/sha256.h"
#include "io/textutil.h"

#include <QFile>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <new>

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
    part.m_bytes.assign(m_bytes, from, m_offsets[std::size_t(end)] - from);
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
    m_bytes.append(utf8);
    m_offsets.push_back(m_bytes.size());
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

// A table of name indices by hash (open addressing, linear probing), for the duplicate check.
// A slot holds the index and 32 more bits of the hash, so a probe reads a name's bytes only on
// a likely match; lookups are prefetched a few names ahead (the table does not fit in cache).
class NameSet {
public:
    explicit NameSet(qint64 expected)
    {
        std::size_t slotCount = 16;
        while (slotCount < std::size_t(expected) + std::size_t(expected) / 2)
            slotCount *= 2;
        // Fresh mapped pages are the kernel's zeros: no memset of the whole table.
        m_table = HugeBuffer<Slot>(slotCount, HugeBuffer<Slot>::Zeroed);
        m_slots = m_table.data();
        m_mask = slotCount - 1;
    }
    static constexpr qint64 maxNames() { return qint64(0xFFFFFFFEu); }
    void prefetch(std::uint64_t hash) const { __builtin_prefetch(&m_slots[hash & m_mask]); }
    // The index of an earlier equal name, else -1 (and `index` is recorded).
    qint64 insert(const TextNames &names, qint64 index, std::uint64_t hash)
    {
        const std::string_view name = names.utf8(index);
        const auto tag = std::uint32_t(hash >> 32);
        for (std::size_t slot = hash & m_mask;; slot = (slot + 1) & m_mask) {
            Slot &entry = m_slots[slot];
            if (entry.indexPlusOne == 0) {
                entry = { tag, std::uint32_t(index + 1) };
                if (++m_used > m_mask / 4 * 3)
                    grow(names);  // more names than expected: keep probes short, never full
                return -1;
            }
            const qint64 other = qint64(entry.indexPlusOne) - 1;
            if (entry.tag == tag && names.utf8(other) == name)
                return other;
        }
    }

private:
    struct Slot {
        std::uint32_t tag;
        std::uint32_t indexPlusOne;  // 0 = empty
    };
    void grow(const TextNames &names)
    {
        HugeBuffer<Slot> old = std::move(m_table);
        const std::size_t oldCount = m_mask + 1;
        m_table = HugeBuffer<Slot>(oldCount * 2, HugeBuffer<Slot>::Zeroed);
        m_slots = m_table.data();
        m_mask = oldCount * 2 - 1;
        for (std::size_t k = 0; k < oldCount; ++k) {
            if (old[k].indexPlusOne == 0)
                continue;
            const std::uint64_t hash = hashName(names.utf8(qint64(old[k].indexPlusOne) - 1));
            std::size_t slot = hash & m_mask;
            while (m_slots[slot].indexPlusOne != 0)
                slot = (slot + 1) & m_mask;
            m_slots[slot] = old[k];
        }
    }

    HugeBuffer<Slot> m_table;
    std::size_t m_used = 0;
    Slot *m_slots = nullptr;
    std::size_t m_mask = 0;
};

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
    // Equal names have equal hashes: each thread checks the names of its share of the hash
    // space, in file order, so the first repeat is the lowest of the threads' first repeats.
    // Each thread hashes every name (cheaper than a shared array of D hashes to fill and read).
    const qint64 end = std::min(count, firstInvalid);
    const int parts = count < (1 << 16) ? 1 : threads;
    std::vector<NameProblem> found(static_cast<std::size_t>(parts));
    parallelFor(parts, 1, parts, TaskControl::none(), [&](qint64 part, qint64) {
        const auto mine
            = [&](std::uint64_t hash) { return parts == 1 || qint64(hash >> 58) % parts == part; };
        // Sized for this share; a table for all names would be mostly empty.
        // Small files start small and grow (which also keeps growing tested).
        NameSet seen(parts == 1 ? 256 : end / parts + end / (4 * parts) + 1024);
        constexpr qint64 kAhead = 16;
        std::uint64_t ahead[kAhead];
        for (qint64 i = 0; i < std::min(kAhead, end); ++i)
            ahead[i] = hashName(names.utf8(i));
        for (qint64 i = 0; i < end; ++i) {
            const std::uint64_t hash = ahead[i % kAhead];
            if (i + kAhead < end) {
                const std::uint64_t next = hashName(names.utf8(i + kAhead));
                ahead[i % kAhead] = next;
                if (mine(next))
                    seen.prefetch(next);
            }
            if (!mine(hash))
                continue;
            if (const qint64 first = seen.insert(names, i, hash); first >= 0) {
                found[std::size_t(part)] = { i, -1, first };
                return;
            }
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

Result<TextNames> loadTextNames(const QString &path, const char *what, QString *sha256)
{
    auto read = readWholeFile(path);
    if (!read)
        return read.error();
    const FileBytes &bytes = *read;
    if (sha256) {
        Sha256 hash;
        hash.add(bytes.view());
        *sha256 = hash.finishHex();
    }
    const std::string_view all = bytes.view();
    if (const QString looks = describeNonTextContent(all.substr(0, 64 * 1024)); !looks.isEmpty())
        return Error::badInput(QStringLiteral("not a file of %1 names (one per line): %2")
                                   .arg(QLatin1String(what), looks),
                               path);
    std::string_view text = skipBom(all);
    qint64 lines = 0;
    for (const char c : text)
        lines += c == '\n';
    TextNames names;
    names.reserve(lines + 1, qint64(text.size()));
    qint64 line = 0;
    qint64 firstEmptyLine = 0;
    while (!text.empty()) {
        ++line;
        const void *found = std::memchr(text.data(), '\n', text.size());
        const std::size_t newline
            = found ? std::size_t(static_cast<const char *>(found) - text.data()) : text.size();
        std::string_view name = text.substr(0, newline);
        text.remove_prefix(std::min(text.size(), newline + 1));
        if (!name.empty() && name.back() == '\r')
            name.remove_suffix(1);
        if (name.empty()) {
            if (firstEmptyLine == 0)
                firstEmptyLine = line;
            continue;
        }
        // Only empty lines at the very end are allowed; one in the middle shifts every name.
        if (firstEmptyLine != 0)
            return Error::badInput(
                QStringLiteral("empty %1 name (one name per line)").arg(QLatin1String(what)), path,
                firstEmptyLine, 1);
        names.append(name);
    }
    if (names.isEmpty())
        return Error::badInput(QStringLiteral("no %1 names in the file").arg(QLatin1String(what)),
                               path);
    if (names.size() > NameSet::maxNames())
        return Error::badInput(QStringLiteral("more than %1 %2 names")
                                   .arg(NameSet::maxNames())
                                   .arg(QLatin1String(what)),
                               path);
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
    return names;
}

}  // namespace io

}  // namespace pcs
