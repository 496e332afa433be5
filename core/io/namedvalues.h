#pragma once

#include "core/common/result.h"

#include <QStringList>

#include <vector>

namespace pcs {

// A two-column table such as text,tokens / text,tau / text,estimate.
struct NamedValues {
    QStringList names;
    std::vector<double> values;
};

// Reads a CSV (or TSV) with a header containing keyColumn and valueColumn (other columns are
// ignored). Every value must be a finite number; names must be unique and non-empty.
// With allowEmpty, a file with only a header is an empty table (one shard of several).
Result<NamedValues> loadNamedValues(const QString &path, const QString &keyColumn,
                                    const QString &valueColumn, bool allowEmpty = false);

}  // namespace pcs
