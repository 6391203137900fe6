// Redis Cluster: routing and cached functions on a real local cluster (three
// masters; three more replicas for the failover case), including resharding
// during use (ASK, MOVED) and failover. What needs no server (slot hashing, URL
// and redirect parsing) is in tests/unit/cluster_offline_test.cpp.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "access.hpp"
#include "client/client.hpp"
#include "client/cluster.hpp"
#include "client/url.hpp"
#include "key_layout.hpp"
#include "support/redis_cluster.hpp"
#include "support/redis_server.hpp"
#include "support/sync.hpp"

namespace rc = redis_cache;
namespace rd = redis_cache::detail;
using namespace std::chrono_literals;

namespace {

std::atomic<int> g_calls{0};
int triple(int x) {
  return ++g_calls, 3 * x;
}
int negate(int x) {
  return ++g_calls, -x;
}
std::string twice(std::string s) {
  return ++g_calls, s + s;
}
rc_test::Gate g_gate;
int gated_double(int x) {
  ++g_calls;
  g_gate.pass();
  return 2 * x;
}

// -- against a real cluster ----------------------------------------------------

rd::ClusterClient& cluster_client(const rd::FunctionState& st) {
  return dynamic_cast<rd::ClusterClient&>(st.core->client());
}

unsigned slot_of_ns(const std::string& ns) {
  return rd::key_slot(rd::keys::ns_prefix("rc", ns, true));
}

class Cluster : public ::testing::Test {
 protected:
  void SetUp() override { g_calls = 0; }
  rc::Options opts(rc::Options o = {}) {
    o.url = cluster.url();
    return o;
  }
  /// A namespace "<base><n>" whose slot the given node serves.
  std::string ns_on(std::size_t node, const std::string& base) {
    for (int i = 0;; ++i) {
      const std::string ns = base + std::to_string(i);
      if (cluster.owner(slot_of_ns(ns)) == node) return ns;
    }
  }
  /// Some other master than `node`.
  std::size_t other_master(std::size_t node) {
    for (const auto m : cluster.masters()) {
      if (m != node) return m;
    }
    throw std::runtime_error("no other master");
  }
  /// Calls call(k) again and again on another thread (k below `keys`: entries
  /// stored before and new ones; call says whether its results were right)
  /// while `slot` migrates to node `to` step by step: ASK while its keys move,
  /// then MOVED from the old owner. Every step waits for some calls to be made
  /// in it. Every call must succeed.
  void use_while_migrating(unsigned slot, std::size_t to, int keys,
                           const std::function<bool(int)>& call) {
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0}, calls{0};
    std::string first_failure;
    std::thread user([&] {
      for (int round = 0; !stop.load(); ++round) {
        for (int i = 0; i < keys; i += 7) {
          try {
            if (!call(i + round % 3)) ++failures;
          } catch (const std::exception& e) {
            if (failures++ == 0) first_failure = e.what();
          }
          ++calls;
        }
      }
    });
    const auto calls_made = [&](int n) {
      const int from = calls;
      EXPECT_TRUE(rc_test::eventually([&] { return calls >= from + n; }))
          << "the user thread made no progress";
    };
    cluster.begin_migration(slot, to);  // now: ASK for keys already moved or new
    for (int batch = 0; batch < 8; ++batch) {
      cluster.migrate_keys(slot, to, 30);
      calls_made(5);
    }
    cluster.migrate_keys(slot, to);
    cluster.finish_migration(slot, to);  // now: MOVED from the old owner
    calls_made(20);
    stop = true;
    user.join();
    EXPECT_EQ(failures, 0) << first_failure;
    EXPECT_GT(calls, 50);
    EXPECT_EQ(cluster.owner(slot), to);
  }

  rc_test::RedisCluster cluster;
};

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

TEST_F(Cluster, SlotMigratesDuringUse) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&triple>({.ttl = 300s, .ns = "moving"});
  const unsigned slot = slot_of_ns("moving");
  const std::size_t from = cluster.owner(slot), to = other_master(from);
  for (int i = 0; i < 200; ++i) f(i);
  EXPECT_EQ(g_calls, 200);

  use_while_migrating(slot, to, 260, [&](int k) { return f(k) == 3 * k; });  // hits and new
  EXPECT_EQ(cluster.index_of_port(std::stoi(cluster_client(rc::detail::Access::state(f))
                                                .node_of(slot)
                                                .substr(std::string("127.0.0.1:").size()))),
            to);
  // The entries moved with the slot: still hits.
  g_calls = 0;
  for (int i = 0; i < 200; i += 13) EXPECT_EQ(f(i), 3 * i);
  EXPECT_EQ(g_calls, 0);
}

