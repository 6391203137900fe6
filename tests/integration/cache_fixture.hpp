// The fixture and the small counted functions shared by cache_test.cpp and
// cache_handle_test.cpp (each includes it once: the functions live in each file's
// anonymous namespace, so their default namespaces carry that file's name).
#pragma once

#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "support/redis_server.hpp"

namespace {

std::atomic<int> g_calls{0};

int add(int a, int b) {
  return ++g_calls, a + b;
}
std::string echo(std::string s) {
  return ++g_calls, s;
}
int square(int x) {
  return ++g_calls, x * x;
}

class Cache : public ::testing::Test {
 protected:
  void SetUp() override { g_calls = 0; }
  redis_cache::Options opts(redis_cache::Options o = {}) {
    o.url = server.url();
    return o;
  }
  std::string cli(const std::vector<std::string>& args) { return server.cli(args); }
  long long dbsize() { return std::stoll(cli({"DBSIZE"})); }

  rc_test::RedisServer server;
};

}  // namespace
