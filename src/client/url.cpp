// Parsing of redis://, rediss://, unix:// and redis+cluster:// URLs (see url.hpp
// and Options::url), with the rules every scheme shares in url_parts.cpp.
//
// Every error is a ConfigError that names the bad part and shows the URL with
// its password masked, so messages can be logged safely.
#include "client/url.hpp"

#include <string>

#include "client/url_parts.hpp"

namespace redis_cache::detail {
namespace {

constexpr std::string_view kForms =
    "expected redis://[[user:]password@]host[:port][/db][?option=value&...], rediss://... (TLS) "
    "or unix://[[user:]password@]/path/to.sock[?db=N&...]";

constexpr std::string_view kClusterScheme = "redis+cluster://";
constexpr std::string_view kTlsClusterScheme = "rediss+cluster://";

void parse_tcp(std::string_view url, std::string_view rest, ConnectionConfig& cfg) {
  const auto parts = url_parts::split(url_parts::userinfo(url, rest, cfg));
  url_parts::host_port(url, parts.authority, cfg.host, cfg.port);
  if (parts.path.size() > 1) cfg.db = url_parts::db(url, parts.path.substr(1), "path");
  url_parts::query(url, parts.query, cfg);
}

void parse_unix(std::string_view url, std::string_view rest, ConnectionConfig& cfg) {
  rest = url_parts::userinfo(url, rest, cfg, true);  // unix://[[user:]password@]/path
  const auto q = rest.find('?');
  const auto main = rest.substr(0, q);
  const auto query = q == std::string_view::npos ? std::string_view{} : rest.substr(q + 1);
  if (main.empty() || main.front() != '/') {
    url_parts::fail(url, "unix socket path '" + std::string(main) +
                             "' is not absolute (write unix:///path/to.sock, three slashes)");
  }
  cfg.socket_path = url_parts::decode(url, main, "socket path");
  cfg.host.clear();
  cfg.port = 0;
  url_parts::query(url, query, cfg);
}

}  // namespace

bool is_cluster_url(std::string_view url) noexcept {
  return url_parts::has_scheme(url, kClusterScheme) ||
         url_parts::has_scheme(url, kTlsClusterScheme);
}

ConnectionConfig config_defaults(const Options& o) {
  ConnectionConfig cfg;
  cfg.connect_timeout = o.connect_timeout;
  cfg.command_timeout = o.command_timeout;
  cfg.pool_size = o.pool_size;
  cfg.pool_wait_timeout = o.pool_wait_timeout;
  cfg.client_name = o.client_name;
  cfg.circuit_breaker = o.circuit_breaker;
  return cfg;
}

ClusterConfig parse_cluster_url(std::string_view url, const Options& defaults) {
  ClusterConfig out;
  ConnectionConfig& cfg = out.node;
  cfg = config_defaults(defaults);
  if (!is_cluster_url(url)) {
    url_parts::fail(
        url,
        "not a cluster URL; expected redis+cluster://[[user:]password@]host:port[,host:port...] "
        "(rediss+cluster:// with TLS)");
  }
  const bool tls = url_parts::has_scheme(url, kTlsClusterScheme);
  url_parts::tls_begin(url, tls, defaults, cfg);
  const auto scheme_size = tls ? kTlsClusterScheme.size() : kClusterScheme.size();
  const auto parts = url_parts::split(url_parts::userinfo(url, url.substr(scheme_size), cfg));
  if (parts.authority.empty()) {
    url_parts::fail(url, "no seed node (write redis+cluster://host:port[,host:port...])");
  }
  out.seeds = url_parts::host_list(url, parts.authority, 6379, "seed node");
  if (parts.path.size() > 1) cfg.db = url_parts::db(url, parts.path.substr(1), "path");
  url_parts::query(url, parts.query, cfg);
  if (cfg.db != 0) {
    url_parts::fail(url, "database " + std::to_string(cfg.db) +
                             " requested, but a Redis Cluster has only database 0 (drop the /db "
                             "or ?db=)");
  }
  url_parts::finish(url, cfg);
  return out;
}

std::string ConnectionConfig::endpoint() const {
  if (!socket_path.empty()) return "unix:" + socket_path;
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

ConnectionConfig parse_url(std::string_view url, const Options& defaults) {
  ConnectionConfig cfg = config_defaults(defaults);

  const auto sep = url.find("://");
  if (sep == std::string_view::npos) url_parts::fail(url, "no scheme; " + std::string(kForms));
  const std::string scheme = url_parts::lower(url.substr(0, sep));
  const auto rest = url.substr(sep + 3);
  if (scheme == "redis" || scheme == "rediss" || scheme == "unix") {
    url_parts::tls_begin(url, scheme == "rediss", defaults, cfg);
  }
  if (scheme == "redis" || scheme == "rediss") {
    parse_tcp(url, rest, cfg);
  } else if (scheme == "unix") {
    parse_unix(url, rest, cfg);
  } else if (scheme == "redis+sentinel" || scheme == "rediss+sentinel") {
    url_parts::fail(url, "scheme '" + scheme +
                             "' names a Sentinel-monitored master, which has no fixed endpoint; "
                             "pass it as Options::url (make_client resolves it through the "
                             "sentinels)");
  } else if (scheme == "redis+cluster" || scheme == "rediss+cluster") {
    url_parts::fail(url, "scheme '" + scheme +
                             "' names a cluster, which has no single endpoint; "
                             "pass it as Options::url (make_client handles clusters)");
  } else {
    url_parts::fail(url, "unknown scheme '" + scheme + "'; " + std::string(kForms));
  }
  url_parts::finish(url, cfg);
  return cfg;
}

}  // namespace redis_cache::detail
