#!/usr/bin/env bash
# Runs a Windows program under Wine in $WINEPREFIX (a temporary folder), preparing the prefix on
# first use: cargo's runner for the Windows target, and how tests/e2e/windows.mjs starts
# llmops.exe. See scripts/test-windows.sh.
set -euo pipefail
: "${WINEPREFIX:?set WINEPREFIX to a temporary folder (scripts/test-windows.sh does)}"
: "${LLMOPS_WINE_SHIM:?set LLMOPS_WINE_SHIM to the built bcryptprimitives.dll (scripts/test-windows.sh does)}"
export WINEDEBUG="${WINEDEBUG:--all}"
WINE="${LLMOPS_WINE:-/usr/lib/wine/wine64}"
if [ ! -e "$WINEPREFIX/.llmops-ready" ]; then
  mkdir -p "$WINEPREFIX"
  # A lock, so that two first uses at once (cargo runs one test binary at a time, the E2E test
  # one program at a time, but be sure) do not both build the prefix.
  exec 9>"$WINEPREFIX/.llmops-lock"
  flock 9
  if [ ! -e "$WINEPREFIX/.llmops-ready" ]; then
    "$WINE" wineboot --init >/dev/null 2>&1
    WINEPREFIX="$WINEPREFIX" "${LLMOPS_WINESERVER:-/usr/lib/wine/wineserver64}" -w
    # Wine 8 lacks ProcessPrng, which Rust's standard library imports (bcryptprimitives.c).
    cp "$LLMOPS_WINE_SHIM" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
    touch "$WINEPREFIX/.llmops-ready"
  fi
  exec 9>&-
fi
exec "$WINE" "$@"
