#!/usr/bin/env bash
# Sets up, builds and runs the test suite three times: a release build with
# warnings as errors (everything), an AddressSanitizer + UndefinedBehaviorSanitizer
# build (everything), and a ThreadSanitizer build of the concurrency-heavy tests
# only (single flight and the lock, the pool, macro rebinding, cluster refresh
# and migration, faults under load, Sentinel failovers under load, the near
# cache). Every test that needs Redis starts its own private redis-server.
# Prints how long each phase took at the end.
#   bash tools/test.sh                   # all three
#   RC_SKIP_ASAN=1 bash tools/test.sh    # without the ASan/UBSan build
#   RC_SKIP_TSAN=1 bash tools/test.sh    # without the TSan build
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=$(nproc)

# The TSan pass builds the concurrency_tests target (tests/CMakeLists.txt) and
# runs these of its tests.
tsan_tests='^(Stampede|Macro|Pool|Cluster|ClusterSeeds|ClusterWithReplicas|Fault|Outages/Breaker|BreakerOff|Sentinel|Near|NearCluster|NearSentinel|MetricsUnderLoad)\.'

phases=()
last=$SECONDS
phase_done() {  # records the time since the previous phase ended
  phases+=("$(printf '%-28s %5d s' "$1" $((SECONDS - last)))")
  last=$SECONDS
}
report() {
  echo "== phase durations"
  for p in "${phases[@]}"; do echo "  $p"; done
  echo "  $(printf '%-28s %5d s' total "$SECONDS")"
}
trap report EXIT

bash tools/setup.sh
phase_done setup

echo "== release build (warnings as errors)"
cmake --preset release >/dev/null
cmake --build --preset release -j"$jobs"
phase_done "release build"
ctest --preset release -j"$jobs"
phase_done "release tests"

if [ -z "${RC_SKIP_ASAN:-}" ]; then
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j"$jobs"
  phase_done "asan+ubsan build"
  ctest --preset asan -j"$jobs"
  phase_done "asan+ubsan tests"
fi

if [ -z "${RC_SKIP_TSAN:-}" ]; then
  echo "== ThreadSanitizer build (concurrency-heavy tests)"
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j"$jobs" --target concurrency_tests
  phase_done "tsan build"
  ctest --preset tsan -j"$jobs" -R "$tsan_tests"
  phase_done "tsan tests"
fi
