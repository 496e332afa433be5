#include "io/selectionwriter.h"

#include <QJsonDocument>

#include <charconv>
#include <cstdio>

namespace pcs {

void appendNumber(QByteArray &out, double value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr - buffer);
}

void appendCsvField(QByteArray &out, const QString &field, CsvQuoting quoting)
{
    const QByteArray utf8 = field.toUtf8();
    const bool needsQuotes = quoting == CsvQuoting::Always || utf8.contains(',')
        || utf8.contains('"') || utf8.contains('\n') || utf8.contains('\r');
    if (!needsQuotes) {
        out += utf8;
        return;
    }
    out += '"';
    for (char c : utf8) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

void appendJsonString(QByteArray &out, const QString &text)
{
    out += '"';
    for (char c : text.toUtf8()) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char escaped[8];
                std::snprintf(escaped, sizeof escaped, "\\u%04x", unsigned(c));
                out += escaped;
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

namespace {

constexpr qsizetype kFlushBytes = 1 << 20;

void formatCsv(const SelectionTable &table, const ByteSink &sink)
{
    const bool withDistribution = table.hasDistribution();
    QByteArray buffer = withDistribution ? "text,estimate,rank,tau,weight\n" : "text,estimate,rank\n";
    buffer.reserve(kFlushBytes + 4096);
    for (qsizetype j = 0; j < table.texts.size(); ++j) {
        appendCsvField(buffer, table.texts[j]);
        buffer += ',';
        appendNumber(buffer, table.estimate[j]);
        buffer += ',';
        buffer += QByteArray::number(table.rank[j]);
        if (withDistribution) {
            buffer += ',';
            appendNumber(buffer, table.tau[j]);
            buffer += ',';
            appendNumber(buffer, table.weight[j]);
        }
        buffer += '\n';
        if (buffer.size() >= kFlushBytes) {
            if (!sink(buffer.constData(), buffer.size()))
                return;
            buffer.clear();
        }
    }
    sink(buffer.constData(), buffer.size());
}

void formatJson(const SelectionTable &table, const QJsonObject &metadata, const ByteSink &sink)
{
    const bool withDistribution = table.hasDistribution();
    QByteArray buffer = "{\n\"format\": ";
    buffer += withDistribution ? "\"pcstudio-distribution\"" : "\"pcstudio-estimate\"";
    buffer += ",\n\"format_version\": 1,\n\"metadata\": ";
    buffer += QJsonDocument(metadata).toJson(QJsonDocument::Compact);
    buffer += ",\n\"texts\": [";
    for (qsizetype j = 0; j < table.texts.size(); ++j) {
        buffer += j == 0 ? "\n{\"text\": " : ",\n{\"text\": ";
        appendJsonString(buffer, table.texts[j]);
        buffer += ", \"estimate\": ";
        appendNumber(buffer, table.estimate[j]);
        buffer += ", \"rank\": ";
        buffer += QByteArray::number(table.rank[j]);
        if (withDistribution) {
            buffer += ", \"tau\": ";
            appendNumber(buffer, table.tau[j]);
            buffer += ", \"weight\": ";
            appendNumber(buffer, table.weight[j]);
        }
        buffer += '}';
        if (buffer.size() >= kFlushBytes) {
            if (!sink(buffer.constData(), buffer.size()))
                return;
            buffer.clear();
        }
    }
    buffer += "\n]\n}\n";
    sink(buffer.constData(), buffer.size());
}

}  // namespace

void formatSelectionTable(const SelectionTable &table, TableFormat format, const QJsonObject &metadata,
                          const ByteSink &sink)
{
    if (format == TableFormat::Csv)
        formatCsv(table, sink);
    else
        formatJson(table, metadata, sink);
}

Status writeSelectionTable(const QString &path, const SelectionTable &table, TableFormat format,
                           const QJsonObject &metadata)
{
    return writeAtomically(path, [&](const ByteSink &sink) { formatSelectionTable(table, format, metadata, sink); });
}

}  // namespace pcs
