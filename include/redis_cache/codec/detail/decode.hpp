// redis_cache/codec/detail/decode.hpp — msgpack bytes to values, strictly.
//
// decode<T>(reader) mirrors encode: it accepts exactly the forms the
// encoder writes (plus harmless variants: any integer width, float32, bin for str,
// integer for a described enum) and throws DecodeError for anything else: wrong
// type, integer out of range, wrong tuple/struct arity, unknown/missing/duplicate
// field, unknown enumerator, bad variant index, duplicate set/map element.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include <boost/mp11/algorithm.hpp>
#include <boost/pfr/core.hpp>
#include <redis_cache/codec/detail/check.hpp>
#include <redis_cache/codec/detail/reader.hpp>
#include <redis_cache/codec/detail/traits.hpp>

namespace redis_cache::codec::detail {

template <class T>
T decode(msgpack_reader& r);

template <class T>
void decode_into(msgpack_reader& r, T& out) {
  out = decode<T>(r);
}

template <class T, std::size_t... I>
T decode_tuple(msgpack_reader& r, std::index_sequence<I...>) {
  // Braced init evaluates left to right.
  return T{decode<std::tuple_element_t<I, T>>(r)...};
}

template <class T>
T decode(msgpack_reader& r) {
  using K = kind;
  constexpr K k = kind_v<T>;
  if constexpr (k == K::hook) {
    return codec::adaptor<T>::unpack(decode<hook_repr_t<T>>(r));
  } else if constexpr (k == K::msgpack_native) {
    require_msgpack_bridge<T>();
    if constexpr (msgpack_bridged<T>) return msgpack_bridge<T>::decode(r);
  } else if constexpr (k == K::boolean) {
    return r.read_bool();
  } else if constexpr (k == K::integer) {
    return r.template read_int<T>();
  } else if constexpr (k == K::floating) {
    return static_cast<T>(r.read_float());
  } else if constexpr (k == K::described_enum) {
    using U = std::underlying_type_t<T>;
    if (r.peek() == token::str) {
      const std::size_t at = r.offset();
      const std::string_view name = r.read_str();
      std::optional<T> found;
      boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>([&](auto D) {
        if (!found && name == D.name) found = D.value;
      });
      if (!found) fail_at("unknown enumerator name", at);
      return *found;
    }
    return static_cast<T>(r.template read_int<U>());
  } else if constexpr (k == K::plain_enum) {
    return static_cast<T>(r.template read_int<std::underlying_type_t<T>>());
  } else if constexpr (k == K::string) {
    static_assert(is_string<T>::value,
                  "redis_cache: std::string_view and const char* can be arguments but not "
                  "results (they would point into freed memory); return std::string");
    const std::string_view s = r.read_str();
    return T(s.data(), s.size());
  } else if constexpr (k == K::duration) {
    return T(decode<typename T::rep>(r));
  } else if constexpr (k == K::time_point) {
    return T(typename T::duration(decode<typename T::rep>(r)));
  } else if constexpr (k == K::optional) {
    using V = typename T::value_type;
    if constexpr (is_optional<V>::value) {
      const std::size_t n = r.read_array();
      if (n > 1) r.fail("nested optional: expected an array of 0 or 1 element");
      T v;
      if (n == 1) v.emplace(decode<V>(r));
      r.leave();
      return v;
    } else {
      if (r.try_nil()) return T{};
      return T(decode<V>(r));
    }
  } else if constexpr (k == K::variant) {
    const std::size_t n = r.read_array();
    if (n != 2) r.fail("variant: expected [index, value]");
    const std::size_t at = r.offset();
    const auto idx = r.template read_int<std::size_t>();
    if (idx >= std::variant_size_v<T>) fail_at("variant index out of range", at);
    T v = boost::mp11::mp_with_index<std::variant_size_v<T>>(idx, [&](auto I) -> T {
      return T(std::in_place_index<I>, decode<std::variant_alternative_t<I, T>>(r));
    });
    r.leave();
    return v;
  } else if constexpr (k == K::monostate) {
    r.read_nil();
    return T{};
  } else if constexpr (k == K::tuple) {
    const std::size_t n = r.read_array();
    if (n != std::tuple_size_v<T>) r.fail("tuple: wrong number of elements");
    T v = decode_tuple<T>(r, std::make_index_sequence<std::tuple_size_v<T>>{});
    r.leave();
    return v;
  } else if constexpr (k == K::fixed_array) {
    static_assert(!std::is_array_v<T>, "redis_cache: a C array cannot be returned; use std::array");
    const std::size_t n = r.read_array();
    if (n != std::tuple_size_v<T>) r.fail("array: wrong number of elements");
    T v{};
    for (auto& e : v) decode_into(r, e);
    r.leave();
    return v;
  } else if constexpr (k == K::sequence) {
    const std::size_t n = r.read_array();
    T v;
    using E = typename T::value_type;
    if constexpr (requires { v.reserve(n); }) {
      // Bounded: never reserve more than ~1 MiB up front for a claimed length.
      constexpr std::size_t cap = std::size_t{1 << 20} / sizeof(E) + 1;
      v.reserve(n < cap ? n : cap);
    }
    for (std::size_t i = 0; i < n; ++i) v.push_back(decode<E>(r));
    r.leave();
    return v;
  } else if constexpr (k == K::set) {
    const std::size_t n = r.read_array();
    T v;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t at = r.offset();
      if (!v.insert(decode<typename T::value_type>(r)).second) fail_at("duplicate set element", at);
    }
    r.leave();
    return v;
  } else if constexpr (k == K::map) {
    const std::size_t n = r.read_map();
    T v;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t at = r.offset();
      auto key = decode<typename T::key_type>(r);
      auto val = decode<typename T::mapped_type>(r);
      if (!v.emplace(std::move(key), std::move(val)).second) fail_at("duplicate map key", at);
    }
    r.leave();
    return v;
  } else if constexpr (k == K::described) {
    using Ms = members_t<T>;
    constexpr std::size_t M = boost::mp11::mp_size<Ms>::value;
    const std::size_t n = r.read_map();
    if (n != M) r.fail("struct: wrong number of fields (schema changed?)");
    T v{};
    std::array<bool, M + 1> seen{};
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t at = r.offset();
      const std::string_view name = r.read_str();
      bool matched = false;
      std::size_t idx = 0;
      boost::mp11::mp_for_each<Ms>([&](auto D) {
        if (!matched && name == D.name) {
          matched = true;
          if (seen[idx]) fail_at("duplicate field", at);
          seen[idx] = true;
          decode_into(r, v.*D.pointer);
        }
        ++idx;
      });
      if (!matched) fail_at("unknown field (schema changed?)", at);
    }
    r.leave();
    return v;
  } else if constexpr (k == K::pfr) {
    const std::size_t n = r.read_array();
    if (n != boost::pfr::tuple_size_v<T>)
      r.fail("struct: wrong number of fields (schema changed?)");
    T v{};
    boost::pfr::for_each_field(v, [&](auto& f) { decode_into(r, f); });
    r.leave();
    return v;
  } else {
    static_assert(dependent_false<T>, "redis_cache: type is not cacheable");
  }
}

}  // namespace redis_cache::codec::detail
