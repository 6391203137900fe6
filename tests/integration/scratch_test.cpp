// The thread-local scratch buffers (keys and encoded values) are capped: one
// large value through the cache does not stay with a thread for good, while
// ordinary ones are kept for reuse. Each test runs on a thread of its own, so
// what it measures is that thread's buffers only. The cap itself, without a
// server: tests/unit/scratch_buffer_test.cpp.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <thread>

#include "support/redis_server.hpp"

namespace scratch_test {

namespace rc = redis_cache;
using rc::detail::scratch_capacity;
using rc::detail::scratch_keep_bytes;

std::string text(std::size_t n) {
  return std::string(n, 'x');
}

TEST(Scratch, LargeValueThroughTheCacheDoesNotStayWithTheThread) {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url()}};
  auto big = cache.cache<&text>({.ns = "scratch_test.big"});
  std::thread([&] {
    const std::size_t n = 1 << 20;
    EXPECT_EQ(big(n).size(), n);  // miss: encoded (1 MiB) and stored
    EXPECT_EQ(big(n).size(), n);  // hit: read back
    EXPECT_EQ(big.mget({{n}, {n}})[1].size(), n);
    EXPECT_EQ(big.stats().hits, 3u);
    EXPECT_EQ(big.stats().fills, 1u);
    EXPECT_LT(scratch_capacity(), scratch_keep_bytes);
  }).join();
}

TEST(Scratch, OrdinaryValuesKeepTheirBufferForReuse) {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url()}};
  auto mid = cache.cache<&text>({.ns = "scratch_test.mid"});
  std::thread([&] {
    const std::size_t n = scratch_keep_bytes / 2;
    EXPECT_EQ(mid(n).size(), n);  // miss: encoded into a scratch buffer, kept
    EXPECT_GE(scratch_capacity(), n);
    EXPECT_LT(scratch_capacity(), 2 * scratch_keep_bytes);
  }).join();
}

}  // namespace scratch_test
