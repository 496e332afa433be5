#include "ui/review/reviewactions.h"

#include "core/workspace/reviewsession.h"
#include "ui/review/reviewcommands.h"
#include "ui/review/reviewdetailpane.h"
#include "ui/review/reviewqueuemodel.h"
#include "ui/review/reviewqueuepanel.h"

#include <QAction>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QToolButton>
#include <QUndoStack>
#include <QWidget>

namespace pcs {

ReviewActions::ReviewActions(ReviewSession *session, ReviewQueuePanel *queue, QWidget *host)
    : QObject(host)
    , m_session(session)
    , m_queue(queue)
    , m_host(host)
    , m_undo(new QUndoStack(this))
    , m_confirm([host](const QString &title, const QString &question) {
        return QMessageBox::question(host, title, question, QMessageBox::Yes | QMessageBox::No,
                                     QMessageBox::Yes)
            == QMessageBox::Yes;
    })
{
    addItemAction(tr("Accept"), QKeySequence(Qt::Key_A), tr("Keep this text"), "reviewAcceptAction",
                  [this] { acceptCurrent(); });
    addItemAction(tr("Filter"), QKeySequence(Qt::Key_F), tr("Drop this text"), "reviewFilterAction",
                  [this] { filterCurrent(); });
    addItemAction(tr("Accept revision"), QKeySequence(Qt::Key_R),
                  tr("Keep the rewrite (offers to ask for one when there is none)"),
                  "reviewAcceptRevisionAction", [this] { acceptRevisionCurrent(); });
    addItemAction(tr("Edit"), QKeySequence(Qt::Key_E), tr("Write the text yourself"),
                  "reviewEditAction", [this] { editCurrent(); });
    addItemAction(tr("Request revision"), QKeySequence(Qt::SHIFT | Qt::Key_R),
                  tr("Ask the LLM for a (new) rewrite"), "reviewRequestRevisionAction",
                  [this] { requestRevisionCurrent(); });
    addItemAction(tr("Re-assess"), QKeySequence(Qt::SHIFT | Qt::Key_A),
                  tr("Send this text to the assessor again"), "reviewReassessAction",
                  [this] { reassessCurrent(); });

    const auto navigation = [this](const QString &text, Qt::Key key, const char *name,
                                   void (ReviewQueuePanel::*slot)()) {
        auto *action = new QAction(text, m_host);
        action->setObjectName(QString::fromLatin1(name));
        action->setShortcut(QKeySequence(key));
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, m_queue, slot);
        m_host->addAction(action);
    };
    navigation(tr("Next"), Qt::Key_J, "reviewNextAction", &ReviewQueuePanel::nextRow);
    navigation(tr("Previous"), Qt::Key_K, "reviewPreviousAction", &ReviewQueuePanel::previousRow);

