// NearCache: the near tier of one RedisCache (DESIGN.md §8): the store, the
// near state, and the invalidation listener that keeps the store coherent.
//
// The near state is one atomic word: (epoch << 1) | listening. Near hits and
// new fills need the listening bit; a fill lands only if the state is the one
// it began in. Losing the listener bumps the epoch (clearing the bit) and
// then flushes, so no fill begun before the loss can land after it, and
// nothing is served until the listener has subscribed again.
#pragma once

#include <redis_cache/options.hpp>
#include <redis_cache/stats.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "client/url.hpp"
#include "near/near_store.hpp"

namespace redis_cache::detail {

class NearListener;  // near/listener.hpp

class NearCache {
 public:
  /// Starts the listener (its own thread and connection, made from cfg) for
  /// keys starting with tracking_prefix.
  NearCache(const NearCacheOptions& opts, ConnectionConfig cfg, std::string tracking_prefix);
  ~NearCache();  ///< stops and joins the listener
  NearCache(const NearCache&) = delete;
  NearCache& operator=(const NearCache&) = delete;

  NearStore& store() noexcept { return store_; }
  std::uint64_t state() const noexcept { return state_.load(std::memory_order_acquire); }
  const std::atomic<std::uint64_t>& state_word() const noexcept { return state_; }
  NearStats stats() const noexcept;

  /// A coarse monotonic clock (ns): cheap enough for every near hit.
  static std::int64_t now() noexcept;
  /// The local expiry of a value read at `begun` (now() before the GET was
  /// sent) whose PTTL was pttl_ms (-1: none): min(PTTL, max_ttl), moved
  /// earlier by the clock's resolution so that it never outlives Redis' TTL.
  std::int64_t expiry(std::int64_t begun, long long pttl_ms) const noexcept;

  /// Invalidations (keys and flushes) applied so far: tests wait on it.
  std::uint64_t invalidations_applied() const noexcept {
    return applied_.load(std::memory_order_acquire);
  }

  // The listener's events.
  void on_subscribed() noexcept;
  void on_lost() noexcept;
  void on_invalidate(std::string_view key) noexcept;
  void on_flush() noexcept;

 private:
  NearCacheOptions opts_;
  NearStore store_;
  std::atomic<std::uint64_t> state_{0};
  std::int64_t clock_slack_ns_;
  std::atomic<std::uint64_t> applied_{0};
  std::unique_ptr<NearListener> listener_;
};

}  // namespace redis_cache::detail
