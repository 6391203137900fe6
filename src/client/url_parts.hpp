// The pieces of URL parsing (url.cpp) that every scheme shares, for the
// parsers of other schemes in their own files (sentinel_url.cpp): the same
// userinfo, host:port, database and query rules, and the same messages, with
// passwords and secret query values masked.
#pragma once

#include <string>
#include <string_view>

#include "client/url.hpp"

namespace redis_cache::detail::url_parts {

/// Throws ConfigError "bad Redis URL '<url, secrets masked>': what".
[[noreturn]] void fail(std::string_view url, const std::string& what);
/// Parses "[[user:]password@]" at the start of rest (the URL after "://") into
/// cfg.user / cfg.password and returns what follows it.
std::string_view userinfo(std::string_view url, std::string_view rest, ConnectionConfig& cfg);
/// Percent-decodes part; `what` names it in errors (never shown if it is a password).
std::string decode(std::string_view url, std::string_view part, std::string_view what);
/// host[:port] or [IPv6][:port]; port keeps its value when none is given.
void host_port(std::string_view url, std::string_view authority, std::string& host, int& port);
/// A database number; `where` names it in errors.
int db(std::string_view url, std::string_view value, std::string_view where);
/// The redis:// query keys (connect_timeout, ..., db, keepalive) into cfg.
void query(std::string_view url, std::string_view query, ConnectionConfig& cfg);
/// The URL with its password and secret query values masked, for messages.
std::string redacted(std::string_view url);
/// Starts cfg's TLS settings: tls_scheme (rediss...) takes Options::tls, which
/// the URL's tls_* keys then override; a plaintext URL refuses a set Options::tls.
void tls_begin(std::string_view url, bool tls_scheme, const Options& defaults,
               ConnectionConfig& cfg);
/// After the query: reads the TLS files (a bad one is a ConfigError now).
void tls_finish(ConnectionConfig& cfg);

}  // namespace redis_cache::detail::url_parts
