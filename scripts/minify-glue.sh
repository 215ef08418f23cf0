#!/bin/sh
# Step one of the post-build hook (scripts/post-build.sh), release builds only: minifies the JS that
# wasm-bindgen wrote for the page and for its panels with esbuild, and gives index.html the
# page's new Subresource Integrity digests. Trunk's own JS minifier cannot parse this glue
# (it warns and ships it as written); the page's glue is part of the first load
# (docs/decisions.md, "The dashboard's release build").
set -eu
dir="${TRUNK_STAGING_DIR:?run by Trunk}"
[ "${TRUNK_PROFILE:-}" = "release" ] || exit 0

# sri FILE: the digest Trunk writes in an integrity attribute.
sri() {
  node -e 'const c = require("crypto"), fs = require("fs");
    process.stdout.write("sha384-" + c.createHash("sha384").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

for file in "$dir"/campaign-analytics-*.js "$dir"/snippets/*/*.js; do
  [ -f "$file" ] || continue
  before="$(sri "$file")"
  esbuild "$file" --minify --format=esm --log-level=warning --outfile="$file.min"
  mv "$file.min" "$file"
  after="$(sri "$file")"
  # Files the page preloads carry a digest in index.html (the panels' glue does not).
  if grep -qF "$before" "$dir/index.html"; then
    sed -i "s|$before|$after|" "$dir/index.html"
    grep -qF "$after" "$dir/index.html"
  fi
done
