#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"
#include "core/review/criteria.h"
#include "core/review/decision.h"
#include "core/review/modelprofile.h"
#include "core/review/queuestore.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace pcs {

// What a review project's whole-queue work hands back to the GUI thread.
struct ReviewTaskReply {
    std::optional<ImportSummary> import;
    QString description;  // of an export, for ReviewSession::exportFinished
};

// The review session's whole-queue work, run on a worker thread (BackgroundTask) with its own
// connection to the queue: SQLite connections belong to the thread that opened them.

// Imports the files in turn (progress over all of them; cancel keeps the batches committed).
Result<ReviewTaskReply> importQueueFiles(const QString &queuePath, const QStringList &paths,
                                         const QString &textField, const TaskControl &control);
// Re-derives every automatic decision.
Result<ReviewTaskReply> applyThresholds(const QString &queuePath, const Thresholds &thresholds);
// The curated, dropped and log files (never over the queue or its inputs), described.
Result<ReviewTaskReply> exportCuratedFiles(const QString &queuePath, const QString &curatedPath,
                                           const QString &droppedPath, const QString &logPath,
                                           const QString &textField);
Result<ReviewTaskReply> exportBatchFile(const QString &queuePath, const QString &path,
                                        const Criteria &criteria, const QString &model,
                                        bool withLogprobs, const ModelProfile &profile);

}  // namespace pcs
