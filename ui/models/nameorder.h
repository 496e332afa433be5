#pragma once

#include <QStringList>

#include <vector>

// Case-insensitive matching and ordering of text names, fast enough for a million names.
// Both fold case one UTF-16 unit at a time (Unicode simple case folding), so "Wiki" and "wiki"
// match and sort alike; QString's own case-insensitive functions are several times slower.
namespace pcs {

inline char16_t foldedUnit(char16_t c)
{
    if (c < 128)
        return c >= u'A' && c <= u'Z' ? char16_t(c + (u'a' - u'A')) : c;
    return char16_t(QChar::toCaseFolded(char32_t(c)));
}

// Case-insensitive substring search for one needle in many names.
class FoldedMatcher {
public:
    explicit FoldedMatcher(QStringView needle);
    bool matches(QStringView name) const;

private:
    std::u16string m_needle;  // folded
};

// The permutation of 0..names.size()-1 ordered by folded name, then by the exact name, with
// ties (equal names) by ascending index in both orders.
std::vector<int> sortedByName(const QStringList &names, bool ascending);

}  // namespace pcs
