#!/usr/bin/env bash
# Fuzzes one of the network decoders with libFuzzer (issue 9).
#
#   scripts/fuzz.sh read|control [seconds] [extra libFuzzer flags]
#
# Builds ringwatch-fuzz with -sanitize=fuzzer,address into .build-fuzz, then runs it on a copy
# of the corpus in Fixtures/fuzz/<target> for the given time (default 60 s). New inputs that
# reach new code are written to .build-fuzz/corpus/<target>; copy the interesting ones into
# Fixtures/fuzz/<target> so that FuzzCorpusTests replays them in every test run. A crash leaves
# a crash-* file in the current directory and a non-zero exit status.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-read}"
seconds="${2:-60}"
shift $(( $# > 2 ? 2 : $# ))
case "$target" in read|control) ;; *) echo "fuzz.sh: unknown target '$target'; use read or control" >&2; exit 2 ;; esac
scripts/bootstrap.sh
swift build --build-path .build-fuzz --product ringwatch-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING
corpus=".build-fuzz/corpus/$target"
mkdir -p "$corpus"
cp -n Fixtures/fuzz/"$target"/* "$corpus"/ 2>/dev/null || true
RINGWATCH_FUZZ_TARGET="$target" .build-fuzz/debug/ringwatch-fuzz "$corpus" \
    -max_total_time="$seconds" -max_len=70000 -timeout=10 -print_final_stats=1 "$@"
