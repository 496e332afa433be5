// QueueStore's writes of results and decisions: assessments, failures, revisions, human
// decisions one by one or in undoable batches, and the thresholds.
#include "core/review/queuesql.h"
#include "core/review/queuestore.h"
#include "core/review/sqlitesupport.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <cmath>

namespace pcs {

using namespace queuesql;

namespace {

// A decision as an SQL literal (a name from the enum, never user text), NULL for none.
QString decisionLiteral(std::optional<Decision> decision)
{
    return decision ? QStringLiteral("'%1'").arg(decisionName(*decision)) : QStringLiteral("NULL");
}

}  // namespace

Status QueueStore::applyDecisionTallies(qint64 step, const QString &newDecisionSql)
{
    // The items that change, read once: their state, score and human decision before and after.
    const QStringList statements {
        QStringLiteral("CREATE TEMP TABLE IF NOT EXISTS decision_changes (state TEXT, score REAL, "
                       "old TEXT, new TEXT)"),
        QStringLiteral("DELETE FROM temp.decision_changes"),
        QStringLiteral("INSERT INTO temp.decision_changes SELECT i.state, i.score, "
                       "i.human_decision, %2 FROM undo_items AS u JOIN items AS i ON i.id = u.id "
                       "WHERE u.step = %1 AND i.human_decision IS NOT %2")
            .arg(step)
            .arg(newDecisionSql),
        // "human_<decision>": one less of the old decision, one more of the new.
        QStringLiteral("INSERT INTO item_tallies (name, items) SELECT name, sum(delta) FROM ("
                       "SELECT 'human_' || old AS name, -1 AS delta FROM temp.decision_changes "
                       "WHERE old IS NOT NULL UNION ALL SELECT 'human_' || new, 1 FROM "
                       "temp.decision_changes WHERE new IS NOT NULL) WHERE true GROUP BY name "
                       "ON CONFLICT (name) DO UPDATE SET items = items + excluded.items"),
        // The derived items (assessed, scored, no human decision): those decided leave the
        // histogram and bands, those cleared join them.
        QStringLiteral("INSERT INTO score_histogram (score, items) SELECT score, "
                       "sum(CASE WHEN old IS NULL THEN -1 ELSE 1 END) FROM temp.decision_changes "
                       "WHERE state = 'assessed' AND score IS NOT NULL AND (old IS NULL) <> "
                       "(new IS NULL) GROUP BY score "
                       "ON CONFLICT (score) DO UPDATE SET items = items + excluded.items"),
        QStringLiteral("DELETE FROM score_histogram WHERE items <= 0"),
        QStringLiteral("INSERT INTO score_bands (band, items) SELECT %1 AS band, "
                       "sum(CASE WHEN old IS NULL THEN -1 ELSE 1 END) FROM temp.decision_changes "
                       "WHERE state = 'assessed' AND score IS NOT NULL AND (old IS NULL) <> "
                       "(new IS NULL) GROUP BY band "
                       "ON CONFLICT (band) DO UPDATE SET items = items + excluded.items")
            .arg(scoreBandSql(QStringLiteral("score"))),
        // fixed_bands: the items whose decision was not derived leave their old row, those whose
        // decision is not derived now join their new one.
        QStringLiteral(
            "INSERT INTO fixed_bands (decision, state, scored, band, items) SELECT decision, "
            "state, scored, band, sum(delta) FROM (SELECT coalesce(old, '') AS decision, state, "
            "score IS NOT NULL AS scored, coalesce(%1, 0) AS band, -1 AS delta FROM "
            "temp.decision_changes WHERE NOT (state = 'assessed' AND old IS NULL AND score IS "
            "NOT NULL) UNION ALL SELECT coalesce(new, ''), state, score IS NOT NULL, "
            "coalesce(%1, 0), 1 FROM temp.decision_changes WHERE NOT (state = 'assessed' AND "
            "new IS NULL AND score IS NOT NULL)) WHERE true GROUP BY decision, state, scored, "
            "band ON CONFLICT (decision, state, scored, band) DO UPDATE SET items = items + "
            "excluded.items")
            .arg(scoreBandSql(QStringLiteral("score"))),
        QStringLiteral("DELETE FROM temp.decision_changes"),
    };
    for (const QString &statement : statements)
        if (Status done = exec(statement); !done)
            return done;
    return Done {};
}

Status QueueStore::recordAssessment(qint64 id, const AssessmentRecord &assessment)
{
    if (!std::isfinite(assessment.score)
        || !allFinite({ assessment.llmScore, assessment.logprobCoverage, assessment.ruleScore,
                        assessment.fastTextScore }))
        return Error::badInput(
            QStringLiteral("item %1: assessment scores must be finite numbers").arg(id), m_path);
    QSqlQuery &query = *m_recordAssessment;
    int position = 0;
    query.bindValue(position++, nullable(assessment.llmScore));
    query.bindValue(position++, assessment.llmReasoning);
    query.bindValue(position++, nullable(assessment.logprobCoverage));
    query.bindValue(position++, nullable(assessment.ruleScore));
    query.bindValue(position++, nullable(assessment.fastTextScore));
    query.bindValue(position++, assessment.score);
    query.bindValue(position++, assessment.attempts);
    query.bindValue(position++, nowUtc());
    query.bindValue(position++, nullable(assessment.requestId));
    query.bindValue(position++, nullable(assessment.logprobStatus));
    query.bindValue(position++, nullable(assessment.logprobNote));
    query.bindValue(position++, id);
    // Autocommit: the statement is its own transaction, durable when exec returns.
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("recording the assessment of item %1").arg(id), query);
    return requireChanged(query, id);
}

