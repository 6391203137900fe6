// The opt-in msgpack-cxx adaptors (codec/msgpack_adaptors.hpp): user aggregates and
// described types packed by msgpack-cxx give the codec's bytes and convert back strictly;
// std types, msgpack-native types and hooked types are left alone.
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/describe.hpp>
#include <redis_cache/codec/msgpack_adaptors.hpp>
#include <redis_cache/errors.hpp>

namespace msgpack_adaptors_test {

namespace rc = redis_cache::codec;

enum class Color : std::uint8_t { red, green = 5 };
BOOST_DESCRIBE_ENUM(Color, red, green)

struct Item {  // PFR aggregate
  std::string sku;
  double price;
  std::optional<int> qty;
  bool operator==(const Item&) const = default;
};

struct Order {  // PFR aggregate nesting aggregates, vectors, optionals, an enum, a map
  std::int64_t id;
  std::vector<Item> items;
  std::optional<Item> gift;
  Color color;
  std::map<std::string, std::int32_t> counts;
  bool operator==(const Order&) const = default;
};

struct Base {
  int base_id = 0;
  bool operator==(const Base&) const = default;
};
BOOST_DESCRIBE_STRUCT(Base, (), (base_id))

struct Profile : Base {  // described struct with a base, nesting a PFR aggregate
  std::string name;
  std::vector<Item> favourites;
  std::optional<Color> color;
  std::vector<std::optional<std::int64_t>> numbers;
  bool operator==(const Profile&) const = default;
};
BOOST_DESCRIBE_STRUCT(Profile, (Base), (name, favourites, color, numbers))

class Account {  // described class, private members
 public:
  Account() = default;
  Account(std::string owner, Color c) : owner_(std::move(owner)), color_(c) {}
  bool operator==(const Account&) const = default;

 private:
  std::string owner_;
  Color color_ = Color::red;
  BOOST_DESCRIBE_CLASS(Account, (), (), (), (owner_, color_))
};

// Hooked: the codec stores it as "cents currency"; msgpack-cxx uses its MSGPACK_DEFINE.
struct Money {
  std::int64_t cents;
  std::string currency;
  MSGPACK_DEFINE(cents, currency)
  bool operator==(const Money&) const = default;
};

// Hooked aggregate without any msgpack-cxx adaptor: still not reflected.
struct Tag {
  std::string text;
};

// Own msgpack adaptor, no hook.
struct Legacy {
  int x = 0;
  MSGPACK_DEFINE(x)
};

}  // namespace msgpack_adaptors_test

template <>
struct redis_cache::codec::adaptor<msgpack_adaptors_test::Money> {
  static std::string pack(const msgpack_adaptors_test::Money& m) {
    return std::to_string(m.cents) + ' ' + m.currency;
  }
  static msgpack_adaptors_test::Money unpack(const std::string& s) {
    const auto sp = s.find(' ');
    return {std::stoll(s.substr(0, sp)), s.substr(sp + 1)};
  }
};

template <>
struct redis_cache::codec::adaptor<msgpack_adaptors_test::Tag> {
  static std::string pack(const msgpack_adaptors_test::Tag& t) { return t.text; }
  static msgpack_adaptors_test::Tag unpack(std::string s) { return {std::move(s)}; }
};

