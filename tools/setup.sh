#!/usr/bin/env bash
# Installs everything redis_cache needs to build, test and run its demo on
# Debian 12 (and newer Debian/Ubuntu): compiler, CMake, hiredis, Boost >= 1.81,
# msgpack-cxx, GoogleTest, Google Benchmark, CLI11, zstd, OpenSSL 3 (TLS; the
# openssl command makes the tests' certificates), redis-server,
# python3-redis (cross-language tests), python3-prometheus-client and curl
# (metrics tests), clang-16 with its libFuzzer/sanitizer runtimes (Debian 12's clang 14
# cannot compile the headers: packaging.strict_consumer_clang, the clang preset and
# tests/fuzz/run.sh use clang++-16).
#
# Idempotent and quick when everything is present. Works as root or via sudo.
#
# msgpack-cxx: on Debian 12 libmsgpack-cxx-dev depends on Boost 1.74's
# libboost-dev, which conflicts with libboost1.81-dev. msgpack-cxx is
# header-only, so where apt cannot co-install them we `apt-get download` the
# package and unpack its headers into <repo>/.deps/msgpack (CMake looks there).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps="$here/.deps"

if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

boost_pkg=libboost1.81-dev
if ! apt-cache show "$boost_pkg" >/dev/null 2>&1; then
  # Newer distributions: the default Boost is new enough.
  boost_pkg=libboost-dev
fi

pkgs=(g++ cmake make pkg-config libhiredis-dev "$boost_pkg" libgtest-dev libgmock-dev
      libbenchmark-dev libcli11-dev libzstd-dev libssl-dev openssl redis-server redis-tools
      python3 python3-redis python3-prometheus-client curl clang-16 libclang-rt-16-dev)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

updated=0
apt_update() {
  if [ "$updated" -eq 0 ]; then
    $sudo apt-get update -qq
    updated=1
  fi
}

if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt_update
  # clang-16 and libclang-rt-16-dev exist only where clang 16 is packaged (newer
  # distributions package newer clangs): skip what is not available here.
  avail=()
  for p in "${missing[@]}"; do
    if apt-cache show "$p" >/dev/null 2>&1; then avail+=("$p"); else echo "setup: $p not available here, skipping"; fi
  done
  if [ "${#avail[@]}" -gt 0 ]; then
    $sudo apt-get install -y -qq --no-install-recommends "${avail[@]}" >/dev/null
  fi
fi

# msgpack-cxx headers.
if [ -f /usr/include/msgpack.hpp ] || [ -f "$deps/msgpack/usr/include/msgpack.hpp" ]; then
  :
elif apt-get install -s -qq libmsgpack-cxx-dev >/dev/null 2>&1 &&
     ! apt-get install -s libmsgpack-cxx-dev 2>/dev/null | grep -q "^Remv"; then
  echo "setup: installing libmsgpack-cxx-dev"
  apt_update
  $sudo apt-get install -y -qq --no-install-recommends libmsgpack-cxx-dev >/dev/null
else
  echo "setup: unpacking libmsgpack-cxx-dev headers into $deps/msgpack"
  apt_update
  tmp=$(mktemp -d)
  chmod 755 "$tmp"
  (cd "$tmp" && apt-get download -qq libmsgpack-cxx-dev >/dev/null 2>&1)
  mkdir -p "$deps/msgpack"
  dpkg-deb -x "$tmp"/libmsgpack-cxx-dev_*.deb "$deps/msgpack"
  rm -rf "$tmp"
fi

echo "setup: ok"
