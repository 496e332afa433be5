#pragma once

#include "core/common/result.h"
#include "core/io/atomicwrite.h"
#include "core/io/bpbmatrix.h"

#include <QString>

namespace pcs {

// Why `name` cannot name an LLM or a text in a written BPB matrix, or an empty string: names
// must not be blank and must not hold a newline, carriage return or tab (they would break the
// one-per-line name files of .npy and make the CSV layout unreadable in every other tool).
QString bpbNameProblem(const QString &name);

// Writes a BPB matrix, choosing the format by the extension of `path`:
//  - .npy: float64 NAME.npy (LLMs × texts, C order) with NAME.texts.txt and NAME.llms.txt,
//    published together (see writeNpyBpbMatrix);
//  - anything else: the package's text-rows CSV, `labelColumn` (id, chunk or domain) naming
//    the texts, LLM names always quoted, numbers in their shortest round-trip form, empty cells
//    for missing values; "-" is standard output.
// Atomic. Errors (BadInput): a name bpbNameProblem() refuses; in CSV, an LLM named like a label
// column (id, chunk, domain), which the loader would take for a label (the .npy output keeps
// any name). The file system's failures are Io.
Status writeBpbMatrix(const QString &path, const BpbMatrix &matrix,
                      const QString &labelColumn = QStringLiteral("id"));
// The same files added to `outputs` (not "-"), published with the rest of the set (a report).
Status addBpbMatrix(OutputSet &outputs, const QString &path, const BpbMatrix &matrix,
                    const QString &labelColumn = QStringLiteral("id"));

}  // namespace pcs
