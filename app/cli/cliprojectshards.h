#pragma once

#include "core/selection/projection.h"
#include "core/selection/selectionrun.h"

#include <QCommandLineParser>

namespace pcs::cli {

// `project --estimate E0.csv --estimate E1.csv ... --cut-only --output cut.json`: the cut of a
// sharded estimate (selection/shardedprojection.h), with the shards' identities.
int runProjectionCut(const QCommandLineParser &parser, const TauSpec &tau, Projection projection,
                     const QString &command);
// `project --estimate EI.csv --cut cut.json --output DI.csv`: shard I's distribution. Caps and
// projection options may be left out (the cut's are used); given, they must be the cut's.
int runShardProjection(const QCommandLineParser &parser, const QString &command);

}  // namespace pcs::cli
