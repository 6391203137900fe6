// Cached functions against a real redis-server: every behaviour of
// python-redis-cache's own test suite, and ours on top.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>
#include <boost/describe.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <variant>
#include <vector>

#include "access.hpp"
#include "cache_fixture.hpp"
#include "key_layout.hpp"
#include "support/redis_cluster.hpp"
#include "support/redis_server.hpp"

namespace rc = redis_cache;
using namespace std::chrono_literals;

namespace {

std::string upper(const std::string& s) {
  ++g_calls;
  std::string r = s;
  for (auto& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}
std::size_t length_of(std::string_view s) {
  return ++g_calls, s.size();
}
int fails(int) {
  ++g_calls;
  throw std::logic_error("boom");
}

struct Point {
  double x, y;
};
struct Shape {  // PFR aggregate, nested
  std::string name;
  std::vector<Point> points;
  std::optional<int> color;
};
Shape make_shape(int n) {
  ++g_calls;
  Shape s{"poly" + std::to_string(n), {}, n % 2 ? std::optional<int>(n) : std::nullopt};
  for (int i = 0; i < n; ++i) s.points.push_back({i * 0.5, -i * 1.25});
  return s;
}

enum class Role { guest, member, admin };
BOOST_DESCRIBE_ENUM(Role, guest, member, admin)
struct Account {  // described, nested
  std::string login;
  Role role;
  std::map<std::string, std::vector<int>> groups;
  std::variant<int, std::string> extra;
};
BOOST_DESCRIBE_STRUCT(Account, (), (login, role, groups, extra))
Account load_account(const std::string& login) {
  ++g_calls;
  return {login, Role::admin, {{"ops", {1, 2}}, {"dev", {}}}, std::string("x")};
}

}  // namespace

namespace app {
struct Repo {
  static int load(int id) { return ++g_calls, id * 10; }
};
struct Other {
  static int load(int id) { return ++g_calls, id * 100; }
};
}  // namespace app

// The behaviours that depend on where keys live run against one redis-server
// and against a three-master Redis Cluster (CacheOn/standalone, CacheOn/cluster).
// A cluster takes about two seconds to start, so the rest stay standalone only.
enum class Backend { standalone, cluster };
void PrintTo(Backend b, std::ostream* os) {
  *os << (b == Backend::cluster ? "cluster" : "standalone");
}

class CacheOn : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    g_calls = 0;
    if (GetParam() == Backend::cluster) {
      cluster.emplace();
    } else {
      server.emplace();
    }
  }
  rc::Options opts(rc::Options o = {}) {
    o.url = server ? server->url() : cluster->url();
    return o;
  }
  /// Keyed commands go to the node owning the key; SCRIPT to every master.
  std::string cli(const std::vector<std::string>& args) {
    if (server) return server->cli(args);
    if (args.front() == "SCRIPT") {
      cluster->cli_all_masters(args);
      return "OK";
    }
    return cluster->cli(args);
  }
  long long dbsize() { return server ? std::stoll(cli({"DBSIZE"})) : cluster->dbsize(); }

  std::optional<rc_test::RedisServer> server;
  std::optional<rc_test::RedisCluster> cluster;
};

INSTANTIATE_TEST_SUITE_P(Backends, CacheOn,
                         ::testing::Values(Backend::standalone, Backend::cluster),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::cluster ? "cluster" : "standalone";
                         });

TEST_P(CacheOn, BasicHitAfterMiss) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&add>();
  EXPECT_EQ(f(1, 2), 3);
  EXPECT_EQ(f(1, 2), 3);
  EXPECT_EQ(f(2, 1), 3);
  EXPECT_EQ(g_calls, 2);
  auto st = f.stats();
  EXPECT_EQ(st.hits, 1u);
  EXPECT_EQ(st.misses, 2u);
  EXPECT_EQ(st.fills, 2u);
  EXPECT_EQ(cli({"EXISTS", f.key(1, 2)}), "1");
}

TEST_F(Cache, TtlIsSetAndExpires) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&square>({.ttl = 1s});
  EXPECT_EQ(f(3), 9);
  const long long pttl = std::stoll(cli({"PTTL", f.key(3)}));
  EXPECT_GT(pttl, 0);
  EXPECT_LE(pttl, 1000);
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(cli({"EXISTS", f.key(3)}), "0");
  EXPECT_EQ(f(3), 9);
  EXPECT_EQ(g_calls, 2);
}

