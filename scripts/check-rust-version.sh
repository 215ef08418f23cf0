#!/usr/bin/env bash
# Checks that the workspace's `rust-version` is true for the locked dependencies: no
# package in Cargo.lock may declare a newer minimum Rust than the workspace does.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo metadata --format-version 1 --locked --quiet | python3 -c '
import json, sys
def version(text):
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))
meta = json.load(sys.stdin)
members = set(meta["workspace_members"])
ours = {p["rust_version"] for p in meta["packages"] if p["id"] in members}
if len(ours) != 1 or None in ours:
    sys.exit(f"error: every workspace member must declare the same rust-version, found {sorted(map(str, ours))}")
ours = ours.pop()
newest = max(
    ((p["rust_version"], p["name"], p["version"]) for p in meta["packages"]
     if p["id"] not in members and p.get("rust_version")),
    key=lambda t: version(t[0]),
)
if version(newest[0]) > version(ours):
    sys.exit(f"error: rust-version {ours} is older than {newest[1]} {newest[2]} needs ({newest[0]}); raise it in Cargo.toml")
print(f"rust-version {ours}: enough for every locked dependency (the newest need is {newest[1]} {newest[2]}: {newest[0]})")
'
