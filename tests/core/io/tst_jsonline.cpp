// JsonLineScanner: full RFC 8259 validation of one JSONL line, the extracted top-level fields
// (checked against QJsonDocument), and withAddedMember.
#include "core/io/jsonkeyset.h"
#include "core/io/jsonline.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <charconv>
#include <cmath>
#include <map>

using namespace pcs;
using Kind = JsonLineScanner::Kind;

namespace {

std::string_view view(const QByteArray &bytes)
{
    return std::string_view(bytes.constData(), std::size_t(bytes.size()));
}

QByteArray bytesOf(std::string_view text)
{
    return QByteArray(text.data(), qsizetype(text.size()));
}

QString hexDump(const QByteArray &bytes)
{
    QString out;
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        if (b >= 0x20 && b < 0x7F && b != '\\')
            out += QLatin1Char(char(b));
        else
            out += QStringLiteral("\\x%1").arg(int(b), 2, 16, QLatin1Char('0'));
    }
    return out;
}

struct QtParse {
    bool accepted = false;
    QJsonObject object;
    QJsonParseError error {};
};

QtParse parseWithQt(const QByteArray &line)
{
    QtParse result;
    const QJsonDocument document = QJsonDocument::fromJson(line, &result.error);
    result.accepted = result.error.error == QJsonParseError::NoError && document.isObject();
    if (result.accepted)
        result.object = document.object();
    return result;
}

double parseDouble(std::string_view text)
{
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        return std::nan("");
    return value;
}

// Whether a scanned field holds what QJsonDocument found for the same key.
bool sameAsQt(const JsonLineScanner::Field &field, const QJsonValue &value, QString *why)
{
    switch (value.type()) {
    case QJsonValue::Undefined:
        *why = QStringLiteral("expected Missing");
        return field.kind == Kind::Missing;
    case QJsonValue::String: {
        const QByteArray expected = value.toString().toUtf8();
        *why = QStringLiteral("expected the string \"%1\", got \"%2\"")
                   .arg(hexDump(expected), hexDump(bytesOf(field.value)));
        return field.kind == Kind::String && bytesOf(field.value) == expected;
    }
    case QJsonValue::Double:
        *why = QStringLiteral("expected the number %1, got %2")
                   .arg(value.toDouble())
                   .arg(QString::fromUtf8(bytesOf(field.value)));
        return field.kind == Kind::Number && parseDouble(field.value) == value.toDouble();
    default:
        *why = QStringLiteral("expected Other");
        return field.kind == Kind::Other && field.value.empty();
    }
}

// A member found by walking the object. QJsonObject::value() cannot be trusted here: Qt 6.4
// orders parsed keys by code point but looks them up by UTF-16, so in {"\uDB07\uDF81":1,
// "\uFFFF":2} the key U+FFFF is not found (astral characters and U+E000..U+FFFF disagree).
QJsonValue memberOf(const QJsonObject &object, const QString &key)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key() == key)
            return it.value();
    }
    return QJsonValue(QJsonValue::Undefined);
}

// Numbers compared as numbers (Qt keeps 1 and 1.0 apart internally).
bool sameJson(const QJsonValue &a, const QJsonValue &b)
{
    if (a.type() != b.type())
        return false;
    switch (a.type()) {
    case QJsonValue::Double:
        return a.toDouble() == b.toDouble();
    case QJsonValue::Array: {
        const QJsonArray x = a.toArray(), y = b.toArray();
        if (x.size() != y.size())
            return false;
        for (qsizetype i = 0; i < x.size(); ++i) {
            if (!sameJson(x[i], y[i]))
                return false;
        }
        return true;
    }
    case QJsonValue::Object: {
        // Not keys() in order, nor value(): see memberOf().
        const QJsonObject x = a.toObject(), y = b.toObject();
        if (x.size() != y.size())
            return false;
        for (auto it = x.begin(); it != x.end(); ++it) {
            if (!sameJson(it.value(), memberOf(y, it.key())))
                return false;
        }
        return true;
    }
    default:
        return a == b;
    }
}

// --- Random JSON -------------------------------------------------------------------------------

char32_t randomCodePoint(QRandomGenerator &random)
{
    switch (random.bounded(10)) {
    case 0:
    case 1:
    case 2:
    case 3:
        return char32_t(0x20 + random.bounded(0x5F));
    case 4:
        return char32_t(random.bounded(0x20));  // control characters, NUL included
    case 5:
        return U"\"\\/"[random.bounded(3)];
    case 6:
        return char32_t(0x80 + random.bounded(0x780));
    case 7: {
        char32_t c = 0;
        do
            c = char32_t(0x800 + random.bounded(0x10000 - 0x800));
        while (c >= 0xD800 && c <= 0xDFFF);
        return c;
    }
    case 8:
        return char32_t(0x10000 + random.bounded(0x100000));  // astral, up to U+10FFFF
    default:
        return U"\x7f\xfeff\xffff\xfffe\x2028\x2029\x10ffff\x10000\xd7ff\xe000"[random.bounded(10)];
    }
}

QString randomString(QRandomGenerator &random, int maxLength)
{
    QString text;
    const int length = random.bounded(maxLength + 1);
    for (int i = 0; i < length; ++i) {
        const char32_t c = randomCodePoint(random);
        text += QString::fromUcs4(&c, 1);
    }
    return text;
}

QJsonValue randomValue(QRandomGenerator &random, int depth)
{
    switch (random.bounded(depth >= 5 ? 5 : 7)) {
    case 0:
        return QJsonValue(QJsonValue::Null);
    case 1:
        return random.bounded(2) == 0;
    case 2:
        return qint64(random.bounded(2000001)) - 1000000;
    case 3: {
        const double magnitude = std::pow(10.0, random.bounded(-30, 30));
        return (random.bounded(2) ? -1 : 1) * random.generateDouble() * magnitude;
    }
    case 4:
        return randomString(random, 30);
    case 5: {
        QJsonArray array;
        for (int i = random.bounded(5); i > 0; --i)
            array.append(randomValue(random, depth + 1));
        return array;
    }
    default: {
        QJsonObject object;
        for (int i = random.bounded(5); i > 0; --i)
            object.insert(randomString(random, 6), randomValue(random, depth + 1));
        return object;
    }
    }
}

QJsonObject randomObject(QRandomGenerator &random)
{
    QJsonObject object;
    for (int i = random.bounded(8); i > 0; --i)
        object.insert(randomString(random, 8), randomValue(random, 1));
    return object;
}

// Our own writer, to exercise what QJsonDocument never writes: every escape form (\/, \uXXXX in
// either case, surrogate pairs), numbers in every form, and whitespace anywhere.
class RandomWriter {
public:
    explicit RandomWriter(QRandomGenerator &random)
        : m_random(random)
    {
    }

    QByteArray write(const QJsonObject &object)
    {
        m_out.clear();
        space();
        writeValue(object);
        space();
        return m_out;
    }

private:
    void space()
    {
        if (m_random.bounded(3) != 0)
            return;
        for (int i = m_random.bounded(1, 3); i > 0; --i)
            m_out += " \t\r\n"[m_random.bounded(4)];
    }

    void hexUnit(unsigned unit)
    {
        const char *digits = m_random.bounded(2) ? "0123456789abcdef" : "0123456789ABCDEF";
        m_out += "\\u";
        for (int shift = 12; shift >= 0; shift -= 4)
            m_out += digits[(unit >> shift) & 0xF];
    }

