#include "core/review/calibrationinput.h"

#include "core/review/queueconnection.h"
#include "core/review/queuesql.h"
#include "core/review/sqlitesupport.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace pcs {

Result<std::vector<ScoredItem>> readScoredItems(QueueConnection &queue, ScoredItemScope scope,
                                                const TaskControl &control)
{
    // The human decisions are few: read them by their index. Without statistics SQLite would
    // walk the state index over every item instead (measured: 10x slower at 1M items), so the
    // state is kept out of the index choice ("+state") and the decisions named (an IN list is
    // what makes the partial index on human_decision win; the schema allows no other values).
    const QString where = scope == ScoredItemScope::HumanDecided
        ? QStringLiteral(
            "items.human_decision IN ('keep', 'revise', 'filter') AND +items.state = 'assessed'")
        : QStringLiteral("items.state = 'assessed'");
    QSqlQuery query(queue.database());
    query.setForwardOnly(true);
    if (!sqlite::execRetryingBusy(
            query,
            // The automatic decision is derived with the store's one rule from the stored
            // thresholds (schema 5 keeps no automatic decision per item).
            QStringLiteral("SELECT items.id, items.score, %1, items.human_decision FROM %2 "
                           "WHERE %3 AND items.score IS NOT NULL ORDER BY items.id")
                .arg(queuesql::autoDecision(), queuesql::itemsWithThresholds(), where))) {
        if (query.lastError().text().contains(QLatin1String("no such")))
            return Error::badInput(
                QStringLiteral("not a review queue (%1)").arg(query.lastError().databaseText()),
                queue.path());
        return sqlite::describeFailure(queue.database(), query.lastError(),
                                       QStringLiteral("reading the decisions"), queue.path());
    }
    std::vector<ScoredItem> items;
    constexpr qint64 kCancelCheckRows = 65536;
    while (query.next()) {
        if (qint64(items.size()) % kCancelCheckRows == 0 && control.isCanceled())
            return Error::canceled();
        ScoredItem item;
        item.id = query.value(0).toLongLong();
        item.score = query.value(1).toDouble();
        const auto automatic = decisionFromName(query.value(2).toString());
        if (!automatic)
            return Error::badInput(
                QStringLiteral("item %1 is assessed but has no known automatic decision ('%2')")
                    .arg(item.id)
                    .arg(query.value(2).toString()),
                queue.path());
        item.automatic = *automatic;
        if (!query.value(3).isNull()) {
            const auto human = decisionFromName(query.value(3).toString());
            if (!human)
                return Error::badInput(QStringLiteral("item %1 has an unknown human decision '%2'")
                                           .arg(item.id)
                                           .arg(query.value(3).toString()),
                                       queue.path());
            item.human = *human;
        }
        items.push_back(item);
    }
    if (query.lastError().isValid())
        return sqlite::describeFailure(queue.database(), query.lastError(),
                                       QStringLiteral("reading the decisions"), queue.path());
    return items;
}

std::vector<CalibrationRow> humanDecidedRows(const std::vector<ScoredItem> &items)
{
    std::vector<CalibrationRow> rows;
    for (const ScoredItem &item : items) {
        if (item.human)
            rows.push_back({ item.score, *item.human, item.automatic });
    }
    return rows;
}

}  // namespace pcs
