#pragma once

#include "core/common/result.h"

#include <QString>

namespace pcs {

// A range of texts (columns of the BPB matrix): global indices [first, end).
struct TextRange {
    qint64 first = 0;
    qint64 end = 0;
    qint64 size() const { return end - first; }
    bool isEmpty() const { return end <= first; }
};

// Shard `index` of `count` (0-based, as SLURM_ARRAY_TASK_ID counts), from `--shard I/N`.
struct ShardSpec {
    int index = 0;
    int count = 1;
};

// Parses "I/N": integers, N >= 1, 0 <= I < N. Errors name the text and the reason.
Result<ShardSpec> parseShardSpec(const QString &text);

// Shard I of N over D texts: [floor(I·D/N), floor((I+1)·D/N)). Consecutive shards meet, they
// cover every text once, and their sizes differ by at most one. With N > D, some are empty.
TextRange shardTextRange(qint64 textCount, const ShardSpec &shard);

}  // namespace pcs
