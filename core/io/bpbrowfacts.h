#pragma once

#include <QString>
#include <QtGlobal>

#include <Eigen/Core>

#include <functional>
#include <vector>

namespace pcs {

// What the alignment needs to know of each LLM row of a BPB matrix, gathered in the same pass
// that reads it (a streamed matrix is never whole in memory): which rows lack values, and which
// rows may be identical.
struct BpbRowFacts {
    std::vector<qint64> missingCount;  // by row: missing (NaN) values
    std::vector<QString> firstMissingText;  // by row: the first text without a value
    // By row: a hash of the values' bits (-0 as 0) that is equal for identical rows (the
    // loader chains FNV-1a in text order, the streamed read sums per-text products). Equal
    // hashes are only candidates; `identical` decides.
    std::vector<quint64> hash;
    // Exact comparison of two rows (a missing value equals a missing value).
    std::function<bool(Eigen::Index, Eigen::Index)> identical;
};

// Incremental FNV-1a over a row, as BpbRowFacts::hash is defined.
inline quint64 bpbRowHashStart()
{
    return 1469598103934665603ull;
}

}  // namespace pcs
