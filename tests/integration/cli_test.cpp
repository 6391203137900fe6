// The redis-cache command-line tool, run for real (RC_CLI_PATH) against a private
// redis-server populated through the library; its --json output is parsed, not grepped.
// Its commands (ls, keys, get, fifo, rm, schema, stats) and their errors here; values of
// every kind, codecs and messages in cli_values_test.cpp; cluster, Sentinel and TLS in
// cli_topology_test.cpp.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>
#include <boost/json/src.hpp>  // Boost.JSON header-only: this is its one TU in this executable

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "cli_fixture.hpp"
#include "support/redis_server.hpp"
#include "support/sync.hpp"

namespace rc = redis_cache;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

using rc_cli_test::Cli;
using rc_cli_test::CliRun;

TEST_F(Cli, LsListsNamespacesWithCounts) {
  auto c = cache();
  auto items = c.cache<&cli_test::make_item>({.ttl = 300s, .ns = "cli.ls.items"});
  auto twice = c.cache<&cli_test::twice>({.limit = 10, .ns = "cli.ls.twice"});
  items("a", 1), items("b", 2), items("c", 3);
  twice(1), twice(2);

  const CliRun r = run({"ls", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::value ls = r.json();
  const auto* i = find_ns(ls, "cli.ls.items");
  const auto* t = find_ns(ls, "cli.ls.twice");
  ASSERT_TRUE(i && t) << r.out;
  EXPECT_EQ(i->at("entries").to_number<int>(), 3);
  EXPECT_EQ(t->at("entries").to_number<int>(), 2);
  EXPECT_GT(i->at("memory_bytes").to_number<long long>(), 0);
  EXPECT_LE(i->at("ttl_max").to_number<int>(), 300);
  EXPECT_GT(i->at("ttl_min").to_number<int>(), 250);
  EXPECT_TRUE(i->at("fifo_size").is_null());  // no limit, no index
  EXPECT_EQ(t->at("fifo_size").to_number<int>(), 2);
  EXPECT_EQ(t->at("no_expiry").to_number<int>(), 2);
  EXPECT_EQ(i->at("function").as_string(), "cli_test::make_item");

  const CliRun human = run({"ls"});
  EXPECT_EQ(human.code, 0);
  EXPECT_NE(human.out.find("NAMESPACE"), std::string::npos);
  EXPECT_NE(human.out.find("cli.ls.items"), std::string::npos);
}

TEST_F(Cli, KeysDecodesArgumentsAndFilters) {
  auto c = cache();
  // Glob characters in the namespace: the scan must not pick up the look-alike.
  auto items = c.cache<&cli_test::make_item>({.ttl = 60s, .ns = "cli.keys[x]*"});
  auto other = c.cache<&cli_test::make_item>({.ns = "cli.keys[x]*2"});
  items("apple", 1), items("banana", 2), items("cherry", 3);
  other("zzz", 9);

  CliRun r = run({"keys", "cli.keys[x]*", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json::value v = r.json();
  ASSERT_EQ(v.at("total").to_number<int>(), 3);
  std::set<std::string> seen;
  for (const auto& e : v.at("entries").as_array()) {
    const auto& args = e.at("args").as_array();
    ASSERT_EQ(args.size(), 2u);
    seen.insert(std::string(args[0].as_string()));
    EXPECT_EQ(e.at("schema").as_string().size(), 8u);
    EXPECT_GT(e.at("size").to_number<int>(), 0);
    EXPECT_LE(e.at("ttl").to_number<int>(), 60);
    const std::string key(e.at("key").as_string());
    EXPECT_EQ(key.rfind("{rc:cli.keys[x]*}:", 0), 0u) << key;
  }
  EXPECT_EQ(seen, (std::set<std::string>{"apple", "banana", "cherry"}));
  EXPECT_EQ(v.at("entries").as_array()[0].at("key").as_string(), items.key("apple", 1));

  r = run({"keys", "cli.keys[x]*", "--match", "*banana*", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  v = r.json();
  ASSERT_EQ(v.at("entries").as_array().size(), 1u);
  EXPECT_EQ(v.at("entries").as_array()[0].at("args"), (json::array{"banana", 2}));

  r = run({"keys", "cli.keys[x]*", "--limit", "1", "--json"});
  ASSERT_EQ(r.code, 0);
  EXPECT_EQ(r.json().at("entries").as_array().size(), 1u);
  EXPECT_EQ(r.json().at("total").to_number<int>(), 3);

  r = run({"keys", "cli.keys[x]*", "--match", "*nothing*", "--json"});
  EXPECT_EQ(r.code, 1);  // nothing matched
}

TEST_F(Cli, GetDecodesValueWithFieldNames) {
  auto c = cache();
  auto items = c.cache<&cli_test::make_item>({.ns = "cli.get.items"});
  auto where = c.cache<&cli_test::where>({.ns = "cli.get.where"});
  items("pen", 4);
  where(2);

  // By arguments: the key is rebuilt from JSON.
  CliRun r = run({"get", "cli.get.items", "--args", R"(["pen", 4])", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json::value v = r.json();
  EXPECT_EQ(v.at("key").as_string(), items.key("pen", 4));
  EXPECT_EQ(v.at("value"),
            (json::object{{"name", "pen"}, {"qty", 4}, {"tags", json::array{"t-pen"}}}));
  EXPECT_EQ(v.at("type").as_string(), "cli_test::Item");
  EXPECT_EQ(v.at("args"), (json::array{"pen", 4}));
  EXPECT_TRUE(v.at("ttl").is_null());

  // By key.
  r = run({"get", items.key("pen", 4), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("value").at("qty").to_number<int>(), 4);

  // A plain aggregate (positional) decodes as an array.
  r = run({"get", "cli.get.where", "--args", "[2]", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("value"), (json::array{3.0, -0.5}));

  // Human output shows the fields too.
  r = run({"get", "cli.get.items", "--args", R"(["pen", 4])"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"qty\":4"), std::string::npos) << r.out;

  // Absent entry of a known namespace.
  r = run({"get", "cli.get.items", "--args", R"(["pen", 5])", "--json"});
  EXPECT_EQ(r.code, 1);
  r = run({"get", "{rc:cli.get.items}:00000000:kQE=", "--json"});
  EXPECT_EQ(r.code, 1);
}

TEST_F(Cli, GetTakesStructArgumentsByNameOrInFieldOrder) {
  auto c = cache();
  auto stock = c.cache<&cli_test::stock>({.ns = "cli.args.stock"});
  auto norm2 = c.cache<&cli_test::norm2>({.ns = "cli.args.norm2"});
  EXPECT_EQ(stock(cli_test::Item{"pen", 4, {"a"}}), 8);
  EXPECT_EQ(norm2(cli_test::Pos{3, 4}), 25.0);

  // A described struct: an object by field name (any order) or an array in field order.
  for (const char* args :
       {R"([{"qty": 4, "tags": ["a"], "name": "pen"}])", R"([["pen", 4, ["a"]]])"}) {
    CliRun r = run({"get", "cli.args.stock", "--args", args, "--json"});
    ASSERT_EQ(r.code, 0) << args << ": " << r.err;
    EXPECT_EQ(r.json().at("value").to_number<int>(), 8);
  }
  // A plain aggregate: an array in field order.
  CliRun r = run({"get", "cli.args.norm2", "--args", "[[3, 4]]", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("value").to_number<double>(), 25.0);

  // Errors name the field, or the shape expected.
  r = run({"get", "cli.args.stock", "--args", R"([{"name": "pen", "tags": []}])"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("missing field \"qty\""), std::string::npos) << r.err;
  r = run(
      {"get", "cli.args.stock", "--args", R"([{"name": "pen", "qty": 4, "tags": [], "x": 1}])"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown field"), std::string::npos) << r.err;
  r = run({"get", "cli.args.stock", "--args", "[7]"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("expected an object with fields"), std::string::npos) << r.err;
  r = run({"get", "cli.args.norm2", "--args", "[[3]]"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("expected an array of 2 fields"), std::string::npos) << r.err;
}

TEST_F(Cli, GetRebuildsCanonicalKeysFromTheNote) {
  auto c = cache();
  auto scale = c.cache<&cli_test::scale>({.ns = "cli.canon.scale"});
  auto ordered = c.cache<&cli_test::distinct>({.ns = "cli.canon.set"});
  auto unordered = c.cache<&cli_test::distinct_u>({.ns = "cli.canon.uset"});
  scale(2.0);
  ordered(std::set<int>{-1, 5, 300});
  unordered(std::unordered_set<int>{-1, 5, 300});

  CliRun r = run({"get", "cli.canon.scale", "--args", "[2]", "--json"});  // int -> float64
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("value").to_number<double>(), 20.0);
  r = run({"get", "cli.canon.set", "--args", "[[300, -1, 5]]", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("key").as_string(), ordered.key(std::set<int>{-1, 5, 300}));
  r = run({"get", "cli.canon.uset", "--args", "[[300, -1, 5]]", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("key").as_string(), unordered.key(std::unordered_set<int>{-1, 5, 300}));
  // The note marks the unordered set; a note written before that marker still finds the
  // entry (both orders are tried).
  r = run({"schema", "cli.canon.uset", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::value schema = r.json();
  const json::value& version = schema.at("versions").at(0);
  json::value old_note = version.at("note");
  ASSERT_EQ(old_note.at("args").at(0).at("unordered"), json::value(true)) << schema;
  old_note.at("args").at(0).as_object().erase("unordered");
  server_->cli({"HSET", "{rc:cli.canon.uset}:schema", std::string(version.at("schema").as_string()),
                json::serialize(old_note)});
  r = run({"get", "cli.canon.uset", "--args", "[[300, -1, 5]]", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("key").as_string(), unordered.key(std::unordered_set<int>{-1, 5, 300}));
  // A value of the wrong type is a usage error naming the argument.
  r = run({"get", "cli.canon.scale", "--args", R"(["two"])", "--json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("argument 1"), std::string::npos) << r.err;
}

TEST_F(Cli, FifoListsOldestFirst) {
  auto c = cache();
  auto twice = c.cache<&cli_test::twice>({.limit = 10, .ns = "cli.fifo"});
  for (int x : {30, 10, 20}) {
    twice(x);
    std::this_thread::sleep_for(2ms);
  }
  const CliRun r = run({"fifo", "cli.fifo", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::value v = r.json();
  const auto& e = v.at("entries").as_array();
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].at("args"), json::array{30});
  EXPECT_EQ(e[1].at("args"), json::array{10});
  EXPECT_EQ(e[2].at("args"), json::array{20});
  EXPECT_LT(e[0].at("inserted").to_number<double>(), e[1].at("inserted").to_number<double>());
  EXPECT_LT(e[1].at("inserted").to_number<double>(), e[2].at("inserted").to_number<double>());
  EXPECT_TRUE(e[0].at("present").as_bool());

  // A namespace without a limit has no index.
  auto nolimit = c.cache<&cli_test::twice>({.ns = "cli.fifo.none"});
  nolimit(1);
  EXPECT_EQ(run({"fifo", "cli.fifo.none", "--json"}).code, 1);
}

TEST_F(Cli, RmOneEntryThenTheNamespaceOthersUntouched) {
  auto c = cache();
  auto a = c.cache<&cli_test::twice>({.limit = 10, .ns = "cli.rm.a"});
  auto b = c.cache<&cli_test::twice>({.ns = "cli.rm.b"});
  a(1), a(2), a(3);
  b(1);

  CliRun r = run({"rm", "cli.rm.a", "--args", "[2]", "--yes", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("removed").to_number<int>(), 1);
  r = run({"keys", "cli.rm.a", "--json"});
  ASSERT_EQ(r.code, 0);
  EXPECT_EQ(r.json().at("total").to_number<int>(), 2);
  r = run({"fifo", "cli.rm.a", "--json"});  // also gone from the FIFO index
  EXPECT_EQ(r.json().at("size").to_number<int>(), 2);
  const int before = cli_test::calls;
  a(2);  // recomputed
  EXPECT_EQ(cli_test::calls, before + 1);

  // Without a terminal and without --yes: refused, nothing deleted.
  r = run({"rm", "cli.rm.a"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--yes"), std::string::npos) << r.err;
  EXPECT_EQ(run({"keys", "cli.rm.a", "--json"}).json().at("total").to_number<int>(), 3);

  r = run({"rm", "cli.rm.a", "--yes", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_GE(r.json().at("removed").to_number<int>(), 3);
  const json::value ls = run({"ls", "--json"}).json();
  EXPECT_EQ(find_ns(ls, "cli.rm.a"), nullptr);
  ASSERT_NE(find_ns(ls, "cli.rm.b"), nullptr);
  EXPECT_EQ(find_ns(ls, "cli.rm.b")->at("entries").to_number<int>(), 1);
  EXPECT_EQ(run({"rm", "cli.rm.a", "--yes"}).code, 1);  // gone
}

TEST_F(Cli, SchemaShowsTheNote) {
  auto c = cache();
  auto items = c.cache<&cli_test::make_item>({.ns = "cli.schema"});
  items("x", 1);
  CliRun r = run({"schema", "cli.schema", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::value v = r.json();
  EXPECT_EQ(v.at("function").as_string(), "cli_test::make_item");
  const auto& versions = v.at("versions").as_array();
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].at("schema").as_string(),
            rc::RedisCache::schema_fingerprint_of<decltype(cli_test::make_item)>());
  EXPECT_EQ(versions[0].at("note").at("result").at("fields"), (json::array{"name", "qty", "tags"}));
  EXPECT_EQ(versions[0].at("entries").to_number<int>(), 1);
  r = run({"schema", "cli.schema"});
  ASSERT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("cli_test::Item {name: str, qty: i32, tags: [str]}"), std::string::npos)
      << r.out;
}

TEST_F(Cli, KeysWithoutClusterBraces) {
  auto c = cache(false);
  auto items = c.cache<&cli_test::make_item>({.ns = "cli:plain:items"});
  items("q", 7);
  const json::value ls = run({"ls", "--json"}).json();
  const auto* n = find_ns(ls, "cli:plain:items");
  ASSERT_NE(n, nullptr);
  EXPECT_FALSE(n->at("cluster_braces").as_bool());
  CliRun r = run({"get", "cli:plain:items", "--args", R"(["q", 7])", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("key").as_string(), items.key("q", 7));
  EXPECT_EQ(r.json().at("value").at("qty").to_number<int>(), 7);
  r = run({"keys", "cli:plain:items", "--no-cluster-braces", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("total").to_number<int>(), 1);
}

TEST_F(Cli, StatsReportsServerAndNamespaces) {
  auto c = cache();
  auto t = c.cache<&cli_test::twice>({.ns = "cli.stats"});
  t(1), t(1);
  const CliRun r = run({"stats", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::value v = r.json();
  EXPECT_GE(v.at("server").at("keyspace_hits").to_number<long long>(), 1);
  EXPECT_NE(find_ns(v, "cli.stats"), nullptr);
}

TEST_F(Cli, StatsListsNearCacheListeners) {
  rc::RedisCache near{{.url = server_->url(), .near = {.max_bytes = 1 << 20}}};
  ASSERT_TRUE(rc_test::eventually([&] { return near.near_stats().listening; }));
  CliRun r = run({"stats", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  bool seen = false;
  const json::value v = r.json();
  for (const auto& l : v.at("near_listeners").as_array())
    seen = seen || l.at("name").as_string() == "redis_cache:near";
  EXPECT_TRUE(seen) << r.out;
  r = run({"stats"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("redis_cache:near"), std::string::npos) << r.out;
}

TEST_F(Cli, ErrorPaths) {
  // Bad URL: usage error naming the bad part.
  CliRun r = run({"--url", "redis://127.0.0.1:notaport/0", "ls"}, false);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("notaport"), std::string::npos) << r.err;
  r = run({"--url", "mongodb://x", "ls"}, false);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("mongodb"), std::string::npos) << r.err;
  // Unreachable server.
  r = run({"--url", "redis://127.0.0.1:1/0", "ls", "--json"}, false);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos) << r.err;
  // Unknown namespace.
  r = run({"keys", "cli.no.such.namespace", "--json"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cli.no.such.namespace"), std::string::npos) << r.err;
  EXPECT_EQ(run({"get", "cli.no.such.namespace", "--args", "[1]"}).code, 1);
  // Malformed --args.
  r = run({"get", "cli.get.items", "--args", "[1,", "--json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--args"), std::string::npos) << r.err;
  // An object (Codec::python arguments by name) for a namespace with a schema note.
  auto c = cache();
  auto twice = c.cache<&cli_test::twice>({.ns = "cli.errors.twice"});
  twice(1);
  r = run({"get", "cli.errors.twice", "--args", R"({"a": 1})"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("JSON array"), std::string::npos) << r.err;
  EXPECT_EQ(run({"get", "cli.errors.twice", "--args", "7"}).code, 2);
  EXPECT_EQ(run({"rm", "cli.get.items", "--args", "nope", "--yes"}).code, 2);
  // Usage.
  EXPECT_EQ(run({"frobnicate"}).code, 2);
  EXPECT_EQ(run({"keys"}).code, 2);
  r = run({"get", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--args"), std::string::npos);
}

}  // namespace
