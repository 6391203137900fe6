// The near cache (DESIGN.md §8) against a real server and real second
// clients: hits from memory, eviction by anyone's write, the fill race, lost
// listeners (killed, restarted server, frozen server, FLUSHALL), local
// expiry, the FIFO limit, the memory budget.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "access.hpp"
#include "near/near_cache.hpp"
#include "near/near_store.hpp"
#include "support/near.hpp"
#include "support/redis_server.hpp"
#include "support/sync.hpp"

namespace rc = redis_cache;
using namespace std::chrono_literals;

namespace {

using rc_test::listening;
using rc_test::near_hit;
using rc_test::near_of;

// What a miss computes: the test decides (values written by "another client"
// differ from it, so the test sees where a result came from).
std::atomic<std::int64_t> g_source{0};
std::atomic<int> g_computed{0};
std::int64_t version(int /*key*/) {
  ++g_computed;
  return g_source.load();
}
std::string text(int n) {
  ++g_computed;
  return std::string(1000, static_cast<char>('a' + n % 26)) + std::to_string(n);
}

/// Waits until every invalidation Redis has sent so far is applied: the echo
/// of the function's own store may arrive after a near copy was filled, and
/// evict it, later than a test expects. Writes `marker` (a key under the
/// tracked prefix) and waits for its invalidation, which comes after them all.
void settle(const rc::RedisCache& cache, const rc_test::RedisServer& srv,
            const std::string& marker) {
  const std::uint64_t applied = near_of(cache).invalidations_applied();
  srv.cli({"SET", marker, "0"});
  EXPECT_TRUE(
      rc_test::eventually([&] { return near_of(cache).invalidations_applied() > applied; }));
}

/// The flush that follows a new epoch has run (the epoch moves first) and
/// counted f's near copy (settled before, so only a flush removes it; on a
/// loaded machine, a listener lost to its PING deadline may have flushed first).
template <class F>
bool flushed(const rc::RedisCache& cache, const F& f) {
  return rc_test::eventually(
      [&] { return cache.near_stats().entries == 0u && f.stats().near_flushes >= 1u; });
}

rc::Options near_options(const rc_test::RedisServer& srv, std::size_t max_bytes = 1 << 20) {
  return {.url = srv.url(), .codec = rc::Codec::json, .near = {.max_bytes = max_bytes}};
}

}  // namespace

TEST(Near, OffByDefault) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{{.url = srv.url()}};
  auto f = cache.cache<&version>({.ns = "near_off"});
  g_source = 1;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(f(1), 1);
  EXPECT_EQ(f.stats().near_hits, 0u);
  const rc::NearStats s = cache.near_stats();
  EXPECT_EQ(s.entries, 0u);
  EXPECT_EQ(s.max_bytes, 0u);
  EXPECT_FALSE(s.listening);
}

TEST(Near, RepeatedCallsAreServedFromMemory) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{near_options(srv)};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "near_hits"});
  g_source = 5;
  EXPECT_EQ(f(1), 5);  // miss: computed and stored
  EXPECT_EQ(near_hit(f, 1), 5);
  const rc::Stats s = f.stats();
  EXPECT_GE(s.near_fills, 1u);
  EXPECT_GE(s.hits, s.near_hits);
  EXPECT_TRUE(rc_test::eventually([&] {  // (a lost listener would have flushed it)
    (void)f(1);
    return cache.near_stats().entries == 1u && cache.near_stats().bytes > 0u;
  }));
  // A function kept out never serves near.
  auto out = cache.cache<&version>({.ns = "near_out", .near = false});
  for (int i = 0; i < 5; ++i) (void)out(1);
  EXPECT_EQ(out.stats().near_hits, 0u);
  EXPECT_EQ(out.stats().near_fills, 0u);
}