    void writeString(const QString &text)
    {
        m_out += '"';
        for (const char32_t c : text.toUcs4()) {
            const int choice = m_random.bounded(10);
            if (c == '"' || c == '\\') {
                if (choice == 0) {
                    hexUnit(unsigned(c));
                } else {
                    m_out += '\\';
                    m_out += char(c);
                }
            } else if (c < 0x20) {
                const char *shortForm = c == '\b' ? "\\b"
                    : c == '\f'                   ? "\\f"
                    : c == '\n'                   ? "\\n"
                    : c == '\r'                   ? "\\r"
                    : c == '\t'                   ? "\\t"
                                                  : nullptr;
                if (shortForm && choice < 7)
                    m_out += shortForm;
                else
                    hexUnit(unsigned(c));
            } else if (c == '/' && choice < 3) {
                m_out += "\\/";
            } else if (choice < 2) {
                if (c >= 0x10000) {
                    hexUnit(0xD800 + ((unsigned(c) - 0x10000) >> 10));
                    hexUnit(0xDC00 + ((unsigned(c) - 0x10000) & 0x3FF));
                } else {
                    hexUnit(unsigned(c));
                }
            } else {
                m_out += QString::fromUcs4(&c, 1).toUtf8();
            }
        }
        m_out += '"';
    }

    void writeNumber(double value)
    {
        if (value == std::floor(value) && std::abs(value) < 1e15) {
            const QByteArray integer = QByteArray::number(qint64(value));
            switch (m_random.bounded(5)) {
            case 0:
                m_out += integer + ".0";
                return;
            case 1:
                m_out += integer + "e0";
                return;
            case 2:
                m_out += integer + "E+00";
                return;
            default:
                m_out += integer;
                return;
            }
        }
        QByteArray text = QByteArray::number(value, 'g', 17);  // round-trips
        if (m_random.bounded(2))
            text.replace('e', 'E');
        m_out += text;
    }

    void writeValue(const QJsonValue &value)
    {
        switch (value.type()) {
        case QJsonValue::Null:
            m_out += "null";
            break;
        case QJsonValue::Bool:
            m_out += value.toBool() ? "true" : "false";
            break;
        case QJsonValue::Double:
            writeNumber(value.toDouble());
            break;
        case QJsonValue::String:
            writeString(value.toString());
            break;
        case QJsonValue::Array: {
            m_out += '[';
            space();
            const QJsonArray array = value.toArray();
            for (qsizetype i = 0; i < array.size(); ++i) {
                if (i > 0) {
                    m_out += ',';
                    space();
                }
                writeValue(array[i]);
                space();
            }
            m_out += ']';
            break;
        }
        case QJsonValue::Object: {
            m_out += '{';
            space();
            const QJsonObject object = value.toObject();
            bool first = true;
            for (auto it = object.begin(); it != object.end(); ++it) {
                if (!first) {
                    m_out += ',';
                    space();
                }
                first = false;
                writeString(it.key());
                space();
                m_out += ':';
                space();
                writeValue(it.value());
                space();
            }
            m_out += '}';
            break;
        }
        default:
            break;
        }
    }

    QRandomGenerator &m_random;
    QByteArray m_out;
};

// What a line the scanner accepted holds, found the simple way (it is valid JSON): its top-level
// keys (unescaped) and the text of every number in it.
struct LineContents {
    QList<QByteArray> topLevelKeys;
    QList<QByteArray> numbers;
};

LineContents contentsOf(const QByteArray &line)
{
    LineContents contents;
    int depth = 0;
    const qsizetype size = line.size();
    for (qsizetype i = 0; i < size;) {
        const char c = line[i];
        if (c == '"') {
            qsizetype close = i + 1;
            while (line[close] != '"')
                close += line[close] == '\\' ? 2 : 1;
            qsizetype after = close + 1;
            while (after < size && QByteArrayView(" \t\r\n").contains(line[after]))
                ++after;
            if (depth == 1 && after < size && line[after] == ':') {
                const QByteArray token = line.mid(i, close + 1 - i);
                contents.topLevelKeys
                    << QJsonDocument::fromJson("[" + token + "]").array().at(0).toString().toUtf8();
            }
            i = close + 1;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            qsizetype stop = i;
            while (stop < size && QByteArrayView("0123456789+-.eE").contains(line[stop]))
                ++stop;
            contents.numbers << line.mid(i, stop - i);
            i = stop;
        } else {
            depth += c == '{' || c == '[' ? 1 : c == '}' || c == ']' ? -1 : 0;
            ++i;
        }
    }
    return contents;
}

bool outOfDoubleRange(const QByteArray &number)
{
    double value = 0;
    return std::from_chars(number.constData(), number.constData() + number.size(), value).ec
        == std::errc::result_out_of_range;
}

QByteArray mutated(QRandomGenerator &random, QByteArray line)
{
    static constexpr char kInteresting[] = "\"\\{}[],:0123-.eE+tfnu \t\r\n\x00\x01\x1f\x7f\x80\xbf"
                                           "\xc0\xc1\xc3\xe0\xed\xf0\xf4\xf5\xff";
    static const QByteArray interesting(kInteresting, sizeof kInteresting - 1);
    const auto randomByte = [&] {
        return random.bounded(2) ? interesting[random.bounded(interesting.size())]
                                 : char(random.bounded(256));
    };
    for (int edits = random.bounded(1, 4); edits > 0; --edits) {
        const qsizetype size = line.size();
        const qsizetype at = size > 0 ? random.bounded(size) : 0;
        switch (random.bounded(6)) {
        case 0:
        case 1:
            if (size > 0)
                line[at] = randomByte();
            break;
        case 2:
            line.insert(at, randomByte());
            break;
        case 3:
            if (size > 0)
                line.remove(at, 1);
            break;
        case 4:
            if (size > 0)
                line.remove(at, random.bounded(1, 8));
            break;
        default:
            if (size > 0)
                line.insert(random.bounded(size + 1), line.mid(at, random.bounded(1, 12)));
            break;
        }
    }
    return line;
}

}  // namespace

class TestJsonLine : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void validLines_data();
    void validLines();
    void invalidLines_data();
    void invalidLines();
    void nestingLimit();
    void utf8Exhaustive();
    void escapesAndSurrogates();
    void validNumbers();
    void duplicateKeys_data();
    void duplicateKeys();
    void duplicateKeyShownSafely();
    void manyKeys();
    void keySetAgainstMap();
    void numbersOutOfRange();
    void rawSpans();
    void fieldKindsAndReuse();
    void closingBrace();
    void addedMember_data();
    void addedMember();
    void randomAgainstQt();
    void mutationsAgainstQt();
    void throughput();
    void throughputManyKeys();
};

void TestJsonLine::validLines_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::newRow("simple") << QByteArray(R"({"text":"hello","id":42})");
    QTest::newRow("whitespace around")
        << QByteArray(" \t{ \"text\" :\r\n\"a b\" , \"id\" : -1.5e3 }\t \r");
    QTest::newRow("short escapes") << QByteArray(R"({"text":"q\"b\\s\/b\bf\fn\nr\rt\t."})");
    QTest::newRow("unicode escapes") << QByteArray(R"({"text":"\u00e9\u4E2D\ud83d\ude00 \u0041"})");
    QTest::newRow("raw unicode") << QByteArray(
        "{\"text\":\"\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\"}");
    QTest::newRow("nul escape") << QByteArray(R"({"text":"a\u0000b","id":"\u0000"})");
    QTest::newRow("nested keys do not count")
        << QByteArray(R"({"meta":{"text":"inner","id":1},"text":"outer","list":[{"id":2}]})");
    QTest::newRow("escaped key") << QByteArray(R"({"te\u0078t":"via an escaped key","i\u0064":7})");
    QTest::newRow("key with quote") << QByteArray(R"({"a\"b":1,"text":"x"})");
    QTest::newRow("empty object") << QByteArray("{}");
    QTest::newRow("empty with spaces") << QByteArray("  { }  ");
    QTest::newRow("empty string") << QByteArray(R"({"text":"","id":""})");
    QTest::newRow("other kinds") << QByteArray(R"({"text":null,"id":[1,[2,{}],"x"]})");
    QTest::newRow("object value") << QByteArray(R"({"text":{"a":[true,false,null]},"id":true})");
    QTest::newRow("long text") << QByteArray("{\"id\":0,\"text\":\"" + QByteArray(100000, 'x')
                                             + "\\n" + QByteArray(5000, 'y') + "\"}");
    QTest::newRow("byte order mark") << QByteArray("\xef\xbb\xbf {\"text\":\"bom\"}");
    QTest::newRow("del and high bmp") << QByteArray("{\"text\":\"\x7f\xef\xbf\xbf\xee\x80\x80\"}");
}

