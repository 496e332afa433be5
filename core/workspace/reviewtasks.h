#pragma once

#include "common/error.h"
#include "review/criteria.h"
#include "review/decision.h"
#include "review/modelprofile.h"
#include "review/queuestore.h"

#include <QPromise>
#include <QString>
#include <QStringList>

#include <optional>

namespace pcs {

// What a review project's whole-queue work hands back to the GUI thread.
struct ReviewTaskReply {
    std::optional<Error> error;
    std::optional<ImportSummary> import;
    QString description;  // of an export, for ReviewSession::exportFinished
};

// The review session's whole-queue work, run on a worker thread with its own connection to the
// queue (SQLite connections belong to the thread that opened them). Each reports its result (or
// error) into the promise; imports report progress and follow cancellation.
void importInBackground(QPromise<ReviewTaskReply> &promise, QString queuePath, QStringList paths,
                        QString textField);
void thresholdsInBackground(QPromise<ReviewTaskReply> &promise, QString queuePath,
                            Thresholds thresholds);
void exportCuratedInBackground(QPromise<ReviewTaskReply> &promise, QString queuePath,
                               QString curatedPath, QString droppedPath, QString logPath,
                               QString textField);
void exportBatchInBackground(QPromise<ReviewTaskReply> &promise, QString queuePath, QString path,
                             Criteria criteria, QString model, bool withLogprobs,
                             ModelProfile profile);

}  // namespace pcs
