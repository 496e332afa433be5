#include "core/io/mappedfile.h"

#include "core/io/filekind.h"
#include "core/io/textutil.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pcs::io {

MappedFile::~MappedFile()
{
    if (m_data)
        m_file.unmap(reinterpret_cast<uchar *>(const_cast<char *>(m_data)));
}

Status MappedFile::open(const QString &path)
{
    m_path = path;
    // Examined before it is opened: opening a FIFO blocks, opening a device may act on it.
    if (Status regular = checkRegularFile(path); !regular)
        return regular;
    // Non-blocking, and checked again once open, in case the path was swapped in between.
    const int descriptor
        = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (descriptor < 0)
        return Error::badInput(QStringLiteral("cannot open file: %1")
                                   .arg(QString::fromLocal8Bit(std::strerror(errno))),
                               path);
    struct stat status { };
    if (::fstat(descriptor, &status) != 0 || !S_ISREG(status.st_mode)) {
        ::close(descriptor);
        return Error::badInput(QStringLiteral("not a regular file (it changed while it was "
                                              "opened)"),
                               path);
    }
    if (!m_file.open(descriptor, QIODevice::ReadOnly, QFileDevice::AutoCloseHandle)) {
        ::close(descriptor);
        return Error::badInput(QStringLiteral("cannot open file: %1").arg(m_file.errorString()),
                               path);
    }
    m_size = qint64(status.st_size);
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
