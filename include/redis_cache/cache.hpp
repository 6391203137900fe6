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

/// What cache<F>() and REDIS_CACHED know about a function pointer constant: its
/// kind and its signature without the object (for a member function).
enum class FnKind { unsupported, free, member };
template <class T>
struct fn_traits {
  static constexpr FnKind kind = FnKind::unsupported;
  using sig = void;
  using object = void;
};
template <class R, class... A>
struct fn_traits<R (*)(A...)> {
  static constexpr FnKind kind = FnKind::free;
  using sig = R(A...);
  using object = void;
};
template <class R, class... A>
struct fn_traits<R (*)(A...) noexcept> : fn_traits<R (*)(A...)> {};
template <class R, class C, class... A>
struct fn_traits<R (C::*)(A...)> {
  static constexpr FnKind kind = FnKind::member;
  using sig = R(A...);
  using object = C;  ///< what the cached function calls it on
};
template <class R, class C, class... A>
struct fn_traits<R (C::*)(A...) const> {
  static constexpr FnKind kind = FnKind::member;
  using sig = R(A...);
  using object = const C;
};
template <class R, class C, class... A>
struct fn_traits<R (C::*)(A...) noexcept> : fn_traits<R (C::*)(A...)> {};
template <class R, class C, class... A>
struct fn_traits<R (C::*)(A...) const noexcept> : fn_traits<R (C::*)(A...) const> {};
// Lvalue-qualified: called on the bound object, an lvalue. (&&-qualified ones are
// not supported: they would consume the object the cached function keeps.)
template <class R, class C, class... A>
struct fn_traits<R (C::*)(A...)&> : fn_traits<R (C::*)(A...)> {};
template <class R, class C, class... A>
struct fn_traits<R (C::*)(A...) const&> : fn_traits<R (C::*)(A...) const> {};
template <class R, class C, class... A>
struct fn_traits<R (C::*)(A...)& noexcept> : fn_traits<R (C::*)(A...)> {};
template <class R, class C, class... A>
struct fn_traits<R (C::*)(A...) const& noexcept> : fn_traits<R (C::*)(A...) const> {};

template <auto F>
inline constexpr FnKind fn_kind_v = fn_traits<decltype(F)>::kind;
template <auto F>
using fn_sig_t = typename fn_traits<decltype(F)>::sig;

/// A member function F bound to an object the user keeps alive. Only the
/// arguments go into the key, never the object's state.
template <auto F>
struct BoundMember {
  typename fn_traits<decltype(F)>::object* obj;
  template <class... A>
  decltype(auto) operator()(A&&... a) const {
    return (obj->*F)(std::forward<A>(a)...);
  }
};

/// The function object stored for F: a constant, or a member bound to an object.
template <auto F>
using fn_holder_t = std::conditional_t<fn_kind_v<F> == FnKind::member, BoundMember<F>, Constant<F>>;

/// What a refused cache<F>() returns after its static_assert: a complete type, so
/// the redis_cache: message is the only error.
struct NotCached {};

/// Keeps cache<F>(object) out of the way of cache<F>(options).
template <class Object>
using not_options_t = std::enable_if_t<!std::is_same_v<std::remove_const_t<Object>, CacheOptions>>;

template <class F>
struct std_function_sig;
template <class R, class... A>
struct std_function_sig<std::function<R(A...)>> {
  using type = R(A...);
};

/// Default namespace of a function: its qualified name, with the caching
/// file's base name in front when it lives in an anonymous namespace.
std::string default_namespace(std::string_view qualified_name, const std::source_location& loc);
/// Records that the function of type `fn_type` (its pointer type, e.g. "long (*)(int)")
/// uses the default namespace `ns`; throws ConfigError when another function (an
/// overload of the same name) already does in this process.
void claim_default_namespace(const std::string& ns, std::string_view fn_type);

struct Access;  // src/access.hpp: internals for the redis-cache tool and the tests

}  // namespace detail