void TestJsonLine::validLines()
{
    QFETCH(QByteArray, line);
    JsonLineScanner scanner({ "text", "id", "absent" });
    const auto problem = scanner.scan(view(line));
    QVERIFY2(!problem, qPrintable(problem ? problem->reason : QString()));
    const QtParse qt = parseWithQt(line);
    QVERIFY2(qt.accepted, qPrintable(qt.error.errorString()));
    QString why;
    QVERIFY2(sameAsQt(scanner.field(0), memberOf(qt.object, QStringLiteral("text")), &why),
             qPrintable(why));
    QVERIFY2(sameAsQt(scanner.field(1), memberOf(qt.object, QStringLiteral("id")), &why),
             qPrintable(why));
    QCOMPARE(scanner.field(2).kind, Kind::Missing);
    QVERIFY(scanner.field(2).value.empty());
}

void TestJsonLine::invalidLines_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("reason");
    const auto row = [](const char *name, const QByteArray &line, int column, const char *reason) {
        QTest::newRow(name) << line << column << QString::fromUtf8(reason);
    };
    // Structure.
    row("empty", "", 1, "not a JSON object");
    row("only spaces", "   ", 4, "not a JSON object");
    row("array", "[1,2]", 1, "not a JSON object");
    row("string", R"("text")", 1, "not a JSON object");
    row("number", " 42", 2, "not a JSON object");
    row("open brace", "{", 2, "expected a string key or '}'");
    row("unquoted key", "{text:1}", 2, "expected a string key or '}'");
    row("single quotes", "{'a':1}", 2, "expected a string key or '}'");
    row("no colon", R"({"a"})", 5, "expected ':' after an object key");
    row("no value", R"({"a":})", 6, "expected a value");
    row("value cut", R"({"a":)", 6, "expected a value, found the end of the line");
    row("trailing comma", R"({"a":1,})", 8, "expected a string key after ','");
    row("missing comma", R"({"a":1 "b":2})", 8, "expected ',' or '}' after an object member");
    row("unclosed", R"({"a":1)", 7, "expected ',' or '}' after an object member");
    row("array missing comma", R"({"a":[1 2]})", 9, "expected ',' or ']' after an array element");
    row("array trailing comma", R"({"a":[1,]})", 9, "expected a value");
    row("array unclosed", R"({"a":[1})", 8, "expected ',' or ']' after an array element");
    row("wrong closer", R"({"a":[1}])", 8, "expected ',' or ']'");
    row("trailing garbage", R"({"a":1}x)", 8, "unexpected text after the object");
    row("two objects", R"({"a":1}{})", 8, "unexpected text after the object");
    row("trailing comma after object", "{} ,", 4, "unexpected text after the object");
    row("form feed is no whitespace", "{\f}", 2, "expected a string key or '}'");
    row("nbsp is no whitespace", "{\xc2\xa0}", 2, "expected a string key or '}'");
    row("raw utf-8 outside strings", "{\"a\":1\xc3\xa9}", 7, "expected ',' or '}'");
    // Strings.
    row("unterminated", R"({"a":"abc)", 6, "unterminated string");
    row("unterminated key", R"({"ab)", 2, "unterminated string");
    row("backslash at the end", R"({"a":"abc\)", 10, "unterminated string");
    row("control character", "{\"a\":\"a\x01b\"}", 8, "unescaped control character");
    row("raw tab", "{\"a\":\"a\tb\"}", 8, "unescaped control character");
    row("raw newline", "{\"a\":\"a\nb\"}", 8, "unescaped control character");
    row("raw nul", QByteArray("{\"a\":\"a\0b\"}", 11), 8, "unescaped control character");
    row("control character in a key", "{\"\x1f\":1}", 3, "unescaped control character");
    row("bad escape", R"({"a":"\x"})", 7, "invalid escape \\x");
    row("escaped apostrophe", R"({"a":"\'"})", 7, "invalid escape");
    row("short \\u", R"({"a":"\u12"})", 7, "four hex digits");
    row("non-hex \\u", R"({"a":"\u12G4"})", 7, "four hex digits");
    row("\\u at the end", R"({"a":"\u00)", 7, "four hex digits");
    row("lone high surrogate", R"({"a":"\ud800"})", 7, "unpaired surrogate");
    row("high surrogate then text", R"({"a":"\ud800x"})", 7, "unpaired surrogate");
    row("high surrogate then bmp", R"({"a":"\ud800\u0041"})", 7, "unpaired surrogate");
    row("two high surrogates", R"({"a":"\ud83d\ud83d"})", 7, "unpaired surrogate");
    row("lone low surrogate", R"({"a":"\udc00"})", 7, "unpaired surrogate");
    row("swapped surrogates", R"({"a":"\ude00\ud83d"})", 7, "unpaired surrogate");
    row("lone surrogate in a key", R"({"\uDFFF":1})", 3, "unpaired surrogate");
    // UTF-8.
    row("overlong slash", "{\"a\":\"\xc0\xaf\"}", 7, "invalid UTF-8 in a string");
    row("overlong c1", "{\"a\":\"\xc1\xbf\"}", 7, "invalid UTF-8");
    row("overlong 3 bytes", "{\"a\":\"\xe0\x80\xaf\"}", 7, "invalid UTF-8");
    row("overlong 4 bytes", "{\"a\":\"\xf0\x8f\xbf\xbf\"}", 7, "invalid UTF-8");
    row("encoded surrogate", "{\"a\":\"\xed\xa0\x80\"}", 7, "invalid UTF-8");
    row("encoded low surrogate", "{\"a\":\"\xed\xbf\xbf\"}", 7, "invalid UTF-8");
    row("beyond U+10FFFF", "{\"a\":\"\xf4\x90\x80\x80\"}", 7, "invalid UTF-8");
    row("lead f5", "{\"a\":\"\xf5\x80\x80\x80\"}", 7, "invalid UTF-8");
    row("lead ff", "{\"a\":\"\xff\"}", 7, "invalid UTF-8");
    row("lone continuation", "{\"a\":\"ab\x80\"}", 9, "invalid UTF-8");
    row("truncated before quote", "{\"a\":\"\xe4\xb8\"}", 7, "invalid UTF-8");
    row("truncated at the end", "{\"a\":\"\xe4\xb8", 7, "invalid UTF-8");
    row("truncated 4 bytes", "{\"a\":\"\xf0\x9f\x98\"}", 7, "invalid UTF-8");
    row("ascii after lead",
        "{\"a\":\"\xc3"
        "A\"}",
        7, "invalid UTF-8");
    row("invalid utf-8 in a key", "{\"\xc3\x28\":1}", 3, "invalid UTF-8");
    row("latin-1", "{\"a\":\"caf\xe9\"}", 10, "invalid UTF-8");
    // Numbers.
    row("leading zero", R"({"a":01})", 6, "must not start with 0");
    row("negative leading zero", R"({"a":-01})", 7, "must not start with 0");
    row("plus", R"({"a":+1})", 6, "expected a value");
    row("dot at the end", R"({"a":1.})", 8, "digit after the decimal point");
    row("dot then exponent", R"({"a":1.e5})", 8, "digit after the decimal point");
    row("leading dot", R"({"a":.5})", 6, "expected a value");
    row("minus alone", R"({"a":-})", 7, "expected a digit after '-'");
    row("minus space", R"({"a":- 1})", 7, "expected a digit after '-'");
    row("exponent without digits", R"({"a":1e})", 8, "digit in the exponent");
    row("exponent sign only", R"({"a":1e+})", 9, "digit in the exponent");
    row("hex", R"({"a":0x10})", 7, "expected ',' or '}'");
    row("nan", R"({"a":NaN})", 6, "expected a value");
    row("infinity", R"({"a":Infinity})", 6, "expected a value");
    row("minus infinity", R"({"a":-Infinity})", 7, "expected a digit after '-'");
    row("two dots", R"({"a":1.2.3})", 9, "expected ',' or '}'");
    // Literals.
    row("truncated true", R"({"a":tru})", 6, "expected a value");
    row("truncated null at the end", R"({"a":nul)", 6, "expected a value");
    row("capitalised", R"({"a":True})", 6, "expected a value");
    row("literal with a tail", R"({"a":truex})", 10, "expected ',' or '}'");
    row("undefined", R"({"a":undefined})", 6, "expected a value");
}

