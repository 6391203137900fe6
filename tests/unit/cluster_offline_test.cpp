// Redis Cluster pieces that need no server: slot hashing (CRC16, hash tags),
// redis+cluster:// URL parsing, MOVED/ASK parsing, and what a cache does when
// no seed node can be reached at all.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>

#include "client/client.hpp"
#include "client/cluster.hpp"
#include "client/url.hpp"

namespace {

namespace rc = redis_cache;
namespace rd = redis_cache::detail;
using namespace std::chrono_literals;

int triple(int x) {
  return 3 * x;
}

TEST(ClusterSlots, Crc16TestVector) {
  EXPECT_EQ(rd::crc16("123456789"), 0x31C3);
  EXPECT_EQ(rd::crc16(""), 0);
  EXPECT_EQ(rd::key_slot("123456789"), 0x31C3u);
  EXPECT_EQ(rd::key_slot("foo"), 12182u);  // CLUSTER KEYSLOT foo
}

TEST(ClusterSlots, HashTags) {
  // Only the first {...} with something inside counts (cluster spec examples).
  EXPECT_EQ(rd::key_slot("{user1000}.following"), rd::key_slot("{user1000}.followers"));
  EXPECT_EQ(rd::key_slot("{user1000}.following"), rd::key_slot("user1000"));
  EXPECT_EQ(rd::key_slot("foo{}{bar}"), rd::crc16("foo{}{bar}") % 16384u);
  EXPECT_EQ(rd::key_slot("foo{{bar}}zap"), rd::key_slot("{bar"));
  EXPECT_EQ(rd::key_slot("foo{bar}{zap}"), rd::key_slot("bar"));
  EXPECT_EQ(rd::key_slot("{rc:app::f}:0a1b:AQI="), rd::key_slot("{rc:app::f}:keys"));
  EXPECT_EQ(rd::key_slot("no{close"), rd::crc16("no{close") % 16384u);
}

TEST(ClusterUrl, SeedsUserAndQuery) {
  const auto c = rd::parse_cluster_url(
      "redis+cluster://bob:p%40ss@10.0.0.1:7000,[::1]:7001,host?command_timeout=250&pool_size=3");
  ASSERT_EQ(c.seeds.size(), 3u);
  EXPECT_EQ(c.seeds[0], (std::pair<std::string, int>{"10.0.0.1", 7000}));
  EXPECT_EQ(c.seeds[1], (std::pair<std::string, int>{"::1", 7001}));
  EXPECT_EQ(c.seeds[2], (std::pair<std::string, int>{"host", 6379}));
  EXPECT_EQ(c.node.user, "bob");
  EXPECT_EQ(c.node.password, "p@ss");
  EXPECT_EQ(c.node.command_timeout, 250ms);
  EXPECT_EQ(c.node.pool_size, 3u);
  EXPECT_TRUE(rd::is_cluster_url("REDIS+CLUSTER://h:1"));
  EXPECT_FALSE(rd::is_cluster_url("redis://h:1"));
}

TEST(ClusterUrl, ErrorsNameTheBadPart) {
  const auto message = [](const char* url) {
    try {
      (void)rd::parse_cluster_url(url);
    } catch (const rc::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(message("redis+cluster://h:1,,h:2").find("empty seed"), std::string::npos);
  EXPECT_NE(message("redis+cluster://").find("no seed"), std::string::npos);
  EXPECT_NE(message("redis+cluster://h:99999").find("bad port '99999'"), std::string::npos);
  EXPECT_NE(message("redis+cluster://h:1/2").find("only database 0"), std::string::npos);
  EXPECT_NE(message("redis+cluster://h:1?nope=1").find("'nope'"), std::string::npos);
  EXPECT_NE(message("redis+cluster://u:secret@h:1,h:x").find("bad port 'x'"), std::string::npos);
  EXPECT_EQ(message("redis+cluster://u:secret@h:1,h:x").find("secret"), std::string::npos);
}

TEST(ClusterUrl, SupportClusterOffIsRefused) {
  rc::Options o;
  o.url = "redis+cluster://127.0.0.1:7000";
  o.support_cluster = false;
  EXPECT_THROW((void)rd::make_client(o), rc::ConfigError);
}

TEST(ClusterSeeds, UnreachableSeedsFallBackThroughTheHandler) {
  int handled = 0;
  std::string message;
  rc::RedisCache cache{{.url = "redis+cluster://127.0.0.1:1,127.0.0.1:2",
                        .exception_handler = [&](const rc::Error& e, std::string_view) {
                          ++handled;
                          message = e.what();
                        }}};
  auto f = cache.cache<&triple>({.ns = "nowhere"});
  EXPECT_EQ(f(2), 6);
  EXPECT_EQ(handled, 1);
  EXPECT_NE(message.find("127.0.0.1:1, 127.0.0.1:2"), std::string::npos) << message;
}

// A malformed redirection, even a bare "MOVED" (no slot, no endpoint), is a
// ProtocolError (a redis_cache::Error, so the handler sees it).
TEST(ClusterRedirect, MalformedRedirectionsAreProtocolErrors) {
  using Kind = rd::Redirect::Kind;
  const auto moved = rd::parse_redirect("MOVED 3999 127.0.0.1:6381", "GET on h:1");
  EXPECT_EQ(moved.kind, Kind::moved);
  EXPECT_EQ(moved.slot, 3999u);
  EXPECT_EQ(moved.host, "127.0.0.1");
  EXPECT_EQ(moved.port, 6381);
  const auto ask = rd::parse_redirect("ASK 1 [::1]:7000", "GET on h:1");
  EXPECT_EQ(ask.kind, Kind::ask);
  EXPECT_EQ(ask.host, "::1");
  const auto here = rd::parse_redirect("MOVED 5 :7001", "GET on h:1");  // host unknown
  EXPECT_EQ(here.kind, Kind::moved);
  EXPECT_TRUE(here.host.empty());
  EXPECT_EQ(rd::parse_redirect("TRYAGAIN x", "").kind, Kind::transient);
  EXPECT_EQ(rd::parse_redirect("ERR MOVED", "").kind, Kind::other);
  EXPECT_EQ(rd::parse_redirect("MOVEDX 1 h:1", "").kind, Kind::other);
  for (const char* bad : {"MOVED", "ASK", "MOVED ", "MOVED 12", "MOVED 12 h", "MOVED x h:1",
                          "MOVED 16384 h:1", "ASK 1 h:port", "MOVED 1 h:99999"}) {
    try {
      (void)rd::parse_redirect(bad, "GET on h:1");
      ADD_FAILURE() << "no error for '" << bad << "'";
    } catch (const rc::ProtocolError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("malformed cluster redirection"), std::string::npos) << msg;
      EXPECT_NE(msg.find("GET on h:1"), std::string::npos) << msg;
    }
  }
}

}  // namespace
