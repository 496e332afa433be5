#pragma once

// The SQL the parts of QueueStore share (internal to core/review/queue*.cpp): the item columns,
// the decisions derived from the thresholds, the query filters, and values at the boundary.
#include "review/queueitem.h"

#include <QString>
#include <QVariant>
#include <QVariantList>

#include <initializer_list>
#include <optional>

class QSqlQuery;

namespace pcs::queuesql {

// The FROM clause of every read that needs decisions: the items with the stored thresholds as
// t.filter_t and t.revise_t (one row), so that decisions are derived from the same snapshot.
QString itemsWithThresholds();
// The automatic decision ('keep', 'revise', 'filter'; NULL unless assessed) and the final one
// (the human decision when set), over itemsWithThresholds(): autoDecisionSql() of the rule.
QString autoDecision();
QString finalDecision();

// Every column rowToItem() reads, in its order, over itemsWithThresholds().
QString itemColumns();
QueueItem rowToItem(const QSqlQuery &query);

// The SQL of the sort key and the WHERE clause (with its binds) of a query's filters.
struct QueryParts {
    QString key;
    QString where = QStringLiteral("1");
    QVariantList binds;
};
QueryParts queryParts(const PageQuery &query);
// `range` on `column` as SQL conditions appended to `parts`.
void appendRange(QueryParts &parts, const QString &column, const ScoreRange &range);

// The SQL name of a state or decision, and back (unknown names read as none / pending).
QString stateSql(ItemState state);
QVariant decisionSql(std::optional<Decision> decision);
std::optional<Decision> decisionFromSql(const QVariant &value);

QString nowUtc();
QVariant nullable(const std::optional<double> &value);
QVariant nullable(const QString &text);
std::optional<double> optionalDouble(const QVariant &value);
bool allFinite(std::initializer_list<std::optional<double>> values);

}  // namespace pcs::queuesql
