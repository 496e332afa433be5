#pragma once

#include "core/common/result.h"

#include <QJsonObject>
#include <QString>

namespace pcs {

// Provenance of one input file: what it was called, how big it was and its SHA-256.
struct InputFileInfo {
    QString role;  // "bpb", "errors", "token_counts", ...
    QString path;  // absolute
    qint64 sizeBytes = 0;
    QString sha256;  // hex; for a directory, the hash of its files' names and hashes

    QJsonObject toJson() const;
};

// Hashes a file (or every regular file below a directory, in sorted order).
Result<InputFileInfo> describeInputFile(const QString &role, const QString &path);

// The same without reading the file: with a hash computed while it was loaded, or none
// (an empty sha256, for --no-hash).
Result<InputFileInfo> describeInputFileUnhashed(const QString &role, const QString &path,
                                                const QString &knownSha256 = {});

}  // namespace pcs
