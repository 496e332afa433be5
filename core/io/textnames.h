#pragma once

#include "core/common/hugebuffer.h"
#include "core/common/result.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pcs {

// Many text names held compactly: one UTF-8 buffer and one offset per name (about 8 bytes of
// overhead a name instead of a QString's ~50), so 1e8 names fit where a QStringList cannot.
class TextNames {
public:
    TextNames() = default;
    static TextNames fromList(const QStringList &names);

    qint64 size() const
    {
        return qint64(m_offsets.size()) - 1 < 0 ? 0 : qint64(m_offsets.size()) - 1;
    }
    bool isEmpty() const { return size() == 0; }
    std::string_view utf8(qint64 i) const
    {
        return { m_bytes.data() + m_offsets[std::size_t(i)],
                 std::size_t(m_offsets[std::size_t(i) + 1] - m_offsets[std::size_t(i)]) };
    }
    QString operator[](qint64 i) const;
    QStringList toList() const;
    // Names [first, end), as a new TextNames.
    TextNames mid(qint64 first, qint64 end) const;

    void reserve(qint64 names, qint64 bytes);
    void append(std::string_view utf8);
    // Large arrays in huge pages, not zeroed when sized (see HugePageAllocator).
    using Bytes = std::vector<char, HugePageAllocator<char>>;
    using Offsets = std::vector<std::uint64_t, HugePageAllocator<std::uint64_t>>;
    // Names already laid out: name i is bytes[offsets[i], offsets[i + 1]); offsets start at 0,
    // never decrease and end at bytes.size(). For loaders that fill both in parallel.
    static TextNames adopt(Bytes bytes, Offsets offsets);

private:
    Bytes m_bytes;
    Offsets m_offsets { 0 };
};

namespace io {

// Reads a file of names, one per line (a trailing empty line and CRLF are fine), checking what
// loadNameList checks: valid UTF-8, none empty, none twice (naming the file, the line and the
// first line of a repeated name). Reads 1e7 names in well under a second. If `sha256` is given,
// it receives the file's SHA-256 (hex), computed from the same read.
Result<TextNames> loadTextNames(const QString &path, const char *what, QString *sha256 = nullptr);

}  // namespace io

}  // namespace pcs
