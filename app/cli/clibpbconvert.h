#pragma once

#include <QStringList>

namespace pcs::cli {

// `pcstudio-cli bpb convert ...`: arguments[0] is "convert".
int runBpbConvertCommand(const QStringList &arguments);

}  // namespace pcs::cli
