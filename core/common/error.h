#pragma once

#include <QList>
#include <QMetaType>
#include <QString>

namespace pcs {

// What went wrong decides the CLI exit code and whether the UI shows it as the user's problem.
enum class ErrorKind {
    BadInput,  // the user's file or parameters: exit code 2
    Canceled,  // the user asked to stop
    Internal,  // our fault or the machine's (out of memory): exit code 1
    Io,  // the file system failed us (a full disk, EIO, read-only): exit code 1
};

// An error (or warning) as a value: where it is and why, never a dialog.
struct Error {
    ErrorKind kind = ErrorKind::BadInput;
    QString file;
    qint64 line = 0;  // 1-based; 0 = not applicable
    qint64 column = 0;  // 1-based; 0 = not applicable
    QString reason;

    // "FILE:LINE:COLUMN: reason", leaving out the parts that do not apply.
    QString toString() const;

    static Error badInput(QString reason, QString file = {}, qint64 line = 0, qint64 column = 0);
    static Error internal(QString reason, QString file = {});
    static Error io(QString reason, QString file = {});
    static Error canceled();
};

using Warnings = QList<Error>;

}  // namespace pcs

// Errors travel in queued signals (sessions report from worker threads).
Q_DECLARE_METATYPE(pcs::Error)
