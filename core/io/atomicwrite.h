#pragma once

#include "core/common/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace pcs {

// Receives output in pieces; returns false when writing failed (the writer then stops).
using ByteSink = std::function<bool(const char *data, qint64 size)>;

// One output file, all or nothing. The bytes go to a temporary file beside the target
// (".NAME.pcstudio-tmp.HOST.PID.RANDOM", same file system, so the final rename is atomic);
// every write is checked (short writes, ENOSPC, EIO, a failed flush or fsync), and the target
// is replaced only once every byte is on disk. Not QSaveFile: on Qt 6.4 its commit() reports
// success after its last buffered flush failed, which published truncated files on full disks.
//
// A symbolic link as target is followed (the link stays, the file it names is replaced). A
// target that exists and is not a regular file (a folder, FIFO or device) is refused. An
// existing target keeps its permissions. Temporary files that a killed process of this host
// left for the same target are removed when the next one is created.
class AtomicFile {
public:
    // Errors: the folder is missing or the target is not a regular file (BadInput); the
    // temporary file cannot be created (Io: e.g. a read-only or full file system).
    static Result<std::unique_ptr<AtomicFile>> create(const QString &targetPath);
    ~AtomicFile();  // discards the temporary file unless committed
    AtomicFile(const AtomicFile &) = delete;
    AtomicFile &operator=(const AtomicFile &) = delete;

    // Buffered (1 MiB). The first failure is kept: every later call returns it again.
    Status write(const char *data, qint64 size);
    Status write(QByteArrayView bytes) { return write(bytes.data(), bytes.size()); }
    // A sink for producers that write through a ByteSink; false after the first failure.
    ByteSink sink();
    // The first failure, if any (so producers that ignore the sink's answer are still caught).
    Status status() const;

    // Flushes, syncs and closes the temporary file: its bytes are on disk, not yet published.
    Status finish();
    // finish(), then renames the temporary file over the target and syncs the folder.
    Status commit();
    // For a library that writes the file itself by name (fastText's saveModel): closes our
    // handle so it can write to temporaryPath(); commit() then syncs what it wrote.
    void releaseForExternalWriter();
    void discard();

    const QString &targetPath() const { return m_target; }  // symbolic links resolved
    const QString &temporaryPath() const { return m_temporary; }
    qint64 bytesWritten() const { return m_written; }

private:
    AtomicFile(QString target, QString temporary, int descriptor, int mode);
    Status flushBuffer();
    Status fail(Error error);

    QString m_target;
    QString m_temporary;
    int m_descriptor = -1;
    int m_mode = -1;  // permissions to give the published file; -1 = the default
    QByteArray m_buffer;
    qint64 m_written = 0;
    bool m_external = false;
    bool m_finished = false;
    bool m_committed = false;
    std::optional<Error> m_failure;
};

// Several files published together (a matrix and its name files, curated + dropped + log, an
// output and its report): each is written as an AtomicFile; publish() writes a journal beside
// every member listing all renames, performs them, then removes the journals. A process killed
// between two renames leaves journals, and the next writer or reader of any member finishes the
// renames (recoverInterruptedOutputs), so the files never mix two generations.
class OutputSet {
public:
    OutputSet() = default;
    ~OutputSet();  // discards whatever was not published
    OutputSet(const OutputSet &) = delete;
    OutputSet &operator=(const OutputSet &) = delete;

    // The file to write for `targetPath`; owned by the set. "-" is not allowed here.
    Result<AtomicFile *> add(const QString &targetPath);
    // Every file finished and on disk first; nothing is replaced if any of them failed.
    Status publish();
    void discard();
    bool isEmpty() const { return m_files.empty(); }

    // Tests only: called after each rename of publish() with the count done so far (a test
    // kills the process there to leave an interrupted publication behind).
    static void setAfterRenameHookForTesting(std::function<void(int renamed)> hook);

private:
    std::vector<std::unique_ptr<AtomicFile>> m_files;
};

// When an earlier publication that includes `path` was interrupted (its writer is gone), finishes
// it: the journal proves every file of the set was complete. Answers whether anything was done
// (for a warning). Errors: the writer is still running (BadInput, naming its PID), or the renames
// fail (Io). Nothing to do is success.
Result<bool> recoverInterruptedOutputs(const QString &path);

// Writes a file atomically through AtomicFile, or to standard output when path is "-".
// `produce` writes the content through the sink.
Status writeAtomically(const QString &path, const std::function<void(const ByteSink &)> &produce);
Status writeAtomically(const QString &path, const QByteArray &content);

// The file system's answer for errno as an Io error naming the file: "cannot write: No space
// left on device".
Error ioError(const QString &what, int errorNumber, const QString &path);

}  // namespace pcs
