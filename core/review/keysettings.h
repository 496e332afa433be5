#pragma once

#include "core/common/result.h"

#include <QString>

namespace pcs {

class QueueStore;

// What a review queue remembers about the key of an endpoint: where it comes from, never the key.
// Kept in the queue's property "endpoint_keys" as
//   {"<keychainUrl(endpoint)>": {"api_key_env": "NAME", "allow_insecure_key": true}}
// so that a rerun (`review run` without --api-key-env, the app) reads the same variable. The CLI
// stores only the variable's name; consent to send a key over plain HTTP is the app's (a tick in
// the project) and is never taken from the queue by the CLI, which needs --allow-insecure-key.
struct EndpointKeySettings {
    QString apiKeyEnv;
    bool allowInsecureKey = false;

    friend bool operator==(const EndpointKeySettings &, const EndpointKeySettings &) = default;
};

// Defaults (no variable, no consent) when nothing is kept for the endpoint.
Result<EndpointKeySettings> endpointKeySettings(QueueStore &store, const QString &endpoint);
// Refuses a variable name that is not one (it could be the key itself, given by mistake).
Status setEndpointKeySettings(QueueStore &store, const QString &endpoint,
                              const EndpointKeySettings &settings);

}  // namespace pcs
