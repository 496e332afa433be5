#include "ui/review/criteriaeditor.h"

#include "ui/common/filedialogs.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <set>

namespace pcs {

namespace {

enum ExampleColumn { TextColumn, ScoreColumn, ReasoningColumn };

QPlainTextEdit *smallTextEdit(const QString &placeholder, int lines)
{
    auto *edit = new QPlainTextEdit;
    edit->setPlaceholderText(placeholder);
    edit->setTabChangesFocus(true);
    const int height = edit->fontMetrics().lineSpacing() * lines + 12;
    edit->setMinimumHeight(height);
    edit->setMaximumHeight(height * 2);
    return edit;
}

}  // namespace

CriteriaEditor::CriteriaEditor(QWidget *parent)
    : QWidget(parent)
    , m_name(new QLineEdit)
    , m_principles(smallTextEdit(tr("What the texts must conform to, in plain words"), 5))
    , m_examples(new QTableWidget(0, 3))
    , m_guidance(smallTextEdit(tr("Optional: how rewrites should be done"), 2))
    , m_tryText(smallTextEdit(tr("Paste a text to try the criteria on"), 3))
    , m_try(new QPushButton(tr("&Try on this text")))
    , m_tryResult(new QLabel)
    , m_message(new QLabel)
{
    m_name->setObjectName(QStringLiteral("criteriaName"));
    m_principles->setObjectName(QStringLiteral("criteriaPrinciples"));
    m_examples->setObjectName(QStringLiteral("criteriaExamples"));
    m_guidance->setObjectName(QStringLiteral("criteriaGuidance"));
    m_tryText->setObjectName(QStringLiteral("criteriaTryText"));
    m_try->setObjectName(QStringLiteral("criteriaTryButton"));
    m_tryResult->setObjectName(QStringLiteral("criteriaTryResult"));
    m_message->setObjectName(QStringLiteral("criteriaMessage"));

    m_examples->setHorizontalHeaderLabels({ tr("Example text"), tr("Score"), tr("Reasoning") });
    m_examples->horizontalHeader()->setSectionResizeMode(TextColumn, QHeaderView::Stretch);
    m_examples->horizontalHeader()->setSectionResizeMode(ScoreColumn,
                                                         QHeaderView::ResizeToContents);
    m_examples->horizontalHeader()->setSectionResizeMode(ReasoningColumn, QHeaderView::Stretch);
    m_examples->verticalHeader()->hide();
    m_examples->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_examples->setMinimumHeight(110);
    m_examples->setToolTip(tr("Worked examples shown to the assessor: score 0 = conforms fully, "
                              "100 = certainly does not conform"));

    auto *add = new QPushButton(tr("Add"));
    add->setObjectName(QStringLiteral("criteriaAddExample"));
    auto *remove = new QPushButton(tr("Remove"));
    remove->setObjectName(QStringLiteral("criteriaRemoveExample"));
    auto *load = new QPushButton(tr("Load…"));
    load->setObjectName(QStringLiteral("criteriaLoad"));
    auto *save = new QPushButton(tr("Save as…"));
    save->setObjectName(QStringLiteral("criteriaSaveAs"));
    auto *store = new QPushButton(tr("Use in project"));
    store->setObjectName(QStringLiteral("criteriaStore"));
    store->setToolTip(tr("Stores these criteria in the project; a run also stores them"));

    m_tryResult->setWordWrap(true);
    m_tryResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Principles"), m_principles);
    auto *exampleButtons = new QHBoxLayout;
    exampleButtons->addWidget(add);
    exampleButtons->addWidget(remove);
    exampleButtons->addStretch(1);
    auto *examples = new QVBoxLayout;
    examples->addWidget(m_examples);
    examples->addLayout(exampleButtons);
    form->addRow(tr("Examples"), examples);
    form->addRow(tr("Revision"), m_guidance);

    auto *files = new QHBoxLayout;
    files->addWidget(load);
    files->addWidget(save);
    files->addStretch(1);
    files->addWidget(store);

    auto *tryRow = new QHBoxLayout;
    tryRow->addWidget(m_try);
    tryRow->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form);
    layout->addLayout(files);
    layout->addWidget(m_message);
    layout->addWidget(m_tryText);
    layout->addLayout(tryRow);
    layout->addWidget(m_tryResult);
    layout->addStretch(1);

    const auto edited = [this] {
        if (!m_loading)
            Q_EMIT changed();
    };
    connect(m_name, &QLineEdit::textEdited, this, edited);
    connect(m_principles, &QPlainTextEdit::textChanged, this, edited);
    connect(m_guidance, &QPlainTextEdit::textChanged, this, edited);
    connect(m_examples, &QTableWidget::itemChanged, this, edited);
    connect(add, &QPushButton::clicked, this, [this] { addExample(); });
    connect(remove, &QPushButton::clicked, this, &CriteriaEditor::removeSelectedExamples);
    connect(load, &QPushButton::clicked, this, &CriteriaEditor::loadWithDialog);
    connect(save, &QPushButton::clicked, this, &CriteriaEditor::saveWithDialog);
    connect(store, &QPushButton::clicked, this, &CriteriaEditor::saveToProjectRequested);
    connect(m_try, &QPushButton::clicked, this, [this] {
        if (tryText().trimmed().isEmpty()) {
            showTryResult({}, std::nullopt, tr("enter a text to try the criteria on"));
            return;
        }
        Q_EMIT tryRequested(criteria(), tryText());
    });
}

