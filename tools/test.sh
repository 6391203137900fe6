#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite, twice: a release build with
# warnings as errors, then an AddressSanitizer + UndefinedBehaviorSanitizer
# build. Every test that needs Redis starts its own private redis-server.
#   bash tools/test.sh              # both builds
#   RC_SKIP_ASAN=1 bash tools/test.sh   # release build only (quicker)
# ThreadSanitizer (not in the default run):
#   cmake --preset tsan && cmake --build --preset tsan -j2 && ctest --preset tsan -j2
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/setup.sh
jobs=$(nproc)

echo "== release build (warnings as errors)"
cmake --preset release >/dev/null
cmake --build --preset release -j"$jobs"
ctest --preset release -j"$jobs"

if [ -z "${RC_SKIP_ASAN:-}" ]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j"$jobs"
  ctest --preset asan -j"$jobs"
fi
