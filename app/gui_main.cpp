#include "core/io/atomicwrite.h"
#include "ui/window/mainwindow.h"

#include "pcstudio_version.h"

#include <QApplication>
#include <QBuffer>
#include <QCommandLineParser>
#include <QTimer>

#include <csignal>

int main(int argc, char *argv[])
{
    // Past a file-size limit (ulimit -f) writes must fail with EFBIG, which every output reports
    // as an error naming the file; SIGXFSZ would kill the process without a word instead.
    std::signal(SIGXFSZ, SIG_IGN);
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
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  QStringLiteral("Open the built-in demo workspace."));
    parser.addOption(demo);
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Save a PNG of the window after --quit-after milliseconds, then quit."),
        QStringLiteral("file"));
    const QCommandLineOption quitAfter(
        QStringLiteral("quit-after"),
        QStringLiteral("Quit after this many milliseconds (start-up checks)."),
        QStringLiteral("ms"));
    const QCommandLineOption stage(
        QStringLiteral("stage"),
        QStringLiteral("Show this stage at start: 1 Data, 2 Selection, 3 Distribution, "
                       "4 Compare, 5 Filter, 6 Review."),
        QStringLiteral("n"));
    const QCommandLineOption size(QStringLiteral("size"),
                                  QStringLiteral("Window size, e.g. 1280x720 (for screenshots)."),
                                  QStringLiteral("WxH"));
    const QCommandLineOption theme(QStringLiteral("theme"),
                                   QStringLiteral("Theme for this run: system, light or dark."),
                                   QStringLiteral("name"));
    parser.addOptions({ screenshot, quitAfter, stage, size, theme });
    parser.addPositionalArgument(QStringLiteral("workspace"),
                                 QStringLiteral("A .pcstudio workspace to open."),
                                 QStringLiteral("[workspace]"));
    parser.process(app);

    pcs::MainWindow window;
    if (parser.isSet(theme))
        window.useTheme(parser.value(theme), false);
    if (parser.isSet(size)) {
        const QStringList wh = parser.value(size).split(QLatin1Char('x'));
        if (wh.size() == 2 && wh[0].toInt() > 0 && wh[1].toInt() > 0)
            window.resize(wh[0].toInt(), wh[1].toInt());
        else
            qWarning("--size: expected WIDTHxHEIGHT, e.g. 1280x720");
    }
    window.show();
    if (parser.isSet(demo))
        window.openDemo();
    else if (!parser.positionalArguments().isEmpty())
        window.openWorkspace(parser.positionalArguments().first());
    if (parser.isSet(quitAfter) || parser.isSet(screenshot)) {
        const int delay = parser.isSet(quitAfter) ? parser.value(quitAfter).toInt() : 3000;
        QTimer::singleShot(delay, &app, [&] {
            if (parser.isSet(stage))
                window.showStage(parser.value(stage).toInt() - 1);
            QTimer::singleShot(300, &app, [&] {
                if (parser.isSet(screenshot)) {
                    QByteArray png;
                    QBuffer buffer(&png);
                    buffer.open(QIODevice::WriteOnly);
                    const bool encoded = window.grab().save(&buffer, "PNG");
                    const pcs::Status written = encoded
                        ? pcs::writeAtomically(parser.value(screenshot), png)
                        : pcs::Status(pcs::Error::internal(QStringLiteral("cannot encode the PNG"),
                                                           parser.value(screenshot)));
                    if (!written)
                        qWarning("%s", qPrintable(written.error().toString()));
                }
                window.session()->cancel();
                app.exit(0);
            });
        });
    }
    return app.exec();
}
