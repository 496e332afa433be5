#!/usr/bin/env bash
# Installs every Debian 12 package pcstudio needs to build, test and run (as root, or via sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev qt6-svg-dev
  libqt6sql6-sqlite libgl-dev libvulkan-dev
  libeigen3-dev libfasttext-dev fasttext zlib1g-dev libzstd-dev libsqlite3-dev libssl-dev
  xvfb xauth fonts-dejavu-core
  dpkg-dev file desktop-file-utils appstream
  parallel zstd gzip
  clang-format clang-tidy
  slurmctld slurmd slurm-client munge
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
