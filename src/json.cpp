// The lexical level of the JSON codecs (Codec::json, Codec::python, the CLI's views):
// the reader's number, string and skip scanning, the string and float writers, and
// normalize_json. Compiled once here rather than parsed by every user's translation
// unit; the type-driven parts stay in the headers (json_read.hpp, json_write.hpp).
#include <redis_cache/codec/detail/json_read.hpp>
#include <redis_cache/codec/detail/json_text.hpp>
#include <redis_cache/codec/json.hpp>
#include <redis_cache/errors.hpp>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>

namespace redis_cache::codec::detail {

namespace {

/// Decodes the multi-byte UTF-8 sequence at p (*p >= 0x80) into cp and moves p past it.
/// Returns false, p unchanged, when it is not valid UTF-8 (truncated, overlong,
/// a surrogate, above U+10FFFF).
bool utf8_decode(const unsigned char*& p, const unsigned char* end, std::uint32_t& cp) {
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

void append_utf8(std::string& out, std::uint32_t cp) {
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

}  // namespace

bool valid_utf8(std::string_view s) noexcept {
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
    if (!utf8_decode(p, end, cp)) bad_utf8();
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

// ---- json_reader

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

long long json_reader::read_i64() {
  const char* at = p;
  bool is_int = false;
  const std::string_view t = number(is_int);
  if (!is_int) {
    p = at;
    fail("expected an integer");
  }
  long long x = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), x);
  if (r.ec != std::errc()) fail("integer out of range");
  return x;
}

unsigned long long json_reader::read_u64() {
  const char* at = p;
  bool is_int = false;
  const std::string_view t = number(is_int);
  if (!is_int) {
    p = at;
    fail("expected an integer");
  }
  unsigned long long x = 0;
  const auto r = std::from_chars(t.data(), t.data() + t.size(), x);
  if (r.ec != std::errc() || t[0] == '-') fail("integer out of range");
  return x;
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
      int n = c >= 0xc2 && c <= 0xdf   ? 1
              : c >= 0xe0 && c <= 0xef ? 2
              : c >= 0xf0 && c <= 0xf4 ? 3
                                       : -1;
      if (n < 0 || end - p <= n) fail("invalid UTF-8");
      std::uint32_t cp = c & (n == 1 ? 0x1f : n == 2 ? 0x0f : 0x07);
      for (int i = 1; i <= n; ++i) {
        if ((static_cast<unsigned char>(p[i]) & 0xc0) != 0x80) fail("invalid UTF-8");
        cp = (cp << 6) | (static_cast<unsigned char>(p[i]) & 0x3f);
      }
      if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
          (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
        fail("invalid UTF-8");
      out.append(p, static_cast<std::size_t>(n + 1));
      p += n + 1;
      continue;
    }
    // backslash
    ++p;
    if (p == end) fail("unterminated string");
    const char e = *p++;
    switch (e) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '/':
        out.push_back('/');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
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
        append_utf8(out, cp);
        break;
      }
      default:
        fail("bad escape");
    }
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
  } else if (r.try_word("true")) {
    out += "true";
  } else if (r.try_word("false")) {
    out += "false";
  } else if (r.try_word("null")) {
    out += "null";
  } else if (r.try_word("NaN")) {
    out += "NaN";
  } else if (r.try_word("Infinity")) {
    out += "Infinity";
  } else if (r.try_word("-Infinity")) {
    out += "-Infinity";
  } else {
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
