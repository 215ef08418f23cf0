#!/usr/bin/env bash
# Builds the dashboard's release bundle into dist/ (what scripts/run.sh serves and the
# end-to-end tests load). Needs the toolchain of scripts/setup.sh. For development,
# `trunk serve` builds on the stable toolchain instead (a larger bundle, the same app).
set -euo pipefail
source "$(dirname "$0")/common.sh"
require_tools trunk wasm-bindgen wasm-opt esbuild node
build_dashboard "$@"
