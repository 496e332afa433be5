#pragma once

#include <QStringList>

namespace pcs::cli {

// Each takes its arguments with the command name first and returns the process exit code:
// 0 success, 2 bad input or usage, 1 internal error.
int runEstimateCommand(const QStringList &arguments);
int runProjectCommand(const QStringList &arguments);
int runSelectCommand(const QStringList &arguments);
int runValidateCommand(const QStringList &arguments);  // held-out-LLM validation
int runDemoCommand(const QStringList &arguments);
int runFilterCommand(const QStringList &arguments);  // filter train | filter apply
int runReviewCommand(const QStringList &arguments);  // review run | import | status | export |
                                                     // batch-export | batch-import
int runBpbCommand(const QStringList &arguments);  // bpb aggregate | bpb compute

// Dispatches `pcstudio-cli COMMAND ...` (arguments without the program name).
int runCli(const QStringList &arguments);

}  // namespace pcs::cli
