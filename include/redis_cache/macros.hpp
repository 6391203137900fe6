// redis_cache/macros.hpp — REDIS_CACHED: one line next to a function.
//
//   User load_user(int id);
//   REDIS_CACHED(load_user, 300, 1000)   // ttl seconds (0 = none), limit (0 = none)
//   REDIS_CACHED(load_user, 5min, 1000)  // or any std::chrono duration of whole seconds
//   REDIS_CACHED_WITH(load_user, .ttl = 60s, .limit = 100, .ns = "users")  // any CacheOptions
//   ...
//   User u = load_user_cached(7);        // bound to rc::set_default_cache() or REDIS_URL
//   load_user_cached.invalidate(7);
//   load_user_cached.invalidate_all();
//
// For an overloaded function name the pointer type; for a static member function
// the pointer, after the class:
//   REDIS_CACHED_AS(area_cached, static_cast<double (*)(Shape)>(&area), 60, 0)
//   REDIS_CACHED_AS(make_cached, &Repo::make, 60, 0)
//   REDIS_CACHED_AS_WITH(area_int_cached, static_cast<double (*)(int)>(&area), .ttl = 60s,
//                        .ns = "app::area(int)")  // any CacheOptions
// Inside the class, after a static member function (defines Repo::make_cached):
//   struct Repo {
//     static Item make(int id);
//     REDIS_CACHED_MEMBER(make, 60, 0)
//     REDIS_CACHED_MEMBER_WITH(make, .ttl = 60s, .ns = "repo.make")  // any CacheOptions
//   };
// REDIS_CACHED and REDIS_CACHED_WITH take an unqualified name at namespace scope
// (REDIS_CACHED(Repo::make, ...) is a redis_cache: static_assert).
// Two overloads cached under their default namespace (the name they share) are refused
// with a ConfigError at the second's first call: give them their own .ns.
// (A non-static member function needs its object: cache.cache<&Repo::find>(repo).)
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <source_location>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <redis_cache/cache.hpp>
#include <redis_cache/detail/chrono.hpp>
#include <redis_cache/detail/mutex.hpp>
#include <redis_cache/registry.hpp>

namespace redis_cache {

namespace detail {

/// REDIS_CACHED's ttl: integer seconds, or a std::chrono duration of whole
/// seconds (5min, 1h; 1500ms does not compile, as in CacheOptions::ttl).
template <class T>
constexpr std::chrono::seconds ttl_of(T ttl) {
  if constexpr (std::is_integral_v<T>) {
    return std::chrono::seconds(ttl);
  } else {
    static_assert(std::is_convertible_v<T, std::chrono::seconds>,
                  "redis_cache: REDIS_CACHED's ttl must be integer seconds or a std::chrono "
                  "duration of whole seconds (e.g. 300, 5min, 1h)");
    return std::chrono::seconds(ttl);
  }
}

/// REDIS_CACHED(fn, ...)'s fn is an unqualified name (it names fn##_cached too).
constexpr bool unqualified_name(const char* name) {
  for (; *name != '\0'; ++name)
    if (*name == ':') return false;
  return true;
}

/// REDIS_CACHED's calls with the function's own parameter types (so braced
/// arguments convert, as on cache.cache<&fn>()), over Self::with_bound.
template <class Self, class Sig>
class LazyCalls {};  // not a function signature: LazyCachedFunction static_asserts
template <class Self, class R, class... Args>
class LazyCalls<Self, R(Args...)> {
 public:
  using result_type = R;
  using args_tuple = std::tuple<arg_t<Args>...>;

  R operator()(Args... args) const {
    return self().with_bound([&](const auto& b) -> R { return b(std::forward<Args>(args)...); });
  }
  bool invalidate(const arg_t<Args>&... args) const {
    return self().with_bound([&](const auto& b) { return b.invalidate(args...); });
  }
  std::string key(const arg_t<Args>&... args) const {
    return self().with_bound([&](const auto& b) { return b.key(args...); });
  }

