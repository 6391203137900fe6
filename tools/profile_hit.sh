#!/usr/bin/env bash
# Client-side instructions per operation, library vs raw hiredis doing the same
# Redis work, counted by callgrind: (Ir(2N ops) - Ir(N ops)) / N, so set-up
# cancels out. Cases: a hit (GET + decode), mget of 100 and of 1000 hits, a
# miss without a limit (GET + SET EX), a miss of a function with a limit
# (GET + EVALSHA of the FIFO script), also with single_flight = false (what
# in-process stampede protection costs); and, from observe_profile, a hit with
# neither hook, with a latency histogram, with an on_event hook (what observing
# costs: off / hist / event).
#   bash tools/profile_hit.sh [N]          (N hits; fewer batches and misses)
#   RC_BUILD_DIR=build-x bash tools/profile_hit.sh   (default build-bench;
#   relative to the repository or absolute)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/setup.sh
command -v valgrind >/dev/null || { echo "profile_hit: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
build=${RC_BUILD_DIR:-build-bench}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DREDIS_CACHE_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target hit_profile observe_profile >/dev/null
n=${1:-2000}
case $build in
  /*) bin=$build/tests/bench/hit_profile ;;
  *) bin=$PWD/$build/tests/bench/hit_profile ;;
esac
obs=${bin%/hit_profile}/observe_profile
REDIS_URL= bash tools/with-redis.sh bash -c '
  sock=${REDIS_URL#unix://}; bin='"$bin"'; obs='"$obs"'; n='"$n"'
  run() {  # mode count [batch] -> total instructions
    local out; out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$1" "$2" "$sock" ${3:-} >/dev/null 2>&1
    awk "/^summary:/ {print \$2}" "$out"; rm -f "$out"
  }
  per_op() {  # mode count [batch] -> instructions per op
    # A first, unmeasured run stores what the mode reads, so that the N and 2N
    # runs start alike (otherwise the first of them also pays for those misses).
    "$bin" "$1" 1 "$sock" ${3:-} >/dev/null
    echo $(( ($(run "$1" $((2*$2)) ${3:-}) - $(run "$1" "$2" ${3:-})) / $2 ))
  }
  row() {  # label lib-mode raw-mode count [batch]
    local lib raw
    lib=$(per_op "$2" "$4" ${5:-}); raw=$(per_op "$3" "$4" ${5:-})
    printf "%-26s library %10d  raw %10d  ratio %.3f\n" "$1" "$lib" "$raw" "$(echo "$raw / $lib" | bc -l)"
  }
  echo "client-side instructions per operation (callgrind):"
  row "hit" lib raw "$n"
  row "mget of 100 hits" lib_mget raw_mget $(( n / 10 > 0 ? n / 10 : 1 )) 100
  row "mget of 1000 hits" lib_mget raw_mget $(( n / 40 > 0 ? n / 40 : 1 )) 1000
  row "miss, no limit" lib_miss raw_miss $(( n / 4 > 0 ? n / 4 : 1 ))
  row "miss with a limit" lib_miss_limit raw_miss_limit $(( n / 4 > 0 ? n / 4 : 1 ))
  row "  without single flight" lib_miss_limit_nosf raw_miss_limit $(( n / 4 > 0 ? n / 4 : 1 ))
  # The observation hooks, in their own executable (observe_profile): compare
  # these rows with each other (one build, one set-up), not with "hit" above.
  bin=$obs
  echo "a hit (observe_profile):"
  for m in off hist event; do printf "  %-24s %10d\n" "$m" "$(per_op "$m" "$n")"; done
'
