#include "core/common/parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace pcs {

int resolveThreadCount(int requested)
{
    if (requested > 0)
        return requested;
    return std::max(1u, std::thread::hardware_concurrency());
}

bool parallelFor(qint64 count, qint64 blockSize, int threads, const TaskControl &control,
                 const std::function<void(qint64, qint64)> &body)
{
    if (count <= 0)
        return !control.isCanceled();
    blockSize = std::max<qint64>(1, blockSize);
    const qint64 blocks = (count + blockSize - 1) / blockSize;
    const int workers = int(std::min<qint64>(resolveThreadCount(threads), blocks));

    std::atomic<qint64> nextBlock { 0 };
    std::atomic<qint64> itemsDone { 0 };
    std::atomic<bool> canceled { false };

    auto work = [&] {
        for (;;) {
            if (canceled.load(std::memory_order_relaxed))
                return;
            if (control.isCanceled()) {
                canceled.store(true);
                return;
            }
            const qint64 block = nextBlock.fetch_add(1);
            if (block >= blocks)
                return;
            const qint64 begin = block * blockSize;
            const qint64 end = std::min(count, begin + blockSize);
            body(begin, end);
            control.reportProgress(itemsDone.fetch_add(end - begin) + (end - begin), count);
        }
    };

    std::vector<std::thread> pool;
    pool.reserve(workers - 1);
    for (int i = 1; i < workers; ++i)
        pool.emplace_back(work);
    work();
    for (auto &t : pool)
        t.join();
    return !canceled.load();
}

}  // namespace pcs
