#!/usr/bin/env bash
# Sets up, builds (warnings as errors) and runs the whole test suite. Every
# test that needs Redis starts its own private redis-server.
#   bash tools/test.sh            # release build + ctest
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/setup.sh
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREDIS_CACHE_WERROR=ON
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"
