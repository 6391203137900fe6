// Options::on_event: each cached call reports its hits, misses, fills, errors
// and fallbacks, in the order they happen, with durations only when the
// function's latency histogram is on; a hook that throws changes nothing.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "support/redis_server.hpp"

namespace events_test {

namespace rc = redis_cache;
using K = rc::EventKind;

int twice(int x) {
  return 2 * x;
}

/// What a hook saw: (namespace, kind, duration).
struct Recorder {
  std::mutex mu;
  std::vector<std::tuple<std::string, K, std::chrono::nanoseconds>> events;
  rc::EventHandler hook() {
    return [this](const rc::Event& e) {
      std::lock_guard lock(mu);
      events.emplace_back(std::string(e.ns), e.kind, e.duration);
    };
  }
  std::vector<K> kinds(const std::string& ns) {
    std::lock_guard lock(mu);
    std::vector<K> out;
    for (const auto& [n, k, d] : events)
      if (n == ns) out.push_back(k);
    return out;
  }
  void clear() {
    std::lock_guard lock(mu);
    events.clear();
  }
};

TEST(Events, HookReceivesEveryKindInOrder) {
  rc_test::RedisServer server;
  Recorder rec;
  rc::RedisCache cache{{.url = server.url(), .on_event = rec.hook()}};
  auto tolerant = cache.cache<&twice>(
      {.ns = "ev.tolerant", .exception_handler = [](const rc::Error&, std::string_view) {}});
  auto strict = cache.cache<&twice>({.ns = "ev.strict"});
  tolerant(1);  // a miss: its fill is stored before the call returns
  tolerant(1);
  strict(1);
  server.stop();
  tolerant(2);
  EXPECT_THROW(strict(2), rc::Error);
  EXPECT_EQ(rec.kinds("ev.tolerant"),
            (std::vector<K>{K::fill, K::miss, K::hit, K::error, K::fallback}));
  EXPECT_EQ(rec.kinds("ev.strict"), (std::vector<K>{K::fill, K::miss, K::error}));
  for (const auto& [ns, kind, d] : rec.events) EXPECT_EQ(d.count(), 0) << rc::to_string(kind);
  EXPECT_EQ(rc::to_string(K::near_hit), "near_hit");
  EXPECT_EQ(rc::to_string(K::fallback), "fallback");
}

TEST(Events, BatchCallsReportEachHitMissAndFill) {
  rc_test::RedisServer server;
  Recorder rec;
  rc::RedisCache cache{{.url = server.url(), .on_event = rec.hook()}};
  auto f = cache.cache<&twice>({.ns = "ev.batch"});
  f(1);
  rec.clear();
  EXPECT_EQ(f.mget({std::tuple{1}, std::tuple{2}, std::tuple{3}}), (std::vector<int>{2, 4, 6}));
  EXPECT_EQ(rec.kinds("ev.batch"), (std::vector<K>{K::hit, K::miss, K::miss, K::fill, K::fill}));
  rec.clear();
  auto [a, b] = cache.mget(rc::call(f, 1), rc::call(f, 4));
  EXPECT_EQ(a + b, 10);
  EXPECT_EQ(rec.kinds("ev.batch"), (std::vector<K>{K::hit, K::miss, K::fill}));
  EXPECT_EQ(f.stats().hits, 2u);
}

TEST(Events, DurationsOnlyWithLatencyHistogram) {
  rc_test::RedisServer server;
  Recorder rec;
  rc::RedisCache cache{{.url = server.url(), .on_event = rec.hook()}};
  auto timed = cache.cache<&twice>({.ns = "ev.timed", .latency_histogram = true});
  timed(1);
  timed(1);
  ASSERT_EQ(rec.kinds("ev.timed"), (std::vector<K>{K::fill, K::miss, K::hit}));
  std::chrono::nanoseconds fill{}, miss{};
  for (const auto& [ns, kind, d] : rec.events) {
    EXPECT_GT(d.count(), 0) << rc::to_string(kind);  // each took a round trip at least
    if (kind == K::fill) fill = d;
    if (kind == K::miss) miss = d;
  }
  EXPECT_GE(miss, fill);  // the miss's time includes its fill
}

TEST(Events, ThrowingHookChangesNothing) {
  rc_test::RedisServer server;
  int seen = 0;
  rc::RedisCache cache{{.url = server.url(), .on_event = [&](const rc::Event&) {
                          ++seen;
                          throw std::runtime_error("hook failed");
                        }}};
  auto f = cache.cache<&twice>({.ns = "ev.throwing"});
  EXPECT_EQ(f(4), 8);
  EXPECT_EQ(f(4), 8);
  EXPECT_EQ(seen, 3);  // fill, miss, hit
  EXPECT_EQ(f.stats().hits, 1u);
  EXPECT_EQ(f.stats().fills, 1u);
}

}  // namespace events_test
