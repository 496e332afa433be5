#pragma once

#include "common/result.h"
#include "io/atomicwrite.h"

#include <QJsonObject>
#include <QStringList>

#include <Eigen/Core>

namespace pcs {

// One row per text: what the estimate and (optionally) the projection produced.
struct SelectionTable {
    QStringList texts;
    Eigen::VectorXd estimate;
    Eigen::VectorXi rank;  // 1 = largest estimate
    // Both empty for an estimate-only table; both of size D for a distribution.
    Eigen::VectorXd tau;
    Eigen::VectorXd weight;

    bool hasDistribution() const { return weight.size() > 0; }
};

enum class TableFormat { Csv, Json };

// CSV: header `text,estimate,rank` or `text,estimate,rank,tau,weight`, RFC 4180 quoting,
// numbers in the shortest form that reads back to the same double.
// JSON: {"format": ..., "metadata": {...}, "texts": [{"text", "estimate", "rank"[, "tau", "weight"]}]}.
// Writes atomically; path "-" is standard output.
Status writeSelectionTable(const QString &path, const SelectionTable &table, TableFormat format,
                           const QJsonObject &metadata = {});

// The same content as bytes (used by the writer and by tests/exports in the app).
void formatSelectionTable(const SelectionTable &table, TableFormat format, const QJsonObject &metadata,
                          const ByteSink &sink);

// Appends a double in its shortest round-trip form ("nan"/"inf" never occur in our outputs).
void appendNumber(QByteArray &out, double value);
// Appends a CSV field, quoted when it contains a comma, quote, CR or LF (or always, as the
// perplexity-correlations package quotes its LLM names); quotes inside are doubled.
enum class CsvQuoting { WhenNeeded, Always };
void appendCsvField(QByteArray &out, const QString &field,
                    CsvQuoting quoting = CsvQuoting::WhenNeeded);
// Appends a JSON string literal.
void appendJsonString(QByteArray &out, const QString &text);

}  // namespace pcs
