#include "core/bpb/lossaggregate.h"

#include "core/io/bpbwriter.h"
#include "core/io/csvreader.h"
#include "core/io/filekind.h"
#include "core/io/jsonline.h"
#include "core/io/linereader.h"
#include "core/io/textutil.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QSet>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <optional>

namespace pcs {

namespace {

// One input row, as read.
struct LossRow {
    QString llm;
    QString text;
    QString chunk;
    QString domain;
    std::optional<double> loss;  // nullopt = missing or not a number: the chunk is dropped
    double tokens = 0;
    double bytes = 0;
};

struct Sums {
    double tokenLoss = 0;  // Σ tokens · loss
    double bytes = 0;
    bool any = false;
};

std::optional<double> parseNumber(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

class Aggregator {
public:
    explicit Aggregator(LossGrouping grouping)
        : m_grouping(grouping)
    {
    }

    // Adds one row; an Error for rows that cannot be right (not for a missing loss).
    std::optional<Error> add(const LossRow &row, const QString &file, qint64 line)
    {
        if (row.text.isEmpty())
            return Error::badInput(QStringLiteral("no text id (column text or id)"), file, line);
        if (m_grouping == LossGrouping::Domain && row.domain.isEmpty())
            return Error::badInput(
                QStringLiteral("no domain, but the losses are grouped by domain"), file, line);
        if (!(row.tokens >= 0) || !std::isfinite(row.tokens))
            return Error::badInput(QStringLiteral("tokens must be a non-negative number"), file,
                                   line);
        if (!(row.bytes >= 0) || !std::isfinite(row.bytes))
            return Error::badInput(QStringLiteral("bytes must be a non-negative number"), file,
                                   line);
        if (row.bytes == 0 && row.tokens > 0)
            return Error::badInput(QStringLiteral("%1 tokens over 0 bytes").arg(row.tokens), file,
                                   line);
        if (std::optional<Error> bad = checkName(row.llm, "LLM", file, line))
            return bad;
        const QString chunkKey = row.text + QChar(0x1F) + row.chunk;
        const QString seenKey = row.llm + QChar(0x1E) + chunkKey;
        if (m_seen.contains(seenKey))
            return Error::badInput(
                QStringLiteral("the chunk %1 of %2 appears twice for %3")
                    .arg(row.chunk.isEmpty() ? QStringLiteral("(whole text)") : row.chunk, row.text,
                         row.llm),
                file, line);
        m_seen.insert(seenKey);
        ++m_summary.chunksRead;
        const QString group = m_grouping == LossGrouping::Text ? row.text
            : m_grouping == LossGrouping::Domain
            ? row.domain
            : (row.chunk.isEmpty() ? row.text : row.text + QLatin1Char('/') + row.chunk);
        if (!m_groupIndex.contains(group)) {
            if (std::optional<Error> bad = checkName(
                    group, m_grouping == LossGrouping::Domain ? "domain" : "text", file, line))
                return bad;
            m_groupIndex.insert(group, int(m_groups.size()));
            m_groups << group;
            m_groupSources.insert(group, chunkKey);
        } else if (m_grouping == LossGrouping::Chunk && m_groupSources.value(group) != chunkKey) {
            // "t/1" is the name of text t's chunk 1 and of a text called t/1 without chunks.
            return Error::badInput(QStringLiteral("the chunk name %1 is made by two different "
                                                  "rows (a text id containing / and a text with "
                                                  "chunks); rename one of the texts")
                                       .arg(io::quoteForMessage(group)),
                                   file, line);
        }
        if (!m_llmIndex.contains(row.llm)) {
            m_llmIndex.insert(row.llm, int(m_llms.size()));
            m_llms << row.llm;
            m_sums.emplace_back();
        }
        std::vector<Sums> &perGroup = m_sums[std::size_t(m_llmIndex.value(row.llm))];
        perGroup.resize(std::size_t(m_groups.size()));
        if (!row.loss || !std::isfinite(*row.loss)) {
            ++m_summary.chunksDropped;
            if (m_summary.dropped.size() < 100)
                m_summary.dropped << QStringLiteral("%1:%2: %3, %4: %5")
                                         .arg(file)
                                         .arg(line)
                                         .arg(row.llm,
                                              row.chunk.isEmpty()
                                                  ? row.text
                                                  : row.text + QLatin1Char('/') + row.chunk,
                                              row.loss ? QStringLiteral("non-finite loss")
                                                       : QStringLiteral("missing loss"));
            return std::nullopt;
        }
        Sums &sums = perGroup[std::size_t(m_groupIndex.value(group))];
        sums.tokenLoss += row.tokens * *row.loss;
        sums.bytes += row.bytes;
        sums.any = true;
        return std::nullopt;
    }

    LossAggregate finish()
    {
        LossAggregate result = m_summary;
        BpbMatrix &matrix = result.matrix;
        matrix.llms = m_llms;
        matrix.texts = m_groups;
        matrix.layout = BpbLayout::TextRows;
        matrix.values = Eigen::MatrixXd::Constant(m_llms.size(), m_groups.size(),
                                                  std::numeric_limits<double>::quiet_NaN());
        for (qsizetype i = 0; i < m_llms.size(); ++i) {
            const std::vector<Sums> &perGroup = m_sums[std::size_t(i)];
            for (qsizetype j = 0; j < m_groups.size(); ++j) {
                const Sums sums
                    = std::size_t(j) < perGroup.size() ? perGroup[std::size_t(j)] : Sums {};
                if (sums.any && sums.bytes > 0)
                    matrix.values(i, j) = sums.tokenLoss / (std::numbers::ln2 * sums.bytes);
                else
                    ++result.emptyCells;
            }
        }
        return result;
    }

private:
    // Names become names in the written matrix: refused here, where the row that brought them
    // is known, rather than when the matrix is written.
    static std::optional<Error> checkName(const QString &name, const char *what,
                                          const QString &file, qint64 line)
    {
        const QString problem = bpbNameProblem(name);
        if (problem.isEmpty())
            return std::nullopt;
        return Error::badInput(QStringLiteral("the %1 name %2 cannot name a row or column of the "
                                              "BPB matrix: %3")
                                   .arg(QLatin1String(what), io::quoteForMessage(name), problem),
                               file, line);
    }

    LossGrouping m_grouping;
    LossAggregate m_summary;
    QStringList m_groups;
    QHash<QString, int> m_groupIndex;
    QHash<QString, QString> m_groupSources;  // group -> text and chunk that named it
    QStringList m_llms;
    QHash<QString, int> m_llmIndex;
    std::vector<std::vector<Sums>> m_sums;  // [llm][group]
    QSet<QString> m_seen;
};

QString fileLlmName(const QString &path)
{
    QString name = QFileInfo(path).fileName();
    for (const char *suffix : { ".gz", ".zst", ".csv", ".tsv", ".jsonl", ".json" })
        if (name.endsWith(QLatin1String(suffix), Qt::CaseInsensitive))
            name.chop(qsizetype(std::strlen(suffix)));
    return name;
}

// How many rows pass between two looks at the TaskControl.
constexpr qint64 kRowsPerCheck = 4096;

// Progress over several files: file `index` of `count`, `done` of its `total` bytes.
void reportFileProgress(const TaskControl &control, int index, int count, qint64 done, qint64 total)
{
    const qint64 scale = 1000000;
    control.reportProgress(qint64(index) * scale + (total > 0 ? scale * done / total : 0),
                           qint64(count) * scale);
}

Status readCsv(const QString &path, Aggregator &aggregator, const TaskControl &control, int index,
               int count)
{
    if (Status regular = checkRegularFile(path); !regular)
        return regular;  // before opening: a FIFO would block, a device never end
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error::badInput(QStringLiteral("cannot open: %1").arg(file.errorString()), path);
    const QByteArray bytes = file.readAll();
    std::string_view text(bytes.constData(), std::size_t(bytes.size()));
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    auto header = io::readCsvHeader(text, path, io::detectDelimiter(path, text, 0));
    if (!header)
        return header.error();
    auto column = [&](std::initializer_list<const char *> names) -> int {
        for (const char *name : names)
            if (const qsizetype at = header->names.indexOf(QLatin1String(name)); at >= 0)
                return int(at);
        return -1;
    };
    const int llm = column({ "llm", "model" }), textColumn = column({ "text", "id" }),
              chunk = column({ "chunk" }), domain = column({ "domain" }), loss = column({ "loss" }),
              tokens = column({ "tokens" }), byteColumn = column({ "bytes" });
    for (const auto &[index, name] :
         { std::pair { textColumn, "text (or id)" }, std::pair { loss, "loss" },
           std::pair { tokens, "tokens" }, std::pair { byteColumn, "bytes" } })
        if (index < 0)
            return Error::badInput(QStringLiteral("no %1 column (found: %2)")
                                       .arg(QLatin1String(name), io::listColumns(header->names)),
                                   path, header->line);
    const QString defaultLlm = fileLlmName(path);
    const std::string_view body(header->bodyBegin,
                                std::size_t(text.data() + text.size() - header->bodyBegin));
    io::CsvRecordReader reader(body, header->delimiter, header->bodyLine);
    for (qint64 rows = 1; reader.next(); ++rows) {
        if (rows % kRowsPerCheck == 0) {
            if (control.isCanceled())
                return Error::canceled();
            reportFileProgress(control, index, count, reader.position() - body.data(),
                               qint64(body.size()));
        }
        const auto &fields = reader.fields();
        if (qsizetype(fields.size()) != header->names.size())
            return Error::badInput(QStringLiteral("%1 fields, but the header has %2")
                                       .arg(fields.size())
                                       .arg(header->names.size()),
                                   path, reader.recordLine());
        auto field = [&](int index) {
            return index < 0 ? QString() : QString::fromUtf8(fields[std::size_t(index)]).trimmed();
        };
        LossRow row;
        row.llm = llm >= 0 ? field(llm) : defaultLlm;
        row.text = field(textColumn);
        row.chunk = field(chunk);
        row.domain = field(domain);
        row.loss = parseNumber(fields[std::size_t(loss)]);
        const auto tokenCount = parseNumber(fields[std::size_t(tokens)]);
        const auto byteCount = parseNumber(fields[std::size_t(byteColumn)]);
        if (!tokenCount || !byteCount)
            return Error::badInput(QStringLiteral("tokens and bytes must be numbers"), path,
                                   reader.recordLine());
        row.tokens = *tokenCount;
        row.bytes = *byteCount;
        if (row.llm.isEmpty())
            return Error::badInput(QStringLiteral("no LLM name"), path, reader.recordLine());
        if (auto error = aggregator.add(row, path, reader.recordLine()))
            return *error;
    }
    if (reader.failed())
        return io::csvError(reader.issue(), path);
    return Done {};
}

Status readJsonl(const QString &path, Aggregator &aggregator, const TaskControl &control)
{
    auto opened = LineReader::open(path);
    if (!opened)
        return opened.error();
    LineReader &reader = **opened;
    JsonLineScanner scanner({ "llm", "text", "id", "chunk", "domain", "loss", "tokens", "bytes" });
    const QString defaultLlm = fileLlmName(path);
    auto asText = [&](std::size_t index) {
        const auto &field = scanner.field(index);
        return field.kind == JsonLineScanner::Kind::String
                || field.kind == JsonLineScanner::Kind::Number
            ? QString::fromUtf8(field.value.data(), qsizetype(field.value.size()))
            : QString();
    };
    auto asNumber = [&](std::size_t index) -> std::optional<double> {
        const auto &field = scanner.field(index);
        return field.kind == JsonLineScanner::Kind::Number
                || field.kind == JsonLineScanner::Kind::String
            ? parseNumber(field.value)
            : std::nullopt;
    };
    std::string_view line;
    for (qint64 rows = 1; reader.next(line); ++rows) {
        if (rows % kRowsPerCheck == 0 && control.isCanceled())
            return Error::canceled();
        if (line.find_first_not_of(" \t") == std::string_view::npos)
            continue;
        if (const auto problem = scanner.scan(line))
            return Error::badInput(problem->reason, path, reader.lineNumber(), problem->column);
        LossRow row;
        row.llm = scanner.field(0).kind == JsonLineScanner::Kind::Missing ? defaultLlm : asText(0);
        row.text = scanner.field(1).kind != JsonLineScanner::Kind::Missing ? asText(1) : asText(2);
        row.chunk = asText(3);
        row.domain = asText(4);
        row.loss = asNumber(5);  // null or missing: the chunk is dropped and reported
        const auto tokens = asNumber(6);
        const auto bytes = asNumber(7);
        if (!tokens || !bytes)
            return Error::badInput(QStringLiteral("tokens and bytes must be numbers"), path,
                                   reader.lineNumber());
        row.tokens = *tokens;
        row.bytes = *bytes;
        if (row.llm.isEmpty())
            return Error::badInput(QStringLiteral("no LLM name"), path, reader.lineNumber());
        if (auto error = aggregator.add(row, path, reader.lineNumber()))
            return *error;
    }
    if (reader.error())
        return *reader.error();
    return Done {};
}

}  // namespace

QString lossGroupingName(LossGrouping grouping)
{
    switch (grouping) {
    case LossGrouping::Chunk:
        return QStringLiteral("chunk");
    case LossGrouping::Text:
        return QStringLiteral("text");
    case LossGrouping::Domain:
        return QStringLiteral("domain");
    }
    return {};
}

QString bpbLabelColumn(LossGrouping grouping)
{
    switch (grouping) {
    case LossGrouping::Chunk:
        return QStringLiteral("chunk");
    case LossGrouping::Domain:
        return QStringLiteral("domain");
    case LossGrouping::Text:
        break;
    }
    return QStringLiteral("id");
}

QJsonObject LossAggregate::toJson() const
{
    return QJsonObject { { QStringLiteral("llms"), double(matrix.llms.size()) },
                         { QStringLiteral("groups"), double(matrix.texts.size()) },
                         { QStringLiteral("chunks_read"), double(chunksRead) },
                         { QStringLiteral("chunks_dropped"), double(chunksDropped) },
                         { QStringLiteral("dropped"), QJsonArray::fromStringList(dropped) },
                         { QStringLiteral("empty_cells"), double(emptyCells) } };
}

Result<LossAggregate> aggregateLosses(const QStringList &files, LossGrouping grouping,
                                      const TaskControl &control)
{
    if (files.isEmpty())
        return Error::badInput(QStringLiteral("no loss files given"));
    Aggregator aggregator(grouping);
    const int count = int(files.size());
    for (int index = 0; index < count; ++index) {
        const QString &path = files[index];
        const bool jsonl = path.contains(QLatin1String(".jsonl"), Qt::CaseInsensitive)
            || path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive);
        reportFileProgress(control, index, count, 0, 0);
        if (Status read = jsonl ? readJsonl(path, aggregator, control)
                                : readCsv(path, aggregator, control, index, count);
            !read)
            return read.error();
    }
    if (control.isCanceled())
        return Error::canceled();
    return aggregator.finish();
}

}  // namespace pcs
