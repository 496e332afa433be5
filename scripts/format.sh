#!/usr/bin/env bash
# Formats every C++ source and header in place with the repository's .clang-format, or, with
# --check, lists the files that are not formatted and fails (what CI runs).
#   scripts/format.sh            fix
#   scripts/format.sh --check    check only
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "format: clang-format is not installed (scripts/install-deps.sh)" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [ "${1:-}" = "--check" ]; then
  unformatted=()
  for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
  done
  if [ ${#unformatted[@]} -gt 0 ]; then
    echo "format: ${#unformatted[@]} file(s) not formatted; run scripts/format.sh to fix:" >&2
    printf '  %s\n' "${unformatted[@]}" >&2
    exit 1
  fi
  echo "format: ${#files[@]} files formatted"
else
  clang-format -i "${files[@]}"
  echo "format: ${#files[@]} files formatted in place"
fi