void TestJsonLine::invalidLines()
{
    QFETCH(QByteArray, line);
    QFETCH(int, column);
    QFETCH(QString, reason);
    JsonLineScanner scanner({ "a" });
    const auto problem = scanner.scan(view(line));
    QVERIFY(problem);
    QVERIFY2(problem->reason.contains(reason), qPrintable(problem->reason));
    QCOMPARE(problem->column, qint64(column));
}

void TestJsonLine::nestingLimit()
{
    JsonLineScanner scanner({ "a" });
    // 100000 levels: a problem, not a stack overflow.
    const QByteArray deep = "{\"a\":" + QByteArray(100000, '[');
    auto problem = scanner.scan(view(deep));
    QVERIFY(problem);
    QVERIFY2(problem->reason.contains(QStringLiteral("nesting deeper than 512 levels")),
             qPrintable(problem->reason));
    // The object is level 1; the 512th '[' (column 6 + 511) would be level 513.
    QCOMPARE(problem->column, qint64(6 + 511));
    const QByteArray deepObjects = QByteArray("{\"a\":").repeated(100000);
    problem = scanner.scan(view(deepObjects));
    QVERIFY(problem);
    QCOMPARE(problem->column, qint64(5 * 512 + 1));

    // Exactly 512 levels are fine.
    const QByteArray limit = "{\"a\":" + QByteArray(511, '[') + QByteArray(511, ']') + "}";
    problem = scanner.scan(view(limit));
    QVERIFY2(!problem, qPrintable(problem ? problem->reason : QString()));
    QCOMPARE(scanner.field(0).kind, Kind::Other);
    QVERIFY(QJsonDocument::fromJson(limit).isObject());
    const QByteArray over = "{\"a\":" + QByteArray(512, '[') + QByteArray(512, ']') + "}";
    QVERIFY(scanner.scan(view(over)));
}

// Every 2- and 3-byte sequence (and many 4-byte ones) inside a string, against a decoder written
// straight from the definition (Unicode 15, table 3-7).
void TestJsonLine::utf8Exhaustive()
{
    const auto referenceValid = [](const unsigned char *s, int length) {
        int i = 0;
        while (i < length) {
            const unsigned lead = s[i];
            int count = 0;
            char32_t c = 0;
            if (lead < 0x80) {
                count = 1;
                c = lead;
            } else if ((lead & 0xE0) == 0xC0) {
                count = 2;
                c = lead & 0x1F;
            } else if ((lead & 0xF0) == 0xE0) {
                count = 3;
                c = lead & 0x0F;
            } else if ((lead & 0xF8) == 0xF0) {
                count = 4;
                c = lead & 0x07;
            } else {
                return false;
            }
            if (i + count > length)
                return false;
            for (int k = 1; k < count; ++k) {
                if ((s[i + k] & 0xC0) != 0x80)
                    return false;
                c = (c << 6) | (s[i + k] & 0x3F);
            }
            const char32_t minimum[] = { 0, 0, 0x80, 0x800, 0x10000 };
            if (c < minimum[count] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF || c < 0x20)
                return false;
            i += count;
        }
        return true;
    };
    JsonLineScanner scanner({ "a" });
    std::string line = R"({"a":"....."})";
    qint64 checked = 0;
    const auto check = [&](const unsigned char *s, int length) -> bool {
        for (int k = 0; k < length; ++k) {
            if (s[k] == '"' || s[k] == '\\')
                return true;  // those end the string or escape: not about UTF-8
        }
        line.assign(R"({"a":")");
        line.append(reinterpret_cast<const char *>(s), std::size_t(length));
        line.append("\"}");
        const auto problem = scanner.scan(line);
        const bool expected = referenceValid(s, length);
        ++checked;
        if (bool(problem) == expected) {
            qWarning("sequence %s: scanner %s",
                     qPrintable(hexDump(QByteArray(reinterpret_cast<const char *>(s), length))),
                     problem ? qPrintable(problem->reason) : "accepts");
            return false;
        }
        if (!problem
            && bytesOf(scanner.field(0).value)
                != QByteArray(reinterpret_cast<const char *>(s), length))
            return false;
        return true;
    };
    unsigned char s[4];
    for (unsigned a = 0; a < 256; ++a) {
        s[0] = static_cast<unsigned char>(a);
        QVERIFY(check(s, 1));
        for (unsigned b = 0; b < 256; ++b) {
            s[1] = static_cast<unsigned char>(b);
            QVERIFY(check(s, 2));
            if (a < 0x80)
                continue;  // an ASCII first byte is the 2-byte case again
            for (unsigned c = 0; c < 256; ++c) {
                s[2] = static_cast<unsigned char>(c);
                QVERIFY(check(s, 3));
            }
        }
    }
    const unsigned char edges[]
        = { 0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xF4, 0xFF };
    for (unsigned a = 0xC0; a < 256; ++a) {
        s[0] = static_cast<unsigned char>(a);
        for (unsigned b = 0; b < 256; ++b) {
            s[1] = static_cast<unsigned char>(b);
            for (const unsigned char c : edges) {
                s[2] = c;
                for (const unsigned char d : edges) {
                    s[3] = d;
                    QVERIFY(check(s, 4));
                }
            }
        }
    }
    QVERIFY(checked > 1000000);
}

void TestJsonLine::escapesAndSurrogates()
{
    JsonLineScanner scanner({ "a", "b", "c" });
    const QByteArray line
        = R"({"a":"\ud83d\ude00","b":"x\uD83D\uDE00y\u00e9\u20ac","c":"\uDBFF\uDFFF"})";
    QVERIFY(!scanner.scan(view(line)));
    QCOMPARE(bytesOf(scanner.field(0).value), QByteArray("\xf0\x9f\x98\x80"));
    QCOMPARE(bytesOf(scanner.field(1).value), QByteArray("x\xf0\x9f\x98\x80y\xc3\xa9\xe2\x82\xac"));
    QCOMPARE(bytesOf(scanner.field(2).value), QByteArray("\xf4\x8f\xbf\xbf"));  // U+10FFFF
    const QtParse qt = parseWithQt(line);
    QVERIFY(qt.accepted);
    QString why;
    for (int i = 0; i < 3; ++i) {
        const QString key = QString(QLatin1Char(char('a' + i)));
        QVERIFY2(sameAsQt(scanner.field(std::size_t(i)), memberOf(qt.object, key), &why),
                 qPrintable(why));
    }
    // Values without escapes point into the line itself.
    const QByteArray plain = R"({"a":"plain","b":"with\nescape"})";
    QVERIFY(!scanner.scan(view(plain)));
    QCOMPARE(scanner.field(0).value.data(), plain.constData() + 6);
    QCOMPARE(bytesOf(scanner.field(1).value), QByteArray("with\nescape"));
    QVERIFY(scanner.field(1).value.data() < plain.constData()
            || scanner.field(1).value.data() >= plain.constData() + plain.size());
}

