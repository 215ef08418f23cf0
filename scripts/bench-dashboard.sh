#!/usr/bin/env bash
# The dashboard benchmark: builds the release bundle with Trunk, then prints
#  - the first load's size (everything index.html loads; raw and gzipped) against the
#    200 KB budget, and
#  - in headless Chromium, the time from an answer's arrival to a rendered 100-row page,
#    next to a baseline from the same run (an answer with no rows, onto a page with no
#    rows), over several runs (median, p95, ratio).
# Exits non-zero when a budget is not met (first load over 200 KB gzipped, or a median
# 100-row render over one 16 ms frame).
# Needs the toolchain of scripts/setup.sh (Trunk, wasm-bindgen, wasm-opt, Chromium) and Node.
# BENCH_RUNS / BENCH_WARMUP change the number of runs (default 30 after 5 warm-up runs).
set -euo pipefail
source "$(dirname "$0")/common.sh"
scripts/setup.sh >/dev/null

echo "==> building the release bundle (scripts/build-dashboard.sh)"
log="$(mktemp)"
if ! scripts/build-dashboard.sh >"$log" 2>&1; then
  cat "$log"
  exit 1
fi
rm -f "$log"

if [ ! -d tests/e2e/node_modules/playwright-core ]; then
  echo "==> installing the browser driver (npm ci in tests/e2e)"
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

echo
node tests/e2e/bench.mjs
