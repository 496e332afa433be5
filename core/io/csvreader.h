#pragma once

#include "core/common/result.h"
#include "core/io/csvcursor.h"

#include <QStringList>

#include <deque>
#include <string_view>
#include <vector>

namespace pcs::io {

// Reads a CSV buffer record by record (for headers and the smaller layouts; the BPB hot path
// uses CsvCursor directly). Field views stay valid until the next call of next().
class CsvRecordReader {
public:
    CsvRecordReader(std::string_view data, char delimiter, qint64 firstLine = 1);

    // Reads the next non-blank record. Returns false at the end or on an error (see failed()).
    bool next();

    const std::vector<std::string_view> &fields() const { return m_fields; }
    qint64 recordLine() const { return m_recordLine; }  // the line the record starts on
    qint64 nextLine() const { return m_cursor.line(); }
    const char *position() const { return m_cursor.position(); }
    bool failed() const { return m_failed; }
    const CsvIssue &issue() const { return m_issue; }

private:
    CsvCursor m_cursor;
    std::vector<std::string_view> m_fields;
    std::deque<std::string> m_scratch;  // a deque, so views into earlier strings stay valid
    CsvIssue m_issue;
    qint64 m_recordLine = 0;
    bool m_failed = false;
};

// Picks the delimiter: the override if set, tab for .tsv/.tab, tab when the first line holds a
// tab and no comma, else comma.
char detectDelimiter(const QString &path, std::string_view text, char override);

// A CSV header, checked for valid UTF-8, with where the body starts.
struct CsvHeader {
    QStringList names;
    qint64 line = 0;  // the header's line number
    char delimiter = ',';
    const char *bodyBegin = nullptr;
    qint64 bodyLine = 0;  // the line number at bodyBegin
};

// Reads the first non-blank record of `text` (a whole file after its BOM) as a header.
Result<CsvHeader> readCsvHeader(std::string_view text, const QString &path, char delimiter);

// "id, chunk, domain" for messages listing the columns found.
QString listColumns(const QStringList &names);

// Checks a name (a label or header cell): valid UTF-8 and, unless allowed, not empty.
bool checkName(std::string_view text, const char *what, qint64 line, qint64 column, CsvIssue &issue,
               bool allowEmpty = false);

// An Error for a CSV issue in `path`.
Error csvError(const CsvIssue &issue, const QString &path);

}  // namespace pcs::io
