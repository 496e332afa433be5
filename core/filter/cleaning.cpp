#include "core/filter/cleaning.h"

namespace pcs {

const char *const kFastTextCleaningRule = "line breaks (\\n \\r \\v \\f NUL U+0085 U+2028 U+2029) "
                                          "become spaces; every \"__label__\" is removed "
                                          "(repeatedly); one document per line";

namespace {

constexpr std::string_view kLabelPrefix = "__label__";

void removeLabelPrefixes(std::string &text)
{
    // Removing one occurrence can join its neighbours into a new one ("__lab__label__el__"),
    // so repeat until none is left; each pass shortens the text, so this ends.
    for (;;) {
        std::size_t found = text.find(kLabelPrefix);
        if (found == std::string::npos)
            return;
        std::string out;
        out.reserve(text.size());
        std::size_t from = 0;
        while (found != std::string::npos) {
            out.append(text, from, found - from);
            from = found + kLabelPrefix.size();
            found = text.find(kLabelPrefix, from);
        }
        out.append(text, from, std::string::npos);
        text.swap(out);
    }
}

}  // namespace

std::string cleanForFastText(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\0') {
            out.push_back(' ');
        } else if (c == 0xC2 && i + 1 < text.size()
                   && static_cast<unsigned char>(text[i + 1]) == 0x85) {
            out.push_back(' ');  // U+0085 NEXT LINE
            ++i;
        } else if (c == 0xE2 && i + 2 < text.size()
                   && static_cast<unsigned char>(text[i + 1]) == 0x80
                   && (static_cast<unsigned char>(text[i + 2]) == 0xA8
                       || static_cast<unsigned char>(text[i + 2]) == 0xA9)) {
            out.push_back(' ');  // U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR
            i += 2;
        } else {
            out.push_back(char(c));
        }
    }
    removeLabelPrefixes(out);
    return out;
}

}  // namespace pcs
