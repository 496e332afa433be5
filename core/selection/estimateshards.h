#pragma once

#include "core/common/result.h"
#include "core/io/atomicwrite.h"
#include "core/io/csvreader.h"
#include "core/io/mappedfile.h"
#include "core/selection/textshards.h"

#include <QJsonObject>
#include <QStringList>

#include <Eigen/Core>

#include <memory>
#include <optional>
#include <string_view>

namespace pcs {

// One shard of a sharded `estimate --shard I/N`: a CSV `text,estimate,index` (index = the
// text's global 0-based position in the BPB matrix) and, beside it as FILE.shard.json, what it
// is part of. The companion is what lets a cut refuse a missing, repeated or foreign shard and
// shards of different estimators.
struct EstimateShardInfo {
    ShardSpec shard;
    TextRange texts;
    qint64 textCount = 0;  // D, all shards together
    QString estimator;
    QString bpbPath;  // absolute
    qint64 bpbSizeBytes = 0;
    qint64 llmCount = 0;

    QJsonObject toJson() const;
};

QString estimateShardInfoPath(const QString &shardPath);  // FILE.shard.json
Result<EstimateShardInfo> readEstimateShardInfo(const QString &shardPath);

// The shard's rows: header `text,estimate,index`, numbers in their shortest round-trip form
// (the same bytes as `estimate`'s text and estimate columns).
void formatEstimateShard(const QStringList &texts, const Eigen::VectorXd &estimate,
                         qint64 firstIndex, const ByteSink &sink);

// Streams a shard file's rows (mapped, nothing copied but quoted names). Needs the columns
// text, estimate and index (in any order; others are ignored); an empty shard (header only) is
// fine. Every row is checked: a finite estimate, a non-negative integer index.
class EstimateShardReader {
public:
    struct Row {
        std::string_view text;
        double estimate = 0;
        qint64 index = 0;
        qint64 line = 0;
    };

    Status open(const QString &path);
    // False at the end or on an error (error() then says which).
    bool next(Row &row);
    const std::optional<Error> &error() const { return m_error; }
    const QString &path() const { return m_file.path(); }
    std::string_view bytes() const { return m_file.bytes(); }
    // SHA-256 (hex) of the whole file.
    QString sha256() const;
    // Whether a file's header has an `index` column (a shard, not a plain estimate).
    static bool hasIndexColumn(const QString &path);

private:
    io::MappedFile m_file;
    std::unique_ptr<io::CsvRecordReader> m_reader;
    qsizetype m_textColumn = -1;
    qsizetype m_estimateColumn = -1;
    qsizetype m_indexColumn = -1;
    std::size_t m_fieldCount = 0;
    std::optional<Error> m_error;
};

// The shard files of one sharded estimate, in order, with their companions.
struct ShardFile {
    QString path;
    EstimateShardInfo info;
};

// Reads the companions and checks that the files are shards 0..N-1 of one estimate, each once,
// in order, all of the same estimator, text count and BPB matrix. Errors name the file and say
// what is wrong: a missing shard, one given twice or out of order, mixed estimators.
Result<QList<ShardFile>> readShardSet(const QStringList &paths);

// Follows the rows of the shards of a set in order: each row's index must be the next global
// index of its shard's range, and each shard must end where its range does. Errors name the
// file and line (a gap: texts missing; a repeat or going back: overlapping rows).
class ShardRowCheck {
public:
    explicit ShardRowCheck(const ShardFile &shard)
        : m_shard(shard)
        , m_next(shard.info.texts.first)
    {
    }
    Status check(const EstimateShardReader::Row &row);
    Status finish() const;

private:
    const ShardFile &m_shard;
    qint64 m_next;
};

}  // namespace pcs
