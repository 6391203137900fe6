// Parsing of redis+sentinel:// URLs (DESIGN.md §6): the sentinels to ask, the
// name of the master they monitor, and how to reach that master once found.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <redis_cache/options.hpp>

#include "client/url.hpp"

namespace redis_cache::detail {

/// A parsed redis+sentinel:// URL.
struct SentinelConfig {
  /// The master's settings: user, password, db, timeouts, pool size, client
  /// name (host and port are filled in once the sentinels have named it).
  ConnectionConfig node;
  std::vector<std::pair<std::string, int>> sentinels;  ///< (host, port), at least one
  std::string master_name;                             ///< as in `sentinel monitor <name>`
  std::string sentinel_user;                           ///< ACL user on the sentinels ("" = none)
  std::string sentinel_password;  ///< the sentinels' own password ("" = no AUTH)

  /// How to reach sentinel i: its host and port, the sentinel credentials
  /// (never the data password), database 0, the node's timeouts and TLS settings.
  ConnectionConfig sentinel_config(std::size_t i) const;
};

/// Parses `redis+sentinel://[[user:]password@]host[:port][,host[:port]...]/<master-name>[/db][?query]`
/// (port 26379 when omitted). The userinfo is the master's (data) credentials;
/// the query takes the keys of redis:// plus sentinel_user and sentinel_password.
/// rediss+sentinel:// is the same over TLS to the sentinels and the master
/// (tls_* keys as rediss://; Options::tls as the starting point).
/// Throws ConfigError naming the bad part (no password or secret value shown).
SentinelConfig parse_sentinel_url(std::string_view url, const Options& defaults = {});

/// True when url starts with redis+sentinel:// or rediss+sentinel:// (any case).
bool is_sentinel_url(std::string_view url) noexcept;

}  // namespace redis_cache::detail
