#!/usr/bin/env bash
# Step one of the post-build hook (scripts/post-build.sh), release builds only: for the
# page's module and the panels' module, drops the JS shells of the stream classes the
# linker left out (scripts/drop-classes.mjs, scripts/link-wasm.sh), puts the copies of
# each generic function side by side for gzip (scripts/order-functions.mjs), shortens the names
# wasm-bindgen generated for their glue (scripts/short-wasm-names.mjs), then minifies the
# glue (and the page's snippets)
# with esbuild, and gives index.html the new Subresource Integrity digests of what it
# preloads. Trunk's own JS minifier cannot parse this glue (it warns and ships it as
# written). Both are part of the first load (docs/decisions.md, "The dashboard's release
# build").
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by Trunk}"
[ "${TRUNK_PROFILE:-}" = "release" ] || exit 0
source "$(dirname "$0")/common.sh"
require_tools node esbuild wasm-opt

# sri FILE: the digest Trunk writes in an integrity attribute.
sri() {
  node -e 'const c = require("crypto"), fs = require("fs");
    process.stdout.write("sha384-" + c.createHash("sha384").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

# rewritten FILE BEFORE: index.html names FILE's new digest where it named BEFORE (the
# page's own files; the panels' files carry no digest there).
rewritten() {
  after="$(sri "$1")"
  if grep -qF "$2" "$dir/index.html"; then
    sed -i "s|$2|$after|" "$dir/index.html"
    grep -qF "$after" "$dir/index.html"
  fi
}

minify() {
  esbuild "$1" --minify --format=esm --log-level=warning --outfile="$1.min"
  mv "$1.min" "$1"
}

for js in "$dir"/campaign-analytics-*.js; do
  wasm="${js%.js}_bg.wasm"
  js_before="$(sri "$js")"
  wasm_before="$(sri "$wasm")"
  node scripts/drop-classes.mjs "$wasm" "$js" "${UNUSED_CLASSES[@]}"
  # The functions in the order of their code, for gzip (scripts/order-functions.mjs), on
  # the module as Trunk's wasm-opt left it (index.html); the names that ordered them and
  # the target-features section go (nothing reads them when the module runs).
  node scripts/order-functions.mjs "$wasm"
  wasm-opt --reorder-functions-by-name --strip-debug --strip-target-features "$wasm" -o "$wasm"
  node scripts/short-wasm-names.mjs "$wasm" "$js"
  minify "$js"
  rewritten "$js" "$js_before"
  rewritten "$wasm" "$wasm_before"
done
# The panels' stylesheet (Trunk copies it as written; the page's own is minified by Trunk).
esbuild "$dir/panels.css" --minify --log-level=warning --outfile="$dir/panels.css.min"
mv "$dir/panels.css.min" "$dir/panels.css"
for js in "$dir"/snippets/*/*.js; do
  [ -f "$js" ] || continue
  before="$(sri "$js")"
  minify "$js"
  rewritten "$js" "$before"
done
