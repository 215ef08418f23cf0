# Sourced by the project's scripts: the environment every build and test step expects.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# wasm-opt comes from npm (tools/), ahead of any older one on the system.
export PATH="$ROOT/tools/node_modules/.bin:$PATH"
# Trunk must not try to reach the internet: it uses the wasm-bindgen and wasm-opt on PATH.
export TRUNK_SKIP_VERSION_CHECK=true
export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver || true)}"

step() { printf '\n==> %s\n' "$*"; }
