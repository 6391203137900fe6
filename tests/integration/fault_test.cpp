// Faults against the real server: killed under load, restarted, frozen,
// exhausted pool, full memory.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "support/redis_server.hpp"
#include "support/sync.hpp"

namespace rc = redis_cache;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {
std::atomic<int> g_calls{0};
int twice(int x) {
  return ++g_calls, 2 * x;
}
std::string blob(int n) {
  return std::string(static_cast<std::size_t>(n), 'x');
}
}  // namespace

TEST(Fault, KilledDuringEightThreadLoadThenRestarted) {
  rc_test::RedisServer server;
  std::atomic<int> handled{0};
  rc::RedisCache cache{
      {.url = server.url(),
       .command_timeout = 500ms,
       .pool_size = 4,
       .exception_handler = [&](const rc::Error&, std::string_view) { ++handled; }}};
  auto f = cache.cache<&twice>({.ttl = 60s, .limit = 100});
  std::atomic<bool> stop{false}, restarted{false};
  std::atomic<int> wrong{0}, calls{0}, served_after_restart{0};
  std::atomic<long long> worst_us{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const bool after = restarted;
        const int handled_before = handled;
        const auto t0 = Clock::now();
        if (f((i + t) % 64) != 2 * ((i + t) % 64)) ++wrong;
        const long long us =
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count();
        long long prev = worst_us.load();
        while (us > prev && !worst_us.compare_exchange_weak(prev, us)) {
        }
        // No handler call during this one: it was served by the restarted server.
        if (after && handled == handled_before) ++served_after_restart;
        ++calls;
      }
    });
  // Each phase lasts until the threads have done what it is for, however slow the machine.
  EXPECT_TRUE(rc_test::eventually([&] { return calls >= 100; })) << "no load before the kill";
  server.kill();
  EXPECT_TRUE(rc_test::eventually([&] { return handled > 0; })) << "the outage was never handled";
  const int during = handled.load();
  restarted = true;
  server.start();
  EXPECT_TRUE(rc_test::eventually([&] { return served_after_restart >= 100; }))
      << "the restarted server served no calls";
  stop = true;
  for (auto& t : ts) t.join();

  EXPECT_EQ(wrong, 0);   // every call returned the right value (cache or fallback)
  EXPECT_GT(during, 0);  // the outage was seen and handled
  EXPECT_GT(calls, 100);
  // The command timeout (500 ms) bounds each call; how close it came is for the reader.
  std::printf("[ diagnostic ] %d calls, slowest %.0f ms (command_timeout 500 ms)\n", calls.load(),
              static_cast<double>(worst_us.load()) / 1000.0);
  // Back to caching in the same process.
  const int before = g_calls;
  f(1);
  f(1);
  EXPECT_LE(g_calls - before, 1);
  EXPECT_EQ(server.cli({"EXISTS", f.key(1)}), "1");
}

TEST(Fault, FrozenServerGivesTimeoutError) {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url(), .command_timeout = 200ms}};
  auto f = cache.cache<&twice>();
  f(1);
  server.pause();
  g_calls = 0;
  EXPECT_THROW(f(2), rc::TimeoutError);
  EXPECT_EQ(g_calls, 0);  // no handler: the function is not called
  server.resume();
  EXPECT_EQ(f(2), 4);  // the timed-out connection was rebuilt
}

TEST(Fault, ExhaustedPoolGivesPoolTimeout) {
  rc_test::RedisServer server;
  // The holder's command must outlast the test's own steps: a long command timeout.
  rc::RedisCache cache{
      {.url = server.url(), .command_timeout = 60s, .pool_size = 1, .pool_wait_timeout = 100ms}};
  auto f = cache.cache<&twice>();
  f(1);
  server.pause();
  std::thread holder([&] { EXPECT_EQ(f(2), 4); });  // answered once resumed
  // Its command reached the paused server: the one connection is now stuck in it.
  EXPECT_TRUE(rc_test::eventually([&] { return server.unread_bytes() > 0; }))
      << "the holder's command never reached the server";
  try {
    f(3);
    ADD_FAILURE() << "expected PoolTimeout";
  } catch (const rc::PoolTimeout& e) {
    EXPECT_NE(std::string(e.what()).find("pool"), std::string::npos) << e.what();
  }
  server.resume();
  holder.join();
}

TEST(Fault, FullServerStillReturnsTheValueAndCountsTheFailedFill) {
  rc_test::RedisServer server({"--maxmemory", "2mb", "--maxmemory-policy", "noeviction"});
  std::atomic<int> handled{0};
  rc::RedisCache cache{
      {.url = server.url(),
       .exception_handler = [&](const rc::Error&, std::string_view) { ++handled; }}};
  auto f = cache.cache<&blob>();
  int failed_fills = 0;
  for (int i = 0; i < 40; ++i) {
    const int before = handled;
    EXPECT_EQ(f(100'000 + i).size(), static_cast<std::size_t>(100'000 + i));
    if (handled > before) ++failed_fills;
  }
  EXPECT_GT(failed_fills, 0);  // the server filled up and refused writes (OOM)
  const auto st = f.stats();
  EXPECT_EQ(st.errors, static_cast<std::uint64_t>(failed_fills));
  EXPECT_EQ(st.fills + st.errors, 40u);
}
