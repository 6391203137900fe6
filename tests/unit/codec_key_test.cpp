// Golden bytes of the key format (DESIGN §3 <args>): base64 of the canonical msgpack
// array of the arguments. These strings are the contract: a change here invalidates
// every cache entry in every deployment, so it must be deliberate.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <boost/describe.hpp>
#include <redis_cache/codec/codec.hpp>

namespace codec_key_test {

struct Point {  // described: map by field name
  int a;
  std::string b;
};
BOOST_DESCRIBE_STRUCT(Point, (), (a, b))

struct User {  // plain aggregate: array in field order
  int id;
  std::string name;
  std::vector<std::string> tags;
};

enum class Color { red, green };
BOOST_DESCRIBE_ENUM(Color, red, green)

template <class... A>
std::string key(const A&... a) {
  std::string out;
  redis_cache::codec::append_key_args(out, a...);
  return out;
}

TEST(KeyFormat, GoldenScalars) {
  EXPECT_EQ(key(), "kA==");  // []
  EXPECT_EQ(key(7), "kQc=");
  EXPECT_EQ(key(-1), "kf8=");
  EXPECT_EQ(key(-33), "kdDf");
  EXPECT_EQ(key(300u), "kc0BLA==");
  EXPECT_EQ(key(std::numeric_limits<std::int64_t>::min()), "kdOAAAAAAAAAAA==");
  EXPECT_EQ(key(std::numeric_limits<std::uint64_t>::max()), "kc///////////w==");
  EXPECT_EQ(key(true), "kcM=");
  EXPECT_EQ(key(1, std::string("a"), true), "kwGhYcM=");
}

TEST(KeyFormat, IntegersUseSmallestFormRegardlessOfType) {
  EXPECT_EQ(key(std::int64_t{7}), key(std::uint8_t{7}));
  EXPECT_EQ(key(short{-1}), key(std::int64_t{-1}));
  EXPECT_EQ(key(std::uint64_t{200}), key(200));
}

TEST(KeyFormat, FloatsAreAlwaysFloat64) {
  EXPECT_EQ(key(1.5), "kcs/+AAAAAAAAA==");
  EXPECT_EQ(key(1.5f), "kcs/+AAAAAAAAA==");
  EXPECT_EQ(key(0.0), "kcsAAAAAAAAAAA==");
}

TEST(KeyFormat, OneNaNAndNegativeZeroKeptDistinct) {
  EXPECT_EQ(key(std::numeric_limits<double>::quiet_NaN()), "kct/+AAAAAAAAA==");
  EXPECT_EQ(key(-std::numeric_limits<double>::quiet_NaN()), "kct/+AAAAAAAAA==");
  EXPECT_EQ(key(std::nanf("7")), "kct/+AAAAAAAAA==");
  EXPECT_EQ(key(-0.0), "kcuAAAAAAAAAAA==");
  EXPECT_NE(key(-0.0), key(0.0));
}

TEST(KeyFormat, StringTypesEncodeAlike) {
  const std::string s = "h\xc3\xa9llo";
  const char* cs = s.c_str();
  EXPECT_EQ(key(s), "kaZow6lsbG8=");
  EXPECT_EQ(key(std::string_view(s)), "kaZow6lsbG8=");
  EXPECT_EQ(key(cs), "kaZow6lsbG8=");
  EXPECT_EQ(key("h\xc3\xa9llo"), "kaZow6lsbG8=");  // literal: char array
  EXPECT_EQ(key(1, std::string_view("a")), "kgGhYQ==");
}

TEST(KeyFormat, UnorderedContainersAreSorted) {
  EXPECT_EQ(key(std::unordered_set<int>{3, 1, 2}), "kZMBAgM=");
  EXPECT_EQ(key(std::set<int>{3, 1, 2}), "kZMBAgM=");
  EXPECT_EQ(key(std::unordered_map<std::string, int>{{"b", 1}, {"a", 2}}), "kYKhYQKhYgE=");
  // Same contents inserted in another order and with another bucket count.
  std::unordered_set<std::string> a, b(1000);
  for (int i = 0; i < 100; ++i) a.insert(std::to_string(i));
  for (int i = 99; i >= 0; --i) b.insert(std::to_string(i));
  EXPECT_EQ(key(a), key(b));
  // Nested unordered containers are sorted at every level.
  std::unordered_map<int, std::unordered_set<int>> m1{{1, {5, 4}}, {2, {9, 8, 7}}};
  std::unordered_map<int, std::unordered_set<int>> m2(64);
  m2[2] = {7, 9, 8};
  m2[1] = {4, 5};
  EXPECT_EQ(key(m1), key(m2));
}

TEST(KeyFormat, GoldenStructuredValues) {
  EXPECT_EQ(key(Point{1, "x"}), "kYKhYQGhYqF4");
  EXPECT_EQ(key(User{7, "bob", {"a"}}), "kZMHo2JvYpGhYQ==");
  EXPECT_EQ(key(std::optional<int>{}), "kcA=");
  EXPECT_EQ(key(std::variant<int, std::string>{std::string("x")}), "kZIBoXg=");
  EXPECT_EQ(key(Color::green), "kaVncmVlbg==");
  EXPECT_EQ(key(std::chrono::milliseconds(1500)), "kc0F3A==");
}

TEST(KeyFormat, AppendsToExistingText) {
  std::string out = "{rc:app::f}:abcd1234:";
  redis_cache::codec::append_key_args(out, 7);
  EXPECT_EQ(out, "{rc:app::f}:abcd1234:kQc=");
}

TEST(Base64, RoundTripsAndRejectsInvalid) {
  using redis_cache::codec::base64_decode;
  using redis_cache::codec::base64_encode;
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  std::string bin;
  for (int i = 0; i < 256; ++i) bin.push_back(static_cast<char>(i));
  std::string out;
  ASSERT_TRUE(base64_decode(base64_encode(bin), out));
  EXPECT_EQ(out, bin);
  EXPECT_FALSE(base64_decode("Zg=", out));   // bad length
  EXPECT_FALSE(base64_decode("Z===", out));  // bad padding
  EXPECT_FALSE(base64_decode("Zh==", out));  // non-zero trailing bits
  EXPECT_FALSE(base64_decode("Zm9v!A==", out));
  EXPECT_FALSE(base64_decode("Zg==Zg==", out));  // padding in the middle
}

}  // namespace codec_key_test
