// Parsing of redis+sentinel:// URLs (see sentinel_url.hpp), with the userinfo,
// host list, query and TLS rules every scheme shares (url_parts.hpp).
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
  return url_parts::has_scheme(url, kScheme) || url_parts::has_scheme(url, kTlsScheme);
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
  const bool tls = url_parts::has_scheme(url, kTlsScheme);
  if (!tls && !url_parts::has_scheme(url, kScheme)) {
    url_parts::fail(url, "not a Sentinel URL; expected " + std::string(kForm) +
                             " (rediss+sentinel:// with TLS)");
  }
  url_parts::tls_begin(url, tls, defaults, cfg);
  const auto scheme_size = tls ? kTlsScheme.size() : kScheme.size();
  const auto parts = url_parts::split(url_parts::userinfo(url, url.substr(scheme_size), cfg));
  if (parts.authority.empty()) {
    url_parts::fail(url, "no sentinel address; expected " + std::string(kForm));
  }
  out.sentinels = url_parts::host_list(url, parts.authority, kSentinelPort, "sentinel address");
  std::string_view path = parts.path;  // "/<master-name>[/db]"
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
  url_parts::query(url, take_sentinel_keys(url, parts.query, out), cfg);
  if (!out.sentinel_user.empty() && out.sentinel_password.empty()) {
    url_parts::fail(url,
                    "sentinel_user '" + out.sentinel_user + "' is given without sentinel_password");
  }
  url_parts::finish(url, cfg);
  return out;
}

}  // namespace redis_cache::detail
