#include "ui/models/nameorder.h"
#include "ui/models/selectiontablemodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <numeric>
#include <random>

using pcs::SelectionTable;
using pcs::SelectionTableModel;
using Column = SelectionTableModel::Column;

namespace {

// Six texts with ties in every numeric column and names equal but for case.
std::shared_ptr<SelectionTable> smallTable()
{
    auto table = std::make_shared<SelectionTable>();
    table->texts = { "beta", "Alpha", "gamma", "alpha", "delta", "Beta" };
    table->estimate = Eigen::VectorXd { { 0.5, -0.1, 0.5, 0.2, -0.1, 0.9 } };
    table->rank = Eigen::VectorXi { { 2, 5, 3, 4, 6, 1 } };
    table->tau = Eigen::VectorXd { { 0.3, 0.3, 0.5, 0.3, 0.2, 0.3 } };
    table->weight = Eigen::VectorXd { { 0.3, 0.0, 0.4, 0.0, 0.0, 0.3 } };
    return table;
}

// D texts with many ties (values from a small set), ~1/4 included.
std::shared_ptr<SelectionTable> randomTable(int d, unsigned seed, int distinctValues = 50)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> value(0, distinctValues - 1);
    auto table = std::make_shared<SelectionTable>();
    table->texts.reserve(d);
    table->estimate.resize(d);
    table->rank.resize(d);
    table->tau.resize(d);
    table->weight.resize(d);
    for (int j = 0; j < d; ++j) {
        const char *sources[] = { "cc", "Wiki", "CC", "wiki", "cc" };
        const QString source = QString::fromLatin1(sources[j % 5]);
        table->texts.append(QStringLiteral("%1/Doc-%2").arg(source).arg(rng() % 5000));
        table->estimate[j] = value(rng) / double(distinctValues) - 0.5;
        table->rank[j] = value(rng) + 1;
        table->tau[j] = value(rng) / 1000.0;
        table->weight[j] = rng() % 4 == 0 ? value(rng) / 1e4 : 0.0;
    }
    return table;
}

std::vector<int> shownTexts(const SelectionTableModel &model)
{
    std::vector<int> texts;
    for (int row = 0; row < model.rowCount(); ++row)
        texts.push_back(model.index(row, 0).data(SelectionTableModel::TextIndexRole).toInt());
    return texts;
}

// The model's order must equal a stable sort of 0..D-1 (ties by text index), filtered.
std::vector<int> referenceOrder(const SelectionTable &t, int column, Qt::SortOrder order)
{
    std::vector<int> texts(std::size_t(t.texts.size()));
    std::iota(texts.begin(), texts.end(), 0);
    const auto key = [&](int j) -> double {
        switch (column) {
        case SelectionTableModel::EstimateColumn:
            return t.estimate[j];
        case SelectionTableModel::RankColumn:
            return t.rank[j];
        case SelectionTableModel::TauColumn:
            return t.tau[j];
        case SelectionTableModel::WeightColumn:
            return t.weight[j];
        default:
            return t.weight[j] > 0 ? 1 : 0;
        }
    };
    const bool asc = order == Qt::AscendingOrder;
    if (column == SelectionTableModel::TextColumn) {
        std::stable_sort(texts.begin(), texts.end(), [&](int a, int b) {
            int c = t.texts[a].compare(t.texts[b], Qt::CaseInsensitive);
            if (c == 0)
                c = t.texts[a].compare(t.texts[b]);
            return asc ? c < 0 : c > 0;
        });
    } else if (column >= 0) {
        std::stable_sort(texts.begin(), texts.end(),
                         [&](int a, int b) { return asc ? key(a) < key(b) : key(a) > key(b); });
    }
    return texts;
}

std::vector<int> referenceFilter(const SelectionTable &t, std::vector<int> texts,
                                 const QString &filter, bool includedOnly)
{
    std::erase_if(texts, [&](int j) {
        return (includedOnly && !(t.weight[j] > 0))
            || !t.texts[j].contains(filter, Qt::CaseInsensitive);
    });
    return texts;
}

