#pragma once

#include "core/io/textutil.h"

#include <QString>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

// The CSV tokenizer (RFC 4180 plus the lenient bits researchers' files need), kept inline
// because the BPB loader calls it for every cell of multi-gigabyte files.
namespace pcs::io {

// Where and why a CSV read failed; the caller adds the file name.
struct CsvIssue {
    qint64 line = 0;
    qint64 column = 0;
    QString reason;
};

// A position in a CSV buffer that reads field by field. Fields are left where they are in the
// buffer; only quoted fields with "" escapes are copied (into the caller's scratch string).
class CsvCursor {
public:
    CsvCursor(const char *begin, const char *end, char delimiter, qint64 line)
        : m_pos(begin)
        , m_end(end)
        , m_delimiter(delimiter)
        , m_line(line)
    {
    }

    const char *position() const { return m_pos; }
    qint64 line() const { return m_line; }
    bool atEnd() const { return m_pos >= m_end; }

    // Characters that make up a blank line. A tab only counts when it is not the delimiter,
    // so that a TSV row of empty fields is not mistaken for a blank line.
    static bool isBlankChar(char c, char delimiter)
    {
        return c == ' ' || c == '\r' || (c == '\t' && delimiter != '\t');
    }

    // Skips lines that hold only blank characters. Returns false at the end of the buffer.
    bool skipBlankLines()
    {
        while (m_pos < m_end) {
            const char *q = m_pos;
            while (q < m_end && isBlankChar(*q, m_delimiter))
                ++q;
            if (q == m_end) {
                m_pos = m_end;
                return false;
            }
            if (*q != '\n')
                return true;
            m_pos = q + 1;
            ++m_line;
        }
        return false;
    }

    // Reads one field, leaving the cursor on the delimiter, the line end or the buffer end.
    bool readField(std::string_view &text, std::string &scratch, qint64 column, CsvIssue &issue)
    {
        if (m_pos < m_end && *m_pos == '"')
            return readQuoted(text, scratch, column, issue);
        const char *start = m_pos;
        const char *q = start;
        while (q < m_end && *q != m_delimiter && *q != '\n')
            ++q;
        m_pos = q;
        text = std::string_view(start, std::size_t(q - start));
        if (!text.empty() && text.back() == '\r' && (q == m_end || *q == '\n'))
            text.remove_suffix(1);
        // A quote inside an unquoted field is malformed; rejecting it keeps the quote parity
        // that the parallel splitter relies on true.
        if (text.find('"') != std::string_view::npos)
            return fail(issue, column,
                        QStringLiteral("stray quote in an unquoted field %1 (quote the whole "
                                       "field and double the quotes inside it)")
                            .arg(quoteForMessage(text)));
        return true;
    }

    // Reads one numeric field: a number, or NaN for a missing cell. The common case (a plain
    // number followed by a delimiter) is parsed in place with no extra scan.
    bool readNumber(double &value, std::string &scratch, qint64 column, CsvIssue &issue)
    {
        const char *p = m_pos;
        while (p < m_end && *p == ' ')
            ++p;
        if (p == m_end || *p == m_delimiter || *p == '\n') {
            value = std::numeric_limits<double>::quiet_NaN();
            m_pos = p;
            return true;
        }
        if (*p != '"' && *p != '+') {
            const auto [ptr, ec] = std::from_chars(p, m_end, value);
            if (ec == std::errc()) {
                const char *q = ptr;
                while (q < m_end && (*q == ' ' || *q == '\r'))
                    ++q;
                if ((q == m_end || *q == m_delimiter || *q == '\n') && std::isfinite(value)) {
                    m_pos = q;
                    return true;
                }
            }
        }
        std::string_view text;
        if (!readField(text, scratch, column, issue))
            return false;
        if (parseCell(text, value) == CellKind::Invalid)
            return fail(issue, column, invalidCellReason(text));
        return true;
    }

    enum class After { Delimiter, RecordEnd };

    // Consumes what follows a field: a delimiter, or a line end (or the end of the buffer).
    After finishField()
    {
        if (m_pos < m_end && *m_pos == m_delimiter) {
            ++m_pos;
            return After::Delimiter;
        }
        if (m_pos < m_end && *m_pos == '\r')
            ++m_pos;
        if (m_pos < m_end && *m_pos == '\n') {
            ++m_pos;
            ++m_line;
        }
        return After::RecordEnd;
    }

    // Moves past the rest of the current record; returns how many more fields it held
    // (for the message about a ragged row).
    qint64 skipRestOfRecord(std::string &scratch)
    {
        qint64 fields = 0;
        CsvIssue ignored;
        std::string_view text;
        for (;;) {
            ++fields;
            if (!readField(text, scratch, 0, ignored)) {
                m_pos = m_end;
                return fields;
            }
            if (finishField() == After::RecordEnd)
                return fields;
        }
    }

private:
    bool fail(CsvIssue &issue, qint64 column, QString reason) const
    {
        issue = CsvIssue { m_line, column, std::move(reason) };
        return false;
    }

    bool readQuoted(std::string_view &text, std::string &scratch, qint64 column, CsvIssue &issue)
    {
        const char *open = m_pos;
        const char *q = open + 1;
        bool escaped = false;
        const char *close = nullptr;
        while (!close) {
            const auto *quote
                = static_cast<const char *>(std::memchr(q, '"', std::size_t(m_end - q)));
            if (!quote)
                return fail(issue, column,
                            QStringLiteral("unterminated quoted field (the file may be "
                                           "truncated, or a quote is missing)"));
            if (quote + 1 < m_end && quote[1] == '"') {
                escaped = true;
                q = quote + 2;
            } else {
                close = quote;
            }
        }
        const qint64 startLine = m_line;
        m_line += std::count(open + 1, close, '\n');
        if (escaped) {
            scratch.clear();
            for (const char *s = open + 1; s < close; ++s) {
                scratch.push_back(*s);
                if (*s == '"')
                    ++s;  // the second quote of a "" pair
            }
            text = scratch;
        } else {
            text = std::string_view(open + 1, std::size_t(close - open - 1));
        }
        m_pos = close + 1;
        const char *next = m_pos;
        if (next < m_end && *next == '\r' && (next + 1 == m_end || next[1] == '\n'))
            ++next;
        if (next < m_end && *next != m_delimiter && *next != '\n') {
            issue = CsvIssue { startLine, column,
                               QStringLiteral("unexpected text after the closing quote of a "
                                              "quoted field") };
            return false;
        }
        return true;
    }

    const char *m_pos;
    const char *m_end;
    char m_delimiter;
    qint64 m_line;
};

}  // namespace pcs::io
