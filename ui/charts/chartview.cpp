#include "ui/charts/chartview.h"

#include <QContextMenuEvent>
#include <QMouseEvent>
#include <QRubberBand>

#include <algorithm>
#include <cstdlib>

namespace pcs::charts {

namespace {
constexpr int kDragThreshold = 4;  // pixels: less than this is a click, not a zoom
}

ChartView::ChartView(QChart *chart, QWidget *parent)
    : QChartView(chart, parent)
{
    setRenderHint(QPainter::Antialiasing);
    setRenderHint(QPainter::TextAntialiasing);
    setMouseTracking(true);
    viewport()->setMouseTracking(true);
    setFrameShape(QFrame::NoFrame);
}

QPointF ChartView::toChart(const QPoint &viewPos) const
{
    return chart()->mapFromScene(mapToScene(viewPos));
}

QRect ChartView::plotAreaInView() const
{
    return mapFromScene(chart()->mapToScene(chart()->plotArea())).boundingRect();
}

void ChartView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        event->accept();  // right button: the context menu, never QChartView's zoom-out
        return;
    }
    m_pressed = true;
    m_dragging = false;
    m_pressPos = event->position().toPoint();
    event->accept();
}

void ChartView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (m_pressed && m_dragEnabled) {
        if (!m_dragging && std::abs(pos.x() - m_pressPos.x()) >= kDragThreshold
            && plotAreaInView().contains(m_pressPos)) {
            m_dragging = true;
            if (!m_band)
                m_band = new QRubberBand(QRubberBand::Rectangle, viewport());
        }
        if (m_dragging) {
            const QRect plot = plotAreaInView();
            const int left
                = std::clamp(std::min(pos.x(), m_pressPos.x()), plot.left(), plot.right());
            const int right
                = std::clamp(std::max(pos.x(), m_pressPos.x()), plot.left(), plot.right());
            m_band->setGeometry(QRect(QPoint(left, plot.top()), QPoint(right, plot.bottom())));
            m_band->show();
        }
    }
    if (!m_dragging)
        Q_EMIT hovered(toChart(pos), event->globalPosition().toPoint());
    event->accept();
}

void ChartView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || !m_pressed) {
        event->accept();
        return;
    }
    m_pressed = false;
    if (m_dragging) {
        m_dragging = false;
        m_band->hide();
        const QRect band = m_band->geometry();
        if (band.width() >= kDragThreshold)
            Q_EMIT horizontalDragged(toChart(band.topLeft()).x(), toChart(band.topRight()).x());
    } else {
        Q_EMIT clicked(toChart(event->position().toPoint()));
    }
    event->accept();
}

void ChartView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton)
        Q_EMIT doubleClicked();
    event->accept();
}

void ChartView::leaveEvent(QEvent *event)
{
    Q_EMIT left();
    QChartView::leaveEvent(event);
}

void ChartView::contextMenuEvent(QContextMenuEvent *event)
{
    Q_EMIT menuRequested(event->globalPos());
    event->accept();
}

}  // namespace pcs::charts
