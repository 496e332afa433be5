#include "io/fileinfo.h"

#include "io/filekind.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace pcs {

QJsonObject InputFileInfo::toJson() const
{
    return QJsonObject{{QStringLiteral("role"), role},
                       {QStringLiteral("path"), path},
                       {QStringLiteral("size_bytes"), double(sizeBytes)},
                       {QStringLiteral("sha256"), sha256}};
}

namespace {

Result<QByteArray> hashFile(const QString &path)
{
    if (Status regular = checkRegularFile(path); !regular)
        return regular.error();  // before opening: a FIFO would block, a device never end
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::badInput(QStringLiteral("cannot open: %1").arg(file.errorString()), path);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&file))
        return Error::internal(QStringLiteral("cannot read: %1").arg(file.errorString()), path);
    return hash.result();
}

}  // namespace

Result<InputFileInfo> describeInputFile(const QString &role, const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return Error::badInput(QStringLiteral("no such file or directory"), path);
    InputFileInfo result{role, info.absoluteFilePath(), 0, {}};
    if (!info.isDir()) {
        auto digest = hashFile(path);
        if (!digest)
            return digest.error();
        result.sizeBytes = info.size();
        result.sha256 = QString::fromLatin1(digest->toHex());
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
        combined.addData(root.relativeFilePath(file).toUtf8() + '\0' + digest->toHex() + '\n');
        result.sizeBytes += QFileInfo(file).size();
    }
    result.sha256 = QString::fromLatin1(combined.result().toHex());
    return result;
}

}  // namespace pcs
