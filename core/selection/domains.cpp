#include "core/selection/domains.h"

#include "core/io/csvreader.h"
#include "core/io/csvwriter.h"
#include "core/io/jsonline.h"
#include "core/io/linereader.h"
#include "core/io/mappedfile.h"
#include "core/io/textutil.h"
#include "core/selection/accuratesum.h"

#include <QFileInfo>
#include <QHash>
#include <QJsonObject>

#include <algorithm>
#include <map>

namespace pcs {

namespace {

using Eigen::Index;

struct Entry {
    QString domain;
    qint64 line = 0;
};

bool isJsonLines(const QString &path)
{
    const QString lower = path.toLower();
    for (const char *suffix : { ".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson" })
        if (lower.endsWith(QLatin1String(suffix)))
            return true;
    return false;
}

Result<QHash<QString, Entry>> readDomainCsv(const QString &path)
{
    io::MappedFile file;
    if (Status opened = file.open(path); !opened)
        return opened.error();
    const std::string_view text = file.text();
    auto header = io::readCsvHeader(text, path, io::detectDelimiter(path, text, 0));
    if (!header)
        return header.error();
    const auto textIndex = header->names.indexOf(QStringLiteral("text"));
    const auto domainIndex = header->names.indexOf(QStringLiteral("domain"));
    if (textIndex < 0 || domainIndex < 0)
        return Error::badInput(QStringLiteral("expected columns \"text\" and \"domain\"; the "
                                              "header has: %1")
                                   .arg(io::listColumns(header->names)),
                               path, header->line);
    const char *end = text.data() + text.size();
    io::CsvRecordReader reader(
        std::string_view(header->bodyBegin, std::size_t(end - header->bodyBegin)),
        header->delimiter, header->bodyLine);
    QHash<QString, Entry> entries;
    const auto fieldCount = std::size_t(header->names.size());
    while (reader.next()) {
        const auto &fields = reader.fields();
        const qint64 line = reader.recordLine();
        if (fields.size() != fieldCount)
            return Error::badInput(QStringLiteral("ragged row: expected %1 fields (as in the "
                                                  "header), found %2")
                                       .arg(fieldCount)
                                       .arg(fields.size()),
                                   path, line, qint64(std::min(fieldCount, fields.size())) + 1);
        io::CsvIssue issue;
        if (!io::checkName(fields[std::size_t(textIndex)], "text name", line, textIndex + 1, issue)
            || !io::checkName(fields[std::size_t(domainIndex)], "domain", line, domainIndex + 1,
                              issue))
            return io::csvError(issue, path);
        const QString name = io::toQString(fields[std::size_t(textIndex)]);
        if (const auto it = entries.constFind(name); it != entries.cend())
            return Error::badInput(QStringLiteral("duplicate text %1 (first on line %2)")
                                       .arg(io::quoteForMessage(name))
                                       .arg(it->line),
                                   path, line, textIndex + 1);
        entries.insert(name, { io::toQString(fields[std::size_t(domainIndex)]), line });
    }
    if (reader.failed())
        return io::csvError(reader.issue(), path);
    return entries;
}

Result<QHash<QString, Entry>> readDomainJsonl(const QString &path)
{
    auto opened = LineReader::open(path);
    if (!opened)
        return opened.error();
    LineReader &lines = **opened;
    // The text's id: "id", else "text_id", else "name" (as the demo's and common corpora's).
    JsonLineScanner scanner({ "id", "text_id", "name", "domain" });
    QHash<QString, Entry> entries;
    std::string_view line;
    while (lines.next(line)) {
        const qint64 number = lines.lineNumber();
        if (line.find_first_not_of(" \t\r") == std::string_view::npos)
            continue;
        if (const auto problem = scanner.scan(line))
            return Error::badInput(problem->reason, path, number, problem->column);
        const JsonLineScanner::Field *id = nullptr;
        for (std::size_t f = 0; f < 3 && !id; ++f) {
            const auto &field = scanner.field(f);
            if (field.kind == JsonLineScanner::Kind::String
                || field.kind == JsonLineScanner::Kind::Number)
                id = &field;
        }
        if (!id || id->value.empty())
            return Error::badInput(QStringLiteral("no text id: the record needs a string or number "
                                                  "\"id\" (or \"text_id\", \"name\")"),
                                   path, number, 1);
        const auto &domain = scanner.field(3);
        if (domain.kind != JsonLineScanner::Kind::String || domain.value.empty())
            return Error::badInput(QStringLiteral("no domain: the record needs a non-empty string "
                                                  "\"domain\""),
                                   path, number, qint64(domain.rawBegin) + 1);
        const QString name = io::toQString(id->value);
        if (const auto it = entries.constFind(name); it != entries.cend())
            return Error::badInput(QStringLiteral("duplicate text id %1 (first on line %2)")
                                       .arg(io::quoteForMessage(name))
                                       .arg(it->line),
                                   path, number, qint64(id->rawBegin) + 1);
        entries.insert(name, { io::toQString(domain.value), number });
    }
    if (lines.error())
        return *lines.error();
    return entries;
}

}  // namespace

std::optional<TextDomains> domainsFromBpb(const BpbMatrix &bpb)
{
    const auto it = bpb.extraLabels.constFind(QStringLiteral("domain"));
    if (it == bpb.extraLabels.cend() || it->size() != bpb.texts.size())
        return std::nullopt;
    return TextDomains { *it, QStringLiteral("the BPB file's domain column") };
}

Result<TextDomains> loadTextDomains(const QString &path, const QStringList &texts)
{
    const bool jsonl = isJsonLines(path);
    auto entries = jsonl ? readDomainJsonl(path) : readDomainCsv(path);
    if (!entries)
        return entries.error();
    TextDomains result;
    result.source = QStringLiteral("%1 (%2)").arg(QFileInfo(path).fileName(),
                                                  jsonl ? QStringLiteral("JSONL")
                                                        : QStringLiteral("text,domain"));
    result.domains.reserve(texts.size());
    qsizetype missing = 0;
    QString firstMissing;
    for (const QString &text : texts) {
        const auto it = entries->constFind(text);
        if (it == entries->cend()) {
            if (missing++ == 0)
                firstMissing = text;
            result.domains.append(QString());
            continue;
        }
        result.domains.append(it->domain);
    }
    if (missing > 0)
        return Error::badInput(QStringLiteral("no domain for %1 of the %2 texts, first %3")
                                   .arg(missing)
                                   .arg(texts.size())
                                   .arg(io::quoteForMessage(firstMissing)),
                               path);
    return result;
}

std::vector<DomainSummary> summarizeDomains(const SelectionTable &table, const QStringList &domains)
{
    std::vector<DomainSummary> out;
    if (!table.hasDistribution() || domains.size() != table.texts.size())
        return out;
    struct Sums {
        qint64 texts = 0, selected = 0;
        detail::AccurateSum weight, estimate;
    };
    std::map<QString, Sums> byDomain;
    for (Index j = 0; j < Index(domains.size()); ++j) {
        Sums &sums = byDomain[domains[j]];
        ++sums.texts;
        if (table.weight[j] > 0)
            ++sums.selected;
        sums.weight.add(table.weight[j]);
        sums.estimate.add(table.estimate[j]);
    }
    for (const auto &[domain, sums] : byDomain)
        out.push_back({ domain, sums.texts, sums.selected, sums.weight.value(),
                        sums.estimate.value() / double(sums.texts) });
    std::stable_sort(out.begin(), out.end(), [](const DomainSummary &a, const DomainSummary &b) {
        return a.weight > b.weight;  // the map gave name order: ties stay by name
    });
    return out;
}

QByteArray formatDomainsCsv(const std::vector<DomainSummary> &summaries)
{
    QByteArray out("domain,texts,selected,weight,mean_estimate\n");
    for (const DomainSummary &s : summaries) {
        appendCsvField(out, s.domain);
        out += ',' + QByteArray::number(s.textCount) + ',' + QByteArray::number(s.selectedCount)
            + ',';
        appendNumber(out, s.weight);
        out += ',';
        appendNumber(out, s.meanEstimate);
        out += '\n';
    }
    return out;
}

QJsonArray domainsToJson(const std::vector<DomainSummary> &summaries)
{
    QJsonArray out;
    for (const DomainSummary &s : summaries)
        out.append(QJsonObject { { QStringLiteral("domain"), s.domain },
                                 { QStringLiteral("texts"), s.textCount },
                                 { QStringLiteral("selected"), s.selectedCount },
                                 { QStringLiteral("weight"), s.weight },
                                 { QStringLiteral("mean_estimate"), s.meanEstimate } });
    return out;
}

QString domainsCsvPath(const QString &distributionPath)
{
    QString base = distributionPath;
    for (const char *suffix : { ".csv", ".json", ".tsv" }) {
        if (base.endsWith(QLatin1String(suffix), Qt::CaseInsensitive)) {
            base.chop(qsizetype(qstrlen(suffix)));
            break;
        }
    }
    return base + QStringLiteral(".domains.csv");
}

Status addDomainsCsv(OutputSet &outputs, const QString &path,
                     const std::vector<DomainSummary> &summaries)
{
    auto file = outputs.add(path);
    if (!file)
        return file.error();
    if (Status written = (*file)->write(formatDomainsCsv(summaries)); !written)
        return written;
    return (*file)->finish();
}

}  // namespace pcs
