#!/usr/bin/env bash
# Builds the `ringwatch` binary to install on a server: release mode with the Swift runtime and
# Foundation linked in (--static-swift-stdlib), so the server needs no Swift toolchain, only the
# Debian runtime packages printed at the end. The result is .build-deploy/ringwatch (stripped).
#
#   scripts/build-deploy.sh && sudo install -m 0755 .build-deploy/ringwatch /usr/local/bin/ringwatch
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# A build path of its own: the static runtime would otherwise rebuild .build/release each time
# the dynamic and static builds alternate.
swift build -c release --product ringwatch --static-swift-stdlib --build-path .build-static
mkdir -p .build-deploy
cp .build-static/release/ringwatch .build-deploy/ringwatch
strip .build-deploy/ringwatch
echo "built .build-deploy/ringwatch ($(du -h .build-deploy/ringwatch | cut -f1))"
if command -v dpkg >/dev/null; then
    packages=$(for library in $(ldd .build-deploy/ringwatch | awk '/=> \// { print $3 }'); do
        dpkg -S "*/$(basename "$library")" 2>/dev/null | cut -d: -f1 | grep -v -- '-dev$' | head -n 1 || true
    done | sort -u | tr '\n' ' ')
    echo "the server needs these Debian packages (apt-get install): ${packages}"
fi