void checkInverse(const SelectionTableModel &model)
{
    int shown = 0;
    for (int text = 0; text < model.textCount(); ++text) {
        const int row = model.rowForTextIndex(text);
        if (row >= 0) {
            ++shown;
            QCOMPARE(model.textIndexForRow(row), text);
        }
    }
    QCOMPARE(shown, model.rowCount());
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.rowForTextIndex(model.textIndexForRow(row)), row);
    QCOMPARE(model.textIndexForRow(-1), -1);
    QCOMPARE(model.textIndexForRow(model.rowCount()), -1);
    QCOMPARE(model.rowForTextIndex(-1), -1);
    QCOMPARE(model.rowForTextIndex(model.textCount()), -1);
}

}  // namespace

class TestSelectionTableModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void emptyModel();
    void modelTester();
    void sortedOrder_data();
    void sortedOrder();
    void randomTablesMatchReference();
    void namesMatchQString();
    void filter();
    void includedOnly();
    void sortKeepsPersistentIndexes();
    void newTableKeepsSortAndFilter();
    void estimateOnlyTable();
    void displayAndRoles();
    void csv();
    void backgroundMatchesDirect();
    void backgroundLatestRequestWins();
    void backgroundSortKeepsPersistentIndexes();
    void timingAtOneMillion();
};

void TestSelectionTableModel::emptyModel()
{
    SelectionTableModel model;
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), SelectionTableModel::kColumnCount);
    QCOMPARE(model.textCount(), 0);
    QCOMPARE(model.textIndexForRow(0), -1);
    QCOMPARE(model.rowForTextIndex(0), -1);
    model.sort(Column::EstimateColumn, Qt::DescendingOrder);
    model.setFilterText("x");
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.csvForAllRows(), QByteArray("text,estimate,rank\n"));
}

void TestSelectionTableModel::modelTester()
{
    SelectionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTable(smallTable());
    for (int column = -1; column < SelectionTableModel::kColumnCount; ++column) {
        model.sort(column, Qt::AscendingOrder);
        model.sort(column, Qt::DescendingOrder);
    }
    model.setFilterText("ALPHA");
    model.setFilterText("alph");
    model.setFilterText("nothing matches");
    model.setFilterText({});
    model.setIncludedOnly(true);
    model.setFilterText("beta");
    model.setTable(randomTable(300, 7));
    model.sort(Column::TextColumn, Qt::AscendingOrder);
    model.setIncludedOnly(false);
    model.setTable(nullptr);
    QCOMPARE(model.rowCount(), 0);
}

void TestSelectionTableModel::sortedOrder_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::addColumn<std::vector<int>>("expected");
    const auto asc = Qt::AscendingOrder;
    const auto desc = Qt::DescendingOrder;
    QTest::newRow("table order") << -1 << asc << std::vector<int> { 0, 1, 2, 3, 4, 5 };
    // Case-insensitive first, then upper case before lower case.
    QTest::newRow("text asc") << int(Column::TextColumn) << asc
                              << std::vector<int> { 1, 3, 5, 0, 4, 2 };
    QTest::newRow("text desc") << int(Column::TextColumn) << desc
                               << std::vector<int> { 2, 4, 0, 5, 3, 1 };
    // Ties keep ascending text index in both orders.
    QTest::newRow("estimate asc") << int(Column::EstimateColumn) << asc
                                  << std::vector<int> { 1, 4, 3, 0, 2, 5 };
    QTest::newRow("estimate desc")
        << int(Column::EstimateColumn) << desc << std::vector<int> { 5, 0, 2, 3, 1, 4 };
    QTest::newRow("rank asc") << int(Column::RankColumn) << asc
                              << std::vector<int> { 5, 0, 2, 3, 1, 4 };
    QTest::newRow("rank desc") << int(Column::RankColumn) << desc
                               << std::vector<int> { 4, 1, 3, 2, 0, 5 };
    QTest::newRow("tau asc") << int(Column::TauColumn) << asc
                             << std::vector<int> { 4, 0, 1, 3, 5, 2 };
    QTest::newRow("tau desc") << int(Column::TauColumn) << desc
                              << std::vector<int> { 2, 0, 1, 3, 5, 4 };
    QTest::newRow("weight asc") << int(Column::WeightColumn) << asc
                                << std::vector<int> { 1, 3, 4, 0, 5, 2 };
    QTest::newRow("weight desc") << int(Column::WeightColumn) << desc
                                 << std::vector<int> { 2, 0, 5, 1, 3, 4 };
    QTest::newRow("included asc") << int(Column::IncludedColumn) << asc
                                  << std::vector<int> { 1, 3, 4, 0, 2, 5 };
    QTest::newRow("included desc")
        << int(Column::IncludedColumn) << desc << std::vector<int> { 0, 2, 5, 1, 3, 4 };
}

