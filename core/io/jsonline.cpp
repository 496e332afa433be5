#include "core/io/jsonline.h"

#include <array>
#include <bit>
#include <charconv>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pcs {

namespace {

using Byte = unsigned char;

constexpr int kMaxDepth = 512;

struct Failure {
    const Byte *at = nullptr;
    QString reason;
    JsonLineScanner::Issue issue = JsonLineScanner::Issue::InvalidJson;
};

bool isWhitespace(Byte c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isDigit(Byte c)
{
    return c >= '0' && c <= '9';
}

const Byte *skipWhitespace(const Byte *p, const Byte *end)
{
    while (p != end && isWhitespace(*p))
        ++p;
    return p;
}

// Bytes a string scan must stop at: '"', '\\', control characters and non-ASCII.
constexpr std::array<bool, 256> kStringStops = [] {
    std::array<bool, 256> stops {};
    for (int c = 0; c < 256; ++c)
        stops[std::size_t(c)] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
    return stops;
}();

// The first byte in [p, end) a string scan must stop at, or `end`. The fast path of every
// string: 16 bytes per step where SSE2 exists (always on x86-64).
const Byte *findStringStop(const Byte *p, const Byte *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        // A signed comparison: bytes >= 0x80 are negative, so one test catches both control
        // characters and non-ASCII.
        const __m128i stops = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
            _mm_cmplt_epi8(chunk, space));
        const unsigned mask = unsigned(_mm_movemask_epi8(stops));
        if (mask != 0)
            return p + std::countr_zero(mask);
        p += 16;
    }
#endif
    while (p != end && !kStringStops[*p])
        ++p;
    return p;
}

// The length of the valid UTF-8 sequence at p (p[0] >= 0x80), or 0. Rejects overlong forms,
// UTF-16 surrogates (U+D800..U+DFFF), code points above U+10FFFF and truncated sequences.
std::size_t utf8SequenceLength(const Byte *p, const Byte *end)
{
    const Byte lead = p[0];
    std::size_t length = 0;
    Byte low = 0x80;  // the allowed range of the second byte
    Byte high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0)
            low = 0xA0;  // below: overlong
        else if (lead == 0xED)
            high = 0x9F;  // above: surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0)
            low = 0x90;  // below: overlong
        else if (lead == 0xF4)
            high = 0x8F;  // above: beyond U+10FFFF
    } else {
        return 0;  // a continuation byte, an overlong 2-byte lead (C0, C1) or F5..FF
    }
    if (std::size_t(end - p) < length || p[1] < low || p[1] > high)
        return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    }
    return length;
}

