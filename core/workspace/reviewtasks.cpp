#include "workspace/reviewtasks.h"

#include "review/batchfiles.h"
#include "review/queueinputs.h"

#include <QFileInfo>

namespace pcs {

namespace {

// The worker's own connection: SQLite connections belong to the thread that opened them.
Result<std::unique_ptr<QueueStore>> openWorkerStore(const QString &path)
{
    return QueueStore::open(path);
}

}  // namespace

void importInBackground(QPromise<ReviewTaskReply> &promise, QString queuePath, QStringList paths,
                        QString textField)
{
    promise.setProgressRange(0, 1000);
    auto store = openWorkerStore(queuePath);
    if (!store) {
        promise.addResult(ReviewTaskReply { store.error(), std::nullopt, {} });
        return;
    }
    ImportSummary total;
    const auto fileCount = qint64(paths.size());
    for (qint64 index = 0; index < fileCount; ++index) {
        // Each file reports its own progress; spread it over the file's share of the whole.
        const TaskControl control(
            [&promise, index, fileCount](qint64 done, qint64 size) {
                const qint64 withinFile = size > 0 ? 1000 * done / size : 0;
                promise.setProgressValue(int((index * 1000 + withinFile) / fileCount));
            },
            [&promise] { return promise.isCanceled(); });
        auto imported = (*store)->importJsonl(paths.at(index), textField, control);
        if (!imported) {
            promise.addResult(ReviewTaskReply { imported.error(), std::nullopt, {} });
            return;
        }
        total.lines += imported->lines;
        total.imported += imported->imported;
        total.duplicates += imported->duplicates;
        total.malformed += imported->malformed;
        for (const QString &problem : std::as_const(imported->problems))
            if (total.problems.size() < ImportSummary::kMaxListedProblems)
                total.problems << problem;
    }
    promise.addResult(ReviewTaskReply { std::nullopt, total, {} });
}

void thresholdsInBackground(QPromise<ReviewTaskReply> &promise, QString queuePath,
                            Thresholds thresholds)
{
    auto store = openWorkerStore(queuePath);
    if (!store) {
        promise.addResult(ReviewTaskReply { store.error(), std::nullopt, {} });
        return;
    }
    Status set = (*store)->setThresholds(thresholds.filter, thresholds.revise);
    promise.addResult(
        ReviewTaskReply { set ? std::nullopt : std::optional(set.error()), std::nullopt, {} });
}

void exportCuratedInBackground(QPromise<ReviewTaskReply> &promise, QString queuePath,
                               QString curatedPath, QString droppedPath, QString logPath,
                               QString textField)
{
    auto store = openWorkerStore(queuePath);
    if (!store) {
        promise.addResult(ReviewTaskReply { store.error(), std::nullopt, {} });
        return;
    }
    auto inputs = queueInputFiles(**store);
    if (!inputs) {
        promise.addResult(ReviewTaskReply { inputs.error(), std::nullopt, {} });
        return;
    }
    if (Status distinct
        = checkOutputsAgainstInputs({ { curatedPath, QObject::tr("the curated texts") },
                                      { droppedPath, QObject::tr("the dropped texts") },
                                      { logPath, QObject::tr("the decision log") } },
                                    *inputs);
        !distinct) {
        promise.addResult(ReviewTaskReply { distinct.error(), std::nullopt, {} });
        return;
    }
    auto summary = (*store)->exportCurated(curatedPath, droppedPath, logPath, textField);
    if (!summary) {
        promise.addResult(ReviewTaskReply { summary.error(), std::nullopt, {} });
        return;
    }
    QString description
        = QObject::tr("Exported %1 curated texts (%2 kept, %3 revised, %4 with a new text) to "
                      "%5; %6 dropped; %7 pending and %8 failed not exported")
              .arg(summary->curated)
              .arg(summary->kept)
              .arg(summary->revised)
              .arg(summary->textChanged)
              .arg(QFileInfo(curatedPath).fileName())
              .arg(summary->dropped)
              .arg(summary->pending)
              .arg(summary->errors);
    // Items left out of the curated file must be visible, never silent.
    if (summary->held > 0) {
        QStringList ids;
        for (const qint64 id : std::as_const(summary->reviseMissingIds))
            ids << QString::number(id);
        description += QObject::tr("; %1 held back: decided \"revise\" but without a revision "
                                   "or edit (items %2%3)")
                           .arg(summary->held)
                           .arg(ids.join(QStringLiteral(", ")),
                                summary->held > ids.size() ? QStringLiteral(", …") : QString());
    }
    if (summary->failed > 0)
        description += QObject::tr("; %1 not exported: their record could not take the new text")
                           .arg(summary->failed);
    if (summary->unscannable > 0)
        description += QObject::tr("; %1 exported unchanged though today's import would refuse "
                                   "them")
                           .arg(summary->unscannable);
    if (!summary->problems.isEmpty())
        description += QObject::tr(" (first: %1)").arg(summary->problems.first());
    promise.addResult(ReviewTaskReply { std::nullopt, std::nullopt, description });
}

void exportBatchInBackground(QPromise<ReviewTaskReply> &promise, QString queuePath, QString path,
                             Criteria criteria, QString model, bool withLogprobs,
                             ModelProfile profile)
{
    auto store = openWorkerStore(queuePath);
    if (!store) {
        promise.addResult(ReviewTaskReply { store.error(), std::nullopt, {} });
        return;
    }
    auto summary = exportBatchRequests(**store, criteria, model, path, withLogprobs, profile);
    if (!summary) {
        promise.addResult(ReviewTaskReply { summary.error(), std::nullopt, {} });
        return;
    }
    // More than the Batch API takes in one file: shards FILE-001, FILE-002, ...
    QStringList names;
    for (const BatchExportSummary::File &file : summary->files)
        names << QFileInfo(file.path).fileName();
    QString description = QObject::tr("Wrote %1 batch requests to %2")
                              .arg(summary->requests)
                              .arg(names.join(QStringLiteral(", ")));
    for (const QString &warning : std::as_const(summary->warnings))
        description += QStringLiteral("; ") + warning;
    if (!summary->staleFiles.isEmpty())
        description += QObject::tr("; not from this export (do not upload them with these): %1")
                           .arg(summary->staleFiles.join(QStringLiteral(", ")));
    promise.addResult(ReviewTaskReply { std::nullopt, std::nullopt, description });
}

}  // namespace pcs
