// args_from_json (src/args_from_json.hpp), the one "key arguments from JSON" path the CLI
// uses: its bytes must equal the template encoder's (codec::append_key_args) for every kind
// of argument, given the schema note the library writes. Each case is checked twice: from
// JSON written as a person would, and from the JSON the tool shows for a stored key
// (codec::msgpack_to_json of the template's bytes), which must lead back to the same key.
#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <boost/describe.hpp>
#include <redis_cache/codec/codec.hpp>

#include "args_from_json.hpp"

namespace args_from_json_test {

namespace rc = redis_cache;
namespace rcd = redis_cache::detail;
using rcd::ElementOrder;

struct Item {  // described: a map by field name
  std::string name;
  int qty;
  std::vector<std::string> tags;
};
BOOST_DESCRIBE_STRUCT(Item, (), (name, qty, tags))

struct Pos {  // plain aggregate (PFR): an array of fields
  double x;
  double y;
};

struct Order {  // nested: described holding aggregates, containers, optionals
  Item item;
  std::vector<Pos> path;
  std::optional<std::string> note;
  std::unordered_map<std::string, std::set<int>> extra;
};
BOOST_DESCRIBE_STRUCT(Order, (), (item, path, note, extra))

enum class Color { red, green, blue };
BOOST_DESCRIBE_ENUM(Color, red, green, blue)
enum Plain : short { one = 1, two = 2 };

/// The note the library writes for a function taking A... (cache.hpp's schema_note_of).
template <class... A>
std::string note_of() {
  std::string note = "{\"result\":\"nil\",\"args\":[";
  bool first = true;
  ((note += (first ? "" : ","), note += rc::codec::schema_json<A>(), first = false), ...);
  return note + "]}";
}

/// The key's arguments segment as the template encoder writes it (before base64).
template <class... A>
std::string template_bytes(const A&... a) {
  std::string b64, raw;
  rc::codec::append_key_args(b64, a...);
  EXPECT_TRUE(rc::codec::base64_decode(b64, raw));
  return raw;
}

std::string hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) out += {d[c >> 4], d[c & 15], ' '};
  return out;
}

/// args_json (and the tool's own rendering of the key) give the template's bytes.
template <class... A>
void expect_same(std::string_view args_json, const A&... a) {
  const std::string note = note_of<A...>();
  const std::string want = template_bytes(a...);
  const auto got = rcd::args_from_json(args_json, note, ElementOrder::by_value);
  EXPECT_EQ(hex(got.msgpack), hex(want)) << args_json << "\nnote: " << note;
  const std::string shown = rc::codec::msgpack_to_json(want);
  const auto back = rcd::args_from_json(shown, note, ElementOrder::by_value);
  EXPECT_EQ(hex(back.msgpack), hex(want)) << "shown as " << shown << "\nnote: " << note;
}

TEST(ArgsFromJson, ScalarsMatchTheTemplateEncoder) {
  expect_same("[7]", 7);
  expect_same("[-1, -33, 300]", -1, -33, 300u);
  expect_same("[-9223372036854775808, 18446744073709551615]",
              std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::uint64_t>::max());
  expect_same("[true, false]", true, false);
  expect_same(R"(["h\u00e9llo", "a\"b\\c", ""])", std::string("h\xc3\xa9llo"),
              std::string("a\"b\\c"), std::string());
  expect_same("[97, 200]", 'a', std::uint8_t{200});
  expect_same("[4.0]", 4);  // an integral float for an integer
}

TEST(ArgsFromJson, FloatsAreFloat64WithOneNaN) {
  expect_same("[1.5, 2, -0.0, 1e300]", 1.5, 2.0, -0.0, 1e300);
  expect_same("[0.25]", 0.25f);
  expect_same(R"(["NaN", "Infinity", "-Infinity"])", std::numeric_limits<double>::quiet_NaN(),
              std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity());
  expect_same("[1e999, -1e999]", std::numeric_limits<double>::infinity(),
              -std::numeric_limits<double>::infinity());
}

TEST(ArgsFromJson, StructsByFieldNameOrInFieldOrder) {
  const Item item{"pen", 4, {"a", "b"}};
  expect_same(R"([{"name": "pen", "qty": 4, "tags": ["a", "b"]}])", item);
  expect_same(R"([{"tags": ["a", "b"], "qty": 4, "name": "pen"}])", item);  // any field order
  expect_same(R"([["pen", 4, ["a", "b"]]])", item);
  expect_same("[[3, -4.5]]", Pos{3, -4.5});
  expect_same(R"([{"0": 3, "1": -4.5}])", Pos{3, -4.5});
  const Order order{item,
                    {{1, 2}, {3, 4}},
                    std::nullopt,
                    {{"b", {3, 1}}, {"a", {2}}, {"long-key", {-5, 7, 100000}}}};
  expect_same(R"([{"item": ["pen", 4, ["a", "b"]], "path": [[1, 2], [3, 4]], "note": null,
                   "extra": {"long-key": [100000, 7, -5], "b": [3, 1], "a": [2]}}])",
              order);
}

