#include "ui/common/taskstatusrow.h"

#include "ui/common/elidedlabel.h"

#include <QHBoxLayout>
#include <QProgressBar>
#include <QPushButton>
#include <QStyle>

namespace pcs {

namespace {

void retainSpace(QWidget *widget)
{
    QSizePolicy policy = widget->sizePolicy();
    policy.setRetainSizeWhenHidden(true);
    widget->setSizePolicy(policy);
}

}  // namespace

TaskStatusRow::TaskStatusRow(QWidget *parent)
    : QWidget(parent)
    , m_status(new ElidedLabel(this))
    , m_progress(new QProgressBar(this))
    , m_pause(new QPushButton(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"), this))
    , m_cancel(new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Cancel"), this))
{
    m_status->setObjectName(QStringLiteral("taskStatus"));
    m_progress->setObjectName(QStringLiteral("taskProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setFixedWidth(200);
    m_pause->setObjectName(QStringLiteral("taskPause"));
    m_cancel->setObjectName(QStringLiteral("taskCancel"));
    for (QWidget *widget : { static_cast<QWidget *>(m_progress), static_cast<QWidget *>(m_pause),
                             static_cast<QWidget *>(m_cancel) })
        retainSpace(widget);
    connect(m_cancel, &QPushButton::clicked, this, &TaskStatusRow::cancelRequested);
    connect(m_pause, &QPushButton::clicked, this, &TaskStatusRow::pauseRequested);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(9, 2, 9, 2);
    layout->addWidget(m_status, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_pause);
    layout->addWidget(m_cancel);
    // The tallest of its parts, whether they show or not.
    const int height = std::max({ m_status->sizeHint().height(), m_progress->sizeHint().height(),
                                  m_cancel->sizeHint().height() });
    setFixedHeight(height + layout->contentsMargins().top() + layout->contentsMargins().bottom());
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
    updateVisibility();
}

void TaskStatusRow::setStatus(const QString &text)
{
    m_status->setFullText(text);
}

QString TaskStatusRow::status() const
{
    return m_status->fullText();
}

void TaskStatusRow::setBusy(bool busy)
{
    m_busy = busy;
    if (busy) {
        m_progress->setRange(0, 0);  // indeterminate until the first progress
        m_progress->setValue(0);
    }
    updateVisibility();
}

void TaskStatusRow::setProgress(int permille, const QString &activity)
{
    m_progress->setRange(0, 1000);
    m_progress->setValue(std::clamp(permille, 0, 1000));
    if (!activity.isEmpty())
        setStatus(activity + QStringLiteral("…"));
}

void TaskStatusRow::setCancelable(bool cancelable)
{
    m_cancelable = cancelable;
    updateVisibility();
}

void TaskStatusRow::setPausable(bool pausable)
{
    m_pausable = pausable;
    updateVisibility();
}

void TaskStatusRow::updateVisibility()
{
    m_progress->setVisible(m_busy);
    m_cancel->setVisible(m_busy && m_cancelable);
    m_pause->setVisible(m_busy && m_pausable);
}

}  // namespace pcs
