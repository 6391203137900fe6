// StandaloneClient (one server through a Pool) and make_client (see client.hpp).
#include <string>

#include "client/client.hpp"

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

std::string StandaloneClient::describe() const {
  return pool_.config().endpoint();
}

std::unique_ptr<Client> make_client(const Options& options) {
  std::string_view url = options.url;
  constexpr std::string_view kCluster = "redis+cluster://";
  if (url.size() >= kCluster.size() && url.substr(0, kCluster.size()) == kCluster) {
    throw ConfigError(
        "redis_cache: Options::url uses redis+cluster://, but cluster support is not built yet; "
        "use redis://host:port of a single server for now");
  }
  return std::make_unique<StandaloneClient>(parse_url(url, options));
}

}  // namespace redis_cache::detail
