#include "core/io/pyliteral.h"

#include <charconv>

namespace pcs::io {

namespace {

class PyParser {
public:
    explicit PyParser(std::string_view text)
        : m_text(text)
    {
    }

    bool dict(PyDict *out)
    {
        if (!expect('{'))
            return false;
        while (!peek('}')) {
            PyValue key;
            if (!value(&key, 0))
                return false;
            if (key.kind != PyValue::String)
                return fail("a dict key is not a string");
            if (!expect(':'))
                return false;
            PyValue item;
            if (!value(&item, 0))
                return false;
            out->entries.emplace_back(std::move(key.text), std::move(item));
            if (!peek('}') && !expect(','))
                return false;
        }
        ++m_pos;
        skipSpaces();
        if (m_pos != m_text.size())
            return fail("unexpected text after the dict");
        return true;
    }

    QString error() const { return m_error; }

private:
    void skipSpaces()
    {
        while (m_pos < m_text.size()
               && (m_text[m_pos] == ' ' || m_text[m_pos] == '\n' || m_text[m_pos] == '\t'
                   || m_text[m_pos] == '\r'))
            ++m_pos;
    }
    bool peek(char c)
    {
        skipSpaces();
        return m_pos < m_text.size() && m_text[m_pos] == c;
    }
    bool expect(char c)
    {
        if (!peek(c))
            return fail(std::string("expected '") + c + "'");
        ++m_pos;
        return true;
    }
    bool fail(const std::string &what)
    {
        m_error = QStringLiteral("%1 at offset %2").arg(QString::fromStdString(what)).arg(m_pos);
        return false;
    }
    bool startsWith(std::string_view word)
    {
        if (m_text.substr(m_pos, word.size()) != word)
            return false;
        m_pos += word.size();
        return true;
    }

    bool value(PyValue *out, int depth)
    {
        skipSpaces();
        if (m_pos >= m_text.size())
            return fail("unexpected end of header");
        if (depth > 16)
            return fail("nesting too deep");
        const char c = m_text[m_pos];
        if (c == '\'' || c == '"') {
            const std::size_t close = m_text.find(c, m_pos + 1);
            if (close == std::string_view::npos)
                return fail("unterminated string");
            out->kind = PyValue::String;
            out->text = std::string(m_text.substr(m_pos + 1, close - m_pos - 1));
            m_pos = close + 1;
            return true;
        }
        if (c == '(' || c == '[') {
            const char close = c == '(' ? ')' : ']';
            out->kind = c == '(' ? PyValue::Tuple : PyValue::List;
            ++m_pos;
            while (!peek(close)) {
                PyValue item;
                if (!value(&item, depth + 1))
                    return false;
                out->items.push_back(std::move(item));
                if (!peek(close) && !expect(','))
                    return false;
            }
            ++m_pos;
            return true;
        }
        if (startsWith("True") || startsWith("False")) {
            out->kind = PyValue::Bool;
            out->boolean = m_text[m_pos - 4] == 'T';  // "True" is the four characters before
            return true;
        }
        if (startsWith("None")) {
            out->kind = PyValue::None;
            return true;
        }
        const char *begin = m_text.data() + m_pos;
        const auto [ptr, ec] = std::from_chars(begin, m_text.data() + m_text.size(), out->integer);
        if (ec != std::errc())
            return fail("unexpected character");
        out->kind = PyValue::Int;
        m_pos += std::size_t(ptr - begin);
        if (m_pos < m_text.size() && m_text[m_pos] == 'L')
            ++m_pos;  // Python 2 long integers in files written by old NumPy
        return true;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    QString m_error;
};

}  // namespace

const PyValue *PyDict::find(std::string_view key) const
{
    for (const auto &[name, value] : entries) {
        if (name == key)
            return &value;
    }
    return nullptr;
}

bool parsePyDict(std::string_view text, PyDict *dict, QString *error)
{
    PyParser parser(text);
    if (parser.dict(dict))
        return true;
    *error = parser.error();
    return false;
}

}  // namespace pcs::io
