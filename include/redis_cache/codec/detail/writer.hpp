// redis_cache/codec/detail/writer.hpp — the msgpack writer (reader.hpp's counterpart).
//
// Appends msgpack forms to a std::string; the encoder (encode.hpp) decides which.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace redis_cache::codec::detail {

/// Appends msgpack to a std::string, always in the smallest form (what msgpack-cxx's
/// packer writes, byte for byte: integers >= 0 as positive fixint or uint 8..64,
/// negative ones as negative fixint or int 8..64; str, array and map headers likewise).
struct msgpack_writer {
  std::string* out;
  std::size_t sort_depth = 0;

  void raw(const char* p, std::size_t n) { out->append(p, n); }
  void nil() { out->push_back(static_cast<char>(0xc0)); }
  void boolean(bool b) { out->push_back(static_cast<char>(b ? 0xc3 : 0xc2)); }
  void int64(std::int64_t v) {
    if (v >= 0) return uint64(static_cast<std::uint64_t>(v));
    if (v >= -32) return out->push_back(static_cast<char>(v));  // negative fixint
    if (v >= INT8_MIN) return tagged(0xd0, static_cast<std::uint64_t>(v), 1);
    if (v >= INT16_MIN) return tagged(0xd1, static_cast<std::uint64_t>(v), 2);
    if (v >= INT32_MIN) return tagged(0xd2, static_cast<std::uint64_t>(v), 4);
    tagged(0xd3, static_cast<std::uint64_t>(v), 8);
  }
  void uint64(std::uint64_t v) {
    if (v < 0x80) return out->push_back(static_cast<char>(v));  // positive fixint
    if (v <= UINT8_MAX) return tagged(0xcc, v, 1);
    if (v <= UINT16_MAX) return tagged(0xcd, v, 2);
    if (v <= UINT32_MAX) return tagged(0xce, v, 4);
    tagged(0xcf, v, 8);
  }
  void float64(double v) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof bits);
    if (v != v) bits = 0x7ff8000000000000ull;  // any NaN: the one quiet NaN
    tagged(0xcb, bits, 8);
  }
  void str(std::string_view s) {
    const auto n = static_cast<std::uint32_t>(s.size());  // lengths are 32-bit in msgpack
    if (n < 32)
      out->push_back(static_cast<char>(0xa0 | n));
    else if (n <= UINT8_MAX)
      tagged(0xd9, n, 1);
    else if (n <= UINT16_MAX)
      tagged(0xda, n, 2);
    else
      tagged(0xdb, n, 4);
    raw(s.data(), s.size());
  }
  void array(std::size_t n) { container(0x90, 0xdc, n); }
  void map(std::size_t n) { container(0x80, 0xde, n); }

 private:
  /// tag, then the low `bytes` bytes of v, big-endian.
  void tagged(unsigned tag, std::uint64_t v, int bytes) {
    char b[9];
    b[0] = static_cast<char>(tag);
    for (int i = 0; i < bytes; ++i)
      b[1 + i] = static_cast<char>((v >> (8 * (bytes - 1 - i))) & 0xff);
    raw(b, static_cast<std::size_t>(bytes) + 1);
  }
  /// An array or map header: fix form below 16, then 16-bit (tag16), then 32-bit.
  void container(unsigned fix, unsigned tag16, std::size_t size) {
    const auto n = static_cast<std::uint32_t>(size);
    if (n < 16)
      out->push_back(static_cast<char>(fix | n));
    else if (n <= UINT16_MAX)
      tagged(tag16, n, 2);
    else
      tagged(tag16 + 1, n, 4);
  }
};

}  // namespace redis_cache::codec::detail
