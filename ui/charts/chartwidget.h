#pragma once

#include "core/common/result.h"
#include "ui/charts/charttheme.h"
#include "ui/models/textfocus.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

class QAbstractAxis;
class QChart;
class QChartView;
class QMenu;
class QValueAxis;
class QVBoxLayout;
class QXYSeries;

namespace pcs {

namespace charts {
class ChartView;
}

// What every chart of the app shares: a QChartView (antialiased, HiDPI-sharp), a light or dark
// theme that follows the app palette unless set, the shared TextFocus, tooltips on hover,
// clicks in value coordinates, an optional horizontal zoom (drag; "Reset zoom") and
// "Export chart…" (PNG/SVG) in the context menu.
class ChartWidget : public QWidget {
    Q_OBJECT
public:
    enum class ThemeMode { FollowPalette, Light, Dark };

    explicit ChartWidget(QWidget *parent = nullptr);
    ~ChartWidget() override;

    QChart *chart() const { return m_chart; }
    QChartView *chartView() const;

    void setFocusObject(TextFocus *focus);
    TextFocus *focusObject() const { return m_focus; }

    void setThemeMode(ThemeMode mode);
    ThemeMode themeMode() const { return m_themeMode; }
    bool isDark() const { return m_dark; }
    const charts::ChartColors &colors() const { return m_colors; }

    // The chart's title as plain text: shown elided to the chart's width, whole in the tooltip
    // over it. Axis titles likewise (to the plot's width or height).
    void setTitleText(const QString &title);
    QString fullTitle() const { return m_title; }
    void setAxisTitle(QAbstractAxis *axis, const QString &title);
    QString fullAxisTitle(QAbstractAxis *axis) const { return m_axisTitles.value(axis); }
    // What is shown as the title now (plain text, "…" where elided).
    QString shownTitle() const { return m_shownTitle; }
    QString shownAxisTitle(QAbstractAxis *axis) const { return m_shownAxisTitles.value(axis); }

    // The hover text at a point in axis (value) coordinates; empty = no tooltip there.
    virtual QString toolTipAt(const QPointF &value) const = 0;
    // Acts as a click at a value: most charts pick the nearest text into the TextFocus.
    void clickAt(const QPointF &value) { clicked(value); }

    // Writes the chart as PNG or SVG (by extension); see exportChart().
    Status exportTo(const QString &path) const;
    // The look of an exported figure, whatever the app's theme: a paper wants light, slides
    // often dark, and a figure laid over another background transparent.
    enum class ExportLook { AsShown, Light, Dark, Transparent };
    Status exportTo(const QString &path, ExportLook look);
    // Asks for a file name (PNG or SVG) and exports; errors are shown in a message box.
    void exportWithDialog();

    // How long the last data update took on the GUI thread, in milliseconds.
    double lastUpdateMilliseconds() const { return m_updateMilliseconds; }

    // Shows the full x range again after a zoom (also: double-click, "Reset zoom").
    void resetZoom();

    // Axis value <-> chart position (chart item coordinates), through the primary axes.
    QPointF valueAt(const QPointF &chartPos) const;
    QPointF positionOf(const QPointF &value) const;

protected:
    // The axes that hover, clicks and zoom refer to; call once from the constructor.
    void setPrimaryAxes(QValueAxis *x, QValueAxis *y);
    QValueAxis *axisX() const { return m_axisX; }
    QValueAxis *axisY() const { return m_axisY; }
    QVBoxLayout *contentLayout() const { return m_layout; }

    // Applies the current theme and then applyColors(); subclasses call it at the end of
    // their constructor (virtual calls do not reach them from ours).
    void refreshTheme();
    virtual void applyColors(const charts::ChartColors &colors) = 0;
    virtual void textFocusChanged(int text) = 0;
    virtual void clicked(const QPointF &value) { Q_UNUSED(value) }
    virtual void addMenuActions(QMenu *menu) { Q_UNUSED(menu) }

    // Sets the range; a QCategoryAxis gets nice ticks and exact labels (see setNiceRange()).
    static void setAxisRange(QValueAxis *axis, double min, double max);

    // Horizontal zoom: a drag sets the x range inside the full range; visibleRangeChanged()
    // lets the chart redraw the visible part in more detail.
    void setHorizontalZoomEnabled(bool enabled);
    void setFullXRange(double min, double max);  // also shows all of it
    bool isZoomed() const;
    virtual void visibleRangeChanged() { }

    int currentText() const;
    void pickText(int text);  // sets the shared focus, if any

    // How many buckets a curve needs to look exact at the current width (device pixels).
    int drawingBuckets() const;
    // Index of the point of `series` nearest to `value` on screen, or -1 if none lies within
    // `maxPixels`.
    int nearestPoint(const QXYSeries *series, const QPointF &value, double maxPixels) const;

    void setUpdateMilliseconds(double ms) { m_updateMilliseconds = ms; }
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void elideTitles();
    // The whole title of the part of the chart at `chartPos` when it is shown elided.
    QString elidedTitleAt(const QPointF &chartPos) const;

    void hover(const QPointF &chartPos, const QPoint &globalPos);
    void drag(qreal fromX, qreal toX);
    void showMenu(const QPoint &globalPos);

    QChart *m_chart;
    charts::ChartView *m_view;
    QVBoxLayout *m_layout;
    QValueAxis *m_axisX = nullptr;
    QValueAxis *m_axisY = nullptr;
    QPointer<TextFocus> m_focus;
    QMetaObject::Connection m_focusConnection;
    ThemeMode m_themeMode = ThemeMode::FollowPalette;
    bool m_dark = false;
    charts::ChartColors m_colors;
    bool m_zoomEnabled = false;
    double m_fullXMin = 0;
    double m_fullXMax = 1;
    double m_updateMilliseconds = 0;
    QString m_title;
    QString m_shownTitle;
    QHash<QAbstractAxis *, QString> m_axisTitles;
    QHash<QAbstractAxis *, QString> m_shownAxisTitles;
    bool m_eliding = false;
};

}  // namespace pcs
