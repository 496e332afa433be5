// The sharded projection from the command line: the cut over every shard, then one shard's
// distribution from its own estimate file and the cut.
#include "app/cli/cliprojectshards.h"

#include "app/cli/clisupport.h"
#include "core/io/atomicwrite.h"
#include "core/io/fileinfo.h"
#include "core/selection/runreport.h"
#include "core/selection/shardedprojection.h"

#include <QFileInfo>
#include <QJsonDocument>

namespace pcs::cli {

namespace {

// Writes `table` (or the cut's JSON) and the report together.
int publish(const QString &output, const QString &reportPath,
            const std::function<void(const ByteSink &)> &produce, RunReport &report,
            const Warnings &warnings)
{
    OutputSet outputs;
    if (output == QLatin1String("-")) {
        if (Status written = writeAtomically(output, produce); !written)
            return reportError(written.error());
    } else {
        auto file = outputs.add(output);
        if (!file)
            return reportError(file.error());
        produce((*file)->sink());
        if (Status finished = (*file)->finish(); !finished)
            return reportError(finished.error());
    }
    printWarnings(warnings);
    report.addWarnings(warnings);
    if (Status published = publishWithReport(
            outputs, reportPath, reportPath.isEmpty() ? QJsonObject() : report.toJson());
        !published)
        return reportError(published.error());
    return ExitOk;
}

// The inputs that no output may replace: the estimates and the caps file.
std::optional<int> refuseOverwritingInputs(const QCommandLineParser &parser,
                                           const QStringList &extraInputs)
{
    QList<NamedPath> inputs;
    for (const QString &path : parser.values(QStringLiteral("estimate")))
        inputs << NamedPath { path, QStringLiteral("--estimate") };
    for (const QString &path : parser.values(QStringLiteral("estimate")))
        inputs << NamedPath { estimateShardInfoPath(path),
                              QStringLiteral("--estimate's shard description") };
    for (const QString &option :
         { QStringLiteral("tau"), QStringLiteral("token-counts"), QStringLiteral("cut") })
        inputs << NamedPath { parser.value(option), QStringLiteral("--") + option };
    for (const QString &path : extraInputs)
        inputs << NamedPath { path, QStringLiteral("a shard of the cut") };
    return refuseOverwrites(
        { { parser.value(QStringLiteral("output")), QStringLiteral("--output") },
          { parser.value(QStringLiteral("report")), QStringLiteral("--report") } },
        inputs);
}

}  // namespace

int runProjectionCut(const QCommandLineParser &parser, const TauSpec &tau, Projection projection,
                     const QString &command)
{
    if (parser.isSet(QStringLiteral("cut")))
        return usageError(
            QStringLiteral("--cut-only makes a cut; --cut uses one: give one of them"), command);
    if (const auto refused = refuseOverwritingInputs(parser, {}))
        return *refused;
    RunReport report(command);
    Warnings warnings;
    auto cut = computeProjectionCut(parser.values(QStringLiteral("estimate")), tau, projection,
                                    &warnings);
    if (!cut) {
        printWarnings(warnings);
        return reportError(cut.error());
    }
    printInfo(
        QStringLiteral("%1 cut over %2 shards, %3 texts: %4 get weight > 0%5")
            .arg(projectionName(projection))
            .arg(cut->shards.size())
            .arg(cut->textCount)
            .arg(cut->textsWithWeight)
            .arg(projection == Projection::Linear
                     ? QStringLiteral(" (at most %1 candidates held)").arg(cut->candidatesKept)
                     : QString()));
    report.setParameter(QStringLiteral("projection"), projectionName(projection));
    report.setParameter(QStringLiteral("cut_only"), true);
    report.setTextCount(cut->textCount);
    report.setOutput(parser.value(QStringLiteral("output")));
    const QByteArray json = QJsonDocument(cut->toJson()).toJson(QJsonDocument::Indented);
    return publish(
        parser.value(QStringLiteral("output")), parser.value(QStringLiteral("report")),
        [&](const ByteSink &sink) { sink(json.constData(), json.size()); }, report, warnings);
}

int runShardProjection(const QCommandLineParser &parser, const QString &command)
{
    const QStringList estimates = parser.values(QStringLiteral("estimate"));
    if (estimates.size() != 1)
        return usageError(QStringLiteral("--cut projects one shard: give its estimate file once "
                                         "(--estimate EI.csv)"),
                          command);
    const QString cutPath = parser.value(QStringLiteral("cut"));
    auto cut = readProjectionCut(cutPath);
    if (!cut)
        return reportError(cut.error());
    // Options given again must be the cut's: a cut made with other parameters is refused.
    const auto refuse = [&](const QString &what, const QString &here, const QString &there) {
        return reportError(Error::badInput(
            QStringLiteral("the cut was made with other parameters: %1 %2 here, %3 in the cut")
                .arg(what, here, there),
            cutPath));
    };
    if (parser.isSet(QStringLiteral("projection"))
        && parser.value(QStringLiteral("projection")) != projectionName(cut->projection))
        return refuse(QStringLiteral("--projection"), parser.value(QStringLiteral("projection")),
                      projectionName(cut->projection));
    if (parser.isSet(QStringLiteral("keep-ratio"))) {
        bool ok = false;
        const double ratio = parser.value(QStringLiteral("keep-ratio")).toDouble(&ok);
        if (!ok || cut->tau.source == TauSpec::Source::File || ratio != cut->tau.keepRatio)
            return refuse(
                QStringLiteral("--keep-ratio"), parser.value(QStringLiteral("keep-ratio")),
                cut->tau.source == TauSpec::Source::File
                    ? QStringLiteral("caps from --tau")
                    : QString::number(cut->tau.keepRatio, 'g', QLocale::FloatingPointShortest));
    }
    const QList<QPair<QString, TauSpec::Source>> capsOptions
        = { { QStringLiteral("token-counts"), TauSpec::Source::TokenCounts },
            { QStringLiteral("tau"), TauSpec::Source::File } };
    for (const auto &[option, source] : capsOptions) {
        if (!parser.isSet(option))
            continue;
        const QString given = parser.value(option);
        if (cut->tau.source != source)
            return refuse(QStringLiteral("--") + option, given,
                          QStringLiteral("caps from ")
                              + (cut->tau.source == TauSpec::Source::Uniform
                                     ? QStringLiteral("--keep-ratio alone")
                                     : cut->tau.path));
        auto described = describeInputFile(QStringLiteral("caps"), given);
        if (!described)
            return reportError(described.error());
        if (described->sha256 != cut->capsSha256)
            return refuse(QStringLiteral("--") + option, given + QStringLiteral(" (other content)"),
                          cut->tau.path);
        cut->tau.path = given;
    }
    QStringList shardPaths;
    for (const ShardFileRecord &shard : cut->shards)
        shardPaths << shard.path;
    if (const auto refused = refuseOverwritingInputs(parser, shardPaths))
        return *refused;

    RunReport report(command);
    Warnings warnings;
    auto table = projectShard(estimates.first(), *cut, &warnings);
    if (!table)
        return reportError(table.error());
    const qsizetype included = (table->weight.array() > 0.0).count();
    printInfo(QStringLiteral("%1 projection of shard %2: %3 of its %4 texts get weight > 0")
                  .arg(projectionName(cut->projection), QFileInfo(estimates.first()).fileName())
                  .arg(included)
                  .arg(table->texts.size()));
    report.setParameter(QStringLiteral("projection"), projectionName(cut->projection));
    report.setParameter(QStringLiteral("cut"), QFileInfo(cutPath).absoluteFilePath());
    report.setTextCount(table->texts.size());
    report.setOutput(parser.value(QStringLiteral("output")));
    const QString format = parser.value(QStringLiteral("format")).toLower();
    const bool json = format == QLatin1String("json")
        || (format.isEmpty()
            && parser.value(QStringLiteral("output"))
                   .endsWith(QLatin1String(".json"), Qt::CaseInsensitive));
    if (!format.isEmpty() && format != QLatin1String("csv") && format != QLatin1String("json"))
        return usageError(QStringLiteral("unknown format '%1'; choose csv or json").arg(format),
                          command);
    const QJsonObject metadata = report.toJson();
    return publish(
        parser.value(QStringLiteral("output")), parser.value(QStringLiteral("report")),
        [&](const ByteSink &sink) {
            // An empty shard (N > D) still has the distribution's header.
            if (table->texts.isEmpty() && !json) {
                const QByteArray header = "text,estimate,rank,tau,weight\n";
                sink(header.constData(), header.size());
                return;
            }
            formatSelectionTable(*table, json ? TableFormat::Json : TableFormat::Csv, metadata,
                                 sink);
        },
        report, warnings);
}

}  // namespace pcs::cli
