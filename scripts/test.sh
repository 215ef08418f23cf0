#!/usr/bin/env bash
# Installs what is missing, then runs every test:
#   1. native Rust: the contract, the API types, the dashboard's logic, the server
#      (its integration tests start servers on free ports of 127.0.0.1);
#   2. the JS validator package, built and imported from Node as an app would, packed
#      (arethetypeswrong, publint), and bundled by Vite into an app run in Chromium;
#   3. wasm-bindgen tests in headless Chromium: the validator's exports and the
#      dashboard's components (canned answers, no server);
#   4. end to end: the release dashboard in headless Chromium against the real server.
# Stops at the first failure with a non-zero exit status.
set -euo pipefail
source "$(dirname "$0")/common.sh"
# One-shot builds gain nothing from incremental state, which is the bulk of a debug target/.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
scripts/setup.sh
# Resolved only now: on a bare machine set-up has just installed them.
require_tools cargo node npm trunk wasm-bindgen wasm-bindgen-test-runner wasm-opt
use_chromedriver

step "1/4 native tests: contract, API types, dashboard logic, server"
scripts/check-rust-version.sh
cargo fmt --all -- --check
cargo test --workspace --features campaign-analytics/js

step "2/4 the JS validator package, from Node"
scripts/build-js.sh
(cd tests/js && npm ci --silent --no-audit --no-fund && npm test)
(cd tests/js-bundler && npm ci --silent --no-audit --no-fund && npm test)

step "3/4 headless Chromium: the validator's exports and the dashboard's components"
cargo test --target wasm32-unknown-unknown --no-default-features --features js --test js_validator
ui_tests=()
for file in tests/ui_*.rs; do ui_tests+=(--test "$(basename "$file" .rs)"); done
cargo test --target wasm32-unknown-unknown --features ui "${ui_tests[@]}"

step "4/4 end to end: the release dashboard against the reference server"
scripts/build-dashboard.sh
cargo build -p campaign-analytics-server
export CAMPAIGN_ANALYTICS_SERVER="${CARGO_TARGET_DIR:-$ROOT/target}/debug/campaign-analytics-server"
(cd tests/e2e && npm ci --silent --no-audit --no-fund && npm test)

printf '\nAll tests passed.\n'
