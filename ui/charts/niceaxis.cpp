#include "ui/charts/niceaxis.h"

#include <QCategoryAxis>
#include <QLocale>

#include <cmath>

namespace pcs::charts {

double niceStep(double span)
{
    if (!(span > 0) || !std::isfinite(span))
        return 1;
    const double raw = span / 5.0;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double residual = raw / magnitude;
    return (residual < 1.5 ? 1 : residual < 3 ? 2 : residual < 7 ? 5 : 10) * magnitude;
}

void setNiceRange(QCategoryAxis *axis, double min, double max)
{
    const QStringList old = axis->categoriesLabels();
    for (const QString &label : old)
        axis->remove(label);
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    axis->setStartValue(min);
    const double step = niceStep(max - min);
    const int exponent = int(std::floor(std::log10(step)));
    // Plain decimals for everyday magnitudes; 1e-05 style for tiny weights and huge values.
    const bool scientific = exponent < -4 || exponent > 8;
    const int decimals = scientific ? 0 : std::max(0, -exponent);
    const QLocale locale;
    if (std::isfinite(min) && std::isfinite(max) && max > min) {
        for (double k = std::ceil(min / step); k * step <= max && k - std::ceil(min / step) < 50;
             ++k) {
            const double value = k * step;
            const QString label = k == 0 ? QStringLiteral("0")
                : scientific             ? locale.toString(value, 'g', 3)
                                         : locale.toString(value, 'f', decimals);
            axis->append(label, value);
        }
    }
    axis->setRange(min, max);
}

}  // namespace pcs::charts