// Hits are counted in per-thread slots (stats.hpp): more threads than slots,
// near and Redis hits alike, and every hit is in the snapshot.
TEST(Near, HitsOnManyThreadsAreAllCounted) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{near_options(srv)};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "near_count"});
  auto plain = cache.cache<&version>({.ns = "near_count_off", .near = false});
  g_source = 1;
  (void)f(1);
  (void)plain(1);
  (void)near_hit(f, 1);
  constexpr int kThreads = 3 * static_cast<int>(rc::detail::kHitSlots) / 2;
  constexpr std::uint64_t kCalls = 200;
  const rc::Stats f0 = f.stats(), p0 = plain.stats();
  rc_test::run_together(kThreads, [&](int) {
    for (std::uint64_t i = 0; i < kCalls; ++i) {
      (void)f(1);
      (void)plain(1);
    }
  });
  const rc::Stats f1 = f.stats(), p1 = plain.stats();
  EXPECT_EQ(f1.hits - f0.hits, kThreads * kCalls) << f1;  // near or (after a flush) Redis
  EXPECT_EQ(f1.misses, f0.misses);
  EXPECT_EQ(p1.hits - p0.hits, kThreads * kCalls) << p1;
  EXPECT_EQ(p1.near_hits, 0u);
  EXPECT_GT(f1.near_hits - f0.near_hits, 0u);
}

TEST(Near, WriteByAnotherClientEvictsTheNearCopy) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{near_options(srv)};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "near_write"});
  g_source = 1;
  (void)f(1);
  ASSERT_EQ(near_hit(f, 1), 1);
  // redis-cli SET (Codec::json: the value is the number's text).
  srv.cli({"SET", f.key(1), "2"});
  EXPECT_TRUE(rc_test::eventually([&] { return f(1) == 2; }));
  EXPECT_EQ(near_hit(f, 1), 2);
  EXPECT_GE(f.stats().near_invalidations, 1u);
  // invalidate() from another cache instance (another service), then its miss.
  rc::RedisCache other{{.url = srv.url(), .codec = rc::Codec::json}};
  auto g = other.cache<&version>({.ns = "near_write"});
  g_source = 3;
  EXPECT_TRUE(g.invalidate(1));
  EXPECT_EQ(g(1), 3);
  EXPECT_TRUE(rc_test::eventually([&] { return f(1) == 3; }));
}

TEST(Near, InvalidateEvictsLocallyAtOnce) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{near_options(srv)};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "near_inval"});
  g_source = 1;
  (void)f(1);
  (void)f(2);
  ASSERT_EQ(near_hit(f, 1), 1);
  ASSERT_EQ(near_hit(f, 2), 1);
  g_source = 2;
  EXPECT_TRUE(f.invalidate(1));
  EXPECT_EQ(f(1), 2);  // no waiting for the echo
  EXPECT_EQ(f.invalidate_all(), 2u);
  g_source = 3;
  EXPECT_EQ(f(1), 3);
  EXPECT_EQ(f(2), 3);
}

TEST(Near, MgetServesNearHitsAndSendsOnlyTheRest) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{near_options(srv)};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "near_mget"});
  g_source = 1;
  (void)f(1);
  ASSERT_EQ(near_hit(f, 1), 1);
  srv.cli({"SET", f.key(2), "5"});  // in Redis, not near
  g_source = 2;
  const rc::Stats before = f.stats();
  const std::vector<std::int64_t> got = f.mget({{1}, {2}, {3}});
  EXPECT_EQ(got, (std::vector<std::int64_t>{1, 5, 2}));
  const rc::Stats after = f.stats();
  EXPECT_EQ(after.hits - before.hits, 2u);
  EXPECT_EQ(after.misses - before.misses, 1u);
  EXPECT_EQ(srv.cli({"GET", f.key(3)}), "2");  // the miss was stored
  EXPECT_TRUE(rc_test::eventually([&] {        // key 1 from memory, the others from Redis
    (void)near_hit(f, 1);
    const auto near = f.stats().near_hits;
    return f.mget({{1}, {2}, {3}}) == std::vector<std::int64_t>{1, 5, 2} &&
           f.stats().near_hits == near + 1;
  }));
}

