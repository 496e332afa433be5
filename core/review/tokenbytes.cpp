#include "core/review/tokenbytes.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>

namespace pcs {

namespace {

constexpr char16_t kReplacement = u'\uFFFD';
// Candidate positions per token, summed over all tokens, beyond which the placement gives up:
// a long run of unknown pieces with no known token between leaves too many ways to place them.
constexpr size_t kCandidateBudgetPerByte = 64;
constexpr size_t kCandidateBudgetBase = size_t(1) << 20;

// One part of a token's pattern.
struct Atom {
    enum class Kind {
        Literal,  // exactly `bytes`
        Replacement,  // what one U+FFFD can stand for
        HighBytes,  // 0-4 bytes >= 0x80 (an empty piece)
        Anything,  // any bytes, any length (no text at all)
    };
    Kind kind = Kind::Literal;
    QByteArray bytes;
};
using Alternative = std::vector<Atom>;
using Pattern = std::vector<Alternative>;  // any one alternative spells the token

bool isHigh(char byte)
{
    return (static_cast<unsigned char>(byte) & 0x80) != 0;
}

bool isContinuation(char byte)
{
    return (static_cast<unsigned char>(byte) & 0xC0) == 0x80;
}

// The length of the UTF-8 sequence this lead byte starts; 0 for anything else.
int sequenceLength(char byte)
{
    const auto lead = static_cast<unsigned char>(byte);
    if (lead >= 0xC2 && lead <= 0xDF)
        return 2;
    if (lead >= 0xE0 && lead <= 0xEF)
        return 3;
    if (lead >= 0xF0 && lead <= 0xF4)
        return 4;
    return 0;
}

// The text a decoder shows as one U+FFFD: one byte >= 0x80 (Go replaces byte by byte), a lead
// byte with some but not all of its continuation bytes (Python's "maximal subpart"), or a real
// U+FFFD (EF BF BD).
void replacementEnds(QByteArrayView text, qsizetype at, std::vector<qsizetype> &ends)
{
    if (at >= text.size() || !isHigh(text[at]))
        return;
    ends.push_back(at + 1);
    const int length = sequenceLength(text[at]);
    for (int prefix = 2; prefix < length && at + prefix <= text.size(); ++prefix) {
        if (!isContinuation(text[at + prefix - 1]))
            break;
        ends.push_back(at + prefix);
    }
    if (text.sliced(at).startsWith(QByteArrayView("\xEF\xBF\xBD")))
        ends.push_back(at + 3);
}

void atomEnds(const Atom &atom, QByteArrayView text, qsizetype at, std::vector<qsizetype> &ends)
{
    switch (atom.kind) {
    case Atom::Kind::Literal:
        if (text.sliced(at).startsWith(atom.bytes))
            ends.push_back(at + atom.bytes.size());
        return;
    case Atom::Kind::Replacement:
        replacementEnds(text, at, ends);
        return;
    case Atom::Kind::HighBytes:
        ends.push_back(at);
        for (qsizetype end = at; end < text.size() && end - at < 4 && isHigh(text[end]); ++end)
            ends.push_back(end + 1);
        return;
    case Atom::Kind::Anything:
        for (qsizetype end = at; end <= text.size(); ++end)
            ends.push_back(end);
        return;
    }
}

void sortUnique(std::vector<qsizetype> &positions)
{
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
}

// Where a token that starts at `at` can end.
std::vector<qsizetype> tokenEnds(const Pattern &pattern, QByteArrayView text, qsizetype at)
{
    std::vector<qsizetype> ends;
    for (const Alternative &alternative : pattern) {
        std::vector<qsizetype> current { at };
        for (const Atom &atom : alternative) {
            std::vector<qsizetype> next;
            for (const qsizetype position : current)
                atomEnds(atom, text, position, next);
            sortUnique(next);
            current = std::move(next);
            if (current.empty())
                break;
        }
        ends.insert(ends.end(), current.begin(), current.end());
    }
    sortUnique(ends);
    return ends;
}

// A text as literal runs, each U+FFFD an unknown piece.
Alternative textAtoms(const QString &text)
{
    Alternative atoms;
    QString literal;
    const auto flush = [&] {
        if (!literal.isEmpty())
            atoms.push_back(Atom { Atom::Kind::Literal, literal.toUtf8() });
        literal.clear();
    };
    for (const QChar c : text) {
        if (c == kReplacement) {
            flush();
            atoms.push_back(Atom { Atom::Kind::Replacement, {} });
        } else {
            literal += c;
        }
    }
    flush();
    return atoms;
}

bool isAnything(const Pattern &pattern)
{
    return pattern.size() == 1 && pattern.front().size() == 1
        && pattern.front().front().kind == Atom::Kind::Anything;
}

// The token's `bytes` unless they are only the UTF-8 of a text holding U+FFFD (servers that
// encode the already replaced text): those say no more than the text does.
std::optional<QByteArray> informativeBytes(const TokenText &token)
{
    if (token.bytes && token.text && token.text->contains(kReplacement)
        && *token.bytes == token.text->toUtf8())
        return std::nullopt;
    return token.bytes;
}

Pattern patternOf(const TokenText &token)
{
    if (const auto bytes = informativeBytes(token))
        return { { Atom { Atom::Kind::Literal, *bytes } } };
    if (!token.text)
        return { { Atom { Atom::Kind::Anything, {} } } };
    if (token.text->isEmpty())
        return { { Atom { Atom::Kind::HighBytes, {} } } };
    if (const auto escaped = escapedTokenBytes(*token.text))
        return { { Atom { Atom::Kind::Literal, *escaped } }, textAtoms(*token.text) };
    return { textAtoms(*token.text) };
}

}  // namespace

std::optional<QByteArray> escapedTokenBytes(const QString &text)
{
    // "bytes:" may precede printable ASCII mixed with escapes ("bytes: \xe2"); without it only
    // escapes count, so that ordinary text is never read as bytes.
    const QLatin1String prefix("bytes:");
    const bool prefixed = text.startsWith(prefix);
    const QString body = prefixed ? text.mid(prefix.size()) : text;
    if (body.isEmpty())
        return std::nullopt;
    QByteArray bytes;
    bool escaped = false;
    for (qsizetype i = 0; i < body.size();) {
        if (body.at(i) == u'\\' && i + 3 < body.size() && body.at(i + 1) == u'x') {
            bool isHex = false;
            const int value = body.mid(i + 2, 2).toInt(&isHex, 16);
            if (isHex && body.mid(i + 2, 2).size() == 2) {
                bytes.append(char(value));
                escaped = true;
                i += 4;
                continue;
            }
        }
        if (!prefixed || body.at(i) < u' ' || body.at(i) > u'~')
            return std::nullopt;
        bytes.append(char(body.at(i).unicode()));
        ++i;
    }
    if (!escaped)
        return std::nullopt;
    return bytes;
}

std::optional<QByteArray> tokenBytesFromJson(const QJsonValue &value)
{
    if (!value.isArray())
        return std::nullopt;
    QByteArray bytes;
    for (const QJsonValue &element : value.toArray()) {
        const double number = element.toDouble(-1);
        if (!element.isDouble() || number < 0 || number > 255 || number != int(number))
            return std::nullopt;
        bytes.append(char(int(number)));
    }
    return bytes;
}

std::optional<QByteArray> exactTokenBytes(const TokenText &token)
{
    if (const auto bytes = informativeBytes(token))
        return bytes;
    if (!token.text || token.text->isEmpty() || token.text->contains(kReplacement)
        || escapedTokenBytes(*token.text))
        return std::nullopt;
    return token.text->toUtf8();
}

std::optional<std::vector<TokenPlace>> placeTokensOnBytes(const std::vector<TokenText> &tokens,
                                                          QByteArrayView utf8)
{
    std::vector<Pattern> patterns;
    patterns.reserve(tokens.size());
    for (const TokenText &token : tokens)
        patterns.push_back(patternOf(token));

    // Forward: the positions each token can start at, given the tokens before it.
    const size_t budget
        = kCandidateBudgetBase + kCandidateBudgetPerByte * (size_t(utf8.size()) + tokens.size());
    size_t candidates = 1;
    std::vector<std::vector<qsizetype>> reachable { { 0 } };
    for (size_t i = 0; i < tokens.size(); ++i) {
        std::vector<qsizetype> next;
        if (isAnything(patterns[i])) {
            // Every position from the earliest start on (without walking each start).
            for (qsizetype end = reachable[i].front(); end <= utf8.size(); ++end)
                next.push_back(end);
        } else {
            for (const qsizetype start : reachable[i]) {
                const std::vector<qsizetype> ends = tokenEnds(patterns[i], utf8, start);
                next.insert(next.end(), ends.begin(), ends.end());
            }
            sortUnique(next);
        }
        candidates += next.size();
        if (next.empty() || candidates > budget)
            return std::nullopt;
        reachable.push_back(std::move(next));
    }
    // Backward: of those, the positions from which the remaining tokens reach the text's end.
    std::vector<qsizetype> feasible;
    if (std::binary_search(reachable.back().begin(), reachable.back().end(), utf8.size()))
        feasible = { utf8.size() };
    if (feasible.empty())
        return std::nullopt;
    std::vector<TokenPlace> starts(tokens.size());
    starts.push_back(TokenPlace { utf8.size(), utf8.size() });
    for (size_t i = tokens.size(); i-- > 0;) {
        std::vector<qsizetype> previous;
        for (const qsizetype start : reachable[i]) {
            bool leadsOn = false;
            if (isAnything(patterns[i])) {
                leadsOn = start <= feasible.back();
            } else {
                const std::vector<qsizetype> ends = tokenEnds(patterns[i], utf8, start);
                leadsOn = std::any_of(ends.begin(), ends.end(), [&](qsizetype end) {
                    return std::binary_search(feasible.begin(), feasible.end(), end);
                });
            }
            if (leadsOn)
                previous.push_back(start);
        }
        feasible = std::move(previous);
        if (feasible.empty())
            return std::nullopt;  // cannot happen: every forward position came from one before
        starts[i] = TokenPlace { feasible.front(), feasible.back() };
    }
    return starts;
}

}  // namespace pcs
