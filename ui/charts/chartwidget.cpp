#include "charts/chartwidget.h"

#include "charts/chartexport.h"
#include "charts/chartview.h"
#include "charts/niceaxis.h"
#include "textfocus.h"

#include <QCategoryAxis>
#include <QChart>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGraphicsLayout>
#include <QMenu>
#include <QMessageBox>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QXYSeries>

#include <algorithm>
#include <cmath>

namespace pcs {

ChartWidget::ChartWidget(QWidget *parent)
    : QWidget(parent)
    , m_chart(new QChart)
    , m_view(new charts::ChartView(m_chart, this))
    , m_layout(new QVBoxLayout(this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(4);
    m_layout->addWidget(m_view, 1);
    m_chart->setAnimationOptions(QChart::NoAnimation);  // instant updates at any size
    m_chart->setMargins(QMargins(6, 6, 24, 6));  // room for the last x label, centred on the edge
    // No padding around the background: it fills the view, and so the exported image.
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    connect(m_view, &charts::ChartView::hovered, this, &ChartWidget::hover);
    connect(m_view, &charts::ChartView::left, this, [] { QToolTip::hideText(); });
    connect(m_view, &charts::ChartView::clicked, this,
            [this](const QPointF &pos) { clicked(valueAt(pos)); });
    connect(m_view, &charts::ChartView::horizontalDragged, this, &ChartWidget::drag);
    connect(m_view, &charts::ChartView::menuRequested, this, &ChartWidget::showMenu);
    connect(m_view, &charts::ChartView::doubleClicked, this, &ChartWidget::resetZoom);
}

ChartWidget::~ChartWidget() = default;

QChartView *ChartWidget::chartView() const
{
    return m_view;
}

void ChartWidget::setFocusObject(TextFocus *focus)
{
    if (focus == m_focus)
        return;
    disconnect(m_focusConnection);
    m_focus = focus;
    if (focus)
        m_focusConnection = connect(focus, &TextFocus::currentChanged, this,
                                    [this](int text) { textFocusChanged(text); });
    textFocusChanged(currentText());
}

void ChartWidget::setThemeMode(ThemeMode mode)
{
    m_themeMode = mode;
    refreshTheme();
}

void ChartWidget::refreshTheme()
{
    const bool follow = m_themeMode == ThemeMode::FollowPalette;
    m_dark = follow ? charts::isDarkPalette(palette()) : m_themeMode == ThemeMode::Dark;
    const QPalette pal = palette();
    charts::applyChartTheme(m_chart, m_dark, follow ? &pal : nullptr);
    m_colors = charts::chartColors(m_dark);
    applyColors(m_colors);
}

void ChartWidget::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange && m_themeMode == ThemeMode::FollowPalette)
        refreshTheme();
    QWidget::changeEvent(event);
}

Status ChartWidget::exportTo(const QString &path) const
{
    return exportChart(m_view, path);
}

void ChartWidget::setPrimaryAxes(QValueAxis *x, QValueAxis *y)
{
    m_axisX = x;
    m_axisY = y;
}

QPointF ChartWidget::valueAt(const QPointF &chartPos) const
{
    const QRectF plot = m_chart->plotArea();
    if (!m_axisX || !m_axisY || plot.isEmpty())
        return {};
    const double x = m_axisX->min()
        + (chartPos.x() - plot.left()) / plot.width() * (m_axisX->max() - m_axisX->min());
    const double y = m_axisY->max()
        - (chartPos.y() - plot.top()) / plot.height() * (m_axisY->max() - m_axisY->min());
    return { x, y };
}

QPointF ChartWidget::positionOf(const QPointF &value) const
{
    const QRectF plot = m_chart->plotArea();
    if (!m_axisX || !m_axisY)
        return {};
    const double spanX = m_axisX->max() - m_axisX->min();
    const double spanY = m_axisY->max() - m_axisY->min();
    const double x
        = plot.left() + (spanX > 0 ? (value.x() - m_axisX->min()) / spanX : 0.5) * plot.width();
    const double y
        = plot.bottom() - (spanY > 0 ? (value.y() - m_axisY->min()) / spanY : 0.5) * plot.height();
    return { x, y };
}