TEST(Near, MgetAcrossFunctionsServesNearHitsAndSendsOnlyTheRest) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{near_options(srv)};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "near_xmget_f"});
  auto g = cache.cache<&text>({.ns = "near_xmget_g"});
  g_source = 1;
  (void)f(1);
  srv.cli({"SET", f.key(2), "5"});  // in Redis, not near
  settle(cache, srv, f.key(-1));
  // Counted again if a listener was lost meanwhile (its flush moves f(1) out).
  for (int attempt = 0;; ++attempt) {
    const std::uint64_t epoch = rc_test::near_epoch(cache);
    ASSERT_EQ(near_hit(f, 1), 1);
    const rc::Stats f0 = f.stats(), g0 = g.stats();
    const auto [a, b, c] = cache.mget(rc::call(f, 1), rc::call(g, 3), rc::call(f, 2));
    EXPECT_EQ(a, 1);
    EXPECT_EQ(b, text(3));
    EXPECT_EQ(c, 5);
    const rc::Stats f1 = f.stats(), g1 = g.stats();
    if (rc_test::near_epoch(cache) != epoch && attempt < 5) continue;
    EXPECT_EQ(f1.near_hits - f0.near_hits, 1u);  // f(1) from memory
    EXPECT_EQ(f1.hits - f0.hits, 2u);            // and f(2) from Redis
    if (attempt == 0) {
      EXPECT_EQ(g1.misses - g0.misses, 1u);
    }
    break;
  }
  EXPECT_EQ(srv.cli({"GET", g.key(3)}).size(), text(3).size() + 2);  // stored (JSON string)
  // Every call near: nothing is sent at all.
  settle(cache, srv, f.key(-1));
  for (int attempt = 0;; ++attempt) {
    const std::uint64_t epoch = rc_test::near_epoch(cache);
    (void)near_hit(f, 2);
    (void)near_hit(g, 3);
    const std::uint64_t f_near = f.stats().near_hits, g_near = g.stats().near_hits;
    const std::uint64_t redis_hits = f.stats().hits - f_near + g.stats().hits - g_near;
    const auto [x, y] = cache.mget(rc::call(f, 2), rc::call(g, 3));
    EXPECT_EQ(x, 5);
    EXPECT_EQ(y, text(3));
    if (rc_test::near_epoch(cache) != epoch && attempt < 5) continue;
    EXPECT_EQ(f.stats().near_hits - f_near, 1u);
    EXPECT_EQ(g.stats().near_hits - g_near, 1u);
    EXPECT_EQ(f.stats().hits - f.stats().near_hits + g.stats().hits - g.stats().near_hits,
              redis_hits);
    break;
  }
}

TEST(Near, PythonCodecFunctionsWorkTheSame) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{
      {.url = srv.url(), .codec = rc::Codec::python, .near = {.max_bytes = 1 << 20}}};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "app.version", .arg_names = {"key"}});
  g_source = 4;
  (void)f(1);
  EXPECT_EQ(near_hit(f, 1), 4);
  srv.cli({"SET", f.key(1), "9"});
  EXPECT_TRUE(rc_test::eventually([&] { return f(1) == 9; }));
}