TEST_F(Cache, NoTtlMeansNoExpiry) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&square>();
  f(4);
  EXPECT_EQ(cli({"TTL", f.key(4)}), "-1");
}

TEST_F(Cache, InactiveNeverTouchesRedis) {
  // Nothing listens there: any Redis access would fail.
  rc::RedisCache cache{{.url = "unix:///nonexistent/x.sock", .active = false}};
  auto f = cache.cache<&square>({.ttl = 10s, .limit = 5});
  EXPECT_EQ(f(2), 4);
  EXPECT_EQ(f(2), 4);
  EXPECT_EQ(g_calls, 2);
  EXPECT_FALSE(f.invalidate(2));
  EXPECT_EQ(f.invalidate_all(), 0u);
  EXPECT_EQ(f.mget({{1}, {2}}), (std::vector<int>{1, 4}));
  EXPECT_EQ(f.stats().errors, 0u);
}

TEST_P(CacheOn, LimitRotatesFifo) {
  // python-redis-cache's test: limit 2: a, b, c evicts a; a again evicts b; then c and a are
  // cached.
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&echo>({.limit = 2});
  f("a");
  f("b");
  f("c");
  EXPECT_EQ(cli({"EXISTS", f.key("a")}), "0");
  EXPECT_EQ(cli({"EXISTS", f.key("b")}), "1");
  EXPECT_EQ(cli({"EXISTS", f.key("c")}), "1");
  f("a");
  EXPECT_EQ(cli({"EXISTS", f.key("b")}), "0");
  g_calls = 0;
  f("c");
  f("a");
  EXPECT_EQ(g_calls, 0);
  EXPECT_EQ(cli({"ZCARD", rc::detail::Access::state(f).index_key}), "2");
}

TEST_F(Cache, LimitIndexDropsExpiredMembers) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&square>({.ttl = 1s, .limit = 10});
  f(1);
  f(2);
  std::this_thread::sleep_for(1200ms);
  f(3);  // the script prunes members whose values expired
  EXPECT_EQ(cli({"ZCARD", rc::detail::Access::state(f).index_key}), "1");
}

TEST_P(CacheOn, InvalidateAbsentAndPresent) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&add>({.limit = 10});
  EXPECT_FALSE(f.invalidate(5, 5));  // absent: no error
  f(5, 5);
  EXPECT_EQ(cli({"ZCARD", rc::detail::Access::state(f).index_key}), "1");
  EXPECT_TRUE(f.invalidate(5, 5));
  EXPECT_EQ(cli({"EXISTS", f.key(5, 5)}), "0");
  EXPECT_EQ(cli({"ZCARD", rc::detail::Access::state(f).index_key}), "0");  // index member gone too
  f(5, 5);
  EXPECT_EQ(g_calls, 2);
}

TEST_P(CacheOn, InvalidateAllIsolatesFunctions) {
  rc::RedisCache cache{opts()};
  auto a = cache.cache<&square>({.limit = 100});
  auto b = cache.cache<&add>();
  for (int i = 0; i < 50; ++i) {
    a(i);
    b(i, i);
  }
  cli({"SET", "unrelated", "1"});
  const std::size_t removed = a.invalidate_all();
  EXPECT_EQ(removed, 50u);  // the values (the index and schema note go too, uncounted)
  for (int i = 0; i < 50; ++i) EXPECT_EQ(cli({"EXISTS", b.key(i, i)}), "1");
  EXPECT_EQ(cli({"EXISTS", a.key(7)}), "0");
  EXPECT_EQ(cli({"EXISTS", rc::detail::Access::state(a).index_key}), "0");
  EXPECT_EQ(cli({"EXISTS", "unrelated"}), "1");
  g_calls = 0;
  a(7);
  b(7, 7);
  EXPECT_EQ(g_calls, 1);
}