TEST_F(Cluster, FifoFunctionFollowsAMovedSlot) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&triple>({.limit = 3, .ns = "fifomove"});
  const unsigned slot = slot_of_ns("fifomove");
  f(1);
  f(2);
  const std::size_t to = other_master(cluster.owner(slot));
  cluster.move_slot(slot, to);  // the client still thinks the old owner has it
  const auto before = cluster_client(rc::detail::Access::state(f)).refresh_count();
  f(3);
  f(4);  // evicts 1: the script ran on the new owner with the moved index
  EXPECT_EQ(cluster.cli({"EXISTS", f.key(1)}), "0");
  EXPECT_EQ(cluster.cli({"ZCARD", rc::detail::Access::state(f).index_key}), "3");
  EXPECT_EQ(f.invalidate_all(), 3u);  // SCAN on the new owner: 3 values (+ index, schema)
  EXPECT_EQ(cluster.dbsize(), 0);
  EXPECT_LE(cluster_client(rc::detail::Access::state(f)).refresh_count(), before + 2);
}

// invalidate_all SCANs the node that owns the slot. Right after a resharding the
// client's map still names the old owner, which holds none of the keys: it
// must learn the new owner first instead of reporting nothing to delete.
TEST_F(Cluster, InvalidateAllRightAfterTheSlotMoved) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&triple>({.ns = "movedaway"});
  for (int i = 0; i < 20; ++i) f(i);
  const unsigned slot = slot_of_ns("movedaway");
  cluster.move_slot(slot, other_master(cluster.owner(slot)));  // the client did not see it
  EXPECT_EQ(f.invalidate_all(), 20u);
  EXPECT_EQ(cluster.dbsize(), 0);
}

TEST_F(Cluster, ManyThreadsOnAMovedSlotShareOneRefresh) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&triple>({.ns = "storm"});
  const unsigned slot = slot_of_ns("storm");
  for (int i = 0; i < 8; ++i) f(i);
  auto& cc = cluster_client(rc::detail::Access::state(f));
  cluster.move_slot(slot, other_master(cluster.owner(slot)));
  const auto before = cc.refresh_count();
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 20; ++k) {
        if (f(t) != 3 * t) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong, 0);
  // The MOVED replies asked the background thread for a refresh; wait for it.
  EXPECT_TRUE(rc_test::eventually([&] { return cc.refresh_count() >= before + 1; }));
  // Every thread saw MOVED; refreshes are coalesced, not one per redirect.
  EXPECT_GE(cc.refresh_count(), before + 1);
  EXPECT_LT(cc.refresh_count(), before + 8);
}

