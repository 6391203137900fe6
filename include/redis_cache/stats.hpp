// redis_cache/stats.hpp — counters of one cached function.
//
// CachedFunction::stats() returns a Stats snapshot; the counters themselves are
// relaxed atomics (detail::StatsCounters), one set per cached function, so
// counting costs no lock on the hot path.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace redis_cache {

/// A snapshot of one cached function's counters (since it was created).
struct Stats {
  std::uint64_t hits = 0;             ///< value found in Redis and decoded
  std::uint64_t misses = 0;           ///< function called (absent or undecodable value)
  std::uint64_t fills = 0;            ///< values stored after a miss
  std::uint64_t errors = 0;           ///< Redis failures (read or write)
  std::uint64_t decode_failures = 0;  ///< undecodable values in Redis (also counted as misses)
  std::uint64_t coalesced = 0;        ///< misses served by another caller (single flight or lock)
  std::uint64_t lock_waits = 0;       ///< misses that waited for another process's lock
  /// Stores of a limited function that Redis Cluster could not run as one script
  /// because a migration had split the slot: the value was stored and indexed
  /// without evicting, so the limit may be exceeded until the next stores.
  std::uint64_t degraded_stores = 0;
  /// Calls that skipped Redis because its circuit breaker was open (a
  /// CircuitOpenError, also counted in errors).
  std::uint64_t circuit_open = 0;
  /// Redis failures after which the exception handler returned, so the call went
  /// on without Redis (errors - fallbacks reached the caller as exceptions).
  std::uint64_t fallbacks = 0;
  std::uint64_t near_hits = 0;           ///< hits served from the near cache (also in hits)
  std::uint64_t near_fills = 0;          ///< values kept near after a Redis hit
  std::uint64_t near_evictions = 0;      ///< near entries dropped for the budget or local expiry
  std::uint64_t near_invalidations = 0;  ///< near entries removed by an invalidation
  std::uint64_t near_flushes = 0;  ///< whole-cache flushes that removed this function's entries

  /// hits / (hits + misses), 0 when there were no calls.
  double hit_ratio() const noexcept {
    const auto calls = hits + misses;
    return calls == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(calls);
  }
  /// One line, e.g.
  /// "hits=3 misses=1 fills=1 errors=0 decode_failures=0 coalesced=0 lock_waits=0
  ///  degraded_stores=0 circuit_open=0 fallbacks=0 near_hits=0 near_fills=0
  ///  near_evictions=0 near_invalidations=0 near_flushes=0 hit_ratio=0.750"
  std::string to_string() const;
  /// Writes to_string().
  friend std::ostream& operator<<(std::ostream& os, const Stats& s);
};

/// The near cache of one RedisCache (RedisCache::near_stats()).
struct NearStats {
  std::size_t entries = 0;    ///< values (and fills in flight) held
  std::size_t bytes = 0;      ///< their accounted heap cost (keys, values, overhead)
  std::size_t max_bytes = 0;  ///< the budget (Options::near.max_bytes; 0 = off)
  bool listening = false;     ///< the invalidation listener is subscribed: near hits are served
};

namespace detail {

/// Hits, the hottest counters, in per-thread slots: a thread bumps its own
/// cache line, not one that every other thread's hits bump too (one shared
/// counter made two threads of near hits barely faster than one).
struct alignas(64) HitSlot {
  std::atomic<std::uint64_t> hits{0};       ///< Redis hits
  std::atomic<std::uint64_t> near_hits{0};  ///< near hits
};
inline constexpr std::size_t kHitSlots = 8;
/// 1 + the slot of this thread; 0 until its first hit.
inline thread_local std::size_t tl_hit_slot = 0;
/// Picks the next slot, round-robin (src/stats.cpp).
std::size_t assign_hit_slot() noexcept;
inline std::size_t hit_slot() noexcept {
  std::size_t s = tl_hit_slot;
  if (s == 0) [[unlikely]]
    s = tl_hit_slot = assign_hit_slot() + 1;
  return s - 1;
}

/// The live counters (relaxed atomics). `hits` here counts Redis hits only.
struct StatsCounters {
  std::atomic<std::uint64_t> misses{0}, fills{0}, errors{0}, decode_failures{0}, coalesced{0},
      lock_waits{0}, degraded_stores{0}, circuit_open{0}, fallbacks{0}, near_fills{0},
      near_evictions{0}, near_invalidations{0}, near_flushes{0};
  HitSlot slots[kHitSlots];

  /// This thread's Redis hit counter.
  std::atomic<std::uint64_t>& hits() noexcept { return slots[hit_slot()].hits; }
  /// This thread's near hit counter.
  std::atomic<std::uint64_t>& near_hits() noexcept { return slots[hit_slot()].near_hits; }

  Stats snapshot() const noexcept {
    constexpr auto r = std::memory_order_relaxed;
    std::uint64_t redis = 0, near = 0;
    for (const HitSlot& s : slots) {
      redis += s.hits.load(r);
      near += s.near_hits.load(r);
    }
    // A near hit bumps near_hits only (one atomic on the hottest path) and the
    // snapshot adds them: Stats::hits is every hit.
    return {redis + near,
            misses.load(r),
            fills.load(r),
            errors.load(r),
            decode_failures.load(r),
            coalesced.load(r),
            lock_waits.load(r),
            degraded_stores.load(r),
            circuit_open.load(r),
            fallbacks.load(r),
            near,
            near_fills.load(r),
            near_evictions.load(r),
            near_invalidations.load(r),
            near_flushes.load(r)};
  }
};
inline void bump(std::atomic<std::uint64_t>& c) noexcept {
  c.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace detail

}  // namespace redis_cache
