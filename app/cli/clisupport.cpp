#include "app/cli/clisupport.h"

#include "core/io/atomicwrite.h"

#include <QJsonDocument>

#include <cstdio>

namespace pcs::cli {

namespace {

void printLine(const QString &line)
{
    const QByteArray bytes = line.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
}

}  // namespace

int reportError(const Error &error)
{
    printLine(error.file.isEmpty() ? QStringLiteral("pcstudio-cli: ") + error.reason
                                   : error.toString());
    const bool machineOrOurs = error.kind == ErrorKind::Internal || error.kind == ErrorKind::Io;
    return machineOrOurs ? ExitInternal : ExitBadInput;
}

int usageError(const QString &message, const QString &command)
{
    printLine(
        QStringLiteral("pcstudio-cli %1: %2 (see pcstudio-cli %1 --help)").arg(command, message));
    return ExitBadInput;
}

void printWarnings(const Warnings &warnings)
{
    for (const Error &warning : warnings)
        printLine(QStringLiteral("warning: ") + warning.toString());
}

void printInfo(const QString &line)
{
    printLine(line);
}

bool parseOrExit(QCommandLineParser &parser, const QStringList &arguments, const QString &command,
                 const QString &description, int *exitCode, bool allowPositional)
{
    parser.setApplicationDescription(description);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption help({ QStringLiteral("h"), QStringLiteral("help") },
                                  QStringLiteral("Show this help."));
    parser.addOption(help);
    QStringList withProgram = arguments;
    withProgram[0] = QStringLiteral("pcstudio-cli ") + command;
    if (!parser.parse(withProgram)) {
        *exitCode = usageError(parser.errorText(), command);
        return true;
    }
    if (parser.isSet(help)) {
        const QByteArray text = parser.helpText().toUtf8();
        std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
        *exitCode = ExitOk;
        return true;
    }
    if (!allowPositional && !parser.positionalArguments().isEmpty()) {
        *exitCode = usageError(
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()),
            command);
        return true;
    }
    return false;
}

std::optional<int> intOption(const QCommandLineParser &parser, const QString &name, int fallback,
                             int minimum, const QString &command)
{
    if (!parser.isSet(name))
        return fallback;
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok || value < minimum) {
        usageError(QStringLiteral("--%1 needs a whole number ≥ %2, not '%3'")
                       .arg(name)
                       .arg(minimum)
                       .arg(parser.value(name)),
                   command);
        return std::nullopt;
    }
    return value;
}

std::optional<double> doubleOption(const QCommandLineParser &parser, const QString &name,
                                   const QString &command)
{
    bool ok = false;
    const double value = parser.value(name).toDouble(&ok);
    if (!ok) {
        usageError(QStringLiteral("--%1 needs a number, not '%2'").arg(name, parser.value(name)),
                   command);
        return std::nullopt;
    }
    return value;
}

QStringList listOption(const QCommandLineParser &parser, const QString &name)
{
    QStringList items;
    for (const QString &value : parser.values(name))
        for (const QString &item : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
            items << item.trimmed();
    return items;
}

std::optional<int> refuseOverwrites(const QList<NamedPath> &outputs, const QList<NamedPath> &inputs)
{
    if (Status distinct = checkOutputsAgainstInputs(outputs, inputs); !distinct)
        return reportError(distinct.error());
    return std::nullopt;
}

Status publishWithReport(OutputSet &outputs, const QString &reportPath, const QJsonObject &report)
{
    const QByteArray json = QJsonDocument(report).toJson(QJsonDocument::Indented);
    if (reportPath.isEmpty())
        return outputs.publish();
    if (outputs.isEmpty() || reportPath == QLatin1String("-")) {
        if (Status published = outputs.publish(); !published)
            return published;
        return writeAtomically(reportPath, json);
    }
    auto file = outputs.add(reportPath);
    if (!file) {
        outputs.discard();
        return file.error();
    }
    if (Status written = (*file)->write(json); !written) {
        outputs.discard();
        return written;
    }
    return outputs.publish();
}

double secondsSince(QElapsedTimer &timer)
{
    const double seconds = double(timer.nsecsElapsed()) * 1e-9;
    timer.restart();
    return seconds;
}

}  // namespace pcs::cli
