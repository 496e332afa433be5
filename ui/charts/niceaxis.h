#pragma once

class QCategoryAxis;

namespace pcs::charts {

// Sets an axis' range with ticks at 1, 2 or 5 times a power of ten and labels written from the
// exact tick values (k·step, zero as "0", thousands separated). QValueAxis adds the step up
// from the first tick, so its labels read "-5.55e-17" or "-0.0" where zero belongs; a
// QCategoryAxis with labels on the values draws the same grid with labels we format.
void setNiceRange(QCategoryAxis *axis, double min, double max);

// The tick step for a span: 1, 2 or 5 times a power of ten, about five ticks.
double niceStep(double span);

}  // namespace pcs::charts
