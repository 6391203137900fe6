#!/usr/bin/env bash
# Instructions per cache hit (client side), library vs raw hiredis GET + decode,
# counted by callgrind: (Ir(2N hits) - Ir(N hits)) / N, so set-up cancels out.
#   bash tools/profile_hit.sh [N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/setup.sh
command -v valgrind >/dev/null || { echo "profile_hit: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DREDIS_CACHE_BUILD_BENCH=ON >/dev/null
cmake --build build-bench -j"$(nproc)" --target hit_profile >/dev/null
n=${1:-2000}
bin=$PWD/build-bench/tests/bench/hit_profile
run() {  # mode hits -> total instructions
  local out; out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$1" "$2" "$sock" >/dev/null 2>&1
  awk '/^summary:/ {print $2}' "$out"; rm -f "$out"
}
export -f run
REDIS_URL= bash tools/with-redis.sh bash -c '
  sock=${REDIS_URL#unix://}; bin='"$bin"'; n='"$n"'
  '"$(declare -f run)"'
  lib=$(( ($(run lib $((2*n))) - $(run lib $n)) / n ))
  raw=$(( ($(run raw $((2*n))) - $(run raw $n)) / n ))
  printf "instructions per hit: library %d, raw hiredis GET + decode %d, ratio %.3f\n" \
    "$lib" "$raw" "$(echo "$raw / $lib" | bc -l)"
'
