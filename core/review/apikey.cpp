#include "review/apikey.h"

#include <QProcess>
#include <QStandardPaths>

namespace pcs {

namespace {

constexpr int kKeychainTimeoutMs = 5000;  // a locked keychain may prompt; do not hang on it

}  // namespace

QString apiKeyFor(const QString &baseUrl)
{
    const QString fromEnvironment = qEnvironmentVariable("OPENAI_API_KEY").trimmed();
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;

    const QString secretTool = QStandardPaths::findExecutable(QStringLiteral("secret-tool"));
    if (secretTool.isEmpty())
        return {};
    QProcess lookup;
    // The key comes back on stdout; only the attributes are on the command line.
    lookup.start(secretTool,
                 { QStringLiteral("lookup"), QStringLiteral("service"), QStringLiteral("pcstudio"),
                   QStringLiteral("url"), baseUrl });
    if (!lookup.waitForStarted(kKeychainTimeoutMs))
        return {};
    lookup.closeWriteChannel();
    if (!lookup.waitForFinished(kKeychainTimeoutMs)) {
        lookup.kill();
        lookup.waitForFinished(1000);
        return {};
    }
    if (lookup.exitStatus() != QProcess::NormalExit || lookup.exitCode() != 0)
        return {};
    return QString::fromUtf8(lookup.readAllStandardOutput()).trimmed();
}

}  // namespace pcs
