// redis_cache/cache.hpp — RedisCache: the connection to Redis and the factory
// of cached functions (python-redis-cache's RedisCache and @cache.cache()).
//
//   rc::RedisCache cache{{.url = "redis://127.0.0.1:6379/0"}};
//   auto users = cache.cache<&load_user>({.ttl = std::chrono::seconds(60), .limit = 100});
//   User u = users(7);
//
// A RedisCache is a cheap, copyable handle: copies share the connections and
// the cached functions made from them; the connections close when the last copy
// and the last cached function are gone.
//
// Thread-safe: one RedisCache and its cached functions may be used from any
// number of threads at once (connections come from a pool).
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <redis_cache/cached_function.hpp>
#include <redis_cache/codec/codec.hpp>
#include <redis_cache/codec/json.hpp>
#include <redis_cache/detail/core.hpp>
#include <redis_cache/detail/mget.hpp>
#include <redis_cache/options.hpp>

namespace redis_cache {

namespace detail {

template <class T>
struct fn_signature;
template <class R, class... A>
struct fn_signature<R (*)(A...)> {
  using type = R(A...);
};
template <class R, class... A>
struct fn_signature<R (*)(A...) noexcept> {
  using type = R(A...);
};
template <class R, class... A>
struct fn_signature<R(A...)> {
  using type = R(A...);
};
template <class F>
struct std_function_sig;
template <class R, class... A>
struct std_function_sig<std::function<R(A...)>> {
  using type = R(A...);
};

/// Default namespace of a function: its qualified name, with the caching
/// file's base name in front when it lives in an anonymous namespace.
std::string default_namespace(std::string_view qualified_name, const std::source_location& loc);

struct Access;  // src/access.hpp: internals for the redis-cache tool and the tests

}  // namespace detail

/// The type of `cache.cache<&fn>()`: `rc::Cached<&load_user> users = cache.cache<&load_user>();`
template <auto F>
using Cached =
    CachedFunction<detail::Constant<F>, typename detail::fn_signature<decltype(F)>::type>;

template <auto F>
class LazyCachedFunction;

/// A pending call for RedisCache::mget: `rc::call(users, 7)`.
template <class CF>
struct Call {
  const CF* fn;
  typename CF::args_tuple args;
};
template <class CF, class... A>
Call<CF> call(const CF& fn, A&&... args) {
  return Call<CF>{&fn, typename CF::args_tuple(std::forward<A>(args)...)};
}

class RedisCache {
 public:
  /// Connects lazily: constructing never blocks on Redis. Throws ConfigError
  /// for a bad URL or option.
  explicit RedisCache(Options options = {});
  /// Copies share everything (a moved-from RedisCache is a copy too, never empty).
  RedisCache(const RedisCache&) = default;
  RedisCache& operator=(const RedisCache&) = default;
  ~RedisCache() = default;

  /// Caches a function known at compile time: `cache.cache<&load_user>({.ttl = 60s})`.
  /// The default namespace is the function's fully qualified name.
  template <auto F>
  Cached<F> cache(CacheOptions opts = {},
                  std::source_location loc = std::source_location::current()) const {
    using Sig = typename detail::fn_signature<decltype(F)>::type;
    std::string ns =
        opts.ns.empty() ? detail::default_namespace(codec::qualified_name<F>(), loc) : opts.ns;
    return make<detail::Constant<F>, Sig>(detail::Constant<F>{},
                                          std::string(codec::qualified_name<F>()), std::move(ns),
                                          std::move(opts));
  }

  /// Caches any callable (lambda, std::function, functor) under an explicit
  /// namespace: `cache.cache(fetch, {.ns = "svc.fetch"})`. The signature is
  /// deduced as std::function would (no generic lambdas).
  template <class Fn>
  auto cache(Fn fn, CacheOptions opts) const {
    using Sig = typename detail::std_function_sig<decltype(std::function{fn})>::type;
    if (opts.ns.empty())
      throw ConfigError(
          "redis_cache: caching a callable needs an explicit namespace "
          "(CacheOptions::ns): it has no name of its own");
    std::string ns = opts.ns;
    return make<Fn, Sig>(std::move(fn), ns, ns, std::move(opts));
  }

  /// Results of calls to several cached functions (of this cache) in one round
  /// trip: `auto [u, p] = cache.mget(rc::call(users, 1), rc::call(posts, "x"));`
  template <class... CF>
  std::tuple<typename CF::result_type...> mget(const Call<CF>&... calls) const;

