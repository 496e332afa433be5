#include "core/selection/textshards.h"

#include <QStringList>

namespace pcs {

Result<ShardSpec> parseShardSpec(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char('/'));
    bool indexOk = false;
    bool countOk = false;
    const int index = parts.size() == 2 ? parts[0].trimmed().toInt(&indexOk) : 0;
    const int count = parts.size() == 2 ? parts[1].trimmed().toInt(&countOk) : 0;
    if (!indexOk || !countOk)
        return Error::badInput(QStringLiteral("--shard '%1' is not I/N (shard I of N, 0-based, "
                                              "e.g. 0/4 ... 3/4)")
                                   .arg(text));
    if (count < 1)
        return Error::badInput(
            QStringLiteral("--shard '%1': the number of shards must be at least 1").arg(text));
    if (index < 0 || index >= count)
        return Error::badInput(QStringLiteral("--shard '%1': the shard must be in 0..%2 (0-based, "
                                              "as SLURM_ARRAY_TASK_ID counts)")
                                   .arg(text)
                                   .arg(count - 1));
    return ShardSpec { index, count };
}

TextRange shardTextRange(qint64 textCount, const ShardSpec &shard)
{
    // I·D fits easily: D < 2^40 texts and N < 2^31 shards.
    const auto boundary = [&](qint64 i) { return i * textCount / shard.count; };
    return { boundary(shard.index), boundary(shard.index + 1) };
}

}  // namespace pcs
