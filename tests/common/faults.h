#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

#include <sys/resource.h>

namespace pcs::test {

// A full disk without a mount: caps the size of any file this process writes (RLIMIT_FSIZE), so
// a write past `bytes` fails with EFBIG. SIGXFSZ, which would kill the process, is ignored while
// the limit is in force. Restores both on destruction.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes);
    ~FileSizeLimit();
    FileSizeLimit(const FileSizeLimit &) = delete;
    FileSizeLimit &operator=(const FileSizeLimit &) = delete;

private:
    rlimit m_previous {};
    void (*m_previousHandler)(int) = nullptr;
};

// The outcome of a CLI run.
struct CliRun {
    int exitCode = -1;
    bool crashed = false;
    QByteArray out;
    QByteArray err;
};

// Runs pcstudio-cli with `arguments`; with fileSizeLimit > 0 the child process cannot write any
// file larger than that many bytes (its writes fail with EFBIG, as on a full disk). This thread's
// events are processed meanwhile (a server in this thread can answer the child).
CliRun runCli(const QStringList &arguments, qint64 fileSizeLimit = 0,
              const QString &workingDirectory = {}, int timeoutMs = 120000);

}  // namespace pcs::test
