#include "core/selection/runreport.h"

#include "pcstudio_version.h"

#include <QDateTime>
#include <QFileInfo>

namespace pcs {

RunReport::RunReport(QString command)
    : m_command(std::move(command))
{
}

void RunReport::addInput(const InputFileInfo &input)
{
    m_inputs.append(input.toJson());
}

void RunReport::setParameter(const QString &name, const QJsonValue &value)
{
    m_parameters.insert(name, value);
}

void RunReport::setAlignment(const AlignedInputs &aligned)
{
    QJsonArray dropped;
    for (const DroppedLlm &llm : aligned.dropped) {
        QJsonObject entry { { QStringLiteral("name"), llm.name },
                            { QStringLiteral("reason"), llm.reason } };
        if (!llm.closest.isEmpty())
            entry.insert(QStringLiteral("closest"), QJsonArray::fromStringList(llm.closest));
        dropped.append(entry);
    }
    QJsonArray duplicates;
    for (const DuplicateLlms &pair : aligned.duplicates)
        duplicates.append(QJsonObject { { QStringLiteral("kept"), pair.kept },
                                        { QStringLiteral("other"), pair.other },
                                        { QStringLiteral("why"), pair.why },
                                        { QStringLiteral("other_dropped"), pair.otherDropped } });
    m_llms = QJsonObject { { QStringLiteral("used"), QJsonArray::fromStringList(aligned.llms) },
                           { QStringLiteral("dropped"), dropped },
                           { QStringLiteral("duplicates"), duplicates } };
    // Where a name of the benchmark file differs from the BPB name it was matched with.
    QJsonArray renamed;
    for (qsizetype i = 0; i < aligned.llms.size(); ++i)
        if (aligned.errorLlms.value(i) != aligned.llms[i])
            renamed.append(
                QJsonObject { { QStringLiteral("bpb"), aligned.llms[i] },
                              { QStringLiteral("errors"), aligned.errorLlms.value(i) } });
    if (!renamed.isEmpty())
        m_llms.insert(QStringLiteral("matched_names"), renamed);
    m_llmCount = aligned.llms.size();

    m_matching = QJsonObject { { QStringLiteral("mode"), llmMatchingName(aligned.matching) },
                               { QStringLiteral("dedupe_llms"), aligned.dedupeLlms },
                               { QStringLiteral("candidates"), double(aligned.candidateCount) } };
    if (!aligned.llmMapPath.isEmpty())
        m_matching.insert(QStringLiteral("llm_map"),
                          QFileInfo(aligned.llmMapPath).absoluteFilePath());
    m_benchmarks = {};
    for (const ChosenBenchmark &b : aligned.chosen) {
        QJsonObject entry = b.info.toJson();
        entry.insert(QStringLiteral("name"), b.name);
        entry.insert(QStringLiteral("llms_covered"), double(b.llmsCovered));
        entry.insert(QStringLiteral("averaged"), b.averaged);
        m_benchmarks.append(entry);
    }
    m_parameters.insert(QStringLiteral("benchmarks"),
                        QJsonArray::fromStringList(aligned.benchmarks));
    m_parameters.insert(QStringLiteral("benchmarks_chosen_by"),
                        aligned.benchmarksRequested ? QStringLiteral("request")
                                                    : QStringLiteral("default"));
    m_parameters.insert(QStringLiteral("benchmarks_requested"),
                        QJsonArray::fromStringList(aligned.benchmarksRequested ? aligned.benchmarks
                                                                               : QStringList()));
    m_parameters.insert(QStringLiteral("match"), llmMatchingName(aligned.matching));
    m_parameters.insert(QStringLiteral("dedupe_llms"), aligned.dedupeLlms);
    m_parameters.insert(QStringLiteral("combine"), combinationName(aligned.combination));
    m_parameters.insert(QStringLiteral("combine_formula"), combinationFormula(aligned.combination));
}

void RunReport::setFailure(const Error &error)
{
    m_error = QJsonObject { { QStringLiteral("reason"), error.reason },
                            { QStringLiteral("message"), error.toString() } };
    if (!error.file.isEmpty())
        m_error.insert(QStringLiteral("file"), error.file);
    if (error.line > 0)
        m_error.insert(QStringLiteral("line"), double(error.line));
    if (error.column > 0)
        m_error.insert(QStringLiteral("column"), double(error.column));
}

void RunReport::setTextCount(qint64 count)
{
    m_textCount = count;
}

void RunReport::addWarnings(const Warnings &warnings)
{
    for (const Error &warning : warnings)
        m_warnings.append(warning.toString());
}

void RunReport::setPhaseSeconds(const QString &phase, double seconds)
{
    m_timings.insert(phase, seconds);
}

void RunReport::setOutput(const QString &path)
{
    m_output = path == QLatin1String("-") ? path : QFileInfo(path).absoluteFilePath();
}

void RunReport::setSection(const QString &name, const QJsonValue &value)
{
    m_sections.insert(name, value);
}

QJsonObject RunReport::toJson() const
{
    QJsonObject report { { QStringLiteral("tool"), QStringLiteral("pcstudio") },
                         { QStringLiteral("version"), QStringLiteral(PCSTUDIO_VERSION) },
                         { QStringLiteral("command"), m_command },
                         { QStringLiteral("status"),
                           m_error.isEmpty() ? QStringLiteral("ok") : QStringLiteral("failed") },
                         { QStringLiteral("created_utc"),
                           QDateTime::currentDateTimeUtc().toString(Qt::ISODate) },
                         { QStringLiteral("inputs"), m_inputs },
                         { QStringLiteral("parameters"), m_parameters },
                         { QStringLiteral("warnings"), m_warnings },
                         { QStringLiteral("timings"), m_timings } };
    if (m_llmCount >= 0)
        report.insert(QStringLiteral("n_llms"), double(m_llmCount));
    if (m_textCount >= 0)
        report.insert(QStringLiteral("n_texts"), double(m_textCount));
    if (!m_error.isEmpty())
        report.insert(QStringLiteral("error"), m_error);
    if (!m_llms.isEmpty())
        report.insert(QStringLiteral("llms"), m_llms);
    if (!m_matching.isEmpty())
        report.insert(QStringLiteral("matching"), m_matching);
    if (!m_benchmarks.isEmpty())
        report.insert(QStringLiteral("benchmarks"), m_benchmarks);
    if (!m_output.isEmpty())
        report.insert(QStringLiteral("output"), m_output);
    for (auto it = m_sections.begin(); it != m_sections.end(); ++it)
        report.insert(it.key(), it.value());
    return report;
}

}  // namespace pcs