void appendUtf8(std::string &out, char32_t c)
{
    if (c < 0x80) {
        out.push_back(char(c));
    } else if (c < 0x800) {
        out.push_back(char(0xC0 | (c >> 6)));
        out.push_back(char(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.push_back(char(0xE0 | (c >> 12)));
        out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(char(0x80 | (c & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (c >> 18)));
        out.push_back(char(0x80 | ((c >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
        out.push_back(char(0x80 | (c & 0x3F)));
    }
}

int hexValue(Byte c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The 4 hex digits at p, or -1.
int hex4(const Byte *p, const Byte *end)
{
    if (end - p < 4)
        return -1;
    int value = 0;
    for (int i = 0; i < 4; ++i) {
        const int digit = hexValue(p[i]);
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

QString describeByte(Byte c)
{
    if (c > 0x20 && c < 0x7F)
        return QStringLiteral("'%1'").arg(QLatin1Char(char(c)));
    return QStringLiteral("byte 0x%1").arg(int(c), 2, 16, QLatin1Char('0'));
}

// Decodes the escape at p (a backslash) into `out` (when given) and advances p past it.
bool decodeEscape(const Byte *&p, const Byte *end, std::string *out, Failure &failure)
{
    const Byte *escape = p;
    if (end - p < 2) {
        failure = { escape, QStringLiteral("invalid JSON: unterminated string") };
        return false;
    }
    char decoded = 0;
    switch (p[1]) {
    case '"':
    case '\\':
    case '/':
        decoded = char(p[1]);
        break;
    case 'b':
        decoded = '\b';
        break;
    case 'f':
        decoded = '\f';
        break;
    case 'n':
        decoded = '\n';
        break;
    case 'r':
        decoded = '\r';
        break;
    case 't':
        decoded = '\t';
        break;
    case 'u': {
        const int unit = hex4(p + 2, end);
        if (unit < 0) {
            failure
                = { escape, QStringLiteral("invalid JSON: a \\u escape needs four hex digits") };
            return false;
        }
        p += 6;
        char32_t codePoint = char32_t(unit);
        if (unit >= 0xDC00 && unit <= 0xDFFF) {
            failure = { escape,
                        QStringLiteral("invalid JSON: unpaired surrogate in a \\u escape "
                                       "(a low surrogate without a high one)") };
            return false;
        }
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            // A high surrogate: a low one must follow, and together they make one code point.
            const int low = end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? hex4(p + 2, end) : -1;
            if (low < 0xDC00 || low > 0xDFFF) {
                failure = { escape,
                            QStringLiteral("invalid JSON: unpaired surrogate in a \\u "
                                           "escape (a high surrogate without a low one)") };
                return false;
            }
            codePoint = 0x10000 + ((char32_t(unit) - 0xD800) << 10) + (char32_t(low) - 0xDC00);
            p += 6;
        }
        if (out)
            appendUtf8(*out, codePoint);
        return true;
    }
    default:
        failure = { escape,
                    p[1] > 0x20 && p[1] < 0x7F
                        ? QStringLiteral("invalid JSON: invalid escape \\%1 in a string")
                              .arg(QLatin1Char(char(p[1])))
                        : QStringLiteral("invalid JSON: invalid escape in a string (a backslash "
                                         "before %1)")
                              .arg(describeByte(p[1])) };
        return false;
    }
    if (out)
        out->push_back(decoded);
    p += 2;
    return true;
}

// Scans the string whose opening quote is at p, leaving p after its closing quote. With `out`,
// the unescaped value goes there, but only when there were escapes (`escaped`); otherwise the
// value is the raw bytes between the quotes.
bool scanString(const Byte *&p, const Byte *end, std::string *out, bool &escaped, Failure &failure)
{
    const Byte *open = p;
    const Byte *q = p + 1;
    const Byte *copied = q;  // bytes before this are in `out` already
    escaped = false;
    for (;;) {
        q = findStringStop(q, end);
        if (q == end) {
            failure = { open, QStringLiteral("invalid JSON: unterminated string") };
            return false;
        }
        const Byte c = *q;
        if (c == '"') {
            if (escaped && out)
                out->append(reinterpret_cast<const char *>(copied), std::size_t(q - copied));
            p = q + 1;
            return true;
        }
        if (c >= 0x80) {
            // Non-Latin text is non-ASCII byte after byte: stay here while it lasts.
            do {
                const std::size_t length = utf8SequenceLength(q, end);
                if (length == 0) {
                    failure = { q, QStringLiteral("invalid JSON: invalid UTF-8 in a string") };
                    return false;
                }
                q += length;
            } while (q != end && *q >= 0x80);
            continue;
        }
        if (c < 0x20) {
            failure = { q,
                        QStringLiteral("invalid JSON: unescaped control character (%1) in a "
                                       "string")
                            .arg(describeByte(c)) };
            return false;
        }
        // A backslash.
        if (out) {
            if (!escaped)
                out->clear();
            out->append(reinterpret_cast<const char *>(copied), std::size_t(q - copied));
        }
        escaped = true;
        if (!decodeEscape(q, end, out, failure))
            return false;
        copied = q;
    }
}

// Whether the number [begin, end) (valid JSON) is beyond a double: it overflows to infinity or
// its non-zero digits underflow to 0. Only an exponent or hundreds of digits can get there.
bool outOfDoubleRange(const Byte *begin, const Byte *end, bool hasExponent)
{
    if (!hasExponent && end - begin < 300)
        return false;
    double value = 0;
    const auto result = std::from_chars(reinterpret_cast<const char *>(begin),
                                        reinterpret_cast<const char *>(end), value);
    return result.ec == std::errc::result_out_of_range;
}

// RFC 8259: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
bool scanNumber(const Byte *&p, const Byte *end, bool checkRange, Failure &failure)
{
    const Byte *q = p;
    bool hasExponent = false;
    if (*q == '-')
        ++q;
    if (q == end || !isDigit(*q)) {
        failure = { q, QStringLiteral("invalid JSON: expected a digit after '-'") };
        return false;
    }
    if (*q == '0') {
        ++q;
        if (q != end && isDigit(*q)) {
            failure = { q - 1,
                        QStringLiteral("invalid JSON: a number must not start with 0 "
                                       "followed by more digits") };
            return false;
        }
    } else {
        while (q != end && isDigit(*q))
            ++q;
    }
    if (q != end && *q == '.') {
        ++q;
        if (q == end || !isDigit(*q)) {
            failure = { q,
                        QStringLiteral("invalid JSON: expected a digit after the decimal "
                                       "point") };
            return false;
        }
        while (q != end && isDigit(*q))
            ++q;
    }
    if (q != end && (*q == 'e' || *q == 'E')) {
        hasExponent = true;
        ++q;
        if (q != end && (*q == '+' || *q == '-'))
            ++q;
        if (q == end || !isDigit(*q)) {
            failure = { q, QStringLiteral("invalid JSON: expected a digit in the exponent") };
            return false;
        }
        while (q != end && isDigit(*q))
            ++q;
    }
    if (checkRange && outOfDoubleRange(p, q, hasExponent)) {
        constexpr qsizetype kShown = 40;
        QString number = QString::fromLatin1(reinterpret_cast<const char *>(p), qsizetype(q - p));
        if (number.size() > kShown)
            number = number.left(kShown) + QStringLiteral("...");
        failure = { p,
                    QStringLiteral("the number %1 is beyond the range of a double (readers would "
                                   "turn it into infinity or 0, or refuse the record)")
                        .arg(number),
                    JsonLineScanner::Issue::NumberOutOfRange };
        return false;
    }
    p = q;
    return true;
}

bool scanLiteral(const Byte *&p, const Byte *end, Failure &failure)
{
    for (const std::string_view literal :
         { std::string_view("true"), std::string_view("false"), std::string_view("null") }) {
        if (std::size_t(end - p) >= literal.size()
            && std::memcmp(p, literal.data(), literal.size()) == 0) {
            p += literal.size();
            return true;
        }
    }
    failure = { p,
                QStringLiteral("invalid JSON: expected a value (true, false and null are the "
                               "only words)") };
    return false;
}

}  // namespace

JsonLineScanner::JsonLineScanner(std::vector<std::string> fieldNames)
    : JsonLineScanner(std::move(fieldNames), Options())
{
}

JsonLineScanner::JsonLineScanner(std::vector<std::string> fieldNames, Options options)
    : m_names(std::move(fieldNames))
    , m_options(options)
    , m_fields(m_names.size())
    , m_storage(m_names.size())
{
    m_matches.reserve(m_names.size());
    m_openMatches.reserve(m_names.size());
}

std::optional<JsonLineScanner::Problem> JsonLineScanner::scan(std::string_view line)
{
    for (Field &field : m_fields)
        field = Field {};
    m_closingBrace = 0;
    m_missingCount = m_names.size();
    m_matches.clear();
    m_openMatches.clear();
    m_keys.clear();
    std::size_t escapedKeysUsed = 0;

    const Byte *const begin = reinterpret_cast<const Byte *>(line.data());
    const Byte *const end = begin + line.size();
    // RFC 8259 lets a parser ignore a byte order mark; editors on Windows put one on line 1.
    const bool hasBom = line.size() >= 3 && std::memcmp(begin, "\xEF\xBB\xBF", 3) == 0;
    const Byte *p = skipWhitespace(hasBom ? begin + 3 : begin, end);
    Failure failure;
    const auto problem = [begin](const Byte *at, QString reason) {
        Problem result;
        result.column = qint64(at - begin) + 1;
        result.reason = std::move(reason);
        return result;
    };
    const auto failed = [&failure, &problem] {
        Problem result = problem(failure.at, std::move(failure.reason));
        result.issue = failure.issue;
        return result;
    };
    if (p == end)
        return problem(p, QStringLiteral("the line is not a JSON object (it is empty)"));
    if (*p != '{')
        return problem(p, QStringLiteral("the line is not a JSON object"));

    // Each open container: true for an array. The depth limit keeps this (and any caller that
    // recurses into such a line) bounded.
    std::array<bool, kMaxDepth> isArray {};
    int depth = 1;
    isArray[0] = false;
    ++p;

    enum class Expect { KeyOrClose, Key, Colon, ValueOrClose, Value, CommaOrClose };
    Expect expect = Expect::KeyOrClose;

    // Records a value of the top-level object for the fields its key names.
    const auto record = [this, begin](Kind kind, std::string_view value, const Byte *rawBegin,
                                      const Byte *rawEnd) {
        for (const std::size_t index : m_matches)
            m_fields[index]
                = Field { kind, value, std::size_t(rawBegin - begin), std::size_t(rawEnd - begin) };
        m_missingCount -= m_matches.size();
        m_matches.clear();
    };
    // The bracket at p closes a container; when it was a top-level value, its raw span ends.
    const auto close = [this, begin, &depth](const Byte *bracket) {
        if (depth == 1)
            m_closingBrace = std::size_t(bracket - begin);
        --depth;
        if (depth == 1 && !m_openMatches.empty()) {
            for (const std::size_t index : m_openMatches)
                m_fields[index].rawEnd = std::size_t(bracket + 1 - begin);
            m_openMatches.clear();
        }
    };

    for (;;) {
        p = skipWhitespace(p, end);
        switch (expect) {
        case Expect::KeyOrClose:
            if (p != end && *p == '}') {
                close(p);
                ++p;
                expect = Expect::CommaOrClose;
                break;
            }
            [[fallthrough]];
        case Expect::Key: {
            if (p == end || *p != '"') {
                return problem(p,
                               expect == Expect::Key
                                   ? QStringLiteral("invalid JSON: expected a string key "
                                                    "after ','")
                                   : QStringLiteral("invalid JSON: expected a string key or "
                                                    "'}'"));
            }
            if (depth != 1) {
                bool escaped = false;
                if (!scanString(p, end, nullptr, escaped, failure))
                    return failed();
                expect = Expect::Colon;
                break;
            }
            // A top-level key: unescaped (into a slot of its own when it has escapes) and
            // checked against the keys before it.
            const Byte *keyQuote = p;
            bool escaped = false;
            if (!scanString(p, end, &m_keyScratch, escaped, failure))
                return failed();
            std::string_view key(reinterpret_cast<const char *>(keyQuote + 1),
                                 std::size_t(p - 1 - (keyQuote + 1)));
            if (escaped) {
                if (escapedKeysUsed == m_escapedKeys.size())
                    m_escapedKeys.emplace_back();
                std::string &slot = m_escapedKeys[escapedKeysUsed++];
                slot.swap(m_keyScratch);
                key = slot;
            }
            if (const std::size_t earlier = m_keys.insert(key, std::size_t(keyQuote - begin));
                earlier != JsonKeySet::kNew) {
                std::string shown;
                appendJsonString(shown, key.substr(0, 80));
                Problem duplicate
                    = problem(keyQuote,
                              QStringLiteral("duplicate key %1 (also at column %2)")
                                  .arg(QString::fromUtf8(shown.data(), qsizetype(shown.size())))
                                  .arg(earlier + 1));
                duplicate.issue = Issue::DuplicateKey;
                duplicate.key = std::string(key);
                return duplicate;
            }
            if (m_missingCount > 0) {
                for (std::size_t i = 0; i < m_names.size(); ++i) {
                    if (m_fields[i].kind == Kind::Missing && m_names[i] == key)
                        m_matches.push_back(i);
                }
            }
            expect = Expect::Colon;
            break;
        }
        case Expect::Colon:
            if (p == end || *p != ':')
                return problem(p, QStringLiteral("invalid JSON: expected ':' after an object key"));
            ++p;
            expect = Expect::Value;
            break;
        case Expect::ValueOrClose:
            if (p != end && *p == ']') {
                close(p);
                ++p;
                expect = Expect::CommaOrClose;
                break;
            }
            [[fallthrough]];
        case Expect::Value: {
            if (p == end)
                return problem(p,
                               QStringLiteral("invalid JSON: expected a value, found the end "
                                              "of the line"));
            const Byte c = *p;
            if (c == '{' || c == '[') {
                if (depth == kMaxDepth)
                    return problem(p,
                                   QStringLiteral("invalid JSON: nesting deeper than %1 levels")
                                       .arg(kMaxDepth));
                if (!m_matches.empty()) {
                    m_openMatches = m_matches;
                    record(Kind::Other, {}, p, p);  // the end is set when it closes
                }
                isArray[std::size_t(depth++)] = c == '[';
                ++p;
                expect = c == '[' ? Expect::ValueOrClose : Expect::KeyOrClose;
                break;
            }
            const Byte *valueStart = p;
            if (c == '"') {
                const bool wanted = !m_matches.empty();
                std::string *storage = wanted ? &m_storage[m_matches.front()] : nullptr;
                bool escaped = false;
                if (!scanString(p, end, storage, escaped, failure))
                    return failed();
                if (wanted) {
                    record(Kind::String,
                           escaped
                               ? std::string_view(*storage)
                               : std::string_view(reinterpret_cast<const char *>(valueStart + 1),
                                                  std::size_t(p - 1 - (valueStart + 1))),
                           valueStart, p);
                }
            } else if (c == '-' || isDigit(c)) {
                if (!scanNumber(p, end, m_options.rejectOutOfRangeNumbers, failure))
                    return failed();
                if (!m_matches.empty()) {
                    record(Kind::Number,
                           std::string_view(reinterpret_cast<const char *>(valueStart),
                                            std::size_t(p - valueStart)),
                           valueStart, p);
                }
            } else if (c == 't' || c == 'f' || c == 'n') {
                if (!scanLiteral(p, end, failure))
                    return failed();
                if (!m_matches.empty())
                    record(Kind::Other, {}, valueStart, p);
            } else {
                return problem(p,
                               QStringLiteral("invalid JSON: expected a value, found %1")
                                   .arg(describeByte(c)));
            }
            expect = Expect::CommaOrClose;
            break;
        }
        case Expect::CommaOrClose: {
            if (depth == 0) {
                if (p != end)
                    return problem(p,
                                   QStringLiteral("invalid JSON: unexpected text after the "
                                                  "object"));
                return std::nullopt;
            }
            const bool inArray = isArray[std::size_t(depth - 1)];
            if (p != end && *p == ',') {
                ++p;
                expect = inArray ? Expect::Value : Expect::Key;
                break;
            }
            if (p != end && *p == (inArray ? ']' : '}')) {
                close(p);
                ++p;
                break;
            }
            return problem(p,
                           inArray ? QStringLiteral("invalid JSON: expected ',' or ']' after "
                                                    "an array element")
                                   : QStringLiteral("invalid JSON: expected ',' or '}' after "
                                                    "an object member"));
        }
        }
    }
}

void appendJsonString(std::string &out, std::string_view text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char ch : text) {
        const Byte c = Byte(ch);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xF]);
            } else {
                out.push_back(ch);
            }
        }
    }
    out.push_back('"');
}

std::string withAddedMember(std::string_view line, std::size_t closingBrace, std::string_view name,
                            std::string_view jsonValue)
{
    std::size_t last = closingBrace;  // just after the last non-space byte before the brace
    while (last > 0 && isWhitespace(Byte(line[last - 1])))
        --last;
    // No value ends in '{', so this means the object is empty: no comma then.
    const bool empty = last > 0 && line[last - 1] == '{';
    std::string result;
    result.reserve(line.size() + name.size() + jsonValue.size() + 8);
    result.append(line.substr(0, closingBrace));
    if (!empty)
        result.push_back(',');
    appendJsonString(result, name);
    result.push_back(':');
    result.append(jsonValue);
    result.append(line.substr(closingBrace));
    return result;
}

}  // namespace pcs
