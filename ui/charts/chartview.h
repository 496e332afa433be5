#pragma once

#include <QChartView>

class QRubberBand;

namespace pcs::charts {

// A QChartView that reports the mouse in chart coordinates and leaves the meaning to its
// owner: hover, click, a horizontal drag (zoom) and the context menu. QChartView's own rubber
// band is not used because it treats a click as a zero-width zoom and right clicks as zoom-out.
class ChartView : public QChartView {
    Q_OBJECT
public:
    explicit ChartView(QChart *chart, QWidget *parent = nullptr);

    void setHorizontalDragEnabled(bool enabled) { m_dragEnabled = enabled; }

Q_SIGNALS:
    void hovered(const QPointF &chartPos, const QPoint &globalPos);
    void left();
    void clicked(const QPointF &chartPos);
    void horizontalDragged(qreal fromX, qreal toX);  // chart coordinates, fromX < toX
    void doubleClicked();
    void menuRequested(const QPoint &globalPos);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    QPointF toChart(const QPoint &viewPos) const;
    QRect plotAreaInView() const;

    QRubberBand *m_band = nullptr;
    QPoint m_pressPos;
    bool m_pressed = false;
    bool m_dragging = false;
    bool m_dragEnabled = false;
};

}  // namespace pcs::charts
