// The reading half of the JSON codecs' lexical level (Codec::json, Codec::python, the
// CLI's views; see json_read.hpp): the reader's number, string and skip scanning,
// and normalize_json. Compiled once here rather than parsed by every user's
// translation unit; the writing half is in json.cpp.
#include <redis_cache/codec/detail/json_read.hpp>
#include <redis_cache/codec/detail/json_text.hpp>
#include <redis_cache/codec/json.hpp>
#include <redis_cache/errors.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

#include "json_utf8.hpp"

namespace redis_cache::codec::detail {

namespace {

/// For a number token (json_reader::number) whose value is beyond double's range:
/// whether it is too large (rather than too small). Such a value is above 1e308 or
/// below 1e-323, so the decimal exponent of its first significant digit decides:
/// "1" followed by 400 digits overflows as surely as "1e400".
bool overflows_double(std::string_view t) {
  std::size_t i = t[0] == '-' ? 1 : 0;
  const std::size_t int_begin = i;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  const std::string_view int_part = t.substr(int_begin, i - int_begin);
  long long lead = 0;  // the first significant digit is at 10^lead (before the exponent)
  if (const std::size_t nz = int_part.find_first_not_of('0'); nz != std::string_view::npos) {
    lead = static_cast<long long>(int_part.size() - nz) - 1;
  } else if (i < t.size() && t[i] == '.') {
    const std::size_t frac_begin = i + 1;
    std::size_t j = frac_begin;
    while (j < t.size() && t[j] == '0') ++j;
    lead = -static_cast<long long>(j - frac_begin) - 1;
  }
  const std::size_t e = t.find_first_of("eE", i);
  long long exp10 = 0;
  if (e != std::string_view::npos) {
    std::size_t k = e + 1;
    const bool neg = k < t.size() && t[k] == '-';
    if (k < t.size() && (t[k] == '-' || t[k] == '+')) ++k;
    for (; k < t.size(); ++k) {
      exp10 = exp10 * 10 + (t[k] - '0');
      if (exp10 > 1'000'000'000'000) break;  // far beyond any double: the sign decides
    }
    if (neg) exp10 = -exp10;
  }
  return lead + exp10 >= 0;
}

}  // namespace

void json_reader::fail(const char* what) const {
  throw DecodeError(std::string("redis_cache: cannot decode JSON value: ") + what + " at offset " +
                    std::to_string(p - begin));
}

/// A number token (no sign handling beyond '-'); is_int = no '.', 'e', 'E'.
std::string_view json_reader::number(bool& is_int) {
  ws();
  const char* s = p;
  if (p < end && *p == '-') ++p;
  const char* digits = p;
  while (p < end && *p >= '0' && *p <= '9') ++p;
  if (p == digits) fail("expected a number");
  if (*digits == '0' && p - digits > 1) fail("leading zero");
  is_int = true;
  if (p < end && *p == '.') {
    is_int = false;
    ++p;
    const char* f = p;
    while (p < end && *p >= '0' && *p <= '9') ++p;
    if (p == f) fail("bad number");
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    is_int = false;
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    const char* e = p;
    while (p < end && *p >= '0' && *p <= '9') ++p;
    if (p == e) fail("bad number");
  }
  return {s, static_cast<std::size_t>(p - s)};
}

namespace {

/// An integer token as Int (an error at the token when it is not an integer).
template <class Int>
Int read_integer(json_reader& r) {
  const char* at = r.p;
  bool is_int = false;
  const std::string_view t = r.number(is_int);
  if (!is_int) {
    r.p = at;
    r.fail("expected an integer");
  }
  Int x = 0;
  const auto res = std::from_chars(t.data(), t.data() + t.size(), x);
  if (res.ec != std::errc() || (std::is_unsigned_v<Int> && t[0] == '-')) {
    r.fail("integer out of range");
  }
  return x;
}

}  // namespace

long long json_reader::read_i64() {
  return read_integer<long long>(*this);
}

unsigned long long json_reader::read_u64() {
  return read_integer<unsigned long long>(*this);
}

double json_reader::read_double() {
  if (try_word("NaN")) return std::numeric_limits<double>::quiet_NaN();
  if (try_word("Infinity")) return std::numeric_limits<double>::infinity();
  if (try_word("-Infinity")) return -std::numeric_limits<double>::infinity();
  bool is_int = false;
  const std::string_view t = number(is_int);
  double d = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), d);
  if (r.ptr != t.data() + t.size()) fail("bad number");
  if (r.ec == std::errc::result_out_of_range) {
    // Beyond double's range either way: Python's float() rounds to +-inf or +-0.0.
    d = overflows_double(t) ? std::numeric_limits<double>::infinity() : 0.0;
    if (t[0] == '-') d = -d;
  }
  return d;
}

