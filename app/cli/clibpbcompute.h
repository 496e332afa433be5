#pragma once

#include <QStringList>

namespace pcs::cli {

// `pcstudio-cli bpb compute ...`: arguments[0] is "compute".
int runBpbComputeCommand(const QStringList &arguments);

}  // namespace pcs::cli
