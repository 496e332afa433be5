#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace pcs {

// Receives output in pieces; returns false when writing failed (the writer then stops).
using ByteSink = std::function<bool(const char *data, qint64 size)>;

// Writes a file atomically (QSaveFile: all or nothing, never a half-written file), or to
// standard output when path is "-". `produce` writes the content through the sink.
Status writeAtomically(const QString &path, const std::function<void(const ByteSink &)> &produce);
Status writeAtomically(const QString &path, const QByteArray &content);

}  // namespace pcs
