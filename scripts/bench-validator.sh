#!/usr/bin/env bash
# Prints the JS validator's size (raw, gzip) and its per-call cost from Node next to the
# same rules written by hand in plain JS, with valibot and with zod, measured in the same
# run after checking they all agree (see bench/validator/bench.mjs). Exits non-zero when
# a budget is missed.
set -euo pipefail
source "$(dirname "$0")/common.sh"
scripts/setup.sh >/dev/null
scripts/build-js.sh >/dev/null
cd bench/validator
npm ci --silent --no-audit --no-fund
node bench.mjs
