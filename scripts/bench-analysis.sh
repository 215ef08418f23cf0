#!/usr/bin/env bash
# The whole-window analysis benchmark: in headless Chromium,
#  - the time to aggregate 100,000 instances, next to decoding the same pages (baseline),
#  - the longest main-thread task during a real analysis against the reference server,
#    next to the longest task of a plain query on the same page (baseline).
# Prints the figures and ratios; exits non-zero when a budget is missed.
# Needs the toolchain of scripts/setup.sh (Trunk, wasm-bindgen, wasm-opt, Chromium) and Node.
# BENCH_RUNS changes the number of aggregation runs (default 7, after a warm-up).
set -euo pipefail
source "$(dirname "$0")/common.sh"
scripts/setup.sh >/dev/null
require_tools trunk wasm-bindgen

log="$(mktemp)"
out="$(mktemp -d)"
trap 'rm -rf "$log" "$out"' EXIT

echo "==> building the aggregation module (examples/bench_analysis.rs)"
if ! cargo build --release --target wasm32-unknown-unknown --example bench_analysis \
    --no-default-features --features client >"$log" 2>&1; then
  cat "$log"
  exit 1
fi
wasm-bindgen --target web --no-typescript --out-dir "$out" \
  target/wasm32-unknown-unknown/release/examples/bench_analysis.wasm

echo "==> building the release bundle and the server"
if ! scripts/build-dashboard.sh >"$log" 2>&1 || ! cargo build -p campaign-analytics-server >"$log" 2>&1; then
  cat "$log"
  exit 1
fi

if [ ! -d tests/e2e/node_modules/playwright-core ]; then
  echo "==> installing the browser driver (npm ci in tests/e2e)"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

echo
node tests/e2e/bench-analysis.mjs "$out"
