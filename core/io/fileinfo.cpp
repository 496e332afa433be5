#include "core/io/fileinfo.h"

#include "core/io/filekind.h"
#include "core/io/sha256.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace pcs {

QJsonObject InputFileInfo::toJson() const
{
    return QJsonObject { { QStringLiteral("role"), role },
                         { QStringLiteral("path"), path },
                         { QStringLiteral("size_bytes"), double(sizeBytes) },
                         { QStringLiteral("sha256"), sha256 } };
}

namespace {

// Hex SHA-256 through libcrypto (io/sha256.h).
Result<QByteArray> hashFile(const QString &path)
{
    auto hex = io::sha256OfFile(path);
    if (!hex)
        return hex.error();
    return hex->toLatin1();
}

}  // namespace

Result<InputFileInfo> describeInputFile(const QString &role, const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error::badInput(QStringLiteral("no such file or directory"), path);
    InputFileInfo result { role, info.absoluteFilePath(), 0, {} };
    if (!info.isDir()) {
        auto digest = hashFile(path);
        if (!digest)
            return digest.error();
        result.sizeBytes = info.size();
        result.sha256 = QString::fromLatin1(*digest);
        return result;
    }
    QStringList files;
    QDirIterator it(path, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    std::sort(files.begin(), files.end());
    QCryptographicHash combined(QCryptographicHash::Sha256);
    const QDir root(path);
    for (const QString &file : files) {
        auto digest = hashFile(file);
        if (!digest)
            return digest.error();
        combined.addData(root.relativeFilePath(file).toUtf8() + '\0' + *digest + '\n');
        result.sizeBytes += QFileInfo(file).size();
    }
    result.sha256 = QString::fromLatin1(combined.result().toHex());
    return result;
}

}  // namespace pcs

namespace pcs {

Result<InputFileInfo> describeInputFileUnhashed(const QString &role, const QString &path,
                                                const QString &knownSha256)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error::badInput(QStringLiteral("no such file or directory"), path);
    return InputFileInfo { role, info.absoluteFilePath(), info.isDir() ? 0 : info.size(),
                           knownSha256 };
}

}  // namespace pcs
