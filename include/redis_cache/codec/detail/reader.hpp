// redis_cache/codec/detail/reader.hpp — a bounded msgpack pull parser.
//
// Reads msgpack straight from the input bytes (no intermediate object tree, no zone).
// Every read checks the remaining length first; array/map headers are refused when
// they declare more elements than bytes remain (each element needs at least one
// byte) or nest deeper than codec::max_decode_depth. Every failure throws
// redis_cache::DecodeError. Nothing here can read out of bounds.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include <redis_cache/codec/limits.hpp>
#include <redis_cache/errors.hpp>

namespace redis_cache::codec::detail {

[[noreturn]] inline void fail_at(const char* what, std::size_t offset) {
  throw DecodeError(std::string("redis_cache: cannot decode value: ") + what + " at byte " +
                    std::to_string(offset));
}

/// What the next value is (msgpack families).
enum class token { nil, boolean, uint, sint, float32, float64, str, bin, array, map, ext };

struct msgpack_reader {
  const unsigned char* begin;
  const unsigned char* p;
  const unsigned char* end;
  unsigned depth = 0;

  explicit msgpack_reader(std::string_view bytes)
      : begin(reinterpret_cast<const unsigned char*>(bytes.data())),
        p(begin),
        end(begin + bytes.size()) {}

  std::size_t offset() const { return static_cast<std::size_t>(p - begin); }
  std::size_t remaining() const { return static_cast<std::size_t>(end - p); }
  bool at_end() const { return p == end; }
  [[noreturn]] void fail(const char* what) const { fail_at(what, offset()); }

  void need(std::size_t n) const {
    if (remaining() < n) fail("truncated input");
  }
  std::uint8_t peek_byte() const {
    need(1);
    return *p;
  }
  std::uint64_t be(std::size_t n) {
    need(n);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    p += n;
    return v;
  }

  token peek() const {
    const std::uint8_t b = peek_byte();
    if (b <= 0x7f) return token::uint;
    if (b <= 0x8f) return token::map;
    if (b <= 0x9f) return token::array;
    if (b <= 0xbf) return token::str;
    if (b >= 0xe0) return token::sint;
    switch (b) {
      case 0xc0:
        return token::nil;
      case 0xc2:
      case 0xc3:
        return token::boolean;
      case 0xc4:
      case 0xc5:
      case 0xc6:
        return token::bin;
      case 0xc7:
      case 0xc8:
      case 0xc9:
      case 0xd4:
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8:
        return token::ext;
      case 0xca:
        return token::float32;
      case 0xcb:
        return token::float64;
      case 0xcc:
      case 0xcd:
      case 0xce:
      case 0xcf:
        return token::uint;
      case 0xd0:
      case 0xd1:
      case 0xd2:
      case 0xd3:
        return token::sint;
      case 0xd9:
      case 0xda:
      case 0xdb:
        return token::str;
      case 0xdc:
      case 0xdd:
        return token::array;
      case 0xde:
      case 0xdf:
        return token::map;
      default:
        fail("invalid msgpack byte 0xc1");
    }
  }

  bool try_nil() {
    if (peek_byte() == 0xc0) {
      ++p;
      return true;
    }
    return false;
  }
  void read_nil() {
    if (!try_nil()) fail("expected nil");
  }
  bool read_bool() {
    const std::uint8_t b = peek_byte();
    if (b != 0xc2 && b != 0xc3) fail("expected a bool");
    ++p;
    return b == 0xc3;
  }

  /// Any integer form. Sets neg when the value is negative (then it is in s, else in u).
  void read_integer(bool& neg, std::uint64_t& u, std::int64_t& s) {
    const std::uint8_t b = peek_byte();
    neg = false;
    if (b <= 0x7f) {
      ++p;
      u = b;
      return;
    }
    if (b >= 0xe0) {
      ++p;
      neg = true;
      s = static_cast<std::int8_t>(b);
      return;
    }
    if (b >= 0xcc && b <= 0xcf) {
      ++p;
      u = be(std::size_t{1} << (b - 0xcc));
      return;
    }
    if (b >= 0xd0 && b <= 0xd3) {
      ++p;
      const std::size_t n = std::size_t{1} << (b - 0xd0);
      const std::uint64_t raw = be(n);
      std::int64_t v;
      switch (n) {
        case 1:
          v = static_cast<std::int8_t>(raw);
          break;
        case 2:
          v = static_cast<std::int16_t>(raw);
          break;
        case 4:
          v = static_cast<std::int32_t>(raw);
          break;
        default:
          v = static_cast<std::int64_t>(raw);
          break;
      }
      if (v < 0) {
        neg = true;
        s = v;
      } else {
        u = static_cast<std::uint64_t>(v);
      }
      return;
    }
    fail("expected an integer");
  }

