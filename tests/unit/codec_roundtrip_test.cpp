// Round trips of every supported type through encode_value / decode_value, plus the
// customization hook, msgpack-native types and the generic msgpack_to_json view.
#include <array>
#include <bit>
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
#include <utility>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <boost/describe.hpp>
#include <msgpack.hpp>
#include <redis_cache/codec/codec.hpp>
#include <redis_cache/codec/msgpack_native.hpp>

namespace codec_roundtrip_test {

namespace rc = redis_cache::codec;

struct Address {
  std::string city;
  std::optional<int> zip;
  bool operator==(const Address&) const = default;
};

struct User {  // PFR aggregate nesting another aggregate
  std::int64_t id;
  std::string name;
  std::vector<std::string> tags;
  Address address;
  std::map<std::string, double> scores;
  bool operator==(const User&) const = default;
};

enum class Role : std::uint8_t { admin = 1, guest = 7 };
BOOST_DESCRIBE_ENUM(Role, admin, guest)
enum Plain { plain_a = -3, plain_b = 9 };

struct Base {
  int base_id = 0;
  bool operator==(const Base&) const = default;
};
BOOST_DESCRIBE_STRUCT(Base, (), (base_id))

class Account : public Base {  // described class with a base and private members
 public:
  Account() = default;
  Account(int id, std::string owner, Role role) : owner_(std::move(owner)), role_(role) {
    base_id = id;
  }
  bool operator==(const Account&) const = default;

 private:
  std::string owner_;
  Role role_ = Role::guest;
  BOOST_DESCRIBE_CLASS(Account, (Base), (), (), (owner_, role_))
};

struct Node {  // recursive aggregate
  int value;
  std::vector<Node> children;
  bool operator==(const Node&) const = default;
};

// The customization hook: Money is stored as "cents currency".
struct Money {
  std::int64_t cents;
  std::string currency;
  bool operator==(const Money&) const = default;
};

// A type with its own msgpack-cxx adaptor (MSGPACK_DEFINE) is left to it.
struct Legacy {
  int x = 0;
  std::string y;
  MSGPACK_DEFINE(x, y)
  bool operator==(const Legacy&) const = default;
};

}  // namespace codec_roundtrip_test

template <>
struct redis_cache::codec::adaptor<codec_roundtrip_test::Money> {
  static std::string pack(const codec_roundtrip_test::Money& m) {
    return std::to_string(m.cents) + ' ' + m.currency;
  }
  static codec_roundtrip_test::Money unpack(const std::string& s) {
    const auto sp = s.find(' ');
    if (sp == std::string::npos) throw std::invalid_argument("Money: no currency");
    return {std::stoll(s.substr(0, sp)), s.substr(sp + 1)};
  }
};

