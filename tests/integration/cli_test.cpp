// The redis-cache command-line tool, run for real (RC_CLI_PATH) against a private
// redis-server populated through the library; its --json output is parsed, not grepped.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>
#include <boost/describe.hpp>
#include <boost/json/src.hpp>  // Boost.JSON header-only: this is its one TU in integration_tests

#include <sys/wait.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "cli_support.hpp"
#include "client/cluster.hpp"
#include "codec_tools.hpp"
#include "support/redis_cluster.hpp"
#include "support/redis_sentinel.hpp"
#include "support/redis_server.hpp"

namespace rc = redis_cache;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace cli_test {

std::atomic<int> calls{0};

struct Item {  // described: stored as a map with field names
  std::string name;
  int qty;
  std::vector<std::string> tags;
};
BOOST_DESCRIBE_STRUCT(Item, (), (name, qty, tags))

struct Pos {  // plain aggregate (PFR): stored as an array
  double x;
  double y;
};

Item make_item(const std::string& name, int qty) {
  ++calls;
  return {name, qty, {"t-" + name}};
}
Pos where(int id) {
  return ++calls, Pos{id * 1.5, -id * 0.25};
}
int twice(int x) {
  return ++calls, 2 * x;
}
double scale(double f) {
  return ++calls, f * 10;
}
std::size_t distinct(std::set<int> s) {
  return ++calls, s.size();
}
std::size_t distinct_u(std::unordered_set<int> s) {
  return ++calls, s.size();
}
std::string greet(int user_id, std::string lang) {
  return ++calls, "hello " + std::to_string(user_id) + " in " + lang;
}
double price(double amount, std::string currency) {
  return ++calls, currency == "EUR" ? amount * 1.1 : amount;
}
int stock(const Item& item) {
  return ++calls, item.qty * 2;
}
double norm2(Pos p) {
  return ++calls, p.x * p.x + p.y * p.y;
}
std::vector<std::string> many(int n) {
  ++calls;
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back("item-" + std::to_string(i));
  return v;
}

}  // namespace cli_test

