// zstd compression of values (Options::compress_above): the "\xc1RCZ" header, round
// trips, old uncompressed entries, corrupt frames as DecodeError, and the tools'
// any_value_to_json over every encoding.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include "codec_tools.hpp"

#include <redis_cache/codec/codec.hpp>
#include <redis_cache/codec/json.hpp>
#include <redis_cache/detail/compress.hpp>
#include <redis_cache/detail/result_codec.hpp>

namespace compress_test {

namespace rc = redis_cache;
namespace d = redis_cache::detail;

std::string big_text() {
  std::string s;
  for (int i = 0; s.size() < 10 * 1024; ++i) s += "user " + std::to_string(i % 50) + " visited; ";
  return s;
}

TEST(Compress, LargeValuesShrinkBehindTheMagic) {
  const std::string original = big_text();
  std::string v = original;
  d::compress_value(v);
  ASSERT_TRUE(d::is_compressed(v));
  EXPECT_EQ(v.substr(0, 4), std::string("\xc1RCZ", 4));
  EXPECT_LT(v.size(), original.size() / 4);
  std::string back;
  d::decompress_value(v, back);
  EXPECT_EQ(back, original);
}

TEST(Compress, IncompressibleValuesStayAsTheyAre) {
  std::string v = "abc";
  d::compress_value(v);
  EXPECT_EQ(v, "abc");
}

TEST(Compress, CorruptFramesAreDecodeErrors) {
  std::string v = big_text();
  d::compress_value(v);
  std::string out;
  for (std::size_t n = 0; n < v.size(); n += 7)
    EXPECT_THROW(d::decompress_value(v.substr(0, n), out), rc::DecodeError) << n;
  std::string flipped = v;
  flipped[flipped.size() / 2] ^= 0x55;
  try {
    d::decompress_value(flipped, out);  // zstd may or may not notice; never crash
  } catch (const rc::DecodeError&) {
  }
  EXPECT_THROW(d::decompress_value(std::string("\xc1RCZ") + "garbage", out), rc::DecodeError);
}

// A decompression bomb made by hand: one zstd frame of RLE blocks, 4 bytes
// each, declaring blocks x block_size bytes of content.
std::string rle_bomb(std::size_t blocks, unsigned block_size = 131072) {
  std::string f("\xc1RCZ", 4);
  f += std::string("\x28\xb5\x2f\xfd", 4);  // zstd magic
  f += '\xe0';                              // single segment, 8-byte content size, no checksum
  unsigned long long size = blocks * static_cast<unsigned long long>(block_size);
  for (int i = 0; i < 8; ++i) f += static_cast<char>((size >> (8 * i)) & 0xff);
  for (std::size_t b = 0; b < blocks; ++b) {
    const unsigned header = (block_size << 3) | (1u << 1) | (b + 1 == blocks ? 1u : 0u);  // RLE
    f += static_cast<char>(header & 0xff);
    f += static_cast<char>((header >> 8) & 0xff);
    f += static_cast<char>((header >> 16) & 0xff);
    f += 'x';
  }
  return f;
}

TEST(Compress, BombIsRefusedBeforeAllocating) {
  const std::string bomb = rle_bomb(3052);  // ~12 KB declaring ~400 MB
  ASSERT_LT(bomb.size(), 13'000u);
  std::string out;
  try {
    d::decompress_value(bomb, out);
    FAIL() << "a 400 MB frame from 12 KB was accepted";
  } catch (const rc::DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("declares"), std::string::npos) << e.what();
  }
  EXPECT_LT(out.capacity(), 1u << 20);
  // A frame within the ratio still decodes (the hand-made format is right).
  const std::string small = rle_bomb(3, 1000);  // 3000 bytes from 29: ratio ~100
  d::decompress_value(small, out);
  EXPECT_EQ(out, std::string(3000, 'x'));
}

TEST(Compress, ValuesThatWouldExpandBeyondTheRatioStayPlain) {
  std::string zeros(16u << 20, '\0');
  d::compress_value(zeros);
  EXPECT_FALSE(d::is_compressed(zeros));
  EXPECT_EQ(zeros.size(), 16u << 20);
}

TEST(Compress, NoValueOfOursStartsWithTheMagicByte) {
  std::string out;
  rc::codec::encode_value(std::vector<std::string>{"x"}, out);
  EXPECT_FALSE(d::is_compressed(out));
  rc::codec::encode_json(std::vector<std::string>{"x"}, out);
  EXPECT_FALSE(d::is_compressed(out));
}

TEST(ResultCodec, EncodeDecodeWithEveryCodecAndCompression) {
  const std::vector<std::string> value(200, big_text().substr(0, 64));
  for (rc::Codec c : {rc::Codec::msgpack, rc::Codec::json, rc::Codec::python}) {
    for (std::size_t above : {std::size_t{0}, std::size_t{100}}) {
      d::FunctionState st;
      st.codec = c;
      st.compress_above = above;
      std::string bytes;
      d::encode_result(st, value, bytes);
      EXPECT_EQ(d::is_compressed(bytes), above != 0);
      EXPECT_EQ(d::decode_result<std::vector<std::string>>(st, bytes), value);
      // Entries written before compression was turned on / after it was turned off.
      st.compress_above = above ? 0 : 100;
      EXPECT_EQ(d::decode_result<std::vector<std::string>>(st, bytes), value);
      EXPECT_EQ(rc::codec::any_value_to_json(bytes).substr(0, 3), "[\"u");
    }
  }
}

TEST(ResultCodec, WrongCodecIsAMissNotACrash) {
  d::FunctionState json;
  json.codec = rc::Codec::json;
  d::FunctionState mp;
  std::string bytes;
  d::encode_result(mp, std::vector<int>{1, 2, 300}, bytes);
  EXPECT_THROW(d::decode_result<std::vector<int>>(json, bytes), rc::DecodeError);
  d::encode_result(json, std::vector<int>{1, 2, 300}, bytes);
  EXPECT_THROW(d::decode_result<std::vector<int>>(mp, bytes), rc::DecodeError);
}

TEST(AnyValueToJson, DetectsEveryEncoding) {
  std::string mp;
  rc::codec::encode_value(std::vector<int>{1, 300}, mp);
  EXPECT_EQ(rc::codec::any_value_to_json(mp), "[1,300]");
  EXPECT_EQ(rc::codec::any_value_to_json("{ \"a\" : [1, 2.0] }"), "{\"a\":[1,2.0]}");
  std::string z = "[" + std::string(5000, ' ') + "1]";
  d::compress_value(z);
  ASSERT_TRUE(d::is_compressed(z));
  EXPECT_EQ(rc::codec::any_value_to_json(z), "[1]");
  EXPECT_THROW(rc::codec::any_value_to_json(std::string("\xc1RCZ", 4)), rc::DecodeError);
}

}  // namespace compress_test
