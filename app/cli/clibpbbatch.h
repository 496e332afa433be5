#pragma once

#include <QStringList>

namespace pcs::cli {

// `pcstudio-cli bpb batch-export ...` and `bpb batch-import ...`: arguments[0] is the subcommand.
int runBpbBatchExportCommand(const QStringList &arguments);
int runBpbBatchImportCommand(const QStringList &arguments);

}  // namespace pcs::cli
