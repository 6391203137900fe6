// redis_cache/codec/detail/fingerprint.hpp — a compile-time hash of a type's schema.
//
// The hash walks the same kind structure as the encoder, feeding FNV-1a with
// portable tokens rather than compiler spellings: std types become "i32", "u64", "f64",
// "str", "seq(...)", "map(...)", ...; user types contribute their normalized qualified
// name plus, for described types, each field's name and schema, for PFR aggregates
// each field's schema. So adding, removing, renaming (described) or retyping a field
// changes the fingerprint, and gcc and clang builds agree.
#pragma once

#include <cstdint>
#include <ratio>
#include <string_view>
#include <type_traits>

#include <boost/describe/enumerators.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/set.hpp>
#include <redis_cache/codec/detail/check.hpp>
#include <redis_cache/codec/detail/traits.hpp>
#include <redis_cache/codec/detail/type_name.hpp>

namespace redis_cache::codec::detail {

struct fnv {
  std::uint64_t h = 14695981039346656037ull;
  constexpr void byte(unsigned char c) {
    h ^= c;
    h *= 1099511628211ull;
  }
  constexpr void add(std::string_view s) {
    for (char c : s) byte(static_cast<unsigned char>(c));
    byte(0);  // separator: "ab","c" != "a","bc"
  }
  constexpr void add_int(std::intmax_t v) {
    const auto u = static_cast<std::uintmax_t>(v);
    for (int i = 0; i < 8; ++i) byte(static_cast<unsigned char>((u >> (8 * i)) & 0xff));
  }
};

template <class T>
constexpr std::string_view int_token() {
  if constexpr (std::is_same_v<T, char>)
    return "char";
  else if constexpr (std::is_same_v<T, wchar_t>)
    return "wchar";
  else if constexpr (std::is_same_v<T, char8_t>)
    return "char8";
  else if constexpr (std::is_same_v<T, char16_t>)
    return "char16";
  else if constexpr (std::is_same_v<T, char32_t>)
    return "char32";
  else if constexpr (std::is_signed_v<T>) {
    if constexpr (sizeof(T) == 1)
      return "i8";
    else if constexpr (sizeof(T) == 2)
      return "i16";
    else if constexpr (sizeof(T) == 4)
      return "i32";
    else
      return "i64";
  } else {
    if constexpr (sizeof(T) == 1)
      return "u8";
    else if constexpr (sizeof(T) == 2)
      return "u16";
    else if constexpr (sizeof(T) == 4)
      return "u32";
    else
      return "u64";
  }
}

template <class T, class Visited>
constexpr void schema_hash(fnv& h);

template <class Visited, class... Ts>
constexpr void schema_hash_all(fnv& h, boost::mp11::mp_list<Ts...>*) {
  h.add("(");
  (schema_hash<Ts, Visited>(h), ...);
  h.add(")");
}

template <class T, class Visited>
constexpr void schema_hash(fnv& h) {
  using K = kind;
  using U = std::remove_cvref_t<T>;
  constexpr K k = kind_v<U>;
  if constexpr (boost::mp11::mp_contains<Visited, U>::value) {
    h.add("rec");
    h.add(type_name<U>());
  } else if constexpr (k == K::hook) {
    using V = boost::mp11::mp_push_back<Visited, U>;
    h.add("hook");
    h.add(type_name<U>());
    if constexpr (requires { codec::adaptor<U>::schema_version; })
      h.add(std::string_view(codec::adaptor<U>::schema_version));
    schema_hash<hook_repr_t<U>, V>(h);
  } else if constexpr (k == K::msgpack_native) {
    h.add("msgpack");
    h.add(type_name<U>());
  } else if constexpr (k == K::boolean) {
    h.add("bool");
  } else if constexpr (k == K::integer) {
    h.add(int_token<U>());
  } else if constexpr (k == K::floating) {
    h.add(sizeof(U) == 4 ? "f32" : "f64");
  } else if constexpr (k == K::described_enum) {
    h.add("denum");
    h.add(type_name<U>());
    h.add(int_token<std::underlying_type_t<U>>());
    boost::mp11::mp_for_each<boost::describe::describe_enumerators<U>>(
        [&](auto D) { h.add(D.name); });
  } else if constexpr (k == K::plain_enum) {
    h.add("enum");
    h.add(type_name<U>());
    h.add(int_token<std::underlying_type_t<U>>());
  } else if constexpr (k == K::string) {
    h.add("str");
  } else if constexpr (k == K::duration || k == K::time_point) {
    using D = U;  // a duration or a time_point: both have the duration's rep and period
    h.add(k == K::duration ? "dur" : "sys_tp");
    schema_hash<typename D::rep, Visited>(h);
    h.add_int(D::period::num);
    h.add_int(D::period::den);
  } else if constexpr (k == K::optional) {
    h.add("opt");
    schema_hash<typename U::value_type, Visited>(h);
  } else if constexpr (k == K::variant || k == K::tuple) {
    h.add(k == K::variant ? "var" : "tup");
    schema_hash_all<Visited>(
        h, static_cast<boost::mp11::mp_rename<U, boost::mp11::mp_list>*>(nullptr));
  } else if constexpr (k == K::monostate) {
    h.add("nil");
  } else if constexpr (k == K::map) {
    h.add("map");
    schema_hash<typename U::key_type, Visited>(h);
    schema_hash<typename U::mapped_type, Visited>(h);
  } else if constexpr (k == K::set || k == K::sequence) {
    h.add(k == K::set ? "set" : "seq");
    schema_hash<typename U::value_type, Visited>(h);
  } else if constexpr (k == K::fixed_array) {
    h.add("arr");
    if constexpr (std::is_array_v<U>) {
      h.add_int(static_cast<std::intmax_t>(std::extent_v<U>));
      schema_hash<std::remove_extent_t<U>, Visited>(h);
    } else {
      h.add_int(static_cast<std::intmax_t>(std::tuple_size_v<U>));
      schema_hash<typename U::value_type, Visited>(h);
    }
  } else if constexpr (k == K::described) {
    using V = boost::mp11::mp_push_back<Visited, U>;
    h.add("desc");
    h.add(type_name<U>());
    boost::mp11::mp_for_each<members_t<U>>([&](auto D) {
      h.add(D.name);
      schema_hash<descriptor_type<decltype(D)>, V>(h);
    });
  } else if constexpr (k == K::pfr) {
    using V = boost::mp11::mp_push_back<Visited, U>;
    h.add("pfr");
    h.add(type_name<U>());
    schema_hash_all<V>(h, static_cast<typename children<U>::type*>(nullptr));
  } else {
    h.add("?");
    h.add(type_name<U>());
  }
}

template <class R, class... Args>
constexpr std::uint64_t fingerprint_hash() {
  fnv h;
  h.add("rc1");  // format version of keys and values
  schema_hash<R, boost::mp11::mp_list<>>(h);
  h.add("<-");
  (schema_hash<Args, boost::mp11::mp_list<>>(h), ...);
  return h.h;
}

template <class R, class... Args>
struct fingerprint_holder {
  static constexpr std::array<char, 8> text = [] {
    const std::uint64_t x = fingerprint_hash<R, Args...>();
    const auto v = static_cast<std::uint32_t>(x ^ (x >> 32));
    std::array<char, 8> a{};
    for (unsigned i = 0; i < 8; ++i) a[i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xf];
    return a;
  }();
};

}  // namespace redis_cache::codec::detail
