#include "io/textnames.h"

#include "io/filekind.h"
#include "io/sha256.h"
#include "io/textutil.h"

#include <QFile>

#include <cerrno>
#include <cstring>

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

Result<std::string> readWholeFile(const QString &path)
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
    std::string bytes;
    bytes.resize(std::size_t(status.st_size));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t got = ::read(descriptor, bytes.data() + done, bytes.size() - done);
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
    bytes.resize(done);
    if (bytes.empty())
        return Error::badInput(QStringLiteral("file is empty"), path, 1);
    return bytes;
}

// A table of name indices by hash (open addressing, linear probing), for the duplicate check.
class NameSet {
public:
    explicit NameSet(qint64 expected)
    {
        std::size_t slotCount = 16;
        while (slotCount < std::size_t(expected) * 2)
            slotCount *= 2;
        m_slots.assign(slotCount, -1);
        m_mask = slotCount - 1;
    }
    // The index of an earlier equal name, else -1 (and `index` is recorded).
    qint64 insert(const TextNames &names, qint64 index)
    {
        const std::string_view name = names.utf8(index);
        for (std::size_t slot = hashName(name) & m_mask;; slot = (slot + 1) & m_mask) {
            const qint64 other = m_slots[slot];
            if (other < 0) {
                m_slots[slot] = index;
                return -1;
            }
            if (names.utf8(other) == name)
                return other;
        }
    }

private:
    std::vector<qint64> m_slots;
    std::size_t m_mask = 0;
};

}  // namespace

Result<TextNames> loadTextNames(const QString &path, const char *what, QString *sha256)
{
    auto read = readWholeFile(path);
    if (!read)
        return read.error();
    std::string &bytes = *read;
    if (sha256) {
        Sha256 hash;
        hash.add(bytes);
        *sha256 = hash.finishHex();
    }
    const std::string_view all(bytes);
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
    // Checked after splitting, so that the common all-ASCII file is one pass each.
    NameSet seen(names.size());
    for (qint64 i = 0; i < names.size(); ++i) {
        const std::string_view name = names.utf8(i);
        bool ascii = true;
        for (const char c : name)
            ascii &= static_cast<unsigned char>(c) < 0x80;
        if (qsizetype bad = 0; !ascii && !isValidUtf8(name, &bad))
            return Error::badInput(QStringLiteral("invalid UTF-8 in %1 name %2")
                                       .arg(QLatin1String(what), quoteForMessage(name)),
                                   path, i + 1, bad + 1);
        if (const qint64 first = seen.insert(names, i); first >= 0)
            return Error::badInput(QStringLiteral("duplicate %1 name %2 (first on line %3)")
                                       .arg(QLatin1String(what), quoteForMessage(names[i]))
                                       .arg(first + 1),
                                   path, i + 1, 1);
    }
    return names;
}

}  // namespace io

}  // namespace pcs
