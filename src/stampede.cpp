// The cross-process stampede lock's token and backoff (see
// include/redis_cache/detail/stampede.hpp).
#include <redis_cache/detail/stampede.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <thread>

namespace redis_cache::detail {

std::string lock_token() {
  thread_local std::mt19937_64 rng{
      std::random_device{}() ^
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

std::chrono::milliseconds backoff_sleep(std::chrono::milliseconds step) {
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<long long> jitter(step.count() * 500, step.count() * 1500);
  std::this_thread::sleep_for(std::chrono::microseconds(jitter(rng)));
  return std::min(step * 2, std::chrono::milliseconds(100));
}

}  // namespace redis_cache::detail
