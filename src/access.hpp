// Internals of the public types, for the library's own sources, the redis-cache
// tool and the tests (all of which see src/ through the redis_cache_internal
// target). Users never need these: nothing here is part of the API.
#pragma once

#include <redis_cache/cache.hpp>
#include <redis_cache/cached_function.hpp>

#include <memory>
#include <string>
#include <utility>

#include "cache_core.hpp"

namespace redis_cache::detail {

struct Access {
  /// The connection a RedisCache (and every copy of it) shares.
  static const std::shared_ptr<CacheCore>& core(const RedisCache& cache) noexcept {
    return cache.core_;
  }
  /// What a cached function knows at run time (keys, options, counters).
  template <class CF>
  static const FunctionState& state(const CF& fn) noexcept {
    return fn.state();
  }
  /// The key of a call with args (into out, reused).
  template <class CF, class... A>
  static void build_key(const CF& fn, std::string& out, const A&... args) {
    fn.build_key(out, args...);
  }
};

}  // namespace redis_cache::detail
