// NearCache: the near tier of one RedisCache (DESIGN.md §8): the store, the
// near state, and the invalidation listeners that keep the store coherent.
//
// The near state is one atomic word: (epoch << 1) | listening. Near hits and
// new fills need the listening bit; a fill lands only if the state is the one
// it began in. Losing a listener bumps the epoch (clearing the bit) and then
// flushes, so no fill begun before the loss can land after it, and nothing is
// served until every listener has subscribed again.
//
// Where the listeners connect is a NearTopology: one server (one listener),
// the master a Sentinel names, or every master of a Redis Cluster (one
// listener each: with BCAST PREFIX, each master reports the writes to the
// keys it serves). For the last two a supervisor thread watches the
// topology: when the servers or the owner of any slot change, it flushes the
// near tier (a new epoch, not listening) and re-arms the listeners on the new
// servers; a lost listener also asks the topology to look again (its server
// may have failed over), and the cluster's map is re-read every second.
#pragma once

#include <redis_cache/options.hpp>
#include <redis_cache/stats.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "client/url.hpp"
#include "near/near_store.hpp"

namespace redis_cache::detail {

class NearListener;  // near/listener.hpp

/// The servers whose writes the near tier must hear about.
class NearTopology {
 public:
  virtual ~NearTopology() = default;
  /// False: the servers never change (no supervisor thread).
  virtual bool dynamic() const noexcept { return false; }
  /// Cheap (no I/O): changes whenever the servers, or who serves which key,
  /// may have changed.
  virtual std::uint64_t generation() noexcept { return 0; }
  /// The servers to listen to; `owners` is set to a description of who serves
  /// what (equal descriptions: no key changed its server). May do I/O; throws Error.
  virtual std::vector<ConnectionConfig> servers(std::string& owners) = 0;
  /// Looks again now (after a lost listener, or periodically). May do I/O; never throws.
  virtual void refresh() noexcept {}
  /// How often refresh() is called anyway (0: never).
  virtual std::chrono::milliseconds refresh_every() const noexcept { return {}; }
};

class Client;  // client/client.hpp
/// The topology of client's servers (near/topology.cpp).
std::unique_ptr<NearTopology> near_topology(Client& client);

class NearCache {
 public:
  /// Starts the listeners (each its own thread and connection) for keys
  /// starting with tracking_prefix on the servers of topology.
  NearCache(const NearCacheOptions& opts, std::unique_ptr<NearTopology> topology,
            std::string tracking_prefix);
  ~NearCache();  ///< stops and joins the supervisor and the listeners
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
  /// Flushes because the topology changed (servers or slot owners): tests wait on it.
  std::uint64_t topology_flushes() const noexcept {
    return topology_flushes_.load(std::memory_order_acquire);
  }
  /// How many listeners are armed (one per server) and how many are subscribed.
  std::size_t listeners() const;
  std::size_t subscribed() const;

  // The listeners' events (id: which listener).
  void on_subscribed(std::uint64_t id) noexcept;
  void on_lost(std::uint64_t id) noexcept;
  void on_invalidate(std::string_view key) noexcept;
  void on_flush() noexcept;

 private:
  struct Arm {
    std::uint64_t id;
    std::string endpoint;
    bool subscribed = false;
    std::unique_ptr<NearListener> listener;
  };

  void lose_locked() noexcept;  ///< new epoch, not listening; flush. Under mu_.
  /// Listens to the topology's current servers; flushes if anything moved.
  void rearm();
  void supervise() noexcept;

  NearCacheOptions opts_;
  NearStore store_;
  std::atomic<std::uint64_t> state_{0};
  std::int64_t clock_slack_ns_;
  std::atomic<std::uint64_t> applied_{0};
  std::atomic<std::uint64_t> topology_flushes_{0};
  std::unique_ptr<NearTopology> topology_;
  std::string prefix_;

  mutable std::mutex mu_;  // arms_, owners_, next_id_
  std::vector<Arm> arms_;
  std::string owners_;
  std::atomic<bool> armed_{false};
  std::uint64_t next_id_ = 1;
  std::atomic<std::uint64_t> armed_generation_{0};

  std::mutex sup_mu_;
  std::condition_variable sup_cv_;
  bool sup_stop_ = false;
  bool refresh_wanted_ = false;
  std::thread supervisor_;
};

}  // namespace redis_cache::detail
