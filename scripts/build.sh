#!/usr/bin/env bash
# `npm run build`: the dashboard, the headless server and the desktop app (debug builds;
# pass --release for optimised ones).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
profile=()
[ "${1:-}" = "--release" ] && profile=(--release)
step "building the dashboard"
npm run --silent ui:build
step "building llmops and llmops-desktop"
cargo build "${profile[@]}" --workspace $CARGO_FEATURES
