// Redis Cluster: routing and cached functions on a real local cluster of three
// masters that does not change under them: slot map, routing by key, seeds that
// are no cluster or do not answer, redirect replies that are wrong or loop,
// hits, TTL, invalidate_all on the owning node, mget across nodes, stampede
// protection, connections dropped by every node. Resharding and failover
// during use are in cluster_topology_test.cpp; what needs no server (slot
// hashing, URL and redirect parsing) is in tests/unit/cluster_offline_test.cpp.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "access.hpp"
#include "client/client.hpp"
#include "client/cluster.hpp"
#include "cluster_fixture.hpp"
#include "key_layout.hpp"
#include "support/redis_server.hpp"
#include "support/sync.hpp"

namespace rc = redis_cache;
namespace rd = redis_cache::detail;
using namespace std::chrono_literals;

namespace {

rc_test::Gate g_gate;
int gated_double(int x) {
  ++g_calls;
  g_gate.pass();
  return 2 * x;
}

TEST_F(Cluster, SlotMapMatchesTheServers) {
  auto client = rd::make_client(opts());
  auto& cc = dynamic_cast<rd::ClusterClient&>(*client);
  const auto map = cc.slot_map();
  EXPECT_EQ(map->nodes.size(), 3u);
  for (const unsigned slot : {0u, 5460u, 5461u, 10922u, 10923u, 16383u, 777u}) {
    EXPECT_EQ(cluster.index_of_port(map->node_for(slot)->config().port), cluster.owner(slot))
        << "slot " << slot;
  }
  // Our hashing agrees with the server's.
  for (const std::string key : {"a", "{rc:x}:keys", "{}", "{{}}", "x{y}z", "\xff\xfe"}) {
    EXPECT_EQ(std::to_string(rd::key_slot(key)), cluster.cli({"CLUSTER", "KEYSLOT", key})) << key;
  }
}

TEST_F(Cluster, CommandsRouteByKey) {
  auto client = rd::make_client(opts());
  for (int i = 0; i < 30; ++i) {
    const std::string key = "k" + std::to_string(i), value = "v" + std::to_string(i);
    const std::array<std::string_view, 3> set{"SET", key, value};
    (void)client->command(key, set);
  }
  for (int i = 0; i < 30; ++i) {
    const std::string key = "k" + std::to_string(i);
    const std::array<std::string_view, 2> get{"GET", key};
    EXPECT_EQ(client->command(key, get).str(), "v" + std::to_string(i));
  }
  EXPECT_EQ(cluster.dbsize(), 30);
}

TEST(ClusterSeeds, StandaloneServerIsRefused) {
  rc_test::RedisServer plain;
  rc::RedisCache cache{{.url = "redis+cluster://127.0.0.1:" + std::to_string(plain.port())}};
  auto f = cache.cache<&triple>({.ns = "plain"});
  try {
    f(1);
    ADD_FAILURE() << "no error";
  } catch (const rc::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("not a cluster node"), std::string::npos) << e.what();
  }
}

// Concurrent callers share one failing refresh (and failures are rate limited)
// instead of each redoing it in turn: one attempt serves them all. How long the
// slowest caller took is printed, not asserted.
TEST(ClusterSeeds, StalledSeedFailsConcurrentCallersOnce) {
  rc_test::RedisServer stalled;
  stalled.pause();  // accepts connections (backlog), answers nothing
  constexpr auto timeout = 300ms;
  std::atomic<int> handled{0};
  rc::RedisCache cache{
      {.url = "redis+cluster://127.0.0.1:" + std::to_string(stalled.port()),
       .connect_timeout = timeout,
       .command_timeout = timeout,
       .exception_handler = [&](const rc::Error&, std::string_view) { ++handled; }}};
  auto f = cache.cache<&triple>({.ns = "stalled"});
  constexpr int kThreads = 4;
  std::vector<std::chrono::milliseconds> took(kThreads);
  std::vector<int> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const auto start = std::chrono::steady_clock::now();
      got[t] = f(t);
      took[t] = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
    });
  }
  for (auto& t : threads) t.join();
  stalled.resume();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(got[t], 3 * t);
  EXPECT_GE(handled, kThreads);  // every call fell back through the handler
  std::printf("[ diagnostic ] slowest caller fell back after %lld ms (timeout %lld ms)\n",
              static_cast<long long>(std::max_element(took.begin(), took.end())->count()),
              static_cast<long long>(timeout.count()));
  // One attempt served all four, and a call right after fails fast on its error.
  auto& cc = cluster_client(rc::detail::Access::state(f));
  EXPECT_EQ(cc.refresh_attempts(), 1u);
  stalled.pause();
  EXPECT_EQ(f(10), 30);
  EXPECT_EQ(cc.refresh_attempts(), 1u);
  stalled.resume();
}

