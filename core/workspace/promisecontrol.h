#pragma once

#include "core/common/taskcontrol.h"

#include <QPromise>

namespace pcs {

// A TaskControl that reports into a QPromise (progress in permille) and follows its cancellation,
// so core functions can run under QtConcurrent::run and be watched with a QFutureWatcher.
template<typename T> class PromiseControl : public TaskControl {
public:
    explicit PromiseControl(QPromise<T> &promise)
        : TaskControl(
            [&promise](qint64 done, qint64 total) {
                promise.setProgressValue(total > 0 ? int(1000 * done / total) : 0);
            },
            [&promise] { return promise.isCanceled(); })
    {
        promise.setProgressRange(0, 1000);
    }
};

}  // namespace pcs
