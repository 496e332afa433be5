#pragma once

#include "core/common/result.h"

#include <QString>

class QChartView;

namespace pcs {

// Writes what `view` shows (give it a size; a shown view has one) to `path`, atomically; the
// format comes from the extension: .png (rendered at twice the device pixel ratio, so it stays
// sharp in slides and on HiDPI screens) or .svg (vector, via QSvgGenerator). Errors: an
// unknown extension or a view without a chart (BadInput), a failed write such as a full disk (Io).
Status exportChart(QChartView *view, const QString &path);

// The file dialog filter for the formats above, PNG first.
QString chartExportFilter();

}  // namespace pcs
