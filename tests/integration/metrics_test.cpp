// rc::write_metrics against a real redis-server, the exposition read back by
// Prometheus's own parser (tests/support/prom_parse.hpp): the counters equal
// stats() after a known sequence of calls, hostile namespaces stay valid text,
// equal labels add up, histograms count every timed call, the pool gauges
// move, and examples/metrics_http serves it all over HTTP to curl.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/prom_parse.hpp"
#include "support/redis_server.hpp"
#include "support/sync.hpp"

#ifndef RC_PROM_PYTHON3
#error "RC_PROM_PYTHON3 (a python3 with prometheus_client) must be defined by tests/CMakeLists.txt"
#endif

namespace metrics_test {

namespace rc = redis_cache;
using namespace std::chrono_literals;
using Labels = std::map<std::string, std::string>;

int twice(int x) {
  return 2 * x;
}
int thrice(int x) {
  return 3 * x;
}
int macro_fn(int x) {
  return x + 1;
}
REDIS_CACHED_WITH(macro_fn, .ns = "metrics_test.macro_fn")

rc_test::PromText parse(const std::string& text) {
  return rc_test::parse_prom(RC_PROM_PYTHON3, RC_PARSE_METRICS, text);
}
rc_test::PromText scrape(const rc::RedisCache& cache) {
  std::string out;
  rc::write_metrics(out, cache);
  return parse(out);
}
rc_test::PromText scrape_all() {
  std::string out;
  rc::write_metrics(out);
  return parse(out);
}

/// Every Stats field with its exported counter name.
const std::vector<std::pair<std::string, std::uint64_t rc::Stats::*>> kFields = {
    {"hits", &rc::Stats::hits},
    {"misses", &rc::Stats::misses},
    {"fills", &rc::Stats::fills},
    {"errors", &rc::Stats::errors},
    {"decode_failures", &rc::Stats::decode_failures},
    {"coalesced", &rc::Stats::coalesced},
    {"lock_waits", &rc::Stats::lock_waits},
    {"degraded_stores", &rc::Stats::degraded_stores},
    {"circuit_open", &rc::Stats::circuit_open},
    {"fallbacks", &rc::Stats::fallbacks},
};

void expect_counters_equal(const rc_test::PromText& t, const Labels& labels, const rc::Stats& s) {
  for (const auto& [stat, field] : kFields) {
    const std::string family = "redis_cache_" + stat;
    EXPECT_EQ(t.families.count(family) ? t.families.at(family) : "", "counter") << family;
    const auto v = t.get(family + "_total", labels);
    ASSERT_TRUE(v.has_value()) << family << "_total missing for " << labels.at("namespace");
    EXPECT_EQ(*v, static_cast<double>(s.*field)) << family << "_total";
  }
}

TEST(Metrics, CountersEqualStatsAfterHitsMissesErrorsAndFallbacks) {
  rc_test::RedisServer server;
  std::atomic<int> handled{0};
  rc::RedisCache cache{{.url = server.url(), .prefix = "mt_counts"}};
  auto tolerant = cache.cache<&twice>(
      {.ns = "mt.tolerant",
       .exception_handler = [&](const rc::Error&, std::string_view) { ++handled; }});
  auto strict = cache.cache<&thrice>({.ns = "mt.strict"});
  EXPECT_EQ(tolerant(1), 2);  // miss, fill
  EXPECT_EQ(tolerant(1), 2);  // hit
  EXPECT_EQ(tolerant(2), 4);  // miss, fill
  EXPECT_EQ(tolerant(2), 4);  // hit
  EXPECT_EQ(tolerant(2), 4);  // hit
  EXPECT_EQ(strict(1), 3);    // miss, fill
  server.stop();
  EXPECT_EQ(tolerant(3), 6);           // error, fallback
  EXPECT_THROW(strict(1), rc::Error);  // error, no fallback
  EXPECT_EQ(handled.load(), 1);

  const rc::Stats t = tolerant.stats(), s = strict.stats();
  EXPECT_EQ(t.hits, 3u);
  EXPECT_EQ(t.misses, 2u);
  EXPECT_EQ(t.fills, 2u);
  EXPECT_EQ(t.errors, 1u);
  EXPECT_EQ(t.fallbacks, 1u);
  EXPECT_EQ(s.errors, 1u);
  EXPECT_EQ(s.fallbacks, 0u);

  const auto text = scrape(cache);
  expect_counters_equal(text, {{"namespace", "mt.tolerant"}, {"prefix", "mt_counts"}}, t);
  expect_counters_equal(text, {{"namespace", "mt.strict"}, {"prefix", "mt_counts"}}, s);
  // Only this cache's functions, and its pool (size 8 by default, nothing lent now).
  EXPECT_EQ(text.all("redis_cache_hits_total").size(), 2u);
  EXPECT_EQ(text.families.at("redis_cache_pool_size"), "gauge");
  EXPECT_EQ(text.get("redis_cache_pool_size", {{"prefix", "mt_counts"}}), 8.0);
  EXPECT_EQ(text.get("redis_cache_pool_in_use", {{"prefix", "mt_counts"}}), 0.0);
  EXPECT_EQ(text.get("redis_cache_pool_waiters", {{"prefix", "mt_counts"}}), 0.0);
  EXPECT_GE(text.get("redis_cache_pool_open", {{"prefix", "mt_counts"}}).value_or(-1), 1.0);
  // No function turned histograms on: no histogram family.
  EXPECT_EQ(text.families.count("redis_cache_hit_seconds"), 0u);
}

TEST(Metrics, ProcessWideListsRedisCachedAndCacheFunctionsOfEveryCache) {
  rc_test::RedisServer server;
  rc::RedisCache a{{.url = server.url(), .prefix = "mt_pw_a"}};
  rc::RedisCache b{{.url = server.url(), .prefix = "mt_pw_b"}};
  rc::set_default_cache(a);
  auto f = b.cache<&twice>({.ns = "mt.pw"});
  EXPECT_EQ(macro_fn_cached(1), 2);
  EXPECT_EQ(macro_fn_cached(1), 2);
  EXPECT_EQ(f(5), 10);

  const auto all = scrape_all();
  EXPECT_EQ(all.get("redis_cache_hits_total",
                    {{"namespace", "metrics_test.macro_fn"}, {"prefix", "mt_pw_a"}}),
            1.0);
  EXPECT_EQ(all.get("redis_cache_misses_total", {{"namespace", "mt.pw"}, {"prefix", "mt_pw_b"}}),
            1.0);
  EXPECT_TRUE(all.get("redis_cache_pool_size", {{"prefix", "mt_pw_a"}}).has_value());
  EXPECT_TRUE(all.get("redis_cache_pool_size", {{"prefix", "mt_pw_b"}}).has_value());
  // One cache's view leaves the other's out.
  const auto only_b = scrape(b);
  EXPECT_FALSE(only_b
                   .get("redis_cache_hits_total",
                        {{"namespace", "metrics_test.macro_fn"}, {"prefix", "mt_pw_a"}})
                   .has_value());
  EXPECT_FALSE(only_b.get("redis_cache_pool_size", {{"prefix", "mt_pw_a"}}).has_value());
  rc::reset_default_cache();
}

TEST(Metrics, FunctionsGoneAreNoLongerExported) {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url(), .prefix = "mt_gone"}};
  {
    auto f = cache.cache<&twice>({.ns = "mt.gone"});
    f(1);
    EXPECT_EQ(scrape(cache).get("redis_cache_misses_total",
                                {{"namespace", "mt.gone"}, {"prefix", "mt_gone"}}),
              1.0);
  }
  EXPECT_TRUE(scrape(cache).all("redis_cache_misses_total").empty());
}

