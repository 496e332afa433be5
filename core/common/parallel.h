#pragma once

#include "core/common/taskcontrol.h"

#include <functional>

namespace pcs {

// Number of worker threads to use for a request of `requested` (0 = one per core).
int resolveThreadCount(int requested);

// Runs body(begin, end) over [0, count) in blocks of at most blockSize items on `threads`
// threads (0 = one per core). Reports progress in items and stops handing out blocks once
// the control is canceled. Returns false if it was canceled before finishing.
// body must be safe to run concurrently on disjoint ranges.
bool parallelFor(qint64 count, qint64 blockSize, int threads, const TaskControl &control,
                 const std::function<void(qint64 begin, qint64 end)> &body);

}  // namespace pcs
