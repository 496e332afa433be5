#pragma once

#include <string>
#include <string_view>

namespace pcs {

// How a document becomes one fastText line, for training and scoring alike: every line break
// (\n, \r, \v, \f, NUL, U+0085, U+2028, U+2029) becomes a space, since fastText reads one
// document per line and a quoted multi-line record would silently train on its first line;
// "__label__" is removed wherever it appears (also where a removal forms a new one), so a
// document cannot smuggle in a label. Nothing else changes: tokenisation is fastText's own.
std::string cleanForFastText(std::string_view text);

// The rule above in one sentence, for manifests.
extern const char *const kFastTextCleaningRule;

}  // namespace pcs
