#!/usr/bin/env bash
# The linker of the dashboard's release bundle (scripts/common.sh, build_dashboard): the
# toolchain's own rust-lld, called with the arguments rustc gives it, less the exports of
# the stream classes nothing uses (UNUSED_CLASSES in scripts/common.sh).
#
# Leptos always links server_fn, whose browser side brings wasm-streams, whose
# `#[wasm_bindgen]` classes (`IntoUnderlyingSource`, …) are exports of every module that
# links it. An export is a root the linker keeps, with everything it reaches: the futures
# it boxes, their vtables, the functions those name (the function table keeps them alive
# even once the exports are gone, which is why dropping the exports after linking left
# their code in the module), the strings of the errors they format. Not exporting them
# lets the linker's own garbage collection drop all of it. wasm-bindgen then finds their
# classes without exports or descriptors and writes only their JS shells, which
# scripts/drop-classes.mjs removes.
#
# It refuses (exit 1) a response file, which it cannot rewrite, and a class none of whose
# exports it saw (the build changed: update UNUSED_CLASSES).
set -euo pipefail
# The list, from scripts/common.sh (read in a subshell: it changes directory, and the
# linker's arguments may be relative to this one).
read -r -a UNUSED_CLASSES <<<"$(source "$(dirname "$0")/common.sh" && echo "${UNUSED_CLASSES[@]}")"
[ "${#UNUSED_CLASSES[@]}" -gt 0 ] || { echo "link-wasm: no UNUSED_CLASSES in scripts/common.sh" >&2; exit 1; }

# The toolchain's rust-lld (LINK_WASM_LLD names another: the build tests give a recorder).
lld="${LINK_WASM_LLD:-}"
if [ -z "$lld" ]; then
  lld="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/rust-lld"
fi
[ -x "$lld" ] || { echo "link-wasm: no rust-lld at $lld" >&2; exit 1; }

# The names wasm-bindgen exports for a class: `<class>_<member>`, `__wbg_<class>_free` and
# their `__wbindgen_describe_` twins, each with the crate's hash after it.
pattern=""
for class in "${UNUSED_CLASSES[@]}"; do
  pattern="${pattern:+$pattern|}^(__wbindgen_describe_)?(__wbg_)?${class,,}_"
done

args=()
dropped=()
while [ $# -gt 0 ]; do
  case "$1" in
    @*) echo "link-wasm: rustc passed a response file ($1), which this step cannot filter" >&2; exit 1 ;;
    --export)
      if [ $# -ge 2 ] && [[ "$2" =~ $pattern ]]; then
        dropped+=("$2")
        shift 2
        continue
      fi
      ;;
  esac
  args+=("$1")
  shift
done

# Only the final links export wasm-bindgen's names; any other link passes through.
if [ "${#dropped[@]}" -gt 0 ]; then
  for class in "${UNUSED_CLASSES[@]}"; do
    seen=false
    for name in "${dropped[@]}"; do
      [[ "$name" == "__wbg_${class,,}_free"* ]] && seen=true
    done
    $seen || {
      echo "link-wasm: the link exports nothing of $class (the build changed: update UNUSED_CLASSES)" >&2
      exit 1
    }
  done
fi
exec "$lld" "${args[@]}"
