// Test helpers for the near cache (DESIGN.md §8): its internals, whether it
// listens, and a call that is known to have been served from memory.
#pragma once

#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <cstdint>

#include "access.hpp"
#include "near/near_cache.hpp"
#include "support/sync.hpp"

namespace rc_test {

inline redis_cache::detail::NearCache& near_of(const redis_cache::RedisCache& cache) {
  return *redis_cache::detail::Access::core(cache)->near();
}

/// True once every listener is subscribed (near hits are served).
inline bool listening(const redis_cache::RedisCache& cache) {
  return eventually([&] { return cache.near_stats().listening; });
}

/// Bumped (and the near tier flushed) whenever a listener is lost or the
/// topology moved. A loaded machine may lose a listener to its PING deadline
/// at any time, so a test that counts near hits across a window checks that
/// this did not move meanwhile.
inline std::uint64_t near_epoch(const redis_cache::RedisCache& cache) {
  return near_of(cache).state() >> 1;
}

/// Calls f(args) until a call is served from the near cache; returns its value.
template <class F, class... A>
auto near_hit(const F& f, const A&... args) {
  decltype(f(args...)) v{};
  EXPECT_TRUE(eventually([&] {
    const auto before = f.stats().near_hits;
    v = f(args...);
    return f.stats().near_hits > before;
  })) << f.stats();
  return v;
}

}  // namespace rc_test
