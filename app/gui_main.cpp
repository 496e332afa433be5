#include "mainwindow.h"

#include "pcstudio_version.h"

#include <QApplication>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("pcstudio"));
    QApplication::setApplicationDisplayName(QStringLiteral("Perplexity Correlations Studio"));
    QApplication::setOrganizationName(QStringLiteral("pcstudio"));
    QApplication::setApplicationVersion(QStringLiteral(PCSTUDIO_VERSION));
    QApplication::setDesktopFileName(QStringLiteral(PCSTUDIO_APP_ID));

    pcs::MainWindow window;
    window.show();
    return app.exec();
}
