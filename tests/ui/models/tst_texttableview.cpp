#include "ui/models/selectiontablemodel.h"
#include "ui/models/textfocus.h"
#include "ui/models/texttableview.h"

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

#include <cmath>
#include <numeric>

using pcs::SelectionTable;
using pcs::SelectionTableModel;
using pcs::TextFocus;
using pcs::TextTableView;
using Column = SelectionTableModel::Column;

namespace {

// D texts: "wiki-…" every seventh, "web-…" otherwise; every fifth included.
std::shared_ptr<SelectionTable> makeTable(int d, double phase = 0.0)
{
    auto table = std::make_shared<SelectionTable>();
    table->estimate.resize(d);
    table->tau = Eigen::VectorXd::Constant(d, 5.0 / d);
    table->weight = Eigen::VectorXd::Zero(d);
    for (int j = 0; j < d; ++j) {
        const QString source = QString::fromLatin1(j % 7 ? "web" : "wiki");
        table->texts.append(QStringLiteral("%1-%2").arg(source).arg(j, 6, 10, QChar('0')));
        table->estimate[j] = std::sin(j * 0.37 + phase);
        if (j % 5 == 0)
            table->weight[j] = 5.0 / d;
    }
    std::vector<int> order(std::size_t(d), 0);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return table->estimate[a] > table->estimate[b]; });
    table->rank.resize(d);
    for (int r = 0; r < d; ++r)
        table->rank[order[std::size_t(r)]] = r + 1;
    return table;
}

QPoint headerCenter(QHeaderView *header, int section)
{
    return { header->sectionViewportPosition(section) + header->sectionSize(section) / 2,
             header->height() / 2 };
}

}  // namespace

class TestTextTableView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void initialState();
    void typingFilters();
    void includedOnly();
    void headerClickSorts();
    void selectingRowSetsFocus();
    void focusSelectsRow();
    void focusSurvivesFilterAndSort();
    void copyAsCsv();
    void rerunKeepsState();
    void estimateOnlyTable();
    void externalModel();
    void timingAtOneMillion();

private:
    std::unique_ptr<TextTableView> m_view;
    std::unique_ptr<TextFocus> m_focus;
    std::shared_ptr<SelectionTable> m_table;
};

void TestTextTableView::init()
{
    m_focus = std::make_unique<TextFocus>();
    m_view = std::make_unique<TextTableView>();
    m_table = makeTable(263);
    m_view->setTable(m_table);
    m_view->setFocusObject(m_focus.get());
    m_view->resize(900, 600);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
}

void TestTextTableView::cleanup()
{
    m_view.reset();
    m_focus.reset();
}

void TestTextTableView::initialState()
{
    QCOMPARE(m_view->rowCountLabel()->text(), QString("263 of 263 texts"));
    QCOMPARE(m_view->filterEdit()->placeholderText(), QString("Filter texts…"));
    QVERIFY(m_view->filterEdit()->isClearButtonEnabled());
    QTableView *table = m_view->tableView();
    QVERIFY(table->isSortingEnabled());
    QVERIFY(table->alternatingRowColors());
    QCOMPARE(table->selectionBehavior(), QAbstractItemView::SelectRows);
    QCOMPARE(table->selectionMode(), QAbstractItemView::SingleSelection);
    // Strongest evidence first.
    QCOMPARE(m_view->model()->sortColumn(), int(Column::RankColumn));
    QCOMPARE(m_view->model()->index(0, Column::RankColumn).data().toString(), QString("1"));
    QVERIFY(m_view->includedOnlyBox()->isEnabled());
    QVERIFY(!table->isColumnHidden(Column::WeightColumn));
}

void TestTextTableView::typingFilters()
{
    SelectionTableModel *model = m_view->model();
    QTest::keyClicks(m_view->filterEdit(), "WIKI-0001");
    QCOMPARE(model->rowCount(), 263);  // debounced: nothing filtered yet
    // wiki-000105, 112, …, 196: j % 7 == 0 in [100, 199]
    QTRY_COMPARE(model->rowCount(), 14);
    QCOMPARE(model->filterText(), QString("WIKI-0001"));
    QCOMPARE(m_view->rowCountLabel()->text(), QString("14 of 263 texts"));
    for (int row = 0; row < model->rowCount(); ++row)
        QVERIFY(model->index(row, 0).data().toString().startsWith("wiki-0001"));
    m_view->filterEdit()->clear();
    QTRY_COMPARE(model->rowCount(), 263);
}

void TestTextTableView::includedOnly()
{
    QTest::mouseClick(m_view->includedOnlyBox(), Qt::LeftButton);
    QVERIFY(m_view->model()->includedOnly());
    QCOMPARE(m_view->model()->rowCount(), 53);  // j % 5 == 0 for j < 263
    QCOMPARE(m_view->rowCountLabel()->text(), QString("53 of 263 texts"));
}