TEST(Metrics, TwoCachesWithOnePrefixAndNamespaceAddUp) {
  rc_test::RedisServer server;
  rc::RedisCache one{{.url = server.url(), .prefix = "mt_sum", .pool_size = 3}};
  rc::RedisCache two{{.url = server.url(), .prefix = "mt_sum", .pool_size = 5}};
  auto f1 = one.cache<&twice>({.ns = "mt.sum"});
  auto f2 = two.cache<&twice>({.ns = "mt.sum"});
  f1(1);  // miss
  f2(1);  // hit: the same key in the same server
  f2(1);  // hit
  const Labels labels{{"namespace", "mt.sum"}, {"prefix", "mt_sum"}};
  const auto all = scrape_all();  // a series appears once (the parser checks that)
  EXPECT_EQ(all.get("redis_cache_misses_total", labels), 1.0);
  EXPECT_EQ(all.get("redis_cache_hits_total", labels), 2.0);
  EXPECT_EQ(all.get("redis_cache_pool_size", {{"prefix", "mt_sum"}}), 8.0);
  // One cache alone: its own function only.
  EXPECT_EQ(scrape(two).get("redis_cache_hits_total", labels), 2.0);
  EXPECT_EQ(scrape(one).get("redis_cache_hits_total", labels), 0.0);
}

