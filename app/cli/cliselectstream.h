#pragma once

#include "core/io/benchmarkerrors.h"
#include "core/io/bpbloader.h"
#include "core/io/selectionwriter.h"
#include "core/selection/alignment.h"
#include "core/selection/estimators.h"
#include "core/selection/projection.h"
#include "core/selection/selectionrun.h"
#include "core/selection/textshards.h"

#include <QJsonObject>

#include <optional>

namespace pcs::cli {

// What `estimate` and `select` were asked, for a BPB matrix that is streamed (a .npy).
struct StreamedSelection {
    QString command;  // "estimate" or "select"
    bool estimateOnly = false;
    QString bpbPath;
    BpbLoadOptions bpbOptions;
    QString errorsPath;
    BenchmarkLoadOptions errorsOptions;
    AlignOptions align;  // without the map
    QString llmMapPath;
    QStringList metricOverrides;
    EstimateOptions estimate;
    TauSpec tau;
    Projection projection = Projection::Linear;
    TableFormat format = TableFormat::Csv;
    QString output;
    QString reportPath;
    bool hash = true;  // false: --no-hash
    // The texts to estimate: [firstText, endText), -1 = to the last (a shard).
    qint64 firstText = 0;
    qint64 endText = -1;
    // `estimate --shard I/N`: shard I's texts, written as an estimate shard and its description.
    std::optional<ShardSpec> shard;
    // Input files named by options other than --bpb, --errors, --llm-map: (option, role).
    QList<QPair<QString, QString>> otherInputs;
};

// Runs the command on the streamed matrix (selection/streamestimate.h): the same outputs and
// report as the in-memory path, in O(N x block + D) memory. Returns the exit code.
int runStreamedSelection(const StreamedSelection &run);

}  // namespace pcs::cli