void TestTextTableView::headerClickSorts()
{
    QHeaderView *header = m_view->tableView()->horizontalHeader();
    SelectionTableModel *model = m_view->model();
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                      headerCenter(header, Column::EstimateColumn));
    QCOMPARE(model->sortColumn(), int(Column::EstimateColumn));
    QCOMPARE(model->sortOrder(), Qt::DescendingOrder);  // a first click shows the best first
    QCOMPARE(header->sortIndicatorSection(), int(Column::EstimateColumn));
    double previous
        = model->index(0, Column::EstimateColumn).data(SelectionTableModel::ValueRole).toDouble();
    for (int row = 1; row < model->rowCount(); ++row) {
        const double value = model->index(row, Column::EstimateColumn)
                                 .data(SelectionTableModel::ValueRole)
                                 .toDouble();
        QVERIFY(value <= previous);
        previous = value;
    }
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                      headerCenter(header, Column::EstimateColumn));
    QCOMPARE(model->sortOrder(), Qt::AscendingOrder);
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                      headerCenter(header, Column::TextColumn));
    QCOMPARE(model->sortColumn(), int(Column::TextColumn));
    QCOMPARE(model->sortOrder(), Qt::AscendingOrder);
    QCOMPARE(model->index(0, 0).data().toString(), QString("web-000001"));
}

void TestTextTableView::selectingRowSetsFocus()
{
    QTableView *table = m_view->tableView();
    SelectionTableModel *model = m_view->model();
    QSignalSpy changes(m_focus.get(), &TextFocus::currentChanged);
    const QModelIndex third = model->index(3, Column::EstimateColumn);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(third).center());
    QCOMPARE(m_focus->current(), model->textIndexForRow(3));
    QCOMPARE(changes.count(), 1);  // no echo back from the view
    QCOMPARE(table->selectionModel()->selectedRows().size(), 1);
    table->setFocus();
    QTest::keyClick(table, Qt::Key_Down);
    QCOMPARE(m_focus->current(), model->textIndexForRow(4));
    QCOMPARE(changes.count(), 2);
}

void TestTextTableView::focusSelectsRow()
{
    QTableView *table = m_view->tableView();
    SelectionTableModel *model = m_view->model();
    QSignalSpy changes(m_focus.get(), &TextFocus::currentChanged);
    const int text = model->textIndexForRow(250);  // far below the fold
    m_focus->setCurrent(text);
    QCOMPARE(changes.count(), 1);
    QCOMPARE(table->currentIndex().row(), 250);
    const QModelIndexList selected = table->selectionModel()->selectedRows();
    QCOMPARE(selected.size(), 1);
    QCOMPARE(selected.first().row(), 250);
    QVERIFY(table->viewport()->rect().intersects(table->visualRect(model->index(250, 0))));
    m_focus->setCurrent(-1);
    QVERIFY(!table->selectionModel()->hasSelection());
}

void TestTextTableView::focusSurvivesFilterAndSort()
{
    QTableView *table = m_view->tableView();
    SelectionTableModel *model = m_view->model();
    m_focus->setCurrent(14);  // wiki-000014
    m_view->filterEdit()->setText("web");
    QTRY_COMPARE(model->filterText(), QString("web"));
    QVERIFY(!table->selectionModel()->hasSelection());  // hidden by the filter
    QCOMPARE(m_focus->current(), 14);  // but still the focus of other views
    m_view->filterEdit()->setText("wiki");
    QTRY_COMPARE(model->filterText(), QString("wiki"));
    QCOMPARE(table->currentIndex().row(), model->rowForTextIndex(14));
    model->sort(Column::TextColumn, Qt::DescendingOrder);
    QCOMPARE(table->currentIndex().row(), model->rowForTextIndex(14));
    QCOMPARE(table->selectionModel()->selectedRows().first().row(), model->rowForTextIndex(14));
    QCOMPARE(m_focus->current(), 14);
}

void TestTextTableView::copyAsCsv()
{
    QTableView *table = m_view->tableView();
    SelectionTableModel *model = m_view->model();
    m_focus->setCurrent(10);
    table->setFocus();
    QGuiApplication::clipboard()->clear();
    QTest::keyClick(table, Qt::Key_C, Qt::ControlModifier);
    QByteArray row = "web-000010,";
    pcs::appendNumber(row, m_table->estimate[10]);
    row += ',' + QByteArray::number(m_table->rank[10]) + ',';
    pcs::appendNumber(row, 5.0 / 263);
    row += ',';
    pcs::appendNumber(row, 5.0 / 263);
    const QString expected
        = QString::fromUtf8("text,estimate,rank,tau,weight,included\n" + row + ",true\n");
    QCOMPARE(QGuiApplication::clipboard()->text(), expected);
    QCOMPARE(QString::fromUtf8(model->csvForRows({ model->rowForTextIndex(10) })), expected);

    QCOMPARE(table->actions().size(), 2);  // the context menu
    m_view->filterEdit()->setText("wiki-00002");
    QTRY_COMPARE(model->rowCount(), 2);  // wiki-000021, wiki-000028
    m_view->copyAllShownRows();
    const QStringList lines = QGuiApplication::clipboard()->text().split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines[1].startsWith("wiki-0000") && lines[2].startsWith("wiki-0000"));
}

