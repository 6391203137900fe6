// redis+sentinel:// URLs (DESIGN.md §6): sentinels, master name, database,
// the data and sentinel credentials, and messages that never show a secret.
#include <gtest/gtest.h>

#include <string>

#include <redis_cache/errors.hpp>

#include "client/client.hpp"
#include "client/sentinel.hpp"
#include "client/sentinel_url.hpp"
#include "client/url.hpp"

namespace {

namespace rd = redis_cache::detail;
using redis_cache::ConfigError;
using redis_cache::Options;

std::string error_of(const std::string& url) {
  try {
    (void)rd::parse_sentinel_url(url);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(parsed)";
}

TEST(SentinelUrl, SentinelsMasterNameAndDatabase) {
  const auto c =
      rd::parse_sentinel_url("redis+sentinel://10.0.0.1:26380,h2,[::1]:26381/mymaster/3");
  ASSERT_EQ(c.sentinels.size(), 3u);
  EXPECT_EQ(c.sentinels[0], (std::pair<std::string, int>{"10.0.0.1", 26380}));
  EXPECT_EQ(c.sentinels[1], (std::pair<std::string, int>{"h2", 26379}));  // default port
  EXPECT_EQ(c.sentinels[2], (std::pair<std::string, int>{"::1", 26381}));
  EXPECT_EQ(c.master_name, "mymaster");
  EXPECT_EQ(c.node.db, 3);
  EXPECT_TRUE(c.node.password.empty());
  EXPECT_TRUE(c.sentinel_password.empty());
  EXPECT_EQ(rd::parse_sentinel_url("REDIS+SENTINEL://h:1/m?db=2").node.db, 2);
  EXPECT_EQ(rd::parse_sentinel_url("redis+sentinel://h:1/my%20master/").master_name, "my master");
}

TEST(SentinelUrl, DataAndSentinelCredentialsAreSeparate) {
  Options o;
  o.pool_size = 3;
  o.circuit_breaker.failures = 7;
  const auto c = rd::parse_sentinel_url(
      "redis+sentinel://app:data%2Fpw@h:1,h:2/m?sentinel_user=watch&sentinel_password=s%40pw&"
      "command_timeout=250",
      o);
  EXPECT_EQ(c.node.user, "app");
  EXPECT_EQ(c.node.password, "data/pw");
  EXPECT_EQ(c.sentinel_user, "watch");
  EXPECT_EQ(c.sentinel_password, "s@pw");
  EXPECT_EQ(c.node.pool_size, 3u);
  EXPECT_EQ(c.node.circuit_breaker.failures, 7u);
  EXPECT_EQ(c.node.command_timeout.count(), 250);
  const auto s = c.sentinel_config(1);  // what a sentinel gets: never the data password
  EXPECT_EQ(s.host, "h");
  EXPECT_EQ(s.port, 2);
  EXPECT_EQ(s.user, "watch");
  EXPECT_EQ(s.password, "s@pw");
  EXPECT_EQ(s.db, 0);
  EXPECT_EQ(s.command_timeout.count(), 250);
}

TEST(SentinelUrl, BadUrlsNameTheirProblem) {
  EXPECT_NE(error_of("redis+sentinel://h:1").find("no master name"), std::string::npos);
  EXPECT_NE(error_of("redis+sentinel:///m").find("no sentinel address"), std::string::npos);
  EXPECT_NE(error_of("redis+sentinel://h:1,,h:2/m").find("empty sentinel address"),
            std::string::npos);
  EXPECT_NE(error_of("redis+sentinel://h:99999/m").find("bad port '99999'"), std::string::npos);
  EXPECT_NE(error_of("redis+sentinel://h:1/m/x").find("bad database number 'x'"),
            std::string::npos);
  EXPECT_NE(error_of("redis+sentinel://h:1/m?nope=1").find("unknown query parameter 'nope'"),
            std::string::npos);
  EXPECT_NE(error_of("redis+sentinel://h:1/m?sentinel_user=u").find("without sentinel_password"),
            std::string::npos);
  EXPECT_NE(error_of("redis+sentinel://h:1/m?tls_sni=x").find("use rediss://"), std::string::npos);
  EXPECT_NE(error_of("redis+sentinel://h:1/m?tls_sni=x").find("rediss+sentinel://"),
            std::string::npos);
  EXPECT_NE(
      error_of("rediss+sentinel://h:1/m?tls_ca=/nonexistent/ca.pem").find("/nonexistent/ca.pem"),
      std::string::npos);
  EXPECT_NE(error_of("rediss+sentinel://h:1/m?tls_verify=maybe").find("tls_verify='maybe'"),
            std::string::npos);
  EXPECT_TRUE(rd::is_sentinel_url("Redis+Sentinel://h/m"));
  EXPECT_TRUE(rd::is_sentinel_url("rediss+sentinel://h/m"));
  EXPECT_FALSE(rd::is_sentinel_url("redis://h/0"));
  // parse_url (one fixed server) points at make_client for sentinel URLs.
  try {
    (void)rd::parse_url("redis+sentinel://h:1/m");
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("make_client"), std::string::npos) << e.what();
  }
}

TEST(SentinelUrl, TlsReachesTheSentinelsAndTheMaster) {
  Options o;
  o.tls.server_name = "from-options.example";
  o.tls.verify = false;
  const auto cfg = rd::parse_sentinel_url(
      "rediss+sentinel://:pw@s1:1,s2/m/2?tls_sni=redis.example&sentinel_password=sp", o);
  EXPECT_TRUE(cfg.node.tls);
  EXPECT_EQ(cfg.node.tls_options.server_name, "redis.example");  // the URL's key wins
  EXPECT_FALSE(cfg.node.tls_options.verify);                     // from Options::tls
  ASSERT_NE(cfg.node.tls_context, nullptr);
  ASSERT_EQ(cfg.sentinels.size(), 2u);
  EXPECT_EQ(cfg.sentinels[1], (std::pair<std::string, int>{"s2", 26379}));
  EXPECT_EQ(cfg.master_name, "m");
  EXPECT_EQ(cfg.node.db, 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto s = cfg.sentinel_config(i);
    EXPECT_TRUE(s.tls);
    EXPECT_EQ(s.tls_context, cfg.node.tls_context);  // one SSL_CTX for all
    EXPECT_EQ(s.tls_options.server_name, "redis.example");
    EXPECT_EQ(s.password, "sp");
  }
  // Plaintext: no TLS anywhere, and a set Options::tls is refused.
  const auto plain = rd::parse_sentinel_url("redis+sentinel://s1:1/m");
  EXPECT_FALSE(plain.node.tls);
  EXPECT_FALSE(plain.sentinel_config(0).tls);
  try {
    (void)rd::parse_sentinel_url("redis+sentinel://s1:1/m", o);
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("Options::tls is set"), std::string::npos) << e.what();
  }
}