CriteriaEditor::~CriteriaEditor() = default;

void CriteriaEditor::setCriteria(const Criteria &criteria)
{
    m_loading = true;
    m_name->setText(criteria.name);
    m_principles->setPlainText(criteria.principles);
    m_guidance->setPlainText(criteria.revisionGuidance);
    m_examples->setRowCount(0);
    for (const FewShotExample &example : criteria.examples)
        addExample(example);
    m_loading = false;
}

Criteria CriteriaEditor::criteria() const
{
    Criteria criteria;
    criteria.name = m_name->text().trimmed();
    criteria.principles = m_principles->toPlainText().trimmed();
    criteria.revisionGuidance = m_guidance->toPlainText().trimmed();
    for (int row = 0; row < m_examples->rowCount(); ++row) {
        const auto text = [&](int column) {
            const QTableWidgetItem *item = m_examples->item(row, column);
            return item ? item->text().trimmed() : QString();
        };
        FewShotExample example;
        example.text = text(TextColumn);
        example.score = std::clamp(text(ScoreColumn).toInt(), 0, 100);
        example.reasoning = text(ReasoningColumn);
        if (!example.text.isEmpty())
            criteria.examples << example;
    }
    return criteria;
}

void CriteriaEditor::addExample(const FewShotExample &example)
{
    const bool wasLoading = std::exchange(m_loading, true);
    const int row = m_examples->rowCount();
    m_examples->insertRow(row);
    m_examples->setItem(row, TextColumn, new QTableWidgetItem(example.text));
    auto *score = new QTableWidgetItem;
    score->setData(Qt::EditRole, example.score);  // a spin box as its editor
    m_examples->setItem(row, ScoreColumn, score);
    m_examples->setItem(row, ReasoningColumn, new QTableWidgetItem(example.reasoning));
    m_loading = wasLoading;
    if (!m_loading) {
        m_examples->setCurrentCell(row, TextColumn);
        Q_EMIT changed();
    }
}

void CriteriaEditor::removeSelectedExamples()
{
    std::set<int, std::greater<>> rows;
    for (const QModelIndex &index : m_examples->selectionModel()->selectedIndexes())
        rows.insert(index.row());
    if (rows.empty() && m_examples->currentRow() >= 0)
        rows.insert(m_examples->currentRow());
    for (int row : rows)
        m_examples->removeRow(row);
    if (!rows.empty())
        Q_EMIT changed();
}

Status CriteriaEditor::loadFrom(const QString &path)
{
    auto loaded = Criteria::load(path);
    if (!loaded) {
        showError(loaded.error().toString());
        return loaded.error();
    }
    setCriteria(*loaded);
    m_message->hide();
    Q_EMIT changed();
    return Done {};
}

Status CriteriaEditor::saveTo(const QString &path)
{
    if (Status saved = criteria().save(path); !saved) {
        showError(saved.error().toString());
        return saved;
    }
    m_message->hide();
    return Done {};
}

void CriteriaEditor::loadWithDialog()
{
    const QString path = filedialogs::openFile(this, FileRole::Criteria, tr("Load Criteria"),
                                               tr("Criteria (*.json);;All files (*)"));
    if (!path.isEmpty())
        loadFrom(path);
}

void CriteriaEditor::saveWithDialog()
{
    const QString path = filedialogs::saveFile(this, FileRole::Criteria, tr("Save Criteria"),
                                               QStringLiteral("criteria.json"),
                                               tr("Criteria (*.json)"), QStringLiteral("json"));
    if (!path.isEmpty())
        saveTo(path);
}

void CriteriaEditor::setTryText(const QString &text)
{
    m_tryText->setPlainText(text);
}

QString CriteriaEditor::tryText() const
{
    return m_tryText->toPlainText();
}

void CriteriaEditor::showTryStarted()
{
    m_try->setEnabled(false);
    m_tryResult->setStyleSheet({});
    m_tryResult->setText(tr("Asking the assessor…"));
}

void CriteriaEditor::showTryResult(const QString &reasoning, std::optional<double> score,
                                   const QString &errorCode)
{
    m_try->setEnabled(true);
    if (!errorCode.isEmpty() || !score) {
        m_tryResult->setStyleSheet(QStringLiteral("QLabel { color: #c0392b; }"));
        m_tryResult->setText(
            tr("No score: %1").arg(errorCode.isEmpty() ? tr("the assessor gave none") : errorCode));
        return;
    }
    m_tryResult->setStyleSheet({});
    m_tryResult->setText(
        tr("<b>Score %1</b> — %2").arg(QString::number(*score, 'f', 0), reasoning.toHtmlEscaped()));
}

void CriteriaEditor::showError(const QString &message)
{
    m_message->setStyleSheet(QStringLiteral("QLabel { color: #c0392b; font-weight: 600; }"));
    m_message->setText(message);
    m_message->show();
}

}  // namespace pcs
