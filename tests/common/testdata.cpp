#include "tests/common/testdata.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace pcs::test {

QString upstreamDataDir()
{
    const QString dir = QStringLiteral(PCSTUDIO_SHARED_DATA_DIR "/upstream");
    return QFileInfo::exists(dir + QStringLiteral("/error.csv")) ? QDir(dir).canonicalPath()
                                                                 : QString();
}

QString upstreamFile(const QString &name)
{
    const QString dir = upstreamDataDir();
    return dir.isEmpty() ? QString() : dir + QLatin1Char('/') + name;
}

QString hostileDataDir()
{
    const QString dir = QStringLiteral(PCSTUDIO_SHARED_DATA_DIR "/hostile");
    return QFileInfo(dir).isDir() ? QDir(dir).canonicalPath() : QString();
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &contents)
{
    const QString path = dir.filePath(name);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write test file %s", qPrintable(path));
    file.write(contents);
    return path;
}

QString cliPath()
{
    return QStringLiteral(PCSTUDIO_CLI_PATH);
}

}  // namespace pcs::test