TEST_P(CacheOn, InvalidateAllEscapesGlobCharacters) {
  rc::RedisCache cache{opts()};
  auto star = cache.cache<&square>({.ns = "f<int*>[x]"});
  auto plain = cache.cache<&square>({.ns = "f<intX>x"});
  star(1);
  plain(1);
  star.invalidate_all();
  EXPECT_EQ(cli({"EXISTS", plain.key(1)}), "1");
  EXPECT_EQ(cli({"EXISTS", star.key(1)}), "0");
}

TEST_F(Cache, InvalidateAllWithoutBracesLeavesLongerNamespaces) {
  rc::RedisCache cache{opts({.support_cluster = false})};
  auto shorter = cache.cache<&square>({.ns = "svc"});
  auto longer = cache.cache<&square>({.ns = "svc:v2"});
  shorter(1);
  longer(1);
  shorter.invalidate_all();
  EXPECT_EQ(cli({"EXISTS", longer.key(1)}), "1");
  EXPECT_EQ(cli({"EXISTS", shorter.key(1)}), "0");
}

TEST_F(Cache, KeyLayout) {
  rc::RedisCache clustered{opts()};
  auto f = clustered.cache<&app::Repo::load>();
  const std::string k = f.key(1);
  EXPECT_EQ(f.ns(), "app::Repo::load");
  EXPECT_EQ(k.rfind("{rc:app::Repo::load}:", 0), 0u) << k;
  EXPECT_EQ(rc::detail::Access::state(f).index_key, "{rc:app::Repo::load}:keys");

  rc::RedisCache plain{opts({.prefix = "myapp", .support_cluster = false})};
  auto g = plain.cache<&app::Repo::load>({.ns = "users"});
  const std::string k2 = g.key(1);
  EXPECT_EQ(k2.rfind("myapp:users:", 0), 0u) << k2;
  // <prefix>:<ns>:<schema>:<args>: the schema is 8 hex digits, the args base64.
  const std::string rest = k2.substr(std::string("myapp:users:").size());
  ASSERT_GT(rest.size(), 9u);
  EXPECT_EQ(rest[8], ':');
  EXPECT_EQ(rest.substr(0, 8).find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(k2.substr(k2.size() - rest.size() + 9), k.substr(k.size() - rest.size() + 9));
}

TEST_F(Cache, SameNamedStaticFunctionsDoNotShare) {
  rc::RedisCache cache{opts()};
  auto a = cache.cache<&app::Repo::load>();
  auto b = cache.cache<&app::Other::load>();
  EXPECT_NE(a.ns(), b.ns());
  EXPECT_EQ(a(1), 10);
  EXPECT_EQ(b(1), 100);
  EXPECT_EQ(a(1), 10);
  EXPECT_EQ(b(1), 100);
}

TEST_F(Cache, AnonymousNamespaceCarriesFileName) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&square>();
  EXPECT_EQ(f.ns(), "cache_test.cpp:(anonymous)::square");
  EXPECT_EQ(f.ns().find_first_of("{}"), std::string::npos);
}

TEST_F(Cache, NamespaceWithBraceIsRejected) {
  rc::RedisCache cache{opts()};
  try {
    cache.cache<&square>({.ns = "bad{ns}"});
    FAIL() << "expected ConfigError";
  } catch (const rc::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("bad{ns}"), std::string::npos) << e.what();
  }
}

TEST_F(Cache, StringArgumentsEncodeAlike) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&upper>();
  EXPECT_EQ(f("abc"), "ABC");
  EXPECT_EQ(f(std::string("abc")), "ABC");
  EXPECT_EQ(g_calls, 1);
  // A string_view parameter gives the same argument bytes as a std::string one.
  auto g = cache.cache<&length_of>();
  const std::string kf = f.key("abc"), kg = g.key("abc");
  EXPECT_EQ(kf.substr(kf.rfind(':')), kg.substr(kg.rfind(':')));
  EXPECT_EQ(g(std::string("abc")), 3u);
}

TEST_P(CacheOn, MgetOneFunction) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&square>({.limit = 10});
  f(2);
  g_calls = 0;
  std::vector<int> r = f.mget({{1}, {2}, {3}});
  EXPECT_EQ(r, (std::vector<int>{1, 4, 9}));
  EXPECT_EQ(g_calls, 2);
  g_calls = 0;
  EXPECT_EQ(f.mget({{3}, {1}, {2}}), (std::vector<int>{9, 1, 4}));
  EXPECT_EQ(g_calls, 0);
  EXPECT_EQ(cli({"ZCARD", rc::detail::Access::state(f).index_key}), "3");
}

