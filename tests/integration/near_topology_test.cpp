// The near cache (DESIGN.md §8) on a Redis Cluster and through Sentinel: one
// listener per master, so a write on any master evicts the near copy; a slot
// that moves to another master, or a failover, flushes the near tier and the
// listeners are re-armed on the new masters (near hits resume). Real
// processes on loopback (tests/support); the one-server cases are in
// near_cache_test.cpp.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "access.hpp"
#include "client/cluster.hpp"
#include "client/sentinel.hpp"
#include "key_layout.hpp"
#include "near/near_cache.hpp"
#include "support/near.hpp"
#include "support/redis_cluster.hpp"
#include "support/redis_sentinel.hpp"
#include "support/sync.hpp"

namespace rc = redis_cache;
namespace rd = redis_cache::detail;
using namespace std::chrono_literals;

namespace {

using rc_test::listening;
using rc_test::near_hit;
using rc_test::near_of;

std::atomic<std::int64_t> g_source{0};
std::int64_t version(int /*key*/) {
  return g_source.load();
}

/// True when a client of the server has CLIENT TRACKING on (flag t): a near
/// listener (the sentinels' own pub/sub connections do not track).
bool has_tracking_listener(const rc_test::RedisServer& srv) {
  const std::string list = srv.cli({"CLIENT", "LIST", "TYPE", "pubsub"});
  for (std::size_t at = list.find("flags="); at != std::string::npos;
       at = list.find("flags=", at + 1)) {
    const std::size_t end = list.find(' ', at);
    if (list.substr(at + 6, end - at - 6).find('t') != std::string::npos) return true;
  }
  return false;
}

unsigned slot_of_ns(const std::string& ns) {
  return rd::key_slot(rd::keys::ns_prefix("rc", ns, true));
}

/// A namespace "<base><n>" whose slot the given node serves.
std::string ns_on(const rc_test::RedisCluster& cluster, std::size_t node, const std::string& base) {
  for (int i = 0;; ++i) {
    const std::string ns = base + std::to_string(i);
    if (cluster.owner(slot_of_ns(ns)) == node) return ns;
  }
}

rc::Options near_options(const std::string& url) {
  return {.url = url, .codec = rc::Codec::json, .near = {.max_bytes = 1 << 20}};
}

}  // namespace

// One cluster for both cases (starting one costs seconds).
TEST(NearCluster, WritesOnEveryMasterEvictAndAMovedSlotFlushes) {
  rc_test::RedisCluster cluster{3};
  rc::RedisCache cache{near_options(cluster.url())};
  ASSERT_TRUE(listening(cache));
  const std::vector<std::size_t> masters = cluster.masters();
  ASSERT_EQ(masters.size(), 3u);
  EXPECT_EQ(near_of(cache).listeners(), 3u);
  for (const std::size_t m : masters) EXPECT_TRUE(has_tracking_listener(cluster.node(m))) << m;
  using F = decltype(cache.cache<&version>({}));
  std::vector<F> fs;
  for (const std::size_t m : masters)
    fs.push_back(cache.cache<&version>({.ns = ns_on(cluster, m, "near_on_")}));
  g_source = 1;
  for (const F& f : fs) EXPECT_EQ(near_hit(f, 1), 1);
  // Another client writes each key, on its own master: every near copy goes.
  for (std::size_t i = 0; i < fs.size(); ++i)
    cluster.cli({"SET", fs[i].key(1), std::to_string(10 + i)});
  for (std::size_t i = 0; i < fs.size(); ++i) {
    const auto want = static_cast<std::int64_t>(10 + i);
    EXPECT_TRUE(rc_test::eventually([&] { return fs[i](1) == want; })) << i;
    EXPECT_EQ(near_hit(fs[i], 1), want);
    EXPECT_GE(fs[i].stats().near_invalidations, 1u);
  }

  // fs[0]'s slot moves to the second master. The migration's own writes
  // (MIGRATE deletes the key on the old owner) evict fs[0]'s copy; the new
  // map, read at most a second later, flushes the rest too: fs[1]'s copy,
  // which nobody wrote, goes.
  const std::uint64_t flushes = near_of(cache).topology_flushes();
  const std::uint64_t flushed = fs[1].stats().near_flushes;
  const std::uint64_t epoch = rc_test::near_epoch(cache);
  cluster.move_slot(slot_of_ns(fs[0].ns()), masters[1]);
  ASSERT_TRUE(rc_test::eventually([&] { return near_of(cache).topology_flushes() > flushes; }));
  EXPECT_EQ(cache.near_stats().entries, 0u);
  // (A listener lost meanwhile, on a loaded machine, may have flushed it first.)
  if (rc_test::near_epoch(cache) == epoch + 1) {
    EXPECT_EQ(fs[1].stats().near_flushes, flushed + 1);
  }
  // Read from the new owner, then near again; the listeners stay one per master.
  EXPECT_EQ(near_hit(fs[0], 1), 10);
  EXPECT_EQ(near_hit(fs[1], 1), 11);
  EXPECT_TRUE(listening(cache));
  EXPECT_EQ(near_of(cache).listeners(), 3u);
  cluster.cli({"SET", fs[0].key(1), "20"});  // now on the second master
  EXPECT_TRUE(rc_test::eventually([&] { return fs[0](1) == 20; }));
}

TEST(NearSentinel, FailoverFlushesAndRearmsOnTheNewMaster) {
  rc_test::RedisSentinels group({.replicas = 1, .sentinels = 3});
  rc::RedisCache cache{near_options(group.url())};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "near_sentinel"});
  g_source = 1;
  EXPECT_EQ(near_hit(f, 1), 1);
  auto& client = dynamic_cast<rd::SentinelClient&>(rd::Access::core(cache)->client());
  const int new_port = group.failover();
  const std::string port = std::to_string(new_port);
  ASSERT_TRUE(rc_test::eventually([&] {
    const std::string m = client.known_master();
    return m.substr(m.rfind(':') + 1) == port;
  }));
  // The master changed: the near copy is gone (nothing called f meanwhile).
  ASSERT_TRUE(rc_test::eventually([&] { return near_of(cache).topology_flushes() >= 1; }));
  EXPECT_EQ(cache.near_stats().entries, 0u);
  // The listener moved to the new master: its writes evict near copies.
  ASSERT_TRUE(listening(cache));
  rc_test::RedisServer& master = group.node(group.node_of_port(new_port));
  EXPECT_TRUE(has_tracking_listener(master));
  EXPECT_EQ(near_hit(f, 1), 1);
  master.cli({"SET", f.key(1), "7"});
  EXPECT_TRUE(rc_test::eventually([&] { return f(1) == 7; }));
  EXPECT_EQ(near_hit(f, 1), 7);
}