TEST(SentinelUrl, NoPasswordInAnyMessage) {
  // Each URL is wrong somewhere; every secret in it contains "s3cr".
  for (const std::string url : {
           "redis+sentinel://app:s3cr@h:99999/m",
           "redis+sentinel://s3cr@h:1/m/x",
           "redis+sentinel://app:s3cr@h:1/m?sentinel_password=s3cr2&nope=1",
           "redis+sentinel://h:1/m?sentinel_password=s3cr2&db=x",
           "redis+sentinel://h:1/m?sentinel_password=s3cr%zz",
           "redis+sentinel://h:1?sentinel_password=s3cr2",
           "redis+sentinel://app:s3cr?t@h:1/m",
       }) {
    const std::string msg = error_of(url);
    EXPECT_NE(msg, "(parsed)") << url;
    EXPECT_EQ(msg.find("s3cr"), std::string::npos) << msg;
  }
  // Today's redis:// errors no longer echo a secret query value either.
  for (const std::string url : {"redis://h:1/0?sentinel_password=s3cr2",
                                "redis://h:1/0?db=x&password=s3cr", "redis://h:1?token=s3cr&x"}) {
    try {
      (void)rd::parse_url(url);
      ADD_FAILURE() << url;
    } catch (const ConfigError& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.find("s3cr"), std::string::npos) << msg;
      EXPECT_NE(msg.find("***"), std::string::npos) << msg;
    }
  }
}

TEST(SentinelUrl, MakeClientGivesALazySentinelClient) {
  Options o;
  o.url = "redis+sentinel://127.0.0.1:1,127.0.0.1:2/mymaster";  // nothing there
  const auto client = rd::make_client(o);
  EXPECT_EQ(client->describe(), "redis+sentinel://127.0.0.1:1,127.0.0.1:2/mymaster");
  auto* sentinel = dynamic_cast<rd::SentinelClient*>(client.get());
  ASSERT_NE(sentinel, nullptr);
  EXPECT_EQ(sentinel->known_master(), "");
  o.url = "rediss+sentinel://127.0.0.1:1/mymaster?tls_verify=false";
  EXPECT_EQ(rd::make_client(o)->describe(), "rediss+sentinel://127.0.0.1:1/mymaster");
}

}  // namespace
