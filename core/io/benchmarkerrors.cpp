#include "core/io/benchmarkerrors.h"

#include "core/io/csvreader.h"
#include "core/io/filekind.h"
#include "core/io/lmevalresults.h"
#include "core/io/mappedfile.h"

#include <QFileInfo>
#include <QHash>
#include <QJsonArray>

namespace pcs {

using namespace io;

QString errorMappingFormula(ErrorMapping mapping)
{
    switch (mapping) {
    case ErrorMapping::AsIs:
        return QStringLiteral("v");
    case ErrorMapping::OneMinus:
        return QStringLiteral("1 - v");
    case ErrorMapping::HalfOneMinus:
        return QStringLiteral("(1 - v)/2");
    case ErrorMapping::OneMinusPercent:
        return QStringLiteral("1 - v/100");
    case ErrorMapping::Percent:
        return QStringLiteral("v/100");
    case ErrorMapping::Negate:
        return QStringLiteral("-v");
    }
    return {};
}

QJsonObject BenchmarkInfo::toJson() const
{
    QJsonObject json { { QStringLiteral("mapping"), errorMappingFormula(mapping) } };
    if (!metric.isEmpty())
        json.insert(QStringLiteral("metric"), metric);
    if (!filter.isEmpty())
        json.insert(QStringLiteral("filter"), filter);
    if (higherIsBetter)
        json.insert(QStringLiteral("higher_is_better"), *higherIsBetter);
    if (!directionSource.isEmpty())
        json.insert(QStringLiteral("direction_from"), directionSource);
    if (!group.isEmpty())
        json.insert(QStringLiteral("group"), group);
    if (isGroup)
        json.insert(QStringLiteral("members"), QJsonArray::fromStringList(members));
    if (computed)
        json.insert(QStringLiteral("computed"), QStringLiteral("mean of the members' errors"));
    if (!note.isEmpty())
        json.insert(QStringLiteral("note"), note);
    return json;
}

Result<std::pair<QString, MetricChoice>> parseMetricOverride(const QString &text)
{
    const auto bad = [&](const QString &why) {
        return Error::badInput(QStringLiteral("--metric %1: %2; expected TASK=METRIC or "
                                              "TASK=METRIC,FILTER (e.g. "
                                              "gsm8k=exact_match,strict-match)")
                                   .arg(quoteForMessage(text), why));
    };
    const qsizetype equals = text.indexOf(QLatin1Char('='));
    if (equals < 0)
        return bad(QStringLiteral("no '='"));
    const QString task = text.left(equals).trimmed();
    const QStringList choice = text.mid(equals + 1).split(QLatin1Char(','));
    if (task.isEmpty())
        return bad(QStringLiteral("no task before '='"));
    if (choice.size() > 2)
        return bad(QStringLiteral("more than one ',' after '='"));
    const MetricChoice parsed { choice[0].trimmed(),
                                choice.size() == 2 ? choice[1].trimmed() : QString() };
    if (parsed.metric.isEmpty())
        return bad(QStringLiteral("no metric after '='"));
    if (choice.size() == 2 && parsed.filter.isEmpty())
        return bad(QStringLiteral("no filter after ','"));
    return std::pair { task, parsed };
}

Status addMetricOverride(BenchmarkLoadOptions &options, const QString &text)
{
    auto parsed = parseMetricOverride(text);
    if (!parsed)
        return parsed.error();
    if (options.metricOverrides.contains(parsed->first))
        return Error::badInput(QStringLiteral("--metric %1: task %2 already has a metric "
                                              "override")
                                   .arg(quoteForMessage(text), quoteForMessage(parsed->first)));
    options.metricOverrides.insert(parsed->first, parsed->second);
    return Done {};
}

const BenchmarkInfo &BenchmarkErrors::infoFor(qsizetype benchmark) const
{
    static const BenchmarkInfo kPlainErrors;  // the package's CSV: values are errors as they are
    return benchmark >= 0 && benchmark < info.size() ? info[benchmark] : kPlainErrors;
}

namespace {

// The package's layout: a `benchmark` column, one column per LLM, one row per benchmark.
Result<BenchmarkErrors> loadBenchmarkCsv(const QString &path, const MappedFile &file)
{
    const std::string_view text = file.text();
    auto header = readCsvHeader(text, path, detectDelimiter(path, text, 0));
    if (!header)
        return header.error();
    const QStringList &names = header->names;
    const auto benchmarkColumn = names.indexOf(QLatin1String("benchmark"));
    if (benchmarkColumn < 0)
        return Error::badInput(QStringLiteral("no benchmark column: expected the "
                                              "perplexity-correlations layout (a benchmark "
                                              "column and one column per LLM) or an "
                                              "lm-evaluation-harness results JSON; the header "
                                              "has: %1")
                                   .arg(listColumns(names)),
                               path, header->line);
    BenchmarkErrors errors;
    QHash<QString, qsizetype> llmColumns;
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (i == benchmarkColumn)
            continue;
        if (names[i].trimmed().isEmpty())
            return Error::badInput(QStringLiteral("empty LLM name in the header"), path,
                                   header->line, i + 1);
        if (llmColumns.contains(names[i]))
            return Error::badInput(QStringLiteral("duplicate LLM name %1 (also in column %2)")
                                       .arg(quoteForMessage(names[i]))
                                       .arg(llmColumns.value(names[i]) + 1),
                                   path, header->line, i + 1);
        llmColumns.insert(names[i], i);
        errors.llms.append(names[i]);
    }
    if (errors.llms.isEmpty())
        return Error::badInput(QStringLiteral("no LLM columns besides benchmark"), path,
                               header->line);

