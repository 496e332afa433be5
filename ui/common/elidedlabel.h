#pragma once

#include <QLabel>

namespace pcs {

// A one-line label that elides what does not fit (the whole text is its tooltip) and never asks
// for more width than a few characters: a long status, path or error must not widen the window.
class ElidedLabel : public QLabel {
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget *parent = nullptr);
    explicit ElidedLabel(const QString &text, QWidget *parent = nullptr);

    void setFullText(const QString &text);
    void setText(const QString &text) { setFullText(text); }  // hides QLabel::setText
    const QString &fullText() const { return m_fullText; }
    void setElideMode(Qt::TextElideMode mode);

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void updateShownText();

    QString m_fullText;
    Qt::TextElideMode m_mode = Qt::ElideRight;
};

}  // namespace pcs