TEST_P(CacheOn, MgetAcrossFunctions) {
  rc::RedisCache cache{opts()};
  auto sq = cache.cache<&square>();
  auto ad = cache.cache<&add>({.ttl = 60s, .limit = 5});
  auto up = cache.cache<&upper>();
  sq(3);
  g_calls = 0;
  auto [a, b, c] = cache.mget(rc::call(sq, 3), rc::call(ad, 1, 2), rc::call(up, "q"));
  EXPECT_EQ(a, 9);
  EXPECT_EQ(b, 3);
  EXPECT_EQ(c, "Q");
  EXPECT_EQ(g_calls, 2);
  g_calls = 0;
  auto [a2, b2, c2] = cache.mget(rc::call(sq, 3), rc::call(ad, 1, 2), rc::call(up, "q"));
  EXPECT_EQ(std::tie(a2, b2, c2), std::tie(a, b, c));
  EXPECT_EQ(g_calls, 0);
}

TEST_F(Cache, StructResultsRoundTrip) {
  rc::RedisCache cache{opts()};
  auto shapes = cache.cache<&make_shape>();
  auto accounts = cache.cache<&load_account>({.ttl = 60s});
  Shape s1 = shapes(3);
  Shape s2 = shapes(3);
  EXPECT_EQ(s2.name, "poly3");
  ASSERT_EQ(s2.points.size(), 3u);
  EXPECT_EQ(s2.points[2].y, -2.5);
  EXPECT_EQ(s2.color, std::optional<int>(3));
  Account a1 = accounts("ada");
  Account a2 = accounts("ada");
  EXPECT_EQ(a2.login, "ada");
  EXPECT_EQ(a2.role, Role::admin);
  EXPECT_EQ(a2.groups, a1.groups);
  EXPECT_EQ(std::get<std::string>(a2.extra), "x");
  EXPECT_EQ(g_calls, 2);
  EXPECT_EQ(shapes.stats().hits, 1u);
  EXPECT_EQ(accounts.stats().hits, 1u);
}

TEST_F(Cache, CorruptValueIsAMissAndIsOverwritten) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&make_shape>();
  const std::string key = f.key(2);
  for (std::string junk : {std::string("\xc1"), std::string("\x93\x01"), std::string("hello"),
                           std::string("\xdd\xff\xff\xff\xff")}) {
    cli({"SET", key, junk});
    g_calls = 0;
    Shape s = f(2);
    EXPECT_EQ(s.name, "poly2");
    EXPECT_EQ(g_calls, 1);
    g_calls = 0;
    f(2);  // overwritten with a good value
    EXPECT_EQ(g_calls, 0);
  }
  EXPECT_EQ(f.stats().decode_failures, 4u);
}

TEST_F(Cache, FunctionThatThrowsCachesNothing) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&fails>();
  EXPECT_THROW(f(1), std::logic_error);
  EXPECT_THROW(f(1), std::logic_error);
  EXPECT_EQ(g_calls, 2);
  EXPECT_EQ(cli({"EXISTS", f.key(1)}), "0");
}

TEST_P(CacheOn, ScriptReloadedAfterFlush) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&square>({.limit = 3});
  f(1);
  cli({"SCRIPT", "FLUSH"});
  f(2);
  EXPECT_EQ(cli({"EXISTS", f.key(2)}), "1");
  cli({"SCRIPT", "FLUSH"});
  f.mget({{7}, {8}});
  EXPECT_EQ(cli({"ZCARD", rc::detail::Access::state(f).index_key}), "3");
}

TEST_F(Cache, CallableNeedsExplicitNamespace) {
  rc::RedisCache cache{opts()};
  int n = 0;
  auto lam = [&n](int x) { return ++n, x + 1; };
  EXPECT_THROW(cache.cache(lam, {}), rc::ConfigError);
  auto f = cache.cache(lam, {.ttl = 10s, .ns = "svc.plus_one"});
  EXPECT_EQ(f(1), 2);
  EXPECT_EQ(f(1), 2);
  EXPECT_EQ(n, 1);
  EXPECT_EQ(f.key(1).rfind("{rc:svc.plus_one}:", 0), 0u);
  std::function<std::string(int)> sf = [](int x) { return std::to_string(x); };
  auto g = cache.cache(sf, {.ns = "svc.str"});
  EXPECT_EQ(g(12), "12");
}