Status QueueStore::recordError(qint64 id, const QString &errorCode, const QString &message,
                               int attempts, const QString &requestId)
{
    QSqlQuery query(m_db);
    // A failed assessment has no score and so no automatic decision (never a silent "keep").
    if (!query.prepare(QStringLiteral(
            "UPDATE items SET state = 'error', error_code = ?, error = ?, attempts = ?, "
            "request_id = ?, logprob_status = NULL, logprob_note = NULL, "
            "assessed_at = ?, score = NULL, claimed_by = NULL, "
            "claimed_at = NULL WHERE id = ?")))
        return databaseError(QStringLiteral("preparing a statement"), query);
    query.addBindValue(errorCode.isEmpty() ? QStringLiteral("error") : errorCode);
    query.addBindValue(message);
    query.addBindValue(attempts);
    query.addBindValue(nullable(requestId));
    query.addBindValue(nowUtc());
    query.addBindValue(id);
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("recording the error of item %1").arg(id), query);
    return requireChanged(query, id);
}

Status QueueStore::recordRevision(qint64 id, const QString &revisedText,
                                  std::optional<double> revisedScore, const QString &critique)
{
    if (!allFinite({ revisedScore }))
        return Error::badInput(QStringLiteral("item %1: the revised score must be finite").arg(id),
                               m_path);
    QSqlQuery query(m_db);
    if (!query.prepare(QStringLiteral("UPDATE items SET revised_text = ?, revised_score = ?, "
                                      "revision_critique = ? WHERE id = ?")))
        return databaseError(QStringLiteral("preparing a statement"), query);
    query.addBindValue(nullable(revisedText));
    query.addBindValue(nullable(revisedScore));
    query.addBindValue(nullable(critique));
    query.addBindValue(id);
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("recording the revision of item %1").arg(id), query);
    return requireChanged(query, id);
}

Status QueueStore::setHumanDecision(qint64 id, std::optional<Decision> decision,
                                    const QString &editedText)
{
    QSqlQuery query(m_db);
    if (!query.prepare(QStringLiteral(
            "UPDATE items SET human_decision = ?, edited_text = ?, decided_at = ? WHERE id = ?")))
        return databaseError(QStringLiteral("preparing a statement"), query);
    query.addBindValue(decisionSql(decision));
    query.addBindValue(decision ? nullable(editedText) : QVariant());
    query.addBindValue(decision ? QVariant(nowUtc()) : QVariant());
    query.addBindValue(id);
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("recording the decision on item %1").arg(id), query);
    return requireChanged(query, id);
}

Status QueueStore::setThresholds(double filter, double revise)
{
    if (Status valid = Thresholds { filter, revise }.validate(); !valid)
        return valid.error();
    // One row: every automatic decision is derived from it when read.
    QSqlQuery query(m_db);
    if (!query.prepare(QStringLiteral(
            "UPDATE settings SET filter_threshold = ?, revise_threshold = ? WHERE id = 1")))
        return databaseError(QStringLiteral("preparing a statement"), query);
    query.addBindValue(filter);
    query.addBindValue(revise);
    if (!sqlite::execRetryingBusy(query))
        return databaseError(QStringLiteral("changing the thresholds"), query);
    return Done {};
}