void TestJsonLine::validNumbers()
{
    JsonLineScanner scanner({ "n" });
    for (const char *number :
         { "0", "-0", "1.5e-3", "1E+2", "123", "-123.456", "1e5", "0.0", "0e0", "-0.0E-0", "1e-05",
           "9007199254740993", "1e400", "123456789012345678901234567890" }) {
        const QByteArray line = QByteArray("{\"n\":") + number + "}";
        const auto problem = scanner.scan(view(line));
        QVERIFY2(!problem, number);
        QCOMPARE(scanner.field(0).kind, Kind::Number);
        QCOMPARE(bytesOf(scanner.field(0).value), QByteArray(number));
    }
    // Followed directly by a delimiter.
    const QByteArray tight = R"({"n":-0.5e+7,"m":[1,2]})";
    QVERIFY(!scanner.scan(view(tight)));
    QCOMPARE(bytesOf(scanner.field(0).value), QByteArray("-0.5e+7"));
}

void TestJsonLine::duplicateKeys_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<int>("column");  // of the second occurrence; 0 = no problem
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<int>("firstColumn");
    QTest::newRow("text twice") << QByteArray(R"({"text":"harmless","x":1,"text":"phishing"})")
                                << 26 << QByteArray("text") << 2;
    QTest::newRow("escaped second")
        << QByteArray(R"({"text":"a","t\u0065xt":"b"})") << 13 << QByteArray("text") << 2;
    QTest::newRow("both escaped") << QByteArray(R"({"t\u0065xt":1,"te\u0078t":2})") << 16
                                  << QByteArray("text") << 2;
    QTest::newRow("escaped slash")
        << QByteArray(R"({"a/b":1,"a\/b":2})") << 10 << QByteArray("a/b") << 2;
    QTest::newRow("raw and escaped accent")
        << QByteArray("{\"\xc3\xa9\":1,\"\\u00e9\":2}") << 9 << QByteArray("\xc3\xa9") << 2;
    QTest::newRow("a key not asked for")
        << QByteArray(R"({"a":1,"b":2,"a":{}})") << 14 << QByteArray("a") << 2;
    QTest::newRow("empty key") << QByteArray(R"({"":1,"":2})") << 7 << QByteArray("") << 2;
    QTest::newRow("after a nested object")
        << QByteArray(R"({"a":{"a":1},"b":[{"a":2}],"a":3})") << 28 << QByteArray("a") << 2;
    QTest::newRow("whitespace around")
        << QByteArray(" { \"k\" : 1 ,\t\"k\":2}") << 14 << QByteArray("k") << 4;
    // Not duplicates: nested objects are not read, and keys differ by a byte.
    QTest::newRow("nested duplicates")
        << QByteArray(R"({"meta":{"a":1,"a":2},"list":[{"k":1,"k":2}],"text":"x"})") << 0
        << QByteArray() << 0;
    QTest::newRow("nested and top level")
        << QByteArray(R"({"a":{"b":1},"b":2,"c":[{"a":0}]})") << 0 << QByteArray() << 0;
    QTest::newRow("same length, last byte")
        << QByteArray(R"({"abcdefgh1":1,"abcdefgh2":2,"abcdefgh":3,"abcdefgh10":4})") << 0
        << QByteArray() << 0;
    QTest::newRow("case") << QByteArray(R"({"Text":1,"text":2,"TEXT":3})") << 0 << QByteArray()
                          << 0;
}

void TestJsonLine::duplicateKeys()
{
    QFETCH(QByteArray, line);
    QFETCH(int, column);
    QFETCH(QByteArray, key);
    QFETCH(int, firstColumn);
    JsonLineScanner scanner({ "text" });
    const auto problem = scanner.scan(view(line));
    if (column == 0) {
        QVERIFY2(!problem, qPrintable(problem ? problem->reason : QString()));
        QVERIFY(parseWithQt(line).accepted);
        return;
    }
    QVERIFY(problem);
    QCOMPARE(problem->issue, JsonLineScanner::Issue::DuplicateKey);
    QCOMPARE(problem->column, column);
    QCOMPARE(bytesOf(problem->key), key);
    QCOMPARE(problem->reason,
             QStringLiteral("duplicate key \"%1\" (also at column %2)")
                 .arg(QString::fromUtf8(key))
                 .arg(firstColumn));
    // Qt accepts the line (it keeps the last value): the check is ours.
    QVERIFY(parseWithQt(line).accepted);
    // The next line starts afresh.
    QVERIFY(!scanner.scan(R"({"text":"x","a":1})"));
    QCOMPARE(bytesOf(scanner.field(0).value), QByteArray("x"));
}

// The key in the reason is written as JSON: a control character cannot break the report line.
void TestJsonLine::duplicateKeyShownSafely()
{
    JsonLineScanner scanner({});
    const auto problem = scanner.scan(R"({"a\nb\"c":1,"a\u000ab\u0022c":2})");
    QVERIFY(problem);
    QCOMPARE(problem->reason, QStringLiteral(R"(duplicate key "a\nb\"c" (also at column 2))"));
    QCOMPARE(bytesOf(problem->key), QByteArray("a\nb\"c"));
    // A long key is cut short in the reason.
    const QByteArray longKey(500, 'k');
    const auto longProblem = scanner.scan(view("{\"" + longKey + "\":1,\"" + longKey + "\":2}"));
    QVERIFY(longProblem);
    QVERIFY(longProblem->reason.size() < 150);
    QCOMPARE(bytesOf(longProblem->key), longKey);
}

// Objects with many keys: linear time (a hostile line with 100k keys scans in well under a
// second, where comparing every pair would take seconds), duplicates found at any distance,
// among escaped keys too, and a huge line does not disturb the small ones after it.
void TestJsonLine::manyKeys()
{
    const auto lineWithKeys = [](int count, const QByteArray &prefix, bool escape) {
        QByteArray line = "{";
        for (int i = 0; i < count; ++i) {
            if (i > 0)
                line += ',';
            // Escaped: "\u006b" is 'k', so the unescaped keys are those of the plain line.
            line += '"' + (escape && i % 3 == 0 ? QByteArray("\\u006b") : QByteArray("k")) + prefix
                + QByteArray::number(i) + "\":" + QByteArray::number(i);
        }
        return line + "}";
    };
    JsonLineScanner scanner({ "k7" });
    for (const bool escape : { false, true }) {
        const QByteArray huge = lineWithKeys(100000, "ey-", escape);
        QElapsedTimer timer;
        timer.start();
        const auto problem = scanner.scan(view(huge));
        const qint64 milliseconds = timer.elapsed();
        QVERIFY2(!problem, qPrintable(problem ? problem->reason : QString()));
        QVERIFY2(milliseconds < 1000, qPrintable(QString::number(milliseconds)));

        // The same key again at the end, and early in the line.
        for (const int repeated : { 0, 5, 31, 32, 33, 50000, 99999 }) {
            QByteArray line = huge;
            line.chop(1);
            const qsizetype column = line.size() + 2;
            line += ",\"key-" + QByteArray::number(repeated) + "\":null}";
            const auto duplicate = scanner.scan(view(line));
            QVERIFY(duplicate);
            QCOMPARE(duplicate->issue, JsonLineScanner::Issue::DuplicateKey);
            QCOMPARE(duplicate->column, column);
            QCOMPARE(bytesOf(duplicate->key), "key-" + QByteArray::number(repeated));
            const qsizetype first
                = huge.indexOf((escape && repeated % 3 == 0 ? "\"\\u006bey-" : "\"key-")
                               + QByteArray::number(repeated) + "\":");
            QVERIFY(
                duplicate->reason.endsWith(QStringLiteral("(also at column %1)").arg(first + 1)));
        }
    }
    // Small lines after the huge one: every size around the switch to the table.
    for (int count = 1; count < 80; ++count) {
        const QByteArray line = lineWithKeys(count, "", count % 2 == 0);
        QVERIFY2(!scanner.scan(view(line)), qPrintable(QString::number(count)));
        QByteArray withDuplicate = line;
        withDuplicate.chop(1);
        withDuplicate += ",\"k" + QByteArray::number(count / 2) + "\":0}";
        const auto problem = scanner.scan(view(withDuplicate));
        QVERIFY2(problem && problem->issue == JsonLineScanner::Issue::DuplicateKey,
                 qPrintable(QString::number(count)));
    }
}

