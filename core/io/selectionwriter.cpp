#include "io/selectionwriter.h"

#include <QJsonDocument>

#include <charconv>
#include <cstdio>

namespace pcs {

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

constexpr std::size_t kFlushBytes = 1 << 20;

// The columns of a table, whichever way its texts are named.
template<typename Names> struct Columns {
    const Names &texts;
    const Eigen::VectorXd &estimate;
    const Eigen::VectorXi &rank;
    const Eigen::VectorXd &tau;
    const Eigen::VectorXd &weight;
    const SelectionTable *bootstrap = nullptr;  // its ciLow, ciHigh, pSelected, when it has them
    bool withDistribution() const { return weight.size() > 0; }
    bool withBootstrap() const { return bootstrap && bootstrap->hasBootstrap(); }
};

std::string_view utf8Of(const TextNames &names, qint64 j, QByteArray &)
{
    return names.utf8(j);
}

std::string_view utf8Of(const QStringList &names, qint64 j, QByteArray &scratch)
{
    scratch = names[j].toUtf8();
    return { scratch.constData(), std::size_t(scratch.size()) };
}

template<typename Names> bool formatCsv(const Columns<Names> &table, const ByteSink &sink)
{
    const bool withDistribution = table.withDistribution();
    CsvRowWriter writer(sink);
    writer.raw(withDistribution ? "text,estimate,rank,tau,weight" : "text,estimate,rank");
    writer.raw(table.withBootstrap() ? ",ci_low,ci_high,p_selected\n" : "\n");
    QByteArray scratch;
    const qint64 count = qint64(table.texts.size());
    for (qint64 j = 0; j < count; ++j) {
        writer.field(utf8Of(table.texts, j, scratch));
        writer.number(table.estimate[j]);
        writer.integer(table.rank[j]);
        if (withDistribution) {
            writer.number(table.tau[j]);
            writer.number(table.weight[j]);
        }
        if (table.withBootstrap()) {
            writer.number(table.bootstrap->ciLow[j]);
            writer.number(table.bootstrap->ciHigh[j]);
            writer.number(table.bootstrap->pSelected[j]);
        }
        writer.endRow();
    }
    return writer.finish();
}

void appendJsonNumber(std::string &out, double value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, std::size_t(result.ptr - buffer));
}

void appendJsonText(std::string &out, std::string_view utf8)
{
    out += '"';
    for (const char c : utf8) {
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

template<typename Names>
bool formatJson(const Columns<Names> &table, const QJsonObject &metadata, const ByteSink &sink)
{
    const bool withDistribution = table.withDistribution();
    std::string buffer = "{\n\"format\": ";
    buffer.reserve(kFlushBytes + 4096);
    buffer += withDistribution ? "\"pcstudio-distribution\"" : "\"pcstudio-estimate\"";
    buffer += ",\n\"format_version\": 1,\n\"metadata\": ";
    buffer += QJsonDocument(metadata).toJson(QJsonDocument::Compact).toStdString();
    buffer += ",\n\"texts\": [";
    QByteArray scratch;
    const qint64 count = qint64(table.texts.size());
    for (qint64 j = 0; j < count; ++j) {
        buffer += j == 0 ? "\n{\"text\": " : ",\n{\"text\": ";
        appendJsonText(buffer, utf8Of(table.texts, j, scratch));
        buffer += ", \"estimate\": ";
        appendJsonNumber(buffer, table.estimate[j]);
        buffer += ", \"rank\": ";
        buffer += std::to_string(table.rank[j]);
        if (withDistribution) {
            buffer += ", \"tau\": ";
            appendJsonNumber(buffer, table.tau[j]);
            buffer += ", \"weight\": ";
            appendJsonNumber(buffer, table.weight[j]);
        }
        if (table.withBootstrap()) {
            buffer += ", \"ci_low\": ";
            appendJsonNumber(buffer, table.bootstrap->ciLow[j]);
            buffer += ", \"ci_high\": ";
            appendJsonNumber(buffer, table.bootstrap->ciHigh[j]);
            buffer += ", \"p_selected\": ";
            appendJsonNumber(buffer, table.bootstrap->pSelected[j]);
        }
        buffer += '}';
        if (buffer.size() >= kFlushBytes) {
            if (!sink(buffer.data(), qint64(buffer.size())))
                return false;
            buffer.clear();
        }
    }
    buffer += "\n]\n}\n";
    return sink(buffer.data(), qint64(buffer.size()));
}

template<typename Names>
bool formatColumns(const Columns<Names> &table, TableFormat format, const QJsonObject &metadata,
                   const ByteSink &sink)
{
    return format == TableFormat::Csv ? formatCsv(table, sink)
                                      : formatJson(table, metadata, sink);
}

}  // namespace

void formatSelectionTable(const SelectionTable &table, TableFormat format, const QJsonObject &metadata,
                          const ByteSink &sink)
{
    formatColumns(Columns<QStringList> { table.texts, table.estimate, table.rank, table.tau,
                                         table.weight, &table },
                  format, metadata, sink);
}

bool formatSelectionColumns(const TextNames &texts, const Eigen::VectorXd &estimate,
                            const Eigen::VectorXi &rank, const Eigen::VectorXd &tau,
                            const Eigen::VectorXd &weight, TableFormat format,
                            const QJsonObject &metadata, const ByteSink &sink)
{
    return formatColumns(Columns<TextNames> { texts, estimate, rank, tau, weight }, format,
                         metadata, sink);
}

Status writeSelectionTable(const QString &path, const SelectionTable &table, TableFormat format,
                           const QJsonObject &metadata)
{
    return writeAtomically(path, [&](const ByteSink &sink) { formatSelectionTable(table, format, metadata, sink); });
}

}  // namespace pcs
