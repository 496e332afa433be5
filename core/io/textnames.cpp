#include "io/textnames.h"

#include "io/filekind.h"
#include "io/sha256.h"
#include "io/textutil.h"

#include <QFile>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
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
    std::unique_ptr<char[]> data;
    std::size_t size = 0;
    std::string_view view() const { return { data.get(), size }; }
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
    bytes.data.reset(new char[bytes.size]);
    std::size_t done = 0;
    while (done < bytes.size) {
        const ssize_t got = ::read(descriptor, bytes.data.get() + done, bytes.size - done);
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
        // calloc: the kernel's zero pages, not a memset of the whole table.
        m_slots = static_cast<Slot *>(std::calloc(slotCount, sizeof(Slot)));
        if (!m_slots)
            throw std::bad_alloc();
        m_mask = slotCount - 1;
    }
    NameSet(const NameSet &) = delete;
    NameSet &operator=(const NameSet &) = delete;
    ~NameSet() { ::free(m_slots); }
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
    Slot *m_slots = nullptr;
    std::size_t m_mask = 0;
};

}  // namespace

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
    NameSet seen(names.size());
    constexpr qint64 kAhead = 16;
    std::vector<std::uint64_t> hashes(std::size_t(std::min<qint64>(names.size(), kAhead)));
    for (qint64 i = 0; i < qint64(hashes.size()); ++i) {
        hashes[std::size_t(i)] = hashName(names.utf8(i));
        seen.prefetch(hashes[std::size_t(i)]);
    }
    for (qint64 i = 0; i < names.size(); ++i) {
        const std::string_view name = names.utf8(i);
        bool ascii = true;
        for (const char c : name)
            ascii &= static_cast<unsigned char>(c) < 0x80;
        if (qsizetype bad = 0; !ascii && !isValidUtf8(name, &bad))
            return Error::badInput(QStringLiteral("invalid UTF-8 in %1 name %2")
                                       .arg(QLatin1String(what), quoteForMessage(name)),
                                   path, i + 1, bad + 1);
        const std::uint64_t hash = hashes[std::size_t(i % kAhead)];
        if (i + kAhead < names.size()) {
            const std::uint64_t ahead = hashName(names.utf8(i + kAhead));
            hashes[std::size_t(i % kAhead)] = ahead;
            seen.prefetch(ahead);
        }
        if (const qint64 first = seen.insert(names, i, hash); first >= 0)
            return Error::badInput(QStringLiteral("duplicate %1 name %2 (first on line %3)")
                                       .arg(QLatin1String(what), quoteForMessage(names[i]))
                                       .arg(first + 1),
                                   path, i + 1, 1);
    }
    return names;
}

}  // namespace io

}  // namespace pcs
