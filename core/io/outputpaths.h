#pragma once

#include "core/common/result.h"

#include <QList>
#include <QString>

namespace pcs {

// A file a command reads or writes, with what it is for the user ("the BPB matrix", "--report").
struct NamedPath {
    QString path;
    QString role;
};

// Refuses, before anything is written, any output that would replace an input, another output,
// or a file inside an input folder. Paths are compared as the files they name: symbolic links
// resolved, and hard links caught by device and inode. "-" (standard output) and empty paths are
// skipped. Error (BadInput) names both paths and their roles.
Status checkOutputsAgainstInputs(const QList<NamedPath> &outputs, const QList<NamedPath> &inputs);

// A BPB matrix with the files that belong to it: for NAME.npy, the names NAME.texts.txt and
// NAME.llms.txt beside it (what bpb aggregate writes and the loader reads by default).
QList<NamedPath> bpbMatrixFiles(const QString &path, const QString &role);

// An SQLite database with the files SQLite keeps beside it (-wal, -shm, -journal): replacing any
// of them damages the database.
QList<NamedPath> sqliteFiles(const QString &path, const QString &role);

}  // namespace pcs
