#include "window/mainwindow.h"

#include "pcstudio_version.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("pcstudio"));
    QApplication::setApplicationDisplayName(QStringLiteral("Perplexity Correlations Studio"));
    QApplication::setOrganizationName(QStringLiteral("pcstudio"));
    QApplication::setApplicationVersion(QStringLiteral(PCSTUDIO_VERSION));
    QApplication::setDesktopFileName(QStringLiteral(PCSTUDIO_APP_ID));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Perplexity Correlations Studio"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption demo(QStringLiteral("demo"), QStringLiteral("Open the built-in demo workspace."));
    parser.addOption(demo);
    parser.process(app);

    pcs::MainWindow window;
    window.show();
    return app.exec();
}
