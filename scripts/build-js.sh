#!/usr/bin/env bash
# Builds the JS validator package in js/: the contract's Rust code compiled to wasm and
# bound three ways (Node ESM, Node CommonJS, browser ESM with an async init).
# Needs the toolchain of scripts/setup.sh (wasm target, wasm-bindgen CLI, wasm-opt).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo rustc --quiet --lib --profile js-release --target wasm32-unknown-unknown \
  --no-default-features --features js --crate-type cdylib
wasm=target/wasm32-unknown-unknown/js-release/campaign_analytics.wasm

# Optimize before binding: this binaryen predates the externref table wasm-bindgen
# emits, and rewriting the bound module breaks it at load time; the raw module is safe.
optimized=target/wasm32-unknown-unknown/js-release/validator-opt.wasm
wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-multivalue --enable-reference-types "$wasm" -o "$optimized"

rm -rf js/node js/cjs js/web
wasm-bindgen "$optimized" --out-dir js/node --target experimental-nodejs-module --out-name validator
wasm-bindgen "$optimized" --out-dir js/cjs --target nodejs --out-name validator
wasm-bindgen "$optimized" --out-dir js/web --target web --out-name validator
# js/ is "type": "module"; the CommonJS build says otherwise for its own folder.
printf '{ "type": "commonjs" }\n' > js/cjs/package.json
echo "built js/ ($(wc -c < js/web/validator_bg.wasm) bytes of wasm)"
