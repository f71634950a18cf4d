#!/usr/bin/env bash
# `npm test`'s Windows step: builds the core's unit tests, `llmops.exe` and a stand-in engine for
# x86_64-pc-windows-gnu (Rust's target with Debian's MinGW-w64) and runs them under Wine (Debian's
# wine64) in a temporary prefix, removed at the end. docs/PLATFORMS.md says what this proves and
# what only a real Windows can.
# Under CI=true a missing part fails the step; elsewhere the step says so and is skipped.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
TARGET=x86_64-pc-windows-gnu
export LLMOPS_WINE="${LLMOPS_WINE:-/usr/lib/wine/wine64}"
export LLMOPS_WINESERVER="${LLMOPS_WINESERVER:-/usr/lib/wine/wineserver64}"

missing=()
[ -x "$LLMOPS_WINE" ] || missing+=("wine64 (sudo apt-get install wine64)")
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=("MinGW-w64 (sudo apt-get install gcc-mingw-w64-x86-64)")
rustup target list --installed 2>/dev/null | grep -qx "$TARGET" || missing+=("the Rust target (rustup target add $TARGET)")
if [ ${#missing[@]} -gt 0 ]; then
  message="the Windows step needs: ${missing[*]}; run scripts/setup.sh"
  [ "${CI:-}" = "true" ] && { echo "error: $message" >&2; exit 1; }
  echo "SKIPPED (not CI): $message" >&2
  exit 0
fi

WINEPREFIX="$(mktemp -d -t llmops-wine-XXXXXX)"
export WINEPREFIX
# Every Wine process of this prefix ends with the step, whatever happened.
trap '"$LLMOPS_WINESERVER" -k >/dev/null 2>&1 || true; rm -rf "$WINEPREFIX"' EXIT

export LLMOPS_WINE_SHIM="$CARGO_TARGET_DIR/wine/bcryptprimitives.dll"
mkdir -p "$(dirname "$LLMOPS_WINE_SHIM")"
x86_64-w64-mingw32-gcc -shared -O2 -o "$LLMOPS_WINE_SHIM" scripts/wine/bcryptprimitives.c -ladvapi32

export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$ROOT/scripts/wine/run.sh"
step "windows: build llmops.exe and the stand-in engine"
cargo build --target "$TARGET" -p llmops-server --bin llmops
cargo build --target "$TARGET" -p llmops-core --example stub_engine
step "windows: the desktop crate type-checks"
cargo check --target "$TARGET" -p llmops-desktop
step "windows: the core's unit tests under Wine"
cargo test --target "$TARGET" -p llmops-core --lib
step "windows: llmops.exe serve under Wine (health, dashboard, a custom engine, the gateway, the Job Object)"
LLMOPS_WINDOWS_BIN="$CARGO_TARGET_DIR/$TARGET/debug" node tests/e2e/windows.mjs
