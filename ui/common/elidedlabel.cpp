#include "ui/common/elidedlabel.h"

#include <QResizeEvent>

namespace pcs {

ElidedLabel::ElidedLabel(QWidget *parent)
    : ElidedLabel(QString(), parent)
{
}

ElidedLabel::ElidedLabel(const QString &text, QWidget *parent)
    : QLabel(parent)
{
    setTextFormat(Qt::PlainText);
    setWordWrap(false);
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setFullText(text);
}

void ElidedLabel::setFullText(const QString &text)
{
    m_fullText = text;
    setToolTip(text);
    updateShownText();
}

void ElidedLabel::setElideMode(Qt::TextElideMode mode)
{
    m_mode = mode;
    updateShownText();
}

QSize ElidedLabel::minimumSizeHint() const
{
    return { fontMetrics().averageCharWidth() * 4, fontMetrics().height() + 2 * margin() + 2 };
}

QSize ElidedLabel::sizeHint() const
{
    // What the whole text would like, but the height of one line whatever the text.
    const QSize hint = QLabel::sizeHint();
    return { std::min(hint.width(), fontMetrics().averageCharWidth() * 40),
             fontMetrics().height() + 2 * margin() + 2 };
}

void ElidedLabel::resizeEvent(QResizeEvent *event)
{
    QLabel::resizeEvent(event);
    updateShownText();
}

void ElidedLabel::updateShownText()
{
    // The first line only: a table cell of a label is one line high.
    const QString line = m_fullText.section(QLatin1Char('\n'), 0, 0);
    const int width = std::max(0, contentsRect().width());
    QLabel::setText(fontMetrics().elidedText(line, m_mode, width));
}

}  // namespace pcs
