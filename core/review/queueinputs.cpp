#include "core/review/queueinputs.h"

#include "core/review/queuestore.h"

#include <QJsonArray>
#include <QJsonObject>

namespace pcs {

Result<QList<NamedPath>> queueInputFiles(QueueStore &store)
{
    QList<NamedPath> inputs = sqliteFiles(store.path(), QStringLiteral("the review queue"));
    auto status = store.status();
    if (!status)
        return status.error();
    for (const QJsonValue &source : status->value(QStringLiteral("sources")).toArray())
        inputs << NamedPath { source.toObject().value(QStringLiteral("path")).toString(),
                              QStringLiteral("a source imported into the review queue") };
    return inputs;
}

}  // namespace pcs
