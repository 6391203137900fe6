// The writing half of the JSON codecs' lexical level (Codec::json, Codec::python, the
// CLI's views; see json_text.hpp): strings, escaped as JSON or as Python's
// ensure_ascii, floats as Python's repr, and the UTF-8 check. Compiled once here
// rather than parsed by every user's translation unit; the reading half (the
// reader's number, string and skip scanning, normalize_json) is in json_read.cpp,
// the type-driven parts in the headers (json_read.hpp, json_write.hpp).
#include <redis_cache/codec/detail/json_text.hpp>
#include <redis_cache/errors.hpp>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "json_utf8.hpp"

namespace redis_cache::codec::detail {

namespace {

[[noreturn]] void bad_utf8() {
  throw ConfigError(
      "redis_cache: a string is not valid UTF-8; Codec::json and Codec::python carry text "
      "only (use Codec::msgpack for binary data)");
}

void append_u4(std::string& out, unsigned u) {
  static constexpr char hex[] = "0123456789abcdef";
  const char e[6] = {'\\',       'u', hex[(u >> 12) & 15], hex[(u >> 8) & 15], hex[(u >> 4) & 15],
                     hex[u & 15]};
  out.append(e, 6);
}

}  // namespace

bool valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  std::uint32_t cp = 0;
  while (p < end) {
    if (*p < 0x80)
      ++p;
    else if (!utf8::decode(p, end, cp))
      return false;
  }
  return true;
}

/// Appends s as a JSON string. ascii: Python's ensure_ascii=True escaping.
void append_json_string(std::string& out, std::string_view s, bool ascii) {
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
            append_u4(out, c);
      }
      continue;
    }
    // Multi-byte UTF-8 (validated).
    const unsigned char* seq = p;
    std::uint32_t cp = 0;
    if (!utf8::decode(p, end, cp)) bad_utf8();
    if (ascii) {
      if (cp >= 0x10000) {
        const std::uint32_t v = cp - 0x10000;
        append_u4(out, 0xd800 + (v >> 10));
        append_u4(out, 0xdc00 + (v & 0x3ff));
      } else {
        append_u4(out, cp);
      }
    } else {
      out.append(reinterpret_cast<const char*>(seq), static_cast<std::size_t>(p - seq));
    }
  }
  out.push_back('"');
}

/// Appends v as Python's repr(float) (and json.dumps's NaN / Infinity).
void append_json_double(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v < 0 ? "-Infinity" : "Infinity";
    return;
  }
  char buf[40];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  // buf = [-]d[.ddd]e(+|-)XX — the shortest digits that round-trip.
  const char* p = buf;
  const char* end = res.ptr;
  if (*p == '-') {
    out.push_back('-');
    ++p;
  }
  char digits[24];
  int nd = 0;
  while (p < end && *p != 'e') {
    if (*p != '.') digits[nd++] = *p;
    ++p;
  }
  int exp10 = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exp10);
  const int decpt = exp10 + 1;  // value = 0.DIGITS * 10^decpt
  if (decpt <= -4 || decpt > 16) {
    out.push_back(digits[0]);
    if (nd > 1) {
      out.push_back('.');
      out.append(digits + 1, static_cast<std::size_t>(nd - 1));
    }
    out.push_back('e');
    out.push_back(exp10 < 0 ? '-' : '+');
    const int a = exp10 < 0 ? -exp10 : exp10;
    if (a < 10) out.push_back('0');
    char eb[8];
    const auto er = std::to_chars(eb, eb + sizeof eb, a);
    out.append(eb, er.ptr);
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-decpt), '0');
    out.append(digits, static_cast<std::size_t>(nd));
  } else if (decpt >= nd) {
    out.append(digits, static_cast<std::size_t>(nd));
    out.append(static_cast<std::size_t>(decpt - nd), '0');
    out += ".0";
  } else {
    out.append(digits, static_cast<std::size_t>(decpt));
    out.push_back('.');
    out.append(digits + decpt, static_cast<std::size_t>(nd - decpt));
  }
}

}  // namespace redis_cache::codec::detail
