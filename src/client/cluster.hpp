// ClusterClient: the Client for a Redis Cluster (DESIGN.md §7). Its parts:
// cluster.cpp (slot map and refresh), cluster_route.cpp (one command, with its
// redirections), cluster_pipeline.cpp (pipelines across nodes); what the
// protocol's replies mean is read by cluster_protocol.hpp.
//
// Routing: CRC16 (XMODEM) of the key's hash tag, mod 16384, looked up in an
// immutable slot map snapshot built from CLUSTER SLOTS (any reachable seed or
// known node). Each node has its own Pool, created lazily.
//
// Redirections and faults:
//   MOVED                   patch that slot in a new snapshot, follow it, and ask
//                           the background thread for one (coalesced) refresh
//   ASK                     ASKING + the command on the target, same connection
//   TRYAGAIN / CLUSTERDOWN  bounded retry with jittered exponential backoff (the
//                           *_unless_split calls return TRYAGAIN at once instead)
//   LOADING / MASTERDOWN
//   I/O error               refresh the map now (coalesced), retry once
// with_node() (SCAN of one function's keys, which no node redirects) first sends
// EXISTS on the route key, so that a MOVED corrects a map older than a resharding.
// Refreshes run one at a time; callers that waited for one share its outcome,
// failure included, and for 1 s after a failed one (no node answered) callers
// get that failure at once instead of each waiting out the timeouts again.
// At most 5 redirections per command; then a MovedError that says so.
// The background thread also refreshes the map every 30 s.
#pragma once

#include <array>
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
#include <unordered_map>
#include <vector>

#include "client/client.hpp"
#include "client/cluster_protocol.hpp"

namespace redis_cache::detail {

/// One immutable routing table: slot → node. Replaced, never changed.
struct SlotMap {
  static constexpr std::uint16_t kNone = 0xffff;
  std::vector<std::shared_ptr<Pool>> nodes;  ///< masters (index = value in `slots`)
  std::array<std::uint16_t, kClusterSlots> slots{};
  std::uint64_t generation = 0;  ///< 0 = nothing known yet

  /// The node serving slot (any node when the slot is unassigned), or null.
  Pool* node_for(unsigned slot) const noexcept;
};

struct PipelineRound;  // what one round of a pipeline asks for next (cluster_pipeline.cpp)

class ClusterClient final : public Client {
 public:
  /// `node` carries user, password and timeouts for every node (host/port ignored).
  ClusterClient(ConnectionConfig node, std::vector<std::pair<std::string, int>> seeds);
  ~ClusterClient() override;
  ClusterClient(const ClusterClient&) = delete;
  ClusterClient& operator=(const ClusterClient&) = delete;

  Reply command(std::string_view route_key, Argv argv) override;
  std::vector<Reply> pipeline(std::string_view route_key,
                              std::span<const std::vector<std::string_view>> cmds) override;
  std::vector<Reply> pipeline_routed(std::span<const std::string_view> route_keys,
                                     std::span<const std::vector<std::string_view>> cmds) override;
  Reply eval(std::string_view route_key, const Script& script,
             std::span<const std::string_view> keys,
             std::span<const std::string_view> args) override;
  Reply eval_unless_split(std::string_view route_key, const Script& script,
                          std::span<const std::string_view> keys,
                          std::span<const std::string_view> args) override;
  std::vector<Reply> pipeline_routed_unless_split(
      std::span<const std::string_view> route_keys,
      std::span<const std::vector<std::string_view>> cmds) override;
  void with_node(std::string_view route_key, const std::function<void(Connection&)>& fn) override;
  void for_each_node(const std::function<void(Connection&)>& fn) override;
  unsigned key_group(std::string_view key) const override { return key_slot(key); }
  bool single_group() const noexcept override { return false; }
  std::string describe() const override;
  /// Summed over every node's pool (the lock taken is the one pools are created under).
  PoolGauges pool_gauges() override;

