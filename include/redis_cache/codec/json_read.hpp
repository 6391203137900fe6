// redis_cache/codec/json_read.hpp — JSON text to values, strictly and boundedly.
//
// json_decode<T>(reader) mirrors json_encode (json_write.hpp). It accepts what
// Python's json.dumps and our writer produce: any whitespace, any object key order,
// \u escapes with surrogate pairs, NaN / Infinity / -Infinity, an integer where a
// float is expected. Anything else (wrong type, integer out of range, a fraction for
// an integer, unknown / missing / duplicate field, lone surrogate, control character
// in a string, nesting deeper than codec::max_decode_depth) throws DecodeError.
#pragma once

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include <boost/describe/enumerators.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/pfr/core.hpp>
#include <redis_cache/codec/detail/traits.hpp>
#include <redis_cache/codec/json_write.hpp>
#include <redis_cache/codec/limits.hpp>
#include <redis_cache/errors.hpp>

namespace redis_cache::detail {

struct json_reader {
  const char* begin;
  const char* p;
  const char* end;
  unsigned depth = 0;

  explicit json_reader(std::string_view s)
      : begin(s.data()), p(s.data()), end(s.data() + s.size()) {}

  [[noreturn]] void fail(const char* what) const {
    throw DecodeError(std::string("redis_cache: cannot decode JSON value: ") + what +
                      " at offset " + std::to_string(p - begin));
  }
  void ws() {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  }
  char peek() {
    ws();
    if (p == end) fail("unexpected end");
    return *p;
  }
  void expect(char c) {
    if (peek() != c) fail("unexpected character");
    ++p;
  }
  bool try_char(char c) {
    if (peek() != c) return false;
    ++p;
    return true;
  }
  bool try_word(std::string_view w) {
    ws();
    if (static_cast<std::size_t>(end - p) >= w.size() && std::string_view(p, w.size()) == w) {
      p += w.size();
      return true;
    }
    return false;
  }
  void enter() {
    if (++depth > codec::max_decode_depth) fail("nesting too deep");
  }
  void leave() { --depth; }
  bool at_end() {
    ws();
    return p == end;
  }

  // -- containers: begin_array(); while (more(']', first)) {...}
  /// After '[' or '{': true when another element follows (consumes ',').
  bool more(char close, bool& first) {
    if (try_char(close)) return false;
    if (!first) expect(',');
    first = false;
    return true;
  }

  bool try_null() { return try_word("null"); }

  bool read_bool() {
    if (try_word("true")) return true;
    if (try_word("false")) return false;
    fail("expected true or false");
  }

