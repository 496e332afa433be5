#include "core/io/outputpaths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <optional>

#include <sys/stat.h>

namespace pcs {

namespace {

// Where a path leads: its absolute path with every symbolic link resolved (also for a file that
// does not exist yet, through its folder), and the file's identity when it exists.
struct Location {
    QString resolved;
    std::optional<std::pair<dev_t, ino_t>> identity;
    bool isFolder = false;
};

QString resolvedPath(const QString &path)
{
    const QFileInfo info(path);
    if (const QString canonical = info.canonicalFilePath(); !canonical.isEmpty())
        return canonical;
    // Not there (yet), or a dangling link: resolve the folder, keep the name.
    QString target = info.absoluteFilePath();
    for (int depth = 0; depth < 40 && QFileInfo(target).isSymLink(); ++depth)
        target = QFileInfo(target).symLinkTarget();
    const QFileInfo targetInfo(target);
    const QString folder = QFileInfo(targetInfo.absolutePath()).canonicalFilePath();
    return (folder.isEmpty() ? targetInfo.absolutePath() : folder) + QLatin1Char('/')
        + targetInfo.fileName();
}

Location locate(const QString &path)
{
    Location location { resolvedPath(path), std::nullopt, false };
    struct stat status { };
    if (::stat(QFile::encodeName(path).constData(), &status) == 0) {
        location.identity = std::make_pair(status.st_dev, status.st_ino);
        location.isFolder = S_ISDIR(status.st_mode);
    }
    return location;
}

bool sameFile(const Location &a, const Location &b)
{
    if (a.identity && b.identity)
        return *a.identity == *b.identity;
    return a.resolved == b.resolved;
}

bool skipped(const NamedPath &named)
{
    return named.path.isEmpty() || named.path == QLatin1String("-");
}

QString describe(const NamedPath &named, const Location &location)
{
    QString text = QStringLiteral("%1 (%2)").arg(named.path, named.role);
    if (QDir::cleanPath(QFileInfo(named.path).absoluteFilePath()) != location.resolved)
        text += QStringLiteral(", which is %1").arg(location.resolved);
    return text;
}

}  // namespace

Status checkOutputsAgainstInputs(const QList<NamedPath> &outputs, const QList<NamedPath> &inputs)
{
    QList<Location> inputLocations;
    for (const NamedPath &input : inputs)
        inputLocations << (skipped(input) ? Location {} : locate(input.path));
    QList<Location> outputLocations;
    for (qsizetype i = 0; i < outputs.size(); ++i) {
        const NamedPath &output = outputs[i];
        if (skipped(output)) {
            outputLocations << Location {};
            continue;
        }
        const Location location = locate(output.path);
        for (qsizetype j = 0; j < inputs.size(); ++j) {
            if (skipped(inputs[j]))
                continue;
            const Location &input = inputLocations[j];
            const bool inside
                = input.isFolder && location.resolved.startsWith(input.resolved + QLatin1Char('/'));
            if (sameFile(location, input) || inside)
                return Error::badInput(
                    QStringLiteral("refusing to write %1: it %2 the input %3")
                        .arg(describe(output, location),
                             inside ? QStringLiteral("lies inside") : QStringLiteral("is"),
                             describe(inputs[j], input)),
                    output.path);
        }
        for (qsizetype j = 0; j < i; ++j) {
            if (!skipped(outputs[j]) && sameFile(location, outputLocations[j]))
                return Error::badInput(
                    QStringLiteral("refusing to write %1: it is also the output "
                                   "%2")
                        .arg(describe(output, location), describe(outputs[j], outputLocations[j])),
                    output.path);
        }
        outputLocations << location;
    }
    return Done {};
}

QList<NamedPath> bpbMatrixFiles(const QString &path, const QString &role)
{
    QList<NamedPath> files { { path, role } };
    if (path.endsWith(QLatin1String(".npy"), Qt::CaseInsensitive)) {
        const QFileInfo info(path);
        const QString base = info.path() + QLatin1Char('/') + info.completeBaseName();
        files << NamedPath { base + QStringLiteral(".texts.txt"),
                             role + QStringLiteral(" (text names)") }
              << NamedPath { base + QStringLiteral(".llms.txt"),
                             role + QStringLiteral(" (LLM names)") };
    }
    return files;
}

QList<NamedPath> sqliteFiles(const QString &path, const QString &role)
{
    QList<NamedPath> files { { path, role } };
    for (const char *suffix : { "-wal", "-shm", "-journal" })
        files << NamedPath { path + QLatin1String(suffix), role };
    return files;
}

}  // namespace pcs
