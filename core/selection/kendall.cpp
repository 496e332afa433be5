#include "core/selection/kendall.h"

#include <algorithm>
#include <bit>

// The counting loop is popcounts; x86-64 before -v2 has no popcount instruction, so build
// it twice and let the loader pick (same integers either way). Needs glibc's ifunc.
#if defined(__x86_64__) && defined(__GLIBC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define PCS_POPCOUNT_CLONES __attribute__((target_clones("popcnt", "default")))
#endif
#endif
#ifndef PCS_POPCOUNT_CLONES
#define PCS_POPCOUNT_CLONES
#endif

namespace pcs::detail {

namespace {

// The sets of "earlier" LLMs, as bitsets over sorted-x positions 0..N-1, each with
// reset(), insert(p) and prefix(q) = #members below q. q is random, so prefix() avoids
// data-dependent branches (they would be mispredicted).

// N <= 64·Words (Words = 1, 2): kept in registers, so consecutive LLMs do not wait on memory.
template<int Words> struct RegisterBits {
    std::uint64_t word[Words] = {};
    void reset() { std::fill(word, word + Words, 0); }
    void insert(std::uint32_t p)
    {
        for (int w = 0; w < Words; ++w)
            word[w] |= (p >> 6) == std::uint32_t(w) ? std::uint64_t(1) << (p & 63) : 0;
    }
    std::int64_t prefix(std::uint32_t q) const
    {
        const std::uint64_t partial = (std::uint64_t(1) << (q & 63)) - 1;
        const std::uint32_t at = q >> 6;
        std::int64_t sum = 0;
        for (int w = 0; w < Words; ++w) {
            sum += std::popcount(word[w]
                                 & (std::uint32_t(w) < at        ? ~std::uint64_t(0)
                                        : std::uint32_t(w) == at ? partial
                                                                 : 0));
        }
        return sum;
    }
};

// Up to kMaxScannedWords words in memory, every word scanned.
struct ScannedBits {
    std::uint64_t *word;
    int words;
    void reset() { std::fill(word, word + words + 1, 0); }
    void insert(std::uint32_t p) { word[p >> 6] |= std::uint64_t(1) << (p & 63); }
    std::int64_t prefix(std::uint32_t q) const
    {
        const std::uint32_t at = q >> 6;  // word[words] exists and stays 0: q may be N
        std::int64_t sum = std::popcount(word[at] & ((std::uint64_t(1) << (q & 63)) - 1));
        for (int w = 0; w < words; ++w)
            sum += std::popcount(word[w]) & -std::int64_t(std::uint32_t(w) < at);
        return sum;
    }
};

// Many LLMs: a Fenwick tree (1-based) over the words' counts: O(log N) per operation.
struct TreeBits {
    std::uint64_t *word;
    std::int64_t *tree;
    int words;
    void reset()
    {
        std::fill(word, word + words + 1, 0);
        std::fill(tree, tree + words + 1, 0);
    }
    void insert(std::uint32_t p)
    {
        word[p >> 6] |= std::uint64_t(1) << (p & 63);
        for (std::uint32_t i = (p >> 6) + 1; i <= std::uint32_t(words); i += i & (~i + 1))
            ++tree[i];
    }
    std::int64_t prefix(std::uint32_t q) const
    {
        const std::uint32_t at = q >> 6;
        std::int64_t sum = std::popcount(word[at] & ((std::uint64_t(1) << (q & 63)) - 1));
        for (std::uint32_t i = at; i > 0; i &= i - 1)
            sum += tree[i];
        return sum;
    }
};

// Per-column arrays indexed by the LLM's position in increasing y.
struct Workspace {
    const std::uint32_t *yGroupStart;
    std::size_t groups;
    const std::uint32_t *position;  // in the sorted column
    const std::uint32_t *runBegin;  // first position of the run of equal x (if xTies)
    const std::uint32_t *runEnd;  // one past its last position (if xTies)
    bool xTies;
    std::uint64_t *words;
    std::int64_t *tree;
    int wordCount;
    std::uint32_t n;
};

template<typename Bits>
[[gnu::always_inline]] inline std::int64_t countWith(const Workspace &ws, Bits bits)
{
    bits.reset();
    // (#earlier with smaller x) − (#earlier with larger x) for the LLM at y-position t.
    auto term = [&](std::uint32_t t, std::int64_t inserted) {
        if (!ws.xTies)  // less − (inserted − less); the LLM itself is not inserted yet
            return 2 * bits.prefix(ws.position[t]) - inserted;
        const std::uint32_t begin = ws.runBegin[t];
        const std::uint32_t end = ws.runEnd[t];
        const std::int64_t less = bits.prefix(begin);
        const std::int64_t notGreater = end == begin + 1 ? less : bits.prefix(end);
        return less + notGreater - inserted;  // less − (inserted − notGreater)
    };
    std::int64_t sum = 0;
    if (ws.groups == ws.n) {  // no ties in y: every LLM is a group of its own
        for (std::uint32_t t = 0; t < ws.n; ++t) {
            sum += term(t, t);
            bits.insert(ws.position[t]);
        }
        return sum;
    }
    for (std::size_t g = 0; g < ws.groups; ++g) {
        const std::uint32_t begin = ws.yGroupStart[g];
        const std::uint32_t end = ws.yGroupStart[g + 1];
        for (std::uint32_t t = begin; t < end; ++t)
            sum += term(t, begin);
        for (std::uint32_t t = begin; t < end; ++t)
            bits.insert(ws.position[t]);
    }
    return sum;
}

PCS_POPCOUNT_CLONES std::int64_t countAll(const Workspace &ws)
{
    switch (ws.wordCount) {
    case 1:
        return countWith(ws, RegisterBits<1>());
    case 2:
        return countWith(ws, RegisterBits<2>());
    default:
        if (ws.wordCount <= KendallCounter::kMaxScannedWords)
            return countWith(ws, ScannedBits { ws.words, ws.wordCount });
        return countWith(ws, TreeBits { ws.words, ws.tree, ws.wordCount });
    }
}

}  // namespace

KendallCounter::KendallCounter(const std::vector<std::uint32_t> &yOrder,
                               std::vector<std::uint32_t> yGroupStart)
    : m_yRankOf(yOrder.size())
    , m_yGroupStart(std::move(yGroupStart))
    , m_position(yOrder.size())
    , m_runBegin(yOrder.size())
    , m_runEnd(yOrder.size())
{
    for (std::size_t t = 0; t < yOrder.size(); ++t)
        m_yRankOf[yOrder[t]] = std::uint32_t(t);
    const std::size_t words = (yOrder.size() + 63) / 64;
    m_bits.resize(words + 1);  // + 1: a prefix up to N may read the word after the last
    if (words > std::size_t(kMaxScannedWords))
        m_wordTree.resize(words + 1);
}

std::int64_t KendallCounter::count(const ColumnRanker &ranker)
{
    const auto n = std::uint32_t(m_yRankOf.size());
    const ColumnRanker::Item *items = ranker.sorted();
    bool xTies = false;
    for (std::uint32_t p = 1; p < n; ++p)
        xTies |= items[p].key == items[p - 1].key;
    for (std::uint32_t p = 0; p < n && !xTies; ++p)
        m_position[m_yRankOf[items[p].llm]] = p;
    for (std::uint32_t first = 0; first < n && xTies;) {
        std::uint32_t last = first;
        while (last + 1 < n && items[last + 1].key == items[first].key)
            ++last;
        for (std::uint32_t p = first; p <= last; ++p) {
            const std::uint32_t t = m_yRankOf[items[p].llm];
            m_position[t] = p;
            m_runBegin[t] = first;
            m_runEnd[t] = last + 1;
        }
        first = last + 1;
    }
    const Workspace ws { m_yGroupStart.data(),   m_yGroupStart.size() - 1,
                         m_position.data(),      m_runBegin.data(),
                         m_runEnd.data(),        xTies,
                         m_bits.data(),          m_wordTree.data(),
                         int(m_bits.size()) - 1, n };
    return countAll(ws);
}

}  // namespace pcs::detail
