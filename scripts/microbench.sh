#!/usr/bin/env bash
# Runs the micro-benchmarks in Benchmarks/ (a package of their own, ordo-one/benchmark), built in
# release by the benchmark plugin. Figures are per read / per operation (see Benchmarks/README.md).
#
#   scripts/microbench.sh                      run every suite, print the tables
#   scripts/microbench.sh --target Detectors   one suite (Ingest, Window, Detectors, Triggers, Storage)
#   scripts/microbench.sh --filter 'hotlist'   benchmarks whose name matches a regular expression
#   scripts/microbench.sh baseline NAME        run and keep the figures as baseline NAME
#   scripts/microbench.sh compare NAME         run and compare with baseline NAME (exit 1 on a regression)
#   scripts/microbench.sh list                 the benchmarks there are
#
# Other arguments go to the plugin as they are (`--format markdown`, `--metric wallClock`, ...).
# Baselines are kept in Benchmarks/.benchmarkBaselines/ (not in git).
set -euo pipefail
cd "$(dirname "$0")/../Benchmarks"
../scripts/bootstrap.sh

# --allow-writing-to-package-directory: the plugin writes baselines under the package.
plugin=(swift package --allow-writing-to-package-directory benchmark)
case "${1:-run}" in
    baseline)
        [[ $# -ge 2 ]] || { echo "usage: scripts/microbench.sh baseline NAME [plugin options]" >&2; exit 2; }
        name=$2; shift 2
        exec "${plugin[@]}" baseline update "$name" --no-progress "$@"
        ;;
    compare)
        [[ $# -ge 2 ]] || { echo "usage: scripts/microbench.sh compare NAME [plugin options]" >&2; exit 2; }
        name=$2; shift 2
        exec "${plugin[@]}" baseline check "$name" --no-progress "$@"
        ;;
    list)
        shift
        exec "${plugin[@]}" list "$@"
        ;;
    run)
        [[ $# -ge 1 ]] && shift
        exec "${plugin[@]}" --no-progress "$@"
        ;;
    -*)
        exec "${plugin[@]}" --no-progress "$@"
        ;;
    *)
        echo "scripts/microbench.sh: unknown command $1; use run, baseline NAME, compare NAME or list" >&2
        exit 2
        ;;
esac
