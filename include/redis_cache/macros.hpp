// redis_cache/macros.hpp — REDIS_CACHED: one line next to a function.
//
//   User load_user(int id);
//   REDIS_CACHED(load_user, 300, 1000)   // ttl seconds (0 = none), limit (0 = none)
//   ...
//   User u = load_user_cached(7);        // bound to rc::set_default_cache() or REDIS_URL
//   load_user_cached.invalidate(7);
//   load_user_cached.invalidate_all();
//
// For an overloaded function name the pointer type:
//   REDIS_CACHED_AS(area_cached, static_cast<double (*)(Shape)>(&area), 60, 0)
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <source_location>
#include <span>
#include <string>
#include <vector>

#include <redis_cache/cache.hpp>
#include <redis_cache/registry.hpp>

namespace redis_cache {

/// What REDIS_CACHED defines: a cached function bound lazily to the default cache.
template <auto F>
class LazyCachedFunction {
  using Sig = typename detail::fn_signature<decltype(F)>::type;
  using Bound = CachedFunction<detail::Constant<F>, Sig>;

 public:
  LazyCachedFunction(const char* name, long long ttl_seconds, std::size_t limit,
                     std::source_location loc = std::source_location::current())
      : name_(name), opts_{.ttl = std::chrono::seconds(ttl_seconds), .limit = limit}, loc_(loc) {
    detail::register_cached({name_, std::string(codec::qualified_name<F>()),
                             detail::default_namespace(codec::qualified_name<F>(), loc_), opts_.ttl,
                             opts_.limit, std::string(RedisCache::schema_fingerprint_of<Sig>())});
  }

  template <class... A>
  decltype(auto) operator()(A&&... args) const {
    return bound()(std::forward<A>(args)...);
  }
  template <class... A>
  bool invalidate(const A&... args) const {
    return bound().invalidate(args...);
  }
  std::size_t invalidate_all() const { return bound().invalidate_all(); }
  template <class... A>
  std::string key(const A&... args) const {
    return bound().key(args...);
  }
  auto mget(std::span<const typename Bound::args_tuple> calls) const { return bound().mget(calls); }
  auto mget(const std::vector<typename Bound::args_tuple>& calls) const {
    return bound().mget(calls);
  }
  auto mget(std::initializer_list<typename Bound::args_tuple> calls) const {
    return bound().mget(calls);
  }
  Stats stats() const { return bound().stats(); }
  const std::string& name() const noexcept { return name_; }

  /// The cached function bound to the current default cache.
  const Bound& bound() const {
    const unsigned gen = detail::default_generation();
    // One pointer to an immutable {generation, binding}: never a mismatched pair.
    const Entry* e = current_.load(std::memory_order_acquire);
    if (e != nullptr && e->gen == gen) return e->bound;
    std::lock_guard lock(mu_);
    e = current_.load(std::memory_order_relaxed);
    if (e == nullptr || e->gen != gen) {
      RedisCache& cache = default_cache();
      // Same core as before (e.g. set_default_cache of the same cache): keep the
      // binding (a copy shares its state and counters). Earlier entries stay
      // alive: another thread may still be using them.
      if (e != nullptr && e->bound.state().core == cache.core())
        all_.push_back(std::make_unique<Entry>(Entry{gen, e->bound}));
      else
        all_.push_back(std::make_unique<Entry>(Entry{gen, cache.template cache<F>(opts_, loc_)}));
      e = all_.back().get();
      current_.store(e, std::memory_order_release);
    }
    return e->bound;
  }

 private:
  std::string name_;
  CacheOptions opts_;
  std::source_location loc_;
  mutable std::mutex mu_;
  struct Entry {
    unsigned gen;
    Bound bound;
  };
  mutable std::atomic<const Entry*> current_{nullptr};
  mutable std::vector<std::unique_ptr<Entry>> all_;
};

}  // namespace redis_cache

/// Defines `fn_cached`, the cached version of `fn` (ttl seconds, limit entries; 0 = none).
#define REDIS_CACHED(fn, ttl, limit) REDIS_CACHED_AS(fn##_cached, &fn, ttl, limit)

/// Defines `name`, the cached version of the function pointer constant `fnptr`.
#define REDIS_CACHED_AS(name, fnptr, ttl, limit) \
  inline const ::redis_cache::LazyCachedFunction<fnptr> name{#name, (ttl), (limit)};
