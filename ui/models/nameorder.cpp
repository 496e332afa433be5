#include "ui/models/nameorder.h"

#include "ui/models/parallelchunks.h"

#include <algorithm>
#include <atomic>

namespace pcs {

FoldedMatcher::FoldedMatcher(QStringView needle)
{
    m_needle.reserve(std::size_t(needle.size()));
    for (const QChar c : needle)
        m_needle.push_back(foldedUnit(c.unicode()));
}

bool FoldedMatcher::matches(QStringView name) const
{
    const std::size_t m = m_needle.size();
    const std::size_t n = std::size_t(name.size());
    if (m == 0)
        return true;
    const char16_t *hay = name.utf16();
    const char16_t first = m_needle[0];
    // Names are short: a plain scan beats Boyer-Moore set-up.
    for (std::size_t i = 0; i + m <= n; ++i) {
        if (foldedUnit(hay[i]) != first)
            continue;
        std::size_t k = 1;
        while (k < m && foldedUnit(hay[i + k]) == m_needle[k])
            ++k;
        if (k == m)
            return true;
    }
    return false;
}

namespace {

// Multikey sort: each level packs the next folded characters of a name into two words, so
// std::sort compares integers and touches no string. Only ties go on to the next level.
struct NameKey {
    quint64 high;
    quint64 low;
    int text;
};

class NameSorter {
public:
    NameSorter(const QStringList &names, bool ascending)
        : m_names(names.constData())
        , m_ascending(ascending)
    {
        // 8 bits per character when every folded name is Latin-1 (16 characters per level),
        // else 16 bits (8 per level).
        std::atomic<bool> latin1 = true;
        const std::size_t n = std::size_t(names.size());
        parallel::forEachChunk(n, parallel::chunkCount(n), [&](int, std::size_t b, std::size_t e) {
            for (std::size_t t = b; t < e && latin1.load(std::memory_order_relaxed); ++t) {
                for (const QChar c : m_names[t]) {
                    if (foldedUnit(c.unicode()) > 0xff) {
                        latin1 = false;
                        break;
                    }
                }
            }
        });
        m_bits = latin1 ? 8 : 16;
    }

    qsizetype charsPerLevel() const { return 2 * 64 / m_bits; }

    void fill(NameKey *begin, NameKey *end, int level) const
    {
        const qsizetype from = level * charsPerLevel();
        for (NameKey *key = begin; key != end; ++key) {
            const QString &name = m_names[key->text];
            key->high = pack(name, from);
            key->low = pack(name, from + charsPerLevel() / 2);
        }
    }

    bool less(const NameKey &a, const NameKey &b) const
    {
        if (a.high != b.high)
            return (a.high < b.high) == m_ascending;
        if (a.low != b.low)
            return (a.low < b.low) == m_ascending;
        return a.text < b.text;
    }

    static bool sameKey(const NameKey &a, const NameKey &b)
    {
        return a.high == b.high && a.low == b.low;
    }

    // Sorts each run of equal keys in [begin, end) (sorted at `level`) by the following levels.
    void resolveRuns(NameKey *begin, NameKey *end, int level) const
    {
        const auto lessThan = [this](const NameKey &a, const NameKey &b) { return less(a, b); };
        for (NameKey *run = begin; run != end;) {
            NameKey *runEnd = run + 1;
            while (runEnd != end && sameKey(*run, *runEnd))
                ++runEnd;
            if (runEnd - run > 1) {
                // A name that ends inside this level's window ends all of them (its zero
                // padding matched): the folded names are equal (names hold no NUL).
                if (m_names[run->text].size() < (level + 1) * charsPerLevel()) {
                    sortEqualFolded(run, runEnd);
                } else {
                    fill(run, runEnd, level + 1);
                    std::sort(run, runEnd, lessThan);
                    resolveRuns(run, runEnd, level + 1);
                }
            }
            run = runEnd;
        }
    }

private:
    quint64 pack(const QString &name, qsizetype from) const
    {
        quint64 word = 0;
        for (qsizetype i = from; i < from + 64 / m_bits; ++i)
            word = (word << m_bits) | (i < name.size() ? foldedUnit(name[i].unicode()) : 0u);
        return word;
    }

    void sortEqualFolded(NameKey *begin, NameKey *end) const
    {
        std::sort(begin, end, [this](const NameKey &a, const NameKey &b) {
            const int c = QString::compare(m_names[a.text], m_names[b.text], Qt::CaseSensitive);
            if (c != 0)
                return m_ascending ? c < 0 : c > 0;
            return a.text < b.text;
        });
    }

    const QString *m_names;
    bool m_ascending;
    int m_bits = 16;
};

}  // namespace

std::vector<int> sortedByName(const QStringList &names, bool ascending)
{
    const NameSorter sorter(names, ascending);
    const std::size_t n = std::size_t(names.size());
    std::vector<NameKey> keys(n);
    const int chunks = parallel::chunkCount(n);
    // Level 0 reads the names in their own order: sequential memory, no cache misses.
    parallel::forEachChunk(n, chunks, [&](int, std::size_t b, std::size_t e) {
        for (std::size_t t = b; t < e; ++t)
            keys[t].text = int(t);
        sorter.fill(keys.data() + b, keys.data() + e, 0);
    });
    parallel::sort(keys.begin(), keys.end(),
                   [&sorter](const NameKey &a, const NameKey &b) { return sorter.less(a, b); });
    // Resolve ties in parallel, each chunk starting on a run boundary.
    std::vector<std::size_t> starts;
    for (int c = 0; c <= chunks; ++c) {
        std::size_t s = parallel::chunkBegin(n, chunks, c);
        while (s > 0 && s < n && NameSorter::sameKey(keys[s - 1], keys[s]))
            ++s;
        starts.push_back(std::max(s, starts.empty() ? 0 : starts.back()));
    }
    parallel::forEachChunk(std::size_t(chunks), chunks, [&](int c, std::size_t, std::size_t) {
        sorter.resolveRuns(keys.data() + starts[std::size_t(c)],
                           keys.data() + starts[std::size_t(c) + 1], 0);
    });
    std::vector<int> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = keys[i].text;
    return order;
}

}  // namespace pcs
