// Stampede protection: single flight in a process, the cross-process lock.
// The cached functions pass through a gate: a test holds the computation
// until every other caller is seen waiting (the coalesced and lock_waits
// stats count a waiter when it starts to wait), so no outcome depends on the
// machine's speed.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "access.hpp"
#include "key_layout.hpp"
#include "support/redis_server.hpp"
#include "support/sync.hpp"

namespace rc = redis_cache;
using namespace std::chrono_literals;

namespace {

std::atomic<int> g_calls{0};
rc_test::Gate g_gate;

int slow(int x) {
  ++g_calls;
  g_gate.pass();
  return x * 2;
}
int slow_fail(int) {
  ++g_calls;
  g_gate.pass();
  throw std::runtime_error("backend down");
}

std::vector<std::string> slow_words(int x) {
  ++g_calls;
  g_gate.pass();
  return {std::string(100, 'a'), std::to_string(x), std::string(1000, 'b')};
}

// Calls the cached version of itself (set by the test) with x - 1, down to 0.
std::function<int(int)> g_self;
int countdown(int x) {
  ++g_calls;
  return x == 0 ? 0 : 1 + g_self(x - 1);
}

/// Runs f(0..n-1) on n threads that start together while the gate is closed,
/// opens it once ready() holds (or its deadline passed), and waits for them.
template <class Ready>
void run_gated(int n, std::function<void(int)> f, Ready&& ready) {
  g_gate.close();
  rc_test::Threads threads(n, std::move(f));
  EXPECT_TRUE(rc_test::eventually(ready)) << "the callers never all arrived";
  g_gate.open();
  threads.join();
}

class Stampede : public ::testing::Test {
 protected:
  void SetUp() override { g_calls = 0; }
  rc_test::RedisServer server;
};

}  // namespace

TEST_F(Stampede, ConcurrentMissesCallTheFunctionOnce) {
  rc::RedisCache cache{{.url = server.url()}};
  auto f = cache.cache<&slow>();
  std::atomic<int> wrong{0};
  run_gated(
      8,
      [&](int) {
        if (f(21) != 42) ++wrong;
      },
      [&] { return g_calls == 1 && f.stats().coalesced == 7; });
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(g_calls, 1);
  const auto st = f.stats();
  EXPECT_EQ(st.coalesced + st.hits, 7u);
  EXPECT_EQ(st.fills, 1u);
}

TEST_F(Stampede, ErrorsReachEveryWaiter) {
  rc::RedisCache cache{{.url = server.url()}};
  auto f = cache.cache<&slow_fail>();
  std::atomic<int> thrown{0};
  run_gated(
      8,
      [&](int) {
        try {
          f(1);
        } catch (const std::runtime_error& e) {
          if (std::string(e.what()) == "backend down") ++thrown;
        }
      },
      [&] { return g_calls == 1 && f.stats().coalesced == 7; });
  EXPECT_EQ(thrown, 8);
  EXPECT_EQ(g_calls, 1);
  EXPECT_EQ(server.cli({"EXISTS", f.key(1)}), "0");
}

TEST_F(Stampede, EveryWaiterGetsItsOwnCopyOfTheLeadersValue) {
  rc::RedisCache cache{{.url = server.url()}};
  auto f = cache.cache<&slow_words>();
  std::atomic<int> wrong{0};
  run_gated(
      8,
      [&](int) {
        std::vector<std::string> v = f(3);
        if (v.size() != 3 || v[1] != "3" || v[2].size() != 1000) ++wrong;
        v[1] = "mine";  // a copy: changing it changes nobody else's
      },
      [&] { return g_calls == 1 && f.stats().coalesced == 7; });
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(g_calls, 1);
  EXPECT_EQ(f(3)[1], "3");
}

TEST_F(Stampede, DistinctKeysInFlightTogetherEachComputeOnce) {
  rc::RedisCache cache{{.url = server.url()}};
  auto f = cache.cache<&slow>();
  std::atomic<int> wrong{0};
  run_gated(
      8,
      [&](int i) {
        if (f(i % 3) != (i % 3) * 2) ++wrong;
      },
      [&] { return g_calls == 3 && f.stats().coalesced == 5; });
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(g_calls, 3);
  const auto st = f.stats();
  EXPECT_EQ(st.fills, 3u);
  EXPECT_EQ(st.coalesced + st.hits, 5u);
}

TEST_F(Stampede, SingleFlightLeaderMayCallItselfWithAnotherKey) {
  rc::RedisCache cache{{.url = server.url()}};
  auto f = cache.cache<&countdown>();
  g_self = [&](int x) { return f(x); };
  EXPECT_EQ(f(5), 5);  // six flights nested in one thread, none waits for another
  EXPECT_EQ(g_calls, 6);
  EXPECT_EQ(f.stats().coalesced, 0u);
  EXPECT_EQ(f(4), 4);  // stored on the way
  EXPECT_EQ(g_calls, 6);
  g_self = nullptr;
}

