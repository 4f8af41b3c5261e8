#!/usr/bin/env bash
# Renders the analyst report of a planted convoy vehicle in headless Chromium and writes a PNG
# screenshot (default docs/report-example.png). Not part of CI: it needs Chromium
# (Debian: apt-get install -y chromium). The tests check the page without a browser.
#
#   scripts/render-report.sh [--db DEMO.sqlite] [--out PNG] [--size WIDTH,HEIGHT]
#
# Without --db it runs a short demo (2 simulated hours from 06:00 UTC yesterday, seed 7) into a
# temporary directory. With --db it uses a database a demo already left (its ground truth must
# be beside it, in demo/ground-truth.jsonl).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
db=""
png="$root/docs/report-example.png"
size="1100,2900"
while [ $# -gt 0 ]; do
    case "$1" in
        --db) db="$2"; shift 2 ;;
        --out) png="$2"; shift 2 ;;
        --size) size="$2"; shift 2 ;;
        *) echo "render-report: unknown argument $1; use --db PATH, --out PNG or --size W,H" >&2; exit 2 ;;
    esac
done

browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then
    echo "render-report: no Chromium found; install it (Debian: apt-get install -y chromium)" >&2
    exit 1
fi

binary="${RINGWATCH_BINARY:-}"
if [ -z "$binary" ]; then
    (cd "$root" && swift build --product ringwatch >/dev/null)
    binary="$root/.build/debug/ringwatch"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ringwatch-report.XXXXXX")"
trap 'rm -rf "$work"' EXIT

start="$(date -u -d "yesterday 06:00" +%Y-%m-%dT%H:%M:%SZ)"
if [ -z "$db" ]; then
    db="$work/demo.sqlite"
    (cd "$root" && "$binary" demo --hours 2 --rate 8 --speed max --seed 7 --quiet --start "$start" --db "$db" >/dev/null)
    from="$start"
    to="$(date -u -d "yesterday 08:00" +%Y-%m-%dT%H:%M:%SZ)"
else
    # The whole span of the given demo, with an authorisation in case it is older than 30 days.
    from="2000-01-01T00:00:00Z"
    to="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    authorization=(--authorization "DEMO-RENDER")
fi
truth="$(dirname "$db")/demo/ground-truth.jsonl"

# The second member of the first planted convoy of three or more: its lead and tail are its companions.
plate="$(grep '"event":"convoy"' "$truth" | sed -n 's/.*"plates":\["[A-Z0-9]*","\([A-Z0-9]*\)","[A-Z0-9]*".*/\1/p' | head -1)"
if [ -z "$plate" ]; then
    echo "render-report: no convoy of three in $truth" >&2
    exit 1
fi

html="$work/report.html"
"$binary" report --db "$db" --plate "$plate" --from "$from" --to "$to" ${authorization[@]+"${authorization[@]}"} \
    --reason "demo: planted convoy, seed 7" --user "analyst.demo" --out "$html" >/dev/null

sandbox=()
[ "$(id -u)" -ne 0 ] || sandbox=(--no-sandbox)  # Chromium refuses to run as root with its sandbox
"$browser" --headless "${sandbox[@]}" --disable-gpu --hide-scrollbars --window-size="$size" \
    --screenshot="$png" "file://$html" 2>/dev/null
# Smaller file when pngquant is there (Debian: apt-get install -y pngquant).
if command -v pngquant >/dev/null 2>&1; then pngquant --force --skip-if-larger --output "$png" 64 "$png" || true; fi
echo "$png ($(wc -c <"$png") bytes): report on a planted convoy vehicle, rendered by $("$browser" --version 2>/dev/null | head -1)"
