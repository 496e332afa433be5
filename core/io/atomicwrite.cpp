#include "io/atomicwrite.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <cstdio>

namespace pcs {

Status writeAtomically(const QString &path, const std::function<void(const ByteSink &)> &produce)
{
    if (path == QLatin1String("-")) {
        bool ok = true;
        produce([&](const char *data, qint64 size) {
            ok = ok && std::fwrite(data, 1, size_t(size), stdout) == size_t(size);
            return ok;
        });
        ok = std::fflush(stdout) == 0 && ok;
        if (!ok)
            return Error::internal(QStringLiteral("cannot write to standard output"), path);
        return Done{};
    }
    const QString dir = QFileInfo(path).absolutePath();
    if (!QFileInfo(dir).isDir())
        return Error::badInput(QStringLiteral("output folder does not exist: %1").arg(dir), path);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error::badInput(QStringLiteral("cannot write: %1").arg(file.errorString()), path);
    produce([&](const char *data, qint64 size) { return file.write(data, size) == size; });
    if (!file.commit())
        return Error::internal(QStringLiteral("cannot write: %1").arg(file.errorString()), path);
    return Done{};
}

Status writeAtomically(const QString &path, const QByteArray &content)
{
    return writeAtomically(path, [&](const ByteSink &sink) { sink(content.constData(), content.size()); });
}

}  // namespace pcs
