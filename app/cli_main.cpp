#include "clicommands.h"

#include "pcstudio_version.h"

#include <QCoreApplication>

#include <exception>
#include <new>

int main(int argc, char *argv[])
{
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
