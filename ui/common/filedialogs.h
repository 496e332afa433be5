#pragma once

#include <QString>
#include <QStringList>

class QWidget;

namespace pcs {

// What a file dialog is for. Each role remembers the folder it was last used in (QSettings key
// settingsKey(role)), so opening a review project does not start in the folder of the last
// export, and a restarted app opens where the user left off.
enum class FileRole {
    Workspace,  // .pcstudio workspaces and data files opened from the main window
    Export,  // distributions, tables, charts
    Filter,  // fastText models and corpora
    ReviewProject,  // review queues (.sqlite)
    ReviewInput,  // JSONL files imported into a review queue
    ReviewExport,  // curated, dropped, decision log, batch requests
    Criteria,  // review criteria (.json)
};

namespace filedialogs {

// The filters the pages share.
QString jsonlFilter();  // JSON Lines, plain or compressed, and all files
QString reviewQueueFilter();  // *.sqlite
QString csvFilter();
QString jsonFilter();

QString settingsKey(FileRole role);
// The folder the role was last used in: the remembered one while it exists, else the one of
// a related role, else the home folder.
QString lastDirectory(FileRole role);
void rememberDirectory(FileRole role, const QString &filePath);

// The Qt file dialogs, started in lastDirectory(role) and remembering the chosen folder.
// Empty (or an empty list) when the user cancels.
QString openFile(QWidget *parent, FileRole role, const QString &title, const QString &filter);
QStringList openFiles(QWidget *parent, FileRole role, const QString &title, const QString &filter);
// `suggestedName` is proposed in the remembered folder. A name typed without a suffix gets
// `defaultSuffix` (without the dot), when given.
QString saveFile(QWidget *parent, FileRole role, const QString &title, const QString &suggestedName,
                 const QString &filter, const QString &defaultSuffix = {});

}  // namespace filedialogs

}  // namespace pcs
