// UTF-8 for the JSON codecs' compiled part: the one decoder that the writer
// (json.cpp: valid_utf8, append_json_string) and the reader (json_read.cpp:
// json_reader::read_string) check text with, and the encoder that writes a
// decoded \uXXXX escape as UTF-8.
#pragma once

#include <cstdint>
#include <string>

namespace redis_cache::codec::detail::utf8 {

/// Decodes the multi-byte UTF-8 sequence at p (*p >= 0x80) into cp and moves p past it.
/// Returns false, p unchanged, when it is not valid UTF-8 (truncated, overlong,
/// a surrogate, above U+10FFFF).
inline bool decode(const unsigned char*& p, const unsigned char* end, std::uint32_t& cp) {
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

/// Appends code point cp (at most U+10FFFF, no surrogate) as UTF-8.
inline void append(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

}  // namespace redis_cache::codec::detail::utf8
