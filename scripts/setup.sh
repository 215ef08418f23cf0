#!/usr/bin/env bash
# Installs what this project needs on a bare machine, skipping what is already there.
# Idempotent: run it as often as you like. Used by scripts/run.sh, scripts/test.sh and CI.
set -euo pipefail

cd "$(dirname "$0")/.."

# The wasm-bindgen CLI must match the crate version in Cargo.lock exactly.
WASM_BINDGEN_VERSION="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')"
TRUNK_VERSION="0.21.14"

say() { printf '==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: need root to run: $*" >&2; exit 1
  fi
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

apt_missing=()
command -v wasm-opt >/dev/null || apt_missing+=(binaryen)
command -v chromium >/dev/null || apt_missing+=(chromium)
command -v chromedriver >/dev/null || apt_missing+=(chromium-driver)
if [ "${#apt_missing[@]}" -gt 0 ]; then
  say "installing ${apt_missing[*]} from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (several minutes, once)"
  # --locked fails for this crate on crates.io (a pinned dependency was yanked); build it unlocked.
  cargo install --quiet --force wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

if ! command -v trunk >/dev/null || [ "$(trunk --version | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (several minutes, once)"
  cargo install --quiet --locked --force "trunk@$TRUNK_VERSION"
fi

say "toolchain ready"
