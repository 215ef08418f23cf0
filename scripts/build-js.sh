#!/usr/bin/env bash
# Builds the JS validator package in js/: the contract's Rust code compiled to wasm and
# bound three ways (Node ESM, Node CommonJS, browser ESM with an async init).
# Needs the toolchain of scripts/setup.sh (wasm target, wasm-bindgen CLI, wasm-opt).
set -euo pipefail
source "$(dirname "$0")/common.sh"
require_tools wasm-bindgen wasm-opt

cargo rustc --quiet --lib --profile js-release --target wasm32-unknown-unknown \
  --no-default-features --features js --crate-type cdylib
wasm="${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/js-release/campaign_analytics.wasm"

rm -rf js/node js/cjs js/web
wasm-bindgen "$wasm" --out-dir js/node --target experimental-nodejs-module --out-name validator
wasm-bindgen "$wasm" --out-dir js/cjs --target nodejs --out-name validator
wasm-bindgen "$wasm" --out-dir js/web --target web --out-name validator
# js/ is "type": "module"; the CommonJS build says otherwise for its own folder.
printf '{ "type": "commonjs" }\n' > js/cjs/package.json
for file in js/node/validator_bg.wasm js/cjs/validator_bg.wasm js/web/validator_bg.wasm; do
  wasm-opt -O3 "$file" -o "$file"
done
echo "built js/ ($(wc -c < js/web/validator_bg.wasm) bytes of wasm)"
