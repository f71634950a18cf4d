#!/usr/bin/env bash
# `npm test`: every test, with the real parts (llama-server, starter model, chromium,
# WebKitWebDriver). Outputs (screenshots, logs) go to test-output/. Under CI=true nothing that is
# missing is skipped: the step fails.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
export LLMOPS_TEST_OUTPUT="$ROOT/test-output"
rm -rf "$LLMOPS_TEST_OUTPUT"; mkdir -p "$LLMOPS_TEST_OUTPUT"

started=$SECONDS
timings=()
run_step() {
  local name="$1"; shift
  local t0=$SECONDS
  step "$name"
  "$@"
  timings+=("$(printf '%-34s %4ds' "$name" $((SECONDS - t0)))")
}

run_step "setup (skips what is installed)" bash scripts/setup.sh
run_step "ui: type check and build" npm run --silent ui:build
run_step "ui: unit tests (vitest)" npm run --silent ui:test
run_step "rust: format check" cargo fmt --all --check
# One cargo invocation builds the binaries the E2E tests use and runs the Rust tests, so that
# feature unification cannot make a second build of the same crates.
run_step "rust: build, unit and integration tests" cargo test --workspace $CARGO_FEATURES --no-fail-fast
run_step "windows: build, unit tests and llmops.exe under Wine" bash scripts/test-windows.sh
run_step "api: OpenAPI document and schemathesis" node tests/e2e/api.mjs
run_step "e2e: /v1 gateway (openai SDK)" node tests/e2e/gateway.mjs
run_step "e2e: model hub (huggingface_hub, gguf)" node tests/e2e/hub.mjs
run_step "e2e: browser (chromium)" node tests/e2e/browser.mjs
run_step "e2e: model hub in the browser" node tests/e2e/hubBrowser.mjs
run_step "e2e: engines on first run in the browser (local release server)" node tests/e2e/engines.mjs
run_step "e2e: benchmarks in the browser" node tests/e2e/benchBrowser.mjs
run_step "e2e: runs and sweeps in the browser" node tests/e2e/runsBrowser.mjs
run_step "e2e: chat in the browser" node tests/e2e/chat.mjs
run_step "e2e: login from another device" node tests/e2e/login.mjs
run_step "e2e: installable dashboard (PWA)" node tests/e2e/pwa.mjs
# The desktop window needs a display: the session's, else a virtual one.
on_display() {
  if has_display; then "$@"; else xvfb-run -a --server-args="-screen 0 1280x900x24" "$@"; fi
}
run_step "e2e: desktop window (tauri-driver)" on_display node tests/e2e/desktop.mjs
# A desktop session has a D-Bus session bus (single instance, autostart, the tray use it).
run_step "e2e: desktop session (one instance, tray, settings)" on_display dbus-run-session -- node tests/e2e/desktopSession.mjs
# The packages come from the debug build above: no second, release compile in the tests.
run_step "package: .deb of the debug build" bash scripts/package.sh --debug --deb-only
run_step "e2e: the installed .deb" on_display node tests/e2e/package.mjs

step "all tests passed in $((SECONDS - started)) s; outputs in test-output/"
printf '  %s\n' "${timings[@]}"
