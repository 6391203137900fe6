#!/usr/bin/env bash
# tools/compile_cost.sh — what including redis_cache costs a user's translation unit.
#
# Compiles three small files with the flags a user of the library gets (-std=c++20
# -O2, the project's include directories, msgpack-cxx's defines) and prints the
# median CPU time of each over RUNS runs (default 5), interleaved so that load on
# the machine hits all three alike:
#   (a) umbrella  #include <redis_cache/redis_cache.hpp> and nothing else
#   (b) baseline  <boost/pfr.hpp> <boost/describe.hpp> <string> <vector> <map>
#                 <optional> <variant>: what any reflective C++ code pays anyway
#   (c) cached    the umbrella header plus one REDIS_CACHED function of a struct
# and the ratios a/b and c/b (the figure the README quotes is a/b). CPU time moves
# with the load of a shared machine; gcc's count of the memory it allocated for the
# file (-ftime-report) does not, and its ratios track the CPU time ratios.
#
# INSTR=1 adds a third measure that load does not move either: the instructions the
# compiler executes for each file, counted by valgrind (about a minute per file).
#
#   tools/compile_cost.sh [RUNS]        (MODE=-c compiles to an object instead of
#                                        -fsyntax-only; CXX picks the compiler)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
cxx=${CXX:-g++}
mode=${MODE:--fsyntax-only}
msgpack_inc=${RC_MSGPACK_INCLUDE:-$root/.deps/msgpack/usr/include}
flags=(-std=c++20 -O2 -I"$root/include" -DMSGPACK_NO_BOOST -DMSGPACK_DEFAULT_API_VERSION=3)
[[ -d $msgpack_inc ]] && flags+=(-isystem "$msgpack_inc")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/a.cpp" <<'EOF'
#include <redis_cache/redis_cache.hpp>
EOF
cat >"$tmp/b.cpp" <<'EOF'
#include <boost/pfr.hpp>
#include <boost/describe.hpp>
#include <string>
#include <vector>
#include <map>
#include <optional>
#include <variant>
EOF
cat >"$tmp/c.cpp" <<'EOF'
#include <redis_cache/redis_cache.hpp>
#include <string>
#include <vector>

namespace app {
struct User {
  int id;
  std::string name;
  std::vector<std::string> tags;
};
User load_user(int id) { return {id, "user", {}}; }
REDIS_CACHED(load_user, 300, 1000)
}  // namespace app

int main() { return app::load_user_cached(7).id; }
EOF

# CPU seconds (user + sys) of one compile of $1: steadier than wall time on a
# machine that other jobs share.
one() {
  /usr/bin/time -f '%U %S' -o "$tmp/time" "$cxx" "${flags[@]}" "$mode" "$tmp/$1.cpp" -o "$tmp/$1.o"
  awk '{print $1 + $2}' "$tmp/time"
}
median() { sort -g | awk '{v[NR] = $1} END {m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m}'; }

# Warm the file cache; gcc's own count of the memory it allocated (-ftime-report), a
# figure the machine's load does not change, as a second measure of the work done.
mem() {
  "$cxx" "${flags[@]}" "$mode" -ftime-report "$tmp/$1.cpp" -o "$tmp/$1.o" 2>&1 |
    awk '/TOTAL/ {v = $NF; u = substr(v, length(v)); n = v + 0; if (u == "k") n /= 1024; if (u == "G") n *= 1024; print n}'
}
ma=$(mem a); mb=$(mem b); mc=$(mem c)
: >"$tmp/a.t"; : >"$tmp/b.t"; : >"$tmp/c.t"
for ((i = 0; i < runs; ++i)); do
  for f in a b c; do one "$f" >>"$tmp/$f.t"; done
done
a=$(median <"$tmp/a.t"); b=$(median <"$tmp/b.t"); c=$(median <"$tmp/c.t")
lines=$("$cxx" "${flags[@]}" -E "$tmp/a.cpp" | wc -l)

printf 'compile cost (%s, -O2 %s, median of %d)\n' "$("$cxx" --version | head -1)" "$mode" "$runs"
printf '                             CPU time   gcc memory\n'
printf '  (a) umbrella header        %6.2f s   %5d MB  (%d preprocessed lines)\n' "$a" "$ma" "$lines"
printf '  (b) pfr+describe+std       %6.2f s   %5d MB\n' "$b" "$mb"
printf '  (c) one REDIS_CACHED fn    %6.2f s   %5d MB\n' "$c" "$mc"
awk -v a="$a" -v b="$b" -v c="$c" -v ma="$ma" -v mb="$mb" -v mc="$mc" 'BEGIN {
  printf "  ratio a/b %.2f (memory %.2f)   c/b %.2f (memory %.2f)\n", a / b, ma / mb, c / b, mc / mb }'

# Instructions executed by the compiler (the driver and cc1plus), in millions.
instr() {
  valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$tmp/cg.%p" \
    "$cxx" "${flags[@]}" "$mode" "$tmp/$1.cpp" -o "$tmp/$1.o" 2>&1 |
    awk '/Collected :/ {s += $NF} END {printf "%.0f", s / 1e6}'
}
if [[ ${INSTR:-0} == 1 ]]; then
  ia=$(instr a); ib=$(instr b); ic=$(instr c)
  printf '  instructions (valgrind)   a %d M   b %d M   c %d M\n' "$ia" "$ib" "$ic"
  awk -v a="$ia" -v b="$ib" -v c="$ic" 'BEGIN { printf "  ratio a/b %.2f   c/b %.2f (instructions)\n", a / b, c / b }'
fi
