#include "ui/review/reviewdetailpane.h"

#include "core/review/assessment.h"
#include "ui/review/reviewqueuemodel.h"
#include "ui/review/worddiff.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTextBrowser>
#include <QTextEdit>
#include <QVBoxLayout>

namespace pcs {

namespace {

QString decisionHtml(const QString &decision)
{
    const char *color = "#666666";
    if (decision == QLatin1String("keep"))
        color = "#1b7f3b";
    else if (decision == QLatin1String("revise"))
        color = "#b26a00";
    else if (decision == QLatin1String("filter"))
        color = "#c62828";
    const QString shown = decision.isEmpty() ? QStringLiteral("\u2014") : decision;
    return QStringLiteral("<b style=\"color:%1\">%2</b>")
        .arg(QLatin1String(color), shown.toHtmlEscaped());
}

QString plainHtml(const QString &text)
{
    return QStringLiteral("<div style=\"white-space: pre-wrap;\">%1</div>")
        .arg(text.toHtmlEscaped());
}

QTextBrowser *readOnlyBrowser(const QString &objectName, QWidget *parent)
{
    auto *browser = new QTextBrowser(parent);
    browser->setObjectName(objectName);
    browser->setOpenLinks(false);
    browser->setLineWrapMode(QTextEdit::WidgetWidth);
    return browser;
}

}  // namespace

ReviewDetailPane::ReviewDetailPane(QWidget *parent)
    : QWidget(parent)
{
    m_state = new QLabel(this);
    m_state->setObjectName(QStringLiteral("detailState"));
    m_state->setTextFormat(Qt::RichText);
    m_state->setWordWrap(true);
    m_state->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_scores = new QLabel(this);
    m_scores->setObjectName(QStringLiteral("detailScores"));
    m_scores->setWordWrap(true);
    m_scores->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_scores->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_reasoning = readOnlyBrowser(QStringLiteral("detailReasoning"), this);
    m_reasoning->setPlaceholderText(tr("No reasoning"));
    // The reasoning is a few sentences; the text below gets the room.
    m_reasoning->setMaximumHeight(fontMetrics().lineSpacing() * 7);

    m_text = readOnlyBrowser(QStringLiteral("detailText"), this);

    auto *comparison = new QWidget(this);
    m_originalLabel = new QLabel(tr("Original"), comparison);
    m_revisionLabel = new QLabel(comparison);
    m_original = readOnlyBrowser(QStringLiteral("detailOriginal"), comparison);
    m_revision = new QTextEdit(comparison);
    m_revision->setObjectName(QStringLiteral("detailRevision"));
    m_revision->setReadOnly(true);
    m_revision->setAcceptRichText(false);
    m_revision->installEventFilter(this);
    auto *splitter = new QSplitter(Qt::Horizontal, comparison);
    m_comparison = splitter;
    splitter->setObjectName(QStringLiteral("detailComparison"));
    splitter->setChildrenCollapsible(false);
    auto *left = new QWidget(splitter);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_originalLabel);
    leftLayout->addWidget(m_original);
    auto *right = new QWidget(splitter);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_revisionLabel);
    rightLayout->addWidget(m_revision);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    for (QWidget *side : { left, right })
        side->setMinimumWidth(fontMetrics().averageCharWidth() * 12);
    m_critique = new QLabel(comparison);
    m_critique->setObjectName(QStringLiteral("detailCritique"));
    m_critique->setWordWrap(true);
    m_critique->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_critique->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_critique->hide();
    m_diffNote = new QLabel(comparison);
    m_diffNote->setObjectName(QStringLiteral("detailDiffNote"));
    m_diffNote->setWordWrap(true);
    m_diffNote->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_diffNote->hide();
    auto *comparisonLayout = new QVBoxLayout(comparison);
    comparisonLayout->setContentsMargins(0, 0, 0, 0);
    comparisonLayout->addWidget(m_critique);
    comparisonLayout->addWidget(splitter);
    comparisonLayout->addWidget(m_diffNote);

    m_textStack = new QStackedWidget(this);
    m_textStack->addWidget(m_text);
    m_textStack->addWidget(comparison);

    m_editButton = new QPushButton(tr("&Edit"), this);
    m_editButton->setObjectName(QStringLiteral("detailEditButton"));
    m_editButton->setToolTip(tr("Edit the text that will be exported for this item"));
    m_saveButton = new QPushButton(tr("&Save"), this);
    m_saveButton->setObjectName(QStringLiteral("detailSaveButton"));
    m_saveButton->setToolTip(tr("Keep this text as the reviewer's edit (Ctrl+Enter)"));
    m_cancelButton = new QPushButton(tr("Cancel"), this);
    m_cancelButton->setObjectName(QStringLiteral("detailCancelButton"));
    m_cancelButton->setToolTip(tr("Discard the changes (Esc)"));
    connect(m_editButton, &QPushButton::clicked, this, &ReviewDetailPane::startEditing);
    connect(m_saveButton, &QPushButton::clicked, this, &ReviewDetailPane::commitEditing);
    connect(m_cancelButton, &QPushButton::clicked, this, &ReviewDetailPane::cancelEditing);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_editButton);
    buttons->addWidget(m_saveButton);
    buttons->addWidget(m_cancelButton);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_state);
    layout->addWidget(m_scores);
    layout->addWidget(m_reasoning);
    layout->addWidget(m_textStack, 1);
    layout->addLayout(buttons);
    render();
}

