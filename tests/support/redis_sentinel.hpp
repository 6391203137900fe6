// A private Redis Sentinel set-up for tests: one master, `replicas` replicas
// (--replicaof) and `sentinels` sentinels (`redis-server <conf> --sentinel`,
// a generated config monitoring the master with quorum min(2, sentinels),
// down-after-milliseconds 500 and failover-timeout 2000 so that a failover on
// loopback takes a few seconds), each on a free loopback port in its own temp
// dir. The constructor returns once the replicas are in sync and every
// sentinel knows the master, the replicas and the other sentinels. Everything
// is stopped in the destructor. If it cannot start, the constructor throws
// (tests fail, never skip).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "support/redis_server.hpp"

namespace rc_test {

struct SentinelSetup {
  int replicas = 1;
  int sentinels = 3;
  std::string master_name = "mymaster";
  std::string data_password = {};      ///< requirepass (and masterauth) of master and replicas
  std::string sentinel_password = {};  ///< requirepass of the sentinels
  /// cert not empty: every node and sentinel speaks only TLS (--tls-port,
  /// --port 0, --tls-replication: replicas and sentinels reach the master over
  /// TLS, and the sentinels announce TLS ports); url() is rediss+sentinel://.
  TlsServerFiles tls = {};
};

class RedisSentinels {
 public:
  explicit RedisSentinels(SentinelSetup setup = {});
  ~RedisSentinels();
  RedisSentinels(const RedisSentinels&) = delete;
  RedisSentinels& operator=(const RedisSentinels&) = delete;

  /// "redis+sentinel://[<data_password>@]127.0.0.1:<s1>,...,127.0.0.1:<sN>/<name><tail>"
  /// (tail: e.g. "/3?sentinel_password=x"); rediss+sentinel:// with TLS (the
  /// tail adds ?tls_ca=... as needed).
  std::string url(const std::string& tail = "") const;

  std::size_t nodes() const { return nodes_.size(); }
  RedisServer& node(std::size_t i) { return *nodes_[i]; }  ///< 0 is the first master
  std::size_t sentinels() const { return sentinels_.size(); }
  RedisServer& sentinel(std::size_t i) { return *sentinels_[i]; }
  /// The index of the data node listening on port (throws if none).
  std::size_t node_of_port(int port) const;

  /// One command on sentinel i (with the sentinels' password); the reply
  /// flattened to strings (nil: empty). Throws on an error reply.
  std::vector<std::string> ask_sentinel(std::size_t i, const std::vector<std::string>& argv) const;
  /// ROLE of data node i ("master", "slave") or "" when it does not answer.
  std::string role(std::size_t i) const;

  /// Waits (polling against `timeout`) until every running sentinel names the
  /// same master, other than `not_port`, which says ROLE master, no failover
  /// is in progress, and each sentinel knows the others. Returns its port.
  int wait_agreed(int not_port = 0, std::chrono::milliseconds timeout = std::chrono::seconds(60));

  /// SENTINEL FAILOVER on sentinel 0 and wait_agreed on a new master; returns its port.
  int failover();

 private:
  SentinelSetup setup_;
  std::vector<std::unique_ptr<RedisServer>> nodes_;
  std::vector<std::unique_ptr<RedisServer>> sentinels_;
};

}  // namespace rc_test
