#!/usr/bin/env bash
# Builds the Debian package from an existing build directory and proves it works:
#   scripts/test-package.sh [BUILD_DIR]      (default: build, relative to the repository root)
# 1. `cpack -G DEB` into BUILD_DIR/packages; checks the package's file list and dependencies.
# 2. Validates the .desktop file and the AppStream metainfo (when the validators are installed).
# 3. As root: installs the .deb with apt-get (and removes it again at the end, unless pcstudio was
#    already installed before). Otherwise: extracts it with dpkg-deb -x and runs it from there.
# 4. Runs the installed `pcstudio-cli --version` and `pcstudio-cli demo`, and an offscreen
#    start-up of `pcstudio`.
# Prints PASS/FAIL per check; exits nonzero if any check failed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo_root=$PWD
started=$(date +%s)

build_dir=${1:-build}
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  echo "FAIL: $build_dir is not a configured build directory (run cmake --preset release first)"
  exit 1
fi
build_dir=$(cd "$build_dir" && pwd)

app_id=$(sed -n 's/^set(PCSTUDIO_APP_ID "\([^"]*\)")/\1/p' CMakeLists.txt)
version=$(sed -n '/^project(/,/)/s/^.*VERSION[[:space:]]\{1,\}\([0-9][0-9.]*\).*$/\1/p' CMakeLists.txt | head -n 1)
if [ -z "$app_id" ] || [ -z "$version" ]; then
  echo "FAIL: could not read PCSTUDIO_APP_ID / the project() VERSION from CMakeLists.txt"
  exit 1
fi

failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

work=$(mktemp -d "${TMPDIR:-/tmp}/pcstudio-package-test.XXXXXX")
installed_by_us=0
cleanup() {
  if [ "$installed_by_us" -eq 1 ]; then
    echo "test-package: removing the pcstudio package again"
    DEBIAN_FRONTEND=noninteractive apt-get remove -y -q pcstudio >"$work/remove.log" 2>&1 \
      || { echo "FAIL: apt-get remove pcstudio"; cat "$work/remove.log"; }
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- build the package -----------------------------------------------------------------------
echo "test-package: pcstudio $version ($app_id), build directory $build_dir"
cmake --build "$build_dir" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; echo "FAIL: cmake --build $build_dir"; exit 1; }
rm -f "$build_dir"/packages/pcstudio_*.deb
if ! (cd "$build_dir" && cpack -G DEB) >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log"
  echo "FAIL: cpack -G DEB"
  exit 1
