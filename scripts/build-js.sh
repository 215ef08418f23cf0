#!/usr/bin/env bash
# Builds the JS validator package into js/dist: the contract's Rust code compiled to wasm
# (bound by wasm-bindgen, optimized by wasm-opt), the package's hand-written JS (js/src)
# for Node ESM, Node CommonJS and browsers, their type declarations (.d.ts for ESM, .d.cts
# for CommonJS), and the LICENSE. Needs the toolchain of scripts/setup.sh.
set -euo pipefail
source "$(dirname "$0")/common.sh"
require_tools wasm-bindgen wasm-opt

missing=()
rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || missing+=("the wasm32-unknown-unknown target")
command -v wasm-bindgen >/dev/null || missing+=("wasm-bindgen")
command -v wasm-opt >/dev/null || missing+=("wasm-opt")
if [ "${#missing[@]}" -gt 0 ]; then
  list="$(printf '%s, ' "${missing[@]}")"
  echo "error: building the JS package needs ${list%, } (missing): run scripts/setup.sh first" >&2
  exit 1
fi

cargo rustc --quiet --lib --profile js-release --target wasm32-unknown-unknown \
  --no-default-features --features js --crate-type cdylib
wasm="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/js-release/campaign_analytics.wasm"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Two bindings of the same module: an ES module (Node ESM and browsers) and a CommonJS
# one. They differ only in their JS; the wasm they come with is the same file.
wasm-bindgen "$wasm" --out-dir "$work/esm" --target web --out-name validator --no-typescript
wasm-bindgen "$wasm" --out-dir "$work/cjs" --target nodejs --out-name validator --no-typescript
cmp -s "$work/esm/validator_bg.wasm" "$work/cjs/validator_bg.wasm" \
  || { echo "error: wasm-bindgen gave the two bindings different modules" >&2; exit 1; }

dist=js/dist
rm -rf "$dist"
mkdir -p "$dist"
wasm-opt -O3 "$work/esm/validator_bg.wasm" -o "$dist/validator_bg.wasm"
cp "$work/esm/validator.js" "$dist/glue.mjs"
cp "$work/cjs/validator.js" "$dist/glue.cjs"
cp js/src/core.mjs js/src/node.mjs js/src/node.cjs js/src/web.mjs js/src/index.d.ts "$dist/"
# The shared core as CommonJS: its one export, bind().
{
  echo '"use strict";'
  sed 's/^export function bind(/function bind(/' js/src/core.mjs
  echo 'exports.bind = bind;'
} > "$dist/core.cjs"
grep -q '^export ' "$dist/core.cjs" && { echo "error: js/src/core.mjs exports more than bind()" >&2; exit 1; }
# CommonJS types: the same declarations without the ES module's default export.
grep -v '^export default init;$' js/src/index.d.ts > "$dist/index.d.cts"
cp LICENSE js/LICENSE
echo "built $dist ($(wc -c < "$dist/validator_bg.wasm") bytes of wasm)"
