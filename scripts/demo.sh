#!/usr/bin/env bash
# The demo: one evening of the contest on the simulated cloud, rehearsed with --at.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(swift build --show-bin-path)/scalectl"
rm -rf .demo
run() {
    echo
    echo "\$ scalectl $* --config examples/demo.toml"
    "$bin" "$@" --config examples/demo.toml
}
run calendar import schedules/sample.csv
run plan --at 2026-11-23T20:30
run up --at 2026-11-23T20:30
run up --at 2026-11-23T20:31
run status --at 2026-11-23T20:35
run down --at 2026-11-23T23:45
run status --at 2026-11-23T23:46
run history
run cost --at 2026-11-24T16:00
run doctor --at 2026-11-24T16:30
