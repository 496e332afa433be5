// review batch-export: the pending assessments as Batch API input files within the API's limits.
#include "core/review/batchfiles.h"

#include "core/io/atomicwrite.h"
#include "core/io/outputpaths.h"
#include "core/review/assessment.h"
#include "core/review/queueinputs.h"
#include "core/review/queuestore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>
#include <memory>

namespace pcs {

namespace {

// The name before the shard number and the suffix after it: "requests" and ".jsonl".
std::pair<QString, QString> shardNameParts(const QString &path)
{
    const QFileInfo info(path);
    const QString name = info.fileName();
    const qsizetype dot = name.lastIndexOf(QLatin1Char('.'));
    const QString stem = dot > 0 ? name.left(dot) : name;
    const QString suffix = dot > 0 ? name.mid(dot) : QString();
    const QString folder = info.path() == QLatin1String(".") && !path.startsWith(u"./")
        ? QString()
        : info.path() + QLatin1Char('/');
    return { folder + stem, suffix };
}

// Copies a finished file's bytes into another output (the single file that turned into the
// first shard).
Status copyInto(const QString &from, AtomicFile &to)
{
    QFile source(from);
    if (!source.open(QIODevice::ReadOnly))
        return Error::io(QStringLiteral("cannot read back: %1").arg(source.errorString()), from);
    QByteArray chunk;
    while (!(chunk = source.read(1 << 20)).isEmpty())
        if (Status written = to.write(chunk); !written)
            return written;
    if (source.error() != QFileDevice::NoError)
        return Error::io(QStringLiteral("cannot read back: %1").arg(source.errorString()), from);
    return Done {};
}

// Files beside `path` named as this export would name them, other than `written`.
QStringList staleExportFiles(const QString &path,
                             const std::vector<BatchExportSummary::File> &written)
{
    const auto [stem, suffix] = shardNameParts(path);
    const QFileInfo stemInfo(stem);
    const QRegularExpression shard(QStringLiteral("^%1-\\d{3,}%2$")
                                       .arg(QRegularExpression::escape(stemInfo.fileName()),
                                            QRegularExpression::escape(suffix)));
    QStringList candidates;
    for (const QString &name : QDir(stemInfo.path()).entryList(QDir::Files))
        if (shard.match(name).hasMatch())
            candidates << stemInfo.dir().filePath(name);
    candidates << path;
    QStringList stale;
    for (const QString &candidate : std::as_const(candidates)) {
        const bool ours = std::any_of(written.begin(), written.end(), [&](const auto &file) {
            return QFileInfo(file.path) == QFileInfo(candidate);
        });
        if (!ours && QFileInfo::exists(candidate) && !stale.contains(candidate))
            stale << candidate;
    }
    return stale;
}

QByteArray requestLine(const Criteria &criteria, const QString &model, bool withLogprobs,
                       const ModelProfile &profile, const QString &customId, const QString &text)
{
    QJsonObject body = assessmentRequestBody(criteria, text, withLogprobs);
    body.insert(QStringLiteral("model"), model);
    body = applyModelProfile(std::move(body), profile);  // never touches the messages
    const QJsonObject request { { QStringLiteral("custom_id"), customId },
                                { QStringLiteral("method"), QStringLiteral("POST") },
                                { QStringLiteral("url"), QStringLiteral("/v1/chat/completions") },
                                { QStringLiteral("body"), body } };
    return QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n';
}

// A JSON string's inside, escaped as QJsonDocument escapes it.
QByteArray escapedJsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray { text }).toJson(QJsonDocument::Compact);
    return array.mid(2, array.size() - 4);  // without [" and "]
}

