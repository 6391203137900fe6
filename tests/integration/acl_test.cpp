// The README's least-privilege ACL user is enough for every cache operation.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "support/redis_server.hpp"

namespace rc = redis_cache;
using namespace std::chrono_literals;

namespace {
int triple(int x) {
  return 3 * x;
}
}  // namespace

TEST(Acl, ReadmeLeastPrivilegeUserRunsEveryCacheOperation) {
  rc_test::RedisServer server;
  // Exactly the rule the README gives.
  const std::string rule =
      "on >s3cr@t ~rc:* ~{rc:* +get +set +mget +del +unlink +eval +evalsha +zadd +zrem "
      "+zremrangebyscore +zcard +zpopmin +time +hset +scan +ping +client|setname +select";
  std::vector<std::string> args{"ACL", "SETUSER", "cache-user"};
  for (std::size_t pos = 0; pos < rule.size();) {
    const auto sp = rule.find(' ', pos);
    args.push_back(rule.substr(pos, sp == std::string::npos ? std::string::npos : sp - pos));
    pos = sp == std::string::npos ? rule.size() : sp + 1;
  }
  ASSERT_EQ(server.cli(args), "OK");
  rc::RedisCache cache{
      {.url = "redis://cache-user:s3cr%40t@127.0.0.1:" + std::to_string(server.port()) + "/0"}};
  auto f = cache.cache<&triple>({.ttl = 60s, .limit = 2, .lock_timeout = 500ms});
  auto g = cache.cache<&triple>({.ns = "plain"});
  EXPECT_EQ(f(1), 3);
  EXPECT_EQ(f(1), 3);
  EXPECT_EQ(f(2), 6);
  EXPECT_EQ(f(3), 9);  // FIFO eviction inside the script
  EXPECT_EQ(f.mget({{4}, {5}}), (std::vector<int>{12, 15}));
  EXPECT_TRUE(f.invalidate(5));
  EXPECT_EQ(g(1), 3);
  EXPECT_TRUE(g.invalidate(1));
  EXPECT_GT(f.invalidate_all(), 0u);
  EXPECT_EQ(f.stats().errors + g.stats().errors, 0u);
  EXPECT_EQ(f.stats().hits, 1u);
}
