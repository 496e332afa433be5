#include "ui/models/texttableview.h"

#include "ui/models/selectiontablemodel.h"
#include "ui/models/textfocus.h"

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QScopedValueRollback>
#include <QStyle>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>

namespace pcs {

namespace {

// Long names are cut in the middle: their start (the source) and end (the id) both show.
class MiddleElidingDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        option->textElideMode = Qt::ElideMiddle;
    }
};

}  // namespace

TextTableView::TextTableView(QWidget *parent)
    : TextTableView(nullptr, parent)
{
}

TextTableView::TextTableView(SelectionTableModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model ? model : new SelectionTableModel(this))
{
    build();
}

void TextTableView::build()
{
    m_filterEdit = new QLineEdit(m_model->filterText(), this);
    m_filterEdit->setObjectName(QStringLiteral("filterEdit"));
    m_filterEdit->setPlaceholderText(tr("Filter texts…"));
    m_filterEdit->setClearButtonEnabled(true);
    m_filterEdit->setToolTip(tr("Show only texts whose name contains this (ignoring case)"));

    m_includedOnly = new QCheckBox(tr("Included only"), this);
    m_includedOnly->setObjectName(QStringLiteral("includedOnly"));
    m_includedOnly->setChecked(m_model->includedOnly());
    m_includedOnly->setToolTip(tr("Show only texts with a sampling weight > 0"));

    m_rowCount = new QLabel(this);
    m_rowCount->setObjectName(QStringLiteral("rowCount"));

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("textTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setCornerButtonEnabled(false);
    // Fixed, uniform row heights: the view never measures a million rows.
    QHeaderView *rows = m_table->verticalHeader();
    rows->hide();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(fontMetrics().height() + 6);

    QHeaderView *columns = m_table->horizontalHeader();
    // The text column takes the spare width (see fitTextColumn) and elides names in the middle,
    // where long ids differ least; the number columns are exactly as wide as their widest
    // value, so at 1280×720 every column fits and no number is ever cut.
    columns->setSectionResizeMode(SelectionTableModel::TextColumn, QHeaderView::Interactive);
    m_table->setItemDelegateForColumn(SelectionTableModel::TextColumn,
                                      new MiddleElidingDelegate(m_table));
    fitNumberColumns();
    // Strongest evidence first, unless the model already has an order.
    const bool modelSorted = m_model->sortColumn() >= 0;
    columns->setSortIndicator(modelSorted ? m_model->sortColumn()
                                          : int(SelectionTableModel::RankColumn),
                              modelSorted ? m_model->sortOrder() : Qt::AscendingOrder);
    m_table->setSortingEnabled(true);

    auto *copyRow = new QAction(tr("Copy Row as CSV"), m_table);
    copyRow->setShortcut(QKeySequence::Copy);  // shown in the menu; the key goes to eventFilter
    copyRow->setShortcutContext(Qt::WidgetShortcut);
    connect(copyRow, &QAction::triggered, this, &TextTableView::copySelectedRows);
    auto *copyAll = new QAction(tr("Copy All Shown Rows as CSV"), m_table);
    connect(copyAll, &QAction::triggered, this, &TextTableView::copyAllShownRows);
    m_table->addActions({ copyRow, copyAll });
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->installEventFilter(this);
    m_table->viewport()->installEventFilter(this);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filterEdit, 1);
    bar->addWidget(m_includedOnly);
    bar->addWidget(m_rowCount);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);

    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(kFilterDelayMs);
    connect(m_filterTimer, &QTimer::timeout, this, &TextTableView::applyFilter);
    connect(m_filterEdit, &QLineEdit::textChanged, m_filterTimer, qOverload<>(&QTimer::start));
    connect(m_filterEdit, &QLineEdit::returnPressed, this, &TextTableView::applyFilter);
    connect(m_includedOnly, &QCheckBox::toggled, m_model, &SelectionTableModel::setIncludedOnly);

    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { onCurrentRowChanged(current.row()); });
    connect(m_model, &QAbstractItemModel::modelReset, this, &TextTableView::onModelChanged);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &TextTableView::onModelChanged);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &TextTableView::updateRowCount);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &TextTableView::updateRowCount);
    updateDistributionColumns();
    updateRowCount();
}

void TextTableView::setTable(std::shared_ptr<const SelectionTable> table)
{
    m_model->setTable(std::move(table));
    updateDistributionColumns();
}

void TextTableView::setFocusObject(TextFocus *focus)
{
    if (TextFocus *old = m_focus.data())
        disconnect(old, nullptr, this, nullptr);
    m_focus = focus;
    if (focus)
        connect(focus, &TextFocus::currentChanged, this, &TextTableView::showText);
    showText(currentText());
}

void TextTableView::copySelectedRows()
{
    QList<int> rows;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        rows.append(index.row());
    if (rows.isEmpty() && m_table->currentIndex().isValid())
        rows.append(m_table->currentIndex().row());
    if (rows.isEmpty())
        return;
    std::sort(rows.begin(), rows.end());
    const QByteArray csv = m_model->csvForRows(rows);
    auto *mime = new QMimeData;
    mime->setText(QString::fromUtf8(csv));
    mime->setData(QStringLiteral("text/csv"), csv);
    QGuiApplication::clipboard()->setMimeData(mime);
}