// Every request line is the same but for the item's id and text (some 6 KB of system prompt,
// examples and schema around ~100 bytes that change): serialized once with placeholders, then
// spliced. JSON escapes character by character, and the text sits between newlines, so a line
// is byte for byte what serializing it whole gives; about twenty times faster.
class RequestLines {
public:
    RequestLines(const Criteria &criteria, const QString &model, bool withLogprobs,
                 const ModelProfile &profile)
        : m_criteria(criteria)
        , m_model(model)
        , m_withLogprobs(withLogprobs)
        , m_profile(profile)
    {
        const QString idMark = QStringLiteral("\u0002pcstudio-id\u0002");
        const QString textMark = QStringLiteral("\u0001pcstudio-text\u0001");
        const QByteArray line
            = requestLine(criteria, model, withLogprobs, profile, idMark, textMark);
        const QByteArray idEscaped = escapedJsonString(idMark);
        const QByteArray textEscaped = escapedJsonString(textMark);
        const qsizetype id = line.indexOf(idEscaped);
        const qsizetype text = line.indexOf(textEscaped);
        // Each mark exactly once, or no template (criteria that hold a mark themselves).
        if (id < 0 || text < 0 || line.indexOf(idEscaped, id + 1) >= 0
            || line.indexOf(textEscaped, text + 1) >= 0)
            return;
        m_idFirst = id < text;
        const qsizetype first = std::min(id, text);
        const qsizetype second = std::max(id, text);
        const qsizetype firstSize = m_idFirst ? idEscaped.size() : textEscaped.size();
        m_parts = { line.left(first), line.mid(first + firstSize, second - first - firstSize),
                    line.mid(second + (m_idFirst ? textEscaped.size() : idEscaped.size())) };
    }

    QByteArray line(const QString &customId, const QString &text) const
    {
        if (m_parts.isEmpty())
            return requestLine(m_criteria, m_model, m_withLogprobs, m_profile, customId, text);
        const QByteArray id = escapedJsonString(customId);
        const QByteArray document = escapedJsonString(neutralizeDocumentTags(text));
        return m_parts[0] + (m_idFirst ? id : document) + m_parts[1] + (m_idFirst ? document : id)
            + m_parts[2];
    }

private:
    const Criteria &m_criteria;
    QString m_model;
    bool m_withLogprobs = true;
    ModelProfile m_profile;
    QList<QByteArray> m_parts;  // before the first mark, between them, after the second
    bool m_idFirst = true;
};

}  // namespace

QString batchShardPath(const QString &path, int index)
{
    const auto [stem, suffix] = shardNameParts(path);
    return QStringLiteral("%1-%2%3").arg(stem).arg(index, 3, 10, QLatin1Char('0')).arg(suffix);
}

BatchFileWriter::BatchFileWriter(const QString &path, const BatchFileLimits &limits,
                                 OutputCheck check)
    : m_path(path)
    , m_limits(limits)
    , m_check(std::move(check))
{
}

BatchFileWriter::~BatchFileWriter() = default;

Result<std::unique_ptr<BatchFileWriter>>
BatchFileWriter::create(const QString &path, const BatchFileLimits &limits, OutputCheck check)
{
    std::unique_ptr<BatchFileWriter> writer(new BatchFileWriter(path, limits, std::move(check)));
    if (writer->m_check)
        if (Status distinct = writer->m_check(path); !distinct)
            return distinct.error();
    // Everything goes to `path` until a line does not fit: then what was written becomes the
    // first shard and the rest follows in more, all published together.
    auto single = AtomicFile::create(path);
    if (!single)
        return single.error();
    writer->m_single = std::move(single).value();
    writer->m_current = writer->m_single.get();
    writer->m_files.push_back({ path, 0, 0 });
    return writer;
}

Status BatchFileWriter::startShard()
{
    const auto checked = [&](const QString &output) -> Status {
        return m_check ? m_check(output) : Status(Done {});
    };
    if (m_shards.isEmpty()) {
        const QString first = batchShardPath(m_path, 1);
        if (Status distinct = checked(first); !distinct)
            return distinct;
        auto added = m_shards.add(first);
        if (!added)
            return added.error();
        if (Status finished = m_single->finish(); !finished)
            return finished;
        if (Status copied = copyInto(m_single->temporaryPath(), **added); !copied)
            return copied;
        m_single->discard();
        m_files.front().path = first;
    }
    const QString next = batchShardPath(m_path, int(m_files.size()) + 1);
    if (Status distinct = checked(next); !distinct)
        return distinct;
    auto added = m_shards.add(next);
    if (!added)
        return added.error();
    m_current = *added;
    m_files.push_back({ next, 0, 0 });
    return Done {};
}

