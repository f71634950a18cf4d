#!/usr/bin/env bash
# Fuzzes the chat's SSE parser and chunk interpreter (crates/core/fuzz) with cargo fuzz.
# Needs the nightly toolchain (`rustup toolchain install nightly`); installs cargo-fuzz into
# ~/.cache/llmops/tools. Usage: npm run fuzz [-- SECONDS]   (default 60)
set -euo pipefail
source "$(dirname "$0")/env.sh"
seconds="${1:-60}"
tools="$LLMOPS_CACHE_DIR/tools/cargo-fuzz-0.13"
if [[ ! -x "$tools/bin/cargo-fuzz" ]]; then
  step "installing cargo-fuzz into $tools"
  cargo install --locked --root "$tools" cargo-fuzz@0.13.1
fi
cd "$ROOT/crates/core"
step "fuzzing sse_stream for ${seconds} s"
CARGO_TARGET_DIR="$LLMOPS_CACHE_DIR/target-fuzz" PATH="$tools/bin:$PATH" \
  cargo +nightly fuzz run sse_stream -- -max_total_time="$seconds" -max_len=4096
