// Golden vectors of Codec::python (DESIGN §9), produced by CPython 3.11's
// json.dumps(v, separators=(',', ':'), sort_keys=True) — python-redis-cache 4.x's
// compact_dump — and its key format. These bytes are the contract with Python services.
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>
#include <boost/describe.hpp>
#include <redis_cache/codec/json.hpp>
#include <redis_cache/codec/python.hpp>

namespace python_codec_test {

namespace rc = redis_cache;

template <class T>
std::string py(const T& v) {
  std::string out;
  rc::codec::encode_json(v, out, rc::codec::JsonStyle::python);
  return out;
}

struct G {  // fields declared b, a: written sorted
  int b;
  std::vector<std::optional<bool>> a;
};
BOOST_DESCRIBE_STRUCT(G, (), (b, a))

TEST(PythonGolden, Floats) {
  EXPECT_EQ(py(1.5), "1.5");
  EXPECT_EQ(py(0.1), "0.1");
  EXPECT_EQ(py(1e-07), "1e-07");
  EXPECT_EQ(py(1e16), "1e+16");
  EXPECT_EQ(py(1e15), "1000000000000000.0");
  EXPECT_EQ(py(2.0), "2.0");
  EXPECT_EQ(py(-0.0), "-0.0");
  EXPECT_EQ(py(1.0 / 3), "0.3333333333333333");
}

TEST(PythonGolden, MoreFloats) {  // repr rules at the edges (CPython 3.11)
  EXPECT_EQ(py(0.0), "0.0");
  EXPECT_EQ(py(0.0001), "0.0001");
  EXPECT_EQ(py(0.00001), "1e-05");
  EXPECT_EQ(py(123456789.125), "123456789.125");
  EXPECT_EQ(py(1.5e16), "1.5e+16");
  EXPECT_EQ(py(9999999999999998.0), "9999999999999998.0");
  EXPECT_EQ(py(1e100), "1e+100");
  EXPECT_EQ(py(-2.5e-300), "-2.5e-300");
  EXPECT_EQ(py(5e-324), "5e-324");
  EXPECT_EQ(py(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(py(0.1f), "0.10000000149011612");
  EXPECT_EQ(py(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(py(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(py(-std::numeric_limits<double>::infinity()), "-Infinity");
}

TEST(PythonGolden, Integers) {
  EXPECT_EQ(py(std::int64_t{9007199254740993}), "9007199254740993");
  EXPECT_EQ(py(std::numeric_limits<std::int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(py(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
  EXPECT_EQ(py(true), "true");
}

TEST(PythonGolden, Strings) {
  EXPECT_EQ(py(std::string("h\xc3\xa9llo")), R"("h\u00e9llo")");
  EXPECT_EQ(py(std::string("\xf0\x9f\x98\x80")), R"("\ud83d\ude00")");
  EXPECT_EQ(py(std::string("a\"b\\c\n")), R"("a\"b\\c\n")");
  EXPECT_EQ(py(std::string("\x01\x1f\x7f\t\r\b\f/")), R"("\u0001\u001f\u007f\t\r\b\f/")");
  EXPECT_EQ(py(std::string("\xe2\x82\xac")), R"("\u20ac")");
}

TEST(PythonGolden, ObjectsSortKeys) {
  EXPECT_EQ(py(G{1, {true, std::nullopt}}), R"({"a":[true,null],"b":1})");
  std::map<std::string, int> m{{"b", 1}, {"a", 2}, {"\xc3\xa9", 3}, {"Z", 4}};
  EXPECT_EQ(py(m), R"({"Z":4,"a":2,"b":1,"\u00e9":3})");
  std::unordered_map<int, int> im{{10, 1}, {2, 2}, {-1, 3}};
  EXPECT_EQ(py(im), R"({"-1":3,"2":2,"10":1})");  // Python sorts int keys numerically
}

TEST(PythonGolden, Key) {
  const std::vector<std::string> names{"user_id", "lang"};
  std::string key = "{rc:app.users.load_user}:";
  rc::codec::append_python_key_args(key, names, rc::codec::python_arg_order(names), 7,
                                    std::string("en"));
  EXPECT_EQ(key, "{rc:app.users.load_user}:eyJsYW5nIjoiZW4iLCJ1c2VyX2lkIjo3fQ==");
  std::string none;
  rc::codec::append_python_key_args(none, {}, {});
  EXPECT_EQ(none, "e30=");  // base64("{}"): a function without arguments
}

TEST(PythonGolden, KeyStringLiteralAndView) {
  const std::vector<std::string> names{"q"};
  const auto order = rc::codec::python_arg_order(names);
  std::string a, b, c;
  rc::codec::append_python_key_args(a, names, order, "x");
  rc::codec::append_python_key_args(b, names, order, std::string_view("x"));
  rc::codec::append_python_key_args(c, names, order, std::string("x"));
  EXPECT_EQ(a, b);
  EXPECT_EQ(b, c);
  EXPECT_EQ(a, "eyJxIjoieCJ9");  // {"q":"x"}
}

TEST(PythonGolden, InvalidUtf8IsRefused) {
  EXPECT_THROW(py(std::string("\xff")), rc::ConfigError);
  EXPECT_THROW(py(std::string("\xed\xa0\x80")), rc::ConfigError);  // encoded surrogate
  EXPECT_THROW(py(std::string("\xc3")), rc::ConfigError);          // truncated
}

// Beyond double's range, a number becomes what Python's float() makes of it: +-inf when
// too large, +-0.0 when too small, whether or not it has an exponent.
TEST(PythonDecode, OutOfRangeNumbersRoundLikePythonsFloat) {
  using rc::codec::decode_json;
  constexpr double inf = std::numeric_limits<double>::infinity();
  const std::string zeros(400, '0');
  EXPECT_EQ(decode_json<double>("1" + zeros), inf);  // no exponent: was 0.0
  EXPECT_EQ(decode_json<double>("-1" + zeros), -inf);
  EXPECT_EQ(decode_json<double>("1" + zeros + ".5"), inf);
  EXPECT_EQ(decode_json<double>("1" + zeros + "e-50"), inf);  // 1e350
  EXPECT_EQ(decode_json<double>("1e400"), inf);
  EXPECT_EQ(decode_json<double>("-1E+400"), -inf);
  EXPECT_EQ(decode_json<double>("0.00001e99999999999999999999"), inf);
  const double tiny = decode_json<double>("1e-400");
  EXPECT_EQ(tiny, 0.0);
  EXPECT_FALSE(std::signbit(tiny));
  const double neg_tiny = decode_json<double>("-0." + zeros + "1");
  EXPECT_EQ(neg_tiny, 0.0);
  EXPECT_TRUE(std::signbit(neg_tiny));
  EXPECT_EQ(decode_json<double>("1" + zeros + "e-99999999999999999999"), 0.0);
  EXPECT_EQ(decode_json<float>("1" + zeros), std::numeric_limits<float>::infinity());
}

TEST(PythonDecode, ReadsPythonOutput) {
  using rc::codec::decode_json;
  EXPECT_EQ(decode_json<std::string>(R"("h\u00e9llo \ud83d\ude00")"),
            "h\xc3\xa9llo \xf0\x9f\x98\x80");
  EXPECT_EQ(decode_json<double>("1e-07"), 1e-07);
  EXPECT_EQ(decode_json<double>("2"), 2.0);  // Python may return an int
  EXPECT_TRUE(std::isnan(decode_json<double>("NaN")));
  EXPECT_EQ(decode_json<double>("-Infinity"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(decode_json<std::int64_t>("9007199254740993"), 9007199254740993);
  const G g = decode_json<G>(R"({ "b" : 1, "a" : [true, null] })");
  EXPECT_EQ(g.b, 1);
  ASSERT_EQ(g.a.size(), 2u);
  EXPECT_EQ(g.a[0], true);
  EXPECT_EQ(g.a[1], std::nullopt);
  const auto im = decode_json<std::map<int, int>>(R"({"-1":3,"10":1})");
  EXPECT_EQ(im.at(-1), 3);
  EXPECT_EQ(im.at(10), 1);
}

TEST(PythonDecode, RejectsWhatPythonWouldNotMean) {
  using rc::codec::decode_json;
  EXPECT_THROW(decode_json<int>("1.0"), rc::DecodeError);
  EXPECT_THROW(decode_json<int>("4294967296"), rc::DecodeError);
  EXPECT_THROW(decode_json<unsigned>("-1"), rc::DecodeError);
  EXPECT_THROW(decode_json<std::int64_t>("99999999999999999999"), rc::DecodeError);
  EXPECT_THROW(decode_json<std::string>(R"("\ud83d")"), rc::DecodeError);
  EXPECT_THROW(decode_json<std::string>("\"a\nb\""), rc::DecodeError);
  EXPECT_THROW(decode_json<G>(R"({"b":1})"), rc::DecodeError);
  EXPECT_THROW(decode_json<G>(R"({"b":1,"a":[],"c":2})"), rc::DecodeError);
  EXPECT_THROW(decode_json<G>(R"({"b":1,"b":1,"a":[]})"), rc::DecodeError);
  EXPECT_THROW(decode_json<int>("1 2"), rc::DecodeError);
  EXPECT_THROW(decode_json<int>("01"), rc::DecodeError);
  EXPECT_THROW(decode_json<int>(""), rc::DecodeError);
  EXPECT_THROW(decode_json<std::vector<int>>(std::string(200, '[')), rc::DecodeError);
}

}  // namespace python_codec_test
