// REDIS_CACHED without a server: the macro registers the function with its
// options, and a call with no default cache and no REDIS_URL is a ConfigError
// that says how to provide one. Against servers: tests/integration/macro_test.cpp.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>

namespace rc = redis_cache;

namespace macro_app {
int loads = 0;
int load_score(int id) {
  return ++loads, id * 3;
}
REDIS_CACHED(load_score, 300, 1000)
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
