#!/usr/bin/env bash
# Client-side instructions per operation, library vs raw hiredis doing the same
# Redis work, counted by callgrind: (Ir(2N ops) - Ir(N ops)) / N, so set-up
# cancels out. Cases: a hit (GET + decode), mget of 100 and of 1000 hits, a
# miss without a limit (GET + SET EX), a miss of a function with a limit
# (GET + EVALSHA of the FIFO script), also with single_flight = false (what
# in-process stampede protection costs); and, from observe_profile, a hit with
# neither hook, with a latency histogram, with an on_event hook (what observing
# costs: off / hist / event); and a hit over loopback TCP and over TLS
# (rediss://, on one private redis-server listening on both, with a
# certificate made here by the openssl command; raw hiredis over TCP in both
# rows, as hiredis 0.14 has no TLS).
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

# The TCP + TLS server for the last rows.
tls=$(mktemp -d "${TMPDIR:-/tmp}/rc_profile_tls.XXXXXX")
tls_pid=
cleanup_tls() { [ -n "$tls_pid" ] && kill "$tls_pid" 2>/dev/null && wait "$tls_pid" 2>/dev/null; rm -rf "$tls"; }
trap cleanup_tls EXIT INT TERM
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=profile-ca \
  -keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
  -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$tls/ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial \
  -days 2 -extfile "$tls/ext" -out "$tls/server.crt" 2>/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
tcp_port=$(free_port); tls_port=$(free_port)
redis-server --port "$tcp_port" --bind 127.0.0.1 --tls-port "$tls_port" --tls-cert-file "$tls/server.crt" \
  --tls-key-file "$tls/server.key" --tls-ca-cert-file "$tls/ca.crt" --tls-auth-clients no \
  --dir "$tls" --save "" --appendonly no --daemonize no --logfile "$tls/redis.log" &
tls_pid=$!
for _ in $(seq 1 100); do redis-cli -p "$tcp_port" ping >/dev/null 2>&1 && break; sleep 0.05; done
tcp_url="redis://127.0.0.1:$tcp_port/0"
tls_url="rediss://127.0.0.1:$tls_port/0?tls_ca=$tls/ca.crt"

REDIS_URL= bash tools/with-redis.sh bash -c '
  sock=${REDIS_URL#unix://}; bin='"$bin"'; obs='"$obs"'; n='"$n"'
  tcp_url='"$tcp_url"'; tls_url='"$tls_url"'
  run() {  # mode count [batch] -> total instructions (on ${srv:-$sock})
    local out; out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$1" "$2" "${srv:-$sock}" ${3:-} >/dev/null 2>&1
    awk "/^summary:/ {print \$2}" "$out"; rm -f "$out"
  }
  per_op() {  # mode count [batch] -> instructions per op
    # A first, unmeasured run stores what the mode reads, so that the N and 2N
    # runs start alike (otherwise the first of them also pays for those misses).
    "$bin" "$1" 1 "${srv:-$sock}" ${3:-} >/dev/null
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
  bin=${obs%/observe_profile}/hit_profile
  echo "a hit over loopback TCP and over TLS (raw hiredis: plain TCP in both rows):"
  raw=$(srv=$tcp_url per_op raw "$n")
  for t in tcp tls; do
    if [ $t = tcp ]; then lib=$(srv=$tcp_url per_op lib "$n"); else lib=$(srv=$tls_url per_op lib "$n"); fi
    printf "  %-24s library %10d  raw %10d  ratio %.3f\n" "hit over $t" "$lib" "$raw" "$(echo "$raw / $lib" | bc -l)"
  done
'
