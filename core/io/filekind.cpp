#include "core/io/filekind.h"

#include <QFile>

#include <cerrno>
#include <cstring>

#include <sys/stat.h>

namespace pcs {

FileKind fileKindOf(const QString &path, int *errorNumber)
{
    struct stat status { };
    if (path.isEmpty() || ::stat(QFile::encodeName(path).constData(), &status) != 0) {
        const int error = path.isEmpty() ? ENOENT : errno;
        if (errorNumber)
            *errorNumber = error;
        return error == ENOENT || error == ENOTDIR ? FileKind::Missing : FileKind::Inaccessible;
    }
    if (S_ISREG(status.st_mode))
        return FileKind::Regular;
    if (S_ISDIR(status.st_mode))
        return FileKind::Directory;
    if (S_ISFIFO(status.st_mode))
        return FileKind::Fifo;
    if (S_ISCHR(status.st_mode))
        return FileKind::CharacterDevice;
    if (S_ISBLK(status.st_mode))
        return FileKind::BlockDevice;
    if (S_ISSOCK(status.st_mode))
        return FileKind::Socket;
    return FileKind::Other;
}

QString fileKindDescription(FileKind kind)
{
    switch (kind) {
    case FileKind::Missing:
        return QStringLiteral("nothing (it does not exist)");
    case FileKind::Inaccessible:
        return QStringLiteral("something that cannot be examined");
    case FileKind::Regular:
        return QStringLiteral("a regular file");
    case FileKind::Directory:
        return QStringLiteral("a directory");
    case FileKind::Fifo:
        return QStringLiteral("a FIFO");
    case FileKind::CharacterDevice:
        return QStringLiteral("a character device");
    case FileKind::BlockDevice:
        return QStringLiteral("a block device");
    case FileKind::Socket:
        return QStringLiteral("a socket");
    case FileKind::Other:
        break;
    }
    return QStringLiteral("a special file");
}

namespace {

Status checkKind(const QString &path, bool directoryAllowed)
{
    int error = 0;
    const FileKind kind = fileKindOf(path, &error);
    switch (kind) {
    case FileKind::Regular:
        return Done {};
    case FileKind::Directory:
        if (directoryAllowed)
            return Done {};
        break;
    case FileKind::Missing:
        return Error::badInput(QStringLiteral("file does not exist"), path);
    case FileKind::Inaccessible:
        return Error::badInput(QStringLiteral("cannot examine the file: %1")
                                   .arg(QString::fromLocal8Bit(std::strerror(error))),
                               path);
    default:
        break;
    }
    return Error::badInput(QStringLiteral("not a regular file (%1)%2")
                               .arg(fileKindDescription(kind),
                                    directoryAllowed ? QStringLiteral("; expected a file or a "
                                                                      "directory of files")
                                                     : QString()),
                           path);
}

// Known binary formats, by their first bytes.
struct Signature {
    std::string_view magic;
    const char *looksLike;
};

constexpr Signature kSignatures[] = {
    { std::string_view("\x89PNG\r\n\x1a\n", 8), "a PNG image" },
    { std::string_view("\xFF\xD8\xFF", 3), "a JPEG image" },
    { std::string_view("GIF87a", 6), "a GIF image" },
    { std::string_view("GIF89a", 6), "a GIF image" },
    { std::string_view("%PDF-", 5), "a PDF document" },
    { std::string_view("PK\x03\x04", 4), "a ZIP archive (.zip, .npz, .xlsx, ...)" },
    { std::string_view("PK\x05\x06", 4), "a ZIP archive (.zip, .npz, .xlsx, ...)" },
    { std::string_view("\x1F\x8B", 2), "gzip-compressed data (decompress it first)" },
    { std::string_view("\x28\xB5\x2F\xFD", 4), "zstd-compressed data (decompress it first)" },
    // Octal escapes where a hex one would swallow the next letter.
    { std::string_view("\3757zXZ\0", 6), "xz-compressed data (decompress it first)" },
    { std::string_view("\x93NUMPY", 6), "a NumPy .npy array" },
    { std::string_view("SQLite format 3\x00", 16), "an SQLite database" },
    { std::string_view("\177ELF", 4), "an executable (ELF)" },
    { std::string_view("\x89HDF\r\n\x1a\n", 8), "an HDF5 file" },
    { std::string_view("ARROW1", 6), "an Arrow/Feather file" },
    { std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8),
      "an OLE document (an old Excel .xls?)" },
    { std::string_view("\xFF\xFE\x00\x00", 4), "UTF-32 text (save it as UTF-8)" },
    { std::string_view("\xFF\xFE", 2), "UTF-16 text (save it as UTF-8)" },
    { std::string_view("\xFE\xFF", 2), "UTF-16 text (save it as UTF-8)" },
};

// Bytes that plain text does not hold: control characters other than layout ones, and the
// starts of invalid UTF-8 sequences. A sequence cut off by the end of `head` is not counted.
qsizetype countUntextualBytes(std::string_view head)
{
    const auto *s = reinterpret_cast<const unsigned char *>(head.data());
    const auto n = qsizetype(head.size());
    qsizetype count = 0;
    for (qsizetype i = 0; i < n;) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v')
                || c == 0x7F)
                ++count;
            ++i;
            continue;
        }
        const int extra = (c & 0xE0) == 0xC0 ? 1
            : (c & 0xF0) == 0xE0             ? 2
            : (c & 0xF8) == 0xF0             ? 3
                                             : -1;
        if (extra < 0) {
            ++count;
            ++i;
            continue;
        }
        if (i + extra >= n)
            break;
        bool valid = true;
        for (int k = 1; k <= extra; ++k)
            valid = valid && (s[i + k] & 0xC0) == 0x80;
        if (!valid) {
            ++count;
            ++i;
            continue;
        }
        i += extra + 1;
    }
    return count;
}

}  // namespace

Status checkRegularFile(const QString &path)
{
    return checkKind(path, false);
}

Status checkRegularFileOrDirectory(const QString &path)
{
    return checkKind(path, true);
}

namespace io {

QString describeNonTextContent(std::string_view head)
{
    for (const Signature &signature : kSignatures) {
        if (head.starts_with(signature.magic))
            return QStringLiteral("it looks like %1").arg(QLatin1String(signature.looksLike));
    }
    if (head.find('\0') != std::string_view::npos)
        return QStringLiteral("it contains NUL bytes (binary data, or UTF-16 text)");
    // Mostly text with a few stray bytes is the reader's to locate; this much is not text.
    const qsizetype untextual = countUntextualBytes(head);
    if (untextual >= 3 && untextual * 20 > qsizetype(head.size()))
        return QStringLiteral("it is not UTF-8 text (binary data, or text in another "
                              "encoding: save it as UTF-8)");
    return {};
}

}  // namespace io

}  // namespace pcs
