// The NearTopology of each kind of client (see near_cache.hpp): one server,
// the master a Sentinel names, every master of a Redis Cluster.
#include <redis_cache/errors.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "client/cluster.hpp"
#include "client/sentinel.hpp"
#include "near/near_cache.hpp"

namespace redis_cache::detail {

namespace {

class OneServer final : public NearTopology {
 public:
  explicit OneServer(ConnectionConfig cfg) : cfg_(std::move(cfg)) {}
  std::vector<ConnectionConfig> servers(std::string& owners) override {
    owners = cfg_.endpoint();
    return {cfg_};
  }

 private:
  ConnectionConfig cfg_;
};

class SentinelMaster final : public NearTopology {
 public:
  explicit SentinelMaster(SentinelClient& client) : client_(client) {}
  bool dynamic() const noexcept override { return true; }
  std::uint64_t generation() noexcept override { return client_.generation(); }
  std::vector<ConnectionConfig> servers(std::string& owners) override {
    ConnectionConfig cfg = client_.master_config();
    owners = cfg.endpoint();
    return {std::move(cfg)};
  }
  void refresh() noexcept override {
    try {
      client_.resolve();
    } catch (...) {  // no master known now: its listener keeps failing, the cache bypassed
    }
  }

 private:
  SentinelClient& client_;
};

class ClusterMasters final : public NearTopology {
 public:
  explicit ClusterMasters(ClusterClient& client) : client_(client) {}
  bool dynamic() const noexcept override { return true; }
  std::uint64_t generation() noexcept override {
    try {
      return client_.slot_map()->generation;  // no I/O once a map is known
    } catch (...) {
      return 0;
    }
  }
  std::vector<ConnectionConfig> servers(std::string& owners) override {
    const auto map = client_.slot_map();
    std::vector<ConnectionConfig> out;
    std::vector<bool> serves(map->nodes.size(), false);
    // Who serves what, as runs of slots: equal strings, no slot changed owner.
    owners.clear();
    unsigned start = 0;
    for (unsigned slot = 1; slot <= kClusterSlots; ++slot) {
      if (slot < kClusterSlots && map->slots[slot] == map->slots[start]) continue;
      const std::uint16_t n = map->slots[start];
      owners += std::to_string(start) + '-' + std::to_string(slot - 1) + '=';
      if (n < map->nodes.size()) {
        owners += map->nodes[n]->config().endpoint();
        serves[n] = true;
      } else {
        owners += "none";
      }
      owners += ';';
      start = slot;
    }
    for (std::size_t i = 0; i < map->nodes.size(); ++i)
      if (serves[i]) out.push_back(map->nodes[i]->config());
    return out;
  }
  void refresh() noexcept override {
    try {
      client_.refresh();
    } catch (...) {  // no node answers: the listeners fail too, the cache is bypassed
    }
  }
  // A manual failover leaves the old master up (as a replica): the map is read
  // again every second so that the new master gets its listener.
  std::chrono::milliseconds refresh_every() const noexcept override {
    return std::chrono::milliseconds{1000};
  }

 private:
  ClusterClient& client_;
};

}  // namespace

std::unique_ptr<NearTopology> near_topology(Client& client) {
  if (auto* one = dynamic_cast<StandaloneClient*>(&client))
    return std::make_unique<OneServer>(one->pool().config());
  if (auto* cluster = dynamic_cast<ClusterClient*>(&client))
    return std::make_unique<ClusterMasters>(*cluster);
  if (auto* sentinel = dynamic_cast<SentinelClient*>(&client))
    return std::make_unique<SentinelMaster>(*sentinel);
  throw ConfigError("redis_cache: the near cache (Options::near) does not support " +
                    client.describe());
}

}  // namespace redis_cache::detail
