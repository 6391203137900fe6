// redis_cache/cached_function.hpp — a function with its results cached in Redis.
//
// CachedFunction is what RedisCache::cache<&fn>() returns: call it like the
// function. The path of one call is all in operator() below:
//   key  = key_prefix + base64(canonical msgpack of the arguments)   (reused buffer)
//   near hit (Options::near): copy of the decoded value kept in process memory
//   GET key → hit: decode and return (kept near when the near cache is on)
//          → miss (or undecodable value): call the function, encode, store, return
// Redis failures go to the exception handler (fallback to the function) or throw.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <redis_cache/codec/codec.hpp>
#include <redis_cache/detail/core.hpp>
#include <redis_cache/detail/mget.hpp>
#include <redis_cache/detail/near.hpp>
#include <redis_cache/detail/result_codec.hpp>
#include <redis_cache/detail/scratch.hpp>
#include <redis_cache/detail/stampede.hpp>
#include <redis_cache/errors.hpp>
#include <redis_cache/stats.hpp>

namespace redis_cache {

namespace detail {

/// Wraps a function known at compile time: no pointer is stored.
template <auto F>
struct Constant {
  template <class... A>
  decltype(auto) operator()(A&&... a) const {
    return F(std::forward<A>(a)...);
  }
};

template <class T>
using arg_t = std::remove_cvref_t<T>;

template <class Sig>
struct signature_checks;
template <class R, class... Args>
struct signature_checks<R(Args...)> {
  static_assert(!std::is_void_v<R>, "redis_cache: a function returning void has nothing to cache");
  static_assert(!std::is_reference_v<R>,
                "redis_cache: a function returning a reference cannot be cached (return by value)");
  static_assert(((!std::is_lvalue_reference_v<Args> ||
                  std::is_const_v<std::remove_reference_t<Args>>)&&...),
                "redis_cache: a function taking a non-const reference cannot be cached "
                "(its output argument would not be restored from the cache)");
  static constexpr bool ok = true;
};

struct Access;

}  // namespace detail

class RedisCache;
template <auto F>
class LazyCachedFunction;

/// Sig is not a function type: cache<F>() was given something it cannot cache.
template <class Fn, class Sig>
class CachedFunction {
  static_assert(!std::is_same_v<Sig, Sig>,
                "redis_cache: a cached function needs a function or member function "
                "signature R(Args...)");
};

/// A cached function: callable like Fn, results cached under its namespace.
/// Copies share one state (counters included). Thread-safe.
template <class Fn, class R, class... Args>
class CachedFunction<Fn, R(Args...)> {
  static_assert(detail::signature_checks<R(Args...)>::ok);

 public:
  using result_type = R;
  using args_tuple = std::tuple<detail::arg_t<Args>...>;

  CachedFunction(Fn fn, std::shared_ptr<detail::FunctionState> state)
      : fn_(std::move(fn)), st_(std::move(state)), flights_(detail::make_flights()) {
    (codec::assert_cacheable<detail::arg_t<Args>>(), ...);
    codec::assert_cacheable<R>();
  }

