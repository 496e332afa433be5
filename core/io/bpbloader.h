#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/io/bpbmatrix.h"

namespace pcs {

struct BpbLoadOptions {
    BpbLayout layout = BpbLayout::Auto;
    // Field delimiter; 0 = detect (tab for .tsv/.tab or a tab-separated header, else comma).
    char delimiter = 0;
    // For .npy: a text file with one text name per line (D lines), and one with LLM names (N
    // lines). When empty, NAME.texts.txt and NAME.llms.txt beside NAME.npy are used if they exist.
    QString textsFile;
    QString llmsFile;
    // Text-rows layout: which label column names the texts (default: id, then chunk, then domain).
    QString textColumn;
    int threads = 0;  // 0 = one per core
    // Bytes per parallel parsing chunk; 0 = automatic. Tests set it small to force many splits.
    qint64 chunkBytes = 0;
};

// Loads a BPB matrix. Bad input gives an Error naming the file, line, column and reason.
// Delimited files are read through a memory map and parsed in parallel chunks; cells are numbers
// (parsed round-trip exactly) or missing (empty, NaN, nan, NA, N/A -> quiet NaN). Infinite or
// non-numeric cells are errors; negative values give one summary warning. Progress is reported
// in bytes of the file; cancellation returns Error::canceled().
Result<BpbMatrix> loadBpbMatrix(const QString &path, const BpbLoadOptions &options = {},
                                const TaskControl &control = TaskControl::none());

}  // namespace pcs
