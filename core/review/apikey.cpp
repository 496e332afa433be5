#include "core/review/apikey.h"

#include <QDeadlineTimer>
#include <QHostAddress>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

#include <algorithm>

namespace pcs {

namespace {

constexpr int kKeychainTimeoutMs = 10000;  // a locked keychain may prompt; do not hang on it

enum class Wait { Finished, TimedOut, Canceled };

// Waits for secret-tool in short slices, so that a cancel (the page closed, a newer lookup)
// ends the wait at once instead of after the keychain's timeout. Kills it unless it finished.
Wait waitForSecretTool(QProcess &process, const QDeadlineTimer &deadline,
                       const TaskControl &control)
{
    constexpr int kSliceMs = 25;
    while (!process.waitForFinished(int(std::min<qint64>(kSliceMs, deadline.remainingTime())))) {
        const bool canceled = control.isCanceled();
        if (canceled || deadline.hasExpired()) {
            process.kill();
            process.waitForFinished(1000);
            return canceled ? Wait::Canceled : Wait::TimedOut;
        }
    }
    return Wait::Finished;
}
const QString kOpenAiHost = QStringLiteral("api.openai.com");
const QString kOpenAiVariable = QStringLiteral("OPENAI_API_KEY");

bool hasControlCharacters(const QString &key)
{
    for (const QChar c : key)
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return true;
    return false;
}

// [start, end) of the authority (user:password@host:port) in a URL string; empty when none.
std::pair<qsizetype, qsizetype> authoritySpan(const QString &url)
{
    const qsizetype scheme = url.indexOf(QLatin1String("://"));
    if (scheme < 0)
        return { 0, 0 };
    const qsizetype start = scheme + 3;
    qsizetype end = start;
    while (end < url.size() && url[end] != QLatin1Char('/') && url[end] != QLatin1Char('?')
           && url[end] != QLatin1Char('#'))
        ++end;
    return { start, end };
}

bool isOpenAi(const QUrl &url)
{
    return url.scheme() == QLatin1String("https") && url.host() == kOpenAiHost
        && (url.port() == -1 || url.port() == 443);
}

QString insecureHow(KeyOptions::Caller caller)
{
    return caller == KeyOptions::Caller::App
        ? QStringLiteral("tick \"Send the key over plain HTTP\"")
        : QStringLiteral("pass --allow-insecure-key");
}

QString nameVariableHow(KeyOptions::Caller caller, const QString &variable)
{
    return caller == KeyOptions::Caller::App
        ? QStringLiteral("enter %1 as the endpoint's key variable").arg(variable)
        : QStringLiteral("pass --api-key-env %1").arg(variable);
}

}  // namespace

QString ResolvedEndpoint::sourceDescription() const
{
    switch (source) {
    case KeySource::Url:
        return QStringLiteral("the URL's credentials");
    case KeySource::Environment:
        return QStringLiteral("the environment variable %1").arg(variable);
    case KeySource::Keychain:
        return QStringLiteral("the keychain");
    case KeySource::None:
        break;
    }
    return QStringLiteral("none");
}

QString scrubbedEndpointUrl(const QString &url)
{
    const auto [start, end] = authoritySpan(url);
    const qsizetype at = url.lastIndexOf(QLatin1Char('@'), end - 1);
    if (end <= start || at < start)
        return url;
    return url.left(start) + url.mid(at + 1);
}

bool hasUrlCredentials(const QString &url)
{
    return scrubbedEndpointUrl(url) != url;
}

QString keychainUrl(const QString &url)
{
    QUrl parsed(scrubbedEndpointUrl(url.trimmed()));
    if (!parsed.isValid())
        return scrubbedEndpointUrl(url.trimmed());
    parsed.setUserInfo({});
    if ((parsed.scheme() == QLatin1String("https") && parsed.port() == 443)
        || (parsed.scheme() == QLatin1String("http") && parsed.port() == 80))
        parsed.setPort(-1);
    QString normalised = parsed.toString(QUrl::FullyEncoded);  // scheme and host lower-cased
    while (normalised.endsWith(QLatin1Char('/')))
        normalised.chop(1);
    return normalised;
}

bool isEnvironmentVariableName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    return pattern.match(name).hasMatch();
}