  /// Returns the cached result for args, computing and storing it on a miss.
  R operator()(Args... args) const {
    const detail::FunctionState& st = *st_;
    if (!st.active) return fn_(std::forward<Args>(args)...);
    const detail::CallStart start = detail::call_start(st);  // free unless observed
    detail::Scratch key;
    build_key(key.str(), args...);
    {
      detail::NearTicket ticket;  // token 0: nothing to keep near
      if constexpr (std::is_copy_constructible_v<R>) {
        if (st.near != nullptr) {
          detail::io::NearHit hit;  // a near hit: lookup and one copy, no I/O, no decode
          if (detail::io::near_find(st, key.str(), hit)) {
            detail::bump(st.stats.near_hits());  // (also a hit in stats())
            if (st.observer == nullptr) [[likely]]
              return detail::NearHitAs<R>{hit};  // into the return slot, under the lock
            R value = detail::NearHitAs<R>{hit};
            hit.release();  // the hook runs without the shard's lock
            detail::notify(st, EventKind::near_hit, start);
            return value;
          }
          ticket = detail::io::near_begin(st, key.str());  // the placeholder, before the GET
        }
      }
      detail::FetchedValue fetched;  // decoded from the reply itself (no copy)
      try {
        if (ticket.token == 0) [[likely]]  // near tier off or bypassed: a plain GET
          detail::io::fetch(st, key.str(), fetched);
        else
          detail::io::fetch_near(st, key.str(), fetched, ticket);
      } catch (const Error& e) {
        if (ticket.token != 0) detail::io::near_cancel(st, key.str(), ticket);
        detail::handle_redis_error(st, e);
        return fn_(std::forward<Args>(args)...);
      }
      if (fetched.found()) {
        try {
          if constexpr (std::is_copy_constructible_v<R>)
            if (ticket.token != 0) return keep_near(key.str(), ticket, fetched.bytes(), start);
          return detail::decode_counted<R>(st, fetched.bytes(), st.stats.hits(), &start);
        } catch (const DecodeError&) {
          detail::bump(st.stats.decode_failures);  // a miss: recompute and overwrite
        }
      }
      if (ticket.token != 0) detail::io::near_cancel(st, key.str(), ticket);
    }
    detail::bump(st.stats.misses);
    return miss(key.str(), start, std::forward<Args>(args)...);
  }

  /// Removes the cached result for args (no error if there is none).
  /// Returns whether a value was removed. Redis failures throw.
  bool invalidate(const detail::arg_t<Args>&... args) const {
    if (!st_->active) return false;
    detail::Scratch key;
    build_key(key.str(), args...);
    const bool removed = detail::io::invalidate(*st_, key.str());
    detail::io::near_evict(*st_, key.str());  // at once, not when the echo arrives
    return removed;
  }

  /// Removes every cached result of this function (and nothing else), of any
  /// schema, with the namespace's FIFO index and schema note. Returns the number
  /// of cached results removed (the index and note are not counted). Redis
  /// failures throw.
  std::size_t invalidate_all() const {
    if (!st_->active) return 0;
    const std::size_t removed = detail::io::invalidate_all(*st_).values;
    detail::io::near_evict_namespace(*st_);
    return removed;
  }

  /// The Redis key that a call with args uses.
  std::string key(const detail::arg_t<Args>&... args) const {
    std::string k;
    build_key(k, args...);
    return k;
  }

  /// Results for many argument tuples: one MGET for all, misses computed in
  /// order and stored in one pipeline.
  std::vector<R> mget(std::span<const args_tuple> calls) const;
  std::vector<R> mget(const std::vector<args_tuple>& calls) const {
    return mget(std::span<const args_tuple>(calls));
  }
  std::vector<R> mget(std::initializer_list<args_tuple> calls) const {
    return mget(std::span<const args_tuple>(calls.begin(), calls.size()));
  }

  Stats stats() const noexcept { return st_->stats.snapshot(); }
  const std::string& ns() const noexcept { return st_->ns; }
  const std::string& name() const noexcept { return st_->name; }
  std::chrono::seconds ttl() const noexcept { return st_->ttl; }
  std::size_t limit() const noexcept { return st_->limit; }

 private:
  friend class RedisCache;  // mget across functions
  template <auto>
  friend class LazyCachedFunction;
  friend struct detail::Access;

