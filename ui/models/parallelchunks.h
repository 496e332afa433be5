#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

// Small helpers that split O(D) work over the cores. Plain threads rather than the global
// QThreadPool: the GUI thread waits on them, and the pool may be busy with a long estimation.
namespace pcs::parallel {

// How many pieces to split n items into: one per core, but only when each piece is big enough
// that starting a thread pays off.
inline int chunkCount(std::size_t n)
{
    constexpr std::size_t kMinItemsPerChunk = 100'000;
    const std::size_t cores = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
    return int(std::clamp<std::size_t>(n / kMinItemsPerChunk, 1, cores));
}

inline std::size_t chunkBegin(std::size_t n, int chunks, int chunk)
{
    return n * std::size_t(chunk) / std::size_t(chunks);
}

// Calls fn(chunk, begin, end) for `chunks` contiguous ranges covering [0, n); chunk 0 runs on
// the calling thread. Returns when all are done.
template<typename Fn> void forEachChunk(std::size_t n, int chunks, const Fn &fn)
{
    std::vector<std::jthread> threads;
    threads.reserve(std::size_t(std::max(chunks - 1, 0)));
    for (int c = 1; c < chunks; ++c)
        threads.emplace_back(
            [&fn, n, chunks, c] { fn(c, chunkBegin(n, chunks, c), chunkBegin(n, chunks, c + 1)); });
    fn(0, 0, chunkBegin(n, chunks, 1));
}  // the jthreads join here

// std::sort on each chunk in parallel, then pairwise merges. `less` must be a strict total order
// (break ties by index) so the result does not depend on the number of cores.
template<typename It, typename Less> void sort(It first, It last, Less less)
{
    const std::size_t n = std::size_t(last - first);
    const int chunks = chunkCount(n);
    forEachChunk(n, chunks,
                 [&](int, std::size_t b, std::size_t e) { std::sort(first + b, first + e, less); });
    std::vector<std::size_t> bounds;
    for (int c = 0; c <= chunks; ++c)
        bounds.push_back(chunkBegin(n, chunks, c));
    while (bounds.size() > 2) {
        const int merges = int(bounds.size() - 1) / 2;
        forEachChunk(std::size_t(merges), merges, [&](int m, std::size_t, std::size_t) {
            const std::size_t i = std::size_t(2 * m);
            std::inplace_merge(first + bounds[i], first + bounds[i + 1], first + bounds[i + 2],
                               less);
        });
        std::vector<std::size_t> merged;
        for (std::size_t i = 0; i < bounds.size(); i += 2)
            merged.push_back(bounds[i]);
        if (bounds.size() % 2 == 0)  // an odd chunk count leaves the last chunk unmerged
            merged.push_back(bounds[bounds.size() - 1]);
        bounds.swap(merged);
    }
}

}  // namespace pcs::parallel
