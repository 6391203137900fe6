// Redis Cluster whose topology changes under use: slots that migrate (ASK, then
// MOVED) or move at once while cached functions and mget run, a FIFO function
// whose slot is split by a migration (TRYAGAIN), many threads sharing one map
// refresh, and failover (manual, and a killed master) with replicas. Routing
// on a stable cluster is in cluster_test.cpp (the same Cluster fixture,
// cluster_fixture.hpp).
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "access.hpp"
#include "client/cluster.hpp"
#include "cluster_fixture.hpp"
#include "key_layout.hpp"
#include "support/redis_cluster.hpp"
#include "support/sync.hpp"

namespace rc = redis_cache;
namespace rd = redis_cache::detail;
using namespace std::chrono_literals;

namespace {

/// Calls call(k) again and again on another thread (k below `keys`: entries
/// stored before and new ones; call says whether its results were right)
/// while `slot` migrates to node `to` step by step: ASK while its keys move,
/// then MOVED from the old owner. Every step waits for some calls to be made
/// in it. Every call must succeed.
void use_while_migrating(rc_test::RedisCluster& cluster, unsigned slot, std::size_t to, int keys,
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

TEST_F(Cluster, SlotMigratesDuringUse) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&triple>({.ttl = 300s, .ns = "moving"});
  const unsigned slot = slot_of_ns("moving");
  const std::size_t from = cluster.owner(slot), to = other_master(from);
  for (int i = 0; i < 200; ++i) f(i);
  EXPECT_EQ(g_calls, 200);

  use_while_migrating(cluster, slot, to, 260,
                      [&](int k) { return f(k) == 3 * k; });  // hits and new
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

  use_while_migrating(cluster, slot, to, 200, [&](int k) {  // hits (k < 150) and new entries
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
  for (const auto* st : {&rc::detail::Access::state(f), &rc::detail::Access::state(h),
                         &rc::detail::Access::state(g)}) {
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
