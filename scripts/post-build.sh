#!/bin/sh
# Trunk's post-build hook (Trunk.toml). One hook runs the steps, in order: Trunk starts the
# hooks of a stage at the same time, and the panels' files must be named after their final
# (minified) contents.
set -eu
here="$(dirname "$0")"
bash "$here/compact-modules.sh"
sh "$here/stamp-panels.sh"