  /// The current snapshot (builds it on first use). For tests and tools.
  std::shared_ptr<const SlotMap> slot_map();
  /// "host:port" of the node that currently serves slot.
  std::string node_of(unsigned slot);
  /// Rebuilds the slot map from CLUSTER SLOTS now. Throws when no node answers
  /// (within 1 s of such a failure, rethrows it without trying again).
  void refresh();
  /// How many full refreshes have succeeded (tests check that they coalesce).
  std::uint64_t refresh_count() const noexcept { return refreshes_.load(); }
  /// How many refreshes have been attempted, failed ones included.
  std::uint64_t refresh_attempts() const noexcept { return attempts_.load(); }

 private:
  /// What a TRYAGAIN (multi-key command on a slot split by a migration) gets.
  enum class OnSplit { retry, report };
  /// The retries one command, or one pipeline, has used.
  struct Retries {
    int redirects = 0;  ///< MOVED / ASK (a pipeline: rounds with one)
    int transient = 0;  ///< TRYAGAIN, CLUSTERDOWN, LOADING, MASTERDOWN (each after a backoff)
    bool io = false;    ///< the one retry after a connection failure
  };

  /// Sends op(connection, asking) to route_key's node, following redirections.
  template <class Op>
  Reply route(std::string_view route_key, std::string_view what, OnSplit on_split, Op&& op);
  Reply eval_on(std::string_view route_key, const Script& script,
                std::span<const std::string_view> keys, std::span<const std::string_view> args,
                OnSplit on_split);
  /// pipeline_routed: rounds of one pipeline per node until no command is redirected.
  std::vector<Reply> pipeline_on(std::span<const std::string_view> route_keys,
                                 std::span<const std::vector<std::string_view>> cmds,
                                 OnSplit on_split);
  /// A round's MOVED patch the map (and ask for a refresh); its ASK set ask_to.
  void follow(const PipelineRound& round, std::vector<std::shared_ptr<Pool>>& ask_to);
  /// Counts a round that must be retried against the limits (after a backoff
  /// for transient errors); throws the round's failure once they are spent.
  void charge(const PipelineRound& round, std::uint64_t seen_attempts, std::size_t commands,
              Retries& used);

  std::shared_ptr<const SlotMap> snapshot() const;
  std::shared_ptr<const SlotMap> ready_snapshot();
  /// Refreshes, unless an attempt started after `seen_attempts` was read: then its
  /// outcome is shared (its error rethrown). Within kFailedRefreshGap of a failed
  /// attempt, rethrows that failure without trying. only_if_empty: nothing to do
  /// once some map is known (the first use by many threads at once).
  void refresh_after(std::uint64_t seen_attempts, bool only_if_empty = false);
  /// refresh_after(seen_attempts) for a command that failed with a ConnectionError:
  /// false when no node answered (the caller then reports its own failure).
  bool refreshed(std::uint64_t seen_attempts);
  void load_slot_map();             ///< one attempt: CLUSTER SLOTS on known masters, then seeds
  void request_refresh() noexcept;  ///< wakes the background thread
  void patch(unsigned slot, std::string_view endpoint);
  std::shared_ptr<Pool> pool_for(std::string_view endpoint);
  void background();

  ConnectionConfig node_cfg_;
  std::vector<std::pair<std::string, int>> seeds_;

  mutable std::mutex map_mu_;  // guards map_ (the pointer, not the map)
  std::shared_ptr<const SlotMap> map_;
  std::uint64_t next_generation_ = 1;  // under map_mu_

  std::mutex refresh_mu_;                    // one refresh at a time
  std::atomic<std::uint64_t> refreshes_{0};  // successful refreshes
  std::atomic<std::uint64_t> attempts_{0};   // refreshes started (changed under refresh_mu_)
  std::exception_ptr last_error_;            // outcome of the last attempt (null: success)
  std::chrono::steady_clock::time_point last_failure_;  // when it failed

  std::mutex pools_mu_;
  std::unordered_map<std::string, std::shared_ptr<Pool>> pools_;  // "host:port" → pool

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool bg_requested_ = false;
  bool bg_stop_ = false;
  std::thread bg_;
};

}  // namespace redis_cache::detail
