// URL parsing: redis://, rediss:// and unix:// URLs, good and bad (no server needed).
#include <string>
#include <utility>

#include <gtest/gtest.h>

#include <redis_cache/errors.hpp>

#include "client/client.hpp"
#include "client/url.hpp"

namespace {

using redis_cache::ConfigError;
using redis_cache::Options;
using redis_cache::detail::parse_url;
using namespace std::chrono_literals;

/// Expects parse_url(url) to throw ConfigError whose message contains `part`.
void expect_bad(const std::string& url, const std::string& part) {
  try {
    (void)parse_url(url);
    ADD_FAILURE() << "no error for " << url;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
        << "message for " << url << " does not name '" << part << "': " << e.what();
  }
}

TEST(UrlParse, HostPortDb) {
  const auto c = parse_url("redis://example.com:6380/3");
  EXPECT_EQ(c.host, "example.com");
  EXPECT_EQ(c.port, 6380);
  EXPECT_EQ(c.db, 3);
  EXPECT_TRUE(c.socket_path.empty());
  EXPECT_TRUE(c.user.empty());
  EXPECT_TRUE(c.password.empty());
  EXPECT_EQ(c.endpoint(), "example.com:6380");
}

TEST(UrlParse, DefaultsForMissingParts) {
  const auto c = parse_url("redis://localhost");
  EXPECT_EQ(c.host, "localhost");
  EXPECT_EQ(c.port, 6379);
  EXPECT_EQ(c.db, 0);
  EXPECT_EQ(parse_url("redis://").host, "127.0.0.1");
  EXPECT_EQ(parse_url("redis://h:1/").db, 0);
  EXPECT_EQ(parse_url("REDIS://h:1").port, 1);  // scheme is case-insensitive
}

TEST(UrlParse, TimeoutsPoolAndNameComeFromOptionsThenQuery) {
  Options o;
  o.connect_timeout = 250ms;
  o.command_timeout = 300ms;
  o.pool_size = 3;
  o.pool_wait_timeout = 50ms;
  o.client_name = "app";
  const auto base = parse_url("redis://h", o);
  EXPECT_EQ(base.connect_timeout, 250ms);
  EXPECT_EQ(base.command_timeout, 300ms);
  EXPECT_EQ(base.pool_size, 3u);
  EXPECT_EQ(base.pool_wait_timeout, 50ms);
  EXPECT_EQ(base.client_name, "app");

  const auto q = parse_url(
      "redis://h/2?connect_timeout=10&command_timeout=0&pool_size=16&pool_wait_timeout=5"
      "&client_name=my%2Dsvc&keepalive=false",
      o);
  EXPECT_EQ(q.connect_timeout, 10ms);
  EXPECT_EQ(q.command_timeout, 0ms);  // explicit 0 = wait forever
  EXPECT_EQ(q.pool_size, 16u);
  EXPECT_EQ(q.pool_wait_timeout, 5ms);
  EXPECT_EQ(q.client_name, "my-svc");
  EXPECT_FALSE(q.keepalive);
  EXPECT_EQ(q.db, 2);
}

TEST(UrlParse, DefaultTimeoutsAreFinite) {
  const auto c = parse_url("redis://h");
  EXPECT_GT(c.connect_timeout.count(), 0);
  EXPECT_GT(c.command_timeout.count(), 0);
  EXPECT_GT(c.pool_wait_timeout.count(), 0);
}

TEST(UrlParse, PasswordOnly) {
  const auto c = parse_url("redis://s3cret@h:1");
  EXPECT_EQ(c.password, "s3cret");
  EXPECT_TRUE(c.user.empty());
  const auto d = parse_url("redis://:s3cret@h:1");
  EXPECT_EQ(d.password, "s3cret");
  EXPECT_TRUE(d.user.empty());
}

TEST(UrlParse, UserAndPasswordArePercentDecoded) {
  const auto c = parse_url("redis://al%40ice:p%3Ass%2Fw%25rd%40@h:1/1");
  EXPECT_EQ(c.user, "al@ice");
  EXPECT_EQ(c.password, "p:ss/w%rd@");
  EXPECT_EQ(c.host, "h");
  EXPECT_EQ(c.db, 1);
}

TEST(UrlParse, UnescapedAtInPasswordStillParses) {
  const auto c = parse_url("redis://u:p@ss@h:7");
  EXPECT_EQ(c.user, "u");
  EXPECT_EQ(c.password, "p@ss");
  EXPECT_EQ(c.host, "h");
}

TEST(UrlParse, Ipv6Host) {
  const auto c = parse_url("redis://[::1]:6390/4");
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 6390);
  EXPECT_EQ(c.db, 4);
  EXPECT_EQ(c.endpoint(), "[::1]:6390");
}

