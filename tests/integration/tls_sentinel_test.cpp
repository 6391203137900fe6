// Redis Sentinel over TLS (rediss+sentinel://): a master, a replica and three
// sentinels that speak only TLS (--tls-port, --port 0, --tls-replication), with
// certificates made at test time. The client asks the sentinels over TLS,
// reaches the master they name over TLS, hears +switch-master on a TLS
// subscription, and follows a forced failover. URL parsing is in
// tests/unit/sentinel_url_test.cpp.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>

#include "access.hpp"
#include "client/sentinel.hpp"
#include "support/redis_sentinel.hpp"
#include "support/redis_server.hpp"
#include "support/sync.hpp"
#include "support/tls_certs.hpp"
#include "topology_support.hpp"

namespace rc = redis_cache;
namespace rd = redis_cache::detail;
using namespace std::chrono_literals;

namespace {

TEST(TlsSentinel, ResolvesOverTlsAndFollowsAForcedFailover) {
  const rc_test::TlsCerts certs;
  rc_test::RedisSentinels group(
      {.replicas = 1,
       .sentinels = 3,
       .tls = {certs.path("server.crt"), certs.path("server.key"), certs.path("ca.crt"), false}});
  const std::string ca = "?tls_ca=" + certs.path("ca.crt");

  // Without the test CA, the sentinels' certificates are not trusted: the
  // error says so for each sentinel tried.
  {
    rc::RedisCache untrusted{{.url = group.url(), .connect_timeout = 2000ms}};
    try {
      (void)sentinel_client(untrusted).master();
      ADD_FAILURE() << "resolved through sentinels whose CA is not trusted";
    } catch (const rc::ConnectionError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("unknown CA"), std::string::npos) << msg;
      EXPECT_NE(msg.find("127.0.0.1:" + std::to_string(group.sentinel(2).port())),
                std::string::npos)
          << msg;
    }
  }

  std::atomic<int> handled{0};
  rc::RedisCache cache{
      {.url = group.url(ca),
       .connect_timeout = 2000ms,
       .command_timeout = 2000ms,
       .exception_handler = [&](const rc::Error&, std::string_view) { ++handled; }}};
  auto f = cache.cache<&triple>({.ns = "tls.sentinel"});
  auto& client = sentinel_client(cache);
  EXPECT_EQ(client.describe().rfind("rediss+sentinel://", 0), 0u) << client.describe();
  EXPECT_EQ(f(2), 6);  // miss
  EXPECT_EQ(f(2), 6);  // hit
  EXPECT_EQ(g_calls, 1);
  EXPECT_EQ(f.stats().hits, 1u);
  const int old_port = group.node(0).port();
  EXPECT_EQ(client.known_master(), "127.0.0.1:" + std::to_string(old_port));
  EXPECT_EQ(group.node(0).cli({"EXISTS", f.key(2)}), "1");  // stored on the master
  // The listener subscribes to +switch-master on a sentinel, over TLS.
  ASSERT_TRUE(rc_test::eventually([&] { return client.listening(); }));

  const int new_port = group.failover();
  ASSERT_NE(new_port, old_port);
  // Only +switch-master moves the client this early (the old master stays
  // writable for a while after SENTINEL FAILOVER).
  EXPECT_TRUE(rc_test::eventually(
      [&] { return port_of(client.known_master()) == std::to_string(new_port); }));
  EXPECT_GE(client.notified_switches(), 1u);
  // Values now reach the new master (polled: the first tries may still meet
  // the failover's window, and fall back through the handler).
  expect_writes_reach(group, f, new_port);
}

}  // namespace
