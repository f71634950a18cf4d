#!/usr/bin/env bash
# `npm run bench`: release build of llmops, then the chat, /v1 gateway, model hub, security-guard, load-generator, GPU-sampler, sweep, idle-footprint, desktop-soak and start-time benchmarks (reports in
# bench-output/).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
if [[ "${BENCH_PROFILE:-release}" == release ]]; then
  step "building llmops and the desktop app (release)"
  cargo build --release -p llmops-server -p llmops-desktop $CARGO_FEATURES
  # The floor the desktop app is compared with: an empty Tauri window from the same build.
  cargo build --release -p llmops-desktop --example floor $CARGO_FEATURES
fi
[[ -f ui/dist/index.html ]] || npm run --silent ui:build
node bench/chat-stream.mjs
node bench/gateway.mjs
node bench/hub.mjs
node bench/chat-ui.mjs
step "idle footprint of the dashboard (a 3 min soak; LLMOPS_SOAK_MINUTES for longer)"
node bench/footprint.mjs
step "start time and idle cost: llmops serve and the desktop app (its own session bus and display)"
dbus-run-session -- xvfb-run -a --server-args="-screen 0 1280x900x24" node bench/startup.mjs
step "the desktop app on the dashboard with a model running (LLMOPS_DESKTOP_SOAK_MINUTES, 10 here; 30 for the issue's figure)"
LLMOPS_DESKTOP_SOAK_MINUTES="${LLMOPS_DESKTOP_SOAK_MINUTES:-10}" dbus-run-session -- xvfb-run -a --server-args="-screen 0 1280x900x24" node bench/desktop-soak.mjs
step "GPU sampler at 8 fake GPUs with realistic call latencies (inline against its own thread, side by side)"
cargo run --quiet --release -p llmops-core --example gpu_sampler_bench
step "security guard overhead (with and without, side by side)"
cargo run --quiet --release -p llmops-server --example guard_bench
step "load generator overhead (llmops against a minimal client, side by side)"
cargo run --quiet --release -p llmops-core --example loadgen_bench
step "a real sweep: the starter model at --parallel 1, 2 and 4 (reports in bench-output/sweep*.html)"
cargo run --quiet --release -p llmops-core --example sweep_report
