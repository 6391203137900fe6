// redis_cache/codec/detail/json_string.hpp — the one JSON string writer: Codec::json,
// Codec::python and msgpack_to_json (the CLI) all escape strings here, and check UTF-8
// with the same decoder.
//
//   json_append_string(out, s, ascii):  '"', '\\' and controls escaped; ascii (Python's
//   ensure_ascii=True) also writes every character outside ' '..'~' as \uXXXX (lowercase
//   hex, astral characters as a surrogate pair); invalid UTF-8 throws ConfigError.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <redis_cache/errors.hpp>

namespace redis_cache::detail {

/// Decodes the multi-byte UTF-8 sequence at p (*p >= 0x80) into cp and moves p past it.
/// Returns false, p unchanged, when it is not valid UTF-8 (truncated, overlong,
/// a surrogate, above U+10FFFF).
inline bool utf8_decode(const unsigned char*& p, const unsigned char* end, std::uint32_t& cp) {
  const unsigned c = *p;
  int n = 0;
  if (c >= 0xc2 && c <= 0xdf) {
    cp = c & 0x1f;
    n = 1;
  } else if (c >= 0xe0 && c <= 0xef) {
    cp = c & 0x0f;
    n = 2;
  } else if (c >= 0xf0 && c <= 0xf4) {
    cp = c & 0x07;
    n = 3;
  } else {
    return false;
  }
  if (end - p <= n) return false;
  for (int i = 1; i <= n; ++i) {
    if ((p[i] & 0xc0) != 0x80) return false;
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
      (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
    return false;
  p += n + 1;
  return true;
}

inline bool codec_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  std::uint32_t cp = 0;
  while (p < end) {
    if (*p < 0x80)
      ++p;
    else if (!utf8_decode(p, end, cp))
      return false;
  }
  return true;
}

[[noreturn]] inline void json_bad_utf8() {
  throw ConfigError(
      "redis_cache: a string is not valid UTF-8; Codec::json and Codec::python carry text "
      "only (use Codec::msgpack for binary data)");
}

inline void json_append_u4(std::string& out, unsigned u) {
  static constexpr char hex[] = "0123456789abcdef";
  const char e[6] = {'\\',       'u', hex[(u >> 12) & 15], hex[(u >> 8) & 15], hex[(u >> 4) & 15],
                     hex[u & 15]};
  out.append(e, 6);
}

/// Appends s as a JSON string. ascii: Python's ensure_ascii=True escaping.
inline void json_append_string(std::string& out, std::string_view s, bool ascii) {
  out.push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    // Fast run of plain ASCII.
    const auto* q = p;
    while (q < end && *q >= 0x20 && *q < 0x7f && *q != '"' && *q != '\\') ++q;
    out.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(q - p));
    p = q;
    if (p == end) break;
    const unsigned c = *p;
    if (c < 0x80) {
      ++p;
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (c == 0x7f && !ascii)
            out.push_back(static_cast<char>(c));
          else
            json_append_u4(out, c);
      }
      continue;
    }
    // Multi-byte UTF-8 (validated).
    const unsigned char* seq = p;
    std::uint32_t cp = 0;
    if (!utf8_decode(p, end, cp)) json_bad_utf8();
    if (ascii) {
      if (cp >= 0x10000) {
        const std::uint32_t v = cp - 0x10000;
        json_append_u4(out, 0xd800 + (v >> 10));
        json_append_u4(out, 0xdc00 + (v & 0x3ff));
      } else {
        json_append_u4(out, cp);
      }
    } else {
      out.append(reinterpret_cast<const char*>(seq), static_cast<std::size_t>(p - seq));
    }
  }
  out.push_back('"');
}

}  // namespace redis_cache::detail
