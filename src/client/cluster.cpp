// ClusterClient's slot map: the snapshot commands route by, built from CLUSTER
// SLOTS (parsed by cluster_protocol.cpp), patched by MOVED, refreshed on demand
// (coalesced) and every 30 s by a background thread; and the node pools.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <random>
#include <utility>

#include <redis_cache/errors.hpp>

#include "client/cluster.hpp"
#include "client/cluster_retry.hpp"

namespace redis_cache::detail {
namespace {

using namespace std::chrono_literals;

constexpr auto kPeriodicRefresh = 30s;  // background refresh of a map in use
constexpr auto kMinRefreshGap = 50ms;   // between two requested background refreshes
// After a failed refresh (no node answered CLUSTER SLOTS), callers get that error
// at once for this long instead of trying again. A retry costs up to one timeout
// per known node, so trying at most once a second caps what an outage costs every
// caller together, while a recovered cluster is still noticed within a second.
constexpr auto kFailedRefreshGap = 1s;

static_assert(SlotMap::kNone == SlotTable::kNone, "a SlotTable's slots are copied into a SlotMap");

}  // namespace

// -- shared by the cluster files (cluster_retry.hpp) ---------------------------

void backoff(int attempt) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  const long long cap = std::min(400LL, 10LL << std::min(attempt, 6));
  std::uniform_int_distribution<long long> dist(cap / 2, cap);
  std::this_thread::sleep_for(std::chrono::milliseconds(dist(rng)));
}

std::string_view name_of(Argv argv) {
  return argv.empty() ? std::string_view("(empty command)") : argv[0].substr(0, 32);
}

std::string endpoint_of(const std::string& host, int port) {
  ConnectionConfig c;
  c.host = host;
  c.port = port;
  return c.endpoint();
}

Pool& owner_in(const SlotMap& map, unsigned slot) {
  Pool* pool = map.node_for(slot);
  if (pool == nullptr) {
    throw ConnectionError("redis_cache: no cluster node known for slot " + std::to_string(slot));
  }
  return *pool;
}

Pool* SlotMap::node_for(unsigned slot) const noexcept {
  const auto i = slots[slot & (kClusterSlots - 1)];
  if (i != kNone) return nodes[i].get();
  return nodes.empty() ? nullptr : nodes.front().get();  // unassigned: MOVED will tell
}

// -- the slot map -----------------------------------------------------------

ClusterClient::ClusterClient(ConnectionConfig node, std::vector<std::pair<std::string, int>> seeds)
    : node_cfg_(std::move(node)), seeds_(std::move(seeds)) {
  auto empty = std::make_shared<SlotMap>();
  empty->slots.fill(SlotMap::kNone);
  map_ = std::move(empty);
  bg_ = std::thread([this] { background(); });
}

ClusterClient::~ClusterClient() {
  {
    std::lock_guard lock(bg_mu_);
    bg_stop_ = true;
  }
  bg_cv_.notify_all();
  if (bg_.joinable()) bg_.join();
}

std::shared_ptr<const SlotMap> ClusterClient::snapshot() const {
  std::lock_guard lock(map_mu_);
  return map_;
}

std::shared_ptr<const SlotMap> ClusterClient::ready_snapshot() {
  auto map = snapshot();
  if (map->generation != 0) return map;
  refresh_after(attempts_.load(), /*only_if_empty=*/true);
  return snapshot();
}

std::shared_ptr<Pool> ClusterClient::pool_for(std::string_view endpoint) {
  ConnectionConfig cfg = node_cfg_;
  const auto colon = endpoint.rfind(':');
  auto host = endpoint.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  cfg.host = std::string(host);
  cfg.port = 0;
  const auto port = endpoint.substr(colon + 1);
  std::from_chars(port.data(), port.data() + port.size(), cfg.port);
  std::string key = cfg.endpoint();
  std::lock_guard lock(pools_mu_);
  auto& slot = pools_[key];
  if (slot == nullptr) slot = std::make_shared<Pool>(std::move(cfg));
  return slot;
}

void ClusterClient::patch(unsigned slot, std::string_view endpoint) {
  auto pool = pool_for(endpoint);
  std::lock_guard lock(map_mu_);
  auto next = std::make_shared<SlotMap>(*map_);
  auto it = std::find(next->nodes.begin(), next->nodes.end(), pool);
  if (it == next->nodes.end()) {
    next->nodes.push_back(pool);
    it = next->nodes.end() - 1;
  }
  next->slots[slot] = static_cast<std::uint16_t>(it - next->nodes.begin());
  next->generation = next_generation_++;
  map_ = std::move(next);
}