void ChartWidget::setAxisRange(QValueAxis *axis, double min, double max)
{
    if (auto *nice = qobject_cast<QCategoryAxis *>(axis))
        charts::setNiceRange(nice, min, max);
    else
        axis->setRange(min, max);
}

void ChartWidget::setHorizontalZoomEnabled(bool enabled)
{
    m_zoomEnabled = enabled;
    m_view->setHorizontalDragEnabled(enabled);
}

void ChartWidget::setFullXRange(double min, double max)
{
    m_fullXMin = min;
    m_fullXMax = max;
    if (m_axisX) {
        setAxisRange(m_axisX, min, max);
    }
}

bool ChartWidget::isZoomed() const
{
    return m_axisX && (m_axisX->min() > m_fullXMin || m_axisX->max() < m_fullXMax);
}

int ChartWidget::currentText() const
{
    const TextFocus *focus = m_focus.data();  // one load: QPointer may turn null in between
    return focus ? focus->current() : -1;
}

void ChartWidget::pickText(int text)
{
    if (TextFocus *focus = m_focus.data())
        focus->setCurrent(text);
}

int ChartWidget::drawingBuckets() const
{
    double width = m_chart->plotArea().width();
    if (width < 50)  // not laid out yet: assume a typical chart width
        width = std::max(800, m_view->width() - 100);
    return std::clamp(int(std::ceil(width * devicePixelRatioF())), 200, 8192);
}

int ChartWidget::nearestPoint(const QXYSeries *series, const QPointF &value, double maxPixels) const
{
    const QPointF target = positionOf(value);
    const QList<QPointF> points = series->points();
    int best = -1;
    double bestDistance = maxPixels * maxPixels;
    for (int i = 0; i < points.size(); ++i) {
        const QPointF d = positionOf(points[i]) - target;
        const double distance = d.x() * d.x() + d.y() * d.y();
        if (distance <= bestDistance) {
            bestDistance = distance;
            best = i;
        }
    }
    return best;
}

void ChartWidget::hover(const QPointF &chartPos, const QPoint &globalPos)
{
    const QString text
        = m_chart->plotArea().contains(chartPos) ? toolTipAt(valueAt(chartPos)) : QString();
    if (text.isEmpty())
        QToolTip::hideText();
    else  // as HTML, so that names which look like markup show literally, line breaks kept
        QToolTip::showText(
            globalPos,
            QStringLiteral("<p style='white-space:pre'>%1</p>").arg(text.toHtmlEscaped()), m_view);
}

void ChartWidget::drag(qreal fromX, qreal toX)
{
    if (!m_zoomEnabled || !m_axisX)
        return;
    const double min = std::max(m_fullXMin, valueAt({ fromX, 0 }).x());
    const double max = std::min(m_fullXMax, valueAt({ toX, 0 }).x());
    if (max <= min)
        return;
    setAxisRange(m_axisX, min, max);
    visibleRangeChanged();
}

void ChartWidget::resetZoom()
{
    if (!m_zoomEnabled || !isZoomed())
        return;
    setAxisRange(m_axisX, m_fullXMin, m_fullXMax);
    visibleRangeChanged();
}

void ChartWidget::showMenu(const QPoint &globalPos)
{
    QMenu menu(this);
    addMenuActions(&menu);
    if (m_zoomEnabled) {
        QAction *reset = menu.addAction(tr("Reset zoom"), this, &ChartWidget::resetZoom);
        reset->setEnabled(isZoomed());
    }
    if (!menu.isEmpty())
        menu.addSeparator();
    menu.addAction(tr("Export chart…"), this, &ChartWidget::exportWithDialog);
    menu.exec(globalPos);
}

void ChartWidget::exportWithDialog()
{
    QString filter;
    QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), QString(),
                                                chartExportFilter(), &filter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += filter.contains(QLatin1String("*.svg")) ? QLatin1String(".svg")
                                                        : QLatin1String(".png");
    const Status status = exportTo(path);
    if (!status)
        QMessageBox::warning(this, tr("Export chart"), status.error().toString());
}

}  // namespace pcs
