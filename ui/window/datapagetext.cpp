#include "ui/window/datapagetext.h"

#include <QCoreApplication>
#include <QFileInfo>

namespace pcs {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("pcs::DataPage", text);
}

QString matchedBy(LlmMatching matching, bool withMap)
{
    const QString by = matching == LlmMatching::HfId ? tr("Hugging Face id") : tr("exact name");
    return withMap ? tr("the map file, the rest by %1").arg(by) : by;
}

}  // namespace

QString combinationLabel(Combination combination)
{
    switch (combination) {
    case Combination::Mean:
        return tr("Mean");
    case Combination::RankMean:
        return tr("Rank mean");
    case Combination::ZMean:
        return tr("z-score mean");
    }
    return {};
}

QString combinationHelp(Combination combination)
{
    switch (combination) {
    case Combination::Mean:
        return tr("The mean of the errors, as the Python package does: for benchmarks on one "
                  "scale (error rates); a larger scale weighs more.");
    case Combination::RankMean:
        return tr("The mean of each benchmark's ranks among the LLMs used: every benchmark weighs "
                  "the same, whatever its scale or outliers.");
    case Combination::ZMean:
        return tr("The mean of each benchmark's z-scores (population sd): equal weights that keep "
                  "the distances; a benchmark without spread is left out.");
    }
    return {};
}

QString matchingHelp(LlmMatching matching, bool withMap)
{
    if (withMap)
        return tr("A CSV with columns bpb_name,errors_name says which is which; the names it "
                  "leaves out are matched as chosen before (exact name or Hugging Face id).");
    if (matching == LlmMatching::HfId)
        return tr("By the org/model part of names like ('family', 'org/model'), ignoring case; "
                  "a revision (@step1000) is part of the id.");
    return tr("By the names exactly as both files write them (as the Python package does).");
}

QString defaultSetHelp()
{
    return tr("Tick the benchmarks to combine. By default: those every matched LLM has, a group "
              "counted once by its own value, no metric of unknown direction, and error rates "
              "before perplexities.");
}

QString mapFileText(const QString &path, LlmMatching rest)
{
    if (path.isEmpty())
        return {};
    return tr("%1, the rest by %2").arg(QFileInfo(path).fileName(), matchedBy(rest, false));
}

QString metricText(const BenchmarkInfo &info)
{
    if (info.metric.isEmpty())
        return tr("error");  // the package's CSV: the values are errors already
    if (info.filter.isEmpty() || info.filter == QLatin1String("none"))
        return info.metric;
    return QStringLiteral("%1, %2").arg(info.metric, info.filter);
}

QString benchmarkToolTip(const QString &name, const BenchmarkInfo &info)
{
    QStringList lines { QStringLiteral("<b>%1</b>").arg(name.toHtmlEscaped()) };
    if (info.metric.isEmpty()) {
        lines << tr("The file's values are errors as they are.");
    } else {
        lines << tr("Metric: %1").arg(info.metric.toHtmlEscaped());
        if (!info.filter.isEmpty())
            lines << tr("Filter: %1").arg(info.filter.toHtmlEscaped());
        lines << tr("Error = %1 (v: the metric's value)").arg(errorMappingFormula(info.mapping));
        QString direction = info.higherIsBetter
            ? (*info.higherIsBetter ? tr("higher is better") : tr("lower is better"))
            : tr("unknown: left out of the default set");
        if (info.directionSource == QLatin1String("file"))
            direction += tr(", from the file");
        else if (info.directionSource == QLatin1String("table"))
            direction += tr(", from the table of lm-eval metrics");
        lines << tr("Direction: %1").arg(direction);
    }
    if (!info.group.isEmpty())
        lines << tr("Member of: %1").arg(info.group.toHtmlEscaped());
    if (info.isGroup)
        lines << tr("Group of: %1").arg(info.members.join(QStringLiteral(", ")).toHtmlEscaped());
    if (info.computed)
        lines << tr("Computed: the mean of its members' errors");
    if (!info.note.isEmpty())
        lines << info.note.toHtmlEscaped();
    return lines.join(QStringLiteral("<br>"));
}

QString dataSummaryText(const SelectionData &data, const SelectionOutcome *outcome)
{
    QString text = tr("<b>BPB matrix</b>: %1 layout, %2 LLMs × %3 texts (loaded in %4 s).<br>"
                      "<b>Benchmark errors</b>: %5 benchmarks for %6 LLMs.<br>")
                       .arg(bpbLayoutName(data.bpb->layout))
                       .arg(data.bpb->llms.size())
                       .arg(data.bpb->texts.size())
                       .arg(data.loadSeconds, 0, 'f', 2)
                       .arg(data.errors.benchmarks.size())
                       .arg(data.errors.llms.size());
    text += data.tokens.size() > 0 ? tr("<b>Caps</b>: from token counts.<br>")
                                   : tr("<b>Caps</b>: every text counts equally.<br>");
    Warnings warnings = data.warnings;
    if (outcome) {
        const AlignedInputs &a = outcome->aligned;
        text += tr("<b>Used</b>: %1 LLMs, matched by %2 and complete; %3 not used (listed "
                   "below).<br><b>Benchmark error</b>: %4 of %5 (%6).")
                    .arg(a.llms.size())
                    .arg(matchedBy(a.matching, !a.llmMapPath.isEmpty()))
                    .arg(a.dropped.size())
                    .arg(combinationLabel(a.combination).toLower())
                    .arg(a.benchmarks.join(QStringLiteral(", ")).toHtmlEscaped())
                    .arg(a.benchmarksRequested ? tr("as ticked") : tr("the default set"));
        warnings += outcome->warnings;
    }
    for (const Error &warning : warnings)
        text += QStringLiteral("<br><span style='color:#b9770e'>⚠ %1</span>")
                    .arg(warning.toString().toHtmlEscaped());
    return text;
}

QString errorText(const BenchmarkInfo &info)
{
    if (info.metric.isEmpty() && info.mapping == ErrorMapping::AsIs)
        return tr("as is");
    if (info.directionSource == QLatin1String("unknown"))
        return tr("v (direction?)");
    return errorMappingFormula(info.mapping);
}

QString duplicatesTitle(qsizetype count)
{
    return tr("Duplicates (%1): one model under two names?").arg(count);
}

QString notUsedTitle(const AlignedInputs &aligned)
{
    if (aligned.dropped.isEmpty())
        return tr("Every LLM of both files is used");
    return tr("Not used (%1 of the two files' names)").arg(aligned.dropped.size());
}

QString duplicateText(const DuplicateLlms &pair)
{
    return QStringLiteral("%1; %2").arg(
        pair.why, pair.otherDropped ? tr("only the first is used") : tr("both are used"));
}

}  // namespace pcs
