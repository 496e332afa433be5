#!/usr/bin/env bash
# Installs what is missing, builds (Release), runs every test with ctest, then builds the Debian
# package and checks it installs and starts (scripts/test-package.sh; skip with PCSTUDIO_SKIP_PACKAGE_TEST=1).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
ctest --preset release -j2 "$@"
if [ "${PCSTUDIO_SKIP_PACKAGE_TEST:-0}" != 1 ]; then
  ./scripts/test-package.sh build
fi
