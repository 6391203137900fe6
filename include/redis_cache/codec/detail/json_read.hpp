// redis_cache/codec/detail/json_read.hpp — JSON text to values, strictly and boundedly.
//
// decode<T>(json_reader&) mirrors encode(json_writer&, v) (json_write.hpp). It accepts what
// Python's json.dumps and our writer produce: any whitespace, any object key order,
// \u escapes with surrogate pairs, NaN / Infinity / -Infinity, an integer where a
// float is expected. Anything else (wrong type, integer out of range, a fraction for
// an integer, unknown / missing / duplicate field, lone surrogate, control character
// in a string, nesting deeper than codec::max_decode_depth) throws DecodeError.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include <boost/describe/enumerators.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/pfr/core.hpp>
#include <redis_cache/codec/detail/json_blocker.hpp>
#include <redis_cache/codec/detail/json_text.hpp>
#include <redis_cache/codec/detail/traits.hpp>
#include <redis_cache/codec/limits.hpp>
#include <redis_cache/errors.hpp>

namespace redis_cache::codec::detail {

/// A bounded JSON pull parser over text (the lexical work is in src/json.cpp).
struct json_reader {
  const char* begin;
  const char* p;
  const char* end;
  unsigned depth = 0;

  explicit json_reader(std::string_view s)
      : begin(s.data()), p(s.data()), end(s.data() + s.size()) {}

  /// Throws DecodeError naming what and the offset.
  [[noreturn]] void fail(const char* what) const;
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
  std::string_view number(bool& is_int);

  /// An integer token that fits a long long (unsigned long long); otherwise fails with
  /// "expected an integer" (a fraction or exponent) or "integer out of range".
  long long read_i64();
  unsigned long long read_u64();

  template <class I>
  I read_int() {
    if constexpr (std::is_signed_v<I>) {
      const long long x = read_i64();
      if (x < static_cast<long long>(std::numeric_limits<I>::min()) ||
          x > static_cast<long long>(std::numeric_limits<I>::max()))
        fail("integer out of range");
      return static_cast<I>(x);
    } else {
      const unsigned long long x = read_u64();
      if (x > static_cast<unsigned long long>(std::numeric_limits<I>::max()))
        fail("integer out of range");
      return static_cast<I>(x);
    }
  }

  /// A number (an integer too), NaN, Infinity or -Infinity.
  double read_double();

  /// Reads a string into out (replacing its content). Raw bytes must be valid UTF-8.
  void read_string(std::string& out);

  /// Skips one value of any type (bounded depth).
  void skip();
};

template <class T>
T decode(json_reader& r);

template <class T>
void decode_into(json_reader& r, T& out) {
  out = decode<T>(r);
}

template <class T, std::size_t... I>
T decode_tuple(json_reader& r, std::index_sequence<I...>) {
  bool first = true;
  auto next = [&]<class E>(std::type_identity<E>) -> E {
    if (!r.more(']', first)) r.fail("array too short");
    return decode<E>(r);
  };
  T v{next(std::type_identity<std::tuple_element_t<I, T>>{})...};  // braced: in order
  if (r.more(']', first)) r.fail("array too long");
  return v;
}

template <class Key>
Key decode_key(json_reader& r) {
  if constexpr (kind_v<Key> == kind::integer) {
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
T decode(json_reader& r) {
  using K = kind;
  constexpr K k = kind_v<T>;
  if constexpr (!json_blocker_of<std::remove_cv_t<T>>().empty()) {
    r.fail("type cannot be carried by JSON");
  } else if constexpr (k == K::hook) {
    return codec::adaptor<T>::unpack(decode<hook_repr_t<T>>(r));
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
    static_assert(is_string<T>::value,
                  "redis_cache: std::string_view and const char* can be arguments but not "
                  "results; return std::string");
    std::string s;
    r.read_string(s);
    if constexpr (std::is_same_v<T, std::string>)
      return s;
    else
      return T(s.data(), s.size());
  } else if constexpr (k == K::duration) {
    return T(decode<typename T::rep>(r));
  } else if constexpr (k == K::time_point) {
    return T(typename T::duration(decode<typename T::rep>(r)));
  } else if constexpr (k == K::optional) {
    using V = typename T::value_type;
    if constexpr (is_optional<V>::value) {
      r.expect('[');
      r.enter();
      T v;
      bool first = true;
      if (r.more(']', first)) {
        v.emplace(decode<V>(r));
        if (r.more(']', first)) r.fail("nested optional: expected [] or [value]");
      }
      r.leave();
      return v;
    } else {
      if (r.try_null()) return T{};
      return T(decode<V>(r));
    }
  } else if constexpr (k == K::variant) {
    r.expect('[');
    r.enter();
    const auto idx = r.template read_int<std::size_t>();
    if (idx >= std::variant_size_v<T>) r.fail("variant index out of range");
    r.expect(',');
    T v = boost::mp11::mp_with_index<std::variant_size_v<T>>(idx, [&](auto I) -> T {
      return T(std::in_place_index<I>, decode<std::variant_alternative_t<I, T>>(r));
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
    T v = decode_tuple<T>(r, std::make_index_sequence<std::tuple_size_v<T>>{});
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
      decode_into(r, e);
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
        v.push_back(decode<typename T::value_type>(r));
      } else {
        if (!v.insert(decode<typename T::value_type>(r)).second) r.fail("duplicate set element");
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
      auto key = decode_key<std::remove_cv_t<typename T::key_type>>(r);
      r.expect(':');
      auto val = decode<typename T::mapped_type>(r);
      if (!v.emplace(std::move(key), std::move(val)).second) r.fail("duplicate object key");
    }
    r.leave();
    return v;
  } else if constexpr (k == K::described) {
    using Ms = members_t<T>;
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
          decode_into(r, v.*D.pointer);
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
      decode_into(r, f);
    });
    if (r.more(']', first)) r.fail("struct: too many fields (schema changed?)");
    r.leave();
    return v;
  }
}

}  // namespace redis_cache::codec::detail
