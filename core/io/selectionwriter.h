#pragma once

#include "core/common/result.h"
#include "core/io/atomicwrite.h"
#include "core/io/csvwriter.h"
#include "core/io/textnames.h"
#include "core/selection/selectiontable.h"

#include <QJsonObject>
#include <QStringList>

#include <Eigen/Core>

namespace pcs {

enum class TableFormat { Csv, Json };

// CSV: header `text,estimate,rank` or `text,estimate,rank,tau,weight` (then
// `ci_low,ci_high,p_selected` when the table has a bootstrap), RFC 4180 quoting,
// numbers in the shortest form that reads back to the same double.
// JSON: {"format": ..., "metadata": {...}, "texts": [{"text", "estimate", "rank"[, "tau",
// "weight"]}]}. Writes atomically; path "-" is standard output.
Status writeSelectionTable(const QString &path, const SelectionTable &table, TableFormat format,
                           const QJsonObject &metadata = {});

// The same content as bytes (used by the writer and by tests/exports in the app).
void formatSelectionTable(const SelectionTable &table, TableFormat format,
                          const QJsonObject &metadata, const ByteSink &sink);

// The same for texts named compactly (a streamed selection of 1e7+ texts); tau and weight
// empty for an estimate-only table. Returns false if the sink failed.
bool formatSelectionColumns(const TextNames &texts, const Eigen::VectorXd &estimate,
                            const Eigen::VectorXi &rank, const Eigen::VectorXd &tau,
                            const Eigen::VectorXd &weight, TableFormat format,
                            const QJsonObject &metadata, const ByteSink &sink);

// Appends a JSON string literal.
void appendJsonString(QByteArray &out, const QString &text);

}  // namespace pcs
