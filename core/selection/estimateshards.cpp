#include "core/selection/estimateshards.h"

#include "core/io/selectionwriter.h"
#include "core/io/textutil.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <algorithm>
#include <charconv>

namespace pcs {

using namespace io;

namespace {

const QString kInfoFormat = QStringLiteral("pcstudio-estimate-shard");

}  // namespace

QJsonObject EstimateShardInfo::toJson() const
{
    return {
        { QStringLiteral("format"), kInfoFormat },
        { QStringLiteral("format_version"), 1 },
        { QStringLiteral("shard"), shard.index },
        { QStringLiteral("shards"), shard.count },
        { QStringLiteral("first_text"), double(texts.first) },
        { QStringLiteral("end_text"), double(texts.end) },
        { QStringLiteral("text_count"), double(textCount) },
        { QStringLiteral("estimator"), estimator },
        { QStringLiteral("bpb"), bpbPath },
        { QStringLiteral("bpb_size_bytes"), double(bpbSizeBytes) },
        { QStringLiteral("llms"), double(llmCount) },
    };
}

QString estimateShardInfoPath(const QString &shardPath)
{
    return shardPath + QStringLiteral(".shard.json");
}

Result<EstimateShardInfo> readEstimateShardInfo(const QString &shardPath)
{
    const QString path = estimateShardInfoPath(shardPath);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::badInput(
            QStringLiteral("%1 is not an estimate shard: it has no %2 beside "
                           "it (write shards with `estimate --shard I/N "
                           "--output FILE`)")
                .arg(QFileInfo(shardPath).fileName(), QFileInfo(path).fileName()),
            shardPath);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    const QJsonObject o = document.object();
    if (parseError.error != QJsonParseError::NoError
        || o.value(QStringLiteral("format")) != kInfoFormat)
        return Error::badInput(QStringLiteral("not an estimate shard description (%1)")
                                   .arg(parseError.error != QJsonParseError::NoError
                                            ? parseError.errorString()
                                            : QStringLiteral("format is not %1").arg(kInfoFormat)),
                               path);
    EstimateShardInfo info;
    const auto integer
        = [&](const char *key) { return qint64(o.value(QLatin1String(key)).toDouble(-1)); };
    info.shard = { int(integer("shard")), int(integer("shards")) };
    info.texts = { integer("first_text"), integer("end_text") };
    info.textCount = integer("text_count");
    info.estimator = o.value(QStringLiteral("estimator")).toString();
    info.bpbPath = o.value(QStringLiteral("bpb")).toString();
    info.bpbSizeBytes = integer("bpb_size_bytes");
    info.llmCount = integer("llms");
    const TextRange expected = shardTextRange(info.textCount, info.shard);
    if (info.shard.count < 1 || info.shard.index < 0 || info.shard.index >= info.shard.count
        || info.textCount < 0 || info.texts.first != expected.first
        || info.texts.end != expected.end || info.estimator.isEmpty())
        return Error::badInput(QStringLiteral("inconsistent shard description: shard %1 of %2 "
                                              "over %3 texts should hold texts [%4, %5), not "
                                              "[%6, %7)")
                                   .arg(info.shard.index)
                                   .arg(info.shard.count)
                                   .arg(info.textCount)
                                   .arg(expected.first)
                                   .arg(expected.end)
                                   .arg(info.texts.first)
                                   .arg(info.texts.end),
                               path);
    return info;
}

void formatEstimateShard(const QStringList &texts, const Eigen::VectorXd &estimate,
                         qint64 firstIndex, const ByteSink &sink)
{
    constexpr qsizetype kFlushBytes = 1 << 20;
    QByteArray buffer = "text,estimate,index\n";
    buffer.reserve(kFlushBytes + 4096);
    for (qsizetype j = 0; j < texts.size(); ++j) {
        appendCsvField(buffer, texts[j]);
        buffer += ',';
        appendNumber(buffer, estimate[j]);
        buffer += ',';
        buffer += QByteArray::number(firstIndex + j);
        buffer += '\n';
        if (buffer.size() >= kFlushBytes) {
            if (!sink(buffer.constData(), buffer.size()))
                return;
            buffer.clear();
        }
    }
    sink(buffer.constData(), buffer.size());
}

Status EstimateShardReader::open(const QString &path)
{
    if (Status opened = m_file.open(path); !opened)
        return opened;
    const std::string_view text = m_file.text();
    auto header = readCsvHeader(text, path, detectDelimiter(path, text, 0));
    if (!header)
        return header.error();
    m_textColumn = header->names.indexOf(QStringLiteral("text"));
    m_estimateColumn = header->names.indexOf(QStringLiteral("estimate"));
    m_indexColumn = header->names.indexOf(QStringLiteral("index"));
    if (m_textColumn < 0 || m_estimateColumn < 0 || m_indexColumn < 0)
        return Error::badInput(QStringLiteral("expected the columns of an estimate shard (text, "
                                              "estimate, index); the header has: %1")
                                   .arg(listColumns(header->names)),
                               path, header->line);
    m_fieldCount = std::size_t(header->names.size());
    const char *end = text.data() + text.size();
    m_reader = std::make_unique<CsvRecordReader>(
        std::string_view(header->bodyBegin, std::size_t(end - header->bodyBegin)),
        header->delimiter, header->bodyLine);
    return Done {};
}

bool EstimateShardReader::next(Row &row)
{
    if (m_error || !m_reader)
        return false;
    if (!m_reader->next()) {
        if (m_reader->failed())
            m_error = csvError(m_reader->issue(), path());
        return false;
    }
    const auto &fields = m_reader->fields();
    row.line = m_reader->recordLine();
    if (fields.size() != m_fieldCount) {
        m_error = Error::badInput(QStringLiteral("ragged row: expected %1 fields (as in the "
                                                 "header), found %2")
                                      .arg(m_fieldCount)
                                      .arg(fields.size()),
                                  path(), row.line);
        return false;
    }
    CsvIssue issue;
    row.text = fields[std::size_t(m_textColumn)];
    if (!checkName(row.text, "text", row.line, m_textColumn + 1, issue)) {
        m_error = csvError(issue, path());
        return false;
    }
    const std::string_view cell = fields[std::size_t(m_estimateColumn)];
    const CellKind kind = parseCell(cell, row.estimate);
    if (kind != CellKind::Number) {
        m_error = Error::badInput(kind == CellKind::Missing
                                      ? QStringLiteral("missing estimate (every row needs a "
                                                       "finite number)")
                                      : invalidCellReason(cell),
                                  path(), row.line, m_estimateColumn + 1);
        return false;
    }
    const std::string_view index = trimSpaces(fields[std::size_t(m_indexColumn)]);
    const auto parsed = std::from_chars(index.data(), index.data() + index.size(), row.index);
    if (parsed.ec != std::errc() || parsed.ptr != index.data() + index.size() || row.index < 0) {
        m_error = Error::badInput(QStringLiteral("the index %1 is not a text's global index (an "
                                                 "integer >= 0)")
                                      .arg(quoteForMessage(index)),
                                  path(), row.line, m_indexColumn + 1);
        return false;
    }
    return true;
}

QString EstimateShardReader::sha256() const
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const std::string_view all = m_file.bytes();
    hash.addData(QByteArrayView(all.data(), qsizetype(all.size())));
    return QString::fromLatin1(hash.result().toHex());
}

