#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QString>

#include <optional>
#include <vector>

namespace pcs {

// Where the tokens of a log-probs answer lie in the UTF-8 bytes of the text they spell.
//
// Servers do not spell every token the way the text spells it. A token that holds only part of
// a multi-byte character (a byte-level piece of an emoji, a CJK character, a curly quote) comes
// back as U+FFFD (vLLM, Ollama: Hugging Face's decode with errors="replace", Go's JSON encoder),
// as an empty string (detokenisers that hold incomplete bytes back until the character is whole),
// or as escaped bytes, "\xe2\x80" with the real bytes in `bytes` (OpenAI, DeepSeek chat) or
// "bytes:\xe2\x80" (OpenAI's legacy completions). Concatenated, such tokens no longer give the
// text, and their lengths no longer tell where each token starts. So tokens are placed on bytes:
//  - a token's `bytes`, when the server gives them, are exact (unless they are merely the UTF-8
//    of a text holding U+FFFD, as servers that encode the replaced text give them);
//  - otherwise its text re-encoded as UTF-8 is exact, except that each U+FFFD in it stands for
//    one piece of unknown content (a lone byte >= 0x80, an incomplete UTF-8 prefix, or a real
//    U+FFFD), an empty text for 0-4 bytes >= 0x80, escaped bytes for those bytes or the literal
//    text, and a missing text (vLLM's null first prompt position) for any bytes at all;
// and the whole sequence is matched against the whole text. The known tokens anchor the unknown
// pieces between them. A token's start is reported when every complete match agrees on it.
struct TokenText {
    std::optional<QString> text;  // as the server spelled it; nullopt when it gave none
    std::optional<QByteArray> bytes;  // the server's own `bytes`, when given
};

// Where a token can start in every complete match: one position when all matches agree.
struct TokenPlace {
    qsizetype earliest = 0;
    qsizetype latest = 0;
    bool certain() const { return earliest == latest; }
};

// The start of every token in `utf8` (size tokens + 1; the last entry is the end of the last
// token, i.e. utf8.size()). nullopt when the tokens cannot spell the text (or the unknown pieces
// leave too many ways to).
std::optional<std::vector<TokenPlace>> placeTokensOnBytes(const std::vector<TokenText> &tokens,
                                                          QByteArrayView utf8);

// The token's bytes when they are certain: its (informative) `bytes`, or its text when that
// holds no U+FFFD, is not empty and is not escaped bytes. nullopt for a piece of unknown content.
std::optional<QByteArray> exactTokenBytes(const TokenText &token);

// A JSON `bytes` array (integers 0-255) as bytes; nullopt when it is absent, null or malformed.
std::optional<QByteArray> tokenBytesFromJson(const QJsonValue &value);

// Escaped bytes as the bytes they stand for: "\xe2\x80" (escapes only), or after "bytes:"
// escapes mixed with printable ASCII ("bytes: \xe2"); nullopt for anything else.
std::optional<QByteArray> escapedTokenBytes(const QString &text);

}  // namespace pcs
