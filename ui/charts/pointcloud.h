#pragma once

#include <QColor>
#include <QGraphicsObject>
#include <QList>
#include <QPointF>

#include <vector>

class QChart;
class QValueAxis;

namespace pcs::charts {

// Thousands of scatter points drawn by one item in one paint. QScatterSeries makes a
// QGraphicsItem per point, which costs ~40 µs each to create, lay out and paint: 5,000 points
// took ~200 ms per update; this takes a few. A child of the chart, so exports include it.
class PointCloudItem : public QGraphicsObject {
    Q_OBJECT
public:
    struct Layer {
        QList<QPointF> points;  // in axis (value) coordinates
        QColor color;
        qreal diameter = 5;
        QColor border;  // invalid = none
    };

    PointCloudItem(QChart *chart, QValueAxis *x, QValueAxis *y);

    void setLayers(std::vector<Layer> layers);  // drawn in order: the last on top
    const std::vector<Layer> &layers() const { return m_layers; }
    // Follows the plot area and the axes' ranges; call when either changed.
    void relayout();

    QRectF boundingRect() const override { return m_plotArea; }
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QChart *m_chart;
    QValueAxis *m_x;
    QValueAxis *m_y;
    std::vector<Layer> m_layers;
    QRectF m_plotArea;
};

}  // namespace pcs::charts