TEST(Metrics, HostileNamespacesStayValidExposition) {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url(), .prefix = "mt\"hostile\\"}};
  const std::vector<std::string> names = {"quote\"d",
                                          "back\\slash\\",
                                          "new\nline",
                                          "tab\there",
                                          "app::f<std::basic_string<char>, \"x\">",
                                          "\xc3\xbc"
                                          "nicode",
                                          "=,# HELP x"};
  std::vector<rc::CachedFunction<std::function<int(int)>, int(int)>> fns;
  for (const auto& ns : names)
    fns.push_back(cache.cache(std::function<int(int)>(twice), {.ns = ns}));
  for (auto& f : fns) f(1);
  auto bad = cache.cache(std::function<int(int)>(twice), {.ns = std::string("bad\xff\xfe")});
  bad(1);
  EXPECT_THROW(cache.cache(std::function<int(int)>(twice), {.ns = "brace{x}"}), rc::ConfigError);

  const auto text = scrape(cache);
  for (const auto& ns : names)
    EXPECT_EQ(
        text.get("redis_cache_misses_total", {{"namespace", ns}, {"prefix", "mt\"hostile\\"}}), 1.0)
        << ns;
  // Bytes that are not UTF-8 become U+FFFD: the label stays valid.
  EXPECT_EQ(text.get("redis_cache_misses_total",
                     {{"namespace", "bad\xef\xbf\xbd\xef\xbf\xbd"}, {"prefix", "mt\"hostile\\"}}),
            1.0);
}

TEST(Metrics, LatencyHistogramsCountEveryTimedCall) {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url(), .prefix = "mt_hist"}};
  auto timed = cache.cache<&twice>({.ns = "mt.timed", .latency_histogram = true});
  auto untimed = cache.cache<&thrice>({.ns = "mt.untimed"});
  timed(1);  // miss + fill
  timed(1);  // hit
  timed(1);  // hit
  untimed(1);
  const auto text = scrape(cache);
  const Labels labels{{"namespace", "mt.timed"}, {"prefix", "mt_hist"}};
  for (const auto& [kind, count] :
       std::map<std::string, double>{{"hit", 2}, {"miss", 1}, {"fill", 1}}) {
    const std::string family = "redis_cache_" + kind + "_seconds";
    EXPECT_EQ(text.families.at(family), "histogram");
    EXPECT_EQ(text.get(family + "_count", labels), count) << family;
    EXPECT_GT(text.get(family + "_sum", labels).value_or(0), 0.0) << family;
    Labels inf = labels;
    inf["le"] = "+Inf";
    EXPECT_EQ(text.get(family + "_bucket", inf), count);
    // Cumulative: never decreasing, from 50 us to 5 s, then +Inf.
    double last = 0;
    std::size_t buckets = 0;
    for (const auto& s : text.all(family + "_bucket")) {
      if (s.labels.at("namespace") != "mt.timed") continue;
      EXPECT_GE(s.value, last);
      last = s.value;
      ++buckets;
    }
    EXPECT_EQ(buckets, 17u);  // 16 bounds and +Inf
    EXPECT_TRUE(text.get(family + "_bucket",
                         [&] {
                           Labels l = labels;
                           l["le"] = "5e-05";
                           return l;
                         }())
                    .has_value());
    EXPECT_FALSE(text.get(family + "_count", {{"namespace", "mt.untimed"}, {"prefix", "mt_hist"}})
                     .has_value());
  }
}

TEST(Metrics, PoolGaugesShowConnectionsInUseAndWaiters) {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url(),
                        .prefix = "mt_pool",
                        .command_timeout = 0ms,  // wait for the paused server
                        .pool_size = 1,
                        .pool_wait_timeout = 0ms}};
  auto f = cache.cache<&twice>({.ns = "mt.pool"});
  f(1);  // the one connection is open
  const Labels labels{{"prefix", "mt_pool"}};
  server.pause();
  std::thread first([&] { f(2); });   // holds the connection, waits for a reply
  std::thread second([&] { f(3); });  // waits for the connection
  EXPECT_TRUE(rc_test::eventually([&] {
    const auto t = scrape(cache);  // scraping never waits for the calls
    return t.get("redis_cache_pool_in_use", labels) == 1.0 &&
           t.get("redis_cache_pool_waiters", labels) == 1.0;
  }));
  server.resume();
  first.join();
  second.join();
  const auto t = scrape(cache);
  EXPECT_EQ(t.get("redis_cache_pool_in_use", labels), 0.0);
  EXPECT_EQ(t.get("redis_cache_pool_waiters", labels), 0.0);
  EXPECT_EQ(t.get("redis_cache_pool_open", labels), 1.0);
  EXPECT_EQ(t.get("redis_cache_pool_size", labels), 1.0);
}

