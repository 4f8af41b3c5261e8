#!/usr/bin/env python3
"""Where the time goes under one function, from a `perf record --call-graph fp` profile.

Of the samples whose call stack passes through a frame matching ANCHOR (a regular expression on
the demangled name), prints the share of each symbol as the leaf (self time) and anywhere below
the anchor (inclusive time). Frames above the anchor (the benchmark harness, fixture building)
are left out, so a profile of a whole benchmark run can be read for the measured function alone.

    perf record -F 3999 --call-graph fp -o hotlist.perf -- \\
        Benchmarks/.build/release/Detectors --filter 'hotlist.*'
    perf script -i hotlist.perf | swift demangle --simplified | \\
        scripts/perf-summary.py 'WindowReplay.advance' 20
"""
import collections
import re
import sys


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: perf script -i DATA | swift demangle --simplified | perf-summary.py ANCHOR [TOP]")
    anchor = re.compile(sys.argv[1])
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    samples = 0
    own = collections.Counter()
    inclusive = collections.Counter()

    def finish(stack: list[str]) -> None:
        nonlocal samples
        # perf prints the leaf first: keep the frames from the leaf up to the innermost anchor.
        cut = next((i for i, frame in enumerate(stack) if anchor.search(frame)), None)
        if cut is None:
            return
        samples += 1
        below = stack[: cut + 1]
        own[below[0]] += 1
        for frame in set(below):
            inclusive[frame] += 1

    stack: list[str] = []
    for line in sys.stdin:
        if not line.strip():
            finish(stack)
            stack = []
        elif line[0] in " \t":
            fields = line.strip().split(" ", 1)
            if len(fields) == 2:
                frame = re.sub(r"\+0x[0-9a-f]+ \(.*\)$", "", fields[1])
                stack.append(re.sub(r" \(/[^)]*\)$", "", frame)[:150])
    finish(stack)

    if samples == 0:
        sys.exit(f"no sample passes through /{sys.argv[1]}/")
    print(f"{samples} samples under /{sys.argv[1]}/\n\nself %  symbol")
    for frame, count in own.most_common(top):
        print(f"{100 * count / samples:6.1f}  {frame}")
    print("\ninclusive %  symbol")
    for frame, count in inclusive.most_common(top + 5):
        print(f"{100 * count / samples:6.1f}  {frame}")


if __name__ == "__main__":
    main()
