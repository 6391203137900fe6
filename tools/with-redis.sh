#!/usr/bin/env bash
# Runs a command with REDIS_URL pointing at a private redis-server (unix socket
# in a temp dir, no persistence) that is stopped afterwards. If REDIS_URL is
# already set, runs the command against that server instead.
#   tools/with-redis.sh ./build/examples/quickstart
set -euo pipefail
if [ -n "${REDIS_URL:-}" ]; then exec "$@"; fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/redis_cache.XXXXXX")
sock="$dir/redis.sock"
redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --dir "$dir" \
  --save "" --appendonly no --daemonize no --logfile "$dir/redis.log" &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT INT TERM
for _ in $(seq 1 100); do
  if redis-cli -s "$sock" ping >/dev/null 2>&1; then break; fi
  sleep 0.05
done
if ! redis-cli -s "$sock" ping >/dev/null 2>&1; then
  echo "with-redis: redis-server did not start; its log:" >&2
  cat "$dir/redis.log" >&2 || true
  exit 1
fi
export REDIS_URL="unix://$sock"
"$@"
