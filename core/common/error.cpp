#include "core/common/error.h"

namespace pcs {

QString Error::toString() const
{
    QString where = file;
    if (line > 0) {
        where += QLatin1Char(':') + QString::number(line);
        if (column > 0)
            where += QLatin1Char(':') + QString::number(column);
    }
    return where.isEmpty() ? reason : where + QStringLiteral(": ") + reason;
}

Error Error::badInput(QString reason, QString file, qint64 line, qint64 column)
{
    return Error { ErrorKind::BadInput, std::move(file), line, column, std::move(reason) };
}

Error Error::internal(QString reason, QString file)
{
    return Error { ErrorKind::Internal, std::move(file), 0, 0, std::move(reason) };
}

Error Error::io(QString reason, QString file)
{
    return Error { ErrorKind::Io, std::move(file), 0, 0, std::move(reason) };
}

Error Error::canceled()
{
    return Error { ErrorKind::Canceled, {}, 0, 0, QStringLiteral("canceled") };
}

}  // namespace pcs