  /// The options this cache was made with (URL query keys applied).
  const Options& options() const noexcept;

  /// The schema fingerprint of a signature R(A...) (the key segment after the namespace).
  template <class Sig>
  static constexpr std::string_view schema_fingerprint_of() {
    return schema_fp(static_cast<Sig*>(nullptr));
  }

 private:
  friend struct detail::Access;
  template <auto>
  friend class LazyCachedFunction;

  template <class R, class... A>
  static constexpr std::string_view schema_fp(R (*)(A...)) {
    return codec::schema_fingerprint<R, detail::arg_t<A>...>();
  }

  template <class Fn, class Sig>
  CachedFunction<Fn, Sig> make(Fn fn, std::string name, std::string ns, CacheOptions opts) const {
    return CachedFunction<Fn, Sig>(
        std::move(fn), make_state<Sig>(std::move(name), std::move(ns), std::move(opts)));
  }

  template <class Sig>
  std::shared_ptr<detail::FunctionState> make_state(std::string name, std::string ns,
                                                    CacheOptions opts) const {
    return make_state_impl(std::move(name), std::move(ns), std::move(opts),
                           schema_fingerprint_of<Sig>(), schema_note_of(static_cast<Sig*>(nullptr)),
                           codec_info_of(static_cast<Sig*>(nullptr)));
  }
  /// What make_state_impl checks against Options::codec (json / python).
  template <class R, class... A>
  static constexpr detail::SignatureCodecInfo codec_info_of(R (*)(A...)) {
    std::string_view blocker = codec::json_blocker<R>();
    ((blocker = blocker.empty() ? codec::json_blocker<detail::arg_t<A>>() : blocker), ...);
    return {sizeof...(A), blocker};
  }
  template <class R, class... A>
  static std::string schema_note_of(R (*)(A...)) {
    std::string note = "{\"result\":" + codec::schema_json<R>() + ",\"args\":[";
    bool first = true;
    ((note += (first ? "" : ","), note += codec::schema_json<detail::arg_t<A>>(), first = false),
     ...);
    note += "]}";
    return note;
  }

  std::shared_ptr<detail::FunctionState> make_state_impl(std::string name, std::string ns,
                                                         CacheOptions opts, std::string_view schema,
                                                         std::string schema_note,
                                                         detail::SignatureCodecInfo info) const;

  std::shared_ptr<detail::CacheCore> core_;
};

template <class... CF>
std::tuple<typename CF::result_type...> RedisCache::mget(const Call<CF>&... calls) const {
  constexpr std::size_t n = sizeof...(CF);
  auto compute_all = [&] {  // braces: computed in call order
    return std::tuple<typename CF::result_type...>{calls.fn->compute(calls.args)...};
  };
  if (!options().active) return compute_all();
  ((calls.fn->state().core == core_
        ? void()
        : throw ConfigError("redis_cache: mget got a function of another RedisCache (" +
                            calls.fn->ns() + ")")),
   ...);
  const std::array<const detail::FunctionState*, n> fns{&calls.fn->state()...};
  std::array<std::string, n> keys;
  {
    std::size_t i = 0;
    ((std::apply([&](const auto&... a) { calls.fn->build_key(keys[i], a...); }, calls.args), ++i),
     ...);
  }
  const std::array<std::string_view, n> views =
      std::apply([](const auto&... k) { return std::array<std::string_view, n>{k...}; }, keys);
  detail::BatchFound found;
  if (!detail::batch_lookup(*core_, views, found,
                            [&](const Error& e) { detail::handle_batch_error(fns, e); }))
    return compute_all();
  std::vector<detail::PendingStore> stores;
  auto resolve_all = [&]<std::size_t... I>(std::index_sequence<I...>) {
    // Braced initialisation: evaluated in call order.
    return std::tuple<typename CF::result_type...>{detail::batch_resolve<typename CF::result_type>(
        *fns[I], views[I], found.values[I], stores, [&] {
          const auto& c = std::get<I>(std::forward_as_tuple(calls...));
          return c.fn->compute(c.args);
        })...};
  };
  auto out = resolve_all(std::index_sequence_for<CF...>{});
  detail::batch_store(*core_, stores);
  return out;
}

}  // namespace redis_cache