fi
shopt -s nullglob
debs=("$build_dir"/packages/pcstudio_"$version"_*.deb)
shopt -u nullglob
if [ ${#debs[@]} -ne 1 ]; then
  cat "$work/cpack.log"
  echo "FAIL: expected one $build_dir/packages/pcstudio_${version}_*.deb, found ${#debs[@]}"
  exit 1
fi
deb=${debs[0]}
pass "cpack built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

# --- 1. contents and control fields ----------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./||' >"$work/contents.txt"
required=(
  usr/bin/pcstudio
  usr/bin/pcstudio-cli
  "usr/share/applications/$app_id.desktop"
  "usr/share/metainfo/$app_id.metainfo.xml"
  "usr/share/icons/hicolor/scalable/apps/$app_id.svg"
  "usr/share/mime/packages/$app_id.xml"
  "usr/share/doc/pcstudio/copyright"
  "usr/share/pcstudio/criteria/deceptive-content.json"
  "usr/share/pcstudio/criteria/example-rules.json"
)
for f in "${required[@]}"; do
  if grep -qxF "$f" "$work/contents.txt"; then pass "package contains /$f"; else fail "package lacks /$f"; fi
done
# Nothing else belongs in the package: no test or benchmark executables, libraries or headers.
unexpected=$(grep -v -e '/$' -e '^$' "$work/contents.txt" | grep -vxF -f <(printf '%s\n' "${required[@]}") \
  | grep -v '^usr/share/doc/pcstudio/' || true)
if [ -z "$unexpected" ]; then
  pass "package contains nothing else"
else
  fail "package contains unexpected files:"; echo "$unexpected" | sed 's/^/  /'
fi
[ "$(dpkg-deb -f "$deb" Package)" = pcstudio ] && pass "package name pcstudio" || fail "package name is $(dpkg-deb -f "$deb" Package)"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] && pass "package version $version" \
  || fail "package version is $(dpkg-deb -f "$deb" Version), expected $version"
depends=$(dpkg-deb -f "$deb" Depends)
for d in libqt6widgets6 libqt6charts6 libqt6svg6 qt6-qpa-plugins libqt6sql6-sqlite; do
  if grep -qE "(^|, )$d( |,|$)" <<<"$depends"; then pass "Depends on $d"; else fail "Depends lacks $d: $depends"; fi
done

# --- 2. validators ---------------------------------------------------------------------------
mkdir -p "$work/root"
dpkg-deb -x "$deb" "$work/root"
if command -v desktop-file-validate >/dev/null; then
  if desktop-file-validate "$work/root/usr/share/applications/$app_id.desktop"; then
    pass "desktop-file-validate"
  else
    fail "desktop-file-validate"
  fi
else
  echo "SKIP: desktop-file-validate not installed (package desktop-file-utils)"
fi
if command -v appstreamcli >/dev/null; then
  if appstreamcli validate --no-net "$work/root/usr/share/metainfo/$app_id.metainfo.xml"; then
    pass "appstreamcli validate --no-net"
  else
    fail "appstreamcli validate --no-net"
  fi
else
  echo "SKIP: appstreamcli not installed (package appstream)"
fi

# --- 3. install --------------------------------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
  was_installed=0
  dpkg-query -W -f='${Status}' pcstudio 2>/dev/null | grep -q "install ok installed" && was_installed=1
  install_deb() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" >"$work/install.log" 2>&1; }
  # A stale package list can make the dependencies unresolvable: refresh it once and retry.
  if install_deb || { apt-get update -q >>"$work/install.log" 2>&1 && install_deb; }; then
    [ "$was_installed" -eq 1 ] || installed_by_us=1
    pass "apt-get install $(basename "$deb")"
  else
    cat "$work/install.log"
    fail "apt-get install $(basename "$deb")"
    exit 1
  fi
  prefix=/usr
  if command -v update-mime-database >/dev/null; then
    [ -f /usr/share/mime/application/x-pcstudio-workspace.xml ] \
      && pass "MIME type application/x-pcstudio-workspace registered" \
      || fail "MIME type application/x-pcstudio-workspace not registered by update-mime-database"
  fi
else
  echo "SKIP: not root, so not installing; running the binaries extracted from the package"
  prefix=$work/root/usr
fi

# --- 4. run the installed binaries -------------------------------------------------------------
mkdir -p "$work/home" "$work/run"
chmod 700 "$work/run"
run_env=(env HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
         XDG_CACHE_HOME="$work/home/.cache" XDG_RUNTIME_DIR="$work/run")
cd "$work"

if out=$("${run_env[@]}" timeout 60 "$prefix/bin/pcstudio-cli" --version 2>"$work/version.err") \
    && grep -qxF "pcstudio-cli $version" <<<"$out"; then
  pass "$prefix/bin/pcstudio-cli --version: $out"
else
  cat "$work/version.err"
  fail "$prefix/bin/pcstudio-cli --version printed '${out:-}', expected 'pcstudio-cli $version'"
fi

if "${run_env[@]}" QT_QPA_PLATFORM=offscreen timeout 60 "$prefix/bin/pcstudio" --quit-after 500 >"$work/gui.log" 2>&1; then
  pass "QT_QPA_PLATFORM=offscreen $prefix/bin/pcstudio --quit-after 500 exits 0"
else
  rc=$?
  cat "$work/gui.log"
  fail "QT_QPA_PLATFORM=offscreen $prefix/bin/pcstudio --quit-after 500 exited $rc"
fi

if "${run_env[@]}" timeout 120 "$prefix/bin/pcstudio-cli" demo --output "$work/demo" >"$work/demo.log" 2>&1; then
  missing=()
  for f in bpb.csv errors.csv token_counts.csv truth.csv distribution.csv report.json; do
    [ -s "$work/demo/$f" ] || missing+=("$f")
  done
  if [ ${#missing[@]} -eq 0 ] && grep -q '^text,estimate,rank,tau,weight' "$work/demo/distribution.csv"; then
    pass "$prefix/bin/pcstudio-cli demo wrote $(ls "$work/demo" | tr '\n' ' ')"
  else
    cat "$work/demo.log"
    fail "$prefix/bin/pcstudio-cli demo: missing or empty ${missing[*]:-} (or a bad distribution.csv header)"
  fi
else
  cat "$work/demo.log"
  fail "$prefix/bin/pcstudio-cli demo --output DIR exited nonzero"
fi
cd "$repo_root"

elapsed=$(($(date +%s) - started))
if [ "$failures" -eq 0 ]; then
  echo "test-package: PASS (all checks, ${elapsed}s)"
else
  echo "test-package: FAIL ($failures check(s) failed, ${elapsed}s)"
  exit 1
fi
