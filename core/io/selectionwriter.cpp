#include "core/io/selectionwriter.h"

#include "core/io/jsonline.h"

#include <QJsonDocument>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <functional>
#include <future>

namespace pcs {

void appendJsonString(QByteArray &out, const QString &text)
{
    std::string escaped;
    appendJsonString(escaped, text.toUtf8().toStdString());
    out.append(escaped.data(), qsizetype(escaped.size()));
}

namespace {

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

// Rows are formatted in chunks on a second thread while the sink writes the previous chunk:
// formatting and the kernel's copy into the page cache overlap (each was about half the time).
bool writeInChunks(qint64 count, const std::function<void(qint64, qint64, std::string &)> &format,
                   const ByteSink &sink)
{
    constexpr qint64 kRowsPerChunk = 1 << 15;
    std::string current, next;
    format(0, std::min(count, kRowsPerChunk), current);
    for (qint64 first = kRowsPerChunk;; first += kRowsPerChunk) {
        std::future<void> pending;
        if (first < count)
            pending = std::async(std::launch::async, [&, first] {
                next.clear();
                format(first, std::min(count, first + kRowsPerChunk), next);
            });
        const bool written = sink(current.data(), qint64(current.size()));
        if (pending.valid())
            pending.get();
        if (!written)
            return false;
        if (first >= count)
            return true;
        current.swap(next);
    }
}

template<typename Names> bool formatCsv(const Columns<Names> &table, const ByteSink &sink)
{
    const bool withDistribution = table.withDistribution();
    const qint64 count = qint64(table.texts.size());
    const auto format = [&](qint64 first, qint64 end, std::string &out) {
        CsvRowWriter writer([&out](const char *data, qint64 size) {
            out.append(data, std::size_t(size));
            return true;
        });
        if (first == 0) {
            writer.raw(withDistribution ? "text,estimate,rank,tau,weight" : "text,estimate,rank");
            writer.raw(table.withBootstrap() ? ",ci_low,ci_high,p_selected\n" : "\n");
        }
        QByteArray scratch;
        for (qint64 j = first; j < end; ++j) {
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
        writer.finish();
    };
    return writeInChunks(count, format, sink);
}

void appendJsonNumber(std::string &out, double value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, std::size_t(result.ptr - buffer));
}

template<typename Names>
bool formatJson(const Columns<Names> &table, const QJsonObject &metadata, const ByteSink &sink)
{
    const bool withDistribution = table.withDistribution();
    const qint64 count = qint64(table.texts.size());
    const auto format = [&](qint64 first, qint64 end, std::string &buffer) {
        if (first == 0) {
            buffer += "{\n\"format\": ";
            buffer += withDistribution ? "\"pcstudio-distribution\"" : "\"pcstudio-estimate\"";
            buffer += ",\n\"format_version\": 1,\n\"metadata\": ";
            buffer += QJsonDocument(metadata).toJson(QJsonDocument::Compact).toStdString();
            buffer += ",\n\"texts\": [";
        }
        QByteArray scratch;
        for (qint64 j = first; j < end; ++j) {
            buffer += j == 0 ? "\n{\"text\": " : ",\n{\"text\": ";
            appendJsonString(buffer, utf8Of(table.texts, j, scratch));
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
        }
        if (end == count)
            buffer += "\n]\n}\n";
    };
    return writeInChunks(count, format, sink);
}

template<typename Names>
bool formatColumns(const Columns<Names> &table, TableFormat format, const QJsonObject &metadata,
                   const ByteSink &sink)
{
    return format == TableFormat::Csv ? formatCsv(table, sink) : formatJson(table, metadata, sink);
}

}  // namespace

void formatSelectionTable(const SelectionTable &table, TableFormat format,
                          const QJsonObject &metadata, const ByteSink &sink)
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
    return writeAtomically(
        path, [&](const ByteSink &sink) { formatSelectionTable(table, format, metadata, sink); });
}

}  // namespace pcs
