// Client: where the cache core sends its commands. Hides whether there is one
// server (StandaloneClient, a Pool) or a Redis Cluster (routing by slot).
//
// Every command carries a `route_key`: a key whose hash slot decides the node.
// All keys of one cached function share a hash tag, so one route key suffices.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/connection.hpp"
#include "client/pool.hpp"
#include "client/script.hpp"

namespace redis_cache::detail {

class Client {
 public:
  virtual ~Client() = default;

  /// One command on the node owning route_key's slot. Throws Error subclasses.
  virtual Reply command(std::string_view route_key, Argv argv) = 0;
  /// A pipeline on the node owning route_key's slot (see Connection::pipeline).
  virtual std::vector<Reply> pipeline(std::string_view route_key,
                                      std::span<const std::vector<std::string_view>> cmds) = 0;
  /// EVALSHA/EVAL of script on the node owning route_key's slot.
  virtual Reply eval(std::string_view route_key, const Script& script,
                     std::span<const std::string_view> keys,
                     std::span<const std::string_view> args) = 0;
  /// Runs fn with a connection to the node owning route_key's slot (SCAN etc.).
  virtual void with_node(std::string_view route_key,
                         const std::function<void(Connection&)>& fn) = 0;
  /// "host:port" (or a list of seeds) for messages.
  virtual std::string describe() const = 0;

  /// Commands with their own route keys (route_keys[i] routes cmds[i]); the
  /// replies come back in call order, error replies in place. Standalone: one
  /// pipeline. Cluster: one pipeline per node, redirections followed.
  virtual std::vector<Reply> pipeline_routed(
      std::span<const std::string_view> route_keys,
      std::span<const std::vector<std::string_view>> cmds) = 0;
  /// eval / pipeline_routed, except for TRYAGAIN: Redis Cluster's answer to a
  /// multi-key command while a migration splits its slot between two nodes,
  /// which lasts as long as the migration. It comes back at once as an error
  /// reply (for eval too) instead of being retried for about a second, to a
  /// caller that has a single-key fallback. One server never answers TRYAGAIN.
  virtual Reply eval_unless_split(std::string_view route_key, const Script& script,
                                  std::span<const std::string_view> keys,
                                  std::span<const std::string_view> args) {
    return eval(route_key, script, keys, args);
  }
  virtual std::vector<Reply> pipeline_routed_unless_split(
      std::span<const std::string_view> route_keys,
      std::span<const std::vector<std::string_view>> cmds) {
    return pipeline_routed(route_keys, cmds);
  }
  /// Runs fn once per node holding data (every master of a cluster; the one
  /// server otherwise), e.g. to SCAN everything.
  virtual void for_each_node(const std::function<void(Connection&)>& fn) = 0;
  /// Keys with equal groups may share one multi-key command (the hash slot on
  /// a cluster; always 0 on one server).
  virtual unsigned key_group(std::string_view /*key*/) const { return 0; }
  /// True when every key is in one group (one server): no grouping needed.
  virtual bool single_group() const noexcept { return true; }
  /// The pool's gauges (a cluster: summed over the nodes' pools).
  virtual PoolGauges pool_gauges() = 0;

  /// Values of keys in any slots: out[i] is keys[i]'s value or nullopt. One
  /// MGET per key_group, all in one pipeline_routed (standalone: one MGET, one
  /// round trip; cluster: one pipeline per node), reassembled in call order.
  /// The values point into the replies, which are moved into `keep`: no copy.
  void mget(std::span<const std::string_view> keys,
            std::vector<std::optional<std::string_view>>& out, std::vector<Reply>& keep);
};

/// One Redis server through a Pool.
class StandaloneClient final : public Client {
 public:
  explicit StandaloneClient(ConnectionConfig cfg);
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
  PoolGauges pool_gauges() override { return pool_.gauges(); }
  Pool& pool() noexcept { return pool_; }

 private:
  Pool pool_;
};

/// Builds the client for a URL: redis:// and unix:// give a StandaloneClient,
/// redis+cluster://host:port[,host:port...] a ClusterClient (see cluster.hpp),
/// redis+sentinel://host:port[,host:port...]/<master> a SentinelClient (sentinel.hpp).
std::unique_ptr<Client> make_client(const Options& options);

}  // namespace redis_cache::detail