 private:
  const Self& self() const noexcept { return static_cast<const Self&>(*this); }
};

}  // namespace detail

/// What REDIS_CACHED defines: a cached function bound lazily to the default cache.
///
/// Binding. The first call binds the function to default_cache(), one binding shared
/// by all threads (and their stats). After set_default_cache(other) the next call binds
/// it to the new default and drops the shared binding to the earlier one; each thread
/// drops its own reference to the earlier binding at its next call of this function, or
/// when it exits. So an earlier default cache's state (its connection pool) is freed once
/// every copy of that RedisCache is gone and no binding is left; a thread that never
/// calls the function again keeps its reference until it exits. (set_default_cache of
/// the cache already set, or of a copy of it, keeps the binding and its stats.)
///
/// A call in flight during set_default_cache finishes on the cache it started with: its
/// thread holds that binding until the call returns, also when the function calls itself
/// and the nested call rebinds. Calls that start after set_default_cache returned use the
/// new cache.
///
/// Cost per call: one acquire load of the default's generation, compared with the
/// calling thread's binding; no lock and no shared reference count unless it changed.
///
/// Everything a cached function from cache.cache<&fn>() does, this does: calls with
/// the function's parameter types, invalidate, key, mget, stats, and rc::call for
/// RedisCache::mget (there it is its binding to the default cache, so mget must be
/// called on the default cache or a copy of it; another cache throws ConfigError).
template <auto F>
class LazyCachedFunction : public detail::LazyCalls<LazyCachedFunction<F>, detail::fn_sig_t<F>> {
  static_assert(detail::fn_kind_v<F> != detail::FnKind::member,
                "redis_cache: REDIS_CACHED takes a free or static member function; cache a "
                "non-static member function with cache.cache<&Class::fn>(object, options)");
  static_assert(detail::fn_kind_v<F> != detail::FnKind::unsupported,
                "redis_cache: REDIS_CACHED takes a function (REDIS_CACHED_AS: a pointer "
                "to a function, e.g. &Class::static_fn or static_cast<R (*)(A)>(&fn))");
  using Sig = detail::fn_sig_t<F>;
  using Bound = CachedFunction<detail::Constant<F>, Sig>;
  friend class detail::LazyCalls<LazyCachedFunction<F>, Sig>;

 public:
  using bound_type = Bound;

  LazyCachedFunction(const char* name, CacheOptions opts,
                     std::source_location loc = std::source_location::current())
      : name_(name), opts_(std::move(opts)), loc_(loc) {
    detail::register_cached({name_, std::string(codec::qualified_name<F>()),
                             RedisCache::default_ns<F>(opts_, loc_, false), opts_.ttl, opts_.limit,
                             std::string(RedisCache::schema_fingerprint_of<Sig>())});
  }

  std::size_t invalidate_all() const {
    return with_bound([](const Bound& b) { return b.invalidate_all(); });
  }
  auto mget(std::span<const typename Bound::args_tuple> calls) const {
    return with_bound([&](const Bound& b) { return b.mget(calls); });
  }
  auto mget(const std::vector<typename Bound::args_tuple>& calls) const {
    return mget(std::span<const typename Bound::args_tuple>(calls));
  }
  auto mget(std::initializer_list<typename Bound::args_tuple> calls) const {
    return mget(std::span<const typename Bound::args_tuple>(calls.begin(), calls.size()));
  }
  Stats stats() const {
    return with_bound([](const Bound& b) { return b.stats(); });
  }
  const std::string& name() const noexcept { return name_; }

  /// The cached function bound to the current default cache. A copy shares its state:
  /// while it lives, so does that cache's state.
  Bound bound() const {
    return with_bound([](const Bound& b) { return b; });
  }

 private:
  struct Entry {
    unsigned gen;  ///< detail::default_generation() it was bound at
    Bound bound;
  };

  /// This thread's binding. One per F: two objects of the same F (REDIS_CACHED_AS twice)
  /// share it and rebind whenever a thread alternates between them.
  struct Binding {
    const LazyCachedFunction* owner = nullptr;
    unsigned gen = 0;
    std::shared_ptr<const Entry> entry;
    unsigned depth = 0;                              ///< calls in flight on this thread
    std::vector<std::shared_ptr<const Entry>> held;  ///< rebound away from while in flight
  };
  static Binding& this_thread() {
    static thread_local Binding b;
    return b;
  }
  struct InCall {
    Binding& b;
    explicit InCall(Binding& binding) : b(binding) { ++b.depth; }
    ~InCall() {
      if (--b.depth == 0 && !b.held.empty()) b.held.clear();
    }
    InCall(const InCall&) = delete;
    InCall& operator=(const InCall&) = delete;
  };

  template <class Fn>
  decltype(auto) with_bound(Fn&& fn) const {
    Binding& b = this_thread();
    const unsigned gen = detail::default_generation();
    if (b.owner != this || b.gen != gen) [[unlikely]]
      rebind(b);
    const InCall in_call(b);
    return std::forward<Fn>(fn)(b.entry->bound);
  }

  void rebind(Binding& b) const {
    std::shared_ptr<const Entry> old = std::move(b.entry);  // dropped here unless in flight
    b.owner = nullptr;
    if (old && b.depth > 0) b.held.push_back(std::move(old));
    b.entry = current();
    b.owner = this;
    b.gen = b.entry->gen;
  }

  /// The binding to the current default cache, shared by all threads.
  std::shared_ptr<const Entry> current() const {
    const detail::MutexLock lock(mu_);
    // Read under the lock: a thread that saw an older generation never rebinds back.
    const unsigned gen = detail::default_generation();
    if (!current_ || current_->gen != gen) {
      std::shared_ptr<const Entry> old = std::move(current_);  // dropped even if this throws
      const RedisCache cache = default_cache();
      // The same core (set_default_cache of the same cache): keep the binding, whose
      // copy shares its state and counters.
      if (old && old->bound.state().core == cache.core_)
        current_ = std::make_shared<Entry>(Entry{gen, old->bound});
      else
        current_ = std::make_shared<Entry>(Entry{gen, cache.template cache<F>(opts_, loc_)});
    }
    return current_;
  }

