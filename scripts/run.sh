#!/usr/bin/env bash
# Installs what is missing, builds (Release) and runs the main job: the app on the built-in
# demo workspace, or, with no display, the headless demo pipeline (outputs in ./pcstudio-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${PCSTUDIO_HEADLESS:-0}" != 1 ]; then
  exec ./build/app/pcstudio --demo "$@"
fi
echo "No display: running the headless demo pipeline."
./build/app/pcstudio-cli demo --output pcstudio-demo "$@"
