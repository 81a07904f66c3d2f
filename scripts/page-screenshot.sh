#!/usr/bin/env bash
# The on-call page of the demo evening (examples/demo.toml, rehearsed with --at at 20:35, the fleet up),
# written by `scalectl report --html` and photographed by headless Chromium into docs/page-demo-evening.png.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build --show-bin-path)/scalectl"
config=examples/demo.toml
rm -rf .demo
profile="$(mktemp -d)"
trap '"$bin" down --force --quiet --at 2026-11-23T23:45 --config "$config" >/dev/null 2>&1 || true; rm -rf "$profile"' EXIT
"$bin" calendar import schedules/sample.csv --config "$config" >/dev/null
"$bin" up --quiet --at 2026-11-23T20:30 --config "$config"
"$bin" report --html .demo/page.html --at 2026-11-23T20:35 --config "$config"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
    --window-size=1280,1400 --screenshot="$PWD/docs/page-demo-evening.png" "file://$PWD/.demo/page.html" 2>/dev/null
echo "docs/page-demo-evening.png"
