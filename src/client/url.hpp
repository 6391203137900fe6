// Parsing of redis://, rediss:// (TLS) and unix:// URLs into a ConnectionConfig.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <redis_cache/options.hpp>

namespace redis_cache::detail {

class TlsContext;  // client/tls.hpp

/// Everything needed to open (and re-open) one connection.
struct ConnectionConfig {
  std::string host = "127.0.0.1";  ///< TCP host (empty for unix sockets)
  int port = 6379;
  std::string socket_path;  ///< unix socket path (empty for TCP)
  std::string user;         ///< ACL user (empty: AUTH password only)
  std::string password;     ///< empty: no AUTH
  int db = 0;
  std::chrono::milliseconds connect_timeout{1000};  ///< 0 = forever
  std::chrono::milliseconds command_timeout{1000};  ///< 0 = forever
  std::size_t pool_size = 8;
  std::chrono::milliseconds pool_wait_timeout{1000};
  std::string client_name;  ///< CLIENT SETNAME ("" = none)
  bool keepalive = true;
  CircuitBreakerOptions circuit_breaker;  ///< the pool's breaker
  bool tls = false;                       ///< rediss:// (TLS with tls_options)
  TlsOptions tls_options;                 ///< Options::tls, overridden by the URL's tls_* keys
  /// Built from tls_options when tls (by parse_url, or by Connection for a
  /// hand-made config); shared by every copy: one SSL_CTX per pool / cluster.
  std::shared_ptr<const TlsContext> tls_context;

  /// "host:port" or "unix:/path" — for error messages.
  std::string endpoint() const;
};

/// Parses `url` (see Options::url), starting from the timeouts / pool size /
/// client name in `defaults`; query parameters override them. The userinfo ends
/// at the last '@' before the '?', so a raw '/' or '@' in a password parses; a
/// raw '?' must be percent-encoded (%3F).
/// Throws ConfigError naming the bad part of the URL (never the password).
/// The settings Options gives every connection (timeouts, pool, client name,
/// circuit breaker), before a URL adds its own.
ConnectionConfig config_defaults(const Options& options);

ConnectionConfig parse_url(std::string_view url, const Options& defaults = {});

/// A parsed redis+cluster:// URL: settings shared by every node, and the seeds.
struct ClusterConfig {
  ConnectionConfig node;  ///< user, password, timeouts, pool size per node (host/port unused)
  std::vector<std::pair<std::string, int>> seeds;  ///< (host, port), at least one
};

/// Parses `redis+cluster://[[user:]password@]host[:port][,host[:port]...][/0][?query]`
/// (same query parameters as redis://; a cluster has only database 0), and
/// rediss+cluster:// (TLS to every node, verified against the address it is
/// reached at unless tls_sni names one).
/// Throws ConfigError naming the bad part of the URL.
ClusterConfig parse_cluster_url(std::string_view url, const Options& defaults = {});

/// True when url starts with redis+cluster:// or rediss+cluster:// (scheme case-insensitive).
bool is_cluster_url(std::string_view url) noexcept;

}  // namespace redis_cache::detail
