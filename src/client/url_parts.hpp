// The rules of URL parsing that every scheme shares (url_parts.cpp), used by
// the parsers of each scheme (url.cpp: redis://, rediss://, unix://,
// redis+cluster://; sentinel_url.cpp: redis+sentinel://): the same userinfo,
// host:port, host list, database, query and TLS rules, and the same messages,
// with passwords and secret query values masked.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/url.hpp"

namespace redis_cache::detail::url_parts {

/// Throws ConfigError "bad Redis URL '<url, secrets masked>': what".
[[noreturn]] void fail(std::string_view url, const std::string& what);
/// s with ASCII letters in lower case (schemes and query keys are compared so).
std::string lower(std::string_view s);
/// True when url starts with scheme (given in lower case; the URL's in any case).
bool has_scheme(std::string_view url, std::string_view scheme) noexcept;
/// Parses "[[user:]password@]" at the start of rest (the URL after "://") into
/// cfg.user / cfg.password and returns what follows it. For unix:// the path
/// follows the userinfo ("@/").
std::string_view userinfo(std::string_view url, std::string_view rest, ConnectionConfig& cfg,
                          bool unix_scheme = false);

/// What follows the userinfo of a TCP URL: "authority[/path][?query]".
struct Rest {
  std::string_view authority;  ///< host[:port] or a comma-separated list of them
  std::string_view path;       ///< "" or "/..." (the '/' included)
  std::string_view query;      ///< after the '?' ("" when none)
};
Rest split(std::string_view rest);

/// Percent-decodes part; `what` names it in errors (never shown if it is a password).
std::string decode(std::string_view url, std::string_view part, std::string_view what);
/// host[:port] or [IPv6][:port]; port keeps its value when none is given.
void host_port(std::string_view url, std::string_view authority, std::string& host, int& port);
/// A comma-separated list of host[:port] (a cluster's seeds, the sentinels),
/// default_port where an entry has none. `what` names one entry in errors
/// ("seed node"): an empty entry is refused naming the list. The caller
/// refuses an empty list with its own message.
std::vector<std::pair<std::string, int>> host_list(std::string_view url, std::string_view list,
                                                   int default_port, std::string_view what);
/// A database number; `where` names it in errors.
int db(std::string_view url, std::string_view value, std::string_view where);
/// The redis:// query keys (connect_timeout, ..., db, keepalive, tls_*) into cfg.
void query(std::string_view url, std::string_view query, ConnectionConfig& cfg);
/// Starts cfg's TLS settings: tls_scheme (rediss...) takes Options::tls, which
/// the URL's tls_* keys then override; a plaintext URL refuses a set Options::tls.
void tls_begin(std::string_view url, bool tls_scheme, const Options& defaults,
               ConnectionConfig& cfg);
/// After the query: refuses a pool_size of 0 and reads the TLS files (a bad
/// one is a ConfigError now).
void finish(std::string_view url, ConnectionConfig& cfg);

}  // namespace redis_cache::detail::url_parts