// One writer bumps the value's version through a client of its own; readers
// call the cached function. Once the near cache's listener has applied the
// writer's invalidation, no reader may return an older version.
TEST(Near, NoStaleReadAfterTheInvalidationArrived) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{near_options(srv)};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "near_race"});
  g_source = 0;
  (void)f(1);
  const std::string key = f.key(1);
  rc::detail::NearCache& near = near_of(cache);
  long reads_per_thread = 5000;
  if (const char* env = std::getenv("RC_NEAR_STRESS_READS")) reads_per_thread = std::atol(env) / 4;
  constexpr int kReaders = 4;
  std::atomic<std::int64_t> confirmed{0};
  std::atomic<int> readers_done{0};
  std::atomic<long> stale{0}, reads{0};
  std::thread writer([&] {
    rc::RedisCache w{{.url = srv.url(), .codec = rc::Codec::json}};
    auto core = rc::detail::Access::core(w);
    for (std::int64_t v = 1; readers_done.load() < kReaders; ++v) {
      const std::uint64_t seen = near.invalidations_applied();
      const std::string val = std::to_string(v);
      const std::array<std::string_view, 3> set{"SET", key, val};
      core->client().command(key, set);
      // Spins (not eventually()'s 1 ms steps): as many writes as possible race the readers.
      const auto deadline = std::chrono::steady_clock::now() + 10s;
      while (near.invalidations_applied() <= seen && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
      if (near.invalidations_applied() <= seen) break;
      confirmed = v;
    }
  });
  rc_test::run_together(kReaders, [&](int) {
    for (long i = 0; i < reads_per_thread; ++i) {
      const std::int64_t floor = confirmed.load();
      if (f(1) < floor) ++stale;
      ++reads;
      if (i % 16 == 0) std::this_thread::yield();  // the writer and the listener get turns
    }
    ++readers_done;
  });
  writer.join();
  std::printf("near race: %ld reads, %lld versions confirmed, %s\n", reads.load(),
              static_cast<long long>(confirmed.load()), f.stats().to_string().c_str());
  EXPECT_EQ(stale.load(), 0) << "of " << reads.load() << " reads; " << f.stats();
  EXPECT_GT(confirmed.load(), 0);
  EXPECT_GT(f.stats().near_hits, 0u) << f.stats();
}

TEST(Near, KilledListenerFlushesAndNearHitsResume) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{near_options(srv)};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "near_kill"});
  g_source = 1;
  (void)f(1);
  settle(cache, srv, f.key(-1));
  ASSERT_EQ(near_hit(f, 1), 1);
  const std::uint64_t epoch = rc_test::near_epoch(cache);
  srv.cli({"CLIENT", "KILL", "TYPE", "pubsub"});
  srv.cli({"SET", f.key(1), "2"});  // its invalidation may be lost with the listener
  ASSERT_TRUE(rc_test::eventually([&] { return rc_test::near_epoch(cache) > epoch; }));
  EXPECT_TRUE(flushed(cache, f));
  EXPECT_EQ(f(1), 2);
  EXPECT_EQ(near_hit(f, 1), 2);
}

TEST(Near, ServerRestartFlushesAndNearHitsResume) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{near_options(srv)};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "near_restart"});
  g_source = 1;
  (void)f(1);
  ASSERT_EQ(near_hit(f, 1), 1);
  srv.stop();
  ASSERT_TRUE(rc_test::eventually([&] { return !cache.near_stats().listening; }));
  EXPECT_TRUE(rc_test::eventually([&] { return cache.near_stats().entries == 0u; }));
  srv.start();
  srv.cli({"SET", f.key(1), "2"});
  EXPECT_EQ(f(1), 2);
  EXPECT_EQ(near_hit(f, 1), 2);
}

TEST(Near, FrozenServerMissesThePingDeadlineAndFlushes) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{near_options(srv)};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "near_frozen"});
  g_source = 1;
  (void)f(1);
  settle(cache, srv, f.key(-1));
  ASSERT_EQ(near_hit(f, 1), 1);
  const std::uint64_t epoch = rc_test::near_epoch(cache);
  srv.pause();
  const bool lost = rc_test::eventually([&] { return rc_test::near_epoch(cache) > epoch; });
  srv.resume();
  ASSERT_TRUE(lost);
  EXPECT_TRUE(flushed(cache, f));
  srv.cli({"SET", f.key(1), "2"});
  EXPECT_TRUE(rc_test::eventually([&] {
    try {
      return f(1) == 2;
    } catch (const rc::Error&) {  // the pool's connections time out after the pause
      return false;
    }
  }));
  EXPECT_EQ(near_hit(f, 1), 2);
}