TEST_F(Cluster, BareMovedReplyIsAProtocolError) {
  auto client = rd::make_client(opts());
  for (const std::string_view script : {"return {err='MOVED'}", "return {err='ASK'}"}) {
    const std::array<std::string_view, 3> eval{"EVAL", script, "0"};  // replies a bare -MOVED
    EXPECT_THROW((void)client->command("k", eval), rc::ProtocolError) << script;
    const std::vector<std::vector<std::string_view>> cmds{{eval.begin(), eval.end()}};
    const std::array<std::string_view, 1> keys{"k"};
    EXPECT_THROW((void)client->pipeline_routed(keys, cmds), rc::ProtocolError) << script;
  }
}

TEST_F(Cluster, HitMissTtlAndInvalidate) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&triple>({.ttl = 60s, .ns = "hit"});
  EXPECT_EQ(f(1), 3);
  EXPECT_EQ(f(1), 3);
  EXPECT_EQ(f(2), 6);
  EXPECT_EQ(g_calls, 2);
  EXPECT_EQ(f.stats().hits, 1u);
  const long long ttl = std::stoll(cluster.cli({"TTL", f.key(1)}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 60);
  EXPECT_TRUE(f.invalidate(1));
  EXPECT_FALSE(f.invalidate(1));
  EXPECT_EQ(cluster.cli({"EXISTS", f.key(1)}), "0");
  EXPECT_EQ(f(1), 3);
  EXPECT_EQ(g_calls, 3);
}

TEST_F(Cluster, InvalidateAllScansTheOwningNode) {
  rc::RedisCache cache{opts()};
  const std::string ns_a = ns_on(0, "ia"), ns_b = ns_on(1, "ib");
  auto a = cache.cache<&triple>({.limit = 100, .ns = ns_a});
  auto b = cache.cache<&triple>({.ns = ns_b});
  for (int i = 0; i < 40; ++i) {
    a(i);
    b(i);
  }
  EXPECT_EQ(cluster.owner(rd::key_slot(a.key(0))), 0u);
  EXPECT_EQ(cluster.owner(rd::key_slot(b.key(0))), 1u);
  EXPECT_EQ(a.invalidate_all(), 40u);  // the values (and the FIFO index, uncounted)
  EXPECT_EQ(cluster.cli({"EXISTS", a.key(3)}), "0");
  EXPECT_EQ(cluster.cli({"EXISTS", rc::detail::Access::state(a).index_key}), "0");
  EXPECT_EQ(cluster.cli({"EXISTS", b.key(3)}), "1");
  EXPECT_EQ(b.invalidate_all(), 40u);
  EXPECT_EQ(cluster.dbsize(), 0);
}

TEST_F(Cluster, MgetAcrossFunctionsOnDifferentNodes) {
  rc::RedisCache cache{opts()};
  auto f0 = cache.cache<&triple>({.ns = ns_on(0, "m")});
  auto f1 = cache.cache<&negate>({.ttl = 60s, .limit = 5, .ns = ns_on(1, "m")});
  auto f2 = cache.cache<&twice>({.ns = ns_on(2, "m")});
  std::set<std::size_t> nodes{cluster.owner(rd::key_slot(f0.key(1))),
                              cluster.owner(rd::key_slot(f1.key(1))),
                              cluster.owner(rd::key_slot(f2.key("x")))};
  EXPECT_EQ(nodes.size(), 3u);
  f1(2);  // one hit among misses
  g_calls = 0;
  auto [a, b, c, d] =
      cache.mget(rc::call(f0, 1), rc::call(f1, 2), rc::call(f2, "x"), rc::call(f0, 7));
  EXPECT_EQ(a, 3);
  EXPECT_EQ(b, -2);
  EXPECT_EQ(c, "xx");
  EXPECT_EQ(d, 21);
  EXPECT_EQ(g_calls, 3);
  g_calls = 0;
  auto [d2, c2, b2, a2] =
      cache.mget(rc::call(f0, 7), rc::call(f2, "x"), rc::call(f1, 2), rc::call(f0, 1));
  EXPECT_EQ(std::tie(a2, b2, c2, d2), std::tie(a, b, c, d));
  EXPECT_EQ(g_calls, 0);
  EXPECT_EQ(cluster.cli({"ZCARD", rc::detail::Access::state(f1).index_key}), "1");
  for (const auto& k : {f0.key(1), f0.key(7), f1.key(2), f2.key("x")}) {
    EXPECT_EQ(cluster.cli({"EXISTS", k}), "1") << k;
  }
}