// JsonKeySet against std::map: random keys (short, long, sharing prefixes) with repeats, over
// many objects of every size, so the list, its filter, the table and its reuse are all walked.
void TestJsonLine::keySetAgainstMap()
{
    QRandomGenerator random(7);
    JsonKeySet set;
    std::vector<QByteArray> storage;
    int duplicates = 0;
    for (int object = 0; object < 3000; ++object) {
        set.clear();
        storage.clear();
        std::map<QByteArray, std::size_t> reference;
        const int count = object % 10 == 0 ? random.bounded(2000) : random.bounded(70);
        storage.reserve(std::size_t(count));
        for (int i = 0; i < count; ++i) {
            QByteArray key;
            switch (random.bounded(4)) {
            case 0:
                key = QByteArray::number(random.bounded(count + 1));
                break;
            case 1:
                key = "shared-prefix-of-some-length-" + QByteArray::number(random.bounded(200));
                break;
            case 2:
                key = QByteArray(random.bounded(12), char('a' + random.bounded(3)));
                break;
            default:
                for (int n = random.bounded(20); n > 0; --n)
                    key += char(random.bounded(256));
            }
            storage.push_back(key);
            const std::size_t offset = std::size_t(i) * 10;
            const std::size_t answer = set.insert(view(storage.back()), offset);
            const auto known = reference.find(key);
            if (known == reference.end()) {
                QCOMPARE(answer, JsonKeySet::kNew);
                reference.emplace(key, offset);
            } else {
                QCOMPARE(answer, known->second);
                ++duplicates;
            }
        }
        QCOMPARE(set.size(), reference.size());
    }
    QVERIFY(duplicates > 10000);
}

// Off by default (the numbers are valid JSON); when asked for, any number a double cannot hold,
// anywhere in the line, is a problem located at the number.
void TestJsonLine::numbersOutOfRange()
{
    JsonLineScanner lenient({ "n" });
    JsonLineScanner strict({ "n" }, JsonLineScanner::Options { true });
    struct Case {
        QByteArray line;
        int column;  // 0 = in range
    };
    const std::vector<Case> cases = {
        { R"({"n":1e999})", 6 },
        { R"({"n":-1e400})", 6 },
        { R"({"n":1e-400})", 6 },
        { R"({"n":1E+309})", 6 },
        { R"({"n":1.7976931348623159e308})", 6 },
        { R"({"text":"x","meta":{"a":[1,2,{"b":-1e400}]}})", 35 },
        { R"({"a":[0.5, 1e999999999999999999999]})", 12 },
        { R"({"n":1.7976931348623157e308})", 0 },
        { R"({"n":4e-320})", 0 },  // subnormal: a double holds it
        { R"({"n":0e999999})", 0 },
        { R"({"n":-0.0e-999})", 0 },
        { R"({"n":12345678901234567890})", 0 },
        { R"({"n":123456789012345678901234567890.5e-10})", 0 },
        { R"({"s":"1e999"})", 0 },  // a string, not a number
        // No exponent, but 321 digits.
        { R"({"a":0, "b":1)" + QByteArray(320, '0') + "}", 13 },
        { R"({"a":0, "b":0.)" + QByteArray(400, '0') + "1}", 13 },
    };
    for (const auto &c : cases) {
        QVERIFY2(!lenient.scan(view(c.line)), c.line.constData());
        const auto problem = strict.scan(view(c.line));
        if (c.column == 0) {
            QVERIFY2(!problem, c.line.constData());
            continue;
        }
        QVERIFY2(problem, c.line.constData());
        QCOMPARE(problem->issue, JsonLineScanner::Issue::NumberOutOfRange);
        QCOMPARE(problem->column, c.column);
        QVERIFY2(problem->reason.contains(QStringLiteral("beyond the range of a double")),
                 qPrintable(problem->reason));
        QVERIFY(problem->reason.size() < 200);
        // Qt cannot read these numbers either: that is why they are refused.
        QCOMPARE(parseWithQt(c.line).error.error, QJsonParseError::IllegalNumber);
    }
}

// Raw spans: the bytes of each extracted value as written, whatever its kind.
void TestJsonLine::rawSpans()
{
    const QByteArray line
        = R"( {"text" : "a\u00e9b\"" , "n":-1.5e3,"o":{"x":[1,{"y":"}]"}]},"a":[ ],"t":true,)"
          R"("z":null, "s":"plain","e":{}} )";
    JsonLineScanner scanner({ "text", "n", "o", "a", "t", "z", "s", "e", "absent", "text" });
    QVERIFY(!scanner.scan(view(line)));
    const QList<QByteArray> expected = { R"("a\u00e9b\"")",
                                         "-1.5e3",
                                         R"({"x":[1,{"y":"}]"}]})",
                                         "[ ]",
                                         "true",
                                         "null",
                                         R"("plain")",
                                         "{}",
                                         "",
                                         R"("a\u00e9b\"")" };
    for (std::size_t i = 0; i < std::size_t(expected.size()); ++i) {
        const JsonLineScanner::Field &field = scanner.field(i);
        QVERIFY(field.rawBegin <= field.rawEnd);
        QCOMPARE(line.mid(qsizetype(field.rawBegin), qsizetype(field.rawEnd - field.rawBegin)),
                 expected[qsizetype(i)]);
    }
    QCOMPARE(scanner.field(8).kind, Kind::Missing);
    QCOMPARE(scanner.field(8).rawBegin, std::size_t(0));
    QCOMPARE(bytesOf(scanner.field(0).value),
             QByteArray("a\xc3\xa9"
                        "b\""));
    // Replacing the span replaces the value and nothing else.
    QByteArray replaced = line;
    replaced.replace(qsizetype(scanner.field(0).rawBegin),
                     qsizetype(scanner.field(0).rawEnd - scanner.field(0).rawBegin), R"("new")");
    QVERIFY(!scanner.scan(view(replaced)));
    QCOMPARE(bytesOf(scanner.field(0).value), QByteArray("new"));
    QCOMPARE(bytesOf(scanner.field(1).value), QByteArray("-1.5e3"));
}

void TestJsonLine::fieldKindsAndReuse()
{
    JsonLineScanner scanner({ "n", "t", "f", "a", "o", "s", "num", "e1", "e2" });
    QVERIFY(!scanner.scan(
        R"({"n":null,"t":true,"f":false,"a":[],"o":{},"s":"","num":0,"e1":"\"","e2":"\t"})"));
    const Kind expected[] = { Kind::Other,  Kind::Other,  Kind::Other,  Kind::Other, Kind::Other,
                              Kind::String, Kind::Number, Kind::String, Kind::String };
    for (std::size_t i = 0; i < std::size(expected); ++i)
        QCOMPARE(scanner.field(i).kind, expected[i]);
    QCOMPARE(bytesOf(scanner.field(6).value), QByteArray("0"));
    // Short unescaped values (stored inline in std::string) stay valid side by side.
    QCOMPARE(bytesOf(scanner.field(7).value), QByteArray("\""));
    QCOMPARE(bytesOf(scanner.field(8).value), QByteArray("\t"));

    // The next line starts afresh, and a failed line leaves nothing behind.
    QVERIFY(!scanner.scan(R"({"s":"x\u0041"})"));
    QCOMPARE(scanner.field(0).kind, Kind::Missing);
    QCOMPARE(bytesOf(scanner.field(5).value), QByteArray("xA"));
    QVERIFY(scanner.scan(R"({"s":"y",)"));
    QVERIFY(!scanner.scan("{}"));
    for (std::size_t i = 0; i < std::size(expected); ++i)
        QCOMPARE(scanner.field(i).kind, Kind::Missing);

    JsonLineScanner none({});
    QVERIFY(!none.scan(R"({"a":"b"})"));
    QVERIFY(none.scan(R"({"a":"\z"})"));
}

