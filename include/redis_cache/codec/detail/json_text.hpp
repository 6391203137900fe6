// redis_cache/codec/detail/json_text.hpp — the one JSON string and number writer:
// Codec::json, Codec::python and msgpack_to_json (the CLI) all escape strings and write
// floats here, and check UTF-8 with the same decoder (src/json.cpp).
//
//   append_json_string(out, s, ascii):  '"', '\\' and controls escaped; ascii (Python's
//   ensure_ascii=True) also writes every character outside ' '..'~' as \uXXXX (lowercase
//   hex, astral characters as a surrogate pair); invalid UTF-8 throws ConfigError.
//   append_json_double(out, v): Python's repr(float) (shortest round trip; exponent form
//   when the decimal exponent is < -4 or >= 16, "1e-07", "1e+16"; integral floats keep
//   ".0"); NaN, Infinity and -Infinity as Python's json module writes them.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

namespace redis_cache::codec::detail {

/// Whether s is valid UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool valid_utf8(std::string_view s) noexcept;

/// Appends s as a JSON string. ascii: Python's ensure_ascii=True escaping.
void append_json_string(std::string& out, std::string_view s, bool ascii);

/// Appends v as Python's repr(float) (and json.dumps's NaN / Infinity).
void append_json_double(std::string& out, double v);

/// Appends the decimal digits of v.
inline void append_json_uint(std::string& out, unsigned long long v) {
  char buf[20];
  char* const end = buf + sizeof buf;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(p, end);
}

/// Appends v in decimal.
template <class I>
void append_json_int(std::string& out, I v) {
  if constexpr (std::is_signed_v<I>) {
    if (v < 0) {
      out.push_back('-');
      // Modulo 2^64: also right for the most negative value.
      append_json_uint(out, 0ull - static_cast<unsigned long long>(v));
      return;
    }
  }
  append_json_uint(out, static_cast<unsigned long long>(v));
}

}  // namespace redis_cache::codec::detail
