#include "core/workspace/sessionexport.h"

#include "core/common/parallel.h"
#include "core/io/atomicwrite.h"
#include "core/io/fileinfo.h"
#include "core/io/filekind.h"
#include "core/io/outputpaths.h"
#include "core/selection/estimatorinfo.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>

namespace pcs {

Result<RunReport> reportForOutcome(const SelectionData &data, const SelectionOutcome &outcome,
                                   const TaskControl &control)
{
    RunReport report(QStringLiteral("pcstudio export"));
    const QList<QPair<QString, QString>> inputs
        = { { QStringLiteral("bpb"), data.paths.bpb },
            { QStringLiteral("errors"), data.paths.errors },
            { QStringLiteral("texts"), data.paths.bpbOptions.textsFile },
            { QStringLiteral("llms"), data.paths.bpbOptions.llmsFile },
            { QStringLiteral("llm_map"), outcome.parameters.llmMapPath },
            { QStringLiteral("token_counts"), data.paths.tokenCounts } };
    for (qsizetype index = 0; index < inputs.size(); ++index) {
        const auto &[role, path] = inputs[index];
        if (control.isCanceled())
            return Error::canceled();
        control.reportProgress(index, inputs.size() + 1);  // the last step is the writing
        if (path.isEmpty())
            continue;
        auto info = describeInputFile(role, path);
        if (!info)
            return info.error();
        report.addInput(*info);
    }
    const SelectionParameters &p = outcome.parameters;
    report.setAlignment(outcome.aligned);
    report.setTextCount(outcome.table.texts.size());
    report.setParameter(QStringLiteral("estimator"), estimatorName(p.estimator));
    report.setParameter(QStringLiteral("projection"), projectionName(p.projection));
    report.setParameter(QStringLiteral("layout"), bpbLayoutName(data.bpb->layout));
    report.setParameter(QStringLiteral("tau_source"),
                        tauSourceName(data.tokens.size() > 0 ? TauSpec::Source::TokenCounts
                                                             : TauSpec::Source::Uniform));
    report.setParameter(QStringLiteral("keep_ratio"), p.keepRatio);
    report.setParameter(QStringLiteral("threads"), resolveThreadCount(p.threads));
    // The app estimates on the raw BPB (no --standardize yet): say so, with the estimator's caveat.
    report.setParameter(QStringLiteral("standardize"), false);
    if (const QString caveat = estimatorWarning(p.estimator, false); !caveat.isEmpty())
        report.setSection(QStringLiteral("estimator_warning"), caveat);
    report.addWarnings(data.warnings + outcome.warnings);
    report.setPhaseSeconds(QStringLiteral("load_s"), data.loadSeconds);
    report.setPhaseSeconds(QStringLiteral("estimate_s"), outcome.estimateSeconds);
    report.setPhaseSeconds(QStringLiteral("project_s"), outcome.projectSeconds);
    return report;
}

QList<NamedPath> selectionInputFiles(const SelectionInputPaths &paths, const QString &llmMapPath)
{
    return { { paths.bpb, QStringLiteral("the BPB matrix") },
             { paths.errors, QStringLiteral("the benchmark errors") },
             { paths.bpbOptions.textsFile, QStringLiteral("the text names") },
             { paths.bpbOptions.llmsFile, QStringLiteral("the LLM names") },
             { paths.tokenCounts, QStringLiteral("the token counts") },
             { llmMapPath, QStringLiteral("the LLM map") } };
}

Status exportDistribution(const SelectionData &data, const SelectionOutcome &outcome,
                          const QString &path, const TaskControl &control)
{
    const QString manifestPath = path + QStringLiteral(".manifest.json");
    if (Status distinct
        = checkOutputsAgainstInputs({ { path, QStringLiteral("the distribution") },
                                      { manifestPath, QStringLiteral("its manifest") } },
                                    selectionInputFiles(data.paths, outcome.parameters.llmMapPath));
        !distinct)
        return distinct;
    auto report = reportForOutcome(data, outcome, control);
    if (!report)
        return report.error();
    report->setOutput(path);
    QElapsedTimer timer;
    timer.start();
    const TableFormat format = path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive)
        ? TableFormat::Json
        : TableFormat::Csv;
    // One set: a manifest never describes a distribution that was not written, nor the other way.
    OutputSet outputs;
    auto table = outputs.add(path);
    if (!table)
        return table.error();
    formatSelectionTable(outcome.table, format, report->toJson(), (*table)->sink());
    if (Status written = (*table)->finish(); !written)
        return written;
    report->setPhaseSeconds(QStringLiteral("write_s"), double(timer.nsecsElapsed()) * 1e-9);
    auto manifest = outputs.add(manifestPath);
    if (!manifest)
        return manifest.error();
    if (Status written
        = (*manifest)->write(QJsonDocument(report->toJson()).toJson(QJsonDocument::Indented));
        !written)
        return written;
    if (control.isCanceled())
        return Error::canceled();  // the last moment the old files can be kept
    return outputs.publish();
}

namespace {

QByteArray firstLine(const QString &path)
{
    if (!checkRegularFile(path))
        return {};  // a dropped FIFO or device is not opened: that could block or act on it
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readLine(64 * 1024).trimmed();
}

}  // namespace

bool looksLikeErrorsFile(const QString &path)
{
    if (path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive))
        return true;
    const QByteArray line = firstLine(path);
    return line.startsWith("benchmark,") || line.startsWith("benchmark\t")
        || line.startsWith("\"benchmark\"");
}

bool looksLikeTokenCounts(const QString &path)
{
    const QByteArray line = firstLine(path);
    return line.split(',').contains("tokens") || line.split('\t').contains("tokens");
}

}  // namespace pcs
