// NearCache (see near_cache.hpp): the near state, the clock of local expiry,
// and the listener's events applied to the store.
#include "near/near_cache.hpp"

#include <time.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "near/listener.hpp"

namespace redis_cache::detail {

namespace {

// CLOCK_MONOTONIC_COARSE: a read of a shared page (a few ns), ticking every
// few milliseconds; its resolution is subtracted from every expiry.
clockid_t coarse_clock() noexcept {
#ifdef CLOCK_MONOTONIC_COARSE
  return CLOCK_MONOTONIC_COARSE;
#else
  return CLOCK_MONOTONIC;
#endif
}

std::int64_t clock_resolution_ns() noexcept {
  timespec res{};
  if (clock_getres(coarse_clock(), &res) != 0) return 10'000'000;  // 10 ms: safe anyway
  return static_cast<std::int64_t>(res.tv_sec) * 1'000'000'000 + res.tv_nsec;
}

}  // namespace

NearCache::NearCache(const NearCacheOptions& opts, ConnectionConfig cfg,
                     std::string tracking_prefix)
    : opts_(opts),
      store_(opts.max_bytes, opts.max_entries),
      clock_slack_ns_(clock_resolution_ns()),
      listener_(std::make_unique<NearListener>(*this, std::move(cfg), std::move(tracking_prefix))) {
}

NearCache::~NearCache() {
  listener_.reset();  // joins the thread before the store goes
}

std::int64_t NearCache::now() noexcept {
  timespec ts{};
  clock_gettime(coarse_clock(), &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::int64_t NearCache::expiry(std::int64_t begun, long long pttl_ms) const noexcept {
  constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
  std::int64_t ttl_ns = kNever;
  if (pttl_ms >= 0) ttl_ns = static_cast<std::int64_t>(pttl_ms) * 1'000'000;
  if (opts_.max_ttl.count() > 0)
    ttl_ns = std::min<std::int64_t>(ttl_ns,
                                    static_cast<std::int64_t>(opts_.max_ttl.count()) * 1'000'000);
  if (ttl_ns == kNever) return kNever;
  return begun + ttl_ns - clock_slack_ns_;
}

NearStats NearCache::stats() const noexcept {
  return {store_.entries(), store_.bytes(), store_.max_bytes(), (state() & 1) != 0};
}

void NearCache::on_subscribed() noexcept {
  state_.fetch_or(1, std::memory_order_acq_rel);
}

void NearCache::on_lost() noexcept {
  // The next epoch, not listening; then drop everything: a fill begun before
  // sees another state and is refused.
  std::uint64_t s = state_.load(std::memory_order_acquire);
  while (!state_.compare_exchange_weak(s, ((s >> 1) + 1) << 1, std::memory_order_acq_rel)) {
  }
  store_.flush();
}

void NearCache::on_invalidate(std::string_view key) noexcept {
  store_.evict(key, NearStore::hash(key));
  applied_.fetch_add(1, std::memory_order_release);
}

void NearCache::on_flush() noexcept {
  store_.flush();
  applied_.fetch_add(1, std::memory_order_release);
}

}  // namespace redis_cache::detail
