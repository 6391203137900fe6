// A RedisCache as a handle (copies, moves, lifetime of its connections), member
// functions, and what the exception handler sees when Redis fails; split from
// cache_test.cpp, with the same Cache fixture.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "access.hpp"
#include "cache_fixture.hpp"
#include "support/redis_server.hpp"

namespace rc = redis_cache;
using namespace std::chrono_literals;

TEST_F(Cache, RedisDownWithHandlerFallsBack) {
  std::vector<std::string> seen;
  rc::RedisCache cache{{.url = "redis://127.0.0.1:1/0",
                        .exception_handler = [&](const rc::Error& e, std::string_view ns) {
                          seen.push_back(std::string(ns) + ": " + e.what());
                        }}};
  auto f = cache.cache<&square>({.ttl = 5s});
  EXPECT_EQ(f(5), 25);
  EXPECT_EQ(f(5), 25);
  EXPECT_EQ(g_calls, 2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[0].find(f.ns()), std::string::npos);
  EXPECT_EQ(f.stats().errors, 2u);
}

TEST_F(Cache, RedisDownWithoutHandlerThrowsAndDoesNotCall) {
  rc::RedisCache cache{{.url = "redis://127.0.0.1:1/0"}};
  auto f = cache.cache<&square>();
  EXPECT_THROW(f(5), rc::ConnectionError);
  EXPECT_EQ(g_calls, 0);
}

TEST_F(Cache, PerFunctionHandlerWinsAndMayRethrow) {
  int global = 0;
  rc::RedisCache cache{
      {.url = "redis://127.0.0.1:1/0",
       .exception_handler = [&](const rc::Error&, std::string_view) { ++global; }}};
  auto f = cache.cache<&square>({.exception_handler = [](const rc::Error& e, std::string_view) {
    throw std::runtime_error(std::string("wrapped: ") + e.what());
  }});
  EXPECT_THROW(f(1), std::runtime_error);
  EXPECT_EQ(global, 0);
  EXPECT_EQ(g_calls, 0);
}

