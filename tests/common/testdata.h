#pragma once

#include <QString>
#include <QTemporaryDir>

namespace pcs::test {

// The real upstream example data (../shared/data/upstream), or an empty string when this clone
// has none beside it (a user's clone). Tests that need it QSKIP with a message.
QString upstreamDataDir();
QString upstreamFile(const QString &name);

// The hostile inputs (../shared/data/hostile: crafted and fuzzed files every reader must refuse,
// see its README.md), or an empty string when this clone has none beside it.
QString hostileDataDir();

// Writes `contents` to `dir/name` and returns the path.
QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &contents);

// Path of the built pcstudio-cli.
QString cliPath();

}  // namespace pcs::test

#define PCS_REQUIRE_UPSTREAM_DATA()                                                                \
    do {                                                                                           \
        if (pcs::test::upstreamDataDir().isEmpty())                                                \
            QSKIP("../shared/data/upstream is not beside this clone; skipping real-data test");    \
    } while (false)
