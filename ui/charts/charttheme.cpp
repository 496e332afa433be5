#include "ui/charts/charttheme.h"

#include <QAbstractAxis>
#include <QChart>
#include <QLegend>
#include <QPalette>

namespace pcs::charts {

ChartColors chartColors(bool dark)
{
    ChartColors c;
    if (dark) {
        c.accent = QColor(0x5a, 0xb0, 0xf0);
        c.muted = QColor(0x8a, 0x90, 0x98);
        c.secondary = QColor(0xf5, 0xa6, 0x23);
        c.marker = QColor(0xf0, 0x6c, 0x5a);
        c.focus = QColor(0xff, 0xff, 0xff);
    } else {
        c.accent = QColor(0x1f, 0x6f, 0xc5);
        c.muted = QColor(0x9a, 0xa0, 0xa8);
        c.secondary = QColor(0xd9, 0x7a, 0x00);
        c.marker = QColor(0xc4, 0x3c, 0x2a);
        c.focus = QColor(0x10, 0x10, 0x10);
    }
    c.accentFill = c.accent;
    c.accentFill.setAlpha(dark ? 70 : 55);
    return c;
}

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

void applyChartTheme(QChart *chart, bool dark, const QPalette *palette)
{
    chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    // Square corners and no drop shadow: exported figures go into papers.
    chart->setBackgroundRoundness(0);
    chart->setDropShadowEnabled(false);
    if (!palette)
        return;
    const QColor window = palette->color(QPalette::Window);
    const QColor text = palette->color(QPalette::WindowText);
    chart->setBackgroundBrush(window);
    chart->setTitleBrush(text);
    chart->legend()->setLabelColor(text);
    const auto axes = chart->axes();
    for (QAbstractAxis *axis : axes) {
        axis->setLabelsColor(text);
        axis->setTitleBrush(text);
    }
}

}  // namespace pcs::charts