// redis_cache_circuits_open: 1 while the server's breaker is open (calls skip it),
// 0 again once a probe found the server back.
TEST(Metrics, CircuitsOpenGaugeFollowsTheBreaker) {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url(),
                        .prefix = "mt_breaker",
                        .exception_handler = [](const rc::Error&, std::string_view) {},
                        .circuit_breaker = {.failures = 2, .cool_down = 50ms}}};
  auto f = cache.cache<&twice>({.ns = "mt.breaker"});
  const Labels labels{{"prefix", "mt_breaker"}};
  EXPECT_EQ(f(1), 2);
  server.kill();
  ASSERT_TRUE(rc_test::eventually([&] { return f(2) == 4 && f.stats().circuit_open > 0; }));
  const auto open = scrape(cache);  // no call since, so no probe
  EXPECT_EQ(open.families.at("redis_cache_circuits_open"), "gauge");
  EXPECT_EQ(open.get("redis_cache_circuits_open", labels), 1.0);
  server.start();
  const auto hits = f.stats().hits;
  ASSERT_TRUE(rc_test::eventually([&] { return f(1) == 2 && f.stats().hits > hits; }));
  EXPECT_EQ(scrape(cache).get("redis_cache_circuits_open", labels), 0.0);
}

// Scrapes while calls run and functions come and go on other threads (run under
// ThreadSanitizer by tools/test.sh): no data race, and once the calls stop the
// counters are exactly stats().
TEST(MetricsUnderLoad, ScrapesWhileCallsRunAndFunctionsComeAndGo) {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url(), .prefix = "mt_load", .pool_size = 4}};
  auto f = cache.cache<&twice>({.ns = "mt.load", .latency_histogram = true});
  std::atomic<bool> stop{false};
  std::atomic<int> scrapes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        f(i % 50);
        auto temp = cache.cache<&thrice>({.ns = "mt.load.temp" + std::to_string(t)});
        temp(i % 5);
      }
    });
  threads.emplace_back([&] {
    while (!stop) {
      std::string out;
      rc::write_metrics(out);
      ++scrapes;
    }
  });
  EXPECT_TRUE(rc_test::eventually([&] { return scrapes >= 20 && f.stats().hits >= 200; }));
  stop = true;
  for (auto& t : threads) t.join();
  const auto text = scrape(cache);
  const Labels labels{{"namespace", "mt.load"}, {"prefix", "mt_load"}};
  expect_counters_equal(text, labels, f.stats());
  EXPECT_EQ(text.get("redis_cache_hit_seconds_count", labels), static_cast<double>(f.stats().hits));
}

#ifdef RC_METRICS_HTTP
TEST(Metrics, ExampleEndpointServesMetricsOverHttp) {
  rc_test::RedisServer server;
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    ::setenv("REDIS_URL", server.url().c_str(), 1);
    ::execl(RC_METRICS_HTTP, RC_METRICS_HTTP, "0", "2", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string line;  // "serving http://127.0.0.1:<port>/metrics\n"
  char c = 0;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(out[0]);
  const auto at = line.find("http://");
  ASSERT_NE(at, std::string::npos) << "metrics_http printed: " << line;
  const std::string url = line.substr(at);

  char path[] = "/tmp/rc_scrape_XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  const auto [status, msg] =
      rc_test::run_shell(std::string(RC_CURL) + " -sS --fail --max-time 60 -o " + path + " " + url);
  EXPECT_EQ(status, 0) << msg;
  const auto text = rc_test::parse_prom_file(RC_PROM_PYTHON3, RC_PARSE_METRICS, path);
  ::unlink(path);
  const Labels labels{{"namespace", "square"}, {"prefix", "rc"}};
  // The example's own calls: two misses, then a hit.
  EXPECT_EQ(text.families.at("redis_cache_hits"), "counter");
  EXPECT_EQ(text.families.at("redis_cache_pool_in_use"), "gauge");
  EXPECT_EQ(text.families.at("redis_cache_hit_seconds"), "histogram");
  EXPECT_EQ(text.get("redis_cache_misses_total", labels), 2.0);
  EXPECT_EQ(text.get("redis_cache_hits_total", labels), 1.0);
  EXPECT_EQ(text.get("redis_cache_hit_seconds_count", labels), 1.0);
  // Anything else is a 404 (and the second of the two requests it serves).
  const auto [status404, body] =
      rc_test::run_shell(std::string(RC_CURL) + " -s -o /dev/null -w '%{http_code}' " +
                         url.substr(0, url.find("/metrics")) + "/other");
  EXPECT_EQ(body, "404");
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
}
#else
TEST(Metrics, ExampleEndpointServesMetricsOverHttp) {
  FAIL() << "examples/metrics_http is not built (REDIS_CACHE_BUILD_EXAMPLES=OFF)";
}
#endif

}  // namespace metrics_test
