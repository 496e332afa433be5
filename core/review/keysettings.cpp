#include "core/review/keysettings.h"

#include "core/review/apikey.h"
#include "core/review/queuestore.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace pcs {

namespace {

const QString kProperty = QStringLiteral("endpoint_keys");
const QString kVariable = QStringLiteral("api_key_env");
const QString kInsecure = QStringLiteral("allow_insecure_key");

Result<QJsonObject> storedSettings(QueueStore &store)
{
    auto stored = store.property(kProperty);
    if (!stored)
        return stored.error();
    // Unreadable or hand-edited values count as nothing kept: the settings are ours to rewrite.
    return QJsonDocument::fromJson(stored->toUtf8()).object();
}

}  // namespace

Result<EndpointKeySettings> endpointKeySettings(QueueStore &store, const QString &endpoint)
{
    auto all = storedSettings(store);
    if (!all)
        return all.error();
    const QJsonObject entry = all->value(keychainUrl(endpoint)).toObject();
    EndpointKeySettings settings;
    settings.apiKeyEnv = entry.value(kVariable).toString();
    if (!isEnvironmentVariableName(settings.apiKeyEnv))
        settings.apiKeyEnv.clear();
    settings.allowInsecureKey = entry.value(kInsecure).toBool(false);
    return settings;
}

Status setEndpointKeySettings(QueueStore &store, const QString &endpoint,
                              const EndpointKeySettings &settings)
{
    if (!settings.apiKeyEnv.isEmpty() && !isEnvironmentVariableName(settings.apiKeyEnv))
        return Error::badInput(QStringLiteral(
            "the key's environment variable must be a name such as GROQ_API_KEY (letters, "
            "digits and _), not the key itself"));
    auto all = storedSettings(store);
    if (!all)
        return all.error();
    const QString entryUrl = keychainUrl(endpoint);
    if (settings == EndpointKeySettings {}) {
        all->remove(entryUrl);
    } else {
        QJsonObject entry;
        if (!settings.apiKeyEnv.isEmpty())
            entry.insert(kVariable, settings.apiKeyEnv);
        if (settings.allowInsecureKey)
            entry.insert(kInsecure, true);
        all->insert(entryUrl, entry);
    }
    return store.setProperty(kProperty,
                             QString::fromUtf8(QJsonDocument(*all).toJson(QJsonDocument::Compact)));
}

}  // namespace pcs
