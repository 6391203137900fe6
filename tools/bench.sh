#!/usr/bin/env bash
# Builds in release mode and runs the benchmark of the library next to raw
# hiredis (it starts its own private redis-server). Prints a table at the end.
#   bash tools/bench.sh [google-benchmark flags, e.g. --benchmark_min_time=0.5]
#
# On an otherwise idle VM a loopback round trip swings between ~7 us and
# ~75 us as idle cores sleep and wake; a busy loop on one core keeps the
# machine awake so both columns are measured under the same conditions.
# RC_BENCH_IDLE=1 turns it off; RC_BUILD_DIR=dir builds there (default build-bench).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/setup.sh
build=${RC_BUILD_DIR:-build-bench}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DREDIS_CACHE_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target cache_bench
spin=""
if [ -z "${RC_BENCH_IDLE:-}" ]; then
  (while :; do :; done) &
  spin=$!
  trap 'kill "$spin" 2>/dev/null || true' EXIT
fi
./"$build"/tests/bench/cache_bench "$@"
