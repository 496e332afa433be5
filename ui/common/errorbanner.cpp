#include "ui/common/errorbanner.h"

#include <QEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>

namespace pcs {

namespace {

QColor mixed(const QColor &a, const QColor &b, double weightOfB)
{
    return QColor::fromRgbF(float(a.redF() * (1 - weightOfB) + b.redF() * weightOfB),
                            float(a.greenF() * (1 - weightOfB) + b.greenF() * weightOfB),
                            float(a.blueF() * (1 - weightOfB) + b.blueF() * weightOfB));
}

}  // namespace

ErrorBanner::ErrorBanner(QWidget *parent, int lines)
    : QWidget(parent)
    , m_frame(new QFrame(this))
    , m_label(new QLabel(m_frame))
    , m_action(new QPushButton(m_frame))
    , m_close(new QPushButton(m_frame))
{
    m_frame->setObjectName(QStringLiteral("bannerFrame"));
    m_label->setObjectName(QStringLiteral("bannerText"));
    m_label->setWordWrap(true);
    m_label->setTextFormat(Qt::PlainText);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    // Wrapped text must not ask for the width of its longest word either.
    m_label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    m_label->setMinimumWidth(1);
    m_action->setObjectName(QStringLiteral("bannerAction"));
    m_action->hide();
    m_close->setObjectName(QStringLiteral("bannerClose"));
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setFlat(true);
    m_close->setToolTip(tr("Dismiss"));
    connect(m_action, &QPushButton::clicked, this, &ErrorBanner::actionTriggered);
    connect(m_close, &QPushButton::clicked, this, [this] {
        clear();
        Q_EMIT dismissed();
    });

    auto *frameLayout = new QHBoxLayout(m_frame);
    frameLayout->setContentsMargins(8, 2, 2, 2);
    frameLayout->addWidget(m_label, 1);
    frameLayout->addWidget(m_action, 0, Qt::AlignVCenter);
    frameLayout->addWidget(m_close, 0, Qt::AlignTop);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 2, 6, 2);
    layout->addWidget(m_frame);

    // The reserved height: `lines` lines of text or the buttons, whichever is taller.
    const int textHeight = fontMetrics().lineSpacing() * std::max(1, lines);
    const int buttonHeight = m_action->sizeHint().height();
    setFixedHeight(std::max(textHeight, buttonHeight) + 4 + 4);
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    m_frame->setAutoFillBackground(true);
    m_frame->hide();
}

void ErrorBanner::showError(const Error &error)
{
    showError(error.toString());
}

void ErrorBanner::showError(const QString &message)
{
    display(Kind::Error, message, {});
}

void ErrorBanner::showInfo(const QString &message, const QString &actionText)
{
    display(Kind::Info, message, actionText);
}

void ErrorBanner::clear()
{
    m_kind = Kind::None;
    m_label->clear();
    m_label->setToolTip({});
    m_action->hide();
    m_frame->hide();  // the banner itself keeps its height
}

QString ErrorBanner::text() const
{
    return m_kind == Kind::None ? QString() : m_label->text();
}

void ErrorBanner::display(Kind kind, const QString &message, const QString &actionText)
{
    m_kind = kind;
    m_label->setText(message);
    m_label->setToolTip(message);
    m_action->setText(actionText);
    m_action->setVisible(!actionText.isEmpty());
    applyColours();
    m_frame->show();
}

void ErrorBanner::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyColours();
}

void ErrorBanner::applyColours()
{
    const QPalette base = palette();
    const bool dark = base.color(QPalette::Window).lightness() < 128;
    const QColor accent
        = m_kind == Kind::Error ? QColor(0xc0, 0x39, 0x2b) : base.color(QPalette::Highlight);
    QPalette frame = base;
    frame.setColor(QPalette::Window, mixed(base.color(QPalette::Base), accent, dark ? 0.35 : 0.12));
    frame.setColor(QPalette::WindowText,
                   m_kind == Kind::Error ? (dark ? QColor(0xff, 0xb4, 0xa8) : accent.darker(130))
                                         : base.color(QPalette::WindowText));
    m_frame->setPalette(frame);
    m_label->setPalette(frame);
}

}  // namespace pcs