bool EstimateShardReader::hasIndexColumn(const QString &path)
{
    MappedFile file;
    if (!file.open(path))
        return false;
    const std::string_view text = file.text();
    auto header = readCsvHeader(text, path, detectDelimiter(path, text, 0));
    return header && header->names.contains(QStringLiteral("index"));
}

Result<QList<ShardFile>> readShardSet(const QStringList &paths)
{
    QList<ShardFile> shards;
    for (const QString &path : paths) {
        auto info = readEstimateShardInfo(path);
        if (!info)
            return info.error();
        shards.append({ path, std::move(info).value() });
    }
    if (shards.isEmpty())
        return Error::badInput(QStringLiteral("no estimate shards given"));
    const ShardFile &first = shards.first();
    const auto name = [](const ShardFile &file) { return QFileInfo(file.path).fileName(); };
    for (qsizetype k = 0; k < shards.size(); ++k) {
        const ShardFile &shard = shards[k];
        const EstimateShardInfo &info = shard.info;
        if (info.estimator != first.info.estimator)
            return Error::badInput(QStringLiteral("mixed estimators: this shard was estimated "
                                                  "with %1, %2 with %3")
                                       .arg(info.estimator, name(first), first.info.estimator),
                                   shard.path);
        if (info.shard.count != first.info.shard.count || info.textCount != first.info.textCount
            || info.bpbPath != first.info.bpbPath || info.bpbSizeBytes != first.info.bpbSizeBytes
            || info.llmCount != first.info.llmCount)
            return Error::badInput(QStringLiteral("not of the same sharded estimate as %1: shard "
                                                  "of %2 over %3 texts of %4 (%5 LLMs), there "
                                                  "%6 over %7 texts of %8 (%9 LLMs)")
                                       .arg(name(first))
                                       .arg(info.shard.count)
                                       .arg(info.textCount)
                                       .arg(info.bpbPath)
                                       .arg(info.llmCount)
                                       .arg(first.info.shard.count)
                                       .arg(first.info.textCount)
                                       .arg(first.info.bpbPath)
                                       .arg(first.info.llmCount),
                                   shard.path);
        const auto later
            = std::find_if(shards.begin() + k + 1, shards.end(),
                           [&](const ShardFile &other) { return other.info.shard.index == k; });
        if (info.shard.index > k && later != shards.end())
            return Error::badInput(
                QStringLiteral("shards out of order: this file is shard %1, in the place of shard "
                               "%2, which comes later (%3); give the shards 0..%4 in order")
                    .arg(info.shard.index)
                    .arg(k)
                    .arg(name(*later))
                    .arg(info.shard.count - 1),
                shard.path);
        if (info.shard.index > k)
            return Error::badInput(
                QStringLiteral("shard %1 of %2 is missing: this file is shard %3 (give the "
                               "shards 0..%4 in order, each once)")
                    .arg(k)
                    .arg(info.shard.count)
                    .arg(info.shard.index)
                    .arg(info.shard.count - 1),
                shard.path);
        if (info.shard.index < k)
            return Error::badInput(
                QStringLiteral("shard %1 of %2 comes again or out of order: %3 (shard %4) came "
                               "before it (give the shards 0..%5 in order, each once)")
                    .arg(info.shard.index)
                    .arg(info.shard.count)
                    .arg(name(shards[k - 1]))
                    .arg(shards[k - 1].info.shard.index)
                    .arg(info.shard.count - 1),
                shard.path);
    }
    if (shards.size() < first.info.shard.count)
        return Error::badInput(QStringLiteral("shards %1..%2 of %4 are missing after this file "
                                              "(shard %3); give all %4 shards in order")
                                   .arg(shards.size())
                                   .arg(first.info.shard.count - 1)
                                   .arg(shards.last().info.shard.index)
                                   .arg(first.info.shard.count),
                               shards.last().path);
    return shards;
}