void TextTableView::copyAllShownRows()
{
    const QByteArray csv = m_model->csvForAllRows();
    auto *mime = new QMimeData;
    mime->setText(QString::fromUtf8(csv));
    mime->setData(QStringLiteral("text/csv"), csv);
    QGuiApplication::clipboard()->setMimeData(mime);
}

int TextTableView::neededColumnWidth(int column) const
{
    // The cell's text plus the style's margins on both sides, or the header's title with room
    // for the sort arrow, whichever is wider.
    const int margin
        = m_table->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, m_table) + 1;
    const QHeaderView *header = m_table->horizontalHeader();
    const QString title = m_model->headerData(column, Qt::Horizontal).toString();
    const int headerWidth = header->fontMetrics().horizontalAdvance(title)
        + 2 * m_table->style()->pixelMetric(QStyle::PM_HeaderMargin, nullptr, header)
        + m_table->style()->pixelMetric(QStyle::PM_HeaderMarkSize, nullptr, header) + 8;
    int cellWidth = 0;
    if (column == SelectionTableModel::RankColumn)
        cellWidth = m_table->fontMetrics().horizontalAdvance(QStringLiteral("8888888"));
    else if (column == SelectionTableModel::IncludedColumn)
        cellWidth = m_table->style()->pixelMetric(QStyle::PM_IndicatorWidth, nullptr, m_table);
    else
        cellWidth
            = m_table->fontMetrics().horizontalAdvance(SelectionTableModel::widestNumber(column));
    return std::max(headerWidth, cellWidth + 2 * margin + 4);
}

void TextTableView::fitNumberColumns()
{
    QHeaderView *columns = m_table->horizontalHeader();
    for (int column = 0; column < SelectionTableModel::kColumnCount; ++column) {
        if (column == SelectionTableModel::TextColumn)
            continue;
        columns->resizeSection(column, neededColumnWidth(column));
    }
}

void TextTableView::fitTextColumn()
{
    const QHeaderView *columns = m_table->horizontalHeader();
    int others = 0;
    for (int column = 0; column < columns->count(); ++column)
        if (column != SelectionTableModel::TextColumn)
            others += columns->sectionSize(column);
    const int minimum = fontMetrics().horizontalAdvance(QLatin1Char('x')) * kMinTextChars;
    m_table->horizontalHeader()->resizeSection(
        SelectionTableModel::TextColumn, std::max(minimum, m_table->viewport()->width() - others));
}

bool TextTableView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_table->viewport() && event->type() == QEvent::Resize)
        fitTextColumn();
    // Ctrl+C copies whole rows as CSV; QAbstractItemView would copy only the current cell.
    const bool key = event->type() == QEvent::KeyPress || event->type() == QEvent::ShortcutOverride;
    if (watched == m_table && key && static_cast<QKeyEvent *>(event)->matches(QKeySequence::Copy)) {
        event->accept();
        if (event->type() == QEvent::KeyPress)
            copySelectedRows();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void TextTableView::applyFilter()
{
    m_filterTimer->stop();
    m_model->setFilterText(m_filterEdit->text());
}

void TextTableView::onCurrentRowChanged(int row)
{
    if (m_syncing)
        return;
    const int text = m_model->textIndexForRow(row);
    if (text < 0)
        return;  // a cleared selection does not clear the focus other views show
    m_ownCurrent = text;
    if (TextFocus *focus = m_focus.data())
        focus->setCurrent(text);
}

void TextTableView::showText(int text)
{
    const QScopedValueRollback guard(m_syncing, true);
    m_ownCurrent = text;
    QItemSelectionModel *selection = m_table->selectionModel();
    const int row = m_model->rowForTextIndex(text);
    if (row < 0) {
        selection->clear();
        return;
    }
    const QModelIndex index = m_model->index(row, SelectionTableModel::TextColumn);
    selection->setCurrentIndex(index,
                               QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
}

void TextTableView::onModelChanged()
{
    // A reset drops the selection and a sort moves it: reselect the focused text and show it.
    showText(currentText());
    updateRowCount();
    // Someone may have sorted the model directly: show its order in the header. (Setting the
    // indicator sorts the model again with the same order, which it ignores.)
    QHeaderView *header = m_table->horizontalHeader();
    if (header->sortIndicatorSection() != m_model->sortColumn()
        || header->sortIndicatorOrder() != m_model->sortOrder())
        header->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
}

void TextTableView::updateRowCount()
{
    if (!m_model->table()) {
        m_rowCount->setText(tr("No texts"));
        return;
    }
    const QLocale locale;
    m_rowCount->setText(
        tr("%1 of %2 texts")
            .arg(locale.toString(m_model->rowCount()), locale.toString(m_model->textCount())));
}

void TextTableView::updateDistributionColumns()
{
    // An estimate-only table has no τ, weights or inclusion to show or filter by.
    const bool distribution = m_model->hasDistribution();
    for (const int column : { SelectionTableModel::TauColumn, SelectionTableModel::WeightColumn,
                              SelectionTableModel::IncludedColumn })
        m_table->setColumnHidden(column, !distribution);
    m_includedOnly->setEnabled(distribution);
}

int TextTableView::currentText() const
{
    const TextFocus *focus = m_focus.data();
    return focus ? focus->current() : m_ownCurrent;
}

}  // namespace pcs
