// A private Redis Cluster for tests: `masters` redis-server processes (plus
// `replicas` per master) with --cluster-enabled on free loopback ports, each in
// its own temp dir, joined with `redis-cli --cluster create`; the constructor
// returns once every node reports cluster_state:ok. It can move a slot to
// another master (step by step, to test ASK and MOVED), fail a master over to
// its replica, and kill / restart nodes. Everything is stopped and removed in
// the destructor. If the cluster cannot start, the constructor throws (tests
// fail, never skip). With TLS files, every node speaks only TLS (clients, the
// cluster bus and replication: --tls-cluster, --tls-replication); the helpers
// below administer it through each node's unix socket, or redis-cli --tls.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "support/redis_server.hpp"

namespace rc_test {

class RedisCluster {
 public:
  /// tls.cert empty: plaintext.
  explicit RedisCluster(int masters = 3, int replicas = 0, TlsServerFiles tls = {});
  ~RedisCluster();
  RedisCluster(const RedisCluster&) = delete;
  RedisCluster& operator=(const RedisCluster&) = delete;

  /// "redis+cluster://127.0.0.1:<p1>,127.0.0.1:<p2>,..." (every node as a seed;
  /// rediss+cluster:// for a TLS cluster: add ?tls_ca=... as needed).
  std::string url() const;
  /// "redis+cluster://127.0.0.1:<port of node i>" (one seed).
  std::string url_one(std::size_t i) const;

  std::size_t size() const { return nodes_.size(); }
  RedisServer& node(std::size_t i) { return *nodes_[i]; }
  /// The index of the node listening on port (throws if none).
  std::size_t index_of_port(int port) const;
  /// Index of the master serving slot now (asks a running node).
  std::size_t owner(unsigned slot) const;
  /// Indices of the current masters that serve slots.
  std::vector<std::size_t> masters() const;
  /// The node id (CLUSTER MYID) of node i.
  std::string id(std::size_t i) const;

  /// redis-cli -c on a running node: keyed commands follow MOVED.
  std::string cli(const std::vector<std::string>& args) const;
  /// Runs args on every current master (SCRIPT FLUSH, FLUSHALL, ...).
  void cli_all_masters(const std::vector<std::string>& args) const;
  /// Sum of DBSIZE over the masters.
  long long dbsize() const;

  // -- resharding, in the steps a real migration takes --
  /// SETSLOT IMPORTING on `to`, MIGRATING on the owner: clients now get ASK.
  void begin_migration(unsigned slot, std::size_t to);
  /// MIGRATEs the slot's keys still on the owner to `to` (all of them, or up to `count`).
  void migrate_keys(unsigned slot, std::size_t to, std::size_t count = 0);
  /// SETSLOT NODE on every master: `to` owns the slot; the old owner answers MOVED.
  void finish_migration(unsigned slot, std::size_t to);
  /// All three steps.
  void move_slot(unsigned slot, std::size_t to);
  /// CLUSTER SETSLOT NODE on node `on` alone: it now believes `owner` serves the
  /// slot while every other node keeps its view (the slot must be empty on `on`).
  /// Pointing `on` at another master makes the two send clients back and forth
  /// with MOVED; pointing it back at the real owner restores agreement.
  void tell_slot_owner(std::size_t on, unsigned slot, std::size_t owner);

  // -- faults --
  /// CLUSTER FAILOVER on replica `replica` (it becomes master); waits until done.
  void failover(std::size_t replica);
  /// The index of a replica of master `master` (throws if none).
  std::size_t replica_of(std::size_t master) const;
  /// Waits until every running node reports cluster_state:ok and agrees on the
  /// owners of all slots (throws after `timeout_ms`).
  void wait_ok(int timeout_ms = 10000) const;

 private:
  std::size_t any_running() const;
  std::string cli_on(std::size_t i, const std::vector<std::string>& args) const;

  std::vector<std::unique_ptr<RedisServer>> nodes_;
  bool tls_ = false;
};

}  // namespace rc_test
