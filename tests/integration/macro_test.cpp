// REDIS_CACHED: the one-line form, the registry and the default cache.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "support/redis_server.hpp"

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
}  // namespace macro_app

TEST(Macro, DefinesCachedFunctionAndRegistersIt) {
  bool found = false;
  for (const auto& e : rc::registry()) {
    if (e.name == "load_score_cached") {
      found = true;
      EXPECT_EQ(e.function, "macro_app::load_score");
      EXPECT_EQ(e.ns, "macro_app::load_score");
      EXPECT_EQ(e.ttl, std::chrono::seconds(300));
      EXPECT_EQ(e.limit, 1000u);
      EXPECT_EQ(e.key_prefix.rfind("{rc:macro_app::load_score}:", 0), 0u) << e.key_prefix;
    }
  }
  EXPECT_TRUE(found);
}

TEST(Macro, ErrorWhenNoDefaultCacheAndNoRedisUrl) {
  ::unsetenv("REDIS_URL");
  try {
    macro_app::load_score_cached(1);
    FAIL() << "expected ConfigError";
  } catch (const rc::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("set_default_cache"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("REDIS_URL"), std::string::npos) << e.what();
  }
  EXPECT_EQ(macro_app::loads, 0);
}

TEST(Macro, BindsToDefaultCacheAndRebinds) {
  rc_test::RedisServer one, two;
  rc::RedisCache c1{{.url = one.url()}};
  rc::set_default_cache(c1);
  macro_app::loads = 0;
  EXPECT_EQ(macro_app::load_score_cached(2), 6);
  EXPECT_EQ(macro_app::load_score_cached(2), 6);
  EXPECT_EQ(macro_app::loads, 1);
  EXPECT_EQ(one.cli({"EXISTS", macro_app::load_score_cached.key(2)}), "1");
  EXPECT_EQ(one.cli({"TTL", macro_app::load_score_cached.key(2)}), "300");

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
  for (const auto& e : rc::registry()) {
    if (e.name != "load_score_cached") continue;
    EXPECT_EQ(macro_app::load_score_cached.key(1).rfind(e.key_prefix, 0), 0u)
        << e.key_prefix << " vs " << macro_app::load_score_cached.key(1);
  }
}