bool isLoopbackHost(const QString &host)
{
    QHostAddress address;
    if (address.setAddress(host))
        return address.isLoopback();
    const QString name = host.toLower();
    // RFC 6761: localhost and its subdomains are loopback; nothing else is assumed (no lookup).
    return name == QLatin1String("localhost") || name.endsWith(QLatin1String(".localhost"));
}

KeychainLookup lookUpKeychainKey(const QString &url, const TaskControl &control)
{
    const QString secretTool = QStandardPaths::findExecutable(QStringLiteral("secret-tool"));
    if (secretTool.isEmpty())
        return {};
    const QDeadlineTimer deadline(kKeychainTimeoutMs);
    QProcess lookup;
    // The key comes back on stdout; only the attributes are on the command line.
    lookup.start(secretTool,
                 { QStringLiteral("lookup"), QStringLiteral("service"), QStringLiteral("pcstudio"),
                   QStringLiteral("url"), url });
    if (!lookup.waitForStarted(int(deadline.remainingTime())))
        return { {}, QStringLiteral("secret-tool did not start: %1").arg(lookup.errorString()) };
    lookup.closeWriteChannel();
    if (const Wait waited = waitForSecretTool(lookup, deadline, control); waited == Wait::Canceled)
        return { {}, QStringLiteral("the lookup was canceled") };
    else if (waited == Wait::TimedOut)
        return { {},
                 QStringLiteral("the keychain did not answer within %1 s (locked?)")
                     .arg(kKeychainTimeoutMs / 1000) };
    if (lookup.exitStatus() != QProcess::NormalExit)
        return { {}, QStringLiteral("secret-tool crashed") };
    const QString key = QString::fromUtf8(lookup.readAllStandardOutput()).trimmed();
    if (lookup.exitCode() == 0)
        return { key, {} };
    // Exit code 1 without a word is "no such entry"; with one, the keychain is unreachable.
    const QString complaint = QString::fromUtf8(lookup.readAllStandardError()).trimmed();
    if (complaint.isEmpty())
        return {};
    return { {},
             QStringLiteral("secret-tool: %1").arg(complaint.section(QLatin1Char('\n'), 0, 0)) };
}

Status storeKeychainKey(const QString &url, const QString &key, const TaskControl &control)
{
    if (key.trimmed().isEmpty())
        return Error::badInput(QStringLiteral("no key to store"));
    if (hasControlCharacters(key.trimmed()))
        return Error::badInput(
            QStringLiteral("the key contains a line break or another control character"));
    const QString secretTool = QStandardPaths::findExecutable(QStringLiteral("secret-tool"));
    if (secretTool.isEmpty())
        return Error::badInput(QStringLiteral(
            "secret-tool is not installed, so there is no keychain to store the key in "
            "(Debian: apt install libsecret-tools)"));
    const QString entryUrl = keychainUrl(url);
    const QDeadlineTimer deadline(kKeychainTimeoutMs);
    QProcess store;
    store.start(
        secretTool,
        { QStringLiteral("store"), QStringLiteral("--label=pcstudio API key for %1").arg(entryUrl),
          QStringLiteral("service"), QStringLiteral("pcstudio"), QStringLiteral("url"), entryUrl });
    if (!store.waitForStarted(int(deadline.remainingTime())))
        return Error::internal(
            QStringLiteral("secret-tool did not start: %1").arg(store.errorString()));
    // The key goes to standard input without a newline: secret-tool keeps what it reads.
    store.write(key.trimmed().toUtf8());
    store.closeWriteChannel();
    if (const Wait waited = waitForSecretTool(store, deadline, control); waited == Wait::Canceled)
        return Error::canceled();
    else if (waited == Wait::TimedOut)
        return Error::internal(QStringLiteral("the keychain did not answer within %1 s (locked?)")
                                   .arg(kKeychainTimeoutMs / 1000));
    if (store.exitStatus() != QProcess::NormalExit || store.exitCode() != 0) {
        const QString complaint = QString::fromUtf8(store.readAllStandardError()).trimmed();
        return Error::internal(
            QStringLiteral("the keychain did not store the key: %1")
                .arg(complaint.isEmpty()
                         ? QStringLiteral("secret-tool exited with code %1").arg(store.exitCode())
                         : complaint.section(QLatin1Char('\n'), 0, 0)));
    }
    return Done {};
}