TEST(ArgsFromJson, OrderedContainersInValueOrder) {
  expect_same("[[300, -1, 5, 5]]", std::set<int>{-1, 5, 300});  // a set holds 5 once
  expect_same(R"([["b", "aa", "a", ""]])", std::set<std::string>{"b", "aa", "a", ""});
  expect_same("[[-0.5, 2.5, -3e10, 1]]", std::set<double>{-0.5, 2.5, -3e10, 1});
  expect_same(R"([{"b": 1, "aa": 2}])", std::map<std::string, int>{{"b", 1}, {"aa", 2}});
  expect_same(R"([{"300": "x", "-1": "y", "5": "z"}])",
              std::map<int, std::string>{{300, "x"}, {-1, "y"}, {5, "z"}});
  expect_same("[[[300, 1], [-1, 2]]]", std::map<long, int>{{300, 1}, {-1, 2}});  // [k, v] pairs
  // Lexicographic: pairs, tuples, vectors of different lengths, structs as keys.
  expect_same(R"([[[2, "a"], [1, "b"], [1, "a"]]])",
              std::set<std::pair<int, std::string>>{{2, "a"}, {1, "b"}, {1, "a"}});
  expect_same("[[[1, 2], [1], [0, 5, 6], []]]",
              std::set<std::vector<int>>{{1, 2}, {1}, {0, 5, 6}, {}});
  expect_same(R"([[[1, "b"], [1, "a"], [0, 7]]])",
              std::set<std::variant<int, std::string>>{std::string("b"), std::string("a"), 7});
  expect_same("[[null, 3, -2]]", std::set<std::optional<int>>{std::nullopt, 3, -2});
  expect_same(R"([{"blue": 1, "red": 2}])",
              std::map<Color, int>{{Color::blue, 1}, {Color::red, 2}});
  expect_same(R"([[[true, 1], [false, 2]]])", std::map<bool, int>{{true, 1}, {false, 2}});
}

TEST(ArgsFromJson, UnorderedContainersByEncodedBytes) {
  expect_same("[[300, -1, 5]]", std::unordered_set<int>{-1, 5, 300});
  expect_same(R"([["b", "aa", "a"]])", std::unordered_set<std::string>{"b", "aa", "a"});
  expect_same(R"([{"b": 1, "aa": 2, "c": 3}])",
              std::unordered_map<std::string, int>{{"b", 1}, {"aa", 2}, {"c", 3}});
  expect_same(
      R"([{"-1": {"z": 1, "y": 2}, "7": {}}])",
      std::unordered_map<int, std::map<std::string, int>>{{-1, {{"z", 1}, {"y", 2}}}, {7, {}}});
  expect_same(R"([{"k": [3, 1, 2]}, [[2, 1], [1, 2]]])",
              std::map<std::string, std::unordered_set<int>>{{"k", {1, 2, 3}}},
              std::vector<std::set<int>>{{1, 2}, {2, 1}});
}

TEST(ArgsFromJson, OptionalsVariantsEnumsTuplesAndTime) {
  expect_same("[null, 5]", std::optional<int>{}, std::optional<int>{5});
  expect_same("[[], [null], [5]]", std::optional<std::optional<int>>{},
              std::optional<std::optional<int>>{std::optional<int>{}},
              std::optional<std::optional<int>>{5});
  using V = std::variant<int, std::string, Pos>;
  expect_same(R"([[0, 7], [1, "x"], [2, [1, 2]]])", V{7}, V{std::string("x")}, V{Pos{1, 2}});
  expect_same(R"(["green", 7, 2])", Color::green, static_cast<Color>(7), Plain::two);
  expect_same(R"([[1, "a", 2.5], [3, 4], [1, 2, 3]])",
              std::tuple<int, std::string, double>{1, "a", 2.5}, std::pair<int, int>{3, 4},
              std::array<int, 3>{1, 2, 3});
  using namespace std::chrono;
  expect_same("[1500, 1700000000123456789]", milliseconds(1500),
              system_clock::time_point(nanoseconds(1700000000123456789)));
  expect_same("[null]", std::monostate{});
}

TEST(ArgsFromJson, OldNotesWithoutTheMarkerFallBackToBothOrders) {
  const std::unordered_set<int> s{-1, 5, 300};
  const std::string want = template_bytes(s);
  std::string old = note_of<std::unordered_set<int>>();  // as written before the marker
  const std::string marker = ",\"unordered\":true";
  ASSERT_NE(old.find(marker), std::string::npos) << old;
  old.erase(old.find(marker), marker.size());

  const auto by_value = rcd::args_from_json("[[300, -1, 5]]", old, ElementOrder::by_value);
  EXPECT_TRUE(by_value.order_guessed);
  EXPECT_NE(by_value.msgpack, want);  // [-1, 5, 300] by value; by bytes 5 < 300 < -1
  const auto by_bytes = rcd::args_from_json("[[300, -1, 5]]", old, ElementOrder::by_bytes);
  EXPECT_EQ(hex(by_bytes.msgpack), hex(want));

  // The marked note leaves nothing to guess; neither does a one-element set.
  EXPECT_FALSE(rcd::args_from_json("[[300, -1, 5]]", note_of<std::unordered_set<int>>(),
                                   ElementOrder::by_value)
                   .order_guessed);
  EXPECT_FALSE(rcd::args_from_json("[[5]]", old, ElementOrder::by_value).order_guessed);
  EXPECT_FALSE(rcd::args_from_json("[[]]", old, ElementOrder::by_value).order_guessed);
}

