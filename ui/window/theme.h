#pragma once

#include <QString>

namespace pcs {

// "system" (the platform's palette), "light" or "dark": a Fusion palette for the whole app.
// Charts follow the palette (they watch QEvent::PaletteChange).
void applyAppTheme(const QString &theme);

}  // namespace pcs