void TestJsonLine::closingBrace()
{
    JsonLineScanner scanner({});
    const struct {
        const char *line;
        std::size_t brace;
    } cases[]
        = { { "{}", 1 }, { " { } \t", 3 }, { R"({"a":{"b":{}}})", 13 }, { R"({"}":"}"} )", 8 } };
    for (const auto &c : cases) {
        QVERIFY2(!scanner.scan(c.line), c.line);
        QCOMPARE(scanner.closingBrace(), c.brace);
    }
}

void TestJsonLine::addedMember_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("empty") << QByteArray("{}") << QByteArray("score") << QByteArray("0.93");
    QTest::newRow("empty with spaces")
        << QByteArray(" {  } ") << QByteArray("score") << QByteArray("1");
    QTest::newRow("one member") << QByteArray(R"({"text":"a"})") << QByteArray("score")
                                << QByteArray("-1.5e-3");
    QTest::newRow("space before brace")
        << QByteArray("{\"a\":1 \t}\r") << QByteArray("b") << QByteArray("true");
    QTest::newRow("nested empty last")
        << QByteArray(R"({"a":{}})") << QByteArray("b") << QByteArray(R"("x")");
    QTest::newRow("awkward name") << QByteArray(R"({"a":[1,{"b":{}}]})")
                                  << QByteArray("we\"ird\\name\n\x01\xc3\xa9")
                                  << QByteArray(R"({"x":[null]})");
    QTest::newRow("same name again")
        << QByteArray(R"({"score":1})") << QByteArray("score2") << QByteArray("2");
}

void TestJsonLine::addedMember()
{
    QFETCH(QByteArray, line);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, value);
    JsonLineScanner scanner({});
    QVERIFY(!scanner.scan(view(line)));
    const std::string added
        = withAddedMember(view(line), scanner.closingBrace(), view(name), view(value));
    const QByteArray result = bytesOf(added);
    // Every other byte as it was.
    QVERIFY(result.startsWith(line.left(qsizetype(scanner.closingBrace()))));
    QVERIFY(result.endsWith(line.mid(qsizetype(scanner.closingBrace()))));
    QVERIFY2(!scanner.scan(added), qPrintable(hexDump(result)));
    const QtParse before = parseWithQt(line);
    const QtParse after = parseWithQt(result);
    QVERIFY2(after.accepted,
             qPrintable(after.error.errorString() + QStringLiteral(": ") + hexDump(result)));
    const QString key = QString::fromUtf8(name);
    QVERIFY(!before.object.contains(key));
    QCOMPARE(after.object.size(), before.object.size() + 1);
    QVERIFY(sameJson(memberOf(after.object, key),
                     QJsonDocument::fromJson("[" + value + "]").array().at(0)));
    for (auto it = before.object.begin(); it != before.object.end(); ++it)
        QVERIFY(sameJson(memberOf(after.object, it.key()), it.value()));
}

// Random objects written by QJsonDocument (compact: one line) and by a writer that uses every
// escape and number form: the scanner accepts them all and extracts what QJsonDocument reads.
void TestJsonLine::randomAgainstQt()
{
    QRandomGenerator random(20240601);
    RandomWriter writer(random);
    int lines = 0;
    for (int round = 0; round < 4000; ++round) {
        const QJsonObject object = randomObject(random);
        const QByteArray compact = QJsonDocument(object).toJson(QJsonDocument::Compact);
        const QByteArray own = writer.write(object);
        QVERIFY(!compact.contains('\n'));
        // Ask for some present keys and one absent.
        std::vector<std::string> names;
        QStringList keys = object.keys();
        for (const QString &key : keys) {
            if (random.bounded(3) != 0)
                names.push_back(key.toStdString());
        }
        names.push_back("\x01 absent");
        JsonLineScanner scanner(names);
        for (const QByteArray &line : { compact, own }) {
            ++lines;
            const QtParse qt = parseWithQt(line);
            QVERIFY2(qt.accepted, qPrintable(hexDump(line)));
            QVERIFY2(sameJson(qt.object, object),
                     qPrintable(hexDump(line)));  // the writer is right
            const auto problem = scanner.scan(view(line));
            if (problem) {
                QFAIL(qPrintable(QStringLiteral("column %1: %2 in %3")
                                     .arg(problem->column)
                                     .arg(problem->reason, hexDump(line))));
            }
            for (std::size_t i = 0; i < names.size(); ++i) {
                QString why;
                const QJsonValue expected = memberOf(qt.object, QString::fromStdString(names[i]));
                if (!sameAsQt(scanner.field(i), expected, &why)) {
                    QFAIL(qPrintable(QStringLiteral("key \"%1\": %2 in %3")
                                         .arg(hexDump(QByteArray::fromStdString(names[i])), why,
                                              hexDump(line))));
                }
                // The raw span holds the value as written: read alone, it is the same value.
                const JsonLineScanner::Field &field = scanner.field(i);
                if (field.kind != Kind::Missing) {
                    const QByteArray raw = line.mid(qsizetype(field.rawBegin),
                                                    qsizetype(field.rawEnd - field.rawBegin));
                    const QJsonValue alone = QJsonDocument::fromJson("[" + raw + "]").array().at(0);
                    QVERIFY2(sameJson(alone, expected), qPrintable(hexDump(raw)));
                }
            }
        }
    }
    QCOMPARE(lines, 8000);
}

