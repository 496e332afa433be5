#pragma once

#include "core/common/result.h"
#include "core/io/outputpaths.h"

namespace pcs {

class QueueStore;

// What an export from a review queue must never replace: the database with the files SQLite
// keeps beside it, and every source file imported into the queue (QueueStore::status()).
Result<QList<NamedPath>> queueInputFiles(QueueStore &store);

}  // namespace pcs
