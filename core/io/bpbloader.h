#pragma once

#include "common/result.h"
#include "common/taskcontrol.h"
#include "io/bpbmatrix.h"

namespace pcs {

struct BpbLoadOptions {
    BpbLayout layout = BpbLayout::Auto;
    // Field delimiter; 0 = detect (tab for .tsv/.tab or a tab-separated header, else comma).
    char delimiter = 0;
    // For .npy: a text file with one text name per line (D lines), and one with LLM names (N lines).
    QString textsFile;
    QString llmsFile;
    // Text-rows layout: which label column names the texts (default: id, then chunk, then domain).
    QString textColumn;
    int threads = 0;  // 0 = one per core
};

// Loads a BPB matrix. Bad input gives an Error naming the file, line, column and reason.
Result<BpbMatrix> loadBpbMatrix(const QString &path, const BpbLoadOptions &options = {},
                                const TaskControl &control = TaskControl::none());

}  // namespace pcs
