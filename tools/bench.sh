#!/usr/bin/env bash
# Builds in release mode and runs the benchmark of the library next to raw
# hiredis (it starts its own private redis-server). Prints a table at the end.
#   bash tools/bench.sh [google-benchmark flags, e.g. --benchmark_min_time=0.5]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/setup.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DREDIS_CACHE_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j"$(nproc)" --target cache_bench
exec ./build-bench/tests/bench/cache_bench "$@"
