// Codec::json: round trips of every type the msgpack codec takes where JSON can carry
// it, strict decoding, and json_encodable_v for the types it cannot.
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <boost/describe.hpp>
#include <msgpack.hpp>
#include <redis_cache/codec/codec.hpp>
#include <redis_cache/codec/json.hpp>

namespace json_codec_test {

namespace rc = redis_cache;

enum class Color { red, green };
BOOST_DESCRIBE_ENUM(Color, red, green)
enum Plain : short { one = 1, two = 2 };

struct Point {  // plain aggregate: array
  double x, y;
  bool operator==(const Point&) const = default;
};
struct Named {  // described: object
  int id;
  std::string name;
  std::optional<Color> color;
  std::vector<Point> path;
  bool operator==(const Named&) const = default;
};
BOOST_DESCRIBE_STRUCT(Named, (), (id, name, color, path))

struct Base {
  int b = 0;
  bool operator==(const Base&) const = default;
};
BOOST_DESCRIBE_STRUCT(Base, (), (b))
struct Derived : Base {
  std::string d;
  bool operator==(const Derived&) const = default;
};
BOOST_DESCRIBE_STRUCT(Derived, (Base), (d))

struct Money {
  long cents;
  bool operator==(const Money&) const = default;
};

struct WithNative {  // has only a msgpack-cxx adaptor
  int a;
  MSGPACK_DEFINE(a)
};

}  // namespace json_codec_test

template <>
struct redis_cache::codec::adaptor<json_codec_test::Money> {
  static std::string pack(const json_codec_test::Money& m) { return std::to_string(m.cents); }
  static json_codec_test::Money unpack(const std::string& s) { return {std::stol(s)}; }
};

namespace json_codec_test {

template <class T>
T round_trip(const T& v, std::string* text = nullptr) {
  std::string out;
  rc::codec::encode_json(v, out);
  if (text) *text = out;
  return rc::codec::decode_json<T>(out);
}

template <class T>
void expect_round_trip(const T& v) {
  std::string text;
  EXPECT_EQ(round_trip(v, &text), v) << text;
}

TEST(JsonRoundTrip, Scalars) {
  expect_round_trip(true);
  expect_round_trip(std::int8_t{-128});
  expect_round_trip(std::uint8_t{255});
  expect_round_trip(std::numeric_limits<std::int64_t>::min());
  expect_round_trip(std::numeric_limits<std::uint64_t>::max());
  expect_round_trip('x');
  for (double d : {0.0, -0.0, 0.1, 1.0 / 3, 1e300, -1e-300, 5e-324, 1e16, 123.0})
    expect_round_trip(d);
  EXPECT_TRUE(std::signbit(round_trip(-0.0)));
  EXPECT_TRUE(std::isnan(round_trip(std::numeric_limits<double>::quiet_NaN())));
  expect_round_trip(std::numeric_limits<double>::infinity());
  expect_round_trip(1.25f);
  expect_round_trip(Color::green);
  expect_round_trip(Plain::two);
  expect_round_trip(std::string("plain \"quoted\" \\ \n h\xc3\xa9 \xf0\x9f\x98\x80"));
  expect_round_trip(std::chrono::milliseconds(1234));
  expect_round_trip(std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)));
}

TEST(JsonRoundTrip, Containers) {
  expect_round_trip(std::vector<int>{1, 2, 3});
  expect_round_trip(std::vector<bool>{true, false});
  expect_round_trip(std::deque<std::string>{"a", "b"});
  expect_round_trip(std::list<double>{1.5});
  expect_round_trip(std::array<int, 3>{1, 2, 3});
  expect_round_trip(std::set<std::string>{"x", "y"});
  expect_round_trip(std::unordered_set<int>{1, 2, 3});
  expect_round_trip(std::map<std::string, int>{{"a", 1}, {"b", 2}});
  expect_round_trip(std::unordered_map<std::string, std::vector<int>>{{"a", {1}}, {"b", {}}});
  expect_round_trip(std::map<int, std::string>{{-5, "m"}, {10, "t"}});
  expect_round_trip(std::map<std::uint64_t, int>{{std::numeric_limits<std::uint64_t>::max(), 1}});
  expect_round_trip(std::tuple<int, std::string, double>{1, "a", 2.5});
  expect_round_trip(std::pair<int, bool>{1, true});
  expect_round_trip(std::vector<std::vector<int>>{{}, {1}, {2, 3}});
}

