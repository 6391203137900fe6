// NearCache (see near_cache.hpp): the near state, the clock of local expiry,
// and the listener's events applied to the store.
#include "near/near_cache.hpp"

#include <time.h>

#include <algorithm>
#include <exception>
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

NearCache::NearCache(const NearCacheOptions& opts, std::unique_ptr<NearTopology> topology,
                     std::string tracking_prefix)
    : opts_(opts),
      store_(opts.max_bytes, opts.max_entries),
      clock_slack_ns_(clock_resolution_ns()),
      topology_(std::move(topology)),
      prefix_(std::move(tracking_prefix)) {
  if (topology_->dynamic()) {
    supervisor_ = std::thread([this] { supervise(); });
  } else {
    rearm();
  }
}

NearCache::~NearCache() {
  if (supervisor_.joinable()) {
    {
      std::lock_guard lock(sup_mu_);
      sup_stop_ = true;
    }
    sup_cv_.notify_all();
    supervisor_.join();
  }
  std::vector<Arm> arms;
  {
    std::lock_guard lock(mu_);
    arms.swap(arms_);
  }
  arms.clear();  // joins the listeners (outside mu_: their last on_lost takes it)
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

std::size_t NearCache::listeners() const {
  std::lock_guard lock(mu_);
  return arms_.size();
}

std::size_t NearCache::subscribed() const {
  std::lock_guard lock(mu_);
  return static_cast<std::size_t>(
      std::count_if(arms_.begin(), arms_.end(), [](const Arm& a) { return a.subscribed; }));
}

void NearCache::on_subscribed(std::uint64_t id) noexcept {
  std::lock_guard lock(mu_);
  bool all = true;
  for (Arm& a : arms_) {
    if (a.id == id) a.subscribed = true;
    all = all && a.subscribed;
  }
  // Listening only once every server's listener is subscribed.
  if (all && !arms_.empty()) state_.fetch_or(1, std::memory_order_acq_rel);
}

void NearCache::on_lost(std::uint64_t id) noexcept {
  {
    std::lock_guard lock(mu_);
    const auto it =
        std::find_if(arms_.begin(), arms_.end(), [&](const Arm& a) { return a.id == id; });
    if (it == arms_.end()) return;  // retired: its server left the topology, which flushed
    it->subscribed = false;
    lose_locked();
  }
  if (topology_->dynamic()) {  // its server may have failed over: look again
    {
      std::lock_guard lock(sup_mu_);
      refresh_wanted_ = true;
    }
    sup_cv_.notify_all();
  }
}

void NearCache::lose_locked() noexcept {
  // The next epoch, not listening; then drop everything: a fill begun before
  // sees another state and is refused.
  std::uint64_t s = state_.load(std::memory_order_acquire);
  while (!state_.compare_exchange_weak(s, ((s >> 1) + 1) << 1, std::memory_order_acq_rel)) {
  }
  store_.flush();
}

void NearCache::rearm() {
  const std::uint64_t generation = topology_->generation();  // before servers(): never newer
  std::string owners;
  std::vector<ConnectionConfig> servers;
  try {
    servers = topology_->servers(owners);
  } catch (...) {  // no server answers: the listeners (if any) stay; tried again soon
    return;
  }
  std::vector<std::unique_ptr<NearListener>> retired;
  {
    std::lock_guard lock(mu_);
    armed_generation_.store(generation, std::memory_order_release);
    if (armed_.load() && owners == owners_) return;  // nothing moved
    if (armed_.load()) {
      lose_locked();  // some key may be served elsewhere now: what it had is unknown
      topology_flushes_.fetch_add(1, std::memory_order_acq_rel);
    }
    owners_ = std::move(owners);
    const auto listed = [&](const std::string& endpoint) {
      return std::any_of(servers.begin(), servers.end(),
                         [&](const ConnectionConfig& c) { return c.endpoint() == endpoint; });
    };
    for (auto it = arms_.begin(); it != arms_.end();) {
      if (listed(it->endpoint)) {
        ++it;
      } else {
        retired.push_back(std::move(it->listener));
        it = arms_.erase(it);
      }
    }
    for (ConnectionConfig& cfg : servers) {
      std::string endpoint = cfg.endpoint();
      if (std::any_of(arms_.begin(), arms_.end(),
                      [&](const Arm& a) { return a.endpoint == endpoint; }))
        continue;
      const std::uint64_t id = next_id_++;
      arms_.push_back({id, std::move(endpoint), false, nullptr});
      arms_.back().listener = std::make_unique<NearListener>(*this, id, std::move(cfg), prefix_);
    }
    armed_.store(true);
    if (!arms_.empty() &&
        std::all_of(arms_.begin(), arms_.end(), [](const Arm& a) { return a.subscribed; }))
      state_.fetch_or(1, std::memory_order_acq_rel);
  }
  retired.clear();  // joins them outside mu_ (their last on_lost takes it, and ignores itself)
}

void NearCache::supervise() noexcept {
  using Clock = std::chrono::steady_clock;
  constexpr std::chrono::milliseconds kTick{50};
  const std::chrono::milliseconds every = topology_->refresh_every();
  auto next_refresh = Clock::now() + every;
  std::unique_lock lock(sup_mu_);
  while (!sup_stop_) {
    sup_cv_.wait_for(lock, kTick, [this] { return sup_stop_ || refresh_wanted_; });
    if (sup_stop_) break;
    const bool wanted = std::exchange(refresh_wanted_, false);
    lock.unlock();
    const auto now = Clock::now();
    if (wanted || (every.count() > 0 && now >= next_refresh)) {
      topology_->refresh();
      next_refresh = now + every;
    }
    try {
      if (!armed_.load() ||
          topology_->generation() != armed_generation_.load(std::memory_order_acquire))
        rearm();
    } catch (...) {  // e.g. no memory for a listener: tried again next tick
    }
    lock.lock();
  }
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
