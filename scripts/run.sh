#!/usr/bin/env bash
# The README's run command: installs what is missing, builds in release mode and runs the
# engine on the shipped fixtures (loopback endpoints, database under ./data). Extra arguments
# go to `ringwatch serve`. Stop it with Ctrl-C: every read and trigger is then in SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
swift build -c release --product ringwatch
exec .build/release/ringwatch serve --config deploy/ringwatch.toml "$@"
