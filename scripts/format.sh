#!/usr/bin/env bash
# Formats the Swift sources in place with the toolchain's swift-format and .swift-format.
# `scripts/format.sh --check` only reports what it would change.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--check" ]; then
    exec swift format lint --recursive Sources Tests Benchmarks/Sources Benchmarks/Benchmarks
fi
exec swift format --in-place --recursive Sources Tests Benchmarks/Sources Benchmarks/Benchmarks