Result<Thresholds> QueueStore::thresholds()
{
    QSqlQuery query(m_db);
    if (!sqlite::execRetryingBusy(
            query,
            QStringLiteral("SELECT filter_threshold, revise_threshold FROM settings WHERE id = 1"))
        || !query.next())
        return databaseError(QStringLiteral("reading the thresholds"), query);
    return Thresholds { query.value(0).toDouble(), query.value(1).toDouble() };
}

Status QueueStore::resetErrors()
{
    QSqlQuery query(m_db);
    if (!sqlite::execRetryingBusy(query,
                                  QStringLiteral("UPDATE items SET state = 'pending', "
                                                 "error = NULL, error_code = NULL "
                                                 "WHERE state = 'error'")))
        return databaseError(QStringLiteral("resetting the failed items"), query);
    return Done {};
}

Result<DecisionBatch> QueueStore::decideMatching(const PageQuery &filter,
                                                 std::optional<Decision> decision)
{
    sqlite::Transaction transaction(m_db, m_path);
    if (Status begun = transaction.begin(); !begun)
        return begun.error();
    auto limits = thresholds();
    if (!limits)
        return limits.error();
    const QueryParts parts = queryParts(filter, *limits);
    QSqlQuery query(m_db);
    if (!query.prepare(QStringLiteral("INSERT INTO undo_steps (label, created_at) VALUES (?, ?)")))
        return databaseError(QStringLiteral("preparing a statement"), query);
    query.addBindValue(decision ? decisionName(*decision) : QStringLiteral("clear"));
    query.addBindValue(nowUtc());
    if (!query.exec())
        return databaseError(QStringLiteral("recording an undo step"), query);
    DecisionBatch batch;
    batch.undoStep = query.lastInsertId().toLongLong();
    // The decisions as they were, of exactly the items this batch changes.
    if (!query.prepare(
            QStringLiteral("INSERT INTO undo_items (step, id, human_decision, edited_text, "
                           "decided_at) SELECT ?, items.id, items.human_decision, "
                           "items.edited_text, items.decided_at FROM items WHERE %1 AND "
                           "items.human_decision IS NOT ? ORDER BY items.id")
                .arg(parts.filter())))
        return databaseError(QStringLiteral("preparing a statement"), query);
    query.addBindValue(batch.undoStep);
    for (const QVariant &bind : parts.filterBinds())
        query.addBindValue(bind);
    query.addBindValue(decisionSql(decision));
    if (!query.exec())
        return databaseError(QStringLiteral("recording the decisions to undo"), query);
    batch.changed = query.numRowsAffected();
    if (batch.changed == 0)
        return DecisionBatch {};  // nothing to change: no step (rolled back)
    // The tallies in a few set-based statements, not row by row in the triggers.
    if (Status paused = pauseTallyTriggers(); !paused)
        return paused.error();
    if (Status tallied = applyDecisionTallies(batch.undoStep, decisionLiteral(decision)); !tallied)
        return tallied.error();
    // The change itself: one statement.
    if (!query.prepare(QStringLiteral(
            "UPDATE items SET human_decision = ?, edited_text = CASE WHEN ? IS NULL THEN NULL "
            "ELSE edited_text END, decided_at = ? WHERE id IN (SELECT id FROM undo_items WHERE "
            "step = ?)")))
        return databaseError(QStringLiteral("preparing a statement"), query);
    query.addBindValue(decisionSql(decision));
    query.addBindValue(decisionSql(decision));
    query.addBindValue(decision ? QVariant(nowUtc()) : QVariant());
    query.addBindValue(batch.undoStep);
    if (!query.exec())
        return databaseError(QStringLiteral("recording the decisions"), query);
    if (Status resumed = resumeTallyTriggers(); !resumed)
        return resumed.error();
    // Only the latest steps can be undone.
    if (!query.prepare(QStringLiteral("DELETE FROM undo_items WHERE step <= ?")))
        return databaseError(QStringLiteral("preparing a statement"), query);
    query.addBindValue(batch.undoStep - kUndoSteps);
    if (!query.exec())
        return databaseError(QStringLiteral("forgetting old undo steps"), query);
    if (!query.prepare(QStringLiteral("DELETE FROM undo_steps WHERE step <= ?")))
        return databaseError(QStringLiteral("preparing a statement"), query);
    query.addBindValue(batch.undoStep - kUndoSteps);
    if (!query.exec())
        return databaseError(QStringLiteral("forgetting old undo steps"), query);
    if (Status committed = transaction.commit(); !committed)
        return committed.error();
    return batch;
}

