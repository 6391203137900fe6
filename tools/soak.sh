#!/usr/bin/env bash
# Soak: 8 threads of mixed hits, misses and invalidations with a limit and a
# TTL against a private redis-server for N seconds (default 60), then checks
# and prints the invariants. Not part of tools/test.sh.
#   bash tools/soak.sh [seconds]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target soak
exec ./build/tests/soak/soak "${1:-60}"
