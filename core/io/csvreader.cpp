#include "core/io/csvreader.h"

#include "core/io/filekind.h"

#include <QFileInfo>

#include <algorithm>
#include <cctype>

namespace pcs::io {

CsvRecordReader::CsvRecordReader(std::string_view data, char delimiter, qint64 firstLine)
    : m_cursor(data.data(), data.data() + data.size(), delimiter, firstLine)
{
}

bool CsvRecordReader::next()
{
    m_fields.clear();
    if (m_failed || !m_cursor.skipBlankLines())
        return false;
    m_recordLine = m_cursor.line();
    for (std::size_t index = 0;; ++index) {
        if (m_scratch.size() <= index)
            m_scratch.emplace_back();
        std::string_view text;
        if (!m_cursor.readField(text, m_scratch[index], qint64(index) + 1, m_issue)) {
            m_failed = true;
            return false;
        }
        m_fields.push_back(text);
        if (m_cursor.finishField() == CsvCursor::After::RecordEnd)
            return true;
    }
}

char detectDelimiter(const QString &path, std::string_view text, char override)
{
    if (override)
        return override;
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("tsv") || suffix == QLatin1String("tab"))
        return '\t';
    const std::string_view firstLine = text.substr(0, text.find('\n'));
    if (firstLine.find('\t') != std::string_view::npos
        && firstLine.find(',') == std::string_view::npos)
        return '\t';
    return ',';
}

bool checkName(std::string_view text, const char *what, qint64 line, qint64 column, CsvIssue &issue,
               bool allowEmpty)
{
    qsizetype bad = 0;
    if (!isValidUtf8(text, &bad)) {
        issue = CsvIssue { line, column,
                           QStringLiteral("invalid UTF-8 in %1 %2 (byte %3 of the field); save "
                                          "the file as UTF-8")
                               .arg(QLatin1String(what), quoteForMessage(text))
                               .arg(bad + 1) };
        return false;
    }
    if (!allowEmpty && trimSpaces(text).empty()) {
        issue = CsvIssue { line, column, QStringLiteral("empty %1").arg(QLatin1String(what)) };
        return false;
    }
    return true;
}

namespace {

// How much of a file is examined to tell whether it is text at all.
constexpr std::size_t kSniffBytes = 64 * 1024;

bool startsWithNoCase(std::string_view text, std::string_view prefix)
{
    if (text.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i])
            return false;
    }
    return true;
}

// Text that is not a table: JSON (a results file given as a table) or a web page (a download
// that returned HTML instead of the file). Described, never quoted.
QString describeNonCsvText(std::string_view text)
{
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos)
        return {};
    text.remove_prefix(first);
    if (text.front() == '{')
        return QStringLiteral("it looks like JSON");
    if (text.front() == '[') {
        const std::size_t next = text.find_first_not_of(" \t\r\n", 1);
        if (next != std::string_view::npos
            && std::string_view("{[\"]").find(text[next]) != std::string_view::npos)
            return QStringLiteral("it looks like JSON");
    }
    for (const std::string_view markup : { "<!doctype", "<html", "<?xml", "<svg" }) {
        if (startsWithNoCase(text, markup))
            return QStringLiteral("it looks like an HTML or XML document (a web page saved in "
                                  "place of the file?)");
    }
    return {};
}

}  // namespace

Result<CsvHeader> readCsvHeader(std::string_view text, const QString &path, char delimiter)
{
    // A binary file or a document of another kind is named for what it looks like: its bytes
    // would only garble the message (and could be anything, such as terminal escapes).
    const std::string_view head = text.substr(0, kSniffBytes);
    QString notCsv = io::describeNonTextContent(head);
    if (notCsv.isEmpty())
        notCsv = describeNonCsvText(head);
    if (!notCsv.isEmpty())
        return Error::badInput(QStringLiteral("not a CSV/TSV file: %1").arg(notCsv), path);
    CsvHeader header;
    header.delimiter = delimiter;
    CsvRecordReader reader(text, delimiter);
    if (!reader.next()) {
        if (reader.failed())
            return csvError(reader.issue(), path);
        return Error::badInput(QStringLiteral("file is empty (no header line)"), path, 1);
    }
    header.line = reader.recordLine();
    const auto &fields = reader.fields();
    for (std::size_t i = 0; i < fields.size(); ++i) {
        CsvIssue issue;
        // Empty names are the layouts' business (an unnamed index column may be fine).
        if (!checkName(fields[i], "column name", header.line, qint64(i) + 1, issue, true))
            return csvError(issue, path);
        header.names.append(toQString(fields[i]));
    }
    header.bodyBegin = reader.position();
    header.bodyLine = reader.nextLine();
    return header;
}

QString listColumns(const QStringList &names)
{
    // A first line without a delimiter is not a header; it may be any text at all.
    if (names.size() == 1) {
        const QString &only = names.front();
        if (only.size() > 32 || std::any_of(only.begin(), only.end(), [](QChar c) {
                return c.isSpace() || !c.isPrint();
            }))
            return QStringLiteral("one field that does not look like a column name (no comma or "
                                  "tab on the first line)");
    }
    QStringList shown;
    for (const QString &name : names.mid(0, 12))
        shown.append(quoteForMessage(name));
    QString list = shown.join(QStringLiteral(", "));
    if (names.size() > 12)
        list += QStringLiteral(", … (%1 columns)").arg(names.size());
    return list.isEmpty() ? QStringLiteral("none") : list;
}

Error csvError(const CsvIssue &issue, const QString &path)
{
    return Error::badInput(issue.reason, path, issue.line, issue.column);
}

}  // namespace pcs::io
