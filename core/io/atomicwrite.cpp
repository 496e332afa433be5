#include "core/io/atomicwrite.h"

#include "core/io/filekind.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSysInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pcs {

namespace {

constexpr qint64 kBufferBytes = 1 << 20;
const QLatin1String kTemporaryMarker(".pcstudio-tmp.");
const QLatin1String kJournalSuffix(".pcstudio-journal");

QByteArray nativePath(const QString &path)
{
    return QFile::encodeName(path);
}

// Host names may hold dots; the temporary-file name is split on them from the right.
QString hostTag()
{
    QString host = QSysInfo::machineHostName();
    for (QChar &c : host) {
        if (!c.isLetterOrNumber() && c != QLatin1Char('-'))
            c = QLatin1Char('_');
    }
    return host.isEmpty() ? QStringLiteral("host") : host;
}

bool processIsAlive(qint64 pid)
{
    if (pid <= 0)
        return false;
    return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

// Follows symbolic links (up to a sane depth): outputs replace the file a link names.
QString resolveLinks(const QString &path)
{
    QString current = QFileInfo(path).absoluteFilePath();
    for (int depth = 0; depth < 40; ++depth) {
        const QFileInfo info(current);
        if (!info.isSymLink())
            return current;
        current = info.symLinkTarget();
    }
    return current;
}

QString journalPathFor(const QString &target)
{
    const QFileInfo info(target);
    return info.absolutePath() + QStringLiteral("/.") + info.fileName() + kJournalSuffix;
}

int syncFolder(const QString &folder)
{
    const int descriptor
        = ::open(nativePath(folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (descriptor < 0)
        return errno;
    int result = 0;
    if (::fsync(descriptor) != 0 && errno != EINVAL)
        result = errno;
    ::close(descriptor);
    return result;
}

// Writes every byte, retrying interrupted and short writes; answers errno or 0.
int writeAll(int descriptor, const char *data, qint64 size)
{
    while (size > 0) {
        const ssize_t written = ::write(descriptor, data, size_t(std::min<qint64>(size, 1 << 30)));
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (written == 0)
            return EIO;
        data += written;
        size -= written;
    }
    return 0;
}

// A small file written beside its target and renamed over it (journals); answers errno or 0.
int writeSmallFileAtomically(const QString &path, const QByteArray &content)
{
    const QString temporary = path + QStringLiteral(".%1.new").arg(::getpid());
    const QByteArray native = nativePath(temporary);
    const int descriptor
        = ::open(native.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (descriptor < 0)
        return errno;
    int error = writeAll(descriptor, content.constData(), content.size());
    if (error == 0 && ::fsync(descriptor) != 0)
        error = errno;
    if (::close(descriptor) != 0 && error == 0)
        error = errno;
    if (error == 0 && ::rename(native.constData(), nativePath(path).constData()) != 0)
        error = errno;
    if (error != 0)
        ::unlink(native.constData());
    return error;
}

// Removes temporary files for `target` that a process of this host left when it died.
void removeStaleTemporaries(const QString &target)
{
    const QFileInfo info(target);
    const QString prefix = QStringLiteral(".") + info.fileName() + kTemporaryMarker;
    const QString host = hostTag();
    const QDir folder = info.absoluteDir();
    const QStringList names = folder.entryList({ prefix + QLatin1Char('*') },
                                               QDir::Files | QDir::Hidden | QDir::System);
    for (const QString &name : names) {
        // prefix HOST.PID.RANDOM
        const QStringList parts = name.mid(prefix.size()).split(QLatin1Char('.'));
        if (parts.size() < 3)
            continue;
        const QString owner = parts.mid(0, parts.size() - 2).join(QLatin1Char('.'));
        bool ok = false;
        const qint64 pid = parts.at(parts.size() - 2).toLongLong(&ok);
        if (ok && owner == host && !processIsAlive(pid))
            QFile::remove(folder.filePath(name));
    }
}

}  // namespace

Error ioError(const QString &what, int errorNumber, const QString &path)
{
    return Error::io(
        QStringLiteral("%1: %2").arg(what, QString::fromLocal8Bit(std::strerror(errorNumber))),
        path);
}

// --- AtomicFile --------------------------------------------------------------------------------

AtomicFile::AtomicFile(QString target, QString temporary, int descriptor, int mode)
    : m_target(std::move(target))
    , m_temporary(std::move(temporary))
    , m_descriptor(descriptor)
    , m_mode(mode)
{
}

AtomicFile::~AtomicFile()
{
    discard();
}

Result<std::unique_ptr<AtomicFile>> AtomicFile::create(const QString &targetPath)
{
    if (targetPath.isEmpty() || targetPath == QLatin1String("-"))
        return Error::badInput(QStringLiteral("an output file name is needed here"), targetPath);
    const QString target = resolveLinks(targetPath);
    const QFileInfo info(target);
    const QString folder = info.absolutePath();
    if (!QFileInfo(folder).isDir())
        return Error::badInput(QStringLiteral("output folder does not exist: %1").arg(folder),
                               targetPath);
    int mode = -1;
    struct stat status { };
    if (::stat(nativePath(target).constData(), &status) == 0) {
        if (!S_ISREG(status.st_mode))
            return Error::badInput(
                QStringLiteral("the output exists and is not a regular file (a folder, FIFO or "
                               "device); use - for standard output"),
                targetPath);
        mode = int(status.st_mode & 07777);
    }
    if (Result<bool> recovered = recoverInterruptedOutputs(target); !recovered)
        return recovered.error();
    removeStaleTemporaries(target);

    for (int attempt = 0; attempt < 8; ++attempt) {
        const QString temporary
            = QStringLiteral("%1/.%2%3%4.%5.%6")
                  .arg(folder, info.fileName(), kTemporaryMarker, hostTag())
                  .arg(::getpid())
                  .arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
        const int descriptor = ::open(nativePath(temporary).constData(),
                                      O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (descriptor >= 0)
            return std::unique_ptr<AtomicFile>(new AtomicFile(target, temporary, descriptor, mode));
        if (errno != EEXIST)
            return ioError(QStringLiteral("cannot create a file in %1").arg(folder), errno,
                           targetPath);
    }
    return Error::io(QStringLiteral("cannot find a free temporary name in %1").arg(folder),
                     targetPath);
}

Status AtomicFile::fail(Error error)
{
    if (!m_failure)
        m_failure = std::move(error);
    return *m_failure;
}

Status AtomicFile::status() const
{
    if (m_failure)
        return *m_failure;
    return Done {};
}

Status AtomicFile::flushBuffer()
{
    if (m_buffer.isEmpty())
        return Done {};
    const int error = writeAll(m_descriptor, m_buffer.constData(), m_buffer.size());
    m_buffer.clear();
    if (error != 0)
        return fail(ioError(QStringLiteral("cannot write"), error, m_target));
    return Done {};
}

Status AtomicFile::write(const char *data, qint64 size)
{
    if (m_failure)
        return *m_failure;
    if (m_finished || m_external || m_descriptor < 0)
        return fail(Error::internal(QStringLiteral("write after the file was closed"), m_target));
    m_written += size;
    if (m_buffer.size() + size < kBufferBytes) {
        m_buffer.append(data, size);
        return Done {};
    }
    if (Status flushed = flushBuffer(); !flushed)
        return flushed;
    if (size >= kBufferBytes) {
        if (const int error = writeAll(m_descriptor, data, size); error != 0)
            return fail(ioError(QStringLiteral("cannot write"), error, m_target));
        return Done {};
    }
    m_buffer.append(data, size);
    return Done {};
}

ByteSink AtomicFile::sink()
{
    return [this](const char *data, qint64 size) { return bool(write(data, size)); };
}

void AtomicFile::releaseForExternalWriter()
{
    if (m_descriptor >= 0)
        ::close(m_descriptor);
    m_descriptor = -1;
    m_external = true;
}

Status AtomicFile::finish()
{
    if (m_failure)
        return *m_failure;
    if (m_finished)
        return Done {};
    if (m_external) {
        m_descriptor = ::open(nativePath(m_temporary).constData(), O_RDONLY | O_CLOEXEC);
        if (m_descriptor < 0)
            return fail(ioError(QStringLiteral("cannot reopen what was written"), errno, m_target));
    } else if (Status flushed = flushBuffer(); !flushed) {
        return flushed;
    }
    // fsync reports the write-back errors (ENOSPC, EIO) that write() may have deferred.
    if (::fsync(m_descriptor) != 0)
        return fail(ioError(QStringLiteral("cannot write"), errno, m_target));
    if (m_mode >= 0 && ::fchmod(m_descriptor, mode_t(m_mode)) != 0)
        return fail(ioError(QStringLiteral("cannot set the permissions"), errno, m_target));
    const int closed = ::close(m_descriptor);
    m_descriptor = -1;
    if (closed != 0)
        return fail(ioError(QStringLiteral("cannot write"), errno, m_target));
    m_finished = true;
    return Done {};
}

Status AtomicFile::commit()
{
    if (Status finished = finish(); !finished)
        return finished;
    if (m_committed)
        return Done {};
    if (::rename(nativePath(m_temporary).constData(), nativePath(m_target).constData()) != 0)
        return fail(ioError(QStringLiteral("cannot replace the file"), errno, m_target));
    m_committed = true;
    syncFolder(QFileInfo(m_target).absolutePath());
    return Done {};
}

void AtomicFile::discard()
{
    if (m_descriptor >= 0)
        ::close(m_descriptor);
    m_descriptor = -1;
    if (!m_committed && !m_temporary.isEmpty())
        ::unlink(nativePath(m_temporary).constData());
    m_committed = true;  // nothing left to do
    m_buffer.clear();
}

// --- OutputSet ---------------------------------------------------------------------------------

namespace {
std::function<void(int)> &afterRenameHook()
{
    static std::function<void(int)> hook;
    return hook;
}
}  // namespace

void OutputSet::setAfterRenameHookForTesting(std::function<void(int renamed)> hook)
{
    afterRenameHook() = std::move(hook);
}

OutputSet::~OutputSet()
{
    discard();
}

Result<AtomicFile *> OutputSet::add(const QString &targetPath)
{
    auto file = AtomicFile::create(targetPath);
    if (!file)
        return file.error();
    for (const auto &existing : m_files) {
        if (existing->targetPath() == (*file)->targetPath())
            return Error::badInput(QStringLiteral("the same file is named for two outputs"),
                                   targetPath);
    }
    m_files.push_back(std::move(*file));
    return m_files.back().get();
}

void OutputSet::discard()
{
    for (auto &file : m_files)
        file->discard();
    m_files.clear();
}

Status OutputSet::publish()
{
    for (auto &file : m_files) {
        if (Status finished = file->finish(); !finished) {
            discard();
            return finished;
        }
    }
    if (m_files.size() == 1) {
        Status committed = m_files.front()->commit();
        m_files.clear();
        return committed;
    }
    // The journals say "every file below is complete": written only now, beside every member,
    // so that a reader of any member can finish an interrupted publication.
    QJsonArray renames;
    for (const auto &file : m_files)
        renames.append(QJsonObject { { QStringLiteral("temporary"), file->temporaryPath() },
                                     { QStringLiteral("target"), file->targetPath() } });
    const QByteArray journal
        = QJsonDocument(QJsonObject { { QStringLiteral("pcstudio_output_set"), 1 },
                                      { QStringLiteral("host"), hostTag() },
                                      { QStringLiteral("pid"), qint64(::getpid()) },
                                      { QStringLiteral("files"), renames } })
              .toJson(QJsonDocument::Compact);
    QStringList journals;
    for (const auto &file : m_files) {
        const QString path = journalPathFor(file->targetPath());
        if (const int error = writeSmallFileAtomically(path, journal); error != 0) {
            for (const QString &written : journals)
                QFile::remove(written);
            const Error failure
                = ioError(QStringLiteral("cannot write"), error, file->targetPath());
            discard();
            return failure;
        }
        journals << path;
    }
    Status result = Done {};
    int renamed = 0;
    for (auto &file : m_files) {
        if (Status committed = file->commit(); !committed && result)
            result = committed;
        if (afterRenameHook())
            afterRenameHook()(++renamed);
    }
    if (!result)
        return result;  // the journals stay: the next writer or reader finishes the renames
    for (const QString &path : journals)
        QFile::remove(path);
    m_files.clear();
    return Done {};
}

Result<bool> recoverInterruptedOutputs(const QString &path)
{
    const QString journalPath = journalPathFor(resolveLinks(path));
    QFile journalFile(journalPath);
    if (!journalFile.exists())
        return false;
    if (Status regular = checkRegularFile(journalPath); !regular)
        return regular.error();  // a FIFO in its place would block the open below
    if (!journalFile.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read the journal of an interrupted write"), errno,
                       journalPath);
    const QJsonObject journal = QJsonDocument::fromJson(journalFile.readAll()).object();
    journalFile.close();
    if (journal.value(QStringLiteral("pcstudio_output_set")).toInt() != 1)
        return Error::badInput(QStringLiteral("not a journal of an interrupted write: %1 (move it "
                                              "away if it is not pcstudio's)")
                                   .arg(journalPath),
                               path);
    const qint64 pid = qint64(journal.value(QStringLiteral("pid")).toDouble());
    const QString host = journal.value(QStringLiteral("host")).toString();
    if (pid != ::getpid() && (host != hostTag() || processIsAlive(pid))) {
        // Another host's writer cannot be checked; an old journal is taken as abandoned.
        const bool recent
            = QFileInfo(journalPath).lastModified().secsTo(QDateTime::currentDateTime()) < 600;
        if (host == hostTag() || recent)
            return Error::badInput(QStringLiteral("is being written by process %1 on %2 (journal "
                                                  "%3); try again when it is done")
                                       .arg(pid)
                                       .arg(host, journalPath),
                                   path);
    }
    const QJsonArray files = journal.value(QStringLiteral("files")).toArray();
    QStringList targets;
    for (const QJsonValue &entry : files) {
        const QString temporary = entry.toObject().value(QStringLiteral("temporary")).toString();
        const QString target = entry.toObject().value(QStringLiteral("target")).toString();
        targets << target;
        if (temporary.isEmpty() || target.isEmpty() || !QFileInfo::exists(temporary))
            continue;  // renamed before the interruption
        if (::rename(nativePath(temporary).constData(), nativePath(target).constData()) != 0)
            return ioError(QStringLiteral("cannot finish an interrupted write"), errno, target);
        syncFolder(QFileInfo(target).absolutePath());
    }
    for (const QString &target : targets)
        QFile::remove(journalPathFor(target));
    QFile::remove(journalPath);
    return true;
}

// --- writeAtomically ---------------------------------------------------------------------------

Status writeAtomically(const QString &path, const std::function<void(const ByteSink &)> &produce)
{
    if (path == QLatin1String("-")) {
        bool ok = true;
        int error = 0;
        produce([&](const char *data, qint64 size) {
            if (ok && std::fwrite(data, 1, size_t(size), stdout) != size_t(size)) {
                ok = false;
                error = errno;
            }
            return ok;
        });
        if (std::fflush(stdout) != 0 && ok) {
            ok = false;
            error = errno;
        }
        if (!ok)
            return ioError(QStringLiteral("cannot write to standard output"), error ? error : EIO,
                           path);
        return Done {};
    }
    auto file = AtomicFile::create(path);
    if (!file)
        return file.error();
    produce((*file)->sink());
    return (*file)->commit();
}

Status writeAtomically(const QString &path, const QByteArray &content)
{
    return writeAtomically(
        path, [&](const ByteSink &sink) { sink(content.constData(), content.size()); });
}

}  // namespace pcs
