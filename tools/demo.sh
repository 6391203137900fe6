#!/usr/bin/env bash
# Sets up, builds and runs the quickstart example against a private
# redis-server (or against REDIS_URL when it is set): a miss, then hits.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target quickstart
exec bash tools/with-redis.sh ./build/examples/quickstart
