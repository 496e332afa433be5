#pragma once

#include "core/review/queuestore.h"

#include <QWidget>

#include <optional>

class QLabel;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTextBrowser;
class QTextEdit;

namespace pcs {

// The item selected in the review table: its state and decisions, its scores, the assessor's
// reasoning and the text. An item with a revision (or a reviewer's edit) shows the original and
// the new text side by side with the word diff highlighted. Edit mode makes the right-hand side
// editable (starting from the edit, else the revision, else the original text); Save or
// Ctrl+Enter commits through editedTextCommitted(), Escape or Cancel discards. The pane writes
// nothing itself: the page stores the edit (as a human decision) and shows the item again.
// Original and revision share the width equally, in edit mode too; the revision's critique (the
// LLM's reason for its rewrite), when the queue keeps one, shows above them.
class ReviewDetailPane : public QWidget {
    Q_OBJECT
public:
    explicit ReviewDetailPane(QWidget *parent = nullptr);
    ~ReviewDetailPane() override;

    // Shows another item (or the same one re-read); an edit in progress is discarded.
    void showItem(const QueueItem &item);
    void clear();
    bool hasItem() const { return m_item.has_value(); }
    qint64 currentItemId() const { return m_item ? m_item->id : -1; }

    void startEditing();  // no-op without an item
    void cancelEditing();
    bool isEditing() const { return m_editing; }
    QSplitter *comparisonSplitter() const { return m_comparison; }
    // Emits editedTextCommitted with the editor's text and leaves edit mode; the pane then shows
    // the text as the item's edit until the next showItem().
    void commitEditing();

Q_SIGNALS:
    void editedTextCommitted(qint64 id, const QString &text);
    void editingChanged(bool editing);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void render();
    void setEditing(bool editing);
    QString stateLine(const QueueItem &item) const;
    QString scoresLine(const QueueItem &item) const;
    // The right-hand text of the comparison: the reviewer's edit, else the revision.
    const QString &newText(const QueueItem &item) const;

    std::optional<QueueItem> m_item;
    bool m_editing = false;

    QLabel *m_state = nullptr;
    QLabel *m_scores = nullptr;
    QTextBrowser *m_reasoning = nullptr;
    QStackedWidget *m_textStack = nullptr;
    QTextBrowser *m_text = nullptr;  // single text: no revision, no edit
    QLabel *m_originalLabel = nullptr;
    QLabel *m_revisionLabel = nullptr;
    QTextBrowser *m_original = nullptr;
    QTextEdit *m_revision = nullptr;
    QLabel *m_diffNote = nullptr;
    QLabel *m_critique = nullptr;  // why the LLM rewrote it as it did
    QSplitter *m_comparison = nullptr;
    QPushButton *m_editButton = nullptr;
    QPushButton *m_saveButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
};

}  // namespace pcs
