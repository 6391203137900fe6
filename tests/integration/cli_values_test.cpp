// The redis-cache tool on what an operator sees (cli_test.cpp has the commands): values
// of every kind of type, the JSON and Python codecs, compressed values, exact messages,
// numbers and exit codes.
#include <redis_cache/redis_cache.hpp>

#include <gtest/gtest.h>
#include <boost/json/src.hpp>  // Boost.JSON header-only: this is its one TU in this executable

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "cli_fixture.hpp"
#include "codec_tools.hpp"
#include "support/redis_server.hpp"

namespace rc = redis_cache;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

using rc_cli_test::Cli;
using rc_cli_test::CliRun;

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

using rc_cli_test::Cli;
using rc_cli_test::CliRun;

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

}  // namespace