namespace {

using rc_cli_test::CliRun;

class Cli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new rc_test::RedisServer(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  /// Runs the real binary with stdin from /dev/null (not a terminal).
  static CliRun run(const std::vector<std::string>& args, bool with_url = true) {
    return rc_cli_test::run_cli(*server_, args, with_url);
  }

  static rc::RedisCache cache(bool cluster = true) {
    return rc::RedisCache{{.url = server_->url(), .support_cluster = cluster}};
  }

  static const json::object* find_ns(const json::value& ls, const std::string& ns) {
    for (const auto& n : ls.at("namespaces").as_array())
      if (n.at("ns").as_string() == ns) return &n.as_object();
    return nullptr;
  }

  static rc_test::RedisServer* server_;
};

rc_test::RedisServer* Cli::server_ = nullptr;

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

// Codec::python keys hold {name: value}; --args as an object rebuilds them with the
// library's Python-compatible JSON (sorted names, ensure_ascii, float repr).
TEST_F(Cli, PythonCodecGetAndRmByArgumentNames) {
  rc::RedisCache c{{.url = server_->url(), .codec = rc::Codec::python}};
  auto greet = c.cache<&cli_test::greet>({.ns = "cli.py.greet", .arg_names = {"user_id", "lang"}});
  auto price =
      c.cache<&cli_test::price>({.ns = "cli.py.price", .arg_names = {"amount", "currency"}});
  const std::string dia =
      "es-d\xc3\xad"
      "a";  // "es-día": ensure_ascii writes \u00ed
  greet(7, dia), greet(8, "en");
  price(2.0, "EUR");

  CliRun r =
      run({"get", "cli.py.greet", "--args", R"({"user_id": 7, "lang": "es-d\u00eda"})", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json::value v = r.json();
  EXPECT_EQ(v.at("key").as_string(), greet.key(7, dia));
  EXPECT_EQ(v.at("value").as_string(), "hello 7 in " + dia);
  EXPECT_EQ(v.at("args"), (json::object{{"lang", dia}, {"user_id", 7}}));
  EXPECT_TRUE(v.at("schema").is_null());
  // A float argument given as an integer: Python wrote 2.0, both are tried.
  r = run({"get", "cli.py.price", "--args", R"({"currency": "EUR", "amount": 2})", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_DOUBLE_EQ(r.json().at("value").to_number<double>(), 2.2);
  // An array cannot be mapped to names: a usage error showing a stored entry's names.
  r = run({"get", "cli.py.greet", "--args", R"([7, "en"])"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("user_id"), std::string::npos) << r.err;
  EXPECT_EQ(run({"get", "cli.py.greet", "--args", R"({"user_id": 9, "lang": "en"})"}).code, 1);

  r = run({"rm", "cli.py.greet", "--args", R"({"lang": "en", "user_id": 8})", "--yes", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("removed").to_number<int>(), 1);
  r = run({"keys", "cli.py.greet", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.json().at("total").to_number<int>(), 1);
  EXPECT_EQ(r.json().at("entries").as_array()[0].at("args").at("user_id").to_number<int>(), 7);
}

// Codec::json values and zstd-compressed values decode to JSON in get.
TEST_F(Cli, GetDecodesJsonCodecAndCompressedValues) {
  rc::RedisCache js{{.url = server_->url(), .codec = rc::Codec::json}};
  rc::RedisCache zs{{.url = server_->url(), .compress_above = 64}};
  auto items = js.cache<&cli_test::make_item>({.ns = "cli.codec.json"});
  auto many = zs.cache<&cli_test::many>({.ns = "cli.codec.zstd"});
  items("pen", 4);
  many(50);
  ASSERT_EQ(server_->cli({"GETRANGE", many.key(50), "1", "3"}), "RCZ");  // really compressed

  CliRun r = run({"get", "cli.codec.json", "--args", R"(["pen", 4])", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("key").as_string(), items.key("pen", 4));
  EXPECT_EQ(r.json().at("value"),
            (json::object{{"name", "pen"}, {"qty", 4}, {"tags", json::array{"t-pen"}}}));
  r = run({"get", "cli.codec.zstd", "--args", "[50]", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::value got = r.json();
  const json::value& value = got.at("value");
  ASSERT_TRUE(value.is_array()) << r.out;
  ASSERT_EQ(value.as_array().size(), 50u);
  EXPECT_EQ(value.as_array()[49].as_string(), "item-49");
}

// On a real 3-master cluster: ls / stats scan every master, per-namespace commands
// follow the namespace's hash tag to its node. One cluster for all of it (~2 s).
TEST_F(Cli, ClusterCoversEveryMaster) {
  rc_test::RedisCluster cluster(3);
  const auto on_cluster = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--url", cluster.url()});
    return run(args, false);
  };
  // Three namespaces whose hash slots are on three different masters.
  std::vector<std::string> names;
  std::set<std::size_t> owners;
  for (int i = 0; names.size() < 3 && i < 200; ++i) {
    const std::string ns = "cli.cluster." + std::to_string(i);
    if (owners.insert(cluster.owner(rc::detail::key_slot("{rc:" + ns + "}:"))).second)
      names.push_back(ns);
  }
  ASSERT_EQ(names.size(), 3u);

  rc::RedisCache c{{.url = cluster.url()}};
  auto twice = c.cache<&cli_test::twice>({.limit = 10, .ns = names[0]});
  auto items = c.cache<&cli_test::make_item>({.ns = names[1]});
  auto where = c.cache<&cli_test::where>({.ns = names[2]});
  twice(1), twice(2), twice(3);
  items("pen", 4), items("ink", 5);
  where(2);
  const std::set<std::size_t> key_owners{cluster.owner(rc::detail::key_slot(twice.key(1))),
                                         cluster.owner(rc::detail::key_slot(items.key("pen", 4))),
                                         cluster.owner(rc::detail::key_slot(where.key(2)))};
  ASSERT_EQ(key_owners.size(), 3u) << "the namespaces must live on different masters";

  CliRun r = on_cluster({"ls", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json::value ls = r.json();
  const std::map<std::string, int> expected{{names[0], 3}, {names[1], 2}, {names[2], 1}};
  for (const auto& [ns, n] : expected) {
    const auto* o = find_ns(ls, ns);
    ASSERT_NE(o, nullptr) << ns << " missing from " << r.out;
    EXPECT_EQ(o->at("entries").to_number<int>(), n) << ns;
    EXPECT_GT(o->at("memory_bytes").to_number<long long>(), 0) << ns;
  }
  EXPECT_EQ(find_ns(ls, names[0])->at("fifo_size").to_number<int>(), 3);

  r = on_cluster({"stats", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::value stats = r.json();
  EXPECT_EQ(stats.at("server").at("nodes").to_number<int>(), 3);
  for (const auto& ns : names) EXPECT_NE(find_ns(stats, ns), nullptr) << ns;

  r = on_cluster({"get", names[1], "--args", R"(["ink", 5])", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("value").at("qty").to_number<int>(), 5);
  r = on_cluster({"keys", names[0], "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("total").to_number<int>(), 3);
  r = on_cluster({"fifo", names[0], "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("size").to_number<int>(), 3);
  EXPECT_EQ(on_cluster({"schema", names[1], "--json"}).code, 0);

  // rm NS removes exactly that namespace: its keys, nothing on the other masters.
  const long long before = cluster.dbsize();
  r = on_cluster({"rm", names[0], "--yes", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const int removed = r.json().at("removed").to_number<int>();
  EXPECT_EQ(removed, 5);  // 3 values, the FIFO index, the schema note
  EXPECT_EQ(cluster.dbsize(), before - removed);
  ls = on_cluster({"ls", "--json"}).json();
  EXPECT_EQ(find_ns(ls, names[0]), nullptr);
  ASSERT_NE(find_ns(ls, names[1]), nullptr);
  EXPECT_EQ(find_ns(ls, names[1])->at("entries").to_number<int>(), 2);
  ASSERT_NE(find_ns(ls, names[2]), nullptr);
  EXPECT_EQ(find_ns(ls, names[2])->at("entries").to_number<int>(), 1);

  // A cluster has no unbraced keys.
  EXPECT_EQ(on_cluster({"ls", "--no-cluster-braces"}).code, 2);
}

}  // namespace

// ---- what an operator sees: exact messages, numbers, exit codes ------------------------------

namespace {

TEST_F(Cli, UnknownCommandsAreNamedWithTheClosestOne) {
  const std::string list = " (commands: ls, keys, get, fifo, rm, schema, stats)\n";
  CliRun r = run({"lss"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "redis-cache: unknown command 'lss'; did you mean 'ls'?" + list);
  EXPECT_EQ(r.out, "");
  r = run({"--prefix", "x", "stat", "--json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "redis-cache: unknown command 'stat'; did you mean 'stats'?" + list);
  r = run({"frobnicate"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "redis-cache: unknown command 'frobnicate'" + list);
}

TEST_F(Cli, NumbersPrintAsPeopleWriteThem) {
  auto c = cache();
  auto scale = c.cache<&cli_test::scale>({.ns = "cli.num.scale"});
  auto twice = c.cache<&cli_test::twice>({.ns = "cli.num.twice"});
  scale(2.0), twice(3);
  CliRun r = run({"get", "cli.num.scale", "--args", "[2]"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "key    " + scale.key(2.0) +
                       "\nns     cli.num.scale\nargs   [2.0]\ntype   f64\nttl    none\n"
                       "size   9 B\nvalue  20.0\n");
  r = run({"get", "cli.num.scale", "--args", "[2]", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("args":[2.0],)"), std::string::npos) << r.out;
  EXPECT_TRUE(r.out.ends_with(R"(,"value":20.0})"
                              "\n"))
      << r.out;
  r = run({"keys", "cli.num.scale", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("args":[2.0],)"), std::string::npos) << r.out;
  // Echoed input keeps its own spelling.
  const std::string hex = std::string(run({"schema", "cli.num.twice", "--json"})
                                          .json()
                                          .at("versions")
                                          .at(0)
                                          .at("schema")
                                          .as_string());
  r = run({"get", "cli.num.twice", "--args", "[42.5]"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "redis-cache: --args do not fit the arguments of 'cli.num.twice':\n  schema " +
                       hex + ": argument 1: expected an integer, got 42.5\n");
  // A ratio in stats --json is a plain decimal.
  r = run({"stats", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto at = r.out.find("\"hit_ratio\":");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string ratio = r.out.substr(at + 12, r.out.find(',', at) - at - 12);
  EXPECT_EQ(ratio.find_first_of("eE"), std::string::npos) << ratio;
  EXPECT_EQ(std::stod(ratio), r.json().at("server").at("hit_ratio").to_number<double>());
}

TEST_F(Cli, UndecodableValuesHaveTheirOwnExitCode) {
  auto c = cache();
  auto twice = c.cache<&cli_test::twice>({.ns = "cli.bad"});
  twice(1);
  const std::string key = twice.key(1);
  server_->cli({"SET", key, "{not json"});
  std::string why;
  try {
    rc::codec::any_value_to_json("{not json");
  } catch (const rc::DecodeError& e) {
    why = std::string(e.what()).substr(std::string("redis_cache: ").size());
  }
  ASSERT_FALSE(why.empty());
  const std::string err =
      "redis-cache: " + key + " holds a value that does not decode: " + why + "\n";
  CliRun r = run({"get", key, "--json"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err, err);
  const json::value v = r.json();
  EXPECT_EQ(v.at("value").at("base64").as_string(), rc::codec::base64_encode("{not json"));
  EXPECT_TRUE(v.at("value").at("undecodable").is_string());
  r = run({"get", "cli.bad", "--args", "[1]"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err, err);
  EXPECT_NE(r.out.find("undecodable"), std::string::npos) << r.out;
  r = run({"get", "--help"});
  EXPECT_NE(r.out.find("3 found but not decodable"), std::string::npos) << r.out;
}

TEST_F(Cli, ValuesAsDeepAsTheLibraryDecodesAreShown) {
  auto c = cache();
  auto twice = c.cache<&cli_test::twice>({.ns = "cli.deep"});
  twice(1);
  const std::string key = twice.key(1);
  // Without the note the values are shown as they decode (with it, arrays in the place of
  // an i32 are reported as not of the note's type).
  server_->cli({"DEL", "{rc:cli.deep}:schema"});
  auto nested = [](int depth) { return std::string(depth, '[') + "7" + std::string(depth, ']'); };
  for (int depth : {33, 64}) {
    server_->cli({"SET", key, nested(depth)});
    CliRun r = run({"get", key, "--json"});
    EXPECT_EQ(r.code, 0) << depth << ": " << r.err;
    EXPECT_TRUE(r.out.ends_with(",\"value\":" + nested(depth) + "}\n")) << r.out;
  }
  // Deeper than the library decodes: undecodable, in the library's words only.
  server_->cli({"SET", key, nested(65)});
  CliRun r = run({"get", key, "--json"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err.find("boost"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(".hpp"), std::string::npos) << r.err;
}

TEST_F(Cli, MessagesSpeakTheToolsFlagsAndCutEnormousInput) {
  CliRun r = run({"--url", "redis://127.0.0.1:1/0", "ls"}, false);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "redis-cache: connection failure during connect on 127.0.0.1:1 (Connection refused); "
            "check that redis-server runs there and that --url is right\n");
  r = run({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.find("Options::"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--timeout"), std::string::npos) << r.out;

  auto c = cache();
  auto items = c.cache<&cli_test::make_item>({.ns = "cli.big.items"});
  items("pen", 4);
  const std::string big(120000, 'x');
  r = run({"get", "cli.big.items", "--args", "[\"" + big + "\", 4]"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err, "redis-cache: no entry for --args [\"" + std::string(78, 'x') +
                       "... (120006 bytes) in 'cli.big.items'\n");
  r = run({"get", "cli.big.items", "--args", "[\"pen\", \"" + big + "\"]"});
  EXPECT_EQ(r.code, 2);
  EXPECT_LT(r.err.size(), 400u) << r.err.size();
  EXPECT_NE(r.err.find("... (120002 bytes)"), std::string::npos) << r.err;
  r = run({"get", "cli.big.items", "--args", "[\"" + big});
  EXPECT_EQ(r.code, 2);
  EXPECT_LT(r.err.size(), 400u) << r.err.size();
  EXPECT_NE(r.err.find("... (120002 bytes)"), std::string::npos) << r.err;
}

}  // namespace

namespace {

TEST_F(Cli, KeysOfAnotherRedisTypeSayWhatIsThere) {
  auto c = cache();
  auto twice = c.cache<&cli_test::twice>({.ns = "cli.type"});
  twice(1), twice(2);
  const std::string key = twice.key(1);
  server_->cli({"DEL", key});
  server_->cli({"HSET", key, "f", "v"});
  const std::string err =
      "redis-cache: " + key + " is a hash, not a cached value (the cache stores strings)\n";
  CliRun r = run({"get", key});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err, err);
  EXPECT_EQ(r.out, "");
  r = run({"get", "cli.type", "--args", "[1]"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err, err);

  const std::string hex(rc::RedisCache::schema_fingerprint_of<decltype(cli_test::twice)>());
  r = run({"keys", "cli.type"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            "ARGS  SCHEMA     TTL      SIZE\n"
            "[1]   " +
                hex +
                "  none  (a hash)\n"
                "[2]   " +
                hex + "  none       1 B\n");
  EXPECT_EQ(r.err, "redis-cache: " + key + " is a hash, not a cached value\n");
  r = run({"keys", "cli.type", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json::value v = r.json();
  EXPECT_EQ(v.at("entries").at(0).at("redis_type").as_string(), "hash");
  EXPECT_TRUE(v.at("entries").at(0).at("size").is_null());
  EXPECT_EQ(v.at("entries").at(1).at("size").to_number<int>(), 1);
}

TEST_F(Cli, LsTtlColumnCollapsesEqualRangesAndCountsEntriesWithoutExpiry) {
  auto c = cache();
  // TTLs of a day and more: the column's minutes / hours do not change while the test runs.
  auto same = c.cache<&cli_test::twice>({.ttl = 89000s, .ns = "cli.ttl.same"});
  auto range = c.cache<&cli_test::twice>({.ttl = 89000s, .ns = "cli.ttl.range"});
  auto never = c.cache<&cli_test::twice>({.ns = "cli.ttl.never"});
  same(1), same(2), same(3);
  range(1), range(2), range(3);
  never(1);
  server_->cli({"PERSIST", same.key(3)});
  server_->cli({"EXPIRE", range.key(2), "200000"});
  server_->cli({"PERSIST", range.key(3)});
  const CliRun r = run({"ls"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto row = [&](const std::string& ns) {
    const auto at = r.out.find("\n" + ns + " ");
    return at == std::string::npos ? std::string()
                                   : r.out.substr(at + 1, r.out.find('\n', at + 1) - at - 1);
  };
  EXPECT_NE(row("cli.ttl.same").find("  1d00h, 1 without expiry  "), std::string::npos) << r.out;
  EXPECT_NE(row("cli.ttl.range").find("  1d00h..2d07h, 1 without expiry  "), std::string::npos)
      << r.out;
  EXPECT_NE(row("cli.ttl.never").find("  none  "), std::string::npos) << r.out;
}

TEST_F(Cli, SchemaOfAPythonNamespaceSaysWhatToPassToGet) {
  rc::RedisCache c{{.url = server_->url(), .codec = rc::Codec::python}};
  auto greet = c.cache<&cli_test::greet>({.ns = "cli.py.schema", .arg_names = {"user_id", "lang"}});
  greet(7, "en");
  CliRun r = run({"schema", "cli.py.schema"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err,
            "redis-cache: 'cli.py.schema' is a Codec::python namespace: those get no schema note "
            "(their keys hold the arguments by name); read an entry with its arguments as a JSON "
            "object by name, like a stored one: redis-cache get 'cli.py.schema' --args "
            "'{\"lang\":\"en\",\"user_id\":7}'\n");
  // What it suggests works.
  r = run({"get", "cli.py.schema", "--args", R"({"lang":"en","user_id":7})", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.json().at("value").as_string(), "hello 7 in en");
}

TEST_F(Cli, ValuesNotOfTheNotesTypeAndUndecodableArgumentsAreReportedAsSuch) {
  auto c = cache();
  auto items = c.cache<&cli_test::make_item>({.ns = "cli.mismatch"});
  items("pen", 4);
  const std::string key = items.key("pen", 4);
  server_->cli({"SET", key, "x"});  // msgpack: the integer 120
  const std::string err = "redis-cache: " + key +
                          " holds a value that does not decode as cli_test::Item: value: expected "
                          "an object with fields [\"name\",\"qty\",\"tags\"], got 120\n";
  CliRun r = run({"get", key});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err, err);
  r = run({"get", "cli.mismatch", "--args", R"(["pen", 4])", "--json"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err, err);
  EXPECT_EQ(r.json().at("value").at("base64").as_string(), rc::codec::base64_encode("x"));

  // A key whose arguments segment does not decode (0xc1 is no msgpack), and a long argument:
  // one short line each in the table.
  const std::string hex(rc::RedisCache::schema_fingerprint_of<decltype(cli_test::make_item)>());
  const std::string b64 = rc::codec::base64_encode(std::string(82, '\xc1'));
  ASSERT_EQ(b64.size(), 112u);
  server_->cli({"SET", "{rc:cli.mismatch}:" + hex + ":" + b64, "x"});
  items(std::string(200, 'a'), 1);
  r = run({"keys", "cli.mismatch"});
  EXPECT_EQ(r.code, 0) << r.err;
  const std::string cut = "(undecodable) " + b64.substr(0, 16) + "...";
  const std::string long_args = "[\"" + std::string(78, 'a') + "... (206 bytes)";
  std::string size = server_->cli({"STRLEN", items.key(std::string(200, 'a'), 1)});
  while (!size.empty() && !std::isdigit(static_cast<unsigned char>(size.back()))) size.pop_back();
  size += " B";
  ASSERT_EQ(size.size(), 5u) << size;  // "4xx B": as wide as "SIZE"
  auto line = [&](const std::string& args, const std::string& schema, const std::string& ttl,
                  const std::string& sz) {
    return args + std::string(long_args.size() - args.size(), ' ') + "  " + schema + "  " + ttl +
           "  " + std::string(5 - sz.size(), ' ') + sz + "\n";
  };
  EXPECT_EQ(r.out, line("ARGS", "SCHEMA  ", " TTL", "SIZE") + line(long_args, hex, "none", size) +
                       line("[\"pen\",4]", hex, "none", "1 B") + line(cut, hex, "none", "1 B"));
  EXPECT_EQ(r.err,
            "redis-cache: the arguments of 1 of the keys shown do not decode (redis-cache keys "
            "'cli.mismatch' --json shows their keys)\n");
}

TEST_F(Cli, NegativeLimitsAndHostlessUrlsAreRefused) {
  CliRun r = run({"keys", "cli.limit", "--limit", "-1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err,
            "redis-cache: --limit -1 is not a number of entries: give 0 for all, or N > 0 for at "
            "most N\n");
  const std::string advice =
      "names no host; write the server's, e.g. redis://127.0.0.1:6379 for this machine\n";
  r = run({"--url", "redis://", "ls"}, false);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "redis-cache: --url 'redis://' " + advice);
  r = run({"--url", "redis://:6380/0", "ls"}, false);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "redis-cache: --url 'redis://:6380/0' " + advice);
  r = run({"--url", "redis://:secret@/0", "ls"}, false);  // the password is not echoed
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "redis-cache: --url " + advice);
}

}  // namespace

namespace cli_test {

enum class Tier { free, pro };
BOOST_DESCRIBE_ENUM(Tier, free, pro)

std::map<int, std::string> names(int n) {
  return ++calls, std::map<int, std::string>{{n, "n"}, {-n, "minus"}};
}
std::optional<int> maybe(int n) {
  return ++calls, n % 2 ? std::nullopt : std::optional<int>(n);
}
std::variant<int, std::string> either(int n) {
  return ++calls, n % 2 ? std::variant<int, std::string>("odd") : n;
}
std::tuple<int, std::string, double> triple(int n) {
  return ++calls, std::tuple{n, std::string("t"), n * 0.5};
}
std::unordered_map<std::string, std::vector<Pos>> spots(int n) {
  return ++calls,
         std::unordered_map<std::string, std::vector<Pos>>{{"a", {{1.0 * n, 2}}}, {"b", {}}};
}
Tier tier(int n) {
  return ++calls, n % 2 ? Tier::pro : Tier::free;
}
std::chrono::milliseconds wait_for(int n) {
  return ++calls, std::chrono::milliseconds(n);
}
std::vector<std::uint8_t> bytes(int n) {
  return ++calls, std::vector<std::uint8_t>(static_cast<std::size_t>(n), 0xff);
}
std::optional<std::optional<int>> deep_maybe(int n) {
  return ++calls, n % 2 ? std::optional<std::optional<int>>(std::nullopt)
                        : std::optional<std::optional<int>>(n);
}
std::vector<Item> items_of(int n) {
  return ++calls, std::vector<Item>{{"x", n, {}}, {"y", n, {"t"}}};
}

}  // namespace cli_test

namespace {

// The check of a value against its note's type must not refuse a value the library wrote.
TEST_F(Cli, ValuesOfEveryKindOfTypePassTheNotesTypeCheck) {
  auto c = cache();
  std::vector<std::pair<std::string, std::function<void(int)>>> fns;
  auto add = [&](auto wrapped, const std::string& ns) {
    fns.emplace_back(ns, [wrapped](int n) mutable { (void)wrapped(n); });
  };
  add(c.cache<&cli_test::names>({.ns = "cli.kinds.names"}), "cli.kinds.names");
  add(c.cache<&cli_test::maybe>({.ns = "cli.kinds.maybe"}), "cli.kinds.maybe");
  add(c.cache<&cli_test::either>({.ns = "cli.kinds.either"}), "cli.kinds.either");
  add(c.cache<&cli_test::triple>({.ns = "cli.kinds.triple"}), "cli.kinds.triple");
  add(c.cache<&cli_test::spots>({.ns = "cli.kinds.spots"}), "cli.kinds.spots");
  add(c.cache<&cli_test::tier>({.ns = "cli.kinds.tier"}), "cli.kinds.tier");
  add(c.cache<&cli_test::wait_for>({.ns = "cli.kinds.wait"}), "cli.kinds.wait");
  add(c.cache<&cli_test::bytes>({.ns = "cli.kinds.bytes"}), "cli.kinds.bytes");
  add(c.cache<&cli_test::deep_maybe>({.ns = "cli.kinds.deep"}), "cli.kinds.deep");
  add(c.cache<&cli_test::items_of>({.ns = "cli.kinds.items"}), "cli.kinds.items");
  for (auto& [ns, call] : fns) {
    for (int n : {1, 2}) {
      call(n);
      const CliRun r = run({"get", ns, "--args", "[" + std::to_string(n) + "]"});
      EXPECT_EQ(r.code, 0) << ns << " " << n << ": " << r.err << r.out;
    }
  }
}

TEST_F(Cli, SentinelUrlReachesTheMaster) {
  rc_test::RedisSentinels group({.replicas = 0, .sentinels = 1});
  rc::RedisCache c{{.url = group.url()}};
  auto twice = c.cache<&cli_test::twice>({.ns = "cli.sentinel"});
  twice(1), twice(2);
  CliRun r = run({"--url", group.url(), "ls", "--json"}, false);
  ASSERT_EQ(r.code, 0) << r.err;
  const json::value ls = r.json();
  const auto* o = find_ns(ls, "cli.sentinel");
  ASSERT_NE(o, nullptr) << r.out;
  EXPECT_EQ(o->at("entries").to_number<int>(), 2);
  // A master name the sentinel does not monitor: a connection error (exit 2) that says so.
  std::string wrong = group.url();
  wrong = wrong.substr(0, wrong.rfind('/')) + "/nosuch";
  r = run({"--url", wrong, "ls"}, false);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown master name 'nosuch'"), std::string::npos) << r.err;
}

}  // namespace