// Pooled connections that every master closed while idle: the mget pipeline
// finds out only when it reads (the write still succeeds), and sends again on a
// fresh connection there, without failing and without refreshing the map.
TEST_F(Cluster, MgetAfterEveryNodeDroppedItsConnections) {
  rc::RedisCache cache{opts()};
  auto f0 = cache.cache<&triple>({.ns = ns_on(0, "drop")});
  auto f1 = cache.cache<&negate>({.ns = ns_on(1, "drop")});
  auto f2 = cache.cache<&twice>({.ns = ns_on(2, "drop")});
  (void)cache.mget(rc::call(f0, 1), rc::call(f1, 1), rc::call(f2, "x"));
  const auto refreshes = cluster_client(rc::detail::Access::state(f0)).refresh_attempts();
  for (std::size_t m = 0; m < 3; ++m) cluster.node(m).cli({"CLIENT", "KILL", "TYPE", "normal"});
  g_calls = 0;
  auto [a, b, c] = cache.mget(rc::call(f0, 1), rc::call(f1, 1), rc::call(f2, "x"));
  EXPECT_EQ(a, 3);
  EXPECT_EQ(b, -1);
  EXPECT_EQ(c, "xx");
  EXPECT_EQ(g_calls, 0);
  EXPECT_EQ(cluster_client(rc::detail::Access::state(f0)).refresh_attempts(), refreshes);
}

// Two masters that each say the other serves a slot send a client back and
// forth for ever. It gives up after 5 redirections with a MovedError that names
// the slot, on the one-command path and on the pipeline path alike.
TEST_F(Cluster, RedirectLoopEndsInAMovedErrorNamingTheSlot) {
  auto client = rd::make_client(opts());
  const std::string key = "pingpong";  // its slot holds no key: SETSLOT NODE is allowed
  const unsigned slot = rd::key_slot(key);
  const std::size_t owner = cluster.owner(slot), other = other_master(owner);
  const std::array<std::string_view, 2> get{"GET", key};
  const std::vector<std::vector<std::string_view>> cmds{{get.begin(), get.end()}};
  const std::array<std::string_view, 1> keys{key};
  EXPECT_EQ(client->command(key, get).type(), rd::ReplyType::nil);  // map known, route right

  cluster.tell_slot_owner(owner, slot, other);  // owner: "MOVED other"; other: "MOVED owner"
  const auto moved_error = [&](const auto& call) {
    try {
      call();
    } catch (const rc::MovedError& e) {
      return std::string(e.what());
    }
    return std::string("(no MovedError)");
  };
  for (const std::string& msg : {moved_error([&] { (void)client->command(key, get); }),
                                 moved_error([&] { (void)client->pipeline_routed(keys, cmds); })}) {
    EXPECT_NE(msg.find("(slot " + std::to_string(slot) + ")"), std::string::npos) << msg;
    EXPECT_NE(msg.find("after 5 "), std::string::npos) << msg;
    EXPECT_NE(msg.find("disagree on the slot map"), std::string::npos) << msg;
  }

  cluster.tell_slot_owner(owner, slot, owner);  // agreement again
  cluster.wait_ok();
  const std::array<std::string_view, 3> set{"SET", key, "back"};
  EXPECT_EQ(client->command(key, set).str(), "OK");
  EXPECT_EQ(client->pipeline_routed(keys, cmds).front().str(), "back");
  EXPECT_EQ(cluster.cli({"GET", key}), "back");
}

// Stampede protection works on a cluster as on one server: two caches stand
// for two processes of four threads each; one thread of one process computes,
// its siblings wait for it (single flight), the other process waits on the
// lock, whose key shares the function's hash tag (so it lives on the node of
// the values). The computation is held until the seven others are seen waiting
// (six coalesced, one on the lock), so the lock bound is long.
TEST_F(Cluster, ConcurrentMissesComputeOnce) {
  rc::RedisCache p1{opts()}, p2{opts()};
  auto f1 = p1.cache<&gated_double>({.ns = "locked", .lock_timeout = 60s});
  auto f2 = p2.cache<&gated_double>({.ns = "locked", .lock_timeout = 60s});
  std::atomic<int> wrong{0};
  g_gate.close();
  rc_test::Threads threads(8, [&](int i) {
    if ((i % 2 == 0 ? f1(5) : f2(5)) != 10) ++wrong;
  });
  EXPECT_TRUE(rc_test::eventually([&] {
    const auto s1 = f1.stats(), s2 = f2.stats();
    return g_calls == 1 && s1.coalesced + s2.coalesced == 6 && s1.lock_waits + s2.lock_waits == 1;
  })) << "the callers never all arrived";
  g_gate.open();
  threads.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(g_calls, 1);
  const auto s1 = f1.stats(), s2 = f2.stats();
  EXPECT_EQ(s1.fills + s2.fills, 1u);
  EXPECT_EQ(s1.lock_waits + s2.lock_waits, 1u);
  EXPECT_EQ(s1.coalesced + s1.hits + s2.coalesced + s2.hits, 7u);
  const std::string k = f1.key(5);
  const std::string lock = rc::detail::keys::lock_key(rc::detail::Access::state(f1).ns_prefix, k);
  EXPECT_EQ(rd::key_slot(lock), rd::key_slot(k));
  EXPECT_EQ(cluster.cli({"EXISTS", lock}), "0");  // released by its holder
  EXPECT_EQ(cluster.cli({"EXISTS", k}), "1");
}

}  // namespace
