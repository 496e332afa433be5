// QAbstractItemModelTester (Fatal) on every model in ui/: ReviewQueueModel over a real queue
// (store swaps, queries, sorts, reloads, rows refreshed in place and moved into sort order while
// a run's results arrive) and SelectionTableModel (tables, filters, sorts). Also the order the
// queue keeps when results arrive, and the id it shows.
#include "core/review/queuestore.h"
#include "ui/models/selectiontablemodel.h"
#include "ui/review/reviewqueuemodel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <random>

using namespace pcs;

namespace {

using Fatal = QAbstractItemModelTester::FailureReportingMode;

// A queue of `count` pending items.
std::unique_ptr<QueueStore> queueOf(const QTemporaryDir &dir, const QString &name, int count)
{
    const QString jsonl = dir.filePath(name + QStringLiteral(".jsonl"));
    QFile file(jsonl);
    if (!file.open(QIODevice::WriteOnly))
        return nullptr;
    for (int i = 0; i < count; ++i)
        file.write(
            QJsonDocument(
                QJsonObject { { QStringLiteral("id"), QStringLiteral("doc-%1").arg(i) },
                              { QStringLiteral("text"),
                                QStringLiteral("Text number %1, line one\nline two").arg(i) } })
                .toJson(QJsonDocument::Compact)
            + '\n');
    file.close();
    auto store = QueueStore::open(dir.filePath(name + QStringLiteral(".sqlite")));
    if (!store)
        return nullptr;
    if (!(*store)->importJsonl(jsonl, QStringLiteral("text")))
        return nullptr;
    return std::move(*store);
}

Status assess(QueueStore &store, qint64 id, double score)
{
    AssessmentRecord record;
    record.score = score;
    record.llmScore = score;
    record.llmReasoning = QStringLiteral("because");
    return store.recordAssessment(id, record);
}

// Scores in display order (nullopt for none), the whole model.
std::vector<std::optional<double>> scores(const ReviewQueueModel &model)
{
    std::vector<std::optional<double>> shown;
    for (int row = 0; row < model.rowCount(); ++row)
        shown.push_back(model.itemAt(row)->score);
    return shown;
}

// Score descending, missing scores last (the store's order).
bool sortedDescending(const std::vector<std::optional<double>> &shown)
{
    for (std::size_t i = 1; i < shown.size(); ++i) {
        const auto &a = shown[i - 1];
        const auto &b = shown[i];
        if (!a && b)
            return false;
        if (a && b && *a < *b)
            return false;
    }
    return true;
}

struct WithSourceId {
    qint64 id = 0;
    QString sourceId;
};
struct WithoutSourceId {
    qint64 id = 0;
};

}  // namespace

