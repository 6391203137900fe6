// Redis Sentinel (redis+sentinel://): cached functions through a master that
// sentinels monitor, following it through a forced failover and through the
// death of the master under load, and the errors that name what went wrong.
// Real processes on loopback (tests/support/redis_sentinel.hpp); URL parsing
// is in tests/unit/sentinel_url_test.cpp.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "access.hpp"
#include "client/sentinel.hpp"
#include "key_layout.hpp"
#include "support/redis_sentinel.hpp"
#include "support/redis_server.hpp"
#include "support/sync.hpp"
#include "topology_support.hpp"

namespace rc = redis_cache;
namespace rd = redis_cache::detail;
using namespace std::chrono_literals;

namespace {

/// The message of the rc::Error that f throws ("(no error)" if none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const rc::ConnectionError& e) {
    return e.what();
  } catch (const rc::Error& e) {
    return std::string("(not a ConnectionError) ") + e.what();
  }
  return "(no error)";
}

// -- cached functions through Sentinel ------------------------------------------

TEST(SentinelCache, CachedFunctionsWorkThroughTheMaster) {
  rc_test::RedisSentinels group({.replicas = 1, .sentinels = 1});
  rc::RedisCache cache{{.url = group.url()}};
  auto f = cache.cache<&triple>({.ns = "sentinel.triple"});
  auto g = cache.cache<&negate>({.limit = 2, .ns = "sentinel.negate"});
  g_calls = 0;
  EXPECT_EQ(f(2), 6);  // miss
  EXPECT_EQ(f(2), 6);  // hit
  EXPECT_EQ(g_calls, 1);
  EXPECT_EQ(f.stats().hits, 1u);
  EXPECT_EQ(sentinel_client(cache).known_master(),
            "127.0.0.1:" + std::to_string(group.node(0).port()));
  EXPECT_EQ(group.node(0).cli({"EXISTS", f.key(2)}), "1");  // written to the master
  f.invalidate(2);
  EXPECT_EQ(group.node(0).cli({"EXISTS", f.key(2)}), "0");
  EXPECT_EQ(f(2), 6);
  EXPECT_EQ(g_calls, 2);
  // mget across functions, and the FIFO script of a limited function (EVALSHA).
  auto [a, b] = cache.mget(rc::call(f, 5), rc::call(g, 5));
  EXPECT_EQ(a, 15);
  EXPECT_EQ(b, -5);
  EXPECT_EQ(g.mget({{1}, {2}, {3}}), (std::vector<int>{-1, -2, -3}));
  EXPECT_EQ(group.node(0).cli({"ZCARD", rd::keys::index_key(rd::Access::state(g).ns_prefix)}),
            "2");  // limit 2: the oldest were evicted
  EXPECT_EQ(f.invalidate_all(), 2u);
  // Stampede lock: taken and released on the master.
  auto locked = cache.cache<&triple>({.ns = "sentinel.locked", .lock_timeout = 5s});
  EXPECT_EQ(locked(7), 21);
  EXPECT_EQ(locked(7), 21);
  EXPECT_EQ(locked.stats().hits, 1u);
  const auto lock = rd::keys::lock_key(rd::Access::state(locked).ns_prefix, locked.key(7));
  EXPECT_EQ(group.node(0).cli({"EXISTS", lock}), "0");
  // Nothing was written to the replica by us (it only replicates).
  EXPECT_EQ(group.role(1), "slave");
}

