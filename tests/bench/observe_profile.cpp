// Instructions per hit with the observation hooks, for callgrind (run by
// tools/profile_hit.sh): what CacheOptions::latency_histogram and
// Options::on_event cost. Its own executable, so that hit_profile's code (and
// what the compiler inlines there) stays as it was.
//
//   observe_profile MODE N unix-socket-path
//   MODE: off    a hit with neither (the same set-up as the others)
//         hist   a hit with a latency histogram: two clock reads, a bucket, two atomic adds
//         event  a hit with an on_event hook that counts (no clock)
#include <redis_cache/redis_cache.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench_user.hpp"

namespace rc = redis_cache;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: observe_profile off|hist|event N unix-socket-path\n");
    return 2;
  }
  const std::string mode = argv[1];
  const long n = std::atol(argv[2]);
  if (mode != "off" && mode != "hist" && mode != "event") {
    std::fprintf(stderr, "observe_profile: unknown mode %s\n", mode.c_str());
    return 2;
  }
  long events = 0;
  rc::EventHandler hook = [&](const rc::Event&) { ++events; };
  rc::RedisCache cache{{.url = std::string("unix://") + argv[3],
                        .on_event = mode == "event" ? hook : rc::EventHandler()}};
  auto users = cache.cache<&load_user>({.latency_histogram = mode == "hist"});
  users(7);  // stored
  std::int64_t sum = 0;
  for (long i = 0; i < n; ++i) sum += users(7).age;
  std::printf("%lld %ld\n", static_cast<long long>(sum), events);
  return 0;
}
