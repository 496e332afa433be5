#include "ui/common/filedialogs.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QObject>
#include <QSettings>

namespace pcs::filedialogs {

namespace {

// The role asked about first, then the roles whose folder is a good guess for it.
QList<FileRole> fallbacks(FileRole role)
{
    switch (role) {
    case FileRole::ReviewInput:
    case FileRole::ReviewExport:
    case FileRole::Criteria:
        return { role, FileRole::ReviewProject, FileRole::Workspace };
    case FileRole::ReviewProject:
    case FileRole::Export:
    case FileRole::Filter:
        return { role, FileRole::Workspace };
    case FileRole::Workspace:
        break;
    }
    return { role };
}

}  // namespace

QString jsonlFilter()
{
    return QObject::tr("JSON Lines (*.jsonl *.jsonl.gz *.jsonl.zst *.json);;All files (*)");
}

QString reviewQueueFilter()
{
    return QObject::tr("Review queue (*.sqlite);;All files (*)");
}

QString csvFilter()
{
    return QObject::tr("CSV (*.csv);;All files (*)");
}

QString jsonFilter()
{
    return QObject::tr("JSON (*.json);;All files (*)");
}

QString settingsKey(FileRole role)
{
    // The first four are the keys the pages used before this file; kept so folders carry over.
    switch (role) {
    case FileRole::Workspace:
        return QStringLiteral("files/lastDir");
    case FileRole::Export:
        return QStringLiteral("files/exportDir");
    case FileRole::Filter:
        return QStringLiteral("files/filterDir");
    case FileRole::ReviewProject:
        return QStringLiteral("files/reviewDir");
    case FileRole::ReviewInput:
        return QStringLiteral("files/reviewInputDir");
    case FileRole::ReviewExport:
        return QStringLiteral("files/reviewExportDir");
    case FileRole::Criteria:
        return QStringLiteral("files/criteriaDir");
    }
    return QStringLiteral("files/lastDir");
}

QString lastDirectory(FileRole role)
{
    const QSettings settings;
    for (FileRole candidate : fallbacks(role)) {
        const QString dir = settings.value(settingsKey(candidate)).toString();
        if (!dir.isEmpty() && QFileInfo(dir).isDir())
            return dir;
    }
    return QDir::homePath();
}

void rememberDirectory(FileRole role, const QString &filePath)
{
    if (filePath.isEmpty())
        return;
    QSettings().setValue(settingsKey(role), QFileInfo(filePath).absolutePath());
}

QString openFile(QWidget *parent, FileRole role, const QString &title, const QString &filter)
{
    const QString path = QFileDialog::getOpenFileName(parent, title, lastDirectory(role), filter);
    rememberDirectory(role, path);
    return path;
}

QStringList openFiles(QWidget *parent, FileRole role, const QString &title, const QString &filter)
{
    const QStringList paths
        = QFileDialog::getOpenFileNames(parent, title, lastDirectory(role), filter);
    if (!paths.isEmpty())
        rememberDirectory(role, paths.first());
    return paths;
}

QString saveFile(QWidget *parent, FileRole role, const QString &title, const QString &suggestedName,
                 const QString &filter, const QString &defaultSuffix)
{
    QString path = QFileDialog::getSaveFileName(
        parent, title, QDir(lastDirectory(role)).filePath(suggestedName), filter);
    if (path.isEmpty())
        return path;
    if (!defaultSuffix.isEmpty() && QFileInfo(path).suffix().isEmpty())
        path += QLatin1Char('.') + defaultSuffix;
    rememberDirectory(role, path);
    return path;
}

}  // namespace pcs::filedialogs
