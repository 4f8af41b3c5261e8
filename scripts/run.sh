#!/usr/bin/env bash
# The README's run command: installs what is missing, builds in release mode and runs
# `ringwatch` with the given arguments — `demo` when none are given (the engine on simulated
# traffic in accelerated time). `scripts/run.sh serve` runs the engine on the shipped fixtures
# with deploy/ringwatch.toml until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --product ringwatch
if [ $# -eq 0 ]; then set -- demo; fi
if [ "$1" = "serve" ]; then
    shift
    exec .build/release/ringwatch serve --config deploy/ringwatch.toml "$@"
fi
exec .build/release/ringwatch "$@"
