#!/usr/bin/env bash
# Installs what this project needs on a bare machine, skipping what is already there:
# the wasm32 target, the pinned nightly that builds the dashboard's release bundle, Chromium + ChromeDriver and PostgreSQL (Debian), the wasm-bindgen CLI
# at the exact version in Cargo.lock and Trunk (crates.io), binaryen's wasm-opt and esbuild (npm,
# into tools/). Idempotent; used by scripts/run.sh, scripts/test.sh and CI. The first run on a bare machine takes ~20 minutes (two
# `cargo install`s); later runs take a second.
set -euo pipefail
source "$(dirname "$0")/common.sh"

TRUNK_VERSION="0.21.14" # 0.22 needs a newer rustc than this project's
# The CLI must match the wasm-bindgen crate exactly (it is pinned in Cargo.toml).
WASM_BINDGEN_VERSION="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')"

say() { printf '==> %s\n' "$*"; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "error: root is needed to run: $*" >&2; exit 1
  fi
}

for tool in cargo rustup node npm; do
  command -v "$tool" >/dev/null || { echo "error: $tool is required but not installed" >&2; exit 1; }
done

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# The dashboard's release bundle: a pinned nightly with the standard library's source.
if ! rustup component list --toolchain "$DASHBOARD_TOOLCHAIN" --installed 2>/dev/null | grep -q '^rust-src'; then
  say "installing the dashboard's build toolchain $DASHBOARD_TOOLCHAIN with rust-src (once)"
  rustup toolchain install "$DASHBOARD_TOOLCHAIN" --profile minimal --component rust-src --no-self-update
fi
# Trunk builds offline (Trunk.toml), and rebuilding the standard library needs its own
# dependencies, which no other build downloads: fetch them (and the project's) now.
RUSTUP_TOOLCHAIN="$DASHBOARD_TOOLCHAIN" CARGO_UNSTABLE_BUILD_STD="std,panic_abort" \
  cargo fetch --quiet --target wasm32-unknown-unknown

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
# The server's tests start a throwaway PostgreSQL cluster with its initdb and pg_ctl.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} (Debian packages)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

installed_version() { "$1" --version 2>/dev/null | awk '{print $2}'; }

if [ "$(installed_version wasm-bindgen)" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (several minutes, once)"
  # Not --locked: one of its locked dependencies is no longer on crates.io.
  cargo install --quiet --force wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

if [ "$(installed_version trunk)" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (several minutes, once)"
  cargo install --quiet --locked --force "trunk@$TRUNK_VERSION"
fi

# Debian's binaryen (wasm-opt 108) predates the externref table wasm-bindgen emits and
# breaks the module it optimizes; the npm build of a current binaryen is pinned in tools/,
# beside esbuild, which minifies the bundle's JS glue (scripts/compact-modules.sh).
pinned() { sed -n "s/.*\"$1\": \"\(.*\)\".*/\1/p" tools/package.json; }
if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}').0.0" != "$(pinned binaryen)" ] \
  || [ "$(tools/node_modules/.bin/esbuild --version 2>/dev/null)" != "$(pinned esbuild)" ]; then
  say "installing binaryen (wasm-opt) and esbuild from npm into tools/"
  (cd tools && npm ci --silent --no-audit --no-fund)
fi

require_tools wasm-bindgen wasm-bindgen-test-runner trunk wasm-opt chromium chromedriver
say "toolchain ready: $(rustc --version | cut -d' ' -f1-2) (dashboard bundle: $DASHBOARD_TOOLCHAIN), wasm-bindgen $WASM_BINDGEN_VERSION, trunk $TRUNK_VERSION, $(wasm-opt --version | cut -d' ' -f1-3), $(chromium --version 2>/dev/null | cut -d' ' -f1-2), node $(node --version)"
