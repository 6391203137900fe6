// Parsing of redis+sentinel:// URLs (see sentinel_url.hpp), with the shared
// userinfo / host:port / query rules of url.cpp (url_parts.hpp).
#include "client/sentinel_url.hpp"

#include <string>

#include <redis_cache/errors.hpp>

#include "client/url_parts.hpp"

namespace redis_cache::detail {
namespace {

constexpr std::string_view kScheme = "redis+sentinel://";
constexpr std::string_view kTlsScheme = "rediss+sentinel://";
constexpr std::string_view kForm =
    "redis+sentinel://[[user:]password@]host:port[,host:port...]/<master-name>[/db]"
    "[?sentinel_password=...&sentinel_user=...&option=value...]";
constexpr int kSentinelPort = 26379;

bool starts_with_nocase(std::string_view s, std::string_view prefix) noexcept {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

/// Moves sentinel_user / sentinel_password out of query into out; the rest
/// (the redis:// keys) is returned for url_parts::query.
std::string take_sentinel_keys(std::string_view url, std::string_view query, SentinelConfig& out) {
  std::string rest;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = item.find('=');
    const auto key = item.substr(0, eq);
    const auto value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
    if (key == "sentinel_password" && eq != std::string_view::npos) {
      out.sentinel_password = url_parts::decode(url, value, "sentinel_password");
    } else if (key == "sentinel_user" && eq != std::string_view::npos) {
      out.sentinel_user = url_parts::decode(url, value, "sentinel_user");
    } else {
      if (!rest.empty()) rest += '&';
      rest += item;
    }
  }
  return rest;
}

}  // namespace

bool is_sentinel_url(std::string_view url) noexcept {
  return starts_with_nocase(url, kScheme) || starts_with_nocase(url, kTlsScheme);
}

ConnectionConfig SentinelConfig::sentinel_config(std::size_t i) const {
  ConnectionConfig c;
  c.host = sentinels.at(i).first;
  c.port = sentinels.at(i).second;
  c.user = sentinel_user;
  c.password = sentinel_password;
  c.db = 0;
  c.connect_timeout = node.connect_timeout;
  c.command_timeout = node.command_timeout;
  c.pool_size = 1;
  c.pool_wait_timeout = node.pool_wait_timeout;
  c.client_name = node.client_name;
  c.keepalive = node.keepalive;
  // rediss+sentinel://: the sentinels speak TLS too, with the same settings
  // (one SSL_CTX); each is verified against its own address unless tls_sni is set.
  c.tls = node.tls;
  c.tls_options = node.tls_options;
  c.tls_context = node.tls_context;
  return c;
}

SentinelConfig parse_sentinel_url(std::string_view url, const Options& defaults) {
  SentinelConfig out;
  ConnectionConfig& cfg = out.node;
  cfg = config_defaults(defaults);
  const bool tls = starts_with_nocase(url, kTlsScheme);
  if (!tls && !starts_with_nocase(url, kScheme)) {
    url_parts::fail(url, "not a Sentinel URL; expected " + std::string(kForm) +
                             " (rediss+sentinel:// with TLS)");
  }
  url_parts::tls_begin(url, tls, defaults, cfg);
  const auto scheme_size = tls ? kTlsScheme.size() : kScheme.size();
  const auto rest = url_parts::userinfo(url, url.substr(scheme_size), cfg);
  const auto authority_end = rest.find_first_of("/?");
  auto authority = rest.substr(0, authority_end);
  const auto tail =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.empty()) {
    url_parts::fail(url, "no sentinel address; expected " + std::string(kForm));
  }
  while (true) {
    const auto comma = authority.find(',');
    const auto one = authority.substr(0, comma);
    if (one.empty()) {
      url_parts::fail(url, "empty sentinel address in the list '" + std::string(authority) +
                               "' (separate host:port pairs with single commas)");
    }
    std::pair<std::string, int> hp{"", kSentinelPort};
    url_parts::host_port(url, one, hp.first, hp.second);
    out.sentinels.push_back(std::move(hp));
    if (comma == std::string_view::npos) break;
    authority = authority.substr(comma + 1);
  }
  const auto q = tail.find('?');
  std::string_view path = tail.substr(0, q);
  const std::string_view query =
      q == std::string_view::npos ? std::string_view{} : tail.substr(q + 1);
  // path: "/<master-name>[/db]"
  if (path.size() <= 1) {
    url_parts::fail(url,
                    "no master name: write the name the sentinels monitor after the "
                    "addresses, e.g. redis+sentinel://host:26379/mymaster");
  }
  path.remove_prefix(1);
  const auto slash = path.find('/');
  out.master_name = url_parts::decode(url, path.substr(0, slash), "master name");
  if (out.master_name.empty()) url_parts::fail(url, "empty master name before '/'");
  if (slash != std::string_view::npos) {
    const auto db = path.substr(slash + 1);
    if (!db.empty()) cfg.db = url_parts::db(url, db, "path");
  }
  url_parts::query(url, take_sentinel_keys(url, query, out), cfg);
  if (!out.sentinel_user.empty() && out.sentinel_password.empty()) {
    url_parts::fail(url,
                    "sentinel_user '" + out.sentinel_user + "' is given without sentinel_password");
  }
  if (cfg.pool_size == 0) {
    url_parts::fail(url, "pool_size is 0 (Options::pool_size must be at least 1)");
  }
  url_parts::tls_finish(cfg);
  return out;
}

}  // namespace redis_cache::detail
