#!/bin/sh
# Trunk's post-build hook (Trunk.toml): names this build of the panels' module in
# index.html, as <meta name="panels-version">. The module's files keep stable names (Trunk
# builds them so), and the page imports them with this version in the URL: a browser that
# cached an older build's panels fetches this build's, and a page only ever loads the
# panels built with it (the port between them is not versioned otherwise).
set -eu
dir="${TRUNK_STAGING_DIR:?run by Trunk}"
version="$(cat "$dir/campaign-analytics-panels.js" "$dir/campaign-analytics-panels_bg.wasm" | sha256sum | cut -c1-16)"
sed -i "s|</head>|<meta name=panels-version content=$version></head>|" "$dir/index.html"
grep -q "panels-version content=$version" "$dir/index.html"
