#!/usr/bin/env bash
# Prints the JS validator's size (raw, gzip) and its per-call cost from Node next to the
# same rules written with zod, measured in the same run (see bench/validator/bench.mjs).
set -euo pipefail
source "$(dirname "$0")/common.sh"
scripts/setup.sh >/dev/null
scripts/build-js.sh >/dev/null
cd bench/validator
npm ci --silent --no-audit --no-fund
node bench.mjs
