#!/usr/bin/env bash
# Installs what is missing, builds (Release) and runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
ctest --preset release -j2 "$@"