TEST_F(Cache, WriteFailureGoesToHandlerAndValueIsReturned) {
  int handled = 0;
  rc::RedisCache cache{
      opts({.exception_handler = [&](const rc::Error&, std::string_view) { ++handled; }})};
  auto f = cache.cache<&echo>();
  cli({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
  cli({"CONFIG", "SET", "maxmemory", "1"});  // every write is refused with OOM
  EXPECT_EQ(f("v"), "v");
  EXPECT_EQ(handled, 1);
  EXPECT_EQ(f.stats().fills, 0u);
  EXPECT_EQ(f.stats().errors, 1u);
}

TEST_F(Cache, MgetFailureIsHandledOncePerFunction) {
  int handled = 0;
  rc::RedisCache cache{
      {.url = "redis://127.0.0.1:1/0",
       .exception_handler = [&](const rc::Error&, std::string_view) { ++handled; }}};
  auto f = cache.cache<&square>();
  auto g = cache.cache<&add>();
  EXPECT_EQ(f.mget({{1}, {2}, {3}}), (std::vector<int>{1, 4, 9}));
  EXPECT_EQ(handled, 1);
  EXPECT_EQ(f.stats().errors, 1u);
  handled = 0;
  auto [x, y, z] = cache.mget(rc::call(f, 2), rc::call(g, 1, 1), rc::call(f, 3));
  EXPECT_EQ(std::tie(x, y, z), std::make_tuple(4, 2, 9));
  EXPECT_EQ(handled, 2);  // two functions
}

namespace {
std::vector<int> g_order;
int record(int x) {
  return g_order.push_back(x), x;
}
}  // namespace

TEST_F(Cache, FallbackMgetComputesInCallOrder) {
  rc::RedisCache cache{{.url = "unix:///nonexistent/x.sock", .active = false}};
  auto f = cache.cache<&record>();
  g_order.clear();
  auto [a, b, c] = cache.mget(rc::call(f, 1), rc::call(f, 2), rc::call(f, 3));
  EXPECT_EQ(a + b + c, 6);
  EXPECT_EQ(g_order, (std::vector<int>{1, 2, 3}));
}

TEST_F(Cache, MovedCacheKeepsWorking) {
  rc::RedisCache first{opts()};
  rc::RedisCache cache = std::move(first);
  auto f = cache.cache<&square>();
  EXPECT_EQ(f(3), 9);
  // A moved-from RedisCache is a copy of the handle (it used to throw ConfigError
  // here, and crash in options() and mget): the same connections, the same entries.
  auto g = first.cache<&square>();  // NOLINT(bugprone-use-after-move): on purpose
  EXPECT_EQ(g(3), 9);
  EXPECT_EQ(g.stats().hits, 1u);
}

// RedisCache is a copyable handle over shared state.
static_assert(std::is_copy_constructible_v<rc::RedisCache> &&
              std::is_copy_assignable_v<rc::RedisCache>);
static_assert(std::is_same_v<decltype(std::declval<rc::RedisCache&>().cache<&square>()),
                             rc::Cached<&square>>);

TEST_F(Cache, CopiesShareConnectionsAndFunctions) {
  rc::RedisCache a{opts()};
  rc::Cached<& square> f = a.cache<&square>();
  const rc::RedisCache b = a;
  EXPECT_EQ(rc::detail::Access::core(a), rc::detail::Access::core(b));
  auto g = b.cache<&square>();  // the same namespace through a copy: the same entries
  g_calls = 0;
  EXPECT_EQ(f(4), 16);
  EXPECT_EQ(g(4), 16);
  EXPECT_EQ(g_calls, 1);
  const auto [x] = b.mget(rc::call(f, 4));  // f was made by a, mget called on b: one cache
  EXPECT_EQ(x, 16);
}

TEST_F(Cache, AMovedFromCacheIsStillAUsableHandle) {
  rc::RedisCache a{opts()};
  const rc::RedisCache b = std::move(a);
  // NOLINTNEXTLINE(bugprone-use-after-move): the point of the test
  EXPECT_EQ(a.options().url, b.options().url);  // used to dereference a null core
  auto f = a.cache<&square>();
  g_calls = 0;
  const auto [x, y] = a.mget(rc::call(f, 3), rc::call(f, 3));
  EXPECT_EQ(x, 9);
  EXPECT_EQ(y, 9);
  EXPECT_EQ(f(3), 9);
  EXPECT_EQ(g_calls, 2);  // the batch computed both (it sends one MGET), then a hit
}

TEST_F(Cache, ConnectionsCloseWhenTheLastCopyAndFunctionAreGone) {
  std::weak_ptr<rc::detail::CacheCore> core;
  {
    std::optional<rc::Cached<&square>> f;
    {
      rc::RedisCache a{opts()};
      core = rc::detail::Access::core(a);
      f = a.cache<&square>();
    }
    EXPECT_FALSE(core.expired());  // the function keeps the connection
    EXPECT_EQ((*f)(5), 25);
  }
  EXPECT_TRUE(core.expired());
}

// Member functions: cache<&Class::fn>(object, options) calls fn on that object,
// which the caller keeps alive. The key holds the arguments only, never the
// object's state.
namespace cache_members {
std::atomic<int> calls{0};
class Repo {
 public:
  explicit Repo(std::string region) : region_(std::move(region)) {}
  std::string find(int id) const { return ++calls, region_ + ":" + std::to_string(id); }
  int bump(int by) { return ++calls, counter_ += by; }
  static int twice(int x) noexcept { return ++calls, 2 * x; }
  std::string tag(int id) const& { return ++calls, region_ + "#" + std::to_string(id); }

 private:
  std::string region_;
  int counter_ = 0;
};
}  // namespace cache_members

TEST_F(Cache, ConstMemberFunctionOnAnObject) {
  using cache_members::Repo;
  rc::RedisCache cache{opts()};
  Repo eu{"eu"};
  cache_members::calls = 0;
  rc::Cached<& Repo::find> find = cache.cache<&Repo::find>(eu, {.ttl = 60s});
  EXPECT_EQ(find(1), "eu:1");
  EXPECT_EQ(find(1), "eu:1");
  EXPECT_EQ(cache_members::calls, 1);
  EXPECT_EQ(find.ns(), "cache_members::Repo::find");
  EXPECT_EQ(cli({"EXISTS", find.key(1)}), "1");
  // The object is not in the key: another Repo with the same arguments reads eu's entry...
  const Repo us{"us"};
  auto find_us = cache.cache<&Repo::find>(us);
  EXPECT_EQ(find_us.key(1), find.key(1));
  EXPECT_EQ(find_us(1), "eu:1");
  EXPECT_EQ(cache_members::calls, 1);
  // ...unless it has a namespace of its own.
  auto find_us_own = cache.cache<&Repo::find>(us, {.ns = "repo.us"});
  EXPECT_EQ(find_us_own(1), "us:1");
  EXPECT_EQ(cache_members::calls, 2);
  EXPECT_EQ(find.mget({{1}, {2}}), (std::vector<std::string>{"eu:1", "eu:2"}));
  const auto [a, b] = cache.mget(rc::call(find, 3), rc::call(find_us_own, 3));
  EXPECT_EQ(a, "eu:3");
  EXPECT_EQ(b, "us:3");
  EXPECT_EQ(cache_members::calls, 5);
  EXPECT_EQ(find.stats().hits, 2u);  // find(1) and find(1) in mget
  // An lvalue-qualified member function too.
  auto tag = cache.cache<&Repo::tag>(eu);
  EXPECT_EQ(tag(1), "eu#1");
  EXPECT_EQ(tag(1), "eu#1");
  EXPECT_EQ(cache_members::calls, 6);
}

TEST_F(Cache, NonConstMemberFunctionRunsOnTheObject) {
  using cache_members::Repo;
  rc::RedisCache cache{opts()};
  Repo r{"x"};
  cache_members::calls = 0;
  auto bump = cache.cache<&Repo::bump>(r, {.ns = "repo.bump"});
  EXPECT_EQ(bump(5), 5);
  EXPECT_EQ(bump(5), 5);  // a hit: r is not called
  EXPECT_EQ(cache_members::calls, 1);
  EXPECT_EQ(bump(2), 7);  // a miss runs on r itself
  EXPECT_TRUE(bump.invalidate(5));
  EXPECT_EQ(bump(5), 12);
  EXPECT_EQ(cache_members::calls, 3);
}

TEST_F(Cache, StaticMemberFunction) {
  using cache_members::Repo;
  rc::RedisCache cache{opts()};
  cache_members::calls = 0;
  rc::Cached<& Repo::twice> twice = cache.cache<&Repo::twice>();
  EXPECT_EQ(twice.ns(), "cache_members::Repo::twice");
  EXPECT_EQ(twice(4), 8);
  EXPECT_EQ(twice(4), 8);
  EXPECT_EQ(cache_members::calls, 1);
}
