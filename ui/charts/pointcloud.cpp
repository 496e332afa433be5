#include "ui/charts/pointcloud.h"

#include <QChart>
#include <QPainter>
#include <QValueAxis>

namespace pcs::charts {

PointCloudItem::PointCloudItem(QChart *chart, QValueAxis *x, QValueAxis *y)
    : QGraphicsObject(chart)
    , m_chart(chart)
    , m_x(x)
    , m_y(y)
{
    // Above the grid and lines, below scatter series (the focus marker draws on top).
    setZValue(6.5);
    // Screen repaints (hover, a moving focus marker) blit the cached cloud instead of redrawing it.
    setCacheMode(QGraphicsItem::DeviceCoordinateCache);
    setAcceptedMouseButtons(Qt::NoButton);
    setAcceptHoverEvents(false);
    connect(chart, &QChart::plotAreaChanged, this, &PointCloudItem::relayout);
    connect(x, &QValueAxis::rangeChanged, this, &PointCloudItem::relayout);
    connect(y, &QValueAxis::rangeChanged, this, &PointCloudItem::relayout);
    relayout();
}

void PointCloudItem::setLayers(std::vector<Layer> layers)
{
    m_layers = std::move(layers);
    update();
}

void PointCloudItem::relayout()
{
    const QRectF plot = m_chart->plotArea();
    if (plot != m_plotArea) {
        prepareGeometryChange();
        m_plotArea = plot;
    }
    update();
}

void PointCloudItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option,
                           QWidget *widget)
{
    Q_UNUSED(option)
    Q_UNUSED(widget)
    const double spanX = m_x->max() - m_x->min();
    const double spanY = m_y->max() - m_y->min();
    if (m_plotArea.isEmpty() || !(spanX > 0) || !(spanY > 0))
        return;
    const double sx = m_plotArea.width() / spanX;
    const double sy = m_plotArea.height() / spanY;
    painter->save();
    painter->setClipRect(m_plotArea);
    painter->setRenderHint(QPainter::Antialiasing);
    for (const Layer &layer : m_layers) {
        painter->setPen(layer.border.isValid() ? QPen(layer.border, 1.0) : QPen(Qt::NoPen));
        painter->setBrush(layer.color);
        const qreal r = layer.diameter / 2;
        for (const QPointF &p : layer.points) {
            const QPointF at(m_plotArea.left() + (p.x() - m_x->min()) * sx,
                             m_plotArea.bottom() - (p.y() - m_y->min()) * sy);
            painter->drawEllipse(at, r, r);
        }
    }
    painter->restore();
}

}  // namespace pcs::charts