TEST(Near, FlushAllFlushesTheNearCache) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{near_options(srv)};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "near_flushall"});
  g_source = 1;
  (void)f(1);
  settle(cache, srv, f.key(-1));
  ASSERT_EQ(near_hit(f, 1), 1);
  srv.cli({"FLUSHALL"});
  ASSERT_TRUE(flushed(cache, f));  // by its null invalidation
  g_source = 2;
  EXPECT_EQ(f(1), 2);  // recomputed
}

TEST(Near, NearCopyNeverOutlivesItsRedisTtl) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{near_options(srv)};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "near_ttl"});
  g_source = 1;
  (void)f(1);
  srv.cli({"SET", f.key(1), "7", "PX", "400"});
  ASSERT_EQ(near_hit(f, 1), 7);
  // Once Redis says the key is gone, the near copy is too (even if Redis has
  // not yet sent the expiry's invalidation).
  ASSERT_TRUE(rc_test::eventually([&] { return srv.cli({"PTTL", f.key(1)}) == "-2"; }));
  g_source = 8;
  EXPECT_EQ(f(1), 8);
}

TEST(Near, MaxTtlCapsTheLocalLifetime) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{{.url = srv.url(),
                        .codec = rc::Codec::json,
                        .near = {.max_bytes = 1 << 20, .max_ttl = 50ms}}};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.ns = "near_maxttl"});
  g_source = 1;
  (void)f(1);
  ASSERT_EQ(near_hit(f, 1), 1);
  // Expired locally (counted as an eviction) while Redis still has it.
  EXPECT_TRUE(rc_test::eventually([&] {
    (void)f(1);
    return f.stats().near_evictions > 0;
  }));
  EXPECT_NE(srv.cli({"EXISTS", f.key(1)}), "0");
}

TEST(Near, FifoLimitEvictionsInRedisEvictLocally) {
  rc_test::RedisServer srv;
  rc::RedisCache cache{near_options(srv)};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&version>({.limit = 2, .ns = "near_fifo"});
  g_source = 1;
  (void)f(1);
  (void)f(2);
  ASSERT_EQ(near_hit(f, 1), 1);
  ASSERT_EQ(near_hit(f, 2), 1);
  g_source = 2;
  (void)f(3);  // the FIFO script evicts key 1 in Redis
  ASSERT_EQ(srv.cli({"EXISTS", f.key(1)}), "0");
  EXPECT_TRUE(rc_test::eventually([&] { return f(1) == 2; }));
}

TEST(Near, BudgetBoundsBytesAndEntries) {
  rc_test::RedisServer srv;
  constexpr std::size_t kBudget = 64 << 10;
  rc::RedisCache cache{near_options(srv, kBudget)};
  ASSERT_TRUE(listening(cache));
  auto f = cache.cache<&text>({.ns = "near_budget"});
  // ~1 KB values: 10× the budget.
  const int n = static_cast<int>(10 * kBudget / 1000);
  for (int i = 0; i < n; ++i) (void)f(i);  // misses: stored, not kept near
  const std::size_t heap0 = mallinfo2().uordblks;
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < n; ++i) {
      (void)f(i);  // Redis hits: kept near, evicting for the budget
      ASSERT_LE(cache.near_stats().bytes, kBudget);
    }
  // The process's real heap growth stays near the budget (glibc's count;
  // sanitizers' allocators report nothing here).
  const std::size_t heap1 = mallinfo2().uordblks;
  EXPECT_LE(heap1 > heap0 ? heap1 - heap0 : 0, kBudget * 12 / 10);
  EXPECT_GT(cache.near_stats().entries, 0u);
  EXPECT_GT(f.stats().near_evictions, 0u);
  EXPECT_LE(rc::detail::NearStore::node_overhead(40), 128u);

  rc::RedisCache capped{{.url = srv.url(), .near = {.max_bytes = 1 << 20, .max_entries = 4}}};
  ASSERT_TRUE(listening(capped));
  auto g = capped.cache<&text>({.ns = "near_capped"});
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 20; ++i) (void)g(i);
  EXPECT_LE(capped.near_stats().entries, 4u);
  EXPECT_GT(g.stats().near_fills, 0u);
}
