// estimate and select on a .npy or text-rows BPB matrix read in blocks (never whole in memory).
#include "app/cli/cliselectstream.h"

#include "app/cli/clisupport.h"
#include "app/cli/clitrust.h"
#include "core/common/parallel.h"
#include "core/io/atomicwrite.h"
#include "core/io/fileinfo.h"
#include "core/selection/estimateshards.h"
#include "core/selection/llmmatching.h"
#include "core/selection/runreport.h"
#include "core/selection/streamestimate.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>

namespace pcs::cli {

int runStreamedSelection(const StreamedSelection &run)
{
    RunReport report(run.command);
    Warnings warnings;
    OutputSet outputs;
    QElapsedTimer timer;
    timer.start();

    // Inputs are described from the hashes the read computed; the rest are hashed here.
    QList<InputFileInfo> described;
    bool inputsDescribed = false;
    auto describe
        = [&](const QString &role, const QString &path, const QString &knownHash) -> Status {
        if (path.isEmpty())
            return Done {};
        auto info = !run.hash || !knownHash.isEmpty()
            ? describeInputFileUnhashed(role, path, knownHash)
            : describeInputFile(role, path);
        if (!info)
            return info.error();
        report.addInput(*info);
        return Done {};
    };
    auto describeOthers = [&](bool mustDescribe) -> Status {
        inputsDescribed = true;
        QList<QPair<QString, QString>> inputs = { { QStringLiteral("errors"), run.errorsPath },
                                                  { QStringLiteral("llm_map"), run.llmMapPath } };
        for (const auto &[role, path] : run.otherInputs)
            inputs.append({ role, path });
        for (const auto &[role, path] : inputs) {
            if (Status done = describe(role, path, {}); !done && mustDescribe)
                return done;
        }
        return Done {};
    };
    // Publishing failed (a full disk, an input gone before it was hashed): the outputs and the
    // report are one set, so the old files stay as they were, the old report too.
    auto failPublishing = [&](const Error &error) {
        outputs.discard();
        printWarnings(warnings);
        return reportError(error);
    };
    auto fail = [&](const Error &error) {
        outputs.discard();
        printWarnings(warnings);
        const int failedCode = reportError(error);
        if (run.reportPath.isEmpty())
            return failedCode;
        report.setFailure(error);
        if (!inputsDescribed) {
            describe(QStringLiteral("bpb"), run.bpbPath, {});
            describeOthers(false);
        }
        report.addWarnings(warnings);
        OutputSet reportOnly;
        if (Status written = publishWithReport(reportOnly, run.reportPath, report.toJson());
            !written)
            reportError(written.error());
        return failedCode;
    };

    report.setParameter(QStringLiteral("estimator"), estimatorName(run.estimate.estimator));
    // Streamed runs never standardize (that needs the whole matrix): the raw estimator's caveat.
    noteEstimatorChoice(run.estimate.estimator, TrustSettings {}, report);
    report.setParameter(QStringLiteral("match"), llmMatchingName(run.align.matching));
    report.setParameter(QStringLiteral("combine"), combinationName(run.align.combination));
    report.setParameter(QStringLiteral("dedupe_llms"), run.align.dedupeLlms);
    report.setParameter(QStringLiteral("benchmarks_requested"),
                        QJsonArray::fromStringList(run.align.benchmarks));
    if (!run.metricOverrides.isEmpty())
        report.setParameter(QStringLiteral("metric_overrides"),
                            QJsonArray::fromStringList(run.metricOverrides));
    if (!run.hash)
        report.setParameter(QStringLiteral("hashes"), QStringLiteral("not computed (--no-hash)"));

    StreamEstimateOptions options;
    options.estimate = run.estimate;
    options.align = run.align;
    options.firstText = run.firstText;
    options.endText = run.endText;
    options.shard = run.shard;
    // The hashes only go into the report: without one, reading the matrix again for its SHA-256
    // (a C-order .npy is not read in file order) would be CPU spent for nothing.
    options.hash = run.hash && !run.reportPath.isEmpty();
    if (!run.llmMapPath.isEmpty()) {
        auto map = loadLlmMap(run.llmMapPath);
        if (!map)
            return fail(map.error());
        options.align.llmMap = std::move(map).value();
    }
    auto errors = loadBenchmarkErrors(run.errorsPath, run.errorsOptions);
    if (!errors)
        return fail(errors.error());
    warnings += errors->warnings;
    auto streamed = streamEstimate(run.bpbPath, run.bpbOptions, *errors, run.errorsPath, options);
    if (!streamed)
        return fail(streamed.error());
    // Opening (which reads and checks a text-rows file whole) is the load; the passes over the
    // matrix are the estimate. How many passes it took is a cost, reported beside the timings.
    const double streamSeconds = secondsSince(timer);
    report.setPhaseSeconds(QStringLiteral("load_s"), streamed->openSeconds);
    report.setPhaseSeconds(QStringLiteral("estimate_s"), streamSeconds - streamed->openSeconds);
    report.setPhaseSeconds(QStringLiteral("passes"), streamed->passes);
    warnings += streamed->warnings + streamed->aligned.warnings;
    report.setAlignment(streamed->aligned);
    report.setParameter(QStringLiteral("layout"), bpbLayoutName(streamed->layout));
    report.setParameter(QStringLiteral("threads"), resolveThreadCount(run.estimate.threads));
    EstimateShardInfo shardInfo;
    if (run.shard) {
        shardInfo.shard = *run.shard;
        shardInfo.texts = { streamed->firstText, streamed->firstText + streamed->texts.size() };
        shardInfo.textCount = streamed->totalTexts;
        shardInfo.estimator = estimatorName(run.estimate.estimator);
        shardInfo.bpbPath = QFileInfo(run.bpbPath).absoluteFilePath();
        shardInfo.bpbSizeBytes = QFileInfo(run.bpbPath).size();
        shardInfo.llmCount = streamed->aligned.llms.size();
        report.setParameter(QStringLiteral("shard"), shardInfo.toJson());
        printInfo(QStringLiteral("shard %1 of %2: texts [%3, %4) of %5")
                      .arg(run.shard->index)
                      .arg(run.shard->count)
                      .arg(shardInfo.texts.first)
                      .arg(shardInfo.texts.end)
                      .arg(shardInfo.textCount));
    } else if (run.firstText != 0 || run.endText >= 0)
        report.setParameter(QStringLiteral("text_range"),
                            QJsonArray { double(streamed->firstText),
                                         double(streamed->firstText + streamed->texts.size()) });
    const QList<DroppedLlm> &dropped = streamed->aligned.dropped;
    for (qsizetype i = 0; i < dropped.size() && i < 10; ++i)
        printInfo(QStringLiteral("dropped LLM %1: %2").arg(dropped[i].name, dropped[i].reason));
    if (dropped.size() > 10)
        printInfo(QStringLiteral("… and %1 more dropped LLMs (all are listed in --report)")
                      .arg(dropped.size() - 10));
    const qint64 textCount = streamed->texts.size();
    printInfo(QStringLiteral("%1: %2 LLMs used (matched by %3), %4 dropped; %5 texts; "
                             "%6 of benchmarks %7 (streamed, %8 pass(es))")
                  .arg(estimatorName(run.estimate.estimator))
                  .arg(streamed->aligned.llms.size())
                  .arg(llmMatchingName(run.align.matching))
                  .arg(dropped.size())
                  .arg(textCount)
                  .arg(combinationName(run.align.combination))
                  .arg(streamed->aligned.benchmarks.join(QLatin1Char('+')))
                  .arg(streamed->passes));
    report.setTextCount(textCount);

    // Ranks need every text: a shard's come from the projection of all shards (--cut).
    const Eigen::VectorXi rank = run.shard ? Eigen::VectorXi() : ranksDescending(streamed->values);
    Eigen::VectorXd tau, weight;
    if (!run.estimateOnly) {
        Result<Eigen::VectorXd> caps = run.tau.source == TauSpec::Source::Uniform
            ? uniformTau(textCount, run.tau.keepRatio)
            : resolveTau(streamed->texts.toList(), run.tau, &warnings);
        if (!caps)
            return fail(caps.error());
        tau = std::move(caps).value();
        auto projected = project(streamed->values, tau, run.projection);
        if (!projected)
            return fail(projected.error());
        weight = std::move(projected).value();
        report.setPhaseSeconds(QStringLiteral("project_s"), secondsSince(timer));
        report.setParameter(QStringLiteral("projection"), projectionName(run.projection));
        report.setParameter(QStringLiteral("tau_source"), tauSourceName(run.tau.source));
        if (run.tau.source != TauSpec::Source::File)
            report.setParameter(QStringLiteral("keep_ratio"), run.tau.keepRatio);
        printInfo(QStringLiteral("%1 projection: %2 of %3 texts get weight > 0")
                      .arg(projectionName(run.projection))
                      .arg((weight.array() > 0.0).count())
                      .arg(textCount));
    }

    report.setOutput(run.output);
    report.setParameter(QStringLiteral("format"),
                        run.format == TableFormat::Json ? QStringLiteral("json")
                                                        : QStringLiteral("csv"));
    const QJsonObject metadata = report.toJson();
    const auto write = [&](const ByteSink &sink) {
        return formatSelectionColumns(streamed->texts, streamed->values, rank, tau, weight,
                                      run.format, metadata, sink);
    };
    if (run.shard) {
        auto file = outputs.add(run.output);
        if (!file)
            return failPublishing(file.error());
        formatEstimateShard(streamed->texts.toList(), streamed->values, shardInfo.texts.first,
                            (*file)->sink());
        if (Status written = (*file)->finish(); !written)
            return failPublishing(written.error());
        auto info = outputs.add(estimateShardInfoPath(run.output));
        if (!info)
            return failPublishing(info.error());
        (*info)->write(QJsonDocument(shardInfo.toJson()).toJson(QJsonDocument::Indented));
        if (Status written = (*info)->finish(); !written)
            return failPublishing(written.error());
    } else if (run.output == QLatin1String("-")) {
        if (Status written
            = writeAtomically(run.output, [&](const ByteSink &sink) { write(sink); });
            !written)
            return failPublishing(written.error());
    } else {
        auto file = outputs.add(run.output);
        if (!file)
            return failPublishing(file.error());
        write((*file)->sink());
        if (Status written = (*file)->finish(); !written)
            return failPublishing(written.error());
    }
    report.setPhaseSeconds(QStringLiteral("write_s"), secondsSince(timer));
    printWarnings(warnings);

    QJsonObject reportJson;
    if (!run.reportPath.isEmpty()) {
        for (const auto &[role, path, hash] :
             { std::tuple { QStringLiteral("bpb"), run.bpbPath, streamed->bpbSha256 },
               std::tuple { QStringLiteral("texts"), streamed->textsPath, streamed->textsSha256 },
               std::tuple { QStringLiteral("llms"), streamed->llmsPath, streamed->llmsSha256 } }) {
            if (Status done = describe(role, path, hash); !done)
                return failPublishing(done.error());
        }
        if (Status done = describeOthers(true); !done)
            return failPublishing(done.error());
        report.setPhaseSeconds(QStringLiteral("hash_s"), secondsSince(timer));
        report.addWarnings(warnings);
        reportJson = report.toJson();
    }
    if (Status published = publishWithReport(outputs, run.reportPath, reportJson); !published)
        return reportError(published.error());
    return ExitOk;
}

}  // namespace pcs::cli