class TestModels : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void reviewQueueModelUnderTheTester()
    {
        auto store = queueOf(m_dir, QStringLiteral("tester"), 650);
        QVERIFY(store);
        ReviewQueueModel model;
        QAbstractItemModelTester tester(&model, Fatal::Fatal);
        model.setStore(store.get());
        QCOMPARE(model.rowCount(), 650);
        for (qint64 id = 1; id <= 300; ++id)
            QVERIFY(assess(*store, id, double((id * 37) % 101)).ok());
        model.reload();
        // Queries, sorts (every column), reads across pages, refreshes, reorders.
        PageQuery query;
        query.state = ItemState::Assessed;
        model.setQuery(query);
        QCOMPARE(model.rowCount(), 300);
        query.state.reset();
        query.scores = ScoreRange { 20, true, 60, true };
        model.setQuery(query);
        QVERIFY(model.rowCount() > 0);
        model.setQuery(PageQuery {});
        for (int column = 0; column < ReviewQueueModel::kColumnCount; ++column) {
            model.sort(column, Qt::AscendingOrder);
            model.sort(column, Qt::DescendingOrder);
            QVERIFY(model.index(model.rowCount() - 1, column).data().isValid()
                    || column == ReviewQueueModel::AutoDecisionColumn
                    || column == ReviewQueueModel::HumanDecisionColumn
                    || column == ReviewQueueModel::ScoreColumn);
        }
        model.sort(ReviewQueueModel::ScoreColumn, Qt::DescendingOrder);
        QItemSelectionModel selection(&model);
        selection.setCurrentIndex(model.index(3, 0), QItemSelectionModel::ClearAndSelect);
        QVERIFY(store->setHumanDecision(5, Decision::Keep).ok());
        model.refreshItem(5);
        for (qint64 id = 301; id <= 420; ++id) {
            QVERIFY(assess(*store, id, double(id % 100)).ok());
            model.refreshItemInOrder(id);
        }
        QVERIFY(model.isReorderPending());
        model.reorderNow();
        QVERIFY(sortedDescending(scores(model)));
        model.setStore(nullptr);
        QCOMPARE(model.rowCount(), 0);
        model.setStore(store.get());
        QCOMPARE(model.rowCount(), 650);
    }

    // Results arriving during a run take their place in the sort order (the "sorted by score"
    // header stays true), and the selected item stays selected wherever it moves.
    void resultsArriveInSortOrder()
    {
        auto store = queueOf(m_dir, QStringLiteral("arrive"), 40);
        QVERIFY(store);
        for (qint64 id = 1; id <= 10; ++id)
            QVERIFY(assess(*store, id, double(10 * id)).ok());
        ReviewQueueModel model(store.get());
        QAbstractItemModelTester tester(&model, Fatal::Fatal);
        PageQuery query;  // score descending: 100 … 10, then the 30 pending
        model.setQuery(query);
        QVERIFY(sortedDescending(scores(model)));
        QItemSelectionModel selection(&model);
        selection.setCurrentIndex(model.index(2, 0),
                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        const qint64 selectedId = model.idAt(2);
        QCOMPARE(selectedId, 8);  // score 80
        QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        // Pending items (at the bottom) get scores that place them at the top and in between.
        QVERIFY(assess(*store, 35, 95).ok());
        model.refreshItemInOrder(35);
        QVERIFY(assess(*store, 20, 55).ok());
        model.refreshItemInOrder(20);
        QVERIFY(assess(*store, 3, 5).ok());  // a cached row whose score drops
        model.refreshItemInOrder(3);
        QVERIFY(model.isReorderPending());
        QTRY_VERIFY(!model.isReorderPending());  // coalesced, after kReorderDelayMs
        QCOMPARE(layout.count(), 1);
        QCOMPARE(reset.count(), 0);
        QVERIFY(sortedDescending(scores(model)));
        QCOMPARE(model.idAt(0), 10);  // 100
        QCOMPARE(model.idAt(1), 35);  // 95
        QCOMPARE(model.rowCount(), 40);
        QVERIFY(selection.currentIndex().isValid());
        QCOMPARE(model.idAt(selection.currentIndex().row()), selectedId);
        QCOMPARE(selection.currentIndex().row(), 3);  // 100, 95, 90, then 80
        // A change that keeps the order is an update in place, no reorder.
        QVERIFY(store->setHumanDecision(8, Decision::Filter).ok());
        model.refreshItemInOrder(8);
        QVERIFY(!model.isReorderPending());
        QCOMPARE(model.itemAt(3)->humanDecision, std::optional(Decision::Filter));
    }

    // Rows leaving the filter (pending → assessed under "Pending"): a reset, not a bad layout.
    void rowsLeavingTheFilterReset()
    {
        auto store = queueOf(m_dir, QStringLiteral("leave"), 12);
        QVERIFY(store);
        ReviewQueueModel model(store.get());
        QAbstractItemModelTester tester(&model, Fatal::Fatal);
        PageQuery query;
        query.state = ItemState::Pending;
        model.setQuery(query);
        QCOMPARE(model.rowCount(), 12);
        QVERIFY(assess(*store, 4, 50).ok());
        model.refreshItemInOrder(4);
        model.reorderNow();
        QCOMPARE(model.rowCount(), 11);
    }

    void displayedIdPrefersTheRecordsOwnId()
    {
        QCOMPARE(displayedId(WithSourceId { 7, QStringLiteral("doc-6") }), QStringLiteral("doc-6"));
        QCOMPARE(displayedId(WithSourceId { 7, QString() }), QStringLiteral("7"));
        QCOMPARE(displayedId(WithoutSourceId { 7 }), QStringLiteral("7"));
        auto store = queueOf(m_dir, QStringLiteral("ids"), 3);
        QVERIFY(store);
        ReviewQueueModel model(store.get());
        const QueueItem item = *model.itemAt(0);
        QCOMPARE(model.index(0, ReviewQueueModel::IdColumn).data().toString(), displayedId(item));
    }

    void selectionTableModelUnderTheTester()
    {
        SelectionTableModel model;
        QAbstractItemModelTester tester(&model, Fatal::Fatal);
        auto table = std::make_shared<SelectionTable>();
        std::mt19937 rng(7);
        const int d = 500;
        table->estimate.resize(d);
        table->rank.resize(d);
        table->tau.resize(d);
        table->weight.resize(d);
        for (int j = 0; j < d; ++j) {
            table->texts << QStringLiteral("%1/doc-%2")
                                .arg(QLatin1String(j % 3 ? "cc" : "Wiki"))
                                .arg(rng() % 900);
            table->estimate[j] = double(rng() % 40) / 40.0 - 0.5;
            table->rank[j] = int(rng() % 40) + 1;
            table->tau[j] = double(rng() % 10) / 100.0;
            table->weight[j] = rng() % 4 == 0 ? double(rng() % 10) / 1000.0 : 0.0;
        }
        model.setTable(table);
        QCOMPARE(model.rowCount(), d);
        for (int column = 0; column < model.columnCount(); ++column) {
            model.sort(column, Qt::AscendingOrder);
            model.sort(column, Qt::DescendingOrder);
        }
        model.setFilterText(QStringLiteral("wiki"));
        QVERIFY(model.rowCount() > 0 && model.rowCount() < d);
        model.setIncludedOnly(true);
        model.setFilterText({});
        model.setIncludedOnly(false);
        QCOMPARE(model.rowCount(), d);
        // An estimate-only table, then none.
        auto estimates = std::make_shared<SelectionTable>(*table);
        estimates->tau.resize(0);
        estimates->weight.resize(0);
        model.setTable(estimates);
        QCOMPARE(model.rowCount(), d);
        model.setTable(nullptr);
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_MAIN(TestModels)
#include "tst_models.moc"
