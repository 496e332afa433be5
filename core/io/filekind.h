#pragma once

#include "core/common/result.h"

#include <QString>

#include <string_view>

namespace pcs {

// What a path names, found with stat(2) (symbolic links followed) and never by opening it:
// opening a FIFO for reading blocks until a writer appears, and opening a device may act on it
// (a tape rewinds, a terminal becomes the controlling one).
enum class FileKind {
    Missing,
    Inaccessible,  // stat failed for another reason (permissions, a loop of links)
    Regular,
    Directory,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
    Other,
};

// `errorNumber` receives errno when the kind is Missing or Inaccessible.
FileKind fileKindOf(const QString &path, int *errorNumber = nullptr);

// "a FIFO", "a character device", "a directory", ... for messages.
QString fileKindDescription(FileKind kind);

// Success only for a regular file. Otherwise a BadInput error naming the path: "file does not
// exist", or "not a regular file (a FIFO)" (a directory, a device, a socket), or why stat failed.
Status checkRegularFile(const QString &path);

// As checkRegularFile, but a directory is accepted too (inputs that may be a folder of files,
// such as lm-evaluation-harness results).
Status checkRegularFileOrDirectory(const QString &path);

namespace io {

// Why the first bytes of a file show that it is not the text a CSV/TSV or JSON reader expects
// ("it contains NUL bytes", "it looks like a PNG image", "it is not UTF-8 text"), or an empty
// string when it may be such text. Says what the content looks like and never quotes it.
// Occasional invalid bytes in otherwise plain text (a Latin-1 accent) are left to the reader,
// which points at them.
QString describeNonTextContent(std::string_view head);

}  // namespace io

}  // namespace pcs
