// SentinelClient: the Client for a master that Redis Sentinel monitors
// (DESIGN.md §6, URL redis+sentinel://). Its parts: sentinel.cpp (finding the
// master, switching, the Client calls), sentinel_listener.cpp (the thread
// subscribed to +switch-master).
//
// Finding the master: the sentinels are asked in turn (each within
// connect_timeout / command_timeout) with SENTINEL get-master-addr-by-name; the
// first address given is confirmed with ROLE (a node that says it is a replica
// is not used) and then served through a Pool, like a redis:// server.
//
// Following it:
//   +switch-master        a listener thread keeps one connection SUBSCRIBEd on a
//                         sentinel (PING every 500 ms with a deadline; on any
//                         failure it moves to the next sentinel and subscribes
//                         again, then re-checks the master it may have missed)
//                         and switches the moment the message arrives
//   connection error,     re-resolution, coalesced: N threads failing together
//   -READONLY,            cause one; a call whose master changed meanwhile is
//   -MASTERDOWN           retried once on the new master (the cache's commands
//                         are idempotent), otherwise it throws ConnectionError
//   no master known       callers get ConnectionError at once (their exception
//                         handler's fallback) and a new attempt is made after a
//                         jittered backoff (50 ms doubling to 1 s)
// A switch replaces the Pool (an atomic swap of a shared_ptr): calls that
// borrowed from the old one finish there; the old pool closes after the last.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "client/client.hpp"
#include "client/sentinel_url.hpp"

namespace redis_cache::detail {

class SentinelClient final : public Client {
 public:
  /// Starts the listener thread; finds the master lazily (first call).
  explicit SentinelClient(SentinelConfig cfg);
  ~SentinelClient() override;
  SentinelClient(const SentinelClient&) = delete;
  SentinelClient& operator=(const SentinelClient&) = delete;

  Reply command(std::string_view route_key, Argv argv) override;
  std::vector<Reply> pipeline(std::string_view route_key,
                              std::span<const std::vector<std::string_view>> cmds) override;
  Reply eval(std::string_view route_key, const Script& script,
             std::span<const std::string_view> keys,
             std::span<const std::string_view> args) override;
  void with_node(std::string_view route_key, const std::function<void(Connection&)>& fn) override;
  std::string describe() const override;
  std::vector<Reply> pipeline_routed(std::span<const std::string_view> route_keys,
                                     std::span<const std::vector<std::string_view>> cmds) override;
  void for_each_node(const std::function<void(Connection&)>& fn) override;
  /// The gauges of the current master's pool (none known: zeros).
  PoolGauges pool_gauges() override;

  /// "host:port" of the master in use, finding it first if none is known.
  /// Throws ConnectionError naming the cause when it cannot be found.
  std::string master();
  /// The connection settings of the master in use (a near cache's listener), like master().
  ConnectionConfig master_config();
  /// "host:port" of the master in use, or "" when none is known (no I/O).
  std::string known_master() const;
  /// Asks the sentinels again now (coalesced with concurrent callers).
  void resolve();
  /// Bumped at every change of master (a near cache flushes on it).
  std::uint64_t generation() const noexcept { return generation_.load(); }
  /// Switches made because a sentinel announced +switch-master.
  std::uint64_t notified_switches() const noexcept { return notified_.load(); }
  /// Resolutions attempted (successful or not).
  std::uint64_t resolutions() const noexcept { return attempts_.load(); }
  /// True while the listener is subscribed to +switch-master on a sentinel.
  bool listening() const noexcept { return listening_.load(); }
  /// Subscriptions the listener has made (1 + the times it re-subscribed).
  std::uint64_t subscriptions() const noexcept { return subscriptions_.load(); }

 private:
  struct Current {
    std::shared_ptr<Pool> pool;
    std::uint64_t seen_attempts = 0;
  };
  /// The master's pool; finds it when none is known (or throws ConnectionError).
  Current current();
  /// Unless a resolution began after seen_attempts (then its outcome is shared)
  /// or the backoff after a failed one has not passed (then its error is
  /// rethrown), asks the sentinels and installs the master they name.
  void resolve_after(std::uint64_t seen_attempts);
  /// One resolution: each sentinel in turn, ROLE on what it names. Under resolve_mu_.
  void locate();
  /// Confirms host:port is a master (ROLE) and makes it the one in use. Throws.
  void confirm_and_install(const std::string& host, int port);
  /// After a call on `was` failed: re-resolve; true when another master is now
  /// in use (the call may be retried there).
  bool moved_on(const Current& was);
  /// Runs op(connection) on the master with the re-resolution rules above.
  template <class Op>
  auto run(Op&& op, bool retry);

  // The listener thread (sentinel_listener.cpp).
  void listen();
  void subscribe_and_watch(Connection& sub);
  /// From the listener: the sentinels announced host:port as the new master.
  void switch_to(const std::string& host, int port);
  bool wait_or_stop(std::chrono::milliseconds d);

  SentinelConfig cfg_;
  std::string describe_;

  mutable std::mutex mu_;       // guards pool_ (the pointer, not the pool)
  std::shared_ptr<Pool> pool_;  // null: no master known
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::uint64_t> notified_{0};

  std::mutex resolve_mu_;                           // one resolution at a time
  std::atomic<std::uint64_t> attempts_{0};          // changed under resolve_mu_
  std::exception_ptr last_error_;                   // outcome of the last attempt (null: success)
  std::chrono::steady_clock::time_point retry_at_;  // no new attempt before (after a failure)
  int failures_ = 0;                                // consecutive failed attempts
  std::atomic<std::size_t> preferred_{0};           // the sentinel that answered last

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> listening_{false};
  std::atomic<std::uint64_t> subscriptions_{0};
  std::thread listener_;
};

}  // namespace redis_cache::detail