TEST(UrlParse, UnixSocket) {
  const auto c = parse_url("unix:///tmp/redis.sock");
  EXPECT_EQ(c.socket_path, "/tmp/redis.sock");
  EXPECT_EQ(c.db, 0);
  EXPECT_EQ(c.endpoint(), "unix:/tmp/redis.sock");

  const auto d = parse_url("unix://bob:pw%21@/var/run/redis%20x.sock?db=5&command_timeout=20");
  EXPECT_EQ(d.user, "bob");
  EXPECT_EQ(d.password, "pw!");
  EXPECT_EQ(d.socket_path, "/var/run/redis x.sock");
  EXPECT_EQ(d.db, 5);
  EXPECT_EQ(d.command_timeout, 20ms);

  const auto e = parse_url("unix://pw@/s.sock");
  EXPECT_EQ(e.password, "pw");
  EXPECT_EQ(e.socket_path, "/s.sock");
}

TEST(UrlParseErrors, UnknownScheme) {
  expect_bad("http://h:1", "unknown scheme 'http'");
}

TEST(UrlParseErrors, NoScheme) {
  expect_bad("localhost:6379", "no scheme");
}

TEST(UrlTls, RedissTakesTlsKeysOverOptionsTls) {
  // No files: the system's CAs (nothing to read that could fail here).
  const auto c = parse_url("rediss://h:6380/2?tls_sni=cache.internal&tls_verify=false");
  EXPECT_TRUE(c.tls);
  EXPECT_EQ(c.host, "h");
  EXPECT_EQ(c.port, 6380);
  EXPECT_EQ(c.db, 2);
  EXPECT_EQ(c.tls_options.server_name, "cache.internal");
  EXPECT_FALSE(c.tls_options.verify);
  ASSERT_NE(c.tls_context, nullptr);
  const auto copy = c;  // one SSL_CTX per URL, shared by every copy (the pool's connections)
  EXPECT_EQ(copy.tls_context, c.tls_context);

  Options o;
  o.tls.server_name = "from-options";
  EXPECT_EQ(parse_url("rediss://h", o).tls_options.server_name, "from-options");
  EXPECT_TRUE(parse_url("rediss://h", o).tls_options.verify);
  EXPECT_EQ(parse_url("rediss://h?tls_sni=url-wins", o).tls_options.server_name, "url-wins");
  EXPECT_FALSE(parse_url("redis://h").tls);
  EXPECT_EQ(parse_url("redis://h").tls_context, nullptr);
}

TEST(UrlTls, TlsSettingsOnAPlaintextUrlAreErrors) {
  expect_bad("redis://h?tls_ca=/x.crt", "rediss://");
  expect_bad("unix:///tmp/r.sock?tls_verify=false", "rediss://");
  Options o;
  o.tls.ca_file = "/etc/ca.crt";
  try {
    (void)parse_url("redis://h", o);
    ADD_FAILURE() << "Options::tls with redis:// accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("Options::tls"), std::string::npos) << e.what();
  }
}

TEST(UrlTls, BadTlsValuesNameTheKeyOrFile) {
  expect_bad("rediss://h?tls_verify=maybe", "tls_verify");
  expect_bad("rediss://h?tls_ca=", "tls_ca");
  expect_bad("rediss://h?tls_ca=/nonexistent/ca.crt", "/nonexistent/ca.crt");
  expect_bad("rediss://h?tls_ca_dir=/nonexistent/certs", "/nonexistent/certs");
  expect_bad("rediss://h?tls_cert=/x.crt", "tls_key");  // a certificate needs its key
  // No password in a TLS message either.
  try {
    (void)parse_url("rediss://app:s3cr3t@h?tls_ca=/nonexistent/ca.crt");
    ADD_FAILURE() << "missing CA file accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).find("s3cr3t"), std::string::npos) << e.what();
  }
}