Result<DecisionBatch> QueueStore::acceptBelow(double score)
{
    if (!std::isfinite(score))
        return Error::badInput(QStringLiteral("the score bound must be a finite number"));
    PageQuery filter;
    filter.state = ItemState::Assessed;
    filter.withoutHumanDecision = true;
    filter.scores = ScoreRange::below(score);
    return decideMatching(filter, Decision::Keep);
}

Result<DecisionBatch> QueueStore::filterAbove(double score)
{
    if (!std::isfinite(score))
        return Error::badInput(QStringLiteral("the score bound must be a finite number"));
    PageQuery filter;
    filter.state = ItemState::Assessed;
    filter.withoutHumanDecision = true;
    filter.scores = ScoreRange::above(score);
    return decideMatching(filter, Decision::Filter);
}

Status QueueStore::undoDecisions(qint64 undoStep)
{
    sqlite::Transaction transaction(m_db, m_path);
    if (Status begun = transaction.begin(); !begun)
        return begun;
    QSqlQuery query(m_db);
    if (!query.prepare(QStringLiteral("DELETE FROM undo_steps WHERE step = ?")))
        return databaseError(QStringLiteral("preparing a statement"), query);
    query.addBindValue(undoStep);
    if (!query.exec())
        return databaseError(QStringLiteral("reading the undo step"), query);
    if (query.numRowsAffected() < 1)
        return Error::badInput(
            QStringLiteral("no undo step %1 in the queue (undone already, or too old)")
                .arg(undoStep),
            m_path);
    if (Status paused = pauseTallyTriggers(); !paused)
        return paused;
    if (Status tallied = applyDecisionTallies(undoStep, QStringLiteral("u.human_decision"));
        !tallied)
        return tallied;
    if (!query.prepare(QStringLiteral(
            "UPDATE items SET human_decision = u.human_decision, edited_text = u.edited_text, "
            "decided_at = u.decided_at FROM undo_items AS u WHERE u.step = ? AND items.id = u.id")))
        return databaseError(QStringLiteral("preparing a statement"), query);
    query.addBindValue(undoStep);
    if (!query.exec())
        return databaseError(QStringLiteral("undoing the decisions"), query);
    if (Status resumed = resumeTallyTriggers(); !resumed)
        return resumed;
    if (!query.prepare(QStringLiteral("DELETE FROM undo_items WHERE step = ?")))
        return databaseError(QStringLiteral("preparing a statement"), query);
    query.addBindValue(undoStep);
    if (!query.exec())
        return databaseError(QStringLiteral("forgetting the undo step"), query);
    return transaction.commit();
}

Status QueueStore::restoreHumanDecisions(const std::vector<QueueItem> &before)
{
    sqlite::Transaction transaction(m_db, m_path);
    if (Status begun = transaction.begin(); !begun)
        return begun.error();
    QSqlQuery query(m_db);
    if (!query.prepare(QStringLiteral(
            "UPDATE items SET human_decision = ?, edited_text = ?, decided_at = ? WHERE id = ?")))
        return databaseError(QStringLiteral("preparing a statement"), query);
    for (const QueueItem &item : before) {
        query.bindValue(0, decisionSql(item.humanDecision));
        query.bindValue(1, nullable(item.editedText));
        query.bindValue(2, nullable(item.decidedAt));
        query.bindValue(3, item.id);
        if (!query.exec() || query.numRowsAffected() < 1) {
            const Error error = query.lastError().isValid()
                ? databaseError(QStringLiteral("restoring the decision on item %1").arg(item.id),
                                query)
                : Error::badInput(QStringLiteral("the review queue has no item %1").arg(item.id),
                                  m_path);
            return error;
        }
    }
    return transaction.commit();
}

}  // namespace pcs
