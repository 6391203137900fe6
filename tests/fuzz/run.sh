#!/bin/sh
# Bounded fuzz run of the codec decoders: builds tests/fuzz/codec_fuzz with clang and
# libFuzzer (+ASan/UBSan) in build-fuzz/, then runs it for FUZZ_SECONDS (default 60)
# starting from the seed corpus tests/fuzz/corpus/ (left unchanged; new inputs go to
# build-fuzz/fuzz-corpus/). Exit status is non-zero if the fuzzer found anything.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_BUILD_JOBS:-2}

# clang 16 (tools/setup.sh installs it): Debian 12's clang 14 cannot compile the headers
# (libstdc++ 12's std::source_location needs clang >= 15).
cxx=${FUZZ_CXX:-$(command -v clang++-16 || echo clang++)}
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DREDIS_CACHE_BUILD_FUZZERS=ON -DREDIS_CACHE_WERROR=ON >/dev/null
cmake --build "$build" -j"$jobs" --target codec_fuzz key_fuzz url_fuzz

# Each target: FUZZ_SECONDS from its seed corpus (left unchanged; new inputs go to
# build-fuzz/<target>-corpus/).
cd "$build"
for target in codec_fuzz:corpus key_fuzz:corpus_key url_fuzz:corpus_url; do
  name=${target%%:*}
  seeds=$here/${target#*:}
  mkdir -p "$build/$name-corpus" "$build/fuzz-artifacts"
  echo "== $name ($seconds s)"
  "$build/tests/fuzz/$name" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$name-" \
    "$build/$name-corpus" "$seeds"
done