  /// A number token (no sign handling beyond '-'); is_int = no '.', 'e', 'E'.
  std::string_view number(bool& is_int) {
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

  template <class I>
  I read_int() {
    const char* at = p;
    bool is_int = false;
    const std::string_view t = number(is_int);
    if (!is_int) {
      p = at;
      fail("expected an integer");
    }
    I v{};
    if constexpr (std::is_signed_v<I>) {
      long long x = 0;
      const auto r = std::from_chars(t.data(), t.data() + t.size(), x);
      if (r.ec != std::errc() || x < static_cast<long long>(std::numeric_limits<I>::min()) ||
          x > static_cast<long long>(std::numeric_limits<I>::max()))
        fail("integer out of range");
      v = static_cast<I>(x);
    } else {
      unsigned long long x = 0;
      const auto r = std::from_chars(t.data(), t.data() + t.size(), x);
      if (r.ec != std::errc() || t[0] == '-' ||
          x > static_cast<unsigned long long>(std::numeric_limits<I>::max()))
        fail("integer out of range");
      v = static_cast<I>(x);
    }
    return v;
  }

  double read_double() {
    if (try_word("NaN")) return std::numeric_limits<double>::quiet_NaN();
    if (try_word("Infinity")) return std::numeric_limits<double>::infinity();
    if (try_word("-Infinity")) return -std::numeric_limits<double>::infinity();
    bool is_int = false;
    const std::string_view t = number(is_int);
    double d = 0;
    const auto r = std::from_chars(t.data(), t.data() + t.size(), d);
    if (r.ptr != t.data() + t.size()) fail("bad number");
    if (r.ec == std::errc::result_out_of_range) {
      // from_chars reports overflow / underflow; Python's float() rounds them.
      d = 0;
      bool neg = t[0] == '-';
      std::size_t e = t.find_first_of("eE");
      bool big = e != std::string_view::npos && t[e + 1] != '-';
      if (big) d = std::numeric_limits<double>::infinity();
      if (neg) d = -d;
    }
    return d;
  }

  static void append_utf8(std::string& out, std::uint32_t cp) {
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

  unsigned hex4() {
    if (end - p < 4) fail("bad \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = *p++;
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
      else
        fail("bad \\u escape");
    }
    return v;
  }

  /// Reads a string into out (replacing its content). Raw bytes must be valid UTF-8.
  void read_string(std::string& out) {
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
          std::uint32_t cp = hex4();
          if (cp >= 0xd800 && cp <= 0xdbff) {
            if (end - p < 6 || p[0] != '\\' || p[1] != 'u') fail("lone surrogate");
            p += 2;
            const std::uint32_t lo = hex4();
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
  void skip() {
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
};

template <class T>
T json_decode(json_reader& r);

template <class T>
void json_decode_into(json_reader& r, T& out) {
  out = json_decode<T>(r);
}

template <class T, std::size_t... I>
T json_decode_tuple(json_reader& r, std::index_sequence<I...>) {
  bool first = true;
  auto next = [&]<class E>(std::type_identity<E>) -> E {
    if (!r.more(']', first)) r.fail("array too short");
    return json_decode<E>(r);
  };
  T v{next(std::type_identity<std::tuple_element_t<I, T>>{})...};  // braced: in order
  if (r.more(']', first)) r.fail("array too long");
  return v;
}

template <class Key>
Key json_decode_key(json_reader& r) {
  if constexpr (codec_kind_v<Key> == codec_kind::integer) {
    std::string s;
    r.read_string(s);
    json_reader sub(s);
    const Key k = sub.template read_int<Key>();
    if (sub.p != sub.end) r.fail("bad integer object key");
    return k;
  } else {
    std::string s;
    r.read_string(s);
    return Key(s.data(), s.size());
  }
}

template <class T>
T json_decode(json_reader& r) {
  using K = codec_kind;
  constexpr K k = codec_kind_v<T>;
  if constexpr (!json_blocker_of<std::remove_cv_t<T>>().empty()) {
    r.fail("type cannot be carried by JSON");
  } else if constexpr (k == K::hook) {
    return codec::adaptor<T>::unpack(json_decode<codec_hook_repr_t<T>>(r));
  } else if constexpr (k == K::boolean) {
    return r.read_bool();
  } else if constexpr (k == K::integer) {
    return r.template read_int<T>();
  } else if constexpr (k == K::floating) {
    return static_cast<T>(r.read_double());
  } else if constexpr (k == K::described_enum) {
    if (r.peek() == '"') {
      std::string name;
      r.read_string(name);
      std::optional<T> found;
      boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>([&](auto D) {
        if (!found && name == D.name) found = D.value;
      });
      if (!found) r.fail("unknown enumerator name");
      return *found;
    }
    return static_cast<T>(r.template read_int<std::underlying_type_t<T>>());
  } else if constexpr (k == K::plain_enum) {
    return static_cast<T>(r.template read_int<std::underlying_type_t<T>>());
  } else if constexpr (k == K::string) {
    static_assert(codec_is_string<T>::value,
                  "redis_cache: std::string_view and const char* can be arguments but not "
                  "results; return std::string");
    std::string s;
    r.read_string(s);
    if constexpr (std::is_same_v<T, std::string>)
      return s;
    else
      return T(s.data(), s.size());
  } else if constexpr (k == K::duration) {
    return T(json_decode<typename T::rep>(r));
  } else if constexpr (k == K::time_point) {
    return T(typename T::duration(json_decode<typename T::rep>(r)));
  } else if constexpr (k == K::optional) {
    using V = typename T::value_type;
    if constexpr (codec_is_optional<V>::value) {
      r.expect('[');
      r.enter();
      T v;
      bool first = true;
      if (r.more(']', first)) {
        v.emplace(json_decode<V>(r));
        if (r.more(']', first)) r.fail("nested optional: expected [] or [value]");
      }
      r.leave();
      return v;
    } else {
      if (r.try_null()) return T{};
      return T(json_decode<V>(r));
    }
  } else if constexpr (k == K::variant) {
    r.expect('[');
    r.enter();
    const auto idx = r.template read_int<std::size_t>();
    if (idx >= std::variant_size_v<T>) r.fail("variant index out of range");
    r.expect(',');
    T v = boost::mp11::mp_with_index<std::variant_size_v<T>>(idx, [&](auto I) -> T {
      return T(std::in_place_index<I>, json_decode<std::variant_alternative_t<I, T>>(r));
    });
    r.expect(']');
    r.leave();
    return v;
  } else if constexpr (k == K::monostate) {
    if (!r.try_null()) r.fail("expected null");
    return T{};
  } else if constexpr (k == K::tuple) {
    r.expect('[');
    r.enter();
    T v = json_decode_tuple<T>(r, std::make_index_sequence<std::tuple_size_v<T>>{});
    r.leave();
    return v;
  } else if constexpr (k == K::fixed_array) {
    static_assert(!std::is_array_v<T>, "redis_cache: a C array cannot be returned; use std::array");
    r.expect('[');
    r.enter();
    T v{};
    bool first = true;
    for (auto& e : v) {
      if (!r.more(']', first)) r.fail("array: too few elements");
      json_decode_into(r, e);
    }
    if (r.more(']', first)) r.fail("array: too many elements");
    r.leave();
    return v;
  } else if constexpr (k == K::sequence || k == K::set) {
    r.expect('[');
    r.enter();
    T v;
    bool first = true;
    while (r.more(']', first)) {
      if constexpr (k == K::sequence) {
        v.push_back(json_decode<typename T::value_type>(r));
      } else {
        if (!v.insert(json_decode<typename T::value_type>(r)).second)
          r.fail("duplicate set element");
      }
    }
    r.leave();
    return v;
  } else if constexpr (k == K::map) {
    r.expect('{');
    r.enter();
    T v;
    bool first = true;
    while (r.more('}', first)) {
      auto key = json_decode_key<std::remove_cv_t<typename T::key_type>>(r);
      r.expect(':');
      auto val = json_decode<typename T::mapped_type>(r);
      if (!v.emplace(std::move(key), std::move(val)).second) r.fail("duplicate object key");
    }
    r.leave();
    return v;
  } else if constexpr (k == K::described) {
    using Ms = codec_members_t<T>;
    constexpr std::size_t M = boost::mp11::mp_size<Ms>::value;
    r.expect('{');
    r.enter();
    T v{};
    std::array<bool, M + 1> seen{};
    std::size_t count = 0;
    bool first = true;
    std::string name;
    while (r.more('}', first)) {
      r.read_string(name);
      r.expect(':');
      bool matched = false;
      std::size_t idx = 0;
      boost::mp11::mp_for_each<Ms>([&](auto D) {
        if (!matched && name == D.name) {
          matched = true;
          if (seen[idx]) r.fail("duplicate field");
          seen[idx] = true;
          json_decode_into(r, v.*D.pointer);
        }
        ++idx;
      });
      if (!matched) r.fail("unknown field (schema changed?)");
      ++count;
    }
    if (count != M) r.fail("struct: missing fields (schema changed?)");
    r.leave();
    return v;
  } else if constexpr (k == K::pfr) {
    r.expect('[');
    r.enter();
    T v{};
    bool first = true;
    boost::pfr::for_each_field(v, [&](auto& f) {
      if (!r.more(']', first)) r.fail("struct: too few fields (schema changed?)");
      json_decode_into(r, f);
    });
    if (r.more(']', first)) r.fail("struct: too many fields (schema changed?)");
    r.leave();
    return v;
  }
}

/// Rewrites any JSON value compactly (UTF-8 kept, NaN / Infinity kept).
inline void json_reformat(json_reader& r, std::string& out) {
  const char c = r.peek();
  if (c == '"') {
    std::string s;
    r.read_string(s);
    json_append_string(out, s, false);
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
        json_append_string(out, k, false);
        r.expect(':');
        out.push_back(':');
      }
      json_reformat(r, out);
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

}  // namespace redis_cache::detail