TEST(UrlTls, ClusterOverTls) {
  EXPECT_TRUE(redis_cache::detail::is_cluster_url("rediss+cluster://a:1,b:2"));
  EXPECT_TRUE(redis_cache::detail::is_cluster_url("REDISS+CLUSTER://a:1"));
  const auto c =
      redis_cache::detail::parse_cluster_url("rediss+cluster://a:7001,b:7002?tls_verify=false");
  EXPECT_TRUE(c.node.tls);
  EXPECT_NE(c.node.tls_context, nullptr);
  EXPECT_EQ(c.seeds.size(), 2u);
  EXPECT_FALSE(redis_cache::detail::parse_cluster_url("redis+cluster://a:7001").node.tls);
  expect_bad("rediss+cluster://a:1", "cluster");
}

TEST(UrlParseErrors, UnknownQueryKey) {
  expect_bad("redis://h?conect_timeout=5", "unknown query parameter 'conect_timeout'");
  expect_bad("unix:///s.sock?foo=1", "'foo'");
}

TEST(UrlParseErrors, QueryWithoutValue) {
  expect_bad("redis://h?pool_size", "'pool_size'");
}

TEST(UrlParseErrors, BadQueryValues) {
  expect_bad("redis://h?connect_timeout=abc", "connect_timeout='abc'");
  expect_bad("redis://h?command_timeout=-1", "command_timeout='-1'");
  expect_bad("redis://h?pool_size=0", "pool_size='0'");
  expect_bad("redis://h?pool_size=x", "pool_size='x'");
  expect_bad("redis://h?keepalive=maybe", "keepalive='maybe'");
  expect_bad("redis://h?db=-2", "'-2'");
}

TEST(UrlParseErrors, BadPort) {
  expect_bad("redis://h:abc/0", "bad port 'abc'");
  expect_bad("redis://h:0", "bad port '0'");
  expect_bad("redis://h:70000", "bad port '70000'");
  expect_bad("redis://h:/0", "empty port");
}

TEST(UrlParseErrors, BadDb) {
  expect_bad("redis://h:1/x", "bad database number 'x'");
  expect_bad("redis://h:1/1/2", "bad database number '1/2'");
  expect_bad("redis://h:1/-1", "'-1'");
}

TEST(UrlParseErrors, BadPercentEscape) {
  expect_bad("redis://u%zz:pw@h", "'%zz'");  // in the user name: shown
  expect_bad("redis://u:p%zz@h", "bad percent-escape in the password");
}

TEST(UrlParseErrors, RelativeUnixPath) {
  expect_bad("unix://redis.sock", "not absolute");
}

TEST(UrlParseErrors, UserWithoutPassword) {
  expect_bad("redis://bob:@h", "without a password");
}

TEST(UrlParseErrors, PasswordIsMaskedInMessages) {
  try {
    (void)parse_url("redis://bob:topsecret@h:99999");
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find("topsecret"), std::string::npos) << msg;
    EXPECT_NE(msg.find("bob:***@h"), std::string::npos) << msg;
  }
}

