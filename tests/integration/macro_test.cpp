// REDIS_CACHED: the one-line form, the registry and the default cache. What
// needs no server (registration, the error without a default cache) is in
// tests/unit/macro_registry_test.cpp.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "access.hpp"
#include "support/redis_server.hpp"
#include "support/sync.hpp"

namespace rc = redis_cache;

namespace macro_app {
int loads = 0;
int load_score(int id) {
  return ++loads, id * 3;
}
double area(double r) {
  return ++loads, 3.0 * r * r;
}
double area(double w, double h) {
  return ++loads, w * h;
}
}  // namespace macro_app

namespace macro_app {
REDIS_CACHED(load_score, 300, 1000)
REDIS_CACHED_AS(rect_area_cached, static_cast<double (*)(double, double)>(&area), 0, 0);

std::string greet(int id) {
  return "hi " + std::to_string(id);
}
REDIS_CACHED(greet, 0, 0)

using namespace std::chrono_literals;
int minutes(int x) {
  return ++loads, x + 1;
}
REDIS_CACHED(minutes, 5min, 10)  // a std::chrono TTL
std::string tagged(int id, const std::string& tag) {
  return ++loads, tag + std::to_string(id);
}
REDIS_CACHED_WITH(tagged, .ttl = 90s, .limit = 5, .ns = "macro.tagged",
                  .arg_names = {"user_id", "tag"})

rc::RedisCache* switch_to = nullptr;  // the next fact() makes it the default cache
long fact(int n);
REDIS_CACHED(fact, 0, 0)
long fact(int n) {
  if (switch_to != nullptr) rc::set_default_cache(*std::exchange(switch_to, nullptr));
  return n <= 1 ? 1 : n * fact_cached(n - 1);
}
}  // namespace macro_app

namespace {
/// Client connections the server has open, redis-cli's own included.
int connected_clients(const rc_test::RedisServer& server) {
  const std::string info = server.cli({"INFO", "clients"});
  const auto at = info.find("connected_clients:");
  return at == std::string::npos ? -1 : std::atoi(info.c_str() + at + 18);
}
}  // namespace

