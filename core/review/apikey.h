#pragma once

#include <QString>

namespace pcs {

// The API key for an OpenAI-compatible server, or an empty string (local servers need none).
//
// Looked up in this order:
//  1. the OPENAI_API_KEY environment variable;
//  2. the system keychain (GNOME Keyring, KWallet through the Secret Service), read with
//     libsecret's `secret-tool` when it is on PATH (Debian: apt install libsecret-tools).
//     Store a key once with
//         secret-tool store --label='pcstudio API key' service pcstudio url <baseUrl>
//     (it asks for the key on the terminal, so the key never appears on a command line),
//     where <baseUrl> is exactly what the studio is configured with, e.g.
//     https://api.openai.com/v1.
//
// Never log or display the result.
QString apiKeyFor(const QString &baseUrl);

}  // namespace pcs