namespace {
unsigned hex4(json_reader& r) {
  if (r.end - r.p < 4) r.fail("bad \\u escape");
  unsigned v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = *r.p++;
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= static_cast<unsigned>(c - 'A' + 10);
    else
      r.fail("bad \\u escape");
  }
  return v;
}

}  // namespace

/// Reads a string into out (replacing its content). Raw bytes must be valid UTF-8.
void json_reader::read_string(std::string& out) {
  expect('"');
  out.clear();
  for (;;) {
    const char* q = p;
    while (q < end && *q != '"' && *q != '\\' && static_cast<unsigned char>(*q) >= 0x20 &&
           static_cast<unsigned char>(*q) < 0x80)
      ++q;
    out.append(p, q);
    p = q;
    if (p == end) fail("unterminated string");
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') {
      ++p;
      return;
    }
    if (c < 0x20) fail("control character in string");
    if (c >= 0x80) {
      auto* u = reinterpret_cast<const unsigned char*>(p);
      std::uint32_t cp = 0;
      if (!utf8::decode(u, reinterpret_cast<const unsigned char*>(end), cp)) fail("invalid UTF-8");
      const auto* next = reinterpret_cast<const char*>(u);
      out.append(p, next);
      p = next;
      continue;
    }
    // backslash
    ++p;
    if (p == end) fail("unterminated string");
    const char e = *p++;
    // The one-character escapes, and what each stands for.
    static constexpr std::string_view kEscaped = "\"\\/bfnrt", kMeant = "\"\\/\b\f\n\r\t";
    if (const auto i = kEscaped.find(e); i != std::string_view::npos) {
      out.push_back(kMeant[i]);
      continue;
    }
    if (e != 'u') fail("bad escape");
    std::uint32_t cp = hex4(*this);
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (end - p < 6 || p[0] != '\\' || p[1] != 'u') fail("lone surrogate");
      p += 2;
      const std::uint32_t lo = hex4(*this);
      if (lo < 0xdc00 || lo > 0xdfff) fail("lone surrogate");
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
      fail("lone surrogate");
    }
    utf8::append(out, cp);
  }
}

/// Skips one value of any type (bounded depth).
void json_reader::skip() {
  const char c = peek();
  if (c == '"') {
    std::string tmp;
    read_string(tmp);
  } else if (c == '[' || c == '{') {
    ++p;
    enter();
    const char close = c == '[' ? ']' : '}';
    bool first = true;
    while (more(close, first)) {
      if (close == '}') {
        std::string k;
        read_string(k);
        expect(':');
      }
      skip();
    }
    leave();
  } else if (try_word("true") || try_word("false") || try_word("null")) {
  } else {
    (void)read_double();
  }
}

// ---- normalize_json

/// Rewrites any JSON value compactly (UTF-8 kept, NaN / Infinity kept).
inline void reformat_json(json_reader& r, std::string& out) {
  const char c = r.peek();
  if (c == '"') {
    std::string s;
    r.read_string(s);
    append_json_string(out, s, false);
  } else if (c == '[' || c == '{') {
    ++r.p;
    r.enter();
    const char close = c == '[' ? ']' : '}';
    out.push_back(c);
    bool first = true;
    while (r.more(close, first)) {
      if (out.back() != c) out.push_back(',');
      if (close == '}') {
        std::string k;
        r.read_string(k);
        append_json_string(out, k, false);
        r.expect(':');
        out.push_back(':');
      }
      reformat_json(r, out);
    }
    out.push_back(close);
    r.leave();
  } else {
    for (const std::string_view word : {"true", "false", "null", "NaN", "Infinity", "-Infinity"}) {
      if (r.try_word(word)) {
        out += word;
        return;
      }
    }
    bool is_int = false;
    out += r.number(is_int);
  }
}

}  // namespace redis_cache::codec::detail

namespace redis_cache::codec {

std::string normalize_json(std::string_view text) {
  return detail::decode_whole<detail::json_reader>(text, [](detail::json_reader& r) {
    std::string out;
    detail::reformat_json(r, out);
    return out;
  });
}

}  // namespace redis_cache::codec