/// The type of `cache.cache<&fn>()`: `rc::Cached<&load_user> users = cache.cache<&load_user>();`
/// and of `cache.cache<&Repo::find>(repo)`: `rc::Cached<&Repo::find>`.
template <auto F>
using Cached = CachedFunction<detail::fn_holder_t<F>, detail::fn_sig_t<F>>;

template <auto F>
class LazyCachedFunction;

/// A pending call for RedisCache::mget: `rc::call(users, 7)`. (A REDIS_CACHED
/// function has its own Call, in macros.hpp.)
template <class CF>
struct Call {
  const CF* fn;
  typename CF::args_tuple args;
  const CF& function() const noexcept { return *fn; }
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

  /// Caches a function known at compile time: `cache.cache<&load_user>({.ttl = 60s})`,
  /// a static member function too (`cache.cache<&Repo::make>()`).
  /// The default namespace is the function's fully qualified name.
  template <auto F>
  auto cache(CacheOptions opts = {},
             std::source_location loc = std::source_location::current()) const {
    constexpr detail::FnKind kind = detail::fn_kind_v<F>;
    static_assert(kind != detail::FnKind::member,
                  "redis_cache: a non-static member function is cached with the object it is "
                  "called on: cache.cache<&Class::fn>(object, options)");
    static_assert(kind != detail::FnKind::unsupported,
                  "redis_cache: cache<F>() takes a pointer to a function or to a member "
                  "function (&fn, &Class::fn); cache a lambda or other callable with "
                  "cache(callable, {.ns = ...})");
    if constexpr (kind == detail::FnKind::free)
      return make_constant<F>(std::move(opts), loc);
    else
      return detail::NotCached{};
  }