namespace msgpack_adaptors_test {

static_assert(rc::msgpack_reflected<Item>);
static_assert(rc::msgpack_reflected<Order>);
static_assert(rc::msgpack_reflected<Profile>);
static_assert(rc::msgpack_reflected<Account>);
static_assert(rc::msgpack_reflected<Color>);
static_assert(!rc::msgpack_reflected<Money>);   // hook (and MSGPACK_DEFINE)
static_assert(!rc::msgpack_reflected<Tag>);     // hook
static_assert(!rc::msgpack_reflected<Legacy>);  // its own msgpack adaptor
static_assert(!rc::msgpack_reflected<std::string>);
static_assert(!rc::msgpack_reflected<std::vector<int>>);
static_assert(!rc::msgpack_reflected<std::map<std::string, int>>);
static_assert(!rc::msgpack_reflected<std::optional<Item>>);
static_assert(!rc::msgpack_reflected<std::pair<int, int>>);
static_assert(!rc::msgpack_reflected<std::tuple<int>>);
static_assert(!rc::msgpack_reflected<std::array<int, 2>>);
static_assert(!rc::msgpack_reflected<int>);
static_assert(!rc::msgpack_reflected<msgpack::type::nil_t>);  // msgpack's own types

template <class T>
std::string codec_bytes(const T& v) {
  std::string out;
  rc::encode_value(v, out);
  return out;
}

template <class T>
std::string msgpack_bytes(const T& v) {
  msgpack::sbuffer sbuf;
  msgpack::pack(sbuf, v);
  return {sbuf.data(), sbuf.size()};
}

template <class T>
T msgpack_convert(const std::string& bytes) {
  msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
  T v{};
  oh.get().convert(v);
  return v;
}

msgpack::object_handle unpack(const std::string& bytes) {
  return msgpack::unpack(bytes.data(), bytes.size());
}

Order sample_order() {
  return Order{42,
               {Item{"a-1", 9.5, 3}, Item{"b-2", -0.0, std::nullopt}},
               Item{"gift", 0.1, std::nullopt},
               Color::green,
               {{"x", -1}, {"y", 70000}}};
}

Profile sample_profile() {
  Profile p;
  p.base_id = 7;
  p.name = "Zoë";
  p.favourites = {Item{"c", 1.25, 1}};
  p.color = Color::red;
  p.numbers = {std::nullopt, -5, std::int64_t{1} << 40};
  return p;
}

TEST(MsgpackAdaptor, PackOfPfrAggregateMatchesEncodeValue) {
  const Order o = sample_order();
  EXPECT_EQ(msgpack_bytes(o), codec_bytes(o));
  EXPECT_EQ(msgpack_bytes(Item{"z", 2.0, 1}), codec_bytes(Item{"z", 2.0, 1}));
}

TEST(MsgpackAdaptor, PackOfDescribedTypesMatchesEncodeValue) {
  const Profile p = sample_profile();
  EXPECT_EQ(msgpack_bytes(p), codec_bytes(p));
  const Account a("ann", Color::green);
  EXPECT_EQ(msgpack_bytes(a), codec_bytes(a));
  EXPECT_EQ(msgpack_bytes(Color::green), std::string("\xa5green"));
  EXPECT_EQ(msgpack_bytes(Color::green), codec_bytes(Color::green));
}

TEST(MsgpackAdaptor, ReflectedTypesInsideStdContainersUseTheCodecBytes) {
  const std::vector<Item> items = sample_order().items;
  EXPECT_EQ(msgpack_bytes(items), codec_bytes(items));
  using ByName = std::map<std::string, Profile>;
  const ByName by_name{{"p", sample_profile()}};
  EXPECT_EQ(msgpack_bytes(by_name), codec_bytes(by_name));
  EXPECT_EQ(msgpack_convert<ByName>(msgpack_bytes(by_name)), by_name);
}

TEST(MsgpackAdaptor, UnpackAndConvertGiveTheValueBack) {
  const Order o = sample_order();
  EXPECT_EQ(msgpack_convert<Order>(msgpack_bytes(o)), o);
  EXPECT_EQ(unpack(codec_bytes(o)).get().as<Order>(), o);
  EXPECT_TRUE(std::signbit(unpack(codec_bytes(o)).get().as<Order>().items[1].price));  // -0.0

  const Profile p = sample_profile();
  EXPECT_EQ(msgpack_convert<Profile>(codec_bytes(p)), p);
  EXPECT_EQ(unpack(msgpack_bytes(p)).get().as<Profile>(), p);

  const Account a("bob", Color::green);
  EXPECT_EQ(unpack(msgpack_bytes(a)).get().as<Account>(), a);
  EXPECT_EQ(unpack(msgpack_bytes(Color::green)).get().as<Color>(), Color::green);
}

TEST(MsgpackAdaptor, ObjectWithZoneHoldsTheCodecForm) {
  const Order o = sample_order();
  msgpack::zone z;
  msgpack::object obj;
  {
    const Order copy = o;  // the object must not point into the source value
    obj = msgpack::object(copy, z);
  }
  EXPECT_EQ(obj.type, msgpack::type::ARRAY);
  EXPECT_EQ(obj.as<Order>(), o);
  EXPECT_EQ(obj, unpack(codec_bytes(o)).get());
}

TEST(MsgpackAdaptor, StdTypesKeepMsgpackCxxAdaptors) {
  EXPECT_EQ(msgpack_bytes(std::string("hi")), std::string("\xa2hi"));
  EXPECT_EQ(msgpack_bytes(std::vector<int>{1, -1, 300}),
            std::string("\x93\x01\xff\xcd\x01\x2c", 6));
  EXPECT_EQ(msgpack_bytes(std::map<std::string, int>{{"a", 1}}), std::string("\x81\xa1"
                                                                             "a\x01"));
  // msgpack-cxx packs float as float32; the codec always writes float64.
  EXPECT_EQ(msgpack_bytes(std::vector<float>{1.5f}), std::string("\x91\xca\x3f\xc0\x00\x00", 6));
  EXPECT_NE(msgpack_bytes(std::vector<float>{1.5f}), codec_bytes(std::vector<float>{1.5f}));
}

TEST(MsgpackAdaptor, HookedAndNativeTypesAreNotTakenOver) {
  const Money m{150, "EUR"};
  // msgpack-cxx uses Money's MSGPACK_DEFINE: [150, "EUR"]; the codec its hook: "150 EUR".
  EXPECT_EQ(msgpack_bytes(m), std::string("\x92\xcc\x96\xa3"
                                          "EUR"));
  EXPECT_EQ(codec_bytes(m), std::string("\xa7"
                                        "150 EUR"));
  EXPECT_EQ(unpack(msgpack_bytes(m)).get().as<Money>(), m);
}

TEST(MsgpackAdaptor, MalformedObjectsThrowDecodeError) {
  using redis_cache::DecodeError;
  // PFR: wrong arity, wrong field type, not an array.
  EXPECT_THROW(unpack(msgpack_bytes(std::make_tuple("a", 1.0))).get().as<Item>(), DecodeError);
  EXPECT_THROW(unpack(msgpack_bytes(std::make_tuple(1, 1.0, 1))).get().as<Item>(), DecodeError);
  EXPECT_THROW(unpack(msgpack_bytes(std::string("x"))).get().as<Order>(), DecodeError);
  EXPECT_THROW(unpack(std::string("\xc0", 1)).get().as<Order>(), DecodeError);
  // Integer out of range for the field (int32 count).
  std::map<std::string, std::int64_t> big{{"x", std::int64_t{1} << 40}};
  Order o = sample_order();
  std::string bytes = msgpack_bytes(std::make_tuple(o.id, o.items, o.gift, o.color, big));
  EXPECT_THROW(unpack(bytes).get().as<Order>(), DecodeError);
  // Described: missing field, unknown field, wrong value type.
  EXPECT_THROW(
      unpack(msgpack_bytes(std::map<std::string, int>{{"base_id", 1}})).get().as<Profile>(),
      DecodeError);
  EXPECT_THROW(
      unpack(msgpack_bytes(std::map<std::string, std::string>{{"owner_", "a"}, {"colour", "red"}}))
          .get()
          .as<Account>(),
      DecodeError);
  EXPECT_THROW(unpack(msgpack_bytes(std::map<std::string, int>{{"owner_", 1}, {"color_", 0}}))
                   .get()
                   .as<Account>(),
               DecodeError);
  // Enum: unknown name, wrong type.
  EXPECT_THROW(unpack(msgpack_bytes(std::string("blue"))).get().as<Color>(), DecodeError);
  EXPECT_THROW(unpack(msgpack_bytes(std::vector<int>{})).get().as<Color>(), DecodeError);
  // Nested deeper than the decoder's limit.
  EXPECT_THROW(unpack(std::string(200, '\x91') + '\xc0').get().as<Item>(), DecodeError);
  // Through a std container: the element's error propagates.
  EXPECT_THROW(unpack(msgpack_bytes(std::vector<int>{1})).get().as<std::vector<Item>>(),
               DecodeError);
}

}  // namespace msgpack_adaptors_test