TEST_F(Stampede, SingleFlightSameKeyRecursionIsAnErrorNotAHang) {
  rc::RedisCache cache{{.url = server.url()}};
  auto f = cache.cache<&countdown>();
  g_self = [&](int) { return f(2); };  // f(2) computes f(2) again: never ends
  try {
    f(2);
    ADD_FAILURE() << "the same-key recursion returned";
  } catch (const rc::RecursionError& e) {  // an rc::Error, as everything the library throws
    const rc::Error& base = e;
    const std::string what = base.what();
    EXPECT_NE(what.find("called itself with the same arguments"), std::string::npos) << what;
    EXPECT_NE(what.find(f.key(2)), std::string::npos) << what;
  }
  g_self = [](int x) { return x; };
  EXPECT_EQ(f(2), 2);  // nothing was stored by the failed flight; it works again
  EXPECT_EQ(f.stats().coalesced, 0u);
  g_self = nullptr;
}

TEST_F(Stampede, SingleFlightCanBeTurnedOff) {
  rc::RedisCache cache{{.url = server.url()}};
  auto f = cache.cache<&slow>({.single_flight = false});
  run_gated(
      4, [&](int) { f(1); }, [&] { return g_calls == 4; });  // all four compute at once
  EXPECT_GT(g_calls, 1);
  EXPECT_EQ(f.stats().coalesced, 0u);
}

TEST_F(Stampede, LockMakesOneProcessCompute) {
  // Two caches stand for two processes: their single-flight tables are separate.
  // The lock bound is long: the waiter must not give up while the test holds the holder.
  rc::RedisCache p1{{.url = server.url()}}, p2{{.url = server.url()}};
  auto f1 = p1.cache<&slow>({.lock_timeout = 60s});
  auto f2 = p2.cache<&slow>({.lock_timeout = 60s});
  std::atomic<int> wrong{0};
  run_gated(
      2,
      [&](int i) {
        if ((i == 0 ? f1(5) : f2(5)) != 10) ++wrong;
      },
      [&] { return g_calls == 1 && f1.stats().lock_waits + f2.stats().lock_waits == 1; });
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(g_calls, 1);
  EXPECT_EQ(f1.stats().lock_waits + f2.stats().lock_waits, 1u);
  EXPECT_EQ(f1.stats().coalesced + f2.stats().coalesced, 1u);
  // The holder released its lock.
  const std::string k = f1.key(5);
  const std::string lock = rc::detail::keys::lock_key(rc::detail::Access::state(f1).ns_prefix, k);
  EXPECT_EQ(server.cli({"EXISTS", lock}), "0");
}

TEST_F(Stampede, SlowHolderIsNotWaitedForBeyondTheBound) {
  rc::RedisCache p1{{.url = server.url()}}, p2{{.url = server.url()}};
  auto f1 = p1.cache<&slow>({.lock_timeout = 100ms});
  auto f2 = p2.cache<&slow>({.lock_timeout = 100ms});
  // The holder is held until the waiter, past the bound, computes too.
  run_gated(
      2, [&](int i) { i == 0 ? f1(7) : f2(7); }, [&] { return g_calls == 2; });
  EXPECT_EQ(g_calls, 2);  // the waiter gave up after ~100 ms and computed itself
}

TEST_F(Stampede, HolderNeverDeletesAnotherHoldersLock) {
  rc::RedisCache cache{{.url = server.url()}};
  auto f = cache.cache<&slow>({.lock_timeout = 100ms});
  const std::string k = f.key(9);
  const std::string lock = rc::detail::keys::lock_key(rc::detail::Access::state(f).ns_prefix, k);
  server.cli({"SET", lock, "someone-else", "PX", "60000"});
  EXPECT_EQ(f(9), 18);  // waited for the bound, then computed
  EXPECT_EQ(server.cli({"GET", lock}), "someone-else");
  EXPECT_EQ(f.stats().lock_waits, 1u);
}

TEST_F(Stampede, LockKeysAreRemovedByInvalidateAll) {
  rc::RedisCache cache{{.url = server.url()}};
  auto f = cache.cache<&slow>({.lock_timeout = 1s});
  f(1);
  const std::string k = f.key(2);
  server.cli({"SET", rc::detail::keys::lock_key(rc::detail::Access::state(f).ns_prefix, k), "x"});
  f.invalidate_all();
  EXPECT_EQ(server.cli({"DBSIZE"}), "0");
}
