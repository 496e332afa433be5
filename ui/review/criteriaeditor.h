#pragma once

#include "core/common/result.h"
#include "core/review/criteria.h"

#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace pcs {

// Edits the criteria a review project is assessed with: the principles, few-shot examples
// (text, score 0–100, reasoning) and revision guidance; loads and saves them as JSON; and tries
// them on one text ("Try on this text": tryRequested, answered with showTryResult()).
class CriteriaEditor : public QWidget {
    Q_OBJECT
public:
    explicit CriteriaEditor(QWidget *parent = nullptr);
    ~CriteriaEditor() override;

    void setCriteria(const Criteria &criteria);
    Criteria criteria() const;

    // The "Load…" and "Save as…" buttons without their dialogs; errors also show inline.
    Status loadFrom(const QString &path);
    Status saveTo(const QString &path);

    void addExample(const FewShotExample &example = {});
    void removeSelectedExamples();
    QTableWidget *examplesTable() const { return m_examples; }

    void setTryText(const QString &text);
    QString tryText() const;
    void showTryStarted();
    void showTryResult(const QString &reasoning, std::optional<double> score,
                       const QString &errorCode);
    void showError(const QString &message);
    QLabel *tryResultLabel() const { return m_tryResult; }
    QPushButton *tryButton() const { return m_try; }

Q_SIGNALS:
    void changed();
    void tryRequested(const pcs::Criteria &criteria, const QString &text);
    void saveToProjectRequested();

private:
    void loadWithDialog();
    void saveWithDialog();

    QLineEdit *m_name;
    QPlainTextEdit *m_principles;
    QTableWidget *m_examples;
    QPlainTextEdit *m_guidance;
    QPlainTextEdit *m_tryText;
    QPushButton *m_try;
    QLabel *m_tryResult;
    QLabel *m_message;
    bool m_loading = false;
};

}  // namespace pcs