TEST(JsonRoundTrip, SumTypes) {
  expect_round_trip(std::optional<int>{});
  expect_round_trip(std::optional<int>{3});
  expect_round_trip(std::optional<std::optional<int>>{});
  expect_round_trip(std::optional<std::optional<int>>{std::optional<int>{}});
  expect_round_trip(std::optional<std::optional<int>>{4});
  using V = std::variant<std::monostate, int, std::string>;
  expect_round_trip(V{});
  expect_round_trip(V{7});
  expect_round_trip(V{std::string("s")});
}

TEST(JsonRoundTrip, Structs) {
  const Named n{7, "Ann", Color::red, {{1, 2}, {3.5, -4}}};
  std::string text;
  EXPECT_EQ(round_trip(n, &text), n);
  EXPECT_EQ(text, R"({"color":"red","id":7,"name":"Ann","path":[[1.0,2.0],[3.5,-4.0]]})");
  Derived d;
  d.b = 1;
  d.d = "x";
  EXPECT_EQ(round_trip(d, &text), d);
  EXPECT_EQ(text, R"({"b":1,"d":"x"})");
  EXPECT_EQ(round_trip(Money{1234}, &text), Money{1234});
  EXPECT_EQ(text, R"("1234")");
}

TEST(JsonRoundTrip, PlainStyleKeepsUtf8) {
  std::string out;
  rc::codec::encode_json(std::string("h\xc3\xa9\x7f"), out);
  EXPECT_EQ(out, "\"h\xc3\xa9\x7f\"");
  rc::codec::encode_json(std::string("h\xc3\xa9"), out, rc::codec::JsonStyle::python);
  EXPECT_EQ(out, R"("h\u00e9")");
}

TEST(JsonEncodable, Trait) {
  static_assert(rc::codec::json_encodable_v<Named>);
  static_assert(rc::codec::json_encodable_v<std::map<int, std::vector<Point>>>);
  static_assert(rc::codec::json_encodable_v<Money>);
  static_assert(!rc::codec::json_encodable_v<std::map<Point, int>>);
  static_assert(!rc::codec::json_encodable_v<std::map<double, int>>);
  static_assert(!rc::codec::json_encodable_v<std::vector<std::map<std::pair<int, int>, int>>>);
  static_assert(!rc::codec::json_encodable_v<WithNative>);
  static_assert(rc::codec::cacheable_v<std::map<Point, int>>);  // fine for msgpack
  using Bad = std::vector<std::map<double, int>>;
  EXPECT_NE(rc::codec::json_blocker<Bad>().find("map"), std::string_view::npos);
  EXPECT_EQ(rc::codec::json_blocker<Named>(), "");
}

TEST(JsonDecode, StrictAndBounded) {
  using rc::codec::decode_json;
  EXPECT_THROW(decode_json<Named>(R"({"id":1})"), rc::DecodeError);
  EXPECT_THROW(decode_json<Color>(R"("blue")"), rc::DecodeError);
  EXPECT_THROW((decode_json<std::tuple<int, int>>("[1]")), rc::DecodeError);
  EXPECT_THROW((decode_json<std::tuple<int, int>>("[1,2,3]")), rc::DecodeError);
  EXPECT_THROW((decode_json<std::array<int, 2>>("[1,2,3]")), rc::DecodeError);
  EXPECT_THROW((decode_json<std::variant<int, bool>>("[2,true]")), rc::DecodeError);
  EXPECT_THROW(decode_json<std::set<int>>("[1,1]"), rc::DecodeError);
  EXPECT_THROW((decode_json<std::map<int, int>>(R"({"x":1})")), rc::DecodeError);
  EXPECT_THROW(decode_json<Money>(R"("abc")"), rc::DecodeError);  // hook's unpack throws
  EXPECT_THROW(decode_json<std::string>("\"\xff\""), rc::DecodeError);
  EXPECT_THROW(decode_json<bool>("tru"), rc::DecodeError);
  EXPECT_THROW(decode_json<int>("\x93\x01\x02\x03"), rc::DecodeError);  // msgpack bytes
  // Garbage never crashes.
  const std::string junk = "[{\"\\u12\",1e,--1,[[[\xc1RCZ";
  for (std::size_t i = 0; i <= junk.size(); ++i) {
    EXPECT_THROW(decode_json<Named>(junk.substr(0, i)), rc::DecodeError);
    EXPECT_THROW(rc::codec::normalize_json(junk.substr(0, i)), rc::DecodeError);
  }
}

TEST(JsonNormalize, Compact) {
  EXPECT_EQ(rc::codec::normalize_json(" { \"a\" : [ 1 , 2.5e3 , \"\\u00e9\" , NaN ] } "),
            "{\"a\":[1,2.5e3,\"\xc3\xa9\",NaN]}");
}

}  // namespace json_codec_test
