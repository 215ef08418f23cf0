#!/bin/sh
# Step two of the post-build hook (scripts/post-build.sh): gives the panels' module and
# stylesheet (style/panels.css) names that carry a hash of their contents, as Trunk does
# for the page's own files, and names them in index.html
# (<meta name="panels" content="campaign-analytics-panels-<hash>">), which the page reads
# when it loads them. A browser never reuses an older build's panels, and a page loaded
# before a new build was deployed finds its own panels gone (and says to reload) rather
# than running another build's: the port between them is not versioned otherwise.
set -eu
dir="${TRUNK_STAGING_DIR:?run by Trunk}"
hash="$(cat "$dir/campaign-analytics-panels.js" "$dir/campaign-analytics-panels_bg.wasm" "$dir/panels.css" | sha256sum | cut -c1-16)"
stem="campaign-analytics-panels-$hash"
mv "$dir/campaign-analytics-panels.js" "$dir/$stem.js"
mv "$dir/campaign-analytics-panels_bg.wasm" "$dir/${stem}_bg.wasm"
mv "$dir/panels.css" "$dir/$stem.css"
sed -i "s|</head>|<meta name=panels content=$stem></head>|" "$dir/index.html"
grep -q "<meta name=panels content=$stem>" "$dir/index.html"
