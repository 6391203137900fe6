// StandaloneClient (one server through a Pool) and make_client (see client.hpp).
#include <string>

#include "client/client.hpp"
#include "client/cluster.hpp"
#include "client/sentinel.hpp"

#include <redis_cache/errors.hpp>

namespace redis_cache::detail {

StandaloneClient::StandaloneClient(ConnectionConfig cfg) : pool_(std::move(cfg)) {}

Reply StandaloneClient::command(std::string_view /*route_key*/, Argv argv) {
  return pool_.acquire()->command(argv);
}

std::vector<Reply> StandaloneClient::pipeline(std::string_view /*route_key*/,
                                              std::span<const std::vector<std::string_view>> cmds) {
  return pool_.acquire()->pipeline(cmds);
}

Reply StandaloneClient::eval(std::string_view /*route_key*/, const Script& script,
                             std::span<const std::string_view> keys,
                             std::span<const std::string_view> args) {
  auto lease = pool_.acquire();
  return detail::eval(*lease, script, keys, args);
}

void StandaloneClient::with_node(std::string_view /*route_key*/,
                                 const std::function<void(Connection&)>& fn) {
  auto lease = pool_.acquire();
  fn(*lease);
}

std::vector<Reply> StandaloneClient::pipeline_routed(
    std::span<const std::string_view> /*route_keys*/,
    std::span<const std::vector<std::string_view>> cmds) {
  return pool_.acquire()->pipeline(cmds);
}

void StandaloneClient::for_each_node(const std::function<void(Connection&)>& fn) {
  auto lease = pool_.acquire();
  fn(*lease);
}

std::string StandaloneClient::describe() const {
  return pool_.config().endpoint();
}

std::unique_ptr<Client> make_client(const Options& options) {
  if (is_cluster_url(options.url)) {
    if (!options.support_cluster) {
      throw ConfigError(
          "redis_cache: Options::url is a redis+cluster:// URL but support_cluster is false; "
          "without the {hash tag} the keys of one function spread over slots and nodes, which "
          "breaks the FIFO script and invalidate_all. Leave support_cluster = true");
    }
    auto cfg = parse_cluster_url(options.url, options);
    return std::make_unique<ClusterClient>(std::move(cfg.node), std::move(cfg.seeds));
  }
  if (is_sentinel_url(options.url)) {
    return std::make_unique<SentinelClient>(parse_sentinel_url(options.url, options));
  }
  return std::make_unique<StandaloneClient>(parse_url(options.url, options));
}

}  // namespace redis_cache::detail