TEST(Macro, BindsToDefaultCacheAndRebinds) {
  rc_test::RedisServer one, two;
  rc::RedisCache c1{{.url = one.url()}};
  rc::set_default_cache(c1);
  macro_app::loads = 0;
  const auto stored_after = std::chrono::steady_clock::now();
  EXPECT_EQ(macro_app::load_score_cached(2), 6);
  EXPECT_EQ(macro_app::load_score_cached(2), 6);
  EXPECT_EQ(macro_app::loads, 1);
  EXPECT_EQ(one.cli({"EXISTS", macro_app::load_score_cached.key(2)}), "1");
  // Stored with the macro's 300 s: what is left is 300 s less the time since
  // (measured, however long it was; 1 s for the server's coarser clock).
  const long long pttl = std::stoll(one.cli({"PTTL", macro_app::load_score_cached.key(2)}));
  const long long since = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - stored_after)
                              .count();
  EXPECT_LE(pttl, 300'000);
  EXPECT_GE(pttl, 300'000 - since - 1000);

  rc::RedisCache c2{{.url = two.url(), .prefix = "other"}};
  rc::set_default_cache(c2);
  EXPECT_EQ(macro_app::load_score_cached(2), 6);  // new server: a miss
  EXPECT_EQ(macro_app::loads, 2);
  EXPECT_EQ(macro_app::load_score_cached.key(2).rfind("{other:", 0), 0u);

  EXPECT_TRUE(macro_app::load_score_cached.invalidate(2));
  EXPECT_GE(macro_app::load_score_cached.invalidate_all(), 0u);
  EXPECT_DOUBLE_EQ(macro_app::rect_area_cached(2.0, 3.0), 6.0);
  EXPECT_DOUBLE_EQ(macro_app::rect_area_cached(2.0, 3.0), 6.0);
  EXPECT_EQ(macro_app::loads, 3);
}

TEST(Macro, DefaultCacheFromRedisUrl) {
  rc_test::RedisServer server;
  ::setenv("REDIS_URL", server.url().c_str(), 1);
  macro_app::loads = 0;
  EXPECT_EQ(macro_app::load_score_cached(5), 15);
  EXPECT_EQ(macro_app::load_score_cached(5), 15);
  EXPECT_EQ(macro_app::loads, 1);
  EXPECT_EQ(server.cli({"EXISTS", macro_app::load_score_cached.key(5)}), "1");
}

TEST(Macro, DefaultFollowsAMovedCache) {
  rc_test::RedisServer server;
  rc::RedisCache c{{.url = server.url()}};
  rc::set_default_cache(c);
  macro_app::loads = 0;
  EXPECT_EQ(macro_app::load_score_cached(4), 12);
  rc::RedisCache d = std::move(c);
  EXPECT_EQ(macro_app::load_score_cached(4), 12);  // still bound, through d
  EXPECT_EQ(macro_app::loads, 1);
  EXPECT_FALSE(rc::registry().empty());
}

TEST(Macro, SetDefaultCacheAgainKeepsTheBindingAndItsStats) {
  rc_test::RedisServer server;
  rc::RedisCache c{{.url = server.url()}};
  rc::set_default_cache(c);
  macro_app::load_score_cached(1);
  macro_app::load_score_cached(1);
  rc::set_default_cache(c);
  EXPECT_EQ(macro_app::load_score_cached.stats().hits, 1u);
  // Braced lists work on the macro form too.
  EXPECT_EQ(macro_app::load_score_cached.mget({{1}, {2}}), (std::vector<int>{3, 6}));
}

TEST(Macro, RegistryKeyPrefixFollowsTheCodec) {
  rc_test::RedisServer server;
  rc::RedisCache c{{.url = server.url(), .codec = rc::Codec::json}};
  rc::set_default_cache(c);
  bool found = false;
  for (const auto& e : rc::registry()) {
    if (e.name != "load_score_cached") continue;
    found = true;
    EXPECT_EQ(macro_app::load_score_cached.key(1).rfind(e.key_prefix, 0), 0u)
        << e.key_prefix << " vs " << macro_app::load_score_cached.key(1);
  }
  EXPECT_TRUE(found) << "load_score_cached is not in the registry";
}

TEST(Macro, RebindingReleasesTheEarlierDefaultCache) {
  rc_test::RedisServer one, two;
  auto c1 = std::make_unique<rc::RedisCache>(rc::Options{.url = one.url()});
  rc::set_default_cache(*c1);
  EXPECT_EQ(macro_app::greet_cached(1), "hi 1");
  std::thread([] { EXPECT_EQ(macro_app::greet_cached(2), "hi 2"); }).join();  // bound, exited
  EXPECT_GE(connected_clients(one), 2);  // the pool's connection and redis-cli
  const std::weak_ptr<rc::detail::CacheCore> core1 = rc::detail::Access::core(*c1);

  rc::RedisCache c2{{.url = two.url()}};
  rc::set_default_cache(c2);
  c1.reset();
  EXPECT_EQ(macro_app::greet_cached(1), "hi 1");  // rebinds to c2, drops c1's binding
  EXPECT_TRUE(core1.expired()) << "the binding to the earlier default cache is still alive";
  EXPECT_EQ(two.cli({"EXISTS", macro_app::greet_cached.key(1)}), "1");

  // Its pool is closed: only redis-cli stays connected to the old server.
  int clients = connected_clients(one);
  for (int i = 0; i < 100 && clients != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    clients = connected_clients(one);
  }
  EXPECT_EQ(clients, 1);
}

TEST(Macro, ACallInFlightFinishesOnItsCacheWhenANestedCallRebinds) {
  rc_test::RedisServer one, two;
  auto c1 = std::make_unique<rc::RedisCache>(rc::Options{.url = one.url()});
  rc::RedisCache c2{{.url = two.url()}};
  rc::set_default_cache(*c1);
  const std::weak_ptr<rc::detail::CacheCore> core1 = rc::detail::Access::core(*c1);
  macro_app::switch_to = &c2;  // fact(5) switches to c2 before calling fact_cached(4)
  EXPECT_EQ(macro_app::fact_cached(5), 120);
  EXPECT_EQ(one.cli({"EXISTS", macro_app::fact_cached.key(5)}), "1");  // stored by c1
  EXPECT_EQ(one.cli({"EXISTS", macro_app::fact_cached.key(4)}), "0");
  EXPECT_EQ(two.cli({"EXISTS", macro_app::fact_cached.key(4)}), "1");
  EXPECT_EQ(two.cli({"EXISTS", macro_app::fact_cached.key(5)}), "0");
  c1.reset();  // the outer call returned: nothing holds c1's binding any more
  EXPECT_TRUE(core1.expired());
}

TEST(Macro, RebindingWhileOtherThreadsCall) {
  rc_test::RedisServer one, two;
  rc::RedisCache c1{{.url = one.url()}};
  rc::RedisCache c2{{.url = two.url()}};
  rc::set_default_cache(c1);
  std::atomic<int> calls{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([t, &calls, &done] {
      for (int i = 0; !done || i < 200; ++i) {
        EXPECT_EQ(macro_app::greet_cached(t * 10 + i % 10),
                  "hi " + std::to_string(t * 10 + i % 10));
        ++calls;
      }
    });
  for (int i = 0; i < 50; ++i) {
    const int seen = calls;  // some call between any two rebinds
    EXPECT_TRUE(rc_test::eventually([&] { return calls > seen; })) << "the callers stopped";
    rc::set_default_cache(i % 2 == 0 ? c2 : c1);
  }
  done = true;
  for (auto& t : threads) t.join();
  rc::set_default_cache(c1);
}

TEST(Macro, TtlAsAChronoDuration) {
  rc_test::RedisServer server;
  rc::set_default_cache(rc::RedisCache{{.url = server.url()}});  // kept: a copy
  EXPECT_EQ(macro_app::minutes_cached(1), 2);
  const long long ttl = std::stoll(server.cli({"TTL", macro_app::minutes_cached.key(1)}));
  EXPECT_LE(ttl, 300);
  EXPECT_GT(ttl, 60);  // 5 minutes, not 5 seconds (or none)
  bool found = false;
  for (const auto& e : rc::registry()) {
    if (e.name != "minutes_cached") continue;
    found = true;
    EXPECT_EQ(e.ttl, std::chrono::seconds(300));
  }
  EXPECT_TRUE(found);
}

TEST(Macro, WithTakesAnyCacheOptions) {
  rc_test::RedisServer server;
  rc::set_default_cache(rc::RedisCache{{.url = server.url()}});
  macro_app::loads = 0;
  EXPECT_EQ(macro_app::tagged_cached(7, "u"), "u7");
  EXPECT_EQ(macro_app::tagged_cached(7, "u"), "u7");
  EXPECT_EQ(macro_app::loads, 1);
  const std::string key = macro_app::tagged_cached.key(7, "u");
  EXPECT_EQ(key.rfind("{rc:macro.tagged}:", 0), 0u) << key;
  const long long ttl = std::stoll(server.cli({"TTL", key}));
  EXPECT_LE(ttl, 90);
  EXPECT_GT(ttl, 0);
  EXPECT_EQ(server.cli({"ZCARD", "{rc:macro.tagged}:keys"}), "1");  // limit > 0: FIFO index
  bool found = false;
  for (const auto& e : rc::registry()) {
    if (e.name != "tagged_cached") continue;
    found = true;
    EXPECT_EQ(e.ns, "macro.tagged");
    EXPECT_EQ(e.limit, 5u);
  }
  EXPECT_TRUE(found);
}

TEST(Macro, WithWorksUnderAPythonCodecDefaultCache) {
  // REDIS_CACHED could not set ns / arg_names: under Codec::python every call threw.
  rc_test::RedisServer server;
  rc::set_default_cache(rc::RedisCache{{.url = server.url(), .codec = rc::Codec::python}});
  EXPECT_EQ(macro_app::tagged_cached(7, "en"), "en7");
  // python-redis-cache's key: base64 of {"tag":"en","user_id":7} (sorted), no schema.
  EXPECT_EQ(macro_app::tagged_cached.key(7, "en"),
            "{rc:macro.tagged}:eyJ0YWciOiJlbiIsInVzZXJfaWQiOjd9");
  EXPECT_EQ(server.cli({"GET", macro_app::tagged_cached.key(7, "en")}), "\"en7\"");
}

TEST(Macro, TheDefaultCacheIsACopyThatOutlivesTheOriginal) {
  rc_test::RedisServer server;
  macro_app::loads = 0;
  {
    rc::RedisCache c{{.url = server.url()}};
    rc::set_default_cache(c);
  }  // c is gone; the registry's copy is not (it used to dangle)
  EXPECT_EQ(macro_app::load_score_cached(3), 9);
  EXPECT_EQ(macro_app::load_score_cached(3), 9);
  EXPECT_EQ(macro_app::loads, 1);
  EXPECT_EQ(server.cli({"EXISTS", macro_app::load_score_cached.key(3)}), "1");
  const rc::RedisCache d = rc::default_cache();
  EXPECT_EQ(d.options().url, server.url());
}

TEST(Macro, SetDefaultCacheOfACopyKeepsTheBinding) {
  rc_test::RedisServer server;
  rc::RedisCache c{{.url = server.url()}};
  rc::set_default_cache(c);
  macro_app::load_score_cached(1);
  macro_app::load_score_cached(1);
  const rc::RedisCache copy = c;
  rc::set_default_cache(copy);  // the same shared state: same binding, same counters
  EXPECT_EQ(macro_app::load_score_cached.stats().hits, 1u);
}

TEST(Macro, ResetDefaultCacheReleasesIt) {
  rc_test::RedisServer server;
  std::weak_ptr<rc::detail::CacheCore> core;
  {
    rc::RedisCache c{{.url = server.url()}};
    core = rc::detail::Access::core(c);
    rc::set_default_cache(c);
  }
  EXPECT_FALSE(core.expired());  // the registry's copy
  ::unsetenv("REDIS_URL");
  rc::reset_default_cache();
  EXPECT_TRUE(core.expired());
  EXPECT_THROW(macro_app::load_score_cached(1), rc::ConfigError);
}

// A REDIS_CACHED function is a drop-in for cache.cache<&fn>(): the function's own
// parameter types (braced arguments convert), rc::call in RedisCache::mget, key,
// invalidate, stats.
namespace macro_app {
struct Pt {
  int x = 0;
  int y = 0;
};
Pt centroid(const std::vector<Pt>& pts) {
  ++loads;
  Pt c;
  for (const Pt& p : pts) c = {c.x + p.x, c.y + p.y};
  const int n = static_cast<int>(pts.size());
  return n == 0 ? c : Pt{c.x / n, c.y / n};
}
REDIS_CACHED(centroid, 0, 0)
int sq(int x) {
  return ++loads, x * x;
}
REDIS_CACHED(sq, 0, 0)
std::string name_of(int id) {
  return ++loads, "n" + std::to_string(id);
}
REDIS_CACHED(name_of, 0, 0)
struct Box {
  static int twice(int x) { return ++loads, 2 * x; }
  static int thrice(int x) { return ++loads, 3 * x; }
  REDIS_CACHED_MEMBER(thrice, 60s, 0)  // inside the class: Box::thrice_cached
  static std::string label(int x) { return ++loads, "box" + std::to_string(x); }
  REDIS_CACHED_MEMBER_WITH(label, .ttl = 60s, .ns = "macro_app.box.label")
};
REDIS_CACHED_AS(box_twice_cached, &Box::twice, 0, 0)  // a static member function
}  // namespace macro_app

TEST(Macro, TakesTheFunctionsOwnParameterTypes) {
  rc_test::RedisServer server;
  rc::RedisCache c{{.url = server.url()}};
  rc::set_default_cache(c);
  macro_app::loads = 0;
  const macro_app::Pt mid = macro_app::centroid_cached({{0, 0}, {2, 4}});
  EXPECT_EQ(mid.x, 1);
  EXPECT_EQ(mid.y, 2);
  EXPECT_EQ(macro_app::centroid_cached({{0, 0}, {2, 4}}).x, 1);
  EXPECT_EQ(macro_app::loads, 1);
  EXPECT_EQ(macro_app::centroid_cached.stats().hits, 1u);
  // The same key as the programmatic form, given braced arguments too.
  EXPECT_EQ(macro_app::centroid_cached.key({{0, 0}, {2, 4}}),
            c.cache<&macro_app::centroid>().key({{0, 0}, {2, 4}}));
  EXPECT_EQ(server.cli({"EXISTS", macro_app::centroid_cached.key({{0, 0}, {2, 4}})}), "1");
  EXPECT_TRUE(macro_app::centroid_cached.invalidate({{0, 0}, {2, 4}}));
  EXPECT_FALSE(macro_app::centroid_cached.invalidate({{0, 0}, {2, 4}}));
  EXPECT_EQ(macro_app::centroid_cached({{0, 0}, {2, 4}}).y, 2);  // a miss again
  EXPECT_EQ(macro_app::loads, 2);
  // A conversion the function allows (a double to int) is allowed here too.
  EXPECT_EQ(macro_app::sq_cached(3.0), 9);
  EXPECT_EQ(macro_app::box_twice_cached(4), 8);
  EXPECT_EQ(macro_app::box_twice_cached(4), 8);
  EXPECT_EQ(macro_app::loads, 4);
  EXPECT_EQ(macro_app::box_twice_cached.bound().ns(), "macro_app::Box::twice");
  // The in-class forms: static members of Box, cached as REDIS_CACHED's are.
  EXPECT_EQ(macro_app::Box::thrice_cached(4), 12);
  EXPECT_EQ(macro_app::Box::thrice_cached(4), 12);
  EXPECT_EQ(macro_app::loads, 5);
  EXPECT_EQ(macro_app::Box::thrice_cached.stats().hits, 1u);
  EXPECT_EQ(macro_app::Box::thrice_cached.bound().ns(), "macro_app::Box::thrice");
  EXPECT_EQ(server.cli({"TTL", macro_app::Box::thrice_cached.key(4)}), "60");
  EXPECT_EQ(macro_app::Box::label_cached(2), "box2");
  EXPECT_EQ(macro_app::Box::label_cached(2), "box2");
  EXPECT_EQ(macro_app::loads, 6);
  EXPECT_EQ(macro_app::Box::label_cached.bound().ns(), "macro_app.box.label");
  EXPECT_EQ(macro_app::Box::label_cached.name(), "label_cached");
}

TEST(Macro, CallInTheCachesMgetUsesTheDefaultCacheBinding) {
  rc_test::RedisServer server;
  rc::RedisCache c{{.url = server.url()}};
  rc::set_default_cache(c);
  macro_app::loads = 0;
  EXPECT_EQ(macro_app::sq_cached(3), 9);
  auto prog = c.cache<&macro_app::sq>({.ns = "macro.sq.programmatic"});
  const auto [a, b, p] = c.mget(rc::call(macro_app::sq_cached, 3),
                                rc::call(macro_app::name_of_cached, 4), rc::call(prog, 5));
  EXPECT_EQ(a, 9);
  EXPECT_EQ(b, "n4");
  EXPECT_EQ(p, 25);
  EXPECT_EQ(macro_app::loads, 3);  // sq(3) was a hit
  EXPECT_EQ(macro_app::sq_cached.stats().hits, 1u);
  EXPECT_EQ(macro_app::name_of_cached.stats().misses + macro_app::name_of_cached.stats().hits, 1u);
  EXPECT_EQ(server.cli({"EXISTS", macro_app::name_of_cached.key(4)}), "1");
  EXPECT_EQ(macro_app::name_of_cached(4), "n4");  // stored by the batch
  EXPECT_EQ(macro_app::loads, 3);
  // A copy of the default cache shares its state: the same binding.
  const rc::RedisCache copy = c;
  EXPECT_EQ(std::get<0>(copy.mget(rc::call(macro_app::sq_cached, 3))), 9);
  // Another cache: the function belongs to the default one.
  rc::RedisCache other{{.url = server.url()}};
  try {
    other.mget(rc::call(macro_app::sq_cached, 3));
    FAIL() << "expected ConfigError";
  } catch (const rc::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("default cache"), std::string::npos) << e.what();
  }
  EXPECT_EQ(macro_app::loads, 3);
}

TEST(Macro, BadRedisUrlSaysItCameFromTheEnvironment) {
  rc::reset_default_cache();
  ::setenv("REDIS_URL", "http://127.0.0.1:6379", 1);
  try {
    macro_app::sq_cached(2);
    FAIL() << "expected ConfigError";
  } catch (const rc::ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("environment variable REDIS_URL"), std::string::npos) << what;
    EXPECT_NE(what.find("http://127.0.0.1:6379"), std::string::npos) << what;
  }
  ::unsetenv("REDIS_URL");
}