void ClusterClient::refresh_after(std::uint64_t seen_attempts, bool only_if_empty) {
  std::lock_guard lock(refresh_mu_);
  if (only_if_empty && snapshot()->generation != 0) return;
  // An attempt started while we waited (or since the caller's failed command
  // began): its outcome is as fresh as ours would be, so share it. Failed ones
  // matter most: a refresh that finds no node costs a timeout per node.
  const bool shared = attempts_.load() != seen_attempts;
  const bool recent_failure = last_error_ != nullptr &&
                              std::chrono::steady_clock::now() - last_failure_ < kFailedRefreshGap;
  if (shared || recent_failure) {
    if (last_error_ != nullptr) std::rethrow_exception(last_error_);
    return;
  }
  attempts_.fetch_add(1);
  try {
    load_slot_map();
    last_error_ = nullptr;
  } catch (...) {
    last_error_ = std::current_exception();
    last_failure_ = std::chrono::steady_clock::now();
    throw;
  }
}

void ClusterClient::load_slot_map() {
  // Known masters first (they follow failovers), then the seeds.
  // Hold the snapshot: a range-for over snapshot()->nodes would let the
  // temporary shared_ptr die before the loop while a MOVED patch swaps map_.
  const auto current = snapshot();
  std::vector<std::string> candidates;
  for (const auto& pool : current->nodes) candidates.push_back(pool->config().endpoint());
  for (const auto& [host, port] : seeds_) candidates.push_back(endpoint_of(host, port));
  std::vector<std::string> tried;
  std::string last_error;
  for (const auto& ep : candidates) {
    if (std::find(tried.begin(), tried.end(), ep) != tried.end()) continue;
    tried.push_back(ep);
    try {
      auto pool = pool_for(ep);
      const std::array<std::string_view, 2> argv{"CLUSTER", "SLOTS"};
      const Reply r = pool->acquire()->command(argv);
      const SlotTable table = parse_cluster_slots(r, pool->config().host, ep);
      if (table.covered == 0) {
        last_error = ep + " serves no slots (is the cluster created?)";
        continue;
      }
      auto next = std::make_shared<SlotMap>();
      for (const auto& m : table.masters)
        next->nodes.push_back(pool_for(endpoint_of(m.host, m.port)));
      next->slots = table.slots;  // the same indices: nodes[i] serves masters[i]'s slots
      {
        std::lock_guard map_lock(map_mu_);
        next->generation = next_generation_++;
        map_ = std::move(next);
      }
      refreshes_.fetch_add(1);
      return;
    } catch (const ReplyError& e) {
      const std::string what = e.what();
      if (what.find("cluster support disabled") != std::string::npos) {
        throw ConfigError("redis_cache: " + ep +
                          " is not a cluster node (cluster support disabled); use a redis:// URL "
                          "for a single server, redis+cluster:// only for a Redis Cluster");
      }
      last_error = what;
    } catch (const Error& e) {
      last_error = e.what();
    }
  }
  std::string list;
  for (const auto& ep : tried) list += (list.empty() ? "" : ", ") + ep;
  throw ConnectionError(
      "redis_cache: cannot read the Redis Cluster slot map: no node answered "
      "CLUSTER SLOTS (tried " +
      list + "); last error: " + last_error + ". Check the seed nodes in the redis+cluster:// URL");
}

void ClusterClient::refresh() {
  refresh_after(attempts_.load());
}

bool ClusterClient::refreshed(std::uint64_t seen_attempts) {
  try {
    refresh_after(seen_attempts);
    return true;
  } catch (const Error&) {
    return false;
  }
}

void ClusterClient::request_refresh() noexcept {
  {
    std::lock_guard lock(bg_mu_);
    bg_requested_ = true;
  }
  bg_cv_.notify_one();
}

void ClusterClient::background() {
  std::unique_lock lock(bg_mu_);
  while (!bg_stop_) {
    bg_cv_.wait_for(lock, kPeriodicRefresh, [this] { return bg_stop_ || bg_requested_; });
    if (bg_stop_) break;
    const bool requested = std::exchange(bg_requested_, false);
    lock.unlock();
    // Periodic refreshes only for a map in use; requested ones always.
    if (requested || snapshot()->generation != 0) {
      try {
        refresh_after(attempts_.load());
      } catch (const std::exception&) {
        // The next command that fails refreshes (and reports) again.
      }
    }
    lock.lock();
    // Coalesce bursts of MOVED: at most one requested refresh per gap.
    bg_cv_.wait_for(lock, kMinRefreshGap, [this] { return bg_stop_; });
  }
}

std::shared_ptr<const SlotMap> ClusterClient::slot_map() {
  return ready_snapshot();
}

std::string ClusterClient::node_of(unsigned slot) {
  const auto map = ready_snapshot();
  return owner_in(*map, slot).config().endpoint();
}

PoolGauges ClusterClient::pool_gauges() {
  PoolGauges sum;
  std::lock_guard lock(pools_mu_);
  for (const auto& [endpoint, pool] : pools_) sum += pool->gauges();
  return sum;
}

std::string ClusterClient::describe() const {
  std::string s = "redis+cluster://";
  for (std::size_t i = 0; i < seeds_.size(); ++i) {
    if (i > 0) s += ',';
    s += endpoint_of(seeds_[i].first, seeds_[i].second);
  }
  return s;
}

}  // namespace redis_cache::detail
