#!/usr/bin/env bash
# Replays a recorded national day through the real engine (issue 10, "Replay"):
#
#   scripts/replay-national.sh [DIR] [MESSAGES]
#
# DIR holds what `ringwatch-bench national` prepares (default /tmp/ringwatch-national):
# cameras.csv, day.jsonl (`ringwatch simulate --out`), hotlist.csv (1,000,000 entries) and
# registry.csv (8,000,000 vehicles). MESSAGES replays only the first N lines (default: all).
#
# Starts `ringwatch serve` with every detector on and persistence, publishes the file with
# `ringwatch simulate --replay --speed max` (which never drops: it waits for the engine), and
# prints the time from the first message to the last read committed, with the engine's counters.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${1:-/tmp/ringwatch-national}
limit=${2:-0}
bin=.build/release/ringwatch
[[ -x $bin ]] || swift build -c release --product ringwatch
for file in cameras.csv day.jsonl hotlist.csv registry.csv; do
    [[ -f $dir/$file ]] || { echo "replay-national: $dir/$file is missing; run 'ringwatch-bench national' once to make it" >&2; exit 2; }
done

work=$(mktemp -d /tmp/ringwatch-replay.XXXXXX)
engine_pid=
cleanup() {
    [[ -n $engine_pid ]] && kill "$engine_pid" 2>/dev/null && wait "$engine_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# The simulated day lies in the future of the wall clock: turn the future-skew check off.
cat > "$work/replay.toml" <<EOF
[tuning]
max_future_skew_s = 0
EOF

ports=(5750 5760 5770)
"$bin" serve --config "$work/replay.toml" --db "$work/replay.sqlite" --cameras "$dir/cameras.csv" \
    --hotlist "$dir/hotlist.csv" --registry "$dir/registry.csv" \
    --ingest "tcp://127.0.0.1:${ports[0]}" --triggers "tcp://127.0.0.1:${ports[1]}" --control "tcp://127.0.0.1:${ports[2]}" \
    > "$work/engine.log" 2>&1 &
engine_pid=$!
control="tcp://127.0.0.1:${ports[2]}"
# The engine is ready when it answers on the control socket (it loads the registry first).
until "$bin" status --control "$control" --format jsonl > /dev/null 2>&1; do
    kill -0 "$engine_pid" 2>/dev/null || { cat "$work/engine.log" >&2; exit 1; }
    sleep 1
done

counter() { "$bin" status --control "$control" --format jsonl | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

if [[ $limit -gt 0 ]]; then
    head -n "$limit" "$dir/day.jsonl" > "$work/slice.jsonl"
    source=$work/slice.jsonl
else
    source=$dir/day.jsonl
fi
messages=$(wc -l < "$source")
echo "replay-national: $messages messages from $source"

began=$(date +%s.%N)
"$bin" simulate --replay "$source" --publish "tcp://127.0.0.1:${ports[0]}" --speed max
sent=$(date +%s.%N)
# Done when every message arrived and every accepted read is stored.
while true; do
    received=$(counter reads_received)
    accepted=$(counter reads_accepted)
    stored=$(counter reads_stored)
    [[ $received -ge $messages && $stored -ge $accepted ]] && break
    sleep 1
done
finished=$(date +%s.%N)
"$bin" status --control "$control" | grep -v gaps_by_camera
# The engine's peak and current resident memory, and what the history takes on disk.
grep -E '^(VmHWM|VmRSS)' "/proc/$engine_pid/status" | tr -s ' \t' ' ' | sed 's/^/replay-national: engine /'
echo "replay-national: history $(du -sh "$work" | cut -f1) on disk ($work)"
# RINGWATCH_REPLAY_LOG=FILE keeps the engine's log (hours sealed, warnings) after the run.
[[ -n ${RINGWATCH_REPLAY_LOG:-} ]] && cp "$work/engine.log" "$RINGWATCH_REPLAY_LOG"
python3 - "$began" "$sent" "$finished" "$messages" <<'EOF'
import sys
began, sent, finished, messages = map(float, sys.argv[1:5])
print(f"replay-national: {int(messages)} messages; publishing took {sent - began:.1f} s; "
      f"all stored after {finished - began:.1f} s = {messages / (finished - began):,.0f} reads/s")
EOF
