#pragma once

#include "core/common/error.h"
#include "core/io/fileinfo.h"
#include "core/selection/alignment.h"

#include <QJsonArray>
#include <QJsonObject>

namespace pcs {

// The provenance manifest of a run (CLI --report, the app's export manifest): version, status,
// the inputs with sizes and SHA-256, parameters, N and D, how the LLMs were matched (used,
// dropped with reasons and closest names, duplicates), each chosen benchmark (metric, filter,
// error mapping, direction source, group, LLMs covered) and how they were combined, warnings and
// the wall seconds of each phase. A failed run's report says "status": "failed" and the error.
class RunReport {
public:
    explicit RunReport(QString command);

    void addInput(const InputFileInfo &input);
    void setParameter(const QString &name, const QJsonValue &value);
    void setAlignment(const AlignedInputs &aligned);
    void setFailure(const Error &error);
    void setTextCount(qint64 count);
    void addWarnings(const Warnings &warnings);
    void setPhaseSeconds(const QString &phase, double seconds);  // "load_s", "estimate_s", ...
    void setOutput(const QString &path);
    // A top-level section with what a run found beyond its output ("bootstrap", "domains",
    // "estimator_warning"); setting a name again replaces it.
    void setSection(const QString &name, const QJsonValue &value);

    QJsonObject toJson() const;

private:
    QString m_command;
    QJsonArray m_inputs;
    QJsonObject m_parameters;
    QJsonObject m_llms;
    QJsonObject m_matching;
    QJsonArray m_benchmarks;
    QJsonObject m_error;  // empty = the run succeeded
    qint64 m_llmCount = -1;
    qint64 m_textCount = -1;
    QJsonArray m_warnings;
    QJsonObject m_timings;
    QString m_output;
    QJsonObject m_sections;
};

}  // namespace pcs