// Random damage to valid lines: the scanner never crashes (the sanitizer builds check that), and
// whatever it accepts QJsonDocument accepts too, with the same values.
//
// Qt 6.4's parser is more lenient than RFC 8259 in places, so the other direction cannot be a
// rule; what it accepts and the scanner rejects is listed (qInfo) and must be one of:
// - raw control characters (U+0000..U+001F) inside strings;
// - unknown escapes: Qt reads "\x" as "x" (and "\'" as "'");
// - unpaired UTF-16 surrogates in \u escapes ("\ud800"), which no UTF-8 text can hold;
// - numbers like "1.", ".5" and "-.5";
// - nesting beyond 512 levels (Qt stops at 1024; mutations cannot get there).
// The one place Qt is stricter: numbers beyond a double's range ("1e400", "1e-400") are
// IllegalNumber for Qt but valid JSON; that is allowed only when the line has such a number.
// - duplicate top-level keys: Qt keeps the last value, the scanner refuses the line (the
//   mutations copy bytes around, so they make some).
void TestJsonLine::mutationsAgainstQt()
{
    QRandomGenerator random(99);
    RandomWriter writer(random);
    std::map<QString, int> onlyQtAccepts;
    int accepted = 0, rejected = 0, qtNumberRange = 0, duplicateKeys = 0;
    JsonLineScanner scanner({ "text", "id" });
    const QStringList allowed = { QStringLiteral("unescaped control character"),
                                  QStringLiteral("invalid escape"),
                                  QStringLiteral("unpaired surrogate"),
                                  QStringLiteral("digit after the decimal point"),
                                  QStringLiteral("expected a value, found '.'"),
                                  QStringLiteral("expected a digit after '-'"),
                                  QStringLiteral("duplicate key") };
    for (int round = 0; round < 20000; ++round) {
        QJsonObject object = randomObject(random);
        object.insert(QStringLiteral("text"), randomString(random, 20));
        const QByteArray valid = random.bounded(2)
            ? QJsonDocument(object).toJson(QJsonDocument::Compact)
            : writer.write(object);
        for (int variant = 0; variant < 5; ++variant) {
            const QByteArray line = mutated(random, valid);
            const auto problem = scanner.scan(view(line));
            const QtParse qt = parseWithQt(line);
            if (!problem) {
                ++accepted;
                QVERIFY(scanner.closingBrace() < std::size_t(line.size()));
                QCOMPARE(line[qsizetype(scanner.closingBrace())], '}');
                const LineContents contents = contentsOf(line);
                if (!qt.accepted && qt.error.error == QJsonParseError::IllegalNumber
                    && std::any_of(contents.numbers.begin(), contents.numbers.end(),
                                   outOfDoubleRange)) {
                    ++qtNumberRange;
                    continue;
                }
                if (!qt.accepted) {
                    QFAIL(qPrintable(QStringLiteral("the scanner accepts what Qt rejects (%1): %2")
                                         .arg(qt.error.errorString(), hexDump(line))));
                }
                // Every top-level key occurs once in what the scanner accepts.
                const QSet<QByteArray> distinct(contents.topLevelKeys.begin(),
                                                contents.topLevelKeys.end());
                QVERIFY2(distinct.size() == contents.topLevelKeys.size(),
                         qPrintable(hexDump(line)));
                const QStringList names = { QStringLiteral("text"), QStringLiteral("id") };
                for (int i = 0; i < names.size(); ++i) {
                    QString why;
                    QVERIFY2(sameAsQt(scanner.field(std::size_t(i)), memberOf(qt.object, names[i]),
                                      &why),
                             qPrintable(why + QStringLiteral(" in ") + hexDump(line)));
                }
            } else {
                ++rejected;
                QVERIFY(problem->column >= 1 && problem->column <= line.size() + 1);
                if (problem->issue == JsonLineScanner::Issue::DuplicateKey) {
                    ++duplicateKeys;
                    // The key was there before, at the column the reason names.
                    const qsizetype earlier
                        = problem->reason.section(QLatin1Char(' '), -1).chopped(1).toLongLong();
                    QVERIFY(earlier >= 1 && earlier < problem->column);
                    QCOMPARE(line[earlier - 1], '"');
                    QCOMPARE(line[problem->column - 1], '"');
                }
                if (qt.accepted) {
                    const auto known
                        = std::find_if(allowed.begin(), allowed.end(), [&](const QString &reason) {
                              return problem->reason.contains(reason);
                          });
                    if (known == allowed.end()) {
                        QFAIL(qPrintable(
                            QStringLiteral("Qt accepts, the scanner rejects: column %1: %2 in %3")
                                .arg(problem->column)
                                .arg(problem->reason, hexDump(line))));
                    }
                    ++onlyQtAccepts[*known];
                }
            }
        }
    }
    qInfo("mutations: %d accepted, %d rejected (%d for a duplicate key), %d accepted though Qt "
          "cannot hold a number",
          accepted, rejected, duplicateKeys, qtNumberRange);
    for (const auto &[reason, count] : onlyQtAccepts)
        qInfo("  Qt accepts, the scanner rejects (%d): %s", count, qPrintable(reason));
    QVERIFY(accepted > 1000);
    QVERIFY(rejected > 10000);
}

namespace {

// The best of three passes over `lines`, in MB/s; fails when a line is invalid.
double scannerMegabytesPerSecond(const QList<QByteArray> &lines)
{
    JsonLineScanner scanner({ "text", "id" });
    qint64 totalBytes = 0;
    for (const QByteArray &line : lines)
        totalBytes += line.size();
    double best = 1e300;
    for (int pass = 0; pass < 3; ++pass) {
        QElapsedTimer timer;
        timer.start();
        for (const QByteArray &line : lines) {
            if (scanner.scan(view(line)))
                return -1;
        }
        best = std::min(best, double(timer.nsecsElapsed()) / 1e9);
    }
    return double(totalBytes) / best / 1e6;
}

}  // namespace

// Records made mostly of metadata: 40 short top-level keys and a short text, the shape where a
// per-key cost (the duplicate-key check) shows most.
void TestJsonLine::throughputManyKeys()
{
#ifdef NDEBUG
    const int lineCount = 100000;
#else
    const int lineCount = 10000;
#endif
    QList<QByteArray> lines;
    qint64 totalBytes = 0;
    for (int i = 0; i < lineCount; ++i) {
        QByteArray line = R"({"id":)" + QByteArray::number(i) + R"(,"text":"a short text )"
            + QByteArray::number(i) + '"';
        for (int key = 0; key < 40; ++key)
            line += ",\"field_" + QByteArray::number(key)
                + "\":" + QByteArray::number(key * i % 997);
        line += '}';
        totalBytes += line.size();
        lines << line;
    }
    const double megabytesPerSecond = scannerMegabytesPerSecond(lines);
    QVERIFY2(megabytesPerSecond > 0, "a generated line is invalid");
    qInfo("JsonLineScanner: %.0f MB/s (%.1f M lines/s) on %d lines of 42 top-level keys, %.0f B",
          megabytesPerSecond, megabytesPerSecond * 1e6 / (double(totalBytes) / lineCount) / 1e6,
          int(lines.size()), double(totalBytes) / double(lines.size()));
}

void TestJsonLine::throughput()
{
    // 100k JSONL lines with a 2 KB "text": mostly ASCII words, some escapes and accents. (A tenth
    // in unoptimised builds, where the figure means nothing and sanitizers are slow.)
#ifdef NDEBUG
    const int lineCount = 100000;
#else
    const int lineCount = 10000;
#endif
    QRandomGenerator random(5);
    const QList<QByteArray> words
        = { "the",       "model", "perplexity",   "correlation",    "data",   "caf\xc3\xa9",
            "benchmark", "token", "na\xc3\xafve", "\\\"quoted\\\"", "line\\n" };
    // And a text in Russian and Chinese: mostly multi-byte UTF-8, off the ASCII fast path.
    const QList<QByteArray> otherWords
        = { "\xd0\xbc\xd0\xbe\xd0\xb4\xd0\xb5\xd0\xbb\xd1\x8c", "\xe6\xa8\xa1\xe5\x9e\x8b",
            "\xe6\x95\xb0\xe6\x8d\xae", "\xd0\xb4\xd0\xb0\xd0\xbd\xd0\xbd\xd1\x8b\xd0\xb5" };
    for (const QList<QByteArray> *vocabulary : { &words, &otherWords }) {
        QList<QByteArray> lines;
        qint64 totalBytes = 0;
        for (int i = 0; i < lineCount; ++i) {
            QByteArray text;
            while (text.size() < 2000)
                text += (*vocabulary)[random.bounded(vocabulary->size())] + ' ';
            const QByteArray line = R"({"id":"doc-)" + QByteArray::number(i)
                + R"(","url":"https://example.com/)" + QByteArray::number(i) + R"(","text":")"
                + text + R"(","meta":{"lang":"en","score":0.)"
                + QByteArray::number(random.bounded(1000)) + "}}";
            totalBytes += line.size();
            lines << line;
        }
        JsonLineScanner scanner({ "text", "id" });
        double best = 1e300;
        qint64 textBytes = 0;
        for (int pass = 0; pass < 3; ++pass) {
            QElapsedTimer timer;
            timer.start();
            textBytes = 0;
            for (const QByteArray &line : lines) {
                if (scanner.scan(view(line)))
                    QFAIL("a generated line is invalid");
                textBytes += qint64(scanner.field(0).value.size());
            }
            best = std::min(best, double(timer.nsecsElapsed()) / 1e9);
        }
        QElapsedTimer timer;
        timer.start();
        qint64 qtText = 0;
        for (const QByteArray &line : lines)
            qtText += QJsonDocument::fromJson(line)
                          .object()
                          .value(QStringLiteral("text"))
                          .toString()
                          .size();
        const double qtSeconds = double(timer.nsecsElapsed()) / 1e9;
        QVERIFY(textBytes > 0 && qtText > 0);
        qInfo("JsonLineScanner: %.0f MB/s on %d %s lines of %.1f KB (QJsonDocument: %.0f MB/s)",
              double(totalBytes) / best / 1e6, int(lines.size()),
              vocabulary == &words ? "mostly ASCII" : "Russian/Chinese",
              double(totalBytes) / double(lines.size()) / 1e3,
              double(totalBytes) / qtSeconds / 1e6);
    }
}

QTEST_GUILESS_MAIN(TestJsonLine)
#include "tst_jsonline.moc"
