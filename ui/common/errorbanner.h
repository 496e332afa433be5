#pragma once

#include "core/common/error.h"

#include <QWidget>

class QFrame;
class QLabel;
class QPushButton;

namespace pcs {

// An inline message above a page's controls: an error (red), or a neutral prompt that may offer
// one action ("Use the bundled criteria"). The banner reserves its height (`lines` lines of text)
// whether or not it shows anything, so a message appearing or going never moves the controls
// under the pointer; a longer message is cut there and whole in the tooltip (and selectable).
// Colours follow the palette, so a dark theme gets a dark banner.
class ErrorBanner : public QWidget {
    Q_OBJECT
public:
    enum class Kind { None, Error, Info };

    explicit ErrorBanner(QWidget *parent = nullptr, int lines = 2);

    void showError(const Error &error);
    void showError(const QString &message);
    // A neutral message; with actionText, a button that emits actionTriggered().
    void showInfo(const QString &message, const QString &actionText = {});
    void clear();

    Kind kind() const { return m_kind; }
    QString text() const;  // empty when nothing is shown
    QPushButton *actionButton() const { return m_action; }

Q_SIGNALS:
    void actionTriggered();
    void dismissed();

protected:
    void changeEvent(QEvent *event) override;

private:
    void display(Kind kind, const QString &message, const QString &actionText);
    void applyColours();

    Kind m_kind = Kind::None;
    QFrame *m_frame;
    QLabel *m_label;
    QPushButton *m_action;
    QPushButton *m_close;
};

}  // namespace pcs
