#include "io/mappedfile.h"

#include "io/textutil.h"

#include <QFileInfo>

namespace pcs::io {

MappedFile::~MappedFile()
{
    if (m_data)
        m_file.unmap(reinterpret_cast<uchar *>(const_cast<char *>(m_data)));
}

Status MappedFile::open(const QString &path)
{
    m_path = path;
    const QFileInfo info(path);
    if (!info.exists())
        return Error::badInput(QStringLiteral("file does not exist"), path);
    if (info.isDir())
        return Error::badInput(QStringLiteral("is a directory, not a file"), path);
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::ReadOnly))
        return Error::badInput(QStringLiteral("cannot open file: %1").arg(m_file.errorString()),
                               path);
    m_size = m_file.size();
    if (m_size == 0)
        return Error::badInput(QStringLiteral("file is empty"), path, 1);
    // Mapping lets the parser work on the page cache directly, with no copy of a 2 GB file.
    uchar *map = m_file.map(0, m_size);
    if (!map)
        return Error::internal(QStringLiteral("cannot map file: %1").arg(m_file.errorString()),
                               path);
    m_data = reinterpret_cast<const char *>(map);
    return Done {};
}

std::string_view MappedFile::text() const
{
    return skipBom(bytes());
}

}  // namespace pcs::io