  /// Caches a member function called on `object`: `cache.cache<&Repo::find>(repo, opts)`
  /// (const and non-const member functions). The cached function keeps a pointer to
  /// `object`: the caller keeps the object alive while it is used. The key holds the
  /// arguments only, NOT the object's state: two objects share one namespace and one
  /// entry per argument list (give each its own `.ns` when their results differ).
  /// The default namespace is the qualified name ("svc::Repo::find").
  template <auto F, class Object, class = detail::not_options_t<Object>>
  auto cache(Object& object, CacheOptions opts = {},
             std::source_location loc = std::source_location::current()) const {
    constexpr detail::FnKind kind = detail::fn_kind_v<F>;
    static_assert(kind == detail::FnKind::member,
                  "redis_cache: cache<F>(object, ...) takes a pointer to a non-static member "
                  "function (&Class::fn, not &&-qualified); a free or static function takes "
                  "no object");
    if constexpr (kind == detail::FnKind::member) {
      using Target = typename detail::fn_traits<decltype(F)>::object;
      static_assert(std::is_base_of_v<std::remove_const_t<Target>, std::remove_const_t<Object>>,
                    "redis_cache: the object is not of the member function's class");
      static_assert(std::is_const_v<Target> || !std::is_const_v<Object>,
                    "redis_cache: a non-const member function needs a non-const object");
      std::string ns = default_ns<F>(opts, loc);
      return make<detail::BoundMember<F>, detail::fn_sig_t<F>>(
          detail::BoundMember<F>{&object}, std::string(codec::qualified_name<F>()), std::move(ns),
          std::move(opts));
    } else {
      return detail::NotCached{};
    }
  }
  /// Refused: the object would be gone after this statement.
  template <auto F, class Object, class = detail::not_options_t<Object>>
  detail::NotCached cache(const Object&&, CacheOptions = {}) const {
    static_assert(!std::is_same_v<Object, Object>,
                  "redis_cache: cache<&Class::fn>(object) keeps a pointer to the object: pass "
                  "an object that outlives the cached function, not a temporary");
    return {};
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

  /// The near cache's size and state (all zero when Options::near.max_bytes is 0).
  NearStats near_stats() const noexcept;

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

  /// opts.ns, or the function's qualified name (read before opts is moved from). A default
  /// namespace is claimed for F (claim = false: only computed, as for the registry):
  /// two overloads of one name never share one by accident.
  template <auto F>
  static std::string default_ns(const CacheOptions& opts, const std::source_location& loc,
                                bool claim = true) {
    if (!opts.ns.empty()) return opts.ns;
    std::string ns = detail::default_namespace(codec::qualified_name<F>(), loc);
    if (claim) detail::claim_default_namespace(ns, codec::type_name<decltype(F)>());
    return ns;
  }

  template <auto F>
  Cached<F> make_constant(CacheOptions opts, const std::source_location& loc) const {
    std::string ns = default_ns<F>(opts, loc);
    return make<detail::Constant<F>, detail::fn_sig_t<F>>(detail::Constant<F>{},
                                                          std::string(codec::qualified_name<F>()),
                                                          std::move(ns), std::move(opts));
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
    return std::tuple<typename CF::result_type...>{calls.function().compute(calls.args)...};
  };
  if (!options().active) return compute_all();
  ((calls.function().state().core == core_
        ? void()
        : throw ConfigError("redis_cache: mget got a function of another RedisCache (" +
                            calls.function().ns() +
                            "; a REDIS_CACHED function belongs to the default cache)")),
   ...);
  const std::array<const detail::FunctionState*, n> fns{&calls.function().state()...};
  std::array<std::string, n> keys;
  {
    std::size_t i = 0;
    ((std::apply([&](const auto&... a) { calls.function().build_key(keys[i], a...); }, calls.args),
      ++i),
     ...);
  }
  const std::array<std::string_view, n> views =
      std::apply([](const auto&... k) { return std::array<std::string_view, n>{k...}; }, keys);
  // Near hits are served here; only the rest go to Redis, in one MGET.
  std::tuple<std::optional<typename CF::result_type>...> near;
  std::array<bool, n> is_near{};
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((is_near[I] = detail::near_try(*fns[I], views[I], std::get<I>(near))), ...);
  }
  (std::index_sequence_for<CF...>{});
  std::array<std::string_view, n> rest;
  std::array<const detail::FunctionState*, n> rest_fns{};
  std::array<std::size_t, n> rest_at{};  // call i's place in rest
  std::size_t m = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (is_near[i]) continue;
    rest_at[i] = m;
    rest_fns[m] = fns[i];
    rest[m++] = views[i];
  }
  detail::BatchFound found;
  const bool looked_up =
      m == 0 ||
      detail::batch_lookup(
          *core_, std::span<const std::string_view>(rest.data(), m), found, [&](const Error& e) {
            detail::handle_batch_error(
                std::span<const detail::FunctionState* const>(rest_fns.data(), m), e);
          });
  std::vector<detail::PendingStore> stores;
  using Results = std::tuple<typename CF::result_type...>;
  auto resolve = [&]<std::size_t I>(
                     std::integral_constant<std::size_t, I>) -> std::tuple_element_t<I, Results> {
    if (is_near[I]) return std::move(*std::get<I>(near));
    const auto& c = std::get<I>(std::forward_as_tuple(calls...));
    if (!looked_up) return c.function().compute(c.args);  // the handler's fallback
    return detail::batch_resolve<std::tuple_element_t<I, Results>>(
        *fns[I], views[I], found.values[rest_at[I]], stores,
        [&] { return c.function().compute(c.args); });
  };
  auto resolve_all = [&]<std::size_t... I>(std::index_sequence<I...>) {
    // Braced initialisation: evaluated in call order.
    return Results{resolve(std::integral_constant<std::size_t, I>{})...};
  };
  auto out = resolve_all(std::index_sequence_for<CF...>{});
  detail::batch_store(*core_, stores);
  return out;
}

}  // namespace redis_cache