/// The message of the ConfigError that parsing url throws, or "(parsed)".
template <class Parse>
std::string error_of(Parse parse, const std::string& url) {
  try {
    (void)parse(url, Options{});
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(parsed)";
}

// The userinfo ends at the last '@' before the query, so raw '/' in a password
// parses; a raw '?' cannot be told from the query, so it is refused, and no
// message ever shows the password.
TEST(UrlPassword, RawSlashInPasswordParses) {
  const auto c = parse_url("redis://app:s3cr/t@10.0.0.1:6379/2");
  EXPECT_EQ(c.user, "app");
  EXPECT_EQ(c.password, "s3cr/t");
  EXPECT_EQ(c.host, "10.0.0.1");
  EXPECT_EQ(c.port, 6379);
  EXPECT_EQ(c.db, 2);

  const auto d = parse_url("redis:///s3/cr@h?db=3");  // password only, starting with '/'
  EXPECT_TRUE(d.user.empty());
  EXPECT_EQ(d.password, "/s3/cr");
  EXPECT_EQ(d.host, "h");
  EXPECT_EQ(d.db, 3);

  const auto k =
      redis_cache::detail::parse_cluster_url("redis+cluster://app:s3cr/t@10.0.0.1:7000,h:7001/0");
  EXPECT_EQ(k.node.user, "app");
  EXPECT_EQ(k.node.password, "s3cr/t");
  ASSERT_EQ(k.seeds.size(), 2u);
  EXPECT_EQ(k.seeds[0], (std::pair<std::string, int>{"10.0.0.1", 7000}));
  EXPECT_EQ(k.seeds[1], (std::pair<std::string, int>{"h", 7001}));

  const auto u = parse_url("unix://user:p/w@/var/run/redis.sock?db=1");
  EXPECT_EQ(u.user, "user");
  EXPECT_EQ(u.password, "p/w");
  EXPECT_EQ(u.socket_path, "/var/run/redis.sock");
  EXPECT_EQ(u.db, 1);

  const auto v = parse_url("unix://pw@/tmp/a@b.sock");  // '@' in the path: the last "@/" counts
  EXPECT_EQ(v.password, "pw");
  EXPECT_EQ(v.socket_path, "/tmp/a@b.sock");
  EXPECT_EQ(parse_url("unix:///tmp/a@b.sock").socket_path, "/tmp/a@b.sock");
}

TEST(UrlPassword, NeverInAnyMessage) {
  const auto tcp = [](const std::string& url, const Options& o) { return parse_url(url, o); };
  const auto cluster = [](const std::string& url, const Options& o) {
    return redis_cache::detail::parse_cluster_url(url, o);
  };
  // Each URL is wrong somewhere, and its password contains "s3cr".
  for (const std::string url : {
           "redis://app:s3cr/t@10.0.0.1:99999/0",
           "redis://app:s3cr/t@10.0.0.1:6379/x",
           "redis://app:s3cr?t@10.0.0.1:6379/0",
           "redis://s3cr?t@10.0.0.1:6379/0",
           "redis://app:s3cr%zz@h",
           "redis://app:s3cr/t@h?nope=1",
           "app:s3cr/t@h:1",  // no scheme
           "unix://user:s3cr/t@/s.sock?db=x",
           "unix://user:s3cr?t@/s.sock",
           "unix://user:s3cr@relative.sock",
           "unix://user:s3cr/t@relative.sock",
       }) {
    const std::string msg = error_of(tcp, url);
    EXPECT_NE(msg, "(parsed)") << url;
    EXPECT_EQ(msg.find("s3cr"), std::string::npos) << msg;
  }
  for (const std::string url : {
           "redis+cluster://app:s3cr/t@10.0.0.1:7000,h:x",
           "redis+cluster://app:s3cr?t@10.0.0.1:7000",
           "redis+cluster://app:s3cr/t@h:1/2",
       }) {
    const std::string msg = error_of(cluster, url);
    EXPECT_NE(msg, "(parsed)") << url;
    EXPECT_EQ(msg.find("s3cr"), std::string::npos) << msg;
  }
  // Bad ports and databases are still named; the user stays visible.
  EXPECT_NE(error_of(tcp, "redis://app:s3cr/t@h:99999").find("bad port '99999'"),
            std::string::npos);
  EXPECT_NE(error_of(tcp, "redis://app:s3cr/t@h:99999").find("app:***@h:99999"), std::string::npos);
}

TEST(UrlPassword, RawQuestionMarkAsksForPercentEncoding) {
  for (const std::string url :
       {"redis://app:s3cr?t@h:1/0", "unix://app:s3cr?t@/s.sock", "redis://h:1?client_name=a@b"}) {
    const std::string msg =
        error_of([](const std::string& u, const Options& o) { return parse_url(u, o); }, url);
    EXPECT_NE(msg.find("%3F"), std::string::npos) << msg;
    EXPECT_NE(msg.find("%40"), std::string::npos) << msg;
  }
  const auto c = parse_url("redis://app:s3cr%3Ft@h:1/0");  // encoded, it parses
  EXPECT_EQ(c.password, "s3cr?t");
}

TEST(MakeClient, ClusterSchemeGivesALazyClusterClient) {
  Options o;
  o.url = "redis+cluster://127.0.0.1:7000,127.0.0.1:7001";  // nothing there; no I/O yet
  const auto client = redis_cache::detail::make_client(o);
  EXPECT_EQ(client->describe(), "redis+cluster://127.0.0.1:7000,127.0.0.1:7001");
}

TEST(MakeClient, ConnectsLazily) {
  Options o;
  o.url = "redis://127.0.0.1:1/0";  // nothing listens there; no I/O until a command
  const auto client = redis_cache::detail::make_client(o);
  EXPECT_EQ(client->describe(), "127.0.0.1:1");
}

}  // namespace
