#include "app/cli/clicommands.h"

#include "pcstudio_version.h"

#include <QCoreApplication>

#include <csignal>
#include <exception>
#include <new>

int main(int argc, char *argv[])
{
    // Past a file-size limit (ulimit -f) writes must fail with EFBIG, which every output reports
    // as an error naming the file; SIGXFSZ would kill the process without a word instead.
    std::signal(SIGXFSZ, SIG_IGN);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("pcstudio-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PCSTUDIO_VERSION));
    try {
        return pcs::cli::runCli(QCoreApplication::arguments().mid(1));
    } catch (const std::bad_alloc &) {
        std::fputs("pcstudio-cli: out of memory\n", stderr);
    } catch (const std::exception &error) {
        std::fprintf(stderr, "pcstudio-cli: internal error: %s\n", error.what());
    }
    return 1;
}