void TestTextTableView::rerunKeepsState()
{
    SelectionTableModel *model = m_view->model();
    model->sort(Column::EstimateColumn, Qt::DescendingOrder);
    m_view->filterEdit()->setText("wiki");
    QTRY_COMPARE(model->rowCount(), 38);
    m_focus->setCurrent(70);
    m_view->setTable(makeTable(263, 1.0));  // same texts, new numbers
    QCOMPARE(model->sortColumn(), int(Column::EstimateColumn));
    QCOMPARE(model->sortOrder(), Qt::DescendingOrder);
    QCOMPARE(model->rowCount(), 38);
    QCOMPARE(m_view->tableView()->horizontalHeader()->sortIndicatorSection(),
             int(Column::EstimateColumn));
    QCOMPARE(m_view->tableView()->currentIndex().row(), model->rowForTextIndex(70));
    QCOMPARE(m_view->rowCountLabel()->text(), QString("38 of 263 texts"));
}

void TestTextTableView::estimateOnlyTable()
{
    auto table = makeTable(20);
    table->tau.resize(0);
    table->weight.resize(0);
    m_view->setTable(table);
    QVERIFY(m_view->tableView()->isColumnHidden(Column::TauColumn));
    QVERIFY(m_view->tableView()->isColumnHidden(Column::WeightColumn));
    QVERIFY(m_view->tableView()->isColumnHidden(Column::IncludedColumn));
    QVERIFY(!m_view->includedOnlyBox()->isEnabled());
    QCOMPARE(m_view->rowCountLabel()->text(), QString("20 of 20 texts"));
    m_view->setTable(m_table);
    QVERIFY(!m_view->tableView()->isColumnHidden(Column::WeightColumn));
    m_view->setTable(nullptr);
    QCOMPARE(m_view->rowCountLabel()->text(), QString("No texts"));
}

void TestTextTableView::externalModel()
{
    SelectionTableModel model;
    model.setTable(m_table);
    model.sort(Column::WeightColumn, Qt::DescendingOrder);
    model.setFilterText("wiki");
    {
        TextTableView view(&model);
        QCOMPARE(view.model(), &model);
        QCOMPARE(model.sortColumn(), int(Column::WeightColumn));
        QCOMPARE(model.sortOrder(), Qt::DescendingOrder);
        QCOMPARE(view.filterEdit()->text(), QString("wiki"));
        QCOMPARE(view.rowCountLabel()->text(), QString("38 of 263 texts"));
    }
    QCOMPARE(model.rowCount(), 38);  // the view did not own it
}

void TestTextTableView::timingAtOneMillion()
{
    // Through the real view, including QTableView's reaction. Printed, not asserted.
    const int d = 1'000'000;
    const auto big = makeTable(d);
    SelectionTableModel *model = m_view->model();
    QElapsedTimer timer;
    timer.start();
    m_view->setTable(big);
    QCoreApplication::processEvents();
    qInfo("D=%d view setTable (sorted by rank): %lld ms", d, timer.elapsed());
    QHeaderView *header = m_view->tableView()->horizontalHeader();
    timer.restart();
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                      headerCenter(header, Column::EstimateColumn));
    QCoreApplication::processEvents();
    qInfo("D=%d view header click sort by estimate: %lld ms", d, timer.elapsed());
    m_view->filterEdit()->setText("wiki-0012");
    timer.restart();
    QTest::keyClick(m_view->filterEdit(), Qt::Key_Return);
    QCoreApplication::processEvents();
    qInfo("D=%d view filter \"wiki-0012\": %d rows, %lld ms", d, model->rowCount(),
          timer.elapsed());
    m_view->filterEdit()->clear();
    timer.restart();
    QTest::keyClick(m_view->filterEdit(), Qt::Key_Return);
    QCoreApplication::processEvents();
    qInfo("D=%d view filter cleared: %d rows, %lld ms", d, model->rowCount(), timer.elapsed());
    timer.restart();
    m_focus->setCurrent(d - 1);
    QCoreApplication::processEvents();
    qInfo("D=%d view focus jump: %lld ms", d, timer.elapsed());
    QCOMPARE(m_view->tableView()->currentIndex().row(), model->rowForTextIndex(d - 1));
}

QTEST_MAIN(TestTextTableView)
#include "tst_texttableview.moc"
