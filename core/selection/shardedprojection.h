#pragma once

#include "core/common/result.h"
#include "core/io/namedvalues.h"
#include "core/io/selectionwriter.h"
#include "core/selection/estimateshards.h"
#include "core/selection/l2projection.h"
#include "core/selection/projection.h"
#include "core/selection/selectionrun.h"

#include <QJsonObject>

namespace pcs {

// The projection of a sharded estimate without its texts in one place (DESIGN.md §3):
// computeProjectionCut streams the shard files and finds what decides every weight, and
// projectShard then writes one shard's distribution from its own file and that cut. The shards'
// tables, concatenated in order, are the single-run `select` table bit for bit, rank included.
//
// linear: the weights are τ_j for texts ordered before the cut text (larger estimate, ties:
//   lower global index), the remainder for the cut text, 0 after it. The cut pass keeps only
//   candidates: a heap of the best texts seen whose caps sum to at most 1 (plus the worst one
//   and a safety margin), so its memory is 24 bytes per text that gets weight, not per text.
//   The kept texts are then walked in order with the same accurate sum as `project`, which is
//   why the remainder has the same bits.
// l2: p_j = clip((e_j + lo) + δ, 0, τ_j), plus the few texts that took the last rounding
//   (l2projection.h). The exact breakpoint search needs every breakpoint: the cut pass holds the
//   estimate and cap of every text (16 bytes per text; the names are never held).
// Caps from --token-counts or --tau are matched by name, so that file is held as a table, as in
// the single run; --keep-ratio alone (every text counts equally) needs nothing per text.
struct ShardFileRecord {
    QString path;  // absolute
    qint64 sizeBytes = 0;
    QString sha256;
};

struct ProjectionCut {
    Projection projection = Projection::Linear;
    TauSpec tau;  // path absolute
    QString capsSha256;  // of tau.path; empty for uniform caps
    qint64 textCount = 0;
    QString estimator;
    QList<ShardFileRecord> shards;
    double tokenSum = 0;  // Σ tokens of the texts, for caps from token counts
    // linear: the last text with weight (-1: every text is at its cap) and its weight.
    qint64 cutIndex = -1;
    double cutEstimate = 0;
    double remainder = 0;
    qint64 candidatesKept = 0;  // linear: the most texts the cut pass held at once
    detail::L2Shift l2;
    qint64 textsWithWeight = 0;

    QJsonObject toJson() const;
};

Result<ProjectionCut> readProjectionCut(const QString &path);

// Two passes over the shards (checks and totals; then the cut). Errors name the file and line:
// the shard set's (estimateshards.h), an estimate that is not finite, caps missing for a text or
// summing to less than 1.
Result<ProjectionCut> computeProjectionCut(const QStringList &shardPaths, const TauSpec &tau,
                                           Projection projection, Warnings *warnings = nullptr);

// Shard `shardPath`'s distribution: the file must be one the cut was made from (size and
// SHA-256). Global ranks come from one more pass over every shard of the cut (each checked
// against its record), holding only this shard's estimates.
Result<SelectionTable> projectShard(const QString &shardPath, const ProjectionCut &cut,
                                    Warnings *warnings = nullptr);

// Several estimate files as one table, in the order given (a plain `project` over a pool that
// fits): estimate shards (with `index`) checked as a set as above, else plain estimate files
// whose text names must not repeat across files.
Result<NamedValues> loadEstimateFiles(const QStringList &paths);

}  // namespace pcs
