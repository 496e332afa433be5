#pragma once

#include "core/common/result.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace pcs {

// A connection of its own to an existing review queue file (Qt Sql, QSQLITE), for the modules
// that keep tables of their own beside the queue's (the audit sample) and read it through an
// adapter (calibrationinput.h). Never creates a queue: QueueStore does that. One thread.
class QueueConnection {
public:
    // Errors: no such file, or a folder (BadInput); the driver or the file cannot be opened.
    static Result<std::unique_ptr<QueueConnection>> open(const QString &path);
    ~QueueConnection();
    QueueConnection(const QueueConnection &) = delete;
    QueueConnection &operator=(const QueueConnection &) = delete;

    QSqlDatabase &database() { return m_db; }
    const QString &path() const { return m_path; }

private:
    QueueConnection(QString path, QString connectionName);

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
};

}  // namespace pcs