namespace codec_roundtrip_test {

template <class T>
T round_trip(const T& v) {
  std::string bytes;
  rc::encode_value(v, bytes);
  return rc::decode_value<T>(bytes);
}

template <class T>
void expect_round_trip(const T& v) {
  EXPECT_EQ(round_trip(v), v);
}

template <class T>
std::string json_of(const T& v) {
  std::string bytes;
  rc::encode_value(v, bytes);
  return rc::msgpack_to_json(bytes);
}

TEST(RoundTrip, IntegerExtremes) {
  expect_round_trip(std::numeric_limits<std::int64_t>::min());
  expect_round_trip(std::numeric_limits<std::int64_t>::max());
  expect_round_trip(std::numeric_limits<std::uint64_t>::max());
  expect_round_trip(std::uint64_t{0});
  expect_round_trip(std::numeric_limits<std::int8_t>::min());
  expect_round_trip(std::numeric_limits<std::uint16_t>::max());
  expect_round_trip(std::numeric_limits<int>::min());
  expect_round_trip('x');
  expect_round_trip(true);
  expect_round_trip(false);
}

TEST(RoundTrip, FloatingPoint) {
  expect_round_trip(0.1);
  expect_round_trip(1.0f / 3.0f);
  expect_round_trip(std::numeric_limits<double>::max());
  expect_round_trip(std::numeric_limits<double>::denorm_min());
  expect_round_trip(std::numeric_limits<double>::infinity());
  expect_round_trip(-std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(round_trip(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_TRUE(std::isnan(round_trip(std::numeric_limits<float>::quiet_NaN())));
  const double nz = round_trip(-0.0);
  EXPECT_EQ(nz, 0.0);
  EXPECT_TRUE(std::signbit(nz));  // -0.0 stays -0.0
  EXPECT_FALSE(std::signbit(round_trip(0.0)));
}

TEST(RoundTrip, Strings) {
  expect_round_trip(std::string());
  expect_round_trip(std::string("h\xc3\xa9llo \xf0\x9f\x98\x80"));  // unicode
  std::string bin;
  for (int i = 0; i < 256; ++i) bin.push_back(static_cast<char>(i));
  bin += std::string("\0\0\xff", 3);
  expect_round_trip(bin);                      // binary-safe
  expect_round_trip(std::string(70000, 'z'));  // str32
}

TEST(RoundTrip, Containers) {
  expect_round_trip(std::vector<int>{});
  expect_round_trip(std::vector<int>{1, -2, 3});
  expect_round_trip(std::vector<bool>{true, false, true});
  expect_round_trip(std::deque<std::string>{"a", "b"});
  expect_round_trip(std::list<double>{1.5, -2.25});
  expect_round_trip(std::array<int, 3>{4, 5, 6});
  expect_round_trip(std::array<int, 0>{});
  expect_round_trip(std::set<std::string>{"x", "y"});
  expect_round_trip(std::unordered_set<int>{1, 2, 3});
  expect_round_trip(std::map<int, std::string>{{1, "a"}, {2, "b"}});
  expect_round_trip(std::map<int, std::string>{});
  expect_round_trip(std::unordered_map<std::string, std::vector<int>>{{"k", {1, 2}}, {"e", {}}});
  expect_round_trip(std::vector<std::vector<std::map<std::string, std::set<int>>>>{{{{"a", {1}}}}});
  expect_round_trip(std::vector<int>(100000, 7));  // array32
}

TEST(RoundTrip, OptionalVariantTuple) {
  expect_round_trip(std::optional<int>{});
  expect_round_trip(std::optional<int>{0});
  expect_round_trip(std::optional<std::string>{"x"});
  expect_round_trip(std::optional<std::optional<int>>{});
  expect_round_trip(std::optional<std::optional<int>>{std::optional<int>{}});
  expect_round_trip(std::optional<std::optional<int>>{std::optional<int>{5}});
  using V = std::variant<std::monostate, int, std::string, std::vector<int>, double>;
  expect_round_trip(V{});
  expect_round_trip(V{7});
  expect_round_trip(V{std::string("s")});
  expect_round_trip(V{std::vector<int>{1}});
  expect_round_trip(V{2.5});
  expect_round_trip(std::variant<int, long>{std::in_place_index<1>, 5L});  // index, not value
  expect_round_trip(std::tuple<>{});
  expect_round_trip(std::tuple<int, std::string, bool>{1, "a", true});
  expect_round_trip(std::pair<std::string, std::optional<double>>{"p", 1.5});
}

TEST(RoundTrip, Chrono) {
  using namespace std::chrono;
  expect_round_trip(nanoseconds(std::numeric_limits<std::int64_t>::min()));
  expect_round_trip(milliseconds(-1500));
  expect_round_trip(hours(24));
  expect_round_trip(duration<double>(1.25));
  expect_round_trip(duration<std::int32_t, std::ratio<7, 3>>(11));
  const auto now = system_clock::now();
  expect_round_trip(now);
  expect_round_trip(time_point_cast<seconds>(now));
  expect_round_trip(system_clock::time_point{});
}

TEST(RoundTrip, Enums) {
  expect_round_trip(Role::admin);
  expect_round_trip(Role::guest);
  expect_round_trip(static_cast<Role>(3));  // no name: stored as integer
  expect_round_trip(plain_a);
  expect_round_trip(plain_b);
  EXPECT_EQ(json_of(Role::guest), "\"guest\"");
  EXPECT_EQ(json_of(static_cast<Role>(3)), "3");
  EXPECT_EQ(json_of(plain_a), "-3");
}

TEST(RoundTrip, PfrAggregatesAreArraysInFieldOrder) {
  const User u{std::numeric_limits<std::int64_t>::min(),
               "\xe2\x82\xac",
               {"a", ""},
               {"Oslo", 150},
               {{"x", -0.5}}};
  expect_round_trip(u);
  expect_round_trip(User{});
  EXPECT_EQ(json_of(User{1, "n", {"t"}, {"c", std::nullopt}, {}}),
            R"([1,"n",["t"],["c",null],{}])");
}

TEST(RoundTrip, DescribedClassesAreMapsByNameIncludingBases) {
  expect_round_trip(Account(42, "ann", Role::admin));
  EXPECT_EQ(json_of(Account(42, "ann", Role::admin)),
            R"({"base_id":42,"owner_":"ann","role_":"admin"})");
}

TEST(RoundTrip, RecursiveAggregate) {
  expect_round_trip(Node{1, {Node{2, {}}, Node{3, {Node{4, {}}}}}});
}

TEST(RoundTrip, HookWinsOverReflection) {
  static_assert(rc::cacheable_v<Money>);
  const Money m{1999, "EUR"};
  expect_round_trip(m);
  EXPECT_EQ(json_of(m), R"("1999 EUR")");  // the hook's representation, not [1999,"EUR"]
  EXPECT_EQ(json_of(std::vector<Money>{m}), R"(["1999 EUR"])");
  // A representation the hook rejects is a DecodeError.
  std::string bytes;
  rc::encode_value(std::string("nospace"), bytes);
  EXPECT_THROW(rc::decode_value<Money>(bytes), redis_cache::DecodeError);
  // Keys use the representation too.
  std::string k1, k2;
  rc::append_key_args(k1, m);
  rc::append_key_args(k2, std::string("1999 EUR"));
  EXPECT_EQ(k1, k2);
}

TEST(RoundTrip, OwnMsgpackAdaptorIsUsed) {
  expect_round_trip(Legacy{3, "y"});
  EXPECT_EQ(json_of(Legacy{3, "y"}), R"([3,"y"])");
  std::string bytes;
  rc::encode_value(std::string("not an array"), bytes);  // msgpack-cxx's type_error
  EXPECT_THROW(rc::decode_value<Legacy>(bytes), redis_cache::DecodeError);
}

TEST(RoundTrip, EncodeReusesTheBuffer) {
  std::string out = "garbage";
  rc::encode_value(1, out);
  EXPECT_EQ(out, std::string("\x01", 1));
  out.reserve(1000);
  const auto* data = out.data();
  rc::encode_value(User{1, "n", {"t"}, {"c", 1}, {}}, out);
  EXPECT_EQ(out.data(), data);
}

}  // namespace codec_roundtrip_test