  const detail::FunctionState& state() const noexcept { return *st_; }
  /// A miss: compute, store, return. Not inlined into operator(), so that the
  /// hit path stays small enough for the compiler to inline all of it.
  [[gnu::noinline]] R miss(const std::string& key, detail::CallStart start, Args&&... args) const {
    const detail::NotifyMiss notify_miss{*st_, start};
    return compute_and_fill(key, [&]() -> R { return fn_(std::forward<Args>(args)...); });
  }
  void build_key(std::string& out, const detail::arg_t<Args>&... args) const {
    detail::build_result_key(*st_, out, args...);
  }
  R compute(const args_tuple& t) const { return std::apply(fn_, t); }
  std::vector<R> mget_near(std::span<const args_tuple> calls,
                           std::span<const std::string_view> keys) const;
  /// A Redis hit with the near tier on: decode, then keep a copy near (if the
  /// placeholder is still there when the copy is ready).
  R keep_near(std::string_view key, const detail::NearTicket& ticket, std::string_view bytes,
              detail::CallStart start) const {
    const detail::FunctionState& st = *st_;
    R value = detail::decode_result<R>(st, bytes);
    detail::bump(st.stats.hits());
    detail::notify(st, EventKind::hit, start);
    const std::size_t cost = detail::near_value_bytes(value, bytes.size());
    detail::io::near_fill(st, key, ticket, new detail::NearValueOf<R>(value), cost);
    return value;
  }
  /// Encodes and stores value (after a miss); Redis failures follow the handler.
  void fill(std::string_view key, const R& value) const {
    const detail::FunctionState& st = *st_;
    const detail::CallStart start = detail::call_start(st);
    detail::Scratch bytes;
    try {
      detail::encode_result(st, value, bytes.str());  // ConfigError: not UTF-8 for JSON
      detail::io::store(st, key, bytes.str());
      detail::bump(st.stats.fills);
      detail::notify(st, EventKind::fill, start);
    } catch (const Error& e) {
      detail::handle_redis_error(st, e);
    }
  }

  // A miss: compute (once per key in this process with single flight; once
  // across processes with the lock) and store.
  template <class Call>
  R compute_and_fill(const std::string& key, Call&& call) const {
    if constexpr (std::is_copy_constructible_v<R>) {
      if (st_->single_flight) {
        detail::Flight mine;  // on this stack: nothing allocated
        if (detail::Flight* leader = detail::join_flight(*flights_, mine, key)) {
          detail::bump(st_->stats.coalesced);
          return detail::wait_flight<R>(*flights_,
                                        *leader);  // the leader's value, or its exception
        }
        return lead(mine, key, call);
      }
    }
    return compute_locked(key, call);
  }

  // The leader of a flight: waiting callers copy its value only when there are
  // any (finish() returns once they have).
  template <class Call>
  R lead(detail::Flight& mine, const std::string& key, Call& call) const {
    R value = [&]() -> R {
      try {
        return compute_locked(key, call);
      } catch (...) {
        detail::fail_flight(*flights_, mine);  // waiting callers rethrow it; nothing was stored
        throw;
      }
    }();
    detail::finish_flight(*flights_, mine, &value);
    return value;
  }

  template <class Call>
  R compute_locked(const std::string& key, Call& call) const {
    const detail::FunctionState& st = *st_;
    if (st.lock_timeout.count() == 0) {
      R value = call();
      fill(key, value);
      return value;
    }
    // Cross-process lock "{prefix:ns}:lock:<rest of the key>".
    const std::string lock_key = detail::io::lock_key(st, key);
    const std::string token = detail::lock_token();
    const auto deadline = std::chrono::steady_clock::now() + st.lock_timeout;
    auto step = std::chrono::milliseconds(2);
    bool waited = false;
    for (;;) {
      bool holder = false;
      try {
        holder = detail::io::try_lock(st, lock_key, token, st.lock_timeout);
      } catch (const Error& e) {
        detail::handle_redis_error(st, e);
        break;  // fallback: compute without the lock
      }
      if (holder) {
        struct Release {
          const detail::FunctionState& st;
          const std::string& lock_key;
          const std::string& token;
          ~Release() {
            try {
              detail::io::unlock(st, lock_key, token);
            } catch (const Error&) {  // it expires by itself
            }
          }
        } release{st, lock_key, token};
        R value = call();
        fill(key, value);
        return value;
      }
      if (!waited) detail::bump(st.stats.lock_waits);
      waited = true;
      if (std::chrono::steady_clock::now() >= deadline) break;  // the holder is too slow
      step = detail::backoff_sleep(step);
      detail::FetchedValue fetched;
      try {
        detail::io::fetch(st, key, fetched);
      } catch (const Error& e) {
        detail::handle_redis_error(st, e);
        break;
      }
      if (fetched.found()) {
        try {
          return detail::decode_counted<R>(st, fetched.bytes(), st.stats.coalesced);
        } catch (const DecodeError&) {
          detail::bump(st.stats.decode_failures);
        }
      }
    }
    R value = call();
    fill(key, value);
    return value;
  }

