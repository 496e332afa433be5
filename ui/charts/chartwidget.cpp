#include "ui/charts/chartwidget.h"

#include "ui/charts/chartexport.h"
#include "ui/charts/chartview.h"
#include "ui/charts/niceaxis.h"
#include "ui/models/textfocus.h"

#include <QAbstractAxis>
#include <QCategoryAxis>
#include <QChart>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontMetrics>
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
    // Axis titles are elided to the plot's size, which changes with the layout.
    connect(m_chart, &QChart::plotAreaChanged, this, &ChartWidget::elideTitles);
}

void ChartWidget::setTitleText(const QString &title)
{
    m_title = title;
    elideTitles();
}

void ChartWidget::setAxisTitle(QAbstractAxis *axis, const QString &title)
{
    m_axisTitles.insert(axis, title);
    elideTitles();
}

void ChartWidget::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    elideTitles();
}

void ChartWidget::elideTitles()
{
    if (m_eliding)
        return;  // setting a title moves the plot area, which calls this again
    m_eliding = true;
    // Qt Charts cuts long titles without a mark: elide them ourselves, at the end (they read
    // left to right), the whole title in the tooltip over it.
    if (!m_title.isNull()) {
        const QFontMetrics metrics(m_chart->titleFont());
        const int width = std::max(40, m_view->viewport()->width() - 24);
        m_shownTitle = metrics.elidedText(m_title, Qt::ElideRight, width);
        // Chart titles are HTML: a text named "<b>" must show as such.
        m_chart->setTitle(m_shownTitle.toHtmlEscaped());
    }
    const QRectF plot = m_chart->plotArea();
    for (auto it = m_axisTitles.cbegin(); it != m_axisTitles.cend(); ++it) {
        QAbstractAxis *axis = it.key();
        const QFontMetrics metrics(axis->titleFont());
        const double length = axis->orientation() == Qt::Horizontal ? plot.width() : plot.height();
        const int room = std::max(40, int(length) - 8);
        const QString shown = metrics.elidedText(it.value(), Qt::ElideRight, room);
        m_shownAxisTitles.insert(axis, shown);
        axis->setTitleText(shown.toHtmlEscaped());
    }
    m_eliding = false;
}

QString ChartWidget::elidedTitleAt(const QPointF &chartPos) const
{
    const QRectF plot = m_chart->plotArea();
    if (chartPos.y() < plot.top() && m_shownTitle != m_title)
        return m_title;
    for (auto it = m_axisTitles.cbegin(); it != m_axisTitles.cend(); ++it) {
        if (m_shownAxisTitles.value(it.key()) == it.value())
            continue;
        const bool horizontal = it.key()->orientation() == Qt::Horizontal;
        const bool left = it.key()->alignment() == Qt::AlignLeft;
        if ((horizontal && chartPos.y() > plot.bottom())
            || (!horizontal && left && chartPos.x() < plot.left())
            || (!horizontal && !left && chartPos.x() > plot.right()))
            return it.value();
    }
    return {};
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

Status ChartWidget::exportTo(const QString &path, ExportLook look)
{
    if (look == ExportLook::AsShown)
        return exportChart(m_view, path);
    // Drawn in the look asked for, then back to what the screen shows.
    const ThemeMode shown = m_themeMode;
    if (look != ExportLook::Transparent)
        setThemeMode(look == ExportLook::Dark ? ThemeMode::Dark : ThemeMode::Light);
    const QBrush background = m_chart->backgroundBrush();
    const bool backgroundVisible = m_chart->isBackgroundVisible();
    if (look == ExportLook::Transparent)
        m_chart->setBackgroundVisible(false);
    const Status written = exportChart(m_view, path);
    if (look == ExportLook::Transparent) {
        m_chart->setBackgroundVisible(backgroundVisible);
        m_chart->setBackgroundBrush(background);
    } else {
        setThemeMode(shown);
    }
    return written;
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
    const QString text = m_chart->plotArea().contains(chartPos) ? toolTipAt(valueAt(chartPos))
                                                                : elidedTitleAt(chartPos);
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
    // The look is part of the format choice, so one dialog asks for both.
    const QList<std::tuple<QString, QString, ExportLook>> formats
        = { { tr("PNG, light background (*.png)"), QStringLiteral(".png"), ExportLook::Light },
            { tr("PNG, dark background (*.png)"), QStringLiteral(".png"), ExportLook::Dark },
            { tr("PNG, transparent background (*.png)"), QStringLiteral(".png"),
              ExportLook::Transparent },
            { tr("SVG, light background (*.svg)"), QStringLiteral(".svg"), ExportLook::Light },
            { tr("SVG, dark background (*.svg)"), QStringLiteral(".svg"), ExportLook::Dark },
            { tr("SVG, transparent background (*.svg)"), QStringLiteral(".svg"),
              ExportLook::Transparent } };
    QStringList filters;
    for (const auto &[filter, suffix, look] : formats)
        filters << filter;
    QString chosen = filters.value(m_dark ? 1 : 0);
    QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), QString(),
                                                filters.join(QStringLiteral(";;")), &chosen);
    if (path.isEmpty())
        return;
    ExportLook look = ExportLook::AsShown;
    QString suffix = QStringLiteral(".png");
    for (const auto &[filter, formatSuffix, formatLook] : formats) {
        if (filter == chosen) {
            look = formatLook;
            suffix = formatSuffix;
        }
    }
    if (QFileInfo(path).suffix().isEmpty())
        path += suffix;
    const Status status = exportTo(path, look);
    if (!status)
        QMessageBox::warning(this, tr("Export chart"), status.error().toString());
}

}  // namespace pcs
