#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/review/calibration.h"
#include "core/review/queueaudit.h"

#include <QString>

#include <optional>

namespace pcs {

// What the Review page's calibration view shows, read from the queue on a worker thread with a
// connection of its own (SQLite connections belong to the thread that opened them).
struct CalibrationSnapshot {
    // Empty while no assessed item has a human decision.
    std::optional<CalibrationSummary> calibration;
    std::optional<AuditReport> audit;  // empty while no sample was drawn
};

// The human-decided items against `current`, and the stored audit sample's estimate. Reads only
// the human-decided items (few), so it stays well under a second at 1M items.
// Errors: the queue cannot be read, a stored sample that does not hang together, Canceled.
Result<CalibrationSnapshot> readCalibrationSnapshot(const QString &queuePath,
                                                    const Thresholds &current,
                                                    const TaskControl &control);

// Draws a stratified sample of `size` assessed items with `seed` (drawAuditSample) and stores it
// in the queue, replacing any previous one (saveAuditSample). Reads every assessed item.
// Errors: as drawAuditSample (size too large or too small), the queue, Canceled (nothing stored).
Result<AuditSample> drawAndStoreAuditSample(const QString &queuePath, qint64 size, quint64 seed,
                                            const Thresholds &thresholds,
                                            const TaskControl &control);

}  // namespace pcs
