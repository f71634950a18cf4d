#!/usr/bin/env bash
# Fuzzes the chat's SSE parser and chunk interpreter, and the GGUF header reader
# (crates/core/fuzz), with cargo fuzz.
# Needs the nightly toolchain (`rustup toolchain install nightly`); installs cargo-fuzz into
# ~/.cache/llmops/tools. Usage: npm run fuzz [-- SECONDS [TARGET]]   (default 60 s per target;
# TARGET: sse_stream or gguf_header, default both)
set -euo pipefail
source "$(dirname "$0")/env.sh"
seconds="${1:-60}"
tools="$LLMOPS_CACHE_DIR/tools/cargo-fuzz-0.13"
if [[ ! -x "$tools/bin/cargo-fuzz" ]]; then
  step "installing cargo-fuzz into $tools"
  cargo install --locked --root "$tools" cargo-fuzz@0.13.1
fi
cd "$ROOT/crates/core"
targets=("${2:-sse_stream}")
[[ -z "${2:-}" ]] && targets=(sse_stream gguf_header)
declare -A max_len=([sse_stream]=4096 [gguf_header]=65536)
for target in "${targets[@]}"; do
  step "fuzzing $target for ${seconds} s"
  # -rss_limit_mb: a header that makes the reader allocate by a count it read fails the run.
  CARGO_TARGET_DIR="$LLMOPS_CACHE_DIR/target-fuzz" PATH="$tools/bin:$PATH" \
    cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -max_len="${max_len[$target]}" -rss_limit_mb=512
done