ReviewDetailPane::~ReviewDetailPane() = default;

void ReviewDetailPane::showItem(const QueueItem &item)
{
    m_item = item;
    m_editing = false;
    render();
}

void ReviewDetailPane::clear()
{
    m_item.reset();
    m_editing = false;
    render();
}

void ReviewDetailPane::startEditing()
{
    if (!m_item || m_editing)
        return;
    setEditing(true);
}

void ReviewDetailPane::cancelEditing()
{
    if (!m_editing)
        return;
    setEditing(false);
}

void ReviewDetailPane::commitEditing()
{
    if (!m_editing || !m_item)
        return;
    const QString text = m_revision->toPlainText();
    // Shown as the edit from now on; the page's showItem() with the stored item follows.
    m_item->editedText = text;
    setEditing(false);
    Q_EMIT editedTextCommitted(m_item->id, text);
}

void ReviewDetailPane::setEditing(bool editing)
{
    m_editing = editing;
    render();
    // Both texts stay in sight while typing: the editor must not squeeze the original.
    const int half = std::max(1, m_comparison->width() / 2);
    m_comparison->setSizes({ half, half });
    if (editing) {
        m_revision->setFocus();
        m_revision->moveCursor(QTextCursor::End);
    }
    Q_EMIT editingChanged(editing);
}