  Fn fn_;
  std::shared_ptr<detail::FunctionState> st_;
  std::shared_ptr<detail::Flights> flights_;
};

template <class Fn, class R, class... Args>
std::vector<R> CachedFunction<Fn, R(Args...)>::mget(std::span<const args_tuple> calls) const {
  std::vector<R> out;
  out.reserve(calls.size());
  const detail::FunctionState& st = *st_;
  if (!st.active) {
    for (const auto& t : calls) out.push_back(compute(t));
    return out;
  }
  detail::BatchKeys key_buf(calls.size(), st.key_prefix.size() + 16);
  for (const auto& t : calls) {
    std::apply([&](const auto&... a) { detail::append_result_key(st, key_buf.buffer(), a...); }, t);
    key_buf.end_key();
  }
  const std::vector<std::string_view> keys = key_buf.views();
  if constexpr (std::is_copy_constructible_v<R>)
    if (st.near != nullptr) return mget_near(calls, keys);
  detail::BatchFound found;
  if (!detail::batch_lookup(*st.core, keys, found,
                            [&](const Error& e) { detail::handle_redis_error(st, e); })) {
    for (const auto& t : calls) out.push_back(compute(t));
    return out;
  }
  // One pass: each hit decoded in place into out; misses computed in call order.
  std::vector<detail::PendingStore> stores;
  std::uint64_t hits = 0;  // counted once per batch (one atomic add, not one per hit)
  const bool observed = st.observer != nullptr;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const auto& v = found.values[i];
    if (v && detail::decode_append(out, st, *v)) [[likely]] {
      ++hits;
      if (observed) [[unlikely]]
        detail::observe(st, EventKind::hit, {});  // a batch's calls are not timed
      continue;
    }
    detail::bump_by(st.stats.hits(), std::exchange(hits, 0));  // before a compute that may throw
    out.push_back(detail::batch_miss<R>(st, keys[i], stores, [&] { return compute(calls[i]); }));
  }
  detail::bump_by(st.stats.hits(), hits);
  detail::batch_store(*st.core, stores);
  return out;
}

// mget with the near tier on: near hits served locally, only the rest sent
// in one MGET (its hits are not kept near: single calls fill the near tier).
template <class Fn, class R, class... Args>
std::vector<R> CachedFunction<Fn, R(Args...)>::mget_near(
    std::span<const args_tuple> calls, std::span<const std::string_view> keys) const {
  const detail::FunctionState& st = *st_;
  std::vector<std::optional<R>> near(calls.size());
  std::vector<std::string_view> rest;
  std::vector<std::size_t> rest_at;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (detail::io::near_get(st, keys[i], &detail::near_copy<R>, &near[i])) {
      detail::bump(st.stats.near_hits());
      continue;
    }
    rest.push_back(keys[i]);
    rest_at.push_back(i);
  }
  std::vector<R> out;
  out.reserve(calls.size());
  detail::BatchFound found;
  const bool looked_up =
      rest.empty() || detail::batch_lookup(*st.core, rest, found, [&](const Error& e) {
        detail::handle_redis_error(st, e);
      });
  std::vector<detail::PendingStore> stores;
  for (std::size_t i = 0, j = 0; i < calls.size(); ++i) {
    if (j == rest_at.size() || rest_at[j] != i) {
      out.push_back(std::move(*near[i]));
      continue;
    }
    if (!looked_up) {  // Redis failed and the handler asked for the fallback
      ++j;
      out.push_back(compute(calls[i]));
      continue;
    }
    const auto& v = found.values[j++];
    if (v && detail::decode_append(out, st, *v)) {
      detail::bump(st.stats.hits());
      continue;
    }
    out.push_back(detail::batch_miss<R>(st, keys[i], stores, [&] { return compute(calls[i]); }));
  }
  detail::batch_store(*st.core, stores);
  return out;
}

}  // namespace redis_cache
