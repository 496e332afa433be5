#pragma once

// The SQL the parts of QueueStore share (internal to core/review/queue*.cpp): the item columns,
// the decisions derived from the thresholds, the query filters, and values at the boundary.
#include "core/review/queueitem.h"

#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantList>

#include <initializer_list>
#include <optional>
#include <vector>

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

// The SQL of the sort key and the WHERE clause (with its binds) of a query's filters. A final
// decision filter is `arms`: conditions over (human_decision, state, score) whose union is the
// filter, each one range of the items_decided index in score order (so that a score-sorted page
// merges them instead of sorting), the thresholds bound as values.
struct FilterArm {
    QString where;
    QVariantList binds;
};
struct QueryParts {
    QString key;
    QString where = QStringLiteral("1");
    QVariantList binds;
    std::vector<FilterArm> arms;  // empty: no decision filter

    // where AND (the arms OR'ed): the whole filter, and its binds in order.
    QString filter() const;
    QVariantList filterBinds() const;
};
QueryParts queryParts(const PageQuery &query, const Thresholds &thresholds);
// The conditions whose union is "the final decision is `decision`" (none: no final decision).
std::vector<FilterArm> decisionArms(std::optional<Decision> decision, const Thresholds &thresholds);
// `range` on `column` as SQL conditions appended to `parts`.
void appendRange(QueryParts &parts, const QString &column, const ScoreRange &range);

// The SQL name of a state or decision, and back (unknown names read as none / pending).
QString stateSql(ItemState state);
QVariant decisionSql(std::optional<Decision> decision);
std::optional<Decision> decisionFromSql(const QVariant &value);

// The triggers that keep item_tallies, score_histogram, score_bands, scored_bands and
// fixed_bands exact row by row (their names, and the statements that create them). A bulk write
// pauses them inside its transaction and applies the same change in a few set-based statements
// (QueueStore::pauseTallyTriggers).
const QStringList &tallyTriggerNames();
QStringList createTallyTriggers();
// The integer band of a score (floor), as score_bands keys it.
QString scoreBandSql(const QString &score);

QString nowUtc();
QVariant nullable(const std::optional<double> &value);
QVariant nullable(const QString &text);
std::optional<double> optionalDouble(const QVariant &value);
bool allFinite(std::initializer_list<std::optional<double>> values);

}  // namespace pcs::queuesql