Status ShardRowCheck::check(const EstimateShardReader::Row &row)
{
    if (row.index != m_next) {
        const QString what = row.index > m_next
            ? QStringLiteral("texts %1..%2 are missing: the rows jump from global index %1 to %3")
                  .arg(m_next)
                  .arg(row.index - 1)
                  .arg(row.index)
            : QStringLiteral("global index %1 comes again or out of order (overlapping rows; "
                             "expected %2)")
                  .arg(row.index)
                  .arg(m_next);
        return Error::badInput(what, m_shard.path, row.line);
    }
    if (row.index >= m_shard.info.texts.end)
        return Error::badInput(QStringLiteral("global index %1 is past this shard's texts [%2, "
                                              "%3) (overlaps the next shard)")
                                   .arg(row.index)
                                   .arg(m_shard.info.texts.first)
                                   .arg(m_shard.info.texts.end),
                               m_shard.path, row.line);
    ++m_next;
    return Done {};
}

Status ShardRowCheck::finish() const
{
    if (m_next != m_shard.info.texts.end)
        return Error::badInput(QStringLiteral("texts %1..%2 of this shard's [%3, %2] are missing "
                                              "(the file ends early)")
                                   .arg(m_next)
                                   .arg(m_shard.info.texts.end - 1)
                                   .arg(m_shard.info.texts.first),
                               m_shard.path);
    return Done {};
}

}  // namespace pcs
