# Shared settings of the npm scripts; sourced, not run.
# Builds go to a cache outside the checkout so that a fresh clone (CI) reuses earlier work.
export LLMOPS_CACHE_DIR="${LLMOPS_CACHE_DIR:-$HOME/.cache/llmops}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$LLMOPS_CACHE_DIR/target}"
export TAURI_DRIVER_VERSION=2.0.4
# Every script builds with the same features so that one build serves them all.
export CARGO_FEATURES="--features llmops-desktop/custom-protocol"
export TAURI_DRIVER="$LLMOPS_CACHE_DIR/tools/tauri-driver-$TAURI_DRIVER_VERSION/bin/tauri-driver"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
has_display() { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }
step() { printf '\033[1;34m[llmops]\033[0m %s\n' "$*"; }
