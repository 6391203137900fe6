// Overloads of one name never share a default namespace by accident (issue 19): the
// second one cached under it is refused with a ConfigError that says to set .ns; given
// namespaces (distinct, or shared on purpose) work; REDIS_CACHED_AS_WITH takes options.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "support/redis_server.hpp"

namespace rc = redis_cache;
using namespace std::chrono_literals;

namespace ovl {
int calls = 0;
long price(int cents) {
  return ++calls, cents;
}
long price(double euros) {
  return ++calls, static_cast<long>(euros * 100);
}
long tax(int cents) {
  return ++calls, cents / 5;
}
long tax(double euros) {
  return ++calls, static_cast<long>(euros * 20);
}
long fee(int cents) {
  return ++calls, cents / 10;
}
long fee(double euros) {
  return ++calls, static_cast<long>(euros * 10);
}
long plain(int x) {
  return ++calls, x;
}
struct Shop {
  long get(int id) const { return ++calls, id; }
  long get(const std::string& sku) const { return ++calls, static_cast<long>(sku.size()); }
};

long rate(int x) {
  return ++calls, x * 2;
}
long rate(double x) {
  return ++calls, static_cast<long>(x * 3);
}
long level(int x) {
  return ++calls, x + 1;
}
long level(double x) {
  return ++calls, static_cast<long>(x) + 2;
}

// The pointer form with options: each overload under its own namespace.
REDIS_CACHED_AS_WITH(rate_int_cached, static_cast<long (*)(int)>(&rate), .ttl = 60s, .limit = 10,
                     .ns = "ovl::rate(int)")
REDIS_CACHED_AS_WITH(rate_double_cached, static_cast<long (*)(double)>(&rate), .ttl = 2min,
                     .ns = "ovl::rate(double)");
// Both under the default namespace: the second to be called is refused.
REDIS_CACHED_AS(level_int_cached, static_cast<long (*)(int)>(&level), 0, 0)
REDIS_CACHED_AS(level_double_cached, static_cast<long (*)(double)>(&level), 0, 0)
}  // namespace ovl

namespace {

constexpr auto price_i = static_cast<long (*)(int)>(&ovl::price);
constexpr auto price_d = static_cast<long (*)(double)>(&ovl::price);

TEST(Overloads, TheSecondOverloadUnderTheSharedDefaultNamespaceIsRefused) {
  rc::RedisCache cache{{.url = "redis://127.0.0.1:1"}};  // never connected
  auto a = cache.cache<price_i>();
  EXPECT_EQ(a.ns(), "ovl::price");
  try {
    (void)cache.cache<price_d>();
    FAIL() << "two overloads got one default namespace";
  } catch (const rc::ConfigError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("'ovl::price'"), std::string::npos) << m;
    EXPECT_NE(m.find("overloads"), std::string::npos) << m;
    EXPECT_NE(m.find("CacheOptions::ns"), std::string::npos) << m;
    EXPECT_NE(m.find("\"ovl::price(double)\""), std::string::npos) << m;  // a suggestion
  }
  // The same function again (another cache too) keeps its namespace; a non-overloaded
  // function keeps its qualified name as before.
  EXPECT_EQ(cache.cache<price_i>().ns(), "ovl::price");
  rc::RedisCache other{{.url = "redis://127.0.0.1:1", .prefix = "p2"}};
  EXPECT_EQ(other.cache<price_i>().ns(), "ovl::price");
  EXPECT_EQ(cache.cache<&ovl::plain>().ns(), "ovl::plain");
  // A namespace given: allowed.
  EXPECT_EQ(cache.cache<price_d>({.ns = "ovl::price(double)"}).ns(), "ovl::price(double)");
}

