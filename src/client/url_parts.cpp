// The rules of URL parsing that every scheme shares (see url_parts.hpp): where
// the userinfo ends, percent-decoding, host:port and host lists, database
// numbers, the query keys and the TLS settings. The parsers of each scheme are
// in url.cpp and sentinel_url.cpp.
//
// Every error is a ConfigError that names the bad part and shows the URL with
// its password masked, so messages can be logged safely.
#include "client/url_parts.hpp"

#include <charconv>
#include <chrono>
#include <cstddef>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <redis_cache/errors.hpp>

#include "client/tls.hpp"

namespace redis_cache::detail::url_parts {
namespace {

constexpr std::string_view kQueryKeys =
    "connect_timeout, command_timeout, pool_size, pool_wait_timeout, client_name, db, keepalive; "
    "with rediss: tls_ca, tls_ca_dir, tls_cert, tls_key, tls_sni, tls_verify";

// Where the userinfo ("[user:]password@") is. Passwords are often generated, and
// some contain raw '/' or '@': so the userinfo ends at the LAST '@' before the
// query, not at the first '/' (which would turn "app:s3cr/t@h" into host "app",
// port "s3cr"). The redactor and the parsers share these two functions, so what
// is parsed as a password is also what is masked.

/// True when an '@' follows the first '?' of `rest` (the URL after "://"): a raw
/// '?' in the password, or a raw '@' in a query value. The two cannot be told
/// apart, so the parsers refuse such a URL and the redactor masks up to that '@'.
bool at_after_query(std::string_view rest) {
  const auto q = rest.find('?');
  return q != std::string_view::npos && rest.find('@', q) != std::string_view::npos;
}

/// The position in `rest` of the '@' that ends the userinfo, or npos. For
/// unix:// the path follows that '@' ("@/", the last one, so '@' may appear in
/// the password or the path), and a rest that starts with '/' has no userinfo.
std::size_t userinfo_end(std::string_view rest, bool unix_scheme) {
  const auto main = rest.substr(0, rest.find('?'));
  if (!unix_scheme) return main.rfind('@');
  if (!main.empty() && main.front() == '/') return std::string_view::npos;
  const auto at = main.rfind("@/");
  return at != std::string_view::npos ? at : main.rfind('@');
}

/// True for a query key whose value is a secret (sentinel_password, ...): its
/// value is masked in messages like the userinfo's password.
bool secret_query_key(std::string_view key) {
  const std::string k = lower(key);
  return k.find("pass") != std::string::npos || k.find("secret") != std::string::npos ||
         k.find("token") != std::string::npos;
}

/// `out` with the values of secret query keys (after its first '?') as "***".
std::string redact_query(std::string out) {
  auto pos = out.find('?');
  if (pos == std::string::npos) return out;
  ++pos;
  while (pos < out.size()) {
    auto end = out.find('&', pos);
    if (end == std::string::npos) end = out.size();
    const auto eq = out.find('=', pos);
    if (eq != std::string::npos && eq < end &&
        secret_query_key(std::string_view(out).substr(pos, eq - pos))) {
      out.replace(eq + 1, end - eq - 1, "***");
      end = eq + 4;
    }
    pos = end + 1;
  }
  return out;
}

std::string redact_userinfo(std::string_view url);

/// The URL with the password (if any) and secret query values replaced by
/// "***", for messages.
std::string redact(std::string_view url) {
  return redact_query(redact_userinfo(url));
}

std::string redact_userinfo(std::string_view url) {
  const auto sep = url.find("://");
  // Without a scheme ("user:pw@host:port"), mask what would be the userinfo all the same.
  const auto rest_begin = sep == std::string_view::npos ? 0 : sep + 3;
  const auto rest = url.substr(rest_begin);
  std::string out(url.substr(0, rest_begin));
  if (at_after_query(rest)) {  // where the password ends is unknown: mask all before the '@'
    out += "***";
    out += rest.substr(rest.rfind('@'));
    return out;
  }
  const bool unix_scheme = sep != std::string_view::npos && lower(url.substr(0, sep)) == "unix";
  const auto at = userinfo_end(rest, unix_scheme);
  if (at == std::string_view::npos) return std::string(url);
  const auto userinfo = rest.substr(0, at);
  const auto colon = userinfo.find(':');
  if (colon != std::string_view::npos) out += userinfo.substr(0, colon + 1);
  out += "***";
  out += rest.substr(at);
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

template <class Int>
bool parse_int(std::string_view s, Int& out) {
  if (s.empty()) return false;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc{} && p == end;
}

std::chrono::milliseconds parse_ms(std::string_view url, std::string_view key,
                                   std::string_view value) {
  long long ms = 0;
  if (!parse_int(value, ms) || ms < 0) {
    fail(url, "query parameter " + std::string(key) + "='" + std::string(value) +
                  "' is not a non-negative number of milliseconds (0 = wait forever)");
  }
  return std::chrono::milliseconds(ms);
}

void parse_userinfo(std::string_view url, std::string_view userinfo, ConnectionConfig& cfg) {
  const auto colon = userinfo.find(':');
  if (colon == std::string_view::npos) {
    // [password@]: as in redis-cli and the design, a lone value is the password.
    cfg.password = decode(url, userinfo, "password");
  } else {
    cfg.user = decode(url, userinfo.substr(0, colon), "user name");
    cfg.password = decode(url, userinfo.substr(colon + 1), "password");
  }
  if (!cfg.user.empty() && cfg.password.empty()) {
    fail(url, "user '" + cfg.user + "' is given without a password (use user:password@)");
  }
}

// -- TLS (rediss://, rediss+cluster://) -------------------------------------------

bool parse_bool(std::string_view url, std::string_view key, std::string_view value) {
  if (value == "1" || value == "true" || value == "yes") return true;
  if (value == "0" || value == "false" || value == "no") return false;
  fail(url, "query parameter " + std::string(key) + "='" + std::string(value) +
                "' is not true or false");
}

/// A tls_* query key into cfg.tls_options; false when key is not one of them.
bool parse_tls_key(std::string_view url, std::string_view key, std::string_view value,
                   ConnectionConfig& cfg) {
  std::string* field = nullptr;
  TlsOptions& t = cfg.tls_options;
  if (key == "tls_ca") {
    field = &t.ca_file;
  } else if (key == "tls_ca_dir") {
    field = &t.ca_dir;
  } else if (key == "tls_cert") {
    field = &t.cert_file;
  } else if (key == "tls_key") {
    field = &t.key_file;
  } else if (key == "tls_sni") {
    field = &t.server_name;
  } else if (key != "tls_verify") {
    return false;
  }
  if (!cfg.tls) {
    fail(url, "query parameter " + std::string(key) +
                  " is for TLS, but the URL is plaintext: use rediss:// (rediss+cluster:// for a "
                  "cluster, rediss+sentinel:// through Sentinel)");
  }
  if (field == nullptr) {
    t.verify = parse_bool(url, key, value);
  } else {
    *field = decode(url, value, key);
    if (field->empty()) fail(url, "query parameter " + std::string(key) + " is empty");
  }
  return true;
}

bool tls_options_set(const TlsOptions& t) {
  return !t.ca_file.empty() || !t.ca_dir.empty() || !t.cert_file.empty() || !t.key_file.empty() ||
         !t.server_name.empty() || !t.verify;
}

}  // namespace

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

[[noreturn]] void fail(std::string_view url, const std::string& what) {
  throw ConfigError("redis_cache: bad Redis URL '" + redact(url) + "': " + what);
}

bool has_scheme(std::string_view url, std::string_view scheme) noexcept {
  if (url.size() < scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    char c = url[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != scheme[i]) return false;
  }
  return true;
}

std::string decode(std::string_view url, std::string_view part, std::string_view what) {
  std::string out;
  out.reserve(part.size());
  for (std::size_t i = 0; i < part.size(); ++i) {
    if (part[i] != '%') {
      out += part[i];
      continue;
    }
    const int hi = i + 1 < part.size() ? hex_digit(part[i + 1]) : -1;
    const int lo = i + 2 < part.size() ? hex_digit(part[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      if (what.find("password") != std::string_view::npos) {  // a secret: do not show it
        fail(url, "bad percent-escape in the " + std::string(what) +
                      " (use %XX with two hex digits; write a literal '%' as %25)");
      }
      fail(url, "bad percent-escape '" + std::string(part.substr(i, 3)) + "' in the " +
                    std::string(what) + " (use %XX with two hex digits)");
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

int db(std::string_view url, std::string_view value, std::string_view where) {
  int n = 0;
  if (!parse_int(value, n) || n < 0) {
    fail(url, "bad database number '" + std::string(value) + "' in the " + std::string(where) +
                  " (expected a non-negative integer such as /0)");
  }
  return n;
}

std::string_view userinfo(std::string_view url, std::string_view rest, ConnectionConfig& cfg,
                          bool unix_scheme) {
  if (at_after_query(rest)) {
    fail(url,
         "an '@' follows the '?', so where the password ends is unclear: percent-encode a '?' in "
         "the password as %3F, and an '@' in a query value as %40");
  }
  const auto at = userinfo_end(rest, unix_scheme);
  if (at == std::string_view::npos) return rest;
  parse_userinfo(url, rest.substr(0, at), cfg);
  return rest.substr(at + 1);
}

/// Starts cfg's TLS settings from Options::tls (the URL's keys then win).
void tls_begin(std::string_view url, bool tls_scheme, const Options& defaults,
               ConnectionConfig& cfg) {
  cfg.tls = tls_scheme;
  if (tls_scheme) {
    cfg.tls_options = defaults.tls;
  } else if (tls_options_set(defaults.tls)) {
    fail(url,
         "Options::tls is set, but the URL is plaintext: use rediss:// (rediss+cluster:// for a "
         "cluster, rediss+sentinel:// through Sentinel), or leave Options::tls empty");
  }
}

void finish(std::string_view url, ConnectionConfig& cfg) {
  if (cfg.pool_size == 0) fail(url, "pool_size is 0 (Options::pool_size must be at least 1)");
  if (cfg.tls) cfg.tls_context = make_tls_context(cfg.tls_options);
}

void query(std::string_view url, std::string_view query, ConnectionConfig& cfg) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      fail(url, "query parameter '" + std::string(item) + "' has no value (use key=value)");
    }
    const auto key = item.substr(0, eq);
    const auto value = item.substr(eq + 1);
    if (key == "connect_timeout") {
      cfg.connect_timeout = parse_ms(url, key, value);
    } else if (key == "command_timeout") {
      cfg.command_timeout = parse_ms(url, key, value);
    } else if (key == "pool_wait_timeout") {
      cfg.pool_wait_timeout = parse_ms(url, key, value);
    } else if (key == "pool_size") {
      std::size_t n = 0;
      if (!parse_int(value, n) || n == 0) {
        fail(url, "query parameter pool_size='" + std::string(value) +
                      "' is not a positive number of connections");
      }
      cfg.pool_size = n;
    } else if (key == "client_name") {
      cfg.client_name = decode(url, value, "client_name");
      if (cfg.client_name.find_first_of(" \t\r\n") != std::string::npos) {
        fail(url, "client_name '" + cfg.client_name + "' contains spaces (Redis refuses them)");
      }
    } else if (key == "db") {
      cfg.db = db(url, value, "query parameter db");
    } else if (key == "keepalive") {
      cfg.keepalive = parse_bool(url, key, value);
    } else if (parse_tls_key(url, key, value, cfg)) {
    } else {
      fail(url, "unknown query parameter '" + std::string(key) +
                    "' (known: " + std::string(kQueryKeys) + ")");
    }
  }
}

Rest split(std::string_view rest) {
  const auto authority_end = rest.find_first_of("/?");
  const auto tail =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  const auto q = tail.find('?');
  return {rest.substr(0, authority_end), tail.substr(0, q),
          q == std::string_view::npos ? std::string_view{} : tail.substr(q + 1)};
}

void host_port(std::string_view url, std::string_view authority, std::string& host_out,
               int& port_out) {
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) fail(url, "IPv6 host has no closing ']'");
    host = authority.substr(1, close - 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') fail(url, "unexpected '" + std::string(after) + "' after the host");
      port = after.substr(1);
      if (port.empty()) fail(url, "empty port after ':'");
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) fail(url, "empty port after ':'");
  }
  host_out = host.empty() ? std::string("127.0.0.1") : std::string(host);
  if (!port.empty()) {
    int p = 0;
    if (!parse_int(port, p) || p < 1 || p > 65535) {
      fail(url, "bad port '" + std::string(port) + "' (expected 1..65535)");
    }
    port_out = p;
  }
}

std::vector<std::pair<std::string, int>> host_list(std::string_view url, std::string_view list,
                                                   int default_port, std::string_view what) {
  std::vector<std::pair<std::string, int>> out;
  for (auto rest = list;;) {
    const auto comma = rest.find(',');
    const auto one = rest.substr(0, comma);
    if (one.empty()) {
      fail(url, "empty " + std::string(what) + " in the list '" + std::string(list) +
                    "' (separate host:port pairs with single commas)");
    }
    std::pair<std::string, int> hp{"", default_port};
    host_port(url, one, hp.first, hp.second);
    out.push_back(std::move(hp));
    if (comma == std::string_view::npos) return out;
    rest = rest.substr(comma + 1);
  }
}

}  // namespace redis_cache::detail::url_parts