void TestSelectionTableModel::sortedOrder()
{
    QFETCH(int, column);
    QFETCH(Qt::SortOrder, order);
    QFETCH(std::vector<int>, expected);
    SelectionTableModel model;
    model.setTable(smallTable());
    model.sort(Column::EstimateColumn,
               order == Qt::AscendingOrder ? Qt::DescendingOrder : Qt::AscendingOrder);
    model.sort(column, order);
    QCOMPARE(model.sortColumn(), column);
    QCOMPARE(shownTexts(model), expected);
    checkInverse(model);
}

void TestSelectionTableModel::randomTablesMatchReference()
{
    // Big enough (> 100k) that the sort and the filter split the work over threads.
    const auto table = randomTable(250'000, 42);
    SelectionTableModel model;
    model.setTable(table);
    for (int column = -1; column < SelectionTableModel::kColumnCount; ++column) {
        for (const auto order : { Qt::AscendingOrder, Qt::DescendingOrder }) {
            model.sort(column, order);
            const std::vector<int> sorted = referenceOrder(*table, column, order);
            for (const bool included : { false, true }) {
                model.setIncludedOnly(included);
                for (const QString filter : { "", "WIKI/doc-1", "cc/doc-12", "zzz" }) {
                    model.setFilterText(filter);
                    QCOMPARE(shownTexts(model), referenceFilter(*table, sorted, filter, included));
                }
                model.setFilterText({});
            }
            model.setIncludedOnly(false);
        }
    }
    model.setFilterText("doc-1");
    checkInverse(model);
}

void TestSelectionTableModel::namesMatchQString()
{
    // Mixed case, Latin-1 only (8-bit keys) or not (16-bit keys), long shared prefixes (several
    // key levels), names ending on a level boundary, duplicates; > 200k names so that the work
    // is split over threads.
    const QStringList latin1 = { "a",
                                 "B",
                                 "\u00DF",
                                 "ss",
                                 "Z",
                                 "\u00C9",
                                 "\u00E9",
                                 "-",
                                 "0",
                                 "9",
                                 "long/shared/prefix/of/many/chars/" };
    const QStringList greek = latin1 + QStringList { "\u03A9", "\u03C9" };
    for (const QStringList &pieces : { latin1, greek }) {
        std::mt19937 rng(3);
        QStringList names;
        for (int j = 0; j < 220'000; ++j) {
            QString name;
            const int parts = 1 + int(rng() % 8);
            for (int p = 0; p < parts; ++p)
                name += pieces[qsizetype(rng() % pieces.size())];
            names.append(name);
        }
        for (const bool ascending : { true, false }) {
            std::vector<int> expected(std::size_t(names.size()));
            std::iota(expected.begin(), expected.end(), 0);
            std::stable_sort(expected.begin(), expected.end(), [&](int a, int b) {
                int c = names[a].compare(names[b], Qt::CaseInsensitive);
                if (c == 0)
                    c = names[a].compare(names[b]);
                return ascending ? c < 0 : c > 0;
            });
            QVERIFY(pcs::sortedByName(names, ascending) == expected);
        }
        for (const QString needle :
             { "\u03C9", "\u03A9s", "SS", "\u00C9-", "long/SHARED", "zz9", "" }) {
            const pcs::FoldedMatcher matcher(needle);
            for (const QString &name : std::as_const(names))
                QCOMPARE(matcher.matches(name), name.contains(needle, Qt::CaseInsensitive));
        }
    }
}

void TestSelectionTableModel::filter()
{
    SelectionTableModel model;
    model.setTable(smallTable());
    model.setFilterText("ALPHA");
    QCOMPARE(shownTexts(model), (std::vector<int> { 1, 3 }));
    model.setFilterText("eta");
    QCOMPARE(shownTexts(model), (std::vector<int> { 0, 5 }));
    // Narrowing from the shown rows gives the same as filtering from scratch.
    model.setFilterText("a");
    QCOMPARE(shownTexts(model), (std::vector<int> { 0, 1, 2, 3, 4, 5 }));
    model.setFilterText("al");
    QCOMPARE(shownTexts(model), (std::vector<int> { 1, 3 }));
    model.setFilterText("zzz");
    QCOMPARE(model.rowCount(), 0);
    checkInverse(model);
    model.setFilterText({});
    QCOMPARE(model.rowCount(), 6);
    model.sort(Column::EstimateColumn, Qt::DescendingOrder);
    model.setFilterText("BETA");
    QCOMPARE(model.filterText(), QString("BETA"));
    QCOMPARE(shownTexts(model), (std::vector<int> { 5, 0 }));
    QCOMPARE(model.rowForTextIndex(2), -1);
    checkInverse(model);
}

void TestSelectionTableModel::includedOnly()
{
    SelectionTableModel model;
    model.setTable(smallTable());
    model.setIncludedOnly(true);
    QVERIFY(model.includedOnly());
    QCOMPARE(shownTexts(model), (std::vector<int> { 0, 2, 5 }));
    model.setFilterText("beta");
    QCOMPARE(shownTexts(model), (std::vector<int> { 0, 5 }));
    model.setFilterText({});
    model.sort(Column::WeightColumn, Qt::DescendingOrder);
    QCOMPARE(shownTexts(model), (std::vector<int> { 2, 0, 5 }));
    checkInverse(model);
    model.setIncludedOnly(false);
    QCOMPARE(shownTexts(model), (std::vector<int> { 2, 0, 5, 1, 3, 4 }));
}

void TestSelectionTableModel::sortKeepsPersistentIndexes()
{
    SelectionTableModel model;
    model.setTable(smallTable());
    const QPersistentModelIndex gamma = model.index(model.rowForTextIndex(2), Column::RankColumn);
    QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.sort(Column::EstimateColumn, Qt::AscendingOrder);
    QCOMPARE(layout.count(), 1);
    QCOMPARE(reset.count(), 0);
    QVERIFY(gamma.isValid());
    QCOMPARE(gamma.row(), model.rowForTextIndex(2));
    QCOMPARE(gamma.column(), int(Column::RankColumn));
    QCOMPARE(gamma.data().toString(), QString("3"));
    model.sort(Column::EstimateColumn, Qt::AscendingOrder);  // unchanged: no signal
    QCOMPARE(layout.count(), 1);
}

void TestSelectionTableModel::newTableKeepsSortAndFilter()
{
    SelectionTableModel model;
    model.setTable(smallTable());
    model.sort(Column::EstimateColumn, Qt::DescendingOrder);
    model.setFilterText("a");
    model.setIncludedOnly(true);
    // A rerun: same texts, new numbers.
    auto rerun = smallTable();
    rerun->estimate = Eigen::VectorXd { { 0.1, 0.9, 0.8, 0.7, 0.6, 0.5 } };
    rerun->weight = Eigen::VectorXd { { 0.5, 0.5, 0.0, 0.0, 0.0, 0.0 } };
    model.setTable(rerun);
    QCOMPARE(model.sortColumn(), int(Column::EstimateColumn));
    QCOMPARE(model.sortOrder(), Qt::DescendingOrder);
    QCOMPARE(model.filterText(), QString("a"));
    QVERIFY(model.includedOnly());
    QCOMPARE(shownTexts(model), (std::vector<int> { 1, 0 }));
    checkInverse(model);
}

void TestSelectionTableModel::estimateOnlyTable()
{
    auto table = smallTable();
    table->tau.resize(0);
    table->weight.resize(0);
    SelectionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setTable(table);
    QVERIFY(!model.hasDistribution());
    QVERIFY(!model.index(0, Column::TauColumn).data().isValid());
    QVERIFY(!model.index(0, Column::IncludedColumn).data(Qt::CheckStateRole).isValid());
    model.setIncludedOnly(true);  // no weights: ignored
    QCOMPARE(model.rowCount(), 6);
    model.sort(Column::WeightColumn, Qt::DescendingOrder);  // nothing to sort by: table order
    QCOMPARE(shownTexts(model), (std::vector<int> { 0, 1, 2, 3, 4, 5 }));
    QCOMPARE(model.csvForRows({ 0 }), QByteArray("text,estimate,rank\nbeta,0.5,2\n"));
}

void TestSelectionTableModel::displayAndRoles()
{
    auto table = smallTable();
    table->estimate[0] = 0.123456789;
    SelectionTableModel model;
    model.setTable(table);
    const QModelIndex estimate = model.index(0, Column::EstimateColumn);
    QCOMPARE(estimate.data().toString(),
             QString("0.1235"));  // four significant digits; all in the tooltip
    QCOMPARE(estimate.data(Qt::ToolTipRole).toString(), QString("0.123456789"));
    QCOMPARE(estimate.data(SelectionTableModel::ValueRole).toDouble(), 0.123456789);
    QCOMPARE(estimate.data(SelectionTableModel::SortRole).toDouble(), 0.123456789);
    QVERIFY(estimate.data(Qt::TextAlignmentRole).toInt() & Qt::AlignRight);
    QCOMPARE(model.index(0, Column::TextColumn).data().toString(), QString("beta"));
    QCOMPARE(model.index(0, Column::RankColumn).data().toString(), QString("2"));
    QCOMPARE(model.index(0, Column::RankColumn).data(SelectionTableModel::ValueRole).toInt(), 2);
    QCOMPARE(model.index(0, Column::IncludedColumn).data(Qt::CheckStateRole).toInt(),
             int(Qt::Checked));
    QCOMPARE(model.index(1, Column::IncludedColumn).data(Qt::CheckStateRole).toInt(),
             int(Qt::Unchecked));
    QCOMPARE(model.index(1, Column::IncludedColumn).data(SelectionTableModel::ValueRole).toBool(),
             false);
    QVERIFY(!(model.flags(estimate) & Qt::ItemIsUserCheckable));
    QVERIFY(!(model.flags(estimate) & Qt::ItemIsEditable));
    QCOMPARE(model.headerData(Column::TauColumn, Qt::Horizontal).toString(), QString("\u03C4"));
    QVERIFY(model.headerData(Column::RankColumn, Qt::Horizontal, Qt::ToolTipRole)
                .toString()
                .startsWith("Rank 1 = strongest evidence"));
    for (int column = 0; column < SelectionTableModel::kColumnCount; ++column)
        QVERIFY(!model.headerData(column, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
}

void TestSelectionTableModel::csv()
{
    auto table = smallTable();
    table->texts[1] = "has, \"quotes\"";
    SelectionTableModel model;
    model.setTable(table);
    model.sort(Column::EstimateColumn, Qt::DescendingOrder);  // 5, 0, 2, 3, 1, 4
    QCOMPARE(model.csvForRows({ 0, 4 }),
             QByteArray("text,estimate,rank,tau,weight,included\n"
                        "Beta,0.9,1,0.3,0.3,true\n"
                        "\"has, \"\"quotes\"\"\",-0.1,5,0.3,0,false\n"));
    model.setIncludedOnly(true);
    QCOMPARE(model.csvForAllRows(),
             QByteArray("text,estimate,rank,tau,weight,included\n"
                        "Beta,0.9,1,0.3,0.3,true\n"
                        "beta,0.5,2,0.3,0.3,true\n"
                        "gamma,0.5,3,0.5,0.4,true\n"));
}

namespace {

// A table whose ranks are ranksDescending() of its estimates (ties by index), so that the rank
// and estimate sorts take their O(D) path.
std::shared_ptr<SelectionTable> rankedTable(int d, unsigned seed)
{
    auto table = randomTable(d, seed, 40);
    std::vector<int> order(static_cast<std::size_t>(d));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return table->estimate[a] > table->estimate[b]; });
    for (int r = 0; r < d; ++r)
        table->rank[order[std::size_t(r)]] = r + 1;
    return table;
}

// Waits until a model arranging in the background has applied its latest request.
bool waitArranged(const SelectionTableModel &model)
{
    QElapsedTimer waited;
    waited.start();
    while (model.isArranging() && waited.elapsed() < 20000)
        QTest::qWait(5);
    return !model.isArranging();
}

}  // namespace

// Every sort, filter and inclusion arranged off the GUI thread gives the rows the direct
// (GUI thread) path gives, with a consistent inverse.
void TestSelectionTableModel::backgroundMatchesDirect()
{
    for (const auto &table : { rankedTable(3000, 5), randomTable(3000, 6) }) {
        SelectionTableModel direct;
        SelectionTableModel background;
        QAbstractItemModelTester tester(&background,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        background.setBackgroundThreshold(0);
        direct.setTable(table);
        background.setTable(table);
        QVERIFY(background.isArranging());
        QCOMPARE(background.rowCount(), 0);  // the previous (empty) rows until it is done
        QVERIFY(waitArranged(background));
        QCOMPARE(shownTexts(background), shownTexts(direct));
        for (int column = -1; column < SelectionTableModel::kColumnCount; ++column) {
            for (const auto order : { Qt::AscendingOrder, Qt::DescendingOrder }) {
                for (const QString filter : { "", "wiki", "doc-1" }) {
                    for (const bool includedOnly : { false, true }) {
                        direct.sort(column, order);
                        direct.setFilterText(filter);
                        direct.setIncludedOnly(includedOnly);
                        background.sort(column, order);
                        background.setFilterText(filter);
                        background.setIncludedOnly(includedOnly);
                        QVERIFY(waitArranged(background));
                        QCOMPARE(background.sortColumn(), direct.sortColumn());
                        QCOMPARE(background.sortOrder(), direct.sortOrder());
                        QCOMPARE(background.textCount(), direct.textCount());
                        QCOMPARE(shownTexts(background), shownTexts(direct));
                        checkInverse(background);
                        if (QTest::currentTestFailed())
                            return;
                    }
                }
            }
        }
    }
}

// Several requests in a row: only the last is applied, once, and it is right.
void TestSelectionTableModel::backgroundLatestRequestWins()
{
    const auto first = randomTable(2000, 7);
    const auto second = rankedTable(2500, 8);
    SelectionTableModel model;
    model.setBackgroundThreshold(0);
    model.setTable(first);
    QVERIFY(waitArranged(model));
    QSignalSpy arranged(&model, &SelectionTableModel::arranged);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.sort(Column::EstimateColumn, Qt::AscendingOrder);
    model.setTable(second);
    model.sort(Column::WeightColumn, Qt::DescendingOrder);
    model.setFilterText(QStringLiteral("wiki"));
    QCOMPARE(model.rowCount(), 2000);  // still the first table's rows
    QCOMPARE(model.filterText(), QStringLiteral("wiki"));  // but what was asked
    QVERIFY(waitArranged(model));
    QTest::qWait(50);
    QCOMPARE(arranged.count(), 1);
    QCOMPARE(resets.count(), 1);
    QVERIFY(model.table() == second);
    QCOMPARE(shownTexts(model),
             referenceFilter(*second,
                             referenceOrder(*second, Column::WeightColumn, Qt::DescendingOrder),
                             QStringLiteral("wiki"), false));
    checkInverse(model);
}

// A sort arranged in the background is a layout change that keeps persistent indexes.
void TestSelectionTableModel::backgroundSortKeepsPersistentIndexes()
{
    const auto table = rankedTable(1500, 9);
    SelectionTableModel model;
    model.setBackgroundThreshold(0);
    model.setTable(table);
    QVERIFY(waitArranged(model));
    const int text = 1234;
    const QPersistentModelIndex kept(model.index(model.rowForTextIndex(text), 1));
    QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    for (const int column :
         { int(Column::EstimateColumn), int(Column::TextColumn), int(Column::TauColumn) }) {
        model.sort(column, Qt::DescendingOrder);
        QVERIFY(waitArranged(model));
        QVERIFY(kept.isValid());
        QCOMPARE(kept.row(), model.rowForTextIndex(text));
        QCOMPARE(kept.column(), 1);
        QCOMPARE(shownTexts(model), referenceOrder(*table, column, Qt::DescendingOrder));
    }
    QCOMPARE(layouts.count(), 3);
    QCOMPARE(resets.count(), 0);
}

void TestSelectionTableModel::timingAtOneMillion()
{
    // Timings for the report, not assertions (machines differ). Release builds only matter.
    const int d = 1'000'000;
    const auto table = randomTable(d, 1, 100'000);
    SelectionTableModel model;
    QElapsedTimer timer;
    timer.start();
    model.setTable(table);
    qInfo("D=%d setTable: %lld ms", d, timer.elapsed());
    const char *names[] = { "text", "estimate", "rank", "tau", "weight", "included" };
    for (int column = 0; column < SelectionTableModel::kColumnCount; ++column) {
        for (const auto order : { Qt::AscendingOrder, Qt::DescendingOrder }) {
            timer.restart();
            model.sort(column, order);
            qInfo("D=%d sort %s %s: %lld ms", d, names[column],
                  order == Qt::AscendingOrder ? "asc" : "desc", timer.elapsed());
        }
    }
    // Unique long names with a long shared prefix: several levels of the name sort.
    auto urls = std::make_shared<SelectionTable>(*table);
    for (int j = 0; j < d; ++j)
        urls->texts[j] = QStringLiteral("https://example.org/corpus/shard-%1/doc-%2")
                             .arg((qint64(j) * 7919) % 1000, 5, 10, QChar('0'))
                             .arg(j);
    model.setTable(urls);
    for (const auto order : { Qt::AscendingOrder, Qt::DescendingOrder }) {
        timer.restart();
        model.sort(Column::TextColumn, order);
        qInfo("D=%d sort text (unique URLs, long shared prefix) %s: %lld ms", d,
              order == Qt::AscendingOrder ? "asc" : "desc", timer.elapsed());
    }
    model.setTable(table);
    model.sort(Column::EstimateColumn, Qt::DescendingOrder);
    for (const QString filter :
         { "d", "doc-1", "doc-12", "doc-123", "", "wiki/doc-4", "zzz", "" }) {
        timer.restart();
        model.setFilterText(filter);
        qInfo("D=%d filter \"%s\": %d rows, %lld ms", d, qPrintable(filter), model.rowCount(),
              timer.elapsed());
    }
    timer.restart();
    model.setIncludedOnly(true);
    qInfo("D=%d included only: %d rows, %lld ms", d, model.rowCount(), timer.elapsed());
    timer.restart();
    model.setIncludedOnly(false);
    qInfo("D=%d all again: %d rows, %lld ms", d, model.rowCount(), timer.elapsed());
    QCOMPARE(model.rowCount(), d);
}

QTEST_GUILESS_MAIN(TestSelectionTableModel)
#include "tst_selectiontablemodel.moc"
