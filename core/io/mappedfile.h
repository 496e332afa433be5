#pragma once

#include "core/common/result.h"

#include <QFile>

#include <string_view>

namespace pcs::io {

// A whole file mapped read-only into memory (no copy), with the loaders' error messages for
// files that are missing, unreadable, directories or empty.
class MappedFile {
public:
    MappedFile() = default;
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;
    ~MappedFile();

    Status open(const QString &path);

    const QString &path() const { return m_path; }
    std::string_view bytes() const { return { m_data, std::size_t(m_size) }; }
    // The bytes after a UTF-8 byte order mark, if any.
    std::string_view text() const;

private:
    QString m_path;
    QFile m_file;
    const char *m_data = nullptr;
    qint64 m_size = 0;
};

}  // namespace pcs::io
