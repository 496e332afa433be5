#pragma once

#include "core/common/result.h"
#include "core/common/taskcontrol.h"

#include <QJsonObject>
#include <QStringList>

namespace pcs {

// Where a filter's labelled examples come from: texts (JSONL, optionally .gz/.zst) and the
// distribution CSV of `select` (columns text and weight). A document is `include` when its key's
// weight > 0, else `exclude`.
struct TrainingDataOptions {
    QStringList textFiles;
    QString distributionFile;
    // Further files of the same distribution (the shards of a sharded projection), read after
    // distributionFile as one table; a text may be in one file only. Shards may be empty.
    QStringList moreDistributionFiles;
    QString keyField = QStringLiteral("id");  // string or number; matched against the text column
    QString textField = QStringLiteral("text");
    double testFraction = 0.1;  // held out for evaluation, chosen per document
    quint64 seed = 0;
};

// What happened to every input line; lines with problems are skipped and reported, never fatal.
struct TrainingDataSummary {
    qint64 lines = 0;  // non-blank lines read
    qint64 include = 0;  // labelled documents
    qint64 exclude = 0;
    qint64 trainDocuments = 0;
    qint64 testDocuments = 0;
    qint64 testInclude = 0;
    qint64 unknownKey = 0;  // documents whose key is not in the distribution (skipped)
    QStringList unknownKeySample;  // the first few such keys
    qint64 distributionKeysUnseen = 0;  // distribution rows no document had
    // Malformed lines (invalid JSON or UTF-8, a duplicate top-level key, missing field, empty
    // text).
    qint64 problemCount = 0;
    QStringList problems;  // the first kMaxListedProblems, as FILE:LINE:COLUMN: reason

    static constexpr int kMaxListedProblems = 100;
    QJsonObject toJson() const;
};

// Reads the inputs once and writes two fastText files, one "__label__include|exclude text" line
// per document (text cleaned by cleanForFastText): the training part and the held-out part.
// Errors: unreadable inputs or distribution (BadInput), no usable document, only one class
// among the training documents, a failed write of the two files such as a full disk (Io),
// Canceled.
Result<TrainingDataSummary> writeTrainingData(const TrainingDataOptions &options,
                                              const QString &trainPath, const QString &testPath,
                                              const TaskControl &control = TaskControl::none());

}  // namespace pcs
