#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"

#include <QString>

namespace pcs {

// Which API key an OpenAI-compatible endpoint gets: keys go only where they belong.
//
// In this order, the first that applies:
//  1. Credentials in the URL, https://user:secret@host/v1: the password is the key, or the user
//     name when there is no password (https://sk-abc@host/v1). They are taken out of the URL, which
//     is stored and shown only without them.
//  2. KeyOptions::apiKeyEnv (--api-key-env NAME): the key is that environment variable's value;
//     an unset or empty variable is an error, never a silent "no key".
//  3. OPENAI_API_KEY, but only for https://api.openai.com (OpenAI's own host, over HTTPS).
//  4. The keychain entry for the endpoint (GNOME Keyring, KWallet through the Secret Service,
//     read with libsecret's `secret-tool lookup service pcstudio url URL`, Debian:
//     libsecret-tools), URL being keychainUrl(): no credentials, scheme and host in lower case, no
//     default port, no trailing slash. An entry stored under the URL exactly as typed is found too.
//  5. None: no Authorization header (local vLLM, llama.cpp and Ollama need none by default).
// A key is never sent over plain HTTP to a host that is not loopback (localhost, 127.0.0.0/8,
// ::1) unless the caller allows it (--allow-insecure-key): that is refused with a clear error.
//
// Never log, display or store the key: only ResolvedEndpoint::url and sourceDescription().

enum class KeySource { None, Url, Environment, Keychain };

struct KeyOptions {
    enum class Caller { Cli, App };  // decides how errors tell the user to proceed

    QString apiKeyEnv;  // the environment variable holding the key; empty = none named
    bool allowInsecure = false;  // a key may go over plain HTTP to a non-loopback host
    bool useKeychain = true;
    Caller caller = Caller::Cli;
};

struct ResolvedEndpoint {
    QString url;  // the endpoint without credentials: the only form to store, show or log
    QString key;  // empty = no Authorization header; never in any message, file or log
    KeySource source = KeySource::None;
    QString variable;  // the environment variable's name when source is Environment
    // Something the user should know, e.g. that OPENAI_API_KEY is set but not sent to this host.
    QString note;

    // "the URL's credentials", "the environment variable NAME", "the keychain", "none"
    QString sourceDescription() const;
};

// Blocking (the keychain may take seconds, at most about 10): call it off the GUI thread. A
// cancel through `control` stops a keychain lookup within ~25 ms (Error::canceled()).
// Errors (BadInput): not an http(s) URL, credentials together with apiKeyEnv, an unset or empty
// variable, a key with control characters, a key refused over plain HTTP.
Result<ResolvedEndpoint> resolveEndpoint(const QString &url, const KeyOptions &options = {},
                                         const TaskControl &control = TaskControl::none());

// The URL without "user:password@" and otherwise exactly as given (so that names built from it
// stay the same); for every URL that is stored, printed or put into a name.
QString scrubbedEndpointUrl(const QString &url);
bool hasUrlCredentials(const QString &url);
// The normalised form keychain entries are stored and looked up under.
QString keychainUrl(const QString &url);
bool isLoopbackHost(const QString &host);
// Letters, digits and _, not starting with a digit (so that a key given by mistake is refused).
bool isEnvironmentVariableName(const QString &name);

// The keychain through `secret-tool` (blocking, with a timeout). A missing secret-tool or entry is
// an empty key; problem says why the keychain could not be asked (timeout, crash).
struct KeychainLookup {
    QString key;
    QString problem;
};
KeychainLookup lookUpKeychainKey(const QString &keychainUrl,
                                 const TaskControl &control = TaskControl::none());
// Stores the key under keychainUrl(url); the key goes to secret-tool's standard input, never onto
// a command line.
Status storeKeychainKey(const QString &url, const QString &key,
                        const TaskControl &control = TaskControl::none());

}  // namespace pcs
