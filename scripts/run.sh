#!/usr/bin/env bash
# Installs what is missing, builds the dashboard and the reference server, and runs the
# whole product on demo data: the server serves the API and the dashboard from one origin.
# ADDR (default 127.0.0.1:8080) and DB (default: in memory) change where it listens and
# where the data lives. Stop it with Ctrl-C.
set -euo pipefail
source "$(dirname "$0")/common.sh"
scripts/setup.sh
require_tools trunk wasm-bindgen wasm-opt

ADDR="${ADDR:-127.0.0.1:8080}"
DB="${DB:-:memory:}"

step "building the dashboard (release)"
scripts/build-dashboard.sh
step "building the server (release)"
cargo build --release -p campaign-analytics-server

step "starting the server with demo data; open the URL below and paste a demo key"
exec "${CARGO_TARGET_DIR:-target}/release/campaign-analytics-server" serve \
  --demo --db "$DB" --addr "$ADDR" --static-dir dist
