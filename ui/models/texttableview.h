#pragma once

#include "core/io/selectionwriter.h"

#include <QPointer>
#include <QWidget>

#include <memory>

class QCheckBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace pcs {

class SelectionTableModel;
class TextFocus;

// The per-text table of a selection: a filter box, an "Included only" toggle, a row count and
// the table itself. Follows and sets the shared TextFocus. Sorting and filtering happen in the
// model, so both stay quick at a million texts.
class TextTableView : public QWidget {
    Q_OBJECT
public:
    // Creates and owns its model.
    explicit TextTableView(QWidget *parent = nullptr);
    // Shows `model`, which the caller owns (it must outlive this view).
    explicit TextTableView(SelectionTableModel *model, QWidget *parent = nullptr);

    void setTable(std::shared_ptr<const SelectionTable> table);
    void setFocusObject(TextFocus *focus);

    SelectionTableModel *model() const { return m_model; }
    QTableView *tableView() const { return m_table; }
    QLineEdit *filterEdit() const { return m_filterEdit; }
    QCheckBox *includedOnlyBox() const { return m_includedOnly; }
    QLabel *rowCountLabel() const { return m_rowCount; }
    // The width `column` needs for its widest value and its title (public for tests).
    int requiredColumnWidth(int column) const { return neededColumnWidth(column); }

    // Typing waits this long before filtering, so a million rows are filtered once per pause.
    static constexpr int kFilterDelayMs = 150;

public Q_SLOTS:
    void copySelectedRows();  // to the clipboard, as CSV with a header
    void copyAllShownRows();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void fitTextColumn();
    void fitNumberColumns();
    // The width a column needs to show its widest value and its title uncut.
    int neededColumnWidth(int column) const;
    // Below this the text column stops shrinking and the table scrolls sideways.
    static constexpr int kMinTextChars = 14;

private:
    void build();
    void applyFilter();
    void onCurrentRowChanged(int row);
    void showText(int text);  // select and scroll to it, or clear the selection if hidden
    void onModelChanged();
    void updateRowCount();
    void updateDistributionColumns();
    int currentText() const;

    SelectionTableModel *m_model = nullptr;
    QPointer<TextFocus> m_focus;
    QLineEdit *m_filterEdit = nullptr;
    QCheckBox *m_includedOnly = nullptr;
    QLabel *m_rowCount = nullptr;
    QTableView *m_table = nullptr;
    QTimer *m_filterTimer = nullptr;
    int m_ownCurrent = -1;  // the current text when no TextFocus is set
    bool m_syncing = false;  // set while the view follows the focus, to not echo it back
};

}  // namespace pcs
