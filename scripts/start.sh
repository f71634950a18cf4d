#!/usr/bin/env bash
# `npm start`: install what is missing, build, and open the desktop app.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
if ! has_display; then
  step "no display found (DISPLAY/WAYLAND_DISPLAY unset): the desktop window cannot open here."
  step "run \`npm run serve\` instead and open http://127.0.0.1:8765 in a browser."
  exit 1
fi
step "building the dashboard"
npm run --silent ui:build
step "building the desktop app"
cargo build --workspace $CARGO_FEATURES
step "opening LLM Local Ops Center"
exec "$CARGO_TARGET_DIR/debug/llmops-desktop"
