# Sourced by the project's scripts: the environment every build and test step expects.
# shellcheck shell=bash
#
# Nothing here looks a tool up: on a bare machine the tools appear only once
# scripts/setup.sh has run, so a path read now would stay empty. Scripts call
# `require_tools` after set-up instead.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# wasm-opt comes from npm (tools/), ahead of any older one on the system.
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Trunk must not try to reach the internet: it uses the wasm-bindgen and wasm-opt on PATH.
export TRUNK_SKIP_VERSION_CHECK=true

# The dashboard's release bundle is built with a pinned nightly toolchain: the standard
# library rebuilt with the bundle's size settings, and a panic that traps at once instead
# of formatting a message (docs/decisions.md, "The dashboard's release build"). Everything
# else, every test build included, uses the stable toolchain.
DASHBOARD_TOOLCHAIN="nightly-2026-05-20"

# wasm-streams' classes (server_fn's browser side, which Leptos always links): exports of
# every module that links it, which the dashboard never uses. The release bundle's linker
# leaves them out (scripts/link-wasm.sh), and a post-build step their JS shells
# (scripts/drop-classes.mjs).
UNUSED_CLASSES=(IntoUnderlyingByteSource IntoUnderlyingSink IntoUnderlyingSource)

# build_dashboard: the release bundle, into dist/ (its own target directory, so that the
# stable builds' artifacts are not rebuilt after it). `erase_components` is Leptos's
# switch to type-erase every component's view: the same page, less monomorphized code.
# `-Zfmt-debug=none` compiles `{:?}` formatting out: nothing the page shows uses it.
# `optimize_for_size` makes the rebuilt standard library pick its smaller algorithms
# (sorting, integer formatting, string search).
build_dashboard() {
  RUSTUP_TOOLCHAIN="$DASHBOARD_TOOLCHAIN" \
    CARGO_UNSTABLE_BUILD_STD="std,panic_abort" \
    CARGO_UNSTABLE_BUILD_STD_FEATURES="optimize_for_size" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$ROOT/scripts/link-wasm.sh" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none --cfg erase_components" \
    CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/dashboard" \
    trunk build --release "$@"
}

step() { printf '\n==> %s\n' "$*"; }

# require_tools TOOL...: stops with one line naming the first tool that is not on PATH.
require_tools() {
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "error: $tool is not installed (scripts/setup.sh installs it)" >&2
      exit 1
    fi
  done
}

# use_chromedriver: exports CHROMEDRIVER for wasm-bindgen-test-runner, resolved now
# (after set-up) and never empty.
use_chromedriver() {
  require_tools chromedriver chromium
  CHROMEDRIVER="$(command -v chromedriver)"
  export CHROMEDRIVER
}