TEST(Overloads, MemberFunctionOverloadsAreRefusedToo) {
  rc::RedisCache cache{{.url = "redis://127.0.0.1:1"}};
  ovl::Shop shop;
  auto by_id = cache.cache<static_cast<long (ovl::Shop::*)(int) const>(&ovl::Shop::get)>(shop);
  EXPECT_EQ(by_id.ns(), "ovl::Shop::get");
  EXPECT_THROW(
      (void)cache
          .cache<static_cast<long (ovl::Shop::*)(const std::string&) const>(&ovl::Shop::get)>(shop),
      rc::ConfigError);
}

TEST(Overloads, GivenNamespacesKeepOverloadsApartOrShareOnPurpose) {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url()}};
  constexpr auto tax_i = static_cast<long (*)(int)>(&ovl::tax);
  constexpr auto tax_d = static_cast<long (*)(double)>(&ovl::tax);
  auto ti = cache.cache<tax_i>({.limit = 10});  // the default namespace, as before
  auto td = cache.cache<tax_d>({.limit = 10, .ns = "ovl::tax(double)"});
  ti(100), ti(200), td(1.5);
  EXPECT_EQ(server.cli({"ZCARD", "{rc:ovl::tax}:keys"}), "2");
  EXPECT_EQ(server.cli({"ZCARD", "{rc:ovl::tax(double)}:keys"}), "1");
  EXPECT_EQ(td.invalidate_all(), 1u);  // the other overload's entries stay
  EXPECT_EQ(server.cli({"EXISTS", ti.key(100), ti.key(200)}), "2");

  // Shared on purpose: one namespace (and one invalidate_all) for both.
  constexpr auto fee_i = static_cast<long (*)(int)>(&ovl::fee);
  constexpr auto fee_d = static_cast<long (*)(double)>(&ovl::fee);
  auto fi = cache.cache<fee_i>({.ns = "ovl.fees"});
  auto fd = cache.cache<fee_d>({.ns = "ovl.fees"});
  fi(100), fd(2.0);
  EXPECT_EQ(fi.invalidate_all(), 2u);
  EXPECT_EQ(server.cli({"EXISTS", fd.key(2.0)}), "0");
}

TEST(Overloads, MacroPointerFormTakesOptions) {
  rc_test::RedisServer server;
  rc::RedisCache cache{{.url = server.url()}};
  rc::set_default_cache(cache);
  ovl::calls = 0;
  EXPECT_EQ(ovl::rate_int_cached(4), 8);
  EXPECT_EQ(ovl::rate_int_cached(4), 8);
  EXPECT_EQ(ovl::rate_double_cached(2.0), 6);
  EXPECT_EQ(ovl::calls, 2);
  EXPECT_EQ(ovl::rate_int_cached.key(4).rfind("{rc:ovl::rate(int)}:", 0), 0u);
  EXPECT_EQ(ovl::rate_double_cached.key(2.0).rfind("{rc:ovl::rate(double)}:", 0), 0u);
  EXPECT_EQ(server.cli({"ZCARD", "{rc:ovl::rate(int)}:keys"}), "1");  // .limit = 10
  const long long ttl = std::stoll(server.cli({"TTL", ovl::rate_double_cached.key(2.0)}));
  EXPECT_GT(ttl, 60);
  EXPECT_LE(ttl, 120);
  bool listed = false;
  for (const auto& e : rc::registry()) {
    if (e.name != "rate_int_cached") continue;
    listed = true;
    EXPECT_EQ(e.ns, "ovl::rate(int)");
    EXPECT_EQ(e.ttl, 60s);
    EXPECT_EQ(e.limit, 10u);
  }
  EXPECT_TRUE(listed);

  // Two REDIS_CACHED_AS of overloads under the default namespace: the first one called
  // works, the other's first call says to set .ns.
  EXPECT_EQ(ovl::level_int_cached(1), 2);
  EXPECT_THROW(ovl::level_double_cached(1.0), rc::ConfigError);
  EXPECT_EQ(ovl::level_int_cached(1), 2);
  rc::reset_default_cache();
}

}  // namespace
