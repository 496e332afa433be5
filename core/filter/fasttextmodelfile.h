#pragma once

#include "core/common/result.h"

#include <QString>

#include <iosfwd>

namespace pcs {

// Checks a fastText model file (.bin or .ftz) before libfasttext reads it. libfasttext 0.9.2
// trusts every size, count and index in the file: a hostile one makes it allocate wildly, loop
// forever, read and write out of bounds, or throw while scoring. This walks the exact layout
// fastText 0.9.2 loads (FastText::loadModel: signature, Args, Dictionary, then the input and
// output matrices, each dense or product-quantized) and refuses every value fastText would later
// allocate, loop or index with out of range, every non-finite or absurdly large weight, and any
// byte after the last matrix. A file that passes loads and scores without fastText failing.
// Errors (BadInput, naming the file) name the part and the field, e.g.
// "input matrix: product quantizer: lastdsub 64 exceeds dsub 2" or
// "input matrix row 17 column 3 is NaN".
Status checkFastTextModelFile(const QString &path);

// The largest weight magnitude a model may hold: scoring stays far from float overflow below it
// (see fasttextmodelfile.cpp). Trained weights are of order 1.
inline constexpr float kMaxFastTextWeight = 1e6f;

// The same on an open stream, from its current position to its end (where it leaves it).
// FastTextModel::load checks the stream it then rewinds and hands to fastText, so that a file
// replaced on disk in between is not what fastText reads. `file` names the stream in errors.
Status checkFastTextModelFile(std::istream &in, const QString &file);

}  // namespace pcs