TEST(ArgsFromJson, WithoutANoteEncodesByJsonType) {
  // Integers smallest form, fractions float64, strings, arrays as given.
  EXPECT_EQ(hex(rcd::args_from_json(R"([7, -1, 1.5, "a", [2, 1], null, true])", "",
                                    ElementOrder::by_value)
                    .msgpack),
            hex(template_bytes(7, -1, 1.5, std::string("a"), std::vector<int>{2, 1},
                               std::monostate{}, true)));
  // An object is a described struct (as given) or a map (sorted): each order its key.
  const Item item{"pen", 4, {}};
  const char* json = R"([{"name": "pen", "qty": 4, "tags": []}])";
  const auto as_given = rcd::args_from_json(json, "", ElementOrder::as_given);
  EXPECT_TRUE(as_given.order_guessed);
  EXPECT_EQ(hex(as_given.msgpack), hex(template_bytes(item)));
  const auto by_bytes = rcd::args_from_json(R"([{"bb": 1, "a": 2}])", "", ElementOrder::by_bytes);
  EXPECT_EQ(hex(by_bytes.msgpack),
            hex(template_bytes(std::unordered_map<std::string, int>{{"bb", 1}, {"a", 2}})));
  const auto by_value = rcd::args_from_json(R"([{"bb": 1, "a": 2}])", "", ElementOrder::by_value);
  EXPECT_EQ(hex(by_value.msgpack),
            hex(template_bytes(std::map<std::string, int>{{"bb", 1}, {"a", 2}})));
}

/// The ArgsJsonError message for args_json against A...'s note.
template <class... A>
std::string error_of(std::string_view args_json) {
  try {
    rcd::args_from_json(args_json, note_of<A...>(), ElementOrder::by_value);
  } catch (const rcd::ArgsJsonError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ArgsFromJson, ErrorsNameTheArgumentAndField) {
  EXPECT_EQ(error_of<Item>(R"([{"name": "pen", "qty": "four", "tags": []}])"),
            "argument 1.qty: expected an integer, got \"four\"");
  EXPECT_EQ(error_of<Item>(R"([{"name": "pen", "tags": []}])"),
            "argument 1: missing field \"qty\"");
  EXPECT_EQ(error_of<Item>(R"([{"name": "pen", "qty": 4, "tags": [], "x": 1}])"),
            "argument 1: unknown field \"x\" (fields are [\"name\",\"qty\",\"tags\"])");
  EXPECT_EQ(error_of<Item>("[7]"),
            "argument 1: expected an object with fields [\"name\",\"qty\",\"tags\"], got 7");
  EXPECT_EQ(error_of<Pos>("[[3]]"), "argument 1: expected an array of 2 fields, got [3]");
  EXPECT_EQ((error_of<int, int>("[1]")), "the function takes 2 argument(s), the JSON array has 1");
  EXPECT_EQ(error_of<std::int8_t>("[200]"), "argument 1: 200 is out of range for i8");
  EXPECT_EQ(error_of<unsigned>("[-1]"), "argument 1: -1 is out of range for u32");
  EXPECT_EQ(error_of<int>("[42.5]"), "argument 1: expected an integer, got 42.5");
  EXPECT_EQ(error_of<Color>(R"(["purple"])"),
            "argument 1: no enumerator \"purple\" (one of [\"red\",\"green\",\"blue\"])");
  EXPECT_EQ((error_of<std::map<int, int>>(R"([{"1": 1, "1.0": 2}])")),
            "argument 1: a key given twice");
  EXPECT_EQ((error_of<std::variant<int, double>>("[[2, 1]]")),
            "argument 1: variant index 2 out of range (2 alternatives)");
  EXPECT_EQ((error_of<std::vector<int>>(R"([[1, "x"]])")),
            "argument 1[1]: expected an integer, got \"x\"");
  // A long value is cut in the message, with its size.
  const std::string big = "\"" + std::string(500, 'x') + "\"";
  EXPECT_EQ(error_of<int>("[" + big + "]"),
            "argument 1: expected an integer, got \"" + std::string(59, 'x') + "... (502 bytes)");
  EXPECT_EQ(error_of<int>("{}"), "the arguments must be a JSON array, got {}");
  EXPECT_THROW(rcd::args_from_json("[1]", "{\"result\":\"nil\"}", ElementOrder::by_value),
               rc::DecodeError);
}

}  // namespace args_from_json_test
