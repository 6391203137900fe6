// Stats: the text form of one cached function's counters, and the hit slots' assignment.
#include <redis_cache/stats.hpp>

#include <atomic>
#include <cstdio>
#include <ostream>

namespace redis_cache {

std::size_t detail::assign_hit_slot() noexcept {
  static std::atomic<std::size_t> next{0};
  return next.fetch_add(1, std::memory_order_relaxed) % kHitSlots;
}

std::string Stats::to_string() const {
  char buf[512];
  std::snprintf(
      buf, sizeof buf,
      "hits=%llu misses=%llu fills=%llu errors=%llu decode_failures=%llu "
      "coalesced=%llu lock_waits=%llu degraded_stores=%llu circuit_open=%llu fallbacks=%llu "
      "near_hits=%llu near_fills=%llu near_evictions=%llu near_invalidations=%llu "
      "near_flushes=%llu "
      "hit_ratio=%.3f",
      static_cast<unsigned long long>(hits), static_cast<unsigned long long>(misses),
      static_cast<unsigned long long>(fills), static_cast<unsigned long long>(errors),
      static_cast<unsigned long long>(decode_failures), static_cast<unsigned long long>(coalesced),
      static_cast<unsigned long long>(lock_waits), static_cast<unsigned long long>(degraded_stores),
      static_cast<unsigned long long>(circuit_open), static_cast<unsigned long long>(fallbacks),
      static_cast<unsigned long long>(near_hits), static_cast<unsigned long long>(near_fills),
      static_cast<unsigned long long>(near_evictions),
      static_cast<unsigned long long>(near_invalidations),
      static_cast<unsigned long long>(near_flushes), hit_ratio());
  return buf;
}

std::ostream& operator<<(std::ostream& os, const Stats& s) {
  return os << s.to_string();
}

}  // namespace redis_cache