TEST_F(Cache, SchemaNoteWritten) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&load_account>();
  f("x");
  const std::string note =
      cli({"HGET", rc::detail::Access::state(f).note_key, rc::detail::Access::state(f).schema});
  EXPECT_NE(note.find("login"), std::string::npos) << note;
  EXPECT_EQ(cli({"HGET", rc::detail::Access::state(f).note_key, "function"}), f.name());
}

TEST_P(CacheOn, EightThreadsWithALimit) {
  rc::RedisCache cache{opts({.pool_size = 4})};
  auto f = cache.cache<&square>({.ttl = 60s, .limit = 20});
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const int x = (i * 7 + t) % 50;
        if (f(x) != x * x) ++wrong;
        if (i % 37 == 0) f.invalidate(x);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_LE(std::stoll(cli({"ZCARD", rc::detail::Access::state(f).index_key})), 20);
  const auto st = f.stats();
  EXPECT_EQ(st.hits + st.misses, 1600u);
  EXPECT_EQ(st.errors, 0u);
  // Every live value is in the index (nothing escapes the limit).
  long long values = 0;
  for (int x = 0; x < 50; ++x) values += std::stoll(cli({"EXISTS", f.key(x)}));
  EXPECT_LE(values, 20);
}

TEST_F(Cache, ServerRestartRecoversInSameProcess) {
  rc::RedisCache cache{opts({.exception_handler = [](const rc::Error&, std::string_view) {}})};
  auto f = cache.cache<&square>();
  f(1);
  server.kill();
  server.start();
  EXPECT_EQ(f(2), 4);  // may fall back once, on the dead connection
  EXPECT_EQ(f(3), 9);
  g_calls = 0;
  EXPECT_EQ(f(3), 9);
  EXPECT_EQ(g_calls, 0);  // cached again after the restart
}

TEST_F(Cache, InvalidateAllWithoutBracesKeepsALongerNamespacesIndexAndNote) {
  // "report" and "report:2024": without braces every key of the second starts
  // with the first's prefix "rc:report:".
  rc::RedisCache cache{opts({.support_cluster = false})};
  auto a = cache.cache<&square>({.ns = "report"});
  auto b = cache.cache<&square>({.limit = 2, .ns = "report:2024"});
  a(1);
  b(1);
  b(2);
  a.invalidate_all();
  EXPECT_EQ(cli({"EXISTS", rc::detail::Access::state(b).index_key}), "1");
  EXPECT_EQ(cli({"EXISTS", rc::detail::Access::state(b).note_key}), "1");
  EXPECT_EQ(cli({"EXISTS", b.key(1)}), "1");
  b(3);
  b(4);  // the limit still evicts
  EXPECT_EQ(cli({"ZCARD", rc::detail::Access::state(b).index_key}), "2");
  long long live = 0;
  for (int x = 1; x <= 4; ++x) live += std::stoll(cli({"EXISTS", b.key(x)}));
  EXPECT_EQ(live, 2);
}

TEST_F(Cache, PrefixWithBraceIsRejected) {
  rc::RedisCache cache{opts({.prefix = "a{b"})};
  EXPECT_THROW(cache.cache<&square>(), rc::ConfigError);
}

TEST_F(Cache, InvalidateAllCountsCachedValuesOnly) {
  rc::RedisCache cache{opts()};
  auto f = cache.cache<&square>({.limit = 10});
  f(1);
  f(2);
  EXPECT_EQ(cli({"EXISTS", rc::detail::Access::state(f).index_key}), "1");
  EXPECT_GE(dbsize(), 3);  // two values and the FIFO index (and the schema note)
  EXPECT_EQ(f.invalidate_all(), 2u);
  EXPECT_EQ(dbsize(), 0);
  EXPECT_EQ(f.invalidate_all(), 0u);
}