    QAction *undo = m_undo->createUndoAction(m_host, tr("Undo"));
    undo->setObjectName(QStringLiteral("reviewUndoAction"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_undo->createRedoAction(m_host, tr("Redo"));
    redo->setObjectName(QStringLiteral("reviewRedoAction"));
    redo->setShortcuts(
        { QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y) });
    for (QAction *action : { undo, redo }) {
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        m_host->addAction(action);
        m_toolbarActions << action;
    }
}

QAction *ReviewActions::addItemAction(const QString &text, const QKeySequence &key,
                                      const QString &tip, const char *name,
                                      std::function<void()> slot)
{
    auto *action = new QAction(text, m_host);
    action->setObjectName(QString::fromLatin1(name));
    action->setShortcut(key);
    action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    action->setToolTip(QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
    connect(action, &QAction::triggered, this, std::move(slot));
    m_host->addAction(action);
    m_itemActions << action;
    m_toolbarActions << action;
    return action;
}

QWidget *ReviewActions::createToolbar()
{
    auto *toolbar = new QWidget;
    auto *layout = new QHBoxLayout(toolbar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    for (QAction *action : std::as_const(m_toolbarActions)) {
        if (action == m_toolbarActions.value(m_itemActions.size()))
            layout->addSpacing(12);  // undo/redo apart from the item actions
        auto *button = new QToolButton;
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        layout->addWidget(button);
    }
    layout->addStretch(1);
    auto *hint = new QLabel(tr("J/K next/previous"));
    hint->setEnabled(false);
    layout->addWidget(hint);
    return toolbar;
}

void ReviewActions::updateEnabled(bool projectOpen)
{
    const bool hasItem = m_queue->currentRow() >= 0;
    for (QAction *action : std::as_const(m_itemActions))
        action->setEnabled(projectOpen && hasItem);
}

QString ReviewActions::itemName(qint64 id) const
{
    const int row = m_queue->model()->rowOfId(id);
    const auto item = row >= 0 ? m_queue->model()->itemAt(row) : std::nullopt;
    return item ? displayedId(*item) : QString::number(id);
}

Status ReviewActions::fail(const Error &error)
{
    Q_EMIT failed(error);
    return error;
}

void ReviewActions::changed(const std::vector<qint64> &ids, bool undone, const QString &failure)
{
    m_queue->refreshItems(ids);
    if (!failure.isEmpty()) {
        fail(Error::internal(undone ? tr("undo failed: %1").arg(failure)
                                    : tr("redo failed: %1").arg(failure)));
        return;
    }
    // Back to what was undone, so the reviewer sees it and can decide again.
    if (undone && !ids.empty())
        m_queue->selectItem(ids.front());
}

void ReviewActions::pushDecision(const QString &text,
                                 std::function<Result<std::vector<QueueItem>>()> apply,
                                 std::vector<QueueItem> before)
{
    m_undo->push(new ReviewDecisionCommand(
        m_session, text, std::move(apply), std::move(before),
        [this](const std::vector<qint64> &ids, bool undone, const QString &failure) {
            changed(ids, undone, failure);
        }));
}

bool ReviewActions::decideItem(qint64 id, const QString &decision, const QString &editedText)
{
    if (!m_session->isOpen() || id < 0)
        return false;
    const int currentRow = m_queue->currentRow();
    const bool onCurrent = currentRow >= 0 && m_queue->currentItemId() == id;
    const QString name = itemName(id);
    auto before = m_session->setHumanDecision(id, decisionFromName(decision), editedText);
    if (!before) {
        fail(before.error());
        return false;
    }
    Q_EMIT succeeded();
    const QString verb = editedText.isEmpty() ? decision : tr("edit");
    ReviewSession *session = m_session;
    pushDecision(tr("%1 item %2").arg(verb, name),
                 [session, id, decision, editedText]() -> Result<std::vector<QueueItem>> {
                     auto previous
                         = session->setHumanDecision(id, decisionFromName(decision), editedText);
                     if (!previous)
                         return previous.error();
                     return std::vector<QueueItem> { *previous };
                 },
                 { *before });
    m_queue->refreshItems({ id });
    if (onCurrent)
        m_queue->selectNextUndecided(currentRow);
    return true;
}

bool ReviewActions::acceptCurrent()
{
    return decideItem(m_queue->currentItemId(), QStringLiteral("keep"));
}

bool ReviewActions::filterCurrent()
{
    return decideItem(m_queue->currentItemId(), QStringLiteral("filter"));
}

bool ReviewActions::acceptRevisionCurrent()
{
    const auto item = m_queue->currentItem();
    if (!item)
        return false;
    if (!item->revisedText.isEmpty() || !item->editedText.isEmpty())
        return decideItem(item->id, QStringLiteral("revise"), item->editedText);
    // A request costs money and time: never sent without asking.
    if (!m_confirm(tr("Request a Revision"),
                   tr("Item %1 has no revision yet. Ask the LLM for a rewrite now?")
                       .arg(displayedId(*item))))
        return false;
    return requestRevisionCurrent();
}

bool ReviewActions::editCurrent()
{
    if (!m_queue->currentItem())
        return false;
    m_queue->detailPane()->startEditing();
    return true;
}

bool ReviewActions::requestRevisionCurrent()
{
    const qint64 id = m_queue->currentItemId();
    if (id < 0)
        return false;
    if (m_prepare)
        if (Status prepared = m_prepare(); !prepared)
            return false;
    if (Status requested = m_session->requestRevision(id); !requested) {
        fail(requested.error());
        return false;
    }
    Q_EMIT succeeded();
    Q_EMIT statusChanged(tr("Asked for a rewrite of item %1…").arg(itemName(id)));
    return true;
}

bool ReviewActions::reassessCurrent()
{
    const qint64 id = m_queue->currentItemId();
    if (id < 0)
        return false;
    if (m_prepare)
        if (Status prepared = m_prepare(); !prepared)
            return false;
    if (Status requested = m_session->reassess(id); !requested) {
        fail(requested.error());
        return false;
    }
    Q_EMIT succeeded();
    Q_EMIT statusChanged(tr("Assessing item %1 again…").arg(itemName(id)));
    return true;
}

Status ReviewActions::batchAcceptBelow(double score)
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    ReviewSession *session = m_session;
    return pushBatch(tr("accept %1 items scored below %2"), tr("Accepted %1 items scored below %2"),
                     score, [session, score] { return session->acceptBelow(score); });
}

Status ReviewActions::batchFilterAbove(double score)
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    ReviewSession *session = m_session;
    return pushBatch(tr("filter %1 items scored above %2"), tr("Filtered %1 items scored above %2"),
                     score, [session, score] { return session->filterAbove(score); });
}

Status ReviewActions::pushBatch(const QString &commandText, const QString &statusText, double score,
                                const std::function<Result<DecisionBatch>()> &apply)
{
    // One store call (one transaction) applies the batch; its undo is one store step too.
    auto batch = apply();
    if (!batch)
        return fail(batch.error());
    Q_EMIT succeeded();
    m_undo->push(new ReviewBatchCommand(m_session, commandText.arg(batch->changed).arg(score),
                                        apply, *batch, [this](bool undone, const QString &failure) {
                                            m_queue->reloadKeepingCurrent();
                                            if (!failure.isEmpty())
                                                fail(Error::internal(
                                                    undone ? tr("undo failed: %1").arg(failure)
                                                           : tr("redo failed: %1").arg(failure)));
                                        }));
    m_queue->reloadKeepingCurrent();
    Q_EMIT statusChanged(statusText.arg(QLocale().toString(batch->changed)).arg(score));
    return Done {};
}

void ReviewActions::batchWithDialog(bool accept)
{
    bool ok = false;
    const double score = QInputDialog::getDouble(
        m_host, accept ? tr("Accept All Scored Below") : tr("Filter All Scored Above"),
        accept ? tr("Keep every item without a human decision scored below:")
               : tr("Drop every item without a human decision scored above:"),
        accept ? 20 : 80, 0, 100, 1, &ok);
    if (!ok)
        return;
    if (accept)
        batchAcceptBelow(score);
    else
        batchFilterAbove(score);
}

Status ReviewActions::changeThresholds(const Thresholds &from, const Thresholds &to)
{
    if (!m_session->isOpen())
        return fail(Error::badInput(tr("open or create a project first")));
    ReviewSession *session = m_session;
    const auto apply
        = [session](const Thresholds &thresholds) { return session->setThresholds(thresholds); };
    if (Status applied = apply(to); !applied)
        return fail(applied.error());
    Q_EMIT succeeded();
    m_undo->push(new ReviewThresholdsCommand(
        tr("thresholds filter %1, revise %2").arg(to.filter).arg(to.revise), apply, from, to,
        [this](const Thresholds &now, bool undone, const QString &failure) {
            if (!failure.isEmpty()) {
                fail(Error::internal(undone ? tr("undo failed: %1").arg(failure)
                                            : tr("redo failed: %1").arg(failure)));
                return;
            }
            Q_EMIT thresholdsApplied(now);
            Q_EMIT statusChanged(
                tr("Thresholds: filter above %1, revise above %2").arg(now.filter).arg(now.revise));
        }));
    return Done {};
}

}  // namespace pcs
