// A consumer compiled with the warnings a strict user turns on:
//   -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Werror
// and redis_cache's headers included with a plain -I (not as system headers), so a
// warning in a header fails the packaging.strict_consumer* tests. It instantiates
// what a typical user does: REDIS_CACHED with a struct, a described enum and struct,
// mget (programmatic and rc::call of a macro function), the JSON codecs, a member
// function and a static member function, a lambda. Built by g++ and by clang++
// (tests/packaging/CMakeLists.txt), linked against this build's library and run.
// It needs no Redis: with active = false every call goes to the function.
#include <redis_cache/redis_cache.hpp>

#include <boost/describe.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rc = redis_cache;
using namespace std::chrono_literals;

namespace strict {

enum class Tier { free, pro, enterprise };
BOOST_DESCRIBE_ENUM(Tier, free, pro, enterprise)

struct Point {  // aggregate (Boost.PFR)
  double x;
  double y;
};

struct Account {  // described (Boost.Describe)
  std::int64_t id;
  std::string name;
  std::vector<Point> path;
  std::optional<std::uint16_t> port;
  Tier tier;
  std::map<std::string, std::uint32_t> counts;
};
BOOST_DESCRIBE_STRUCT(Account, (), (id, name, path, port, tier, counts))

Account load_account(std::int64_t id, std::string_view name) {
  return {id, std::string(name), {{1.0, 2.0}}, std::uint16_t{6379}, Tier::pro, {{"a", 1U}}};
}
REDIS_CACHED(load_account, 60s, 100)

Point centroid(const std::vector<Point>& pts) {
  Point c{0, 0};
  for (const Point& p : pts) {
    c.x += p.x;
    c.y += p.y;
  }
  const auto n = static_cast<double>(pts.size());
  return {c.x / n, c.y / n};
}
REDIS_CACHED_WITH(centroid, .ttl = 5min, .limit = 10, .ns = "strict.centroid")

std::uint8_t small(char c, unsigned short s) {
  return static_cast<std::uint8_t>(c + s);
}
REDIS_CACHED(small, 0, 0)

std::chrono::seconds rounded(std::chrono::milliseconds d,
                             std::chrono::system_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::seconds>(d) +
         std::chrono::duration_cast<std::chrono::seconds>(since.time_since_epoch() % 1s);
}
REDIS_CACHED(rounded, 1h, 0)

struct Repo {
  int base = 40;
  int find(int id) const { return base + id; }
  static Tier make(int n) { return n > 0 ? Tier::enterprise : Tier::free; }
};
REDIS_CACHED_AS(make_cached, &Repo::make, 60, 0)

}  // namespace strict

int main() {
  rc::RedisCache cache{{.url = "redis://127.0.0.1:6379/0", .active = false}};
  rc::set_default_cache(cache);
  int failures = 0;
  auto check = [&](bool ok, const char* what) {
    if (!ok) {
      std::cerr << "strict consumer: " << what << " failed\n";
      ++failures;
    }
  };

  const strict::Account a = strict::load_account_cached(7, "ann");
  check(a.id == 7 && a.name == "ann" && a.tier == strict::Tier::pro, "REDIS_CACHED struct");
  const strict::Point c = strict::centroid_cached({{0, 0}, {2, 0}});
  check(c.x == 1.0 && c.y == 0.0, "braced arguments");
  check(strict::small_cached('a', 1) == 98, "narrow types");
  check(strict::make_cached(1) == strict::Tier::enterprise, "static member");
  check(strict::rounded_cached(1500ms, std::chrono::system_clock::time_point{}) == 1s,
        "durations and time points");

  strict::Repo repo;
  auto finds = cache.cache<&strict::Repo::find>(repo, {.ttl = 60s, .ns = "strict.repo"});
  check(finds(2) == 42, "member function");

  auto accounts = cache.cache<&strict::load_account>({.ttl = 1min});
  const std::vector<strict::Account> many = accounts.mget({{1, "a"}, {2, "b"}});
  check(many.size() == 2 && many[1].name == "b", "mget");
  auto [x, y] =
      cache.mget(rc::call(accounts, 3, "c"), rc::call(strict::load_account_cached, 4, "d"));
  check(x.id == 3 && y.name == "d", "cache.mget with rc::call");

  auto twice = cache.cache([](std::size_t v) { return 2 * v; }, {.ns = "strict.twice"});
  check(twice(std::size_t{21}) == 42, "lambda");

  std::string json;
  rc::codec::encode_json(a, json);
  check(rc::codec::decode_json<strict::Account>(json).counts.at("a") == 1U, "json codec");
  json.clear();
  rc::codec::encode_json(a, json, rc::codec::JsonStyle::python);
  check(rc::codec::decode_json<strict::Account>(json).port == std::uint16_t{6379}, "python codec");

  check(rc::codec::schema_json<strict::Account>().find("\"tier\"") != std::string::npos &&
            !rc::codec::schema_json<std::chrono::system_clock::time_point>().empty(),
        "schema_json");
  check(!accounts.key(1, "a").empty() && !strict::load_account_cached.key(1, "a").empty(), "key");
  const rc::Stats s = accounts.stats();
  check(s.hits == 0, "stats");
  rc::reset_default_cache();
  if (failures != 0) return 1;
  std::cout << "strict consumer ok\n";
  return 0;
}
