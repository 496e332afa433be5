#include "ui/review/reviewqueuemodel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <random>

using pcs::Decision;
using pcs::decisionFromName;
using pcs::decisionText;
using pcs::ItemState;
using pcs::itemStateFromName;
using pcs::itemStateName;
using pcs::PageQuery;
using pcs::QueueItem;
using pcs::QueueSortColumn;
using pcs::QueueStore;
using pcs::ReviewQueueModel;

Q_DECLARE_METATYPE(pcs::PageQuery)

namespace {

// `items` JSONL lines with a few words of text each.
bool writeJsonl(const QString &path, int items)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    static const char *const words[] = { "alpha", "beta", "gamma", "delta", "needle", "omega" };
    for (int i = 0; i < items; ++i) {
        QByteArray text = "Document " + QByteArray::number(i) + ":";
        for (int w = 0; w < 5; ++w)
            text += ' ' + QByteArray(words[(i * 7 + w * 3) % 6]);
        text += "\\nsecond line";
        file.write("{\"text\":\"" + text + "\"}\n");
    }
    return true;
}

// A queue of `items`: most assessed with integer scores (many ties), some in error, some pending,
// some with a human decision or a revision.
std::unique_ptr<QueueStore> makeQueue(const QString &dir, int items, unsigned seed)
{
    const QString jsonl = dir + QStringLiteral("/items.jsonl");
    if (!writeJsonl(jsonl, items))
        return nullptr;
    auto opened = QueueStore::open(dir + QStringLiteral("/queue.sqlite"));
    if (!opened)
        return nullptr;
    std::unique_ptr<QueueStore> store = std::move(*opened);
    if (!store->importJsonl(jsonl, QStringLiteral("text")))
        return nullptr;
    std::mt19937 rng(seed);
    for (qint64 id = 1; id <= items; ++id) {
        const unsigned roll = rng() % 20;
        if (roll == 0)
            continue;  // pending
        if (roll == 1) {
            store->recordError(id, QStringLiteral("http_500"), QStringLiteral("server error"), 3);
            continue;
        }
        pcs::AssessmentRecord record;
        record.score = double(rng() % 101);
        record.llmScore = record.score;
        record.llmReasoning = QStringLiteral("Reasoning for %1").arg(id);
        if (!store->recordAssessment(id, record))
            return nullptr;
        if (roll == 2)
            store->setHumanDecision(id, Decision::Keep);
        else if (roll == 3)
            store->recordRevision(id, QStringLiteral("Revised %1").arg(id), 10.0);
    }
    return store;
}

std::vector<qint64> storeOrder(QueueStore &store, PageQuery query)
{
    query.offset = 0;
    query.limit = int(*store.count(query));  // page() reserves `limit` items
    std::vector<qint64> ids;
    const auto page = store.page(query);  // held: the loop must not outlive the Result
    for (const QueueItem &item : *page)
        ids.push_back(item.id);
    return ids;
}

PageQuery queryOf(QueueSortColumn sortBy, bool ascending, const QString &state = {},
                  const QString &decision = {}, const QString &text = {})
{
    PageQuery query;
    query.sortBy = sortBy;
    query.ascending = ascending;
    query.state = itemStateFromName(state);
    query.decision = decisionFromName(decision);
    query.withoutDecision = decision == QLatin1String("none");
    query.textSearch = text;
    return query;
}

}  // namespace

class TestReviewQueueModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_store = makeQueue(m_dir.path(), 3000, 17);
        QVERIFY(m_store);
    }

    void pagingMatchesTheStore_data()
    {
        QTest::addColumn<PageQuery>("query");
        QTest::newRow("score desc") << queryOf(QueueSortColumn::Score, false);
        QTest::newRow("score asc") << queryOf(QueueSortColumn::Score, true);
        QTest::newRow("id asc") << queryOf(QueueSortColumn::Id, true);
        QTest::newRow("id desc") << queryOf(QueueSortColumn::Id, false);
        QTest::newRow("state asc") << queryOf(QueueSortColumn::State, true);
        QTest::newRow("decision desc") << queryOf(QueueSortColumn::Decision, false);
        QTest::newRow("revise by score")
            << queryOf(QueueSortColumn::Score, false, {}, QStringLiteral("revise"));
        QTest::newRow("no decision")
            << queryOf(QueueSortColumn::Id, true, {}, QStringLiteral("none"));
        QTest::newRow("assessed keep asc") << queryOf(
            QueueSortColumn::Score, true, QStringLiteral("assessed"), QStringLiteral("keep"));
        QTest::newRow("text search")
            << queryOf(QueueSortColumn::Score, false, {}, {}, QStringLiteral("NEEDLE omega"));
        QTest::newRow("nothing matches")
            << queryOf(QueueSortColumn::Score, false, {}, {}, QStringLiteral("no such words"));
    }

    void pagingMatchesTheStore()
    {
        QFETCH(PageQuery, query);
        const std::vector<qint64> expected = storeOrder(*m_store, query);

        // Forward (keyset pages), backward and scattered (OFFSET pages) reads all agree.
        ReviewQueueModel forward(m_store.get());
        forward.setQuery(query);
        QCOMPARE(forward.rowCount(), int(expected.size()));
        for (int row = 0; row < forward.rowCount(); ++row)
            QCOMPARE(forward.idAt(row), expected[std::size_t(row)]);

        ReviewQueueModel backward(m_store.get());
        backward.setQuery(query);
        for (int row = backward.rowCount() - 1; row >= 0; --row)
            QCOMPARE(backward.idAt(row), expected[std::size_t(row)]);

        ReviewQueueModel scattered(m_store.get());
        scattered.setQuery(query);
        std::mt19937 rng(5);
        for (int i = 0; i < 500 && !expected.empty(); ++i) {
            const int row = int(rng() % expected.size());
            QCOMPARE(scattered.idAt(row), expected[std::size_t(row)]);
            QCOMPARE(scattered.index(row, ReviewQueueModel::IdColumn)
                         .data(ReviewQueueModel::ItemIdRole)
                         .toLongLong(),
                     expected[std::size_t(row)]);
        }
        QCOMPARE(forward.idAt(int(expected.size())), qint64(-1));
        QCOMPARE(forward.idAt(-1), qint64(-1));
    }

    void displayAndRoles()
    {
        ReviewQueueModel model(m_store.get());
        model.setQuery(queryOf(QueueSortColumn::Id, true));
        QCOMPARE(model.columnCount(), ReviewQueueModel::kColumnCount);
        for (int row = 0; row < 200; ++row) {
            const QueueItem item = *model.itemAt(row);
            const auto cell = [&](int column, int role = Qt::DisplayRole) {
                return model.index(row, column).data(role);
            };
            QCOMPARE(cell(ReviewQueueModel::IdColumn).toString(), QString::number(item.id));
            QCOMPARE(cell(ReviewQueueModel::ScoreColumn).toString(),
                     item.score ? QString::number(*item.score, 'f', 1) : QString());
            QCOMPARE(cell(ReviewQueueModel::DecisionColumn).toString(),
                     decisionText(item.finalDecision()));
            QCOMPARE(cell(ReviewQueueModel::StateColumn).toString(), itemStateName(item.state));
            const QString snippet = cell(ReviewQueueModel::SnippetColumn).toString();
            QVERIFY(!snippet.contains(QLatin1Char('\n')));
            QVERIFY(snippet.size() <= ReviewQueueModel::kSnippetLength + 1);
            QVERIFY(snippet.startsWith(QStringLiteral("Document %1:").arg(item.id - 1)));
            const QVariant color = cell(ReviewQueueModel::DecisionColumn, Qt::ForegroundRole);
            const std::optional<Decision> decision = item.finalDecision();
            if (decision == Decision::Keep)
                QCOMPARE(color.value<QColor>(), QColor(0x1b, 0x7f, 0x3b));
            else if (decision == Decision::Revise)
                QCOMPARE(color.value<QColor>(), QColor(0xb2, 0x6a, 0x00));
            else if (decision == Decision::Filter)
                QCOMPARE(color.value<QColor>(), QColor(0xc6, 0x28, 0x28));
            else
                QVERIFY(!color.isValid());
            const QString tip
                = cell(ReviewQueueModel::AutoDecisionColumn, Qt::ToolTipRole).toString();
            if (item.state == ItemState::Assessed)
                QCOMPARE(tip, item.llmReasoning);
            if (item.state == ItemState::Error)
                QVERIFY(tip.contains(QStringLiteral("server error")));
        }
        QCOMPARE(model.index(0, ReviewQueueModel::ScoreColumn)
                     .data(ReviewQueueModel::ValueRole)
                     .typeId(),
                 model.itemAt(0)->score ? QMetaType::Double : QMetaType::UnknownType);
    }

    void sortMapsHeaderClicks()
    {
        ReviewQueueModel model(m_store.get());
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.sort(ReviewQueueModel::IdColumn, Qt::DescendingOrder);
        QCOMPARE(model.query().sortBy, QueueSortColumn::Id);
        QCOMPARE(model.query().ascending, false);
        QCOMPARE(model.idAt(0), qint64(3000));
        QCOMPARE(resets.size(), 1);
        model.sort(ReviewQueueModel::SnippetColumn, Qt::AscendingOrder);  // not sortable
        QCOMPARE(resets.size(), 1);
        QCOMPARE(model.sortColumn(), int(ReviewQueueModel::IdColumn));
        model.sort(ReviewQueueModel::StateColumn, Qt::AscendingOrder);
        QCOMPARE(model.query().sortBy, QueueSortColumn::State);
        QCOMPARE(model.sortOrder(), Qt::AscendingOrder);
        model.sort(ReviewQueueModel::DecisionColumn, Qt::DescendingOrder);
        QCOMPARE(model.query().sortBy, QueueSortColumn::Decision);
        model.sort(ReviewQueueModel::ScoreColumn, Qt::DescendingOrder);
        QCOMPARE(model.sortColumn(), int(ReviewQueueModel::ScoreColumn));
        QCOMPARE(model.idAt(0), storeOrder(*m_store, model.query()).front());
        QCOMPARE(resets.size(), 4);
    }

    void refreshItemAfterAssessment()
    {
        ReviewQueueModel model(m_store.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setQuery(queryOf(QueueSortColumn::Id, true));
        const int row = 41;
        const qint64 id = model.idAt(row);
        QCOMPARE(model.rowOfId(id), row);
        QCOMPARE(model.rowOfId(2999), -1);  // not cached: no scan

        pcs::AssessmentRecord record;
        record.score = 95.25;
        record.llmReasoning = QStringLiteral("Fresh reasoning");
        QVERIFY(m_store->recordAssessment(id, record));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.refreshItem(id);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed[0][0].value<QModelIndex>(), model.index(row, 0));
        QCOMPARE(changed[0][1].value<QModelIndex>(),
                 model.index(row, ReviewQueueModel::kColumnCount - 1));
        QCOMPARE(model.index(row, ReviewQueueModel::ScoreColumn).data().toString(),
                 QStringLiteral("95.3"));
        QCOMPARE(model.index(row, ReviewQueueModel::AutoDecisionColumn).data().toString(),
                 QStringLiteral("filter"));
        QCOMPARE(model.itemAt(row)->llmReasoning, QStringLiteral("Fresh reasoning"));

        QVERIFY(m_store->setHumanDecision(id, Decision::Revise, QStringLiteral("Edited")));
        model.refreshItem(id);
        QCOMPARE(model.index(row, ReviewQueueModel::DecisionColumn).data().toString(),
                 QStringLiteral("revise"));
        QCOMPARE(model.index(row, ReviewQueueModel::SnippetColumn).data().toString(),
                 QStringLiteral("Edited"));
        model.refreshItem(2999);  // not cached: nothing to do
        QCOMPARE(changed.size(), 2);
    }

    void testerWithChangingQueries()
    {
        ReviewQueueModel model(m_store.get());
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setQuery(queryOf(QueueSortColumn::Score, false, {}, QStringLiteral("filter")));
        const int filtered = model.rowCount();
        QVERIFY(filtered > 0);
        const qint64 id = model.idAt(3);
        QVERIFY(m_store->setHumanDecision(id, Decision::Keep));
        model.refreshItem(id);  // stays in place until the next reload
        QCOMPARE(model.rowCount(), filtered);
        QCOMPARE(model.index(3, ReviewQueueModel::DecisionColumn).data().toString(),
                 QStringLiteral("keep"));
        model.reload();
        QCOMPARE(model.rowCount(), filtered - 1);
        model.setQuery(queryOf(QueueSortColumn::State, true, QStringLiteral("error")));
        QVERIFY(model.rowCount() > 0);
        model.setQuery(queryOf(QueueSortColumn::Id, false, {}, {}, QStringLiteral("needle")));
        QVERIFY(model.rowCount() > 0);
        model.sort(ReviewQueueModel::ScoreColumn, Qt::AscendingOrder);
        model.setStore(nullptr);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.itemAt(0));
        model.setStore(m_store.get());
        QVERIFY(model.rowCount() > 0);
        // (An unknown state or decision can no longer be asked for: PageQuery holds enums.)
    }

    // A large queue filled through SQL (importing through the store would take minutes):
    // PCSTUDIO_REVIEW_MODEL_ITEMS=1000000 for the full-size figure.
    void largeQueueStaysSmooth()
    {
        const int items = qEnvironmentVariableIsSet("PCSTUDIO_REVIEW_MODEL_ITEMS")
            ? qEnvironmentVariableIntValue("PCSTUDIO_REVIEW_MODEL_ITEMS")
            : 200000;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("large.sqlite"));
        auto opened = QueueStore::open(path);
        QVERIFY(opened);
        std::unique_ptr<QueueStore> store = std::move(*opened);
        QElapsedTimer timer;
        timer.start();
        {
            QSqlDatabase bulk = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"),
                                                          QStringLiteral("model-bulk"));
            bulk.setDatabaseName(path);
            QVERIFY(bulk.open());
            QVERIFY(bulk.transaction());
            QSqlQuery insert(bulk);
            QVERIFY(insert.prepare(QStringLiteral(
                "INSERT INTO items (source_file, source_sha256, source_line, record, text, state, "
                "llm_score, llm_reasoning, score, attempts, created_at) "
                "VALUES ('bulk.jsonl', 'bulk', ?, '{}', ?, 'assessed', ?, 'bulk reasoning', ?, "
                "1, '2024-01-01T00:00:00.000Z')")));
            std::mt19937 rng(1);
            for (int i = 1; i <= items; ++i) {
                const double score = double(rng() % 10000) / 100.0;
                insert.bindValue(0, i);
                insert.bindValue(1,
                                 QStringLiteral("Bulk document %1 with some words of text").arg(i));
                insert.bindValue(2, score);
                insert.bindValue(3, score);  // decisions are derived from it when read
                QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
            }
            QVERIFY(bulk.commit());
            insert.finish();
            bulk.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("model-bulk"));
        qInfo("generated %d items in %lld ms", items, timer.elapsed());

        const auto visibleRows = [](ReviewQueueModel &model, int first) {
            QElapsedTimer t;
            t.start();
            int cells = 0;
            const int rows = model.rowCount();
            for (int row = first; row < first + 50 && row < rows; ++row)
                for (int column = 0; column < ReviewQueueModel::kColumnCount; ++column)
                    cells += model.index(row, column).data().isValid() ? 1 : 0;
            return std::pair<double, int>(double(t.nsecsElapsed()) * 1e-6, cells);
        };
        const PageQuery byScore = queryOf(QueueSortColumn::Score, false);
        for (const PageQuery &query :
             { byScore, queryOf(QueueSortColumn::Score, false, {}, QStringLiteral("revise")) }) {
            ReviewQueueModel model(store.get());
            timer.restart();
            model.setQuery(query);
            const int rows = model.rowCount();
            const double countMs = double(timer.nsecsElapsed()) * 1e-6;
            const auto [topMs, topCells] = visibleRows(model, 0);
            const auto [deepMs, deepCells] = visibleRows(model, rows / 2);
            const auto [nextMs, nextCells]
                = visibleRows(model, rows / 2 + ReviewQueueModel::kPageSize);
            qInfo("%s: %d rows; setQuery+rowCount %.1f ms; first 50 rows %.1f ms; 50 rows at %d "
                  "%.1f ms; 50 rows one page further (keyset) %.1f ms",
                  !query.decision ? "all by score" : "revise by score", rows, countMs, topMs,
                  rows / 2, deepMs, nextMs);
            QCOMPARE(topCells, 50 * ReviewQueueModel::kColumnCount);
            QCOMPARE(deepCells, topCells);
            QCOMPARE(nextCells, topCells);
            QVERIFY(countMs + topMs < 2000);
            QVERIFY(deepMs < 2000);
        }

        // The cache keeps the most recently used pages only.
        ReviewQueueModel byId(store.get());
        byId.setQuery(queryOf(QueueSortColumn::Id, true));
        const int pages = 3 * ReviewQueueModel::kCachedPages;
        for (int page = 0; page < pages; ++page)
            QCOMPARE(byId.idAt(page * ReviewQueueModel::kPageSize),
                     qint64(page) * ReviewQueueModel::kPageSize + 1);
        int cachedPages = 0;
        for (int page = 0; page < pages; ++page) {
            const int row = page * ReviewQueueModel::kPageSize;
            if (byId.rowOfId(row + 1) == row) {  // by id, row r holds id r + 1
                QVERIFY(page >= pages - ReviewQueueModel::kCachedPages);
                ++cachedPages;
            }
        }
        QCOMPARE(cachedPages, ReviewQueueModel::kCachedPages);
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QueueStore> m_store;
};

QTEST_GUILESS_MAIN(TestReviewQueueModel)
#include "tst_reviewqueuemodel.moc"
