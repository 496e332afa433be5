#include "selection/runreport.h"

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
    for (const DroppedLlm &llm : aligned.dropped)
        dropped.append(QJsonObject { { QStringLiteral("name"), llm.name },
                                     { QStringLiteral("reason"), llm.reason } });
    m_llms = QJsonObject { { QStringLiteral("used"), QJsonArray::fromStringList(aligned.llms) },
                           { QStringLiteral("dropped"), dropped } };
    m_llmCount = aligned.llms.size();
    m_parameters.insert(QStringLiteral("benchmarks"),
                        QJsonArray::fromStringList(aligned.benchmarks));
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

QJsonObject RunReport::toJson() const
{
    QJsonObject report { { QStringLiteral("tool"), QStringLiteral("pcstudio") },
                         { QStringLiteral("version"), QStringLiteral(PCSTUDIO_VERSION) },
                         { QStringLiteral("command"), m_command },
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
    if (!m_llms.isEmpty())
        report.insert(QStringLiteral("llms"), m_llms);
    if (!m_output.isEmpty())
        report.insert(QStringLiteral("output"), m_output);
    return report;
}

}  // namespace pcs
