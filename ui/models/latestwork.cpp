#include "ui/models/latestwork.h"

#include <QCoreApplication>

namespace pcs {

QThreadPool *viewWorkPool()
{
    // Two threads: a table and a chart prepare at once after each run. Owned by the
    // application, whose destruction waits for work still running.
    static QThreadPool *pool = [] {
        auto *created = new QThreadPool(QCoreApplication::instance());
        created->setMaxThreadCount(2);
        created->setObjectName(QStringLiteral("viewWorkPool"));
        return created;
    }();
    return pool;
}

}  // namespace pcs