  std::string name_;
  CacheOptions opts_;
  std::source_location loc_;
  mutable detail::Mutex mu_;
  mutable std::shared_ptr<const Entry> current_;  ///< guarded by mu_
};

/// rc::call of a REDIS_CACHED function, for RedisCache::mget: holds its binding to
/// the default cache when call() ran.
template <auto F>
struct Call<LazyCachedFunction<F>> {
  typename LazyCachedFunction<F>::bound_type bound;
  typename LazyCachedFunction<F>::args_tuple args;
  const typename LazyCachedFunction<F>::bound_type& function() const noexcept { return bound; }
};
template <auto F, class... A>
Call<LazyCachedFunction<F>> call(const LazyCachedFunction<F>& fn, A&&... args) {
  return {fn.bound(), typename LazyCachedFunction<F>::args_tuple(std::forward<A>(args)...)};
}

}  // namespace redis_cache

/// Defines `fn_cached`, the cached version of `fn`: ttl as integer seconds or a
/// std::chrono duration (0 = none), limit entries (0 = none).
#define REDIS_CACHED(fn, ttl_, limit_)    \
  REDIS_CACHED_CHECK_UNQUALIFIED_(fn, "") \
  REDIS_CACHED_AS(fn##_cached, &fn, ttl_, limit_)

/// REDIS_CACHED(Class::fn, ...) cannot define Class::fn_cached from outside the class.
#define REDIS_CACHED_CHECK_UNQUALIFIED_(fn, with)                                                \
  static_assert(::redis_cache::detail::unqualified_name(#fn),                                    \
                "redis_cache: REDIS_CACHED" with                                                 \
                "(fn, ...) takes an unqualified name at the "                                    \
                "function's namespace scope; for a static member function write "                \
                "REDIS_CACHED_MEMBER" with "(fn, ...) inside the class, or REDIS_CACHED_AS" with \
                "(name, &Class::fn, ...) after it");

/// Defines `fn_cached` with any CacheOptions, given as designated initializers:
/// REDIS_CACHED_WITH(load_user, .ttl = 60s, .limit = 100, .ns = "users").
#define REDIS_CACHED_WITH(fn, ...)                                 \
  REDIS_CACHED_CHECK_UNQUALIFIED_(fn, "_WITH")                     \
  inline const ::redis_cache::LazyCachedFunction<&fn> fn##_cached{ \
      #fn "_cached", ::redis_cache::CacheOptions{__VA_ARGS__}};

/// Defines `name`, the cached version of the function pointer constant `fnptr`.
#define REDIS_CACHED_AS(name, fnptr, ttl_, limit_)                                   \
  inline const ::redis_cache::LazyCachedFunction<fnptr> name{                        \
      #name, ::redis_cache::CacheOptions{.ttl = ::redis_cache::detail::ttl_of(ttl_), \
                                         .limit = static_cast<std::size_t>(limit_)}};

/// Defines `name`, the cached version of the function pointer constant `fnptr`, with any
/// CacheOptions as designated initializers (an overload under its own namespace):
/// REDIS_CACHED_AS_WITH(area_int_cached, static_cast<double (*)(int)>(&area),
///                      .ttl = 60s, .ns = "app::area(int)").
/// A comma outside parentheses in fnptr (std::map<K, V> in the cast) splits the macro's
/// arguments: name such a type with an alias.
#define REDIS_CACHED_AS_WITH(name, fnptr, ...)                \
  inline const ::redis_cache::LazyCachedFunction<fnptr> name{ \
      #name, ::redis_cache::CacheOptions{__VA_ARGS__}};

/// Inside a class, after its static member function `fn`: defines the static member
/// `fn_cached` (Class::fn_cached), as REDIS_CACHED does at namespace scope. fn's
/// parameter and result types must be complete there (not the enclosing class itself).
#define REDIS_CACHED_MEMBER(fn, ttl_, limit_)                                                \
  static inline const ::redis_cache::LazyCachedFunction<&fn> fn##_cached{                    \
      #fn "_cached", ::redis_cache::CacheOptions{.ttl = ::redis_cache::detail::ttl_of(ttl_), \
                                                 .limit = static_cast<std::size_t>(limit_)}};

/// REDIS_CACHED_MEMBER with any CacheOptions as designated initializers.
#define REDIS_CACHED_MEMBER_WITH(fn, ...)                                 \
  static inline const ::redis_cache::LazyCachedFunction<&fn> fn##_cached{ \
      #fn "_cached", ::redis_cache::CacheOptions{__VA_ARGS__}};
