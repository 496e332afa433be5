#pragma once

#include <QColor>

class QChart;
class QPalette;

namespace pcs::charts {

// The roles a chart colours its series by; one set for light and one for dark backgrounds,
// chosen to stay apart for the common colour-vision deficiencies (blue/orange, not red/green).
struct ChartColors {
    QColor accent;  // the data that matters: included texts, the points of a scatter
    QColor accentFill;  // translucent accent for areas
    QColor muted;  // context: excluded texts, other points
    QColor secondary;  // a second quantity (second axis, "top in one estimate only")
    QColor marker;  // reference lines: the cut, trends
    QColor focus;  // the focused text
};

ChartColors chartColors(bool dark);

// Whether a palette is dark (its window colour is), so charts can follow the app's palette.
bool isDarkPalette(const QPalette &palette);

// Applies Qt Charts' light or dark theme, then, given a palette, its window and text colours so
// that the chart blends into the app. Call after the axes are attached: themes style axes too.
void applyChartTheme(QChart *chart, bool dark, const QPalette *palette);

}  // namespace pcs::charts
