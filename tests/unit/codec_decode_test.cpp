// Safe decoding: any byte string is a value or a redis_cache::DecodeError, never UB,
// never unbounded memory. Also the generic msgpack_to_json view used by the CLI.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <boost/describe.hpp>
#include <redis_cache/codec/codec.hpp>

namespace codec_decode_test {

namespace rc = redis_cache::codec;
using redis_cache::DecodeError;

struct Item {
  int id;
  std::string name;
  std::vector<int> values;
};

struct Named {
  int a;
  std::string b;
};
BOOST_DESCRIBE_STRUCT(Named, (), (a, b))

enum class Color { red, green };
BOOST_DESCRIBE_ENUM(Color, red, green)

std::string hex(const char* h) {
  std::string out;
  for (; h[0] && h[1]; h += 2) {
    if (h[0] == ' ') {
      --h;
      continue;
    }
    out.push_back(static_cast<char>(std::stoi(std::string(h, 2), nullptr, 16)));
  }
  return out;
}

template <class T>
std::string enc(const T& v) {
  std::string s;
  rc::encode_value(v, s);
  return s;
}

TEST(Decode, EveryTruncationIsADecodeError) {
  const std::string full = enc(Item{7, "name", {1, 2, 300000}});
  ASSERT_EQ(rc::decode_value<Item>(full).values.at(2), 300000);
  for (std::size_t n = 0; n < full.size(); ++n)
    EXPECT_THROW(rc::decode_value<Item>(full.substr(0, n)), DecodeError) << n;
  EXPECT_THROW(rc::decode_value<int>(""), DecodeError);
}

TEST(Decode, TrailingBytesAreRejected) {
  EXPECT_THROW(rc::decode_value<int>(enc(1) + "x"), DecodeError);
}

TEST(Decode, WrongTypesAreRejected) {
  EXPECT_THROW(rc::decode_value<int>(enc(std::string("1"))), DecodeError);
  EXPECT_THROW(rc::decode_value<std::string>(enc(1)), DecodeError);
  EXPECT_THROW(rc::decode_value<bool>(enc(1)), DecodeError);
  EXPECT_THROW(rc::decode_value<double>(enc(1)), DecodeError);
  EXPECT_THROW(rc::decode_value<std::vector<int>>(enc(std::map<int, int>{{1, 1}})), DecodeError);
  EXPECT_THROW(rc::decode_value<Item>(enc(std::tuple<int, std::string>{1, "a"})), DecodeError);
  EXPECT_THROW(rc::decode_value<std::tuple<int>>(enc(std::tuple<int, int>{1, 2})), DecodeError);
  EXPECT_THROW((rc::decode_value<std::array<int, 2>>(enc(std::vector<int>{1}))), DecodeError);
}

TEST(Decode, IntegersOutOfRangeAreRejected) {
  EXPECT_THROW(rc::decode_value<std::uint8_t>(enc(256)), DecodeError);
  EXPECT_THROW(rc::decode_value<std::int8_t>(enc(-129)), DecodeError);
  EXPECT_THROW(rc::decode_value<unsigned>(enc(-1)), DecodeError);
  EXPECT_THROW(rc::decode_value<std::int64_t>(enc(std::numeric_limits<std::uint64_t>::max())),
               DecodeError);
  EXPECT_EQ(rc::decode_value<std::uint8_t>(enc(255)), 255);
}

TEST(Decode, DescribedStructsAreStrictAboutFields) {
  EXPECT_EQ(rc::decode_value<Named>(enc(Named{1, "x"})).b, "x");
  EXPECT_THROW(rc::decode_value<Named>(enc(std::map<std::string, int>{{"a", 1}})), DecodeError);
  EXPECT_THROW(rc::decode_value<Named>(hex("82 a1 61 01 a1 63 a1 78")), DecodeError);  // c: unknown
  EXPECT_THROW(rc::decode_value<Named>(hex("82 a1 61 01 a1 61 02")), DecodeError);     // dup a
  EXPECT_EQ(rc::decode_value<Named>(hex("82 a1 62 a1 78 a1 61 05")).a, 5);             // any order
}

TEST(Decode, EnumsVariantsSetsMaps) {
  EXPECT_THROW(rc::decode_value<Color>(enc(std::string("blue"))), DecodeError);
  EXPECT_EQ(rc::decode_value<Color>(enc(1)), Color::green);
  EXPECT_THROW((rc::decode_value<std::variant<int, std::string>>(hex("92 02 01"))), DecodeError);
  EXPECT_THROW((rc::decode_value<std::variant<int, std::string>>(hex("92 00 a1 61"))), DecodeError);
  EXPECT_THROW((rc::decode_value<std::variant<int, std::string>>(hex("93 00 01 01"))), DecodeError);
  EXPECT_THROW(rc::decode_value<std::set<int>>(hex("92 01 01")), DecodeError);
  EXPECT_THROW((rc::decode_value<std::map<int, int>>(hex("82 01 01 01 02"))), DecodeError);
  EXPECT_THROW(rc::decode_value<std::optional<std::optional<int>>>(hex("92 01 01")), DecodeError);
}

TEST(Decode, CorruptBytesAreRejected) {
  EXPECT_THROW(rc::decode_value<int>(hex("c1")), DecodeError);  // never-used byte
  EXPECT_THROW(rc::decode_value<std::string>(hex("d9 05 61")), DecodeError);
  EXPECT_THROW(rc::decode_value<std::vector<int>>(hex("d4 01 02")), DecodeError);  // ext
}

TEST(Decode, HugeDeclaredLengthsAreRejectedBeforeAllocating) {
  // array32 / map32 / str32 claiming 4 billion elements in a few bytes
  EXPECT_THROW(rc::decode_value<std::vector<int>>(hex("dd ff ff ff ff 01")), DecodeError);
  EXPECT_THROW((rc::decode_value<std::map<int, int>>(hex("df ff ff ff ff 01 01"))), DecodeError);
  EXPECT_THROW(rc::decode_value<std::string>(hex("db ff ff ff ff 61")), DecodeError);
  EXPECT_THROW(rc::msgpack_to_json(hex("dd 7f ff ff ff")), DecodeError);
  EXPECT_THROW(rc::msgpack_to_json(hex("c9 ff ff ff ff 01")), DecodeError);
}

TEST(Decode, TooDeepNestingIsRejected) {
  using Deep = std::vector<std::vector<std::vector<int>>>;
  EXPECT_EQ(rc::decode_value<Deep>(hex("91 91 91 01")).at(0).at(0).at(0), 1);
  std::string ok(rc::max_decode_depth, '\x91');
  ok.push_back('\x01');
  EXPECT_NO_THROW(rc::msgpack_to_json(ok));
  std::string deep(rc::max_decode_depth + 1, '\x91');
  deep.push_back('\x01');
  EXPECT_THROW(rc::msgpack_to_json(deep), DecodeError);
  std::string very_deep(1000000, '\x91');
  EXPECT_THROW(rc::msgpack_to_json(very_deep), DecodeError);
}

TEST(Decode, ErrorMessagesSayWhatAndWhere) {
  try {
    rc::decode_value<int>(hex("a1 61"));
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("redis_cache:"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("byte 0"), std::string::npos);
  }
}

TEST(MsgpackToJson, RendersEveryFamily) {
  EXPECT_EQ(rc::msgpack_to_json(hex("c0")), "null");
  EXPECT_EQ(rc::msgpack_to_json(hex("93 c3 c2 ff")), "[true,false,-1]");
  EXPECT_EQ(rc::msgpack_to_json(hex("cf ff ff ff ff ff ff ff ff")), "18446744073709551615");
  EXPECT_EQ(rc::msgpack_to_json(hex("d3 80 00 00 00 00 00 00 00")), "-9223372036854775808");
  EXPECT_EQ(rc::msgpack_to_json(enc(1.5)), "1.5");
  EXPECT_EQ(rc::msgpack_to_json(enc(2.0)), "2.0");
  EXPECT_EQ(rc::msgpack_to_json(enc(-0.0)), "-0.0");
  EXPECT_EQ(rc::msgpack_to_json(enc(std::numeric_limits<double>::quiet_NaN())), "\"NaN\"");
  EXPECT_EQ(rc::msgpack_to_json(hex("ca 3f c0 00 00")), "1.5");  // float32
  // Floats as Codec::json writes them (Python's repr): one number writer for both.
  EXPECT_EQ(rc::msgpack_to_json(enc(100000.0)), "100000.0");
  EXPECT_EQ(rc::msgpack_to_json(enc(1e16)), "1e+16");
  EXPECT_EQ(rc::msgpack_to_json(enc(1.5e-7)), "1.5e-07");
  EXPECT_EQ(rc::msgpack_to_json(enc(-std::numeric_limits<double>::infinity())), "\"-Infinity\"");
  EXPECT_EQ(rc::msgpack_to_json(enc(std::string("a\"b\\c\n\x01"))), R"("a\"b\\c\n\u0001")");
  EXPECT_EQ(rc::msgpack_to_json(enc(std::string("\xff"))), R"({"base64":"/w=="})");
  // UTF-8 and DEL as they are; overlong forms and surrogates are not UTF-8.
  EXPECT_EQ(rc::msgpack_to_json(enc(std::string("h\xc3\xa9 \xf0\x9f\x98\x80\x7f"))),
            "\"h\xc3\xa9 \xf0\x9f\x98\x80\x7f\"");
  EXPECT_EQ(rc::msgpack_to_json(enc(std::string("\xc0\xaf"))), R"({"base64":"wK8="})");
  EXPECT_EQ(rc::msgpack_to_json(enc(std::string("\xed\xa0\x80"))), R"({"base64":"7aCA"})");
  EXPECT_EQ(rc::msgpack_to_json(hex("c4 02 00 01")), R"({"base64":"AAE="})");
  EXPECT_EQ(rc::msgpack_to_json(hex("d4 05 07")), R"({"ext":5,"base64":"Bw=="})");
  EXPECT_EQ(rc::msgpack_to_json(enc(std::map<int, std::string>{{1, "a"}})), R"({"1":"a"})");
  EXPECT_EQ(rc::msgpack_to_json(enc(Named{1, "x"})), R"({"a":1,"b":"x"})");
}

TEST(MsgpackToJson, MapKeysThatAreNotStrings) {
  EXPECT_EQ(rc::msgpack_to_json(hex("83 01 c3 c2 c0 c0 01")),
            R"({"1":true,"false":null,"null":1})");
  EXPECT_EQ(rc::msgpack_to_json(hex("81 91 01 02")), R"({"msgpack:kQE=":2})");  // [1] as key
  EXPECT_EQ(rc::msgpack_to_json(hex("81 a1 ff 02")), R"({"msgpack:of8=":2})");  // not UTF-8
}

TEST(MsgpackToJson, OutputStaysLinearForNestedMapKeys) {
  // Maps used as keys of maps, 60 deep: escaping nested JSON text would double the
  // output per level (found by the fuzzer); keys are base64 of their bytes instead.
  std::string bytes;
  for (int i = 0; i < 60; ++i) bytes += "\x81";
  bytes += hex("01 02");
  for (int i = 0; i < 59; ++i) bytes += hex("03");
  const std::string json = rc::msgpack_to_json(bytes);
  EXPECT_LT(json.size(), 20 * bytes.size());
}

TEST(SchemaJson, LabelsFields) {
  EXPECT_EQ(rc::schema_json<Named>(),
            R"({"type":"codec_decode_test::Named","encoding":"map","fields":["a","b"],)"
            R"("schema":["i32","str"]})");
  EXPECT_EQ(rc::schema_json<Item>(),
            R"({"type":"codec_decode_test::Item","encoding":"array","fields":["0","1","2"],)"
            R"("schema":["i32","str",{"seq":"i32"}]})");
  EXPECT_EQ(rc::schema_json<Color>(),
            R"({"type":"codec_decode_test::Color","enum":["red","green"]})");
  EXPECT_EQ((rc::schema_json<std::optional<std::map<std::string, double>>>()),
            R"({"optional":{"map":["str","f64"]}})");
}

}  // namespace codec_decode_test