    const char *end = text.data() + text.size();
    CsvRecordReader reader(
        std::string_view(header->bodyBegin, std::size_t(end - header->bodyBegin)),
        header->delimiter, header->bodyLine);
    std::vector<std::vector<double>> rows;
    QHash<QString, qint64> benchmarkLines;
    while (reader.next()) {
        const auto &fields = reader.fields();
        const qint64 line = reader.recordLine();
        if (fields.size() != std::size_t(names.size()))
            return Error::badInput(QStringLiteral("ragged row: expected %1 fields (as in the "
                                                  "header), found %2")
                                       .arg(names.size())
                                       .arg(fields.size()),
                                   path, line,
                                   std::min<qint64>(names.size(), qint64(fields.size())) + 1);
        CsvIssue issue;
        const std::string_view name = fields[std::size_t(benchmarkColumn)];
        if (!checkName(name, "benchmark name", line, benchmarkColumn + 1, issue))
            return csvError(issue, path);
        const QString benchmark = toQString(name);
        if (benchmarkLines.contains(benchmark))
            return Error::badInput(QStringLiteral("duplicate benchmark %1 (first on line %2)")
                                       .arg(quoteForMessage(benchmark))
                                       .arg(benchmarkLines.value(benchmark)),
                                   path, line, benchmarkColumn + 1);
        benchmarkLines.insert(benchmark, line);
        errors.benchmarks.append(benchmark);
        errors.info.append(BenchmarkInfo {});
        std::vector<double> &row = rows.emplace_back();
        row.reserve(std::size_t(errors.llms.size()));
        for (qsizetype i = 0; i < names.size(); ++i) {
            if (i == benchmarkColumn)
                continue;
            double value = 0;
            if (parseCell(fields[std::size_t(i)], value) == CellKind::Invalid)
                return Error::badInput(invalidCellReason(fields[std::size_t(i)]), path, line,
                                       i + 1);
            row.push_back(value);  // raw values: LAMBADA perplexities stay perplexities
        }
    }
    if (reader.failed())
        return csvError(reader.issue(), path);
    if (rows.empty())
        return Error::badInput(QStringLiteral("no data rows: the file has only a header"), path,
                               header->line);
    errors.values.resize(Eigen::Index(rows.size()), Eigen::Index(errors.llms.size()));
    for (std::size_t b = 0; b < rows.size(); ++b) {
        for (std::size_t n = 0; n < rows[b].size(); ++n)
            errors.values(Eigen::Index(b), Eigen::Index(n)) = rows[b][n];
    }
    return errors;
}

}  // namespace

Result<BenchmarkErrors> loadBenchmarkErrors(const QString &path,
                                            const BenchmarkLoadOptions &options,
                                            const TaskControl &control)
{
    // A folder of lm-evaluation-harness results is fine; a FIFO or a device is refused before
    // anything opens it.
    if (Status usable = checkRegularFileOrDirectory(path); !usable)
        return usable.error();
    const QFileInfo info(path);
    if (fileKindOf(path) == FileKind::Directory)
        return loadLmEvalResults(path, options, control);
    MappedFile file;
    if (Status opened = file.open(path); !opened)
        return opened.error();
    const std::string_view text = file.text();
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    const bool looksLikeJson
        = info.suffix().compare(QLatin1String("json"), Qt::CaseInsensitive) == 0
        || (first != std::string_view::npos && text[first] == '{');
    if (looksLikeJson)
        return loadLmEvalResults(path, options, control);
    if (!options.metricOverrides.isEmpty())
        return Error::badInput(QStringLiteral("--metric applies to lm-evaluation-harness results; "
                                              "this is the perplexity-correlations CSV layout, "
                                              "whose values are errors already"),
                               path);
    return loadBenchmarkCsv(path, file);
}

}  // namespace pcs