Status BatchFileWriter::write(const QByteArray &line)
{
    if (tooLarge(line.size()))
        return Error::badInput(QStringLiteral("a request line of %1 bytes is more than the %2 "
                                              "bytes a batch file may hold (--max-bytes)")
                                   .arg(line.size())
                                   .arg(m_limits.maxBytes),
                               m_path);
    BatchExportSummary::File *file = &m_files.back();
    const bool full = (m_limits.maxRequests > 0 && file->requests >= m_limits.maxRequests)
        || (m_limits.maxBytes > 0 && file->bytes + line.size() > m_limits.maxBytes);
    if (full) {
        if (Status started = startShard(); !started)
            return started;
        file = &m_files.back();
    }
    if (Status written = m_current->write(line); !written)
        return written;
    ++file->requests;
    file->bytes += line.size();
    ++m_requests;
    return Done {};
}

Status BatchFileWriter::publish()
{
    return m_shards.isEmpty() ? m_single->commit() : m_shards.publish();
}

QStringList BatchFileWriter::staleFiles() const
{
    return staleExportFiles(m_path, m_files);
}

Result<BatchExportSummary> exportBatchRequests(QueueStore &store, const Criteria &criteria,
                                               const QString &model, const QString &path,
                                               bool withLogprobs, const ModelProfile &profile,
                                               const BatchFileLimits &limits)
{
    auto inputs = queueInputFiles(store);
    if (!inputs)
        return inputs.error();
    auto writer = BatchFileWriter::create(path, limits, [&](const QString &output) {
        return checkOutputsAgainstInputs({ { output, QStringLiteral("the batch requests") } },
                                         *inputs);
    });
    if (!writer)
        return writer.error();
    BatchExportSummary summary;

    const RequestLines lines(criteria, model, withLogprobs, profile);
    qint64 after = 0;
    for (;;) {
        auto items = store.pending(10000, after);
        if (!items)
            return items.error();
        if (items->empty())
            break;
        for (const QueueItem &item : *items) {
            const QByteArray line = lines.line(
                QLatin1String(kBatchCustomIdPrefix) + QString::number(item.id), item.text);
            if ((*writer)->tooLarge(line.size()))
                return Error::badInput(
                    QStringLiteral("item %1 (line %2 of %3): its request alone is %4 bytes, more "
                                   "than the %5 bytes a batch file may hold (--max-bytes)")
                        .arg(item.id)
                        .arg(item.sourceLine)
                        .arg(item.sourceFile)
                        .arg(line.size())
                        .arg(limits.maxBytes));
            if (Status written = (*writer)->write(line); !written)
                return written.error();
            after = item.id;
        }
    }
    if (Status published = (*writer)->publish(); !published)
        return published.error();
    summary.requests = (*writer)->requests();
    summary.files = (*writer)->files();
    // Whether the lines ask for log-probs, or why not (as the items will record it).
    const QString asked = !withLogprobs ? QLatin1String(LogprobStatus::kNotRequested)
        : !profile.logprobsAllowed      ? QLatin1String(LogprobStatus::kNotAllowed)
                                        : QStringLiteral("true");
    auto stored = store.property(QLatin1String(kBatchLogprobsProperty));
    if (!stored || *stored != asked) {
        if (Status kept = store.setProperty(QLatin1String(kBatchLogprobsProperty), asked); !kept)
            summary.warnings << QStringLiteral("the queue cannot keep whether log-probs were asked "
                                               "for (%1): importing the results will not tell "
                                               "answers without them")
                                    .arg(kept.error().reason);
    }
    summary.staleFiles = (*writer)->staleFiles();
    return summary;
}

}  // namespace pcs
