// The circuit breaker (Options::circuit_breaker): a hung or dead server costs a
// few timeouts, not one per call; one probe after the cool-down closes it again.
// Bounds are counted (calls that waited for a timeout), never timed.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/redis_server.hpp"
#include "support/sync.hpp"

namespace rc = redis_cache;
using namespace std::chrono_literals;

namespace {

int triple(int x) {
  return 3 * x;
}

/// What the exception handler saw, by type.
struct Seen {
  std::atomic<int> timeouts{0}, open{0}, other_connection{0}, other{0};
  rc::ExceptionHandler handler() {
    return [this](const rc::Error& e, std::string_view) {
      if (dynamic_cast<const rc::CircuitOpenError*>(&e) != nullptr) {
        ++open;
      } else if (dynamic_cast<const rc::TimeoutError*>(&e) != nullptr) {
        ++timeouts;
      } else if (dynamic_cast<const rc::ConnectionError*>(&e) != nullptr) {
        ++other_connection;
      } else {
        ++other;
      }
    };
  }
};

/// `threads` threads each make `calls` calls of f on distinct keys; every
/// result must be right (served by the fallback when Redis is skipped).
template <class F>
int run_load(const F& f, int threads, int calls) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < calls; ++i) {
        const int x = 1000 + t * calls + i;
        if (f(x) != 3 * x) ++wrong;
      }
    });
  for (auto& th : ts) th.join();
  return wrong;
}

enum class Outage { paused, killed };

class Breaker : public ::testing::TestWithParam<Outage> {};

// With the cool-down longer than the test, no probe runs during the load: only
// the calls in flight when the breaker opened can have waited for a timeout
// (failures - 1 before it opened, plus one per thread).
TEST_P(Breaker, OpensAfterConsecutiveFailuresAndSkipsRedis) {
  rc_test::RedisServer server;
  Seen seen;
  constexpr int kThreads = 4, kCalls = 25;
  constexpr std::size_t kFailures = 3;
  rc::RedisCache cache{{.url = server.url(),
                        .command_timeout = 200ms,
                        .pool_size = 4,
                        .exception_handler = seen.handler(),
                        .circuit_breaker = {.failures = kFailures, .cool_down = 600s}}};
  auto f = cache.cache<&triple>({.ttl = 60s});
  EXPECT_EQ(f(1), 3);  // connected and working
  EXPECT_EQ(f(1), 3);
  EXPECT_EQ(f.stats().hits, 1u);
  if (GetParam() == Outage::paused) {
    server.pause();
  } else {
    server.kill();
  }
  EXPECT_EQ(run_load(f, kThreads, kCalls), 0);
  const int failed = seen.timeouts + seen.other_connection;
  EXPECT_GE(failed, static_cast<int>(kFailures)) << "the breaker opened before enough failures";
  EXPECT_LE(failed, static_cast<int>(kFailures) - 1 + kThreads)
      << "calls kept waiting for a dead server after the breaker should have opened";
  EXPECT_EQ(seen.open + failed, kThreads * kCalls);
  EXPECT_EQ(seen.other, 0);
  const rc::Stats s = f.stats();
  EXPECT_EQ(s.circuit_open, static_cast<std::uint64_t>(seen.open.load())) << s;
  EXPECT_EQ(s.errors, static_cast<std::uint64_t>(kThreads * kCalls)) << s;
  // Without a handler the skip is an exception naming the server and the option.
  auto bare = cache.cache<&triple>(
      {.ttl = 60s, .ns = "bare", .exception_handler = [](auto&&...) { throw; }});
  try {
    (void)bare(5);
    ADD_FAILURE() << "expected CircuitOpenError";
  } catch (const rc::CircuitOpenError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("127.0.0.1:" + std::to_string(server.port())), std::string::npos) << msg;
    EXPECT_NE(msg.find("failed 3 times in a row"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Options::circuit_breaker"), std::string::npos) << msg;
  }
  if (GetParam() == Outage::paused) server.resume();
}

// After the cool-down one call probes the server; once it answers again, the
// breaker closes and calls are served by Redis.
TEST_P(Breaker, ProbeClosesItOnceTheServerIsBack) {
  rc_test::RedisServer server;
  Seen seen;
  rc::RedisCache cache{{.url = server.url(),
                        .command_timeout = 200ms,
                        .pool_size = 2,
                        .exception_handler = seen.handler(),
                        .circuit_breaker = {.failures = 2, .cool_down = 50ms}}};
  auto f = cache.cache<&triple>({.ttl = 60s});
  EXPECT_EQ(f(7), 21);
  if (GetParam() == Outage::paused) {
    server.pause();
  } else {
    server.kill();
  }
  ASSERT_TRUE(rc_test::eventually([&] { return f(8) == 24 && seen.open > 0; }));
  if (GetParam() == Outage::paused) {
    server.resume();
  } else {
    server.start();
  }
  const auto hits = f.stats().hits;
  ASSERT_TRUE(rc_test::eventually([&] {
    EXPECT_EQ(f(7), 21);
    return f.stats().hits > hits;  // served from Redis again
  }));
  // Closed: the next calls reach Redis without a skip.
  const int open_before = seen.open;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(f(7), 21);
  EXPECT_EQ(seen.open, open_before);
}

INSTANTIATE_TEST_SUITE_P(Outages, Breaker, ::testing::Values(Outage::paused, Outage::killed),
                         [](const auto& info) {
                           return info.param == Outage::paused ? std::string("Paused")
                                                               : std::string("Killed");
                         });

// failures = 0: no breaker; every call pays its own timeout (the old behaviour).
TEST(BreakerOff, EveryCallWaitsWhenDisabled) {
  rc_test::RedisServer server;
  Seen seen;
  rc::RedisCache cache{{.url = server.url(),
                        .command_timeout = 100ms,
                        .pool_size = 2,
                        .exception_handler = seen.handler(),
                        .circuit_breaker = {.failures = 0}}};
  auto f = cache.cache<&triple>({.ttl = 60s});
  EXPECT_EQ(f(1), 3);
  server.pause();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(f(100 + i), 3 * (100 + i));
  EXPECT_EQ(seen.open, 0);
  EXPECT_EQ(seen.timeouts + seen.other_connection, 6);
  server.resume();
}

}  // namespace
