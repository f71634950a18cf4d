#!/usr/bin/env bash
# `npm run package`: the release packages (.deb, and the AppImage where its tools can be had),
# with the Tauri bundler. `--debug` packages the debug build the tests already made, without a
# second compile (npm test does that). Both binaries carry the dashboard; the .deb also puts the
# `llmops` command on PATH. The packages land in $CARGO_TARGET_DIR/package-<profile>/.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
profile=release
bundles=deb,appimage
for arg in "$@"; do
  case "$arg" in
    --debug) profile=debug ;;
    --deb-only) bundles=deb ;;
    *) echo "usage: npm run package -- [--debug] [--deb-only]" >&2; exit 2 ;;
  esac
done
built="$CARGO_TARGET_DIR/$profile"
if [ "$profile" = release ]; then
  step "building the dashboard and the release binaries"
  npm run --silent ui:build
  cargo build --release --workspace $CARGO_FEATURES
fi
for bin in llmops llmops-desktop; do
  [ -x "$built/$bin" ] || { echo "$built/$bin is missing: build it first (npm run build)" >&2; exit 1; }
done

# The bundler takes the app from <target>/<profile>/: give it stripped copies in a staging target
# so the packages stay small and the build's own binaries keep their debug information.
stage="$CARGO_TARGET_DIR/package-$profile"
rm -rf "$stage"; mkdir -p "$stage/$profile" "$stage/doc"
stage_binaries() {
  for bin in llmops llmops-desktop; do
    strip --strip-unneeded -o "$stage/$profile/$bin" "$built/$bin"
  done
}
stage_binaries
version="$(node -p "require('./src-tauri/tauri.conf.json').version")"
package="llm-local-ops-center"
cat > "$stage/doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: LLM Local Ops Center
Source: https://llmops.dev

Files: *
Copyright: 2026 LLM Local Ops Center developers
License: MIT
$(sed 's/^$/./; s/^/ /' LICENSE 2>/dev/null || echo ' Permission is granted under the terms of the MIT licence.')
COPYRIGHT
printf '%s (%s) unstable; urgency=medium\n\n  * Packaged by npm run package.\n\n -- LLM Local Ops Center developers <maintainers@llmops.dev>  %s\n' \
  "$package" "$version" "$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" \
  | gzip -9n > "$stage/doc/changelog.gz"
# Manual pages: llmops's from its own --help; the window's is short.
help2man --no-info --name "run, watch and chat with local LLM inference servers" \
  --version-string "$("$stage/$profile/llmops" --version)" "$stage/$profile/llmops" | gzip -9n > "$stage/doc/llmops.1.gz"
cat <<'MAN' | gzip -9n > "$stage/doc/llmops-desktop.1.gz"
.TH LLMOPS-DESKTOP 1
.SH NAME
llmops-desktop \- the LLM Local Ops Center desktop app
.SH SYNOPSIS
.B llmops-desktop
.SH DESCRIPTION
Opens the dashboard window, with an icon in the system tray. It runs and watches local inference
servers (llama.cpp, vLLM, any OpenAI-compatible command), and serves the OpenAI-compatible
endpoint on http://127.0.0.1:8765/v1 (LLMOPS_PORT changes the port).
.SH ENVIRONMENT
.TP
.B LLMOPS_DATA_DIR
where settings, the database and logs are kept (default: ~/.local/share/llmops)
.TP
.B LLMOPS_PORT
the port of the /v1 endpoint and the API
.SH SEE ALSO
.BR llmops (1)
MAN
cat > "$stage/extra.json" <<JSON
{ "bundle": { "linux": { "deb": { "files": {
  "/usr/bin/llmops": "$stage/$profile/llmops",
  "/usr/share/doc/$package/copyright": "$stage/doc/copyright",
  "/usr/share/doc/$package/changelog.gz": "$stage/doc/changelog.gz",
  "/usr/share/man/man1/llmops.1.gz": "$stage/doc/llmops.1.gz",
  "/usr/share/man/man1/llmops-desktop.1.gz": "$stage/doc/llmops-desktop.1.gz"
} } } } }
JSON
debug_flag=()
[ "$profile" = debug ] && debug_flag=(--debug)
step "bundling $bundles from the $profile build"
if ! CARGO_TARGET_DIR="$stage" CI=true npx tauri bundle "${debug_flag[@]}" --bundles "$bundles" -c "$stage/extra.json"; then
  if [ "$bundles" = deb ]; then exit 1; fi
  step "the AppImage needs linuxdeploy, which the bundler downloads from GitHub; packaging the .deb alone"
  # The bundler marked the binary as the AppImage's; the .deb gets a fresh copy.
  stage_binaries
  CARGO_TARGET_DIR="$stage" CI=true npx tauri bundle "${debug_flag[@]}" --bundles deb -c "$stage/extra.json"
fi
# The bundler compresses the .deb with gzip; xz (Debian's default) makes the release package about
# half the size. The debug package of the tests stays gzip: it is linted and installed, not shipped.
if [ "$profile" = release ]; then
  for deb in "$stage/$profile"/bundle/deb/*.deb; do
    step "recompressing $(basename "$deb") with xz"
    unpacked="$stage/unpacked"
    rm -rf "$unpacked"
    dpkg-deb -R "$deb" "$unpacked"
    dpkg-deb -Zxz -z9 --root-owner-group --build "$unpacked" "$deb" >/dev/null
    rm -rf "$unpacked"
  done
fi
find "$stage/$profile/bundle" -maxdepth 2 -type f \( -name '*.deb' -o -name '*.AppImage' \) -printf '%s %p\n' \
  | awk '{ printf "  %.1f MB  %s\n", $1 / 1e6, substr($0, index($0, $2)) }'
