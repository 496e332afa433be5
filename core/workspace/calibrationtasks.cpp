#include "core/workspace/calibrationtasks.h"

#include "core/review/calibrationinput.h"
#include "core/review/queueconnection.h"

namespace pcs {

Result<CalibrationSnapshot> readCalibrationSnapshot(const QString &queuePath,
                                                    const Thresholds &current,
                                                    const TaskControl &control)
{
    auto queue = QueueConnection::open(queuePath);
    if (!queue)
        return queue.error();
    auto decided = readScoredItems(**queue, ScoredItemScope::HumanDecided, control);
    if (!decided)
        return decided.error();
    CalibrationSnapshot snapshot;
    if (!decided->empty()) {
        auto summary = summarizeCalibration(humanDecidedRows(*decided), current);
        if (!summary)
            return summary.error();
        snapshot.calibration = std::move(summary).value();
    }
    if (control.isCanceled())
        return Error::canceled();
    auto sample = loadAuditSample(**queue);
    if (!sample)
        return sample.error();
    if (*sample)
        snapshot.audit = reportAudit(**sample, *decided);
    return snapshot;
}

Result<AuditSample> drawAndStoreAuditSample(const QString &queuePath, qint64 size, quint64 seed,
                                            const Thresholds &thresholds,
                                            const TaskControl &control)
{
    auto queue = QueueConnection::open(queuePath);
    if (!queue)
        return queue.error();
    auto items = readScoredItems(**queue, ScoredItemScope::All, control);
    if (!items)
        return items.error();
    auto sample = drawAuditSample(*items, size, seed, thresholds);
    if (!sample) {
        Error error = sample.error();
        error.file = queuePath;
        return error;
    }
    // Canceled after the draw: the previous sample stays, as if nothing happened.
    if (control.isCanceled())
        return Error::canceled();
    if (Status saved = saveAuditSample(**queue, *sample); !saved)
        return saved.error();
    return std::move(sample).value();
}

}  // namespace pcs
