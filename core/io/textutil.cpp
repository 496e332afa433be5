#include "core/io/textutil.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace pcs::io {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

constexpr qsizetype kMessageChars = 48;

}  // namespace

std::string_view trimSpaces(std::string_view text)
{
    while (!text.empty() && isSpace(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back()))
        text.remove_suffix(1);
    return text;
}

bool isMissingMarker(std::string_view trimmed)
{
    return trimmed.empty() || trimmed == "NaN" || trimmed == "nan" || trimmed == "NA"
        || trimmed == "N/A";
}

CellKind parseCell(std::string_view text, double &value)
{
    text = trimSpaces(text);
    if (isMissingMarker(text)) {
        value = std::numeric_limits<double>::quiet_NaN();
        return CellKind::Missing;
    }
    // from_chars rejects a leading '+', which spreadsheets and Python write happily.
    if (text.size() > 1 && text.front() == '+' && text[1] != '-' && text[1] != '+')
        text.remove_prefix(1);
    const char *end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value))
        return CellKind::Invalid;
    return CellKind::Number;
}

QString invalidCellReason(std::string_view text)
{
    const std::string_view trimmed = trimSpaces(text);
    double value = 0;
    const char *end = trimmed.data() + trimmed.size();
    const auto [ptr, ec] = std::from_chars(trimmed.data(), end, value);
    if (ptr == end && ec == std::errc::result_out_of_range)
        return QStringLiteral("number out of range: %1").arg(quoteForMessage(trimmed));
    if (ptr == end && ec == std::errc() && std::isinf(value))
        return QStringLiteral("infinite value %1 is not allowed (use an empty cell or NaN for a "
                              "missing value)")
            .arg(quoteForMessage(trimmed));
    return QStringLiteral("not a number: %1").arg(quoteForMessage(trimmed));
}

bool isValidUtf8(std::string_view text, qsizetype *badOffset)
{
    const auto *s = reinterpret_cast<const unsigned char *>(text.data());
    const qsizetype n = qsizetype(text.size());
    qsizetype i = 0;
    auto fail = [&](qsizetype at) {
        if (badOffset)
            *badOffset = at;
        return false;
    };
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        // Lead byte: number of continuation bytes, payload bits, smallest code point allowed.
        int extra = 0;
        char32_t cp = 0;
        char32_t minimum = 0x80;
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
            minimum = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
            minimum = 0x10000;
        } else {
            return fail(i);
        }
        if (i + extra >= n)
            return fail(i);
        for (int k = 1; k <= extra; ++k) {
            if ((s[i + k] & 0xC0) != 0x80)
                return fail(i);
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return fail(i);
        i += extra + 1;
    }
    return true;
}

QString toQString(std::string_view utf8)
{
    for (const char c : utf8) {
        if (static_cast<unsigned char>(c) >= 0x80)
            return QString::fromUtf8(utf8.data(), qsizetype(utf8.size()));
    }
    return QString::fromLatin1(utf8.data(), qsizetype(utf8.size()));
}

QString excerptForMessage(const QString &text)
{
    const QString cut
        = text.size() > kMessageChars ? text.left(kMessageChars) + QStringLiteral("…") : text;
    // Control characters could rewrite a terminal (escape sequences) or reorder the line
    // (bidirectional overrides): shown as escapes, never as themselves.
    QString shown;
    shown.reserve(cut.size());
    for (const QChar c : cut) {
        const char16_t u = c.unicode();
        if (u == '\n')
            shown += QStringLiteral("\\n");
        else if (u == '\r')
            shown += QStringLiteral("\\r");
        else if (u == '\t')
            shown += QStringLiteral("\\t");
        else if (u < 0x20 || (u >= 0x7F && u < 0xA0))
            shown += QStringLiteral("\\x%1").arg(int(u), 2, 16, QLatin1Char('0'));
        else if ((u >= 0x202A && u <= 0x202E) || (u >= 0x2066 && u <= 0x2069) || u == 0x200E
                 || u == 0x200F || u == 0x061C)
            shown += QStringLiteral("\\u%1").arg(int(u), 4, 16, QLatin1Char('0'));
        else
            shown += c;
    }
    return shown;
}

QString quoteForMessage(const QString &text)
{
    return QLatin1Char('"') + excerptForMessage(text) + QLatin1Char('"');
}

QString quoteForMessage(std::string_view text)
{
    // Invalid bytes are shown as \xNN escapes, which say which byte it was.
    std::string_view rest = text.substr(0, 4 * kMessageChars);
    QString decoded;
    while (!rest.empty()) {
        qsizetype bad = qsizetype(rest.size());
        isValidUtf8(rest, &bad);
        decoded += QString::fromUtf8(rest.data(), bad);
        if (bad >= qsizetype(rest.size()))
            break;
        decoded += QStringLiteral("\\x%1").arg(
            int(static_cast<unsigned char>(rest[std::size_t(bad)])), 2, 16, QLatin1Char('0'));
        rest.remove_prefix(std::size_t(bad) + 1);
    }
    return quoteForMessage(decoded);
}

std::string_view skipBom(std::string_view data)
{
    if (data.size() >= 3 && data.substr(0, 3) == "\xEF\xBB\xBF")
        data.remove_prefix(3);
    return data;
}

void lineAndColumn(std::string_view data, qsizetype offset, qint64 *line, qint64 *column)
{
    offset = std::clamp<qsizetype>(offset, 0, qsizetype(data.size()));
    qint64 l = 1;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < offset; ++i) {
        if (data[std::size_t(i)] == '\n') {
            ++l;
            lineStart = i + 1;
        }
    }
    *line = l;
    *column = offset - lineStart + 1;
}

}  // namespace pcs::io