  template <class I>
  I read_int() {
    const std::size_t at = offset();
    bool neg;
    std::uint64_t u = 0;
    std::int64_t s = 0;
    read_integer(neg, u, s);
    if (neg) {
      if constexpr (std::is_signed_v<I>) {
        if (s >= static_cast<std::int64_t>(std::numeric_limits<I>::min())) return static_cast<I>(s);
      }
      fail_at("integer out of range of the target type", at);
    }
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<I>::max())) return static_cast<I>(u);
    fail_at("integer out of range of the target type", at);
  }

  double read_float() {
    const std::uint8_t b = peek_byte();
    if (b == 0xcb) {
      ++p;
      const std::uint64_t bits = be(8);
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return d;
    }
    if (b == 0xca) {
      ++p;
      const std::uint32_t bits = static_cast<std::uint32_t>(be(4));
      float f;
      std::memcpy(&f, &bits, sizeof f);
      return f;
    }
    fail("expected a float");
  }

  /// str or bin payload (a view into the input).
  std::string_view read_str() {
    const std::uint8_t b = peek_byte();
    std::size_t n;
    if (b >= 0xa0 && b <= 0xbf) {
      ++p;
      n = b & 0x1f;
    } else if (b == 0xd9 || b == 0xc4) {
      ++p;
      n = be(1);
    } else if (b == 0xda || b == 0xc5) {
      ++p;
      n = be(2);
    } else if (b == 0xdb || b == 0xc6) {
      ++p;
      n = be(4);
    } else {
      fail("expected a string");
    }
    need(n);
    std::string_view s(reinterpret_cast<const char*>(p), n);
    p += n;
    return s;
  }

  void enter() {
    if (depth >= codec::max_decode_depth) fail("nesting too deep");
    ++depth;
  }
  void leave() { --depth; }

  /// Array header; enters one nesting level (call leave() after the elements).
  std::size_t read_array() {
    const std::uint8_t b = peek_byte();
    std::size_t n;
    if (b >= 0x90 && b <= 0x9f) {
      ++p;
      n = b & 0x0f;
    } else if (b == 0xdc) {
      ++p;
      n = be(2);
    } else if (b == 0xdd) {
      ++p;
      n = be(4);
    } else {
      fail("expected an array");
    }
    if (n > remaining()) fail("array length exceeds the remaining bytes");
    enter();
    return n;
  }
  /// Map header; enters one nesting level (call leave() after the entries).
  std::size_t read_map() {
    const std::uint8_t b = peek_byte();
    std::size_t n;
    if (b >= 0x80 && b <= 0x8f) {
      ++p;
      n = b & 0x0f;
    } else if (b == 0xde) {
      ++p;
      n = be(2);
    } else if (b == 0xdf) {
      ++p;
      n = be(4);
    } else {
      fail("expected a map");
    }
    if (n > remaining() / 2) fail("map length exceeds the remaining bytes");
    enter();
    return n;
  }

  /// Ext header: type and payload view.
  std::string_view read_ext(std::int8_t& type) {
    const std::uint8_t b = peek_byte();
    std::size_t n;
    ++p;
    switch (b) {
      case 0xd4:
        n = 1;
        break;
      case 0xd5:
        n = 2;
        break;
      case 0xd6:
        n = 4;
        break;
      case 0xd7:
        n = 8;
        break;
      case 0xd8:
        n = 16;
        break;
      case 0xc7:
        n = be(1);
        break;
      case 0xc8:
        n = be(2);
        break;
      case 0xc9:
        n = be(4);
        break;
      default:
        --p;
        fail("expected an ext");
    }
    need(1);
    type = static_cast<std::int8_t>(*p++);
    need(n);
    std::string_view s(reinterpret_cast<const char*>(p), n);
    p += n;
    return s;
  }

  /// Skips one complete value (bounded by depth and input length).
  void skip() {
    switch (peek()) {
      case token::nil:
      case token::boolean:
        ++p;
        break;
      case token::uint:
      case token::sint: {
        bool neg;
        std::uint64_t u;
        std::int64_t s;
        read_integer(neg, u, s);
        break;
      }
      case token::float32:
      case token::float64:
        read_float();
        break;
      case token::str:
      case token::bin:
        read_str();
        break;
      case token::ext: {
        std::int8_t t;
        read_ext(t);
        break;
      }
      case token::array: {
        const std::size_t n = read_array();
        for (std::size_t i = 0; i < n; ++i) skip();
        leave();
        break;
      }
      case token::map: {
        const std::size_t n = read_map();
        for (std::size_t i = 0; i < 2 * n; ++i) skip();
        leave();
        break;
      }
    }
  }
};

}  // namespace redis_cache::codec::detail