Result<ResolvedEndpoint> resolveEndpoint(const QString &url, const KeyOptions &options,
                                         const TaskControl &control)
{
    ResolvedEndpoint resolved;
    const QString given = url.trimmed();
    resolved.url = scrubbedEndpointUrl(given);
    const QUrl parsed(given, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.host().isEmpty()
        || (parsed.scheme() != QLatin1String("http") && parsed.scheme() != QLatin1String("https")))
        return Error::badInput(
            QStringLiteral("the endpoint \"%1\" is not an http:// or https:// URL with a host")
                .arg(resolved.url));

    const QString user = parsed.userName(QUrl::FullyDecoded);
    const QString password = parsed.password(QUrl::FullyDecoded);
    const QString variable = options.apiKeyEnv.trimmed();
    if (!user.isEmpty() || !password.isEmpty()) {
        if (!variable.isEmpty())
            return Error::badInput(
                QStringLiteral("the endpoint URL carries credentials and the environment "
                               "variable %1 is named for its key too: give only one")
                    .arg(variable));
        resolved.key = password.isEmpty() ? user : password;
        resolved.source = KeySource::Url;
    } else if (!variable.isEmpty()) {
        if (!isEnvironmentVariableName(variable))  // not echoed: it may be a key given by mistake
            return Error::badInput(QStringLiteral(
                "the key's environment variable must be a name such as GROQ_API_KEY (letters, "
                "digits and _), not the key itself"));
        resolved.key = qEnvironmentVariable(variable.toLocal8Bit().constData()).trimmed();
        if (resolved.key.isEmpty())
            return Error::badInput(
                QStringLiteral("the environment variable %1, named for the key of %2, is not "
                               "set or empty")
                    .arg(variable, resolved.url));
        resolved.source = KeySource::Environment;
        resolved.variable = variable;
    } else if (isOpenAi(parsed) && !qEnvironmentVariableIsEmpty("OPENAI_API_KEY")) {
        resolved.key = qEnvironmentVariable("OPENAI_API_KEY").trimmed();
        resolved.source = KeySource::Environment;
        resolved.variable = kOpenAiVariable;
    } else if (options.useKeychain) {
        const QString entryUrl = keychainUrl(given);
        KeychainLookup found = lookUpKeychainKey(entryUrl, control);
        // Keys stored before the URL was normalised are under the URL as it was typed.
        if (found.key.isEmpty() && found.problem.isEmpty() && resolved.url != entryUrl)
            found = lookUpKeychainKey(resolved.url, control);
        if (control.isCanceled())
            return Error::canceled();
        if (!found.key.isEmpty()) {
            resolved.key = found.key;
            resolved.source = KeySource::Keychain;
        } else if (!found.problem.isEmpty()) {
            resolved.note = QStringLiteral("the keychain was not asked: %1").arg(found.problem);
        }
    }
    if (resolved.source == KeySource::None && !isOpenAi(parsed)
        && !qEnvironmentVariableIsEmpty("OPENAI_API_KEY")) {
        const QString unsent
            = QStringLiteral("OPENAI_API_KEY is set but not sent to %1: it goes only to "
                             "https://%2 (to send it here, %3)")
                  .arg(parsed.host(), kOpenAiHost,
                       nameVariableHow(options.caller, kOpenAiVariable));
        resolved.note
            = resolved.note.isEmpty() ? unsent : resolved.note + QStringLiteral("; ") + unsent;
    }

    if (resolved.key.isEmpty())
        return resolved;
    if (hasControlCharacters(resolved.key))
        return Error::badInput(QStringLiteral("the key from %1 contains a line break or another "
                                              "control character")
                                   .arg(resolved.sourceDescription()));
    if (parsed.scheme() == QLatin1String("http") && !isLoopbackHost(parsed.host())
        && !options.allowInsecure)
        return Error::badInput(
            QStringLiteral("refusing to send the API key (from %1) over plain HTTP to %2, where "
                           "anyone on the way can read it: use an https:// endpoint, or %3 if "
                           "the network to %2 is trusted")
                .arg(resolved.sourceDescription(), parsed.host(), insecureHow(options.caller)));
    return resolved;
}

}  // namespace pcs