bool ReviewDetailPane::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_revision && m_editing && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
        if (enter && key->modifiers().testFlag(Qt::ControlModifier)) {
            commitEditing();
            return true;
        }
        if (key->key() == Qt::Key_Escape) {
            cancelEditing();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

const QString &ReviewDetailPane::newText(const QueueItem &item) const
{
    return item.editedText.isEmpty() ? item.revisedText : item.editedText;
}

QString ReviewDetailPane::stateLine(const QueueItem &item) const
{
    QString line
        = tr("#%1 \u00b7 %2 \u00b7 decision %3 (auto %4, human %5)")
              .arg(displayedId(item).toHtmlEscaped(), itemStateName(item.state).toHtmlEscaped(),
                   decisionHtml(decisionText(item.finalDecision())),
                   decisionHtml(decisionText(item.autoDecision)),
                   decisionHtml(decisionText(item.humanDecision)));
    if (!item.requestId.isEmpty())
        line += QStringLiteral(" \u00b7 ") + tr("request %1").arg(item.requestId).toHtmlEscaped();
    if (item.state == ItemState::Error)
        line += QStringLiteral("<br><span style=\"color:#c62828\">%1</span>")
                    .arg(tr("Assessment failed (%1): %2")
                             .arg(item.errorCode, item.error)
                             .toHtmlEscaped());
    return line;
}

QString ReviewDetailPane::scoresLine(const QueueItem &item) const
{
    const auto number = [](double value) { return QString::number(value, 'f', 1); };
    QStringList parts;
    parts << tr("Score %1").arg(item.score ? number(*item.score) : QStringLiteral("\u2014"));
    if (item.llmScore)
        parts << tr("LLM %1").arg(number(*item.llmScore));
    if (item.ruleScore)
        parts << tr("rules %1").arg(number(*item.ruleScore));
    if (item.fastTextScore)
        parts << tr("fastText %1").arg(number(*item.fastTextScore));
    if (item.logprobCoverage)
        parts
            << tr("logprob coverage %1%").arg(QString::number(*item.logprobCoverage * 100, 'f', 0));
    // Without log-probs the LLM's score is the integer it wrote: say why, whether none were asked
    // for (logprobStatus) or those asked for could not be used (logprobNote).
    const QString noteCode = LogprobNote::codeOf(item.logprobNote);
    if (item.logprobStatus == QLatin1String(LogprobStatus::kNotRequested))
        parts << tr("no log-probs asked for (the integer the model wrote)");
    else if (item.logprobStatus == QLatin1String(LogprobStatus::kNotAllowed))
        parts << tr("log-probs refused by the model (the integer it wrote)");
    else if (!item.logprobStatus.isEmpty())
        parts << tr("log-probs: %1").arg(item.logprobStatus);
    else if (noteCode == QLatin1String(LogprobNote::kNotReturned))
        parts << tr("no log-probs in the answer (the integer the model wrote)");
    else if (!item.logprobNote.isEmpty())
        parts << tr("log-probs unusable: %1 (the integer the model wrote)").arg(noteCode);
    if (item.revisedScore)
        parts << tr("revision %1").arg(number(*item.revisedScore));
    return parts.join(QStringLiteral(" \u00b7 "));
}

void ReviewDetailPane::render()
{
    const bool hasItem = m_item.has_value();
    m_editButton->setVisible(!m_editing);
    m_editButton->setEnabled(hasItem);
    m_saveButton->setVisible(m_editing);
    m_cancelButton->setVisible(m_editing);
    m_revision->setReadOnly(!m_editing);
    if (!hasItem) {
        m_state->setText(tr("No item selected"));
        m_scores->clear();
        m_reasoning->clear();
        m_text->clear();
        m_original->clear();
        m_revision->clear();
        m_diffNote->hide();
        m_critique->hide();
        m_textStack->setCurrentIndex(0);
        return;
    }
    const QueueItem &item = *m_item;
    const QString &critique = item.revisionCritique;
    m_critique->setText(tr("Why the revision: %1").arg(critique));
    m_critique->setVisible(!critique.isEmpty() && !item.revisedText.isEmpty());
    m_state->setText(stateLine(item));
    m_scores->setText(scoresLine(item));
    m_reasoning->setPlainText(item.llmReasoning);

    const QString &changed = newText(item);
    if (!m_editing && changed.isEmpty()) {
        m_text->setHtml(plainHtml(item.text));
        m_diffNote->hide();
        m_textStack->setCurrentIndex(0);
        return;
    }
    m_textStack->setCurrentIndex(1);
    if (m_editing) {
        // Plain while typing: re-diffing on every keystroke would move the cursor's text about.
        m_revisionLabel->setText(tr("Your edit (Ctrl+Enter saves, Esc cancels)"));
        m_original->setHtml(plainHtml(item.text));
        m_revision->setPlainText(changed.isEmpty() ? item.text : changed);
        m_diffNote->hide();
        return;
    }
    m_revisionLabel->setText(item.editedText.isEmpty() ? tr("Revision") : tr("Your edit"));
    // The highlight colours follow the palette (dark theme: deep backgrounds, light text).
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    const DiffHtml html = diffHtml(item.text, changed, dark);
    m_original->setHtml(html.original);
    m_revision->setHtml(html.revision);
    m_diffNote->setText(html.note);
    m_diffNote->setVisible(!html.note.isEmpty());
}

}  // namespace pcs
