#pragma once

#include "core/common/error.h"
#include "core/common/result.h"
#include "core/io/outputpaths.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace pcs {
class OutputSet;
}

namespace pcs::cli {

// ExitIncomplete: could not proceed, or did part of the work (e.g. another run holds the queue).
enum ExitCode { ExitOk = 0, ExitInternal = 1, ExitBadInput = 2, ExitIncomplete = 3 };

// Prints one line `FILE:LINE:COLUMN: reason` on stderr and returns the matching exit code.
int reportError(const Error &error);
// Prints a usage problem and returns 2.
int usageError(const QString &message, const QString &command);
void printWarnings(const Warnings &warnings);
void printInfo(const QString &line);  // a progress/summary line on stderr (stdout may be data)

// Parses arguments (argument 0 is the command name); prints --help and answers true with
// *exitCode set when the run is over (help shown or usage error).
// With `allowPositional`, arguments after the options are left in positionalArguments().
bool parseOrExit(QCommandLineParser &parser, const QStringList &arguments, const QString &command,
                 const QString &description, int *exitCode, bool allowPositional = false);

// Typed option values; return nullopt after printing a usage error.
std::optional<int> intOption(const QCommandLineParser &parser, const QString &name, int fallback,
                             int minimum, const QString &command);
std::optional<double> doubleOption(const QCommandLineParser &parser, const QString &name,
                                   const QString &command);

// Comma-separated list option, possibly given several times.
QStringList listOption(const QCommandLineParser &parser, const QString &name);

// Before any work: refuses outputs that would replace an input or each other
// (checkOutputsAgainstInputs). Returns the exit code (2) when refused, after printing why.
std::optional<int> refuseOverwrites(const QList<NamedPath> &outputs,
                                    const QList<NamedPath> &inputs);

// Publishes a command's files together with its JSON report at `reportPath` (none when empty):
// all of them or, after any failure, none, so a report never describes an output that was not
// written and a failure leaves the old files as they were. When the output went to standard
// output (`outputs` has no file), the report is written on its own, after it.
Status publishWithReport(OutputSet &outputs, const QString &reportPath, const QJsonObject &report);

// Seconds since `timer` started, restarting it: the length of one phase of a run.
double secondsSince(QElapsedTimer &timer);

}  // namespace pcs::cli
