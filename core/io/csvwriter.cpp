#include "core/io/csvwriter.h"

#include <charconv>
#include <cstring>

namespace pcs {

namespace {

constexpr std::size_t kFlushBytes = 1 << 20;

bool needsQuotes(std::string_view utf8)
{
    for (const char c : utf8)
        if (c == ',' || c == '"' || c == '\n' || c == '\r')
            return true;
    return false;
}

template<typename Out> void appendField(Out &out, std::string_view utf8, CsvQuoting quoting)
{
    if (quoting == CsvQuoting::WhenNeeded && !needsQuotes(utf8)) {
        out.append(utf8.data(), qsizetype(utf8.size()));
        return;
    }
    out += '"';
    for (const char c : utf8) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

}  // namespace

void appendNumber(QByteArray &out, double value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr - buffer);
}

void appendCsvField(QByteArray &out, std::string_view utf8, CsvQuoting quoting)
{
    appendField(out, utf8, quoting);
}

void appendCsvField(QByteArray &out, const QString &field, CsvQuoting quoting)
{
    const QByteArray utf8 = field.toUtf8();
    appendField(out, std::string_view(utf8.constData(), std::size_t(utf8.size())), quoting);
}

CsvRowWriter::CsvRowWriter(ByteSink sink)
    : m_sink(std::move(sink))
{
    m_buffer.reserve(kFlushBytes + 4096);
}

void CsvRowWriter::separate()
{
    if (m_rowStarted)
        m_buffer += ',';
    m_rowStarted = true;
}

void CsvRowWriter::field(std::string_view utf8, CsvQuoting quoting)
{
    separate();
    if (quoting == CsvQuoting::WhenNeeded && !needsQuotes(utf8)) {
        m_buffer.append(utf8);
        return;
    }
    m_buffer += '"';
    for (const char c : utf8) {
        if (c == '"')
            m_buffer += '"';
        m_buffer += c;
    }
    m_buffer += '"';
}

void CsvRowWriter::field(const QString &text, CsvQuoting quoting)
{
    const QByteArray utf8 = text.toUtf8();
    field(std::string_view(utf8.constData(), std::size_t(utf8.size())), quoting);
}

void CsvRowWriter::number(double value)
{
    separate();
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    m_buffer.append(buffer, std::size_t(result.ptr - buffer));
}

void CsvRowWriter::integer(qint64 value)
{
    separate();
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    m_buffer.append(buffer, std::size_t(result.ptr - buffer));
}

void CsvRowWriter::endRow()
{
    m_buffer += '\n';
    m_rowStarted = false;
    flushIfFull();
}

void CsvRowWriter::raw(std::string_view bytes)
{
    m_buffer.append(bytes);
    flushIfFull();
}

void CsvRowWriter::flushIfFull()
{
    if (m_buffer.size() < kFlushBytes)
        return;
    if (m_ok)
        m_ok = m_sink(m_buffer.data(), qint64(m_buffer.size()));
    m_buffer.clear();
}

bool CsvRowWriter::finish()
{
    if (m_ok && !m_buffer.empty())
        m_ok = m_sink(m_buffer.data(), qint64(m_buffer.size()));
    m_buffer.clear();
    return m_ok;
}

}  // namespace pcs
