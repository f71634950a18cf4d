#!/usr/bin/env bash
# `npm run serve [-- --host 0.0.0.0 --port 8765]`: the headless server with the dashboard.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh --no-desktop
step "building the dashboard"
npm run --silent ui:build
step "building the server"
cargo build --workspace $CARGO_FEATURES
exec "$CARGO_TARGET_DIR/debug/llmops" serve --ui-dir "$ROOT/ui/dist" "$@"
