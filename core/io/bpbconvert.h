#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/io/bpbloader.h"
#include "core/io/npywriter.h"

namespace pcs {

struct BpbConvertOptions {
    NpyDtype dtype = NpyDtype::Float64;  // float32 halves the file (values rounded to float)
    // Fortran order keeps each text's N values together, so estimation reads the file in order
    // (and hashes it from the same reads); numpy.load reads either order.
    bool fortranOrder = true;
};

struct BpbConvertSummary {
    qint64 llms = 0;
    qint64 texts = 0;
    bool streamed = false;  // read a block of texts at a time (a .npy input)
    Warnings warnings;
};

// Writes any BPB file loadBpbMatrix reads as NAME.npy with NAME.texts.txt and NAME.llms.txt,
// published together. A .npy input is converted a block of texts at a time when the output is
// in Fortran order (memory O(N x block)); other inputs are parsed once, in parallel, into memory.
// Extra label columns of text-rows files (domain, chunk) are not kept. Errors: those of the
// loader; an output that is the input; the file system's (then the old files stay).
Result<BpbConvertSummary> convertBpbToNpy(const QString &input, const BpbLoadOptions &load,
                                          const QString &output, const BpbConvertOptions &options,
                                          const TaskControl &control = TaskControl::none());

}  // namespace pcs