TEST(SentinelCache, SentinelsWithTheirOwnPassword) {
  rc_test::RedisSentinels group({.replicas = 0,
                                 .sentinels = 1,
                                 .data_password = "data-s3cr",
                                 .sentinel_password = "sent-s3cr"});
  // The userinfo is the master's password; the sentinels get only theirs (if
  // the data password reached a sentinel, its AUTH would fail).
  rc::RedisCache cache{{.url = group.url("?sentinel_password=sent-s3cr")}};
  auto f = cache.cache<&triple>({.ns = "sentinel.auth"});
  EXPECT_EQ(f(3), 9);
  EXPECT_EQ(f(3), 9);
  EXPECT_EQ(f.stats().hits, 1u);

  for (const std::string tail : {"?sentinel_password=wrong-s3cr", ""}) {
    rc::RedisCache bad{{.url = group.url(tail)}};
    auto h = bad.cache<&triple>({.ns = "sentinel.auth"});
    const std::string msg = error_of([&] { h(3); });
    EXPECT_NE(msg.find("sentinel authentication failed"), std::string::npos) << msg;
    EXPECT_NE(msg.find("sentinel_password"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("s3cr"), std::string::npos) << msg;  // no password, from anywhere
  }
}

TEST(SentinelCache, UnknownMasterNameIsNamedAndFallsBack) {
  rc_test::RedisSentinels group({.replicas = 0, .sentinels = 1});
  std::string url = group.url();
  url = url.substr(0, url.rfind('/')) + "/nosuchmaster";
  {
    rc::RedisCache cache{{.url = url}};
    auto f = cache.cache<&triple>({.ns = "sentinel.unknown"});
    const std::string msg = error_of([&] { f(1); });
    EXPECT_NE(msg.find("unknown master name 'nosuchmaster'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("127.0.0.1:" + std::to_string(group.sentinel(0).port())), std::string::npos)
        << msg;
  }
  std::atomic<int> handled{0};
  rc::RedisCache cache{
      {.url = url, .exception_handler = [&](const rc::Error&, std::string_view) { ++handled; }}};
  auto f = cache.cache<&triple>({.ns = "sentinel.unknown"});
  EXPECT_EQ(f(4), 12);  // the function's own result
  EXPECT_GE(handled, 1);
}

TEST(SentinelCache, AdvertisedReplicaIsRefused) {
  rc_test::RedisSentinels group({.replicas = 1, .sentinels = 1});
  // A second name the sentinel monitors at the replica's address.
  group.ask_sentinel(
      0, {"SENTINEL", "MONITOR", "wrong", "127.0.0.1", std::to_string(group.node(1).port()), "1"});
  std::string url = group.url();
  url = url.substr(0, url.rfind('/')) + "/wrong";
  rc::RedisCache cache{{.url = url}};
  auto f = cache.cache<&triple>({.ns = "sentinel.replica"});
  const std::string msg = error_of([&] { f(1); });
  EXPECT_NE(msg.find("replica (ROLE slave)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("127.0.0.1:" + std::to_string(group.node(1).port())), std::string::npos)
      << msg;
  EXPECT_EQ(group.node(1).cli({"DBSIZE"}), "0");
}

TEST(SentinelCache, NoSentinelReachableListsTheAddressesTried) {
  rc_test::RedisServer a, b;  // two loopback ports, then nothing listens there
  a.stop();
  b.stop();
  const std::string ea = "127.0.0.1:" + std::to_string(a.port()),
                    eb = "127.0.0.1:" + std::to_string(b.port());
  rc::RedisCache cache{
      {.url = "redis+sentinel://app:s3cr@" + ea + "," + eb + "/mymaster?sentinel_password=s3cr2"}};
  auto f = cache.cache<&triple>({.ns = "sentinel.down"});
  const std::string msg = error_of([&] { f(1); });
  EXPECT_NE(msg.find("no sentinel reachable"), std::string::npos) << msg;
  EXPECT_NE(msg.find(ea), std::string::npos) << msg;
  EXPECT_NE(msg.find(eb), std::string::npos) << msg;
  EXPECT_NE(msg.find("'mymaster'"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("s3cr"), std::string::npos) << msg;
  // Within the backoff the next call fails at once with the same cause.
  const std::string again = error_of([&] { f(1); });
  EXPECT_NE(again.find("no sentinel reachable"), std::string::npos) << again;
}

// -- failover under load ---------------------------------------------------------

/// Four threads calling f with a fallback handler until stopped; every result
/// is checked.
class Load {
 public:
  template <class F>
  explicit Load(F& f) {
    for (int t = 0; t < 4; ++t) {
      threads_.emplace_back([this, &f, t] {
        for (int i = 0; !stop_.load(); ++i) {
          const int x = (t * 1000 + i) % 64;
          if (f(x) != 3 * x) ++wrong_;
          ++calls_;
        }
      });
    }
  }
  ~Load() { stop(); }
  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  int wrong() const { return wrong_.load(); }
  long calls() const { return calls_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> wrong_{0};
  std::atomic<long> calls_{0};
  std::vector<std::thread> threads_;
};

rc::Options load_options(const std::string& url, std::atomic<int>& handled) {
  return {.url = url,
          .connect_timeout = 500ms,
          .command_timeout = 500ms,
          .exception_handler = [&](const rc::Error&, std::string_view) { ++handled; }};
}

TEST(Sentinel, ForcedFailoverSwitchesAtOnceUnderLoad) {
  rc_test::RedisSentinels group({.replicas = 1, .sentinels = 3});
  std::atomic<int> handled{0};
  rc::RedisCache cache{load_options(group.url(), handled)};
  auto f = cache.cache<&triple>({.ns = "sentinel.forced"});
  auto& client = sentinel_client(cache);
  const int old_port = group.node(0).port();
  EXPECT_EQ(f(1), 3);
  EXPECT_EQ(port_of(client.known_master()), std::to_string(old_port));
  ASSERT_TRUE(rc_test::eventually([&] { return client.subscriptions() == 1; }));
  // A lost subscription is made again (on the same or another sentinel).
  for (std::size_t i = 0; i < group.sentinels(); ++i)
    group.ask_sentinel(i, {"CLIENT", "KILL", "TYPE", "pubsub"});
  ASSERT_TRUE(rc_test::eventually([&] { return client.subscriptions() >= 2; }));
  Load load(f);
  ASSERT_TRUE(rc_test::eventually([&] { return load.calls() > 100; }));
  const int new_port = group.failover();
  ASSERT_NE(new_port, old_port);
  // The old master stays a writable master for a while after SENTINEL
  // FAILOVER: only +switch-master can move the client there this early.
  EXPECT_TRUE(rc_test::eventually(
      [&] { return port_of(client.known_master()) == std::to_string(new_port); }));
  EXPECT_GE(client.notified_switches(), 1u);
  const long before = load.calls();
  ASSERT_TRUE(rc_test::eventually([&] { return load.calls() > before + 100; }));
  load.stop();
  EXPECT_EQ(load.wrong(), 0);
  expect_writes_reach(group, f, new_port);
}

TEST(Sentinel, KilledMasterIsReplacedWithoutRestartUnderLoad) {
  rc_test::RedisSentinels group({.replicas = 1, .sentinels = 3});
  std::atomic<int> handled{0};
  rc::RedisCache cache{load_options(group.url(), handled)};
  auto f = cache.cache<&triple>({.ns = "sentinel.killed"});
  auto& client = sentinel_client(cache);
  const int old_port = group.node(0).port();
  EXPECT_EQ(f(1), 3);
  Load load(f);
  ASSERT_TRUE(rc_test::eventually([&] { return load.calls() > 100; }));
  const auto killed_at = std::chrono::steady_clock::now();
  const auto resolutions_before = client.resolutions();
  group.node(0).kill();  // SIGKILL
  const int new_port = group.wait_agreed(old_port);
  EXPECT_TRUE(rc_test::eventually(
      [&] { return port_of(client.known_master()) == std::to_string(new_port); }));
  // For the record (never asserted): how long calls fell back, and how few
  // resolutions the four threads' failures caused.
  std::printf(
      "[ measured ] master killed -> client on the new master: %lld ms; %d calls fell "
      "back; %llu resolutions\n",
      static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - killed_at)
                                 .count()),
      handled.load(), static_cast<unsigned long long>(client.resolutions() - resolutions_before));
  // Coalesced, and spaced by the backoff: far fewer resolutions than failed calls.
  EXPECT_LT((client.resolutions() - resolutions_before) * 10, static_cast<unsigned>(handled));
  const long before = load.calls();
  ASSERT_TRUE(rc_test::eventually([&] { return load.calls() > before + 100; }));
  load.stop();
  EXPECT_EQ(load.wrong(), 0);  // every call right: from Redis or, in the window, the fallback
  EXPECT_GE(handled, 1);       // the window was seen (connection refused by the dead master)
  expect_writes_reach(group, f, new_port);
}

}  // namespace