// mget through a slot migration: the pipeline that reads (MGET) and the one
// that stores misses follow ASK (ASKING + command on the importing node, in the
// same batch as commands for that node that need no ASKING) and then MOVED,
// while the other function's node is read in the same round.
TEST_F(Cluster, MgetFollowsASlotMigratingUnderIt) {
  rc::RedisCache cache{opts()};
  auto moving = cache.cache<&triple>({.ttl = 300s, .ns = "mgetmoving"});
  const unsigned slot = slot_of_ns("mgetmoving");
  const std::size_t from = cluster.owner(slot), to = other_master(from);
  auto there = cache.cache<&negate>({.ns = ns_on(to, "mgetthere")});
  auto third = cache.cache<&twice>({.ns = ns_on(3 - from - to, "mgetthird")});
  for (int i = 0; i < 150; ++i) moving(i);

  use_while_migrating(slot, to, 200, [&](int k) {  // hits (k < 150) and new entries
    auto [a, b, c] =
        cache.mget(rc::call(moving, k), rc::call(there, k), rc::call(third, std::to_string(k)));
    return a == 3 * k && b == -k && c == std::to_string(k) + std::to_string(k);
  });
  g_calls = 0;
  auto [a, b] = cache.mget(rc::call(moving, 7), rc::call(there, 7));
  EXPECT_EQ(a, 21);
  EXPECT_EQ(b, -7);
  EXPECT_EQ(g_calls, 0);  // both were stored in the first round
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

class ClusterWithReplicas : public ::testing::Test {
 protected:
  void SetUp() override { g_calls = 0; }
  // The replica must hold every write before a failover or a kill. WAIT from
  // redis-cli proves nothing: it waits for that connection's own writes, and a
  // fresh one has none (it answered "1" at once while the replica still lacked
  // the library's writes). Compare replication offsets instead.
  static long long offset(const std::string& info, std::string_view field) {
    const auto at = info.find(field);
    if (at == std::string::npos) return -1;
    return std::stoll(info.substr(at + field.size() + 1));
  }
  bool replicated(std::size_t master) {
    const std::size_t replica = cluster.replica_of(master);
    const long long want =
        offset(cluster.node(master).cli({"INFO", "replication"}), "master_repl_offset");
    for (int i = 0; i < 200; ++i) {
      const auto info = cluster.node(replica).cli({"INFO", "replication"});
      if (info.find("master_link_status:up") != std::string::npos &&
          offset(info, "slave_repl_offset") >= want)
        return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  rc_test::RedisCluster cluster{3, 1};
};

TEST_F(ClusterWithReplicas, ManualFailoverIsFollowed) {
  rc::RedisCache cache{{.url = cluster.url()}};
  auto f = cache.cache<&triple>({.limit = 50, .ns = "fo"});
  for (int i = 0; i < 20; ++i) f(i);
  const unsigned slot = slot_of_ns("fo");
  const std::size_t master = cluster.owner(slot), replica = cluster.replica_of(master);
  ASSERT_TRUE(replicated(master)) << "the replica never acknowledged the writes";
  cluster.failover(replica);
  EXPECT_EQ(cluster.owner(slot), replica);
  g_calls = 0;
  for (int i = 0; i < 20; ++i) EXPECT_EQ(f(i), 3 * i);  // MOVED from the demoted master
  EXPECT_EQ(g_calls, 0);                                // replicated: all hits
  EXPECT_EQ(f(100), 300);                               // FIFO script on the new master
  EXPECT_EQ(cluster.cli({"ZCARD", rc::detail::Access::state(f).index_key}), "21");
}

TEST_F(ClusterWithReplicas, KilledMasterIsReplacedAndCallsRecover) {
  std::atomic<int> handled{0};
  rc::RedisCache cache{
      {.url = cluster.url(),
       .connect_timeout = 200ms,
       .command_timeout = 500ms,
       .exception_handler = [&](const rc::Error&, std::string_view) { ++handled; }}};
  auto f = cache.cache<&triple>({.ns = "killed"});
  for (int i = 0; i < 10; ++i) f(i);
  const unsigned slot = slot_of_ns("killed");
  const std::size_t master = cluster.owner(slot), replica = cluster.replica_of(master);
  ASSERT_TRUE(replicated(master)) << "the replica never acknowledged the writes";
  cluster.node(master).kill();
  // During the outage every call still returns the right value (handler fallback).
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  bool recovered = false;
  while (std::chrono::steady_clock::now() < deadline && !recovered) {
    const int before = handled;
    EXPECT_EQ(f(3), 9);
    recovered = handled == before;
    if (!recovered) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(recovered) << "no call succeeded within 20 s of the kill";
  cluster.wait_ok();
  EXPECT_EQ(cluster.owner(slot), replica);
  const int handled_after = handled;
  // The promoted replica kept the entries written before the kill: all hits.
  g_calls = 0;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(f(i), 3 * i);
  EXPECT_EQ(g_calls, 0);
  // The old master comes back (as a replica of the new one); calls keep working.
  cluster.node(master).start();
  cluster.wait_ok();
  for (int i = 0; i < 12; ++i) EXPECT_EQ(f(i), 3 * i);
  EXPECT_EQ(handled, handled_after);
}

// A miss of a FIFO-limited function while a migration splits its slot: Redis
// answers the two-key store script with TRYAGAIN for as long as the slot is
// split, so the value is stored with single-key commands instead (counted in
// degraded_stores), for the one-call store and mget's pipelined stores alike.
// Calls keep their pace (as many complete while the slot is split as before
// it, where a retried TRYAGAIN costs each call a second), nothing reaches the
// handler, and the stores after the migration evict what went beyond the limit.
TEST_F(Cluster, LimitedFunctionKeepsStoringWhileItsSlotIsSplit) {
  std::atomic<int> handled{0};
  std::string first_error;  // written by the user thread, read after it joined
  rc::RedisCache cache{opts({.exception_handler = [&](const rc::Error& e, std::string_view) {
    if (handled++ == 0) first_error = e.what();
  }})};
  constexpr std::size_t kLimit = 40;
  const unsigned slot = slot_of_ns("splitfifo");
  const std::size_t from = cluster.owner(slot), to = other_master(from);
  // h shares f's slot (it moves too); g stays on another node, in the same mget.
  const std::string h_ns = [&] {
    for (int i = 0;; ++i) {
      const std::string ns = "splitfifo" + std::to_string(i);
      if (slot_of_ns(ns) == slot) return ns;
    }
  }();
  auto f = cache.cache<&triple>({.limit = kLimit, .ns = "splitfifo"});
  auto h = cache.cache<&triple>({.limit = kLimit, .ns = h_ns});
  auto g = cache.cache<&negate>({.limit = kLimit, .ns = ns_on(3 - from - to, "splitother")});

  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, wrong{0}, next_key{0};
  std::thread user([&] {
    while (!stop) {  // new keys only: every call is a miss that stores
      const int k = next_key++;
      if (k % 2 == 0) {
        if (f(k) != 3 * k) ++wrong;
      } else {
        auto [a, b] = cache.mget(rc::call(h, k), rc::call(g, k));
        if (a != 3 * k || b != -k) ++wrong;
      }
      ++calls;
    }
  });
  const auto wait_for_calls = [&](int n, const std::function<void()>& meanwhile) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (calls < n && std::chrono::steady_clock::now() < deadline) {
      meanwhile();
      std::this_thread::sleep_for(5ms);
    }
    return calls >= n;
  };
  const bool ran = wait_for_calls(200, [] {});
  const int before = calls;
  cluster.begin_migration(slot, to);  // split: multi-key commands get TRYAGAIN
  const int at_split = calls;
  const bool kept_pace = wait_for_calls(at_split + before, [&] {
    cluster.migrate_keys(slot, to, 20);  // the index moves at some point too
  });
  const int while_split = calls - at_split;
  stop = true;
  user.join();
  std::printf("calls: %d before the split, %d while split; degraded stores: %llu + %llu\n", before,
              while_split, static_cast<unsigned long long>(f.stats().degraded_stores),
              static_cast<unsigned long long>(h.stats().degraded_stores));
  ASSERT_TRUE(ran) << "the user thread made " << calls << " calls before the migration";
  EXPECT_TRUE(kept_pace) << while_split << " calls while the slot was split, " << before
                         << " before it";
  EXPECT_EQ(handled, 0) << first_error;
  EXPECT_EQ(wrong, 0);
  EXPECT_GT(f.stats().degraded_stores, 0u) << f.stats();  // the one-call store
  EXPECT_GT(h.stats().degraded_stores, 0u) << h.stats();  // mget's pipelined store
  EXPECT_EQ(g.stats().degraded_stores, 0u) << g.stats();  // its slot was never split
  EXPECT_EQ(f.stats().errors + h.stats().errors + g.stats().errors, 0u);
  // The degraded stores went into the index, beyond the limit.
  EXPECT_GT(std::stoul(cluster.cli({"ZCARD", rc::detail::Access::state(f).index_key})), kLimit);

  cluster.migrate_keys(slot, to);
  cluster.finish_migration(slot, to);
  ASSERT_EQ(cluster.owner(slot), to);
  // One normal store each restores the bound: the limit's values, the index
  // (and the schema note, written by the one-call store).
  const int k = next_key + 1;
  EXPECT_EQ(f(k), 3 * k);
  auto [a, b] = cache.mget(rc::call(h, k), rc::call(g, k));
  EXPECT_EQ(a, 3 * k);
  EXPECT_EQ(b, -k);
  long long notes = 0;
  for (const auto* st : {&rc::detail::Access::state(f), &rc::detail::Access::state(h), &rc::detail::Access::state(g)}) {
    EXPECT_EQ(cluster.cli({"ZCARD", st->index_key}), std::to_string(kLimit)) << st->ns;
    notes += cluster.cli({"EXISTS", st->ns_prefix + "schema"}) == "1" ? 1 : 0;
  }
  EXPECT_EQ(cluster.dbsize(), static_cast<long long>(3 * (kLimit + 1)) + notes);
  EXPECT_EQ(handled, 0) << first_error;
  g_calls = 0;  // the newest entries are hits
  EXPECT_EQ(f(k), 3 * k);
  EXPECT_EQ(g_calls, 0);
}

}  // namespace
