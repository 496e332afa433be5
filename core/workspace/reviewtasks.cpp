#include "core/workspace/reviewtasks.h"

#include "core/review/batchfiles.h"
#include "core/review/queueinputs.h"

#include <QFileInfo>

namespace pcs {

namespace {

// The worker's own connection: SQLite connections belong to the thread that opened them.
Result<std::unique_ptr<QueueStore>> openWorkerStore(const QString &path)
{
    return QueueStore::open(path);
}

}  // namespace

Result<ReviewTaskReply> importQueueFiles(const QString &queuePath, const QStringList &paths,
                                         const QString &textField, const TaskControl &control)
{
    auto store = openWorkerStore(queuePath);
    if (!store) {
        return store.error();
    }
    ImportSummary total;
    const auto fileCount = qint64(paths.size());
    for (qint64 index = 0; index < fileCount; ++index) {
        // Each file reports its own progress; spread it over the file's share of the whole.
        const TaskControl fileControl(
            [&control, index, fileCount](qint64 done, qint64 size) {
                const qint64 withinFile = size > 0 ? 1000 * done / size : 0;
                control.reportProgress(index * 1000 + withinFile, fileCount * 1000);
            },
            [&control] { return control.isCanceled(); });
        auto imported = (*store)->importJsonl(paths.at(index), textField, fileControl);
        if (!imported) {
            return imported.error();
        }
        total.lines += imported->lines;
        total.imported += imported->imported;
        total.duplicates += imported->duplicates;
        total.malformed += imported->malformed;
        for (const QString &problem : std::as_const(imported->problems))
            if (total.problems.size() < ImportSummary::kMaxListedProblems)
                total.problems << problem;
    }
    return ReviewTaskReply { total, {} };
}

Result<ReviewTaskReply> applyThresholds(const QString &queuePath, const Thresholds &thresholds)
{
    auto store = openWorkerStore(queuePath);
    if (!store) {
        return store.error();
    }
    if (Status set = (*store)->setThresholds(thresholds.filter, thresholds.revise); !set)
        return set.error();
    return ReviewTaskReply {};
}

Result<ReviewTaskReply> exportCuratedFiles(const QString &queuePath, const QString &curatedPath,
                                           const QString &droppedPath, const QString &logPath,
                                           const QString &textField)
{
    auto store = openWorkerStore(queuePath);
    if (!store) {
        return store.error();
    }
    auto inputs = queueInputFiles(**store);
    if (!inputs) {
        return inputs.error();
    }
    if (Status distinct
        = checkOutputsAgainstInputs({ { curatedPath, QObject::tr("the curated texts") },
                                      { droppedPath, QObject::tr("the dropped texts") },
                                      { logPath, QObject::tr("the decision log") } },
                                    *inputs);
        !distinct) {
        return distinct.error();
    }
    auto summary = (*store)->exportCurated(curatedPath, droppedPath, logPath, textField);
    if (!summary) {
        return summary.error();
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
    return ReviewTaskReply { std::nullopt, description };
}

Result<ReviewTaskReply> exportBatchFile(const QString &queuePath, const QString &path,
                                        const Criteria &criteria, const QString &model,
                                        bool withLogprobs, const ModelProfile &profile)
{
    auto store = openWorkerStore(queuePath);
    if (!store) {
        return store.error();
    }
    auto summary = exportBatchRequests(**store, criteria, model, path, withLogprobs, profile);
    if (!summary) {
        return summary.error();
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
    return ReviewTaskReply { std::nullopt, description };
}

}  // namespace pcs
