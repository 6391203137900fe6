// redis_cache/codec/detail/traits.hpp — how the codec sees a type: its "kind".
//
// One classification drives encoding, decoding, the cacheability check and the
// schema fingerprint, so they cannot disagree. Order of precedence:
//   user hook (codec::adaptor<T>) > own msgpack adaptor > fundamental / std types
//   > Boost.Describe > Boost.PFR (only for `reflectable` aggregates).
#pragma once

#include <concepts>
#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/pfr/core.hpp>
#include <redis_cache/codec/adaptor.hpp>
#include <redis_cache/detail/chrono.hpp>

namespace redis_cache::codec::detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_variant : std::false_type {};
template <class... Ts>
struct is_variant<std::variant<Ts...>> : std::true_type {};

template <class T>
struct is_tuple : std::false_type {};
template <class... Ts>
struct is_tuple<std::tuple<Ts...>> : std::true_type {};
template <class A, class B>
struct is_tuple<std::pair<A, B>> : std::true_type {};

template <class T>
struct is_duration : std::false_type {};
template <class R, class P>
struct is_duration<std::chrono::duration<R, P>> : std::true_type {};

template <class T>
struct is_time_point : std::false_type {};
template <class C, class D>
struct is_time_point<std::chrono::time_point<C, D>> : std::true_type {};

template <class T>
struct is_std_array : std::false_type {};
template <class T, std::size_t N>
struct is_std_array<std::array<T, N>> : std::true_type {};

template <class T>
struct is_string : std::false_type {};
template <class Tr, class A>
struct is_string<std::basic_string<char, Tr, A>> : std::true_type {};

template <class T>
struct is_string_view : std::false_type {};
template <class Tr>
struct is_string_view<std::basic_string_view<char, Tr>> : std::true_type {};

/// A user specialized codec::adaptor<T> (pack and unpack).
template <class T>
concept hooked = requires(const T& v) {
  codec::adaptor<T>::pack(v);
  codec::adaptor<T>::unpack(std::declval<std::decay_t<decltype(codec::adaptor<T>::pack(v))>&&>());
};

template <class T>
using hook_repr_t = std::decay_t<decltype(codec::adaptor<T>::pack(std::declval<const T&>()))>;

/// Stands in for msgpack::packer<Stream> when asking whether T has a msgpack_pack
/// member: MSGPACK_DEFINE (and _ARRAY, _MAP) declare it as a template on the packer.
struct packer_probe {};

/// T has a msgpack-cxx adaptor of its own (MSGPACK_DEFINE or opted in).
template <class T>
concept msgpack_native = codec::use_msgpack_adaptor<T> || requires(const T& v, packer_probe& pk) {
  v.msgpack_pack(pk);
};

/// Encodes and decodes a msgpack-native T through msgpack-cxx: static encode(msgpack_writer&,
/// const T&) and T decode(msgpack_reader&). Declared here, defined by
/// <redis_cache/codec/msgpack_native.hpp>, so that only the translation units that cache
/// such types parse msgpack-cxx.
template <class T>
struct msgpack_bridge;

template <class T>
concept msgpack_bridged = requires {
  sizeof(msgpack_bridge<T>);
};

template <class T>
concept described_class =
    std::is_class_v<T> && !std::is_union_v<T> && boost::describe::has_describe_members<T>::value;

template <class T>
concept described_enum = std::is_enum_v<T> && boost::describe::has_describe_enumerators<T>::value;

template <class T>
concept range = requires(const T& v) {
  std::begin(v);
  std::end(v);
};

template <class T>
concept map_like = range<T> && requires {
  typename T::key_type;
  typename T::mapped_type;
};

template <class T>
concept set_like = range<T> && !map_like<T> && requires {
  typename T::key_type;
  typename T::value_type;
};

template <class T>
concept unordered = requires {
  typename T::hasher;
};

template <class T>
concept sequence =
    range<T> && !map_like<T> && !set_like<T> && requires(T & v, typename T::value_type&& e) {
  v.push_back(std::move(e));
};

template <class T>
concept tuple_like = requires {
  std::tuple_size<T>::value;
};

/// glaze-style: a plain aggregate Boost.PFR may reflect, minus everything that has a
/// meaning of its own (strings, ranges, tuple-likes, optionals, variants, described
/// types, hooked types, types with their own msgpack adaptor).
template <class T>
concept reflectable = std::is_class_v<T> && std::is_aggregate_v<T> && !std::is_union_v<T> &&
                      !hooked<T> && !msgpack_native<T> && !described_class<T> && !range<T> &&
                      !tuple_like<T> && !is_optional<T>::value && !is_variant<T>::value &&
                      !is_string<T>::value && !is_string_view<T>::value;

enum class kind {
  unsupported,
  hook,
  msgpack_native,
  boolean,
  integer,
  floating,
  described_enum,
  plain_enum,
  string,  // std::string, std::string_view, const char* (the latter two: encode only)
  duration,
  time_point,
  optional,
  variant,
  monostate,
  tuple,        // std::tuple, std::pair
  map,          // map, unordered_map, ...
  set,          // set, unordered_set, ...
  sequence,     // vector, deque, list
  fixed_array,  // std::array, T[N]
  described,
  pfr,
};

/// The kind of T (cv-unqualified, not a reference).
template <class T>
constexpr kind kind_of() {
  using K = kind;
  if constexpr (hooked<T>)
    return K::hook;
  else if constexpr (msgpack_native<T>)
    return K::msgpack_native;
  else if constexpr (std::is_same_v<T, bool>)
    return K::boolean;
  else if constexpr (std::is_integral_v<T>)
    return K::integer;
  else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>)
    return K::floating;
  else if constexpr (described_enum<T>)
    return K::described_enum;
  else if constexpr (std::is_enum_v<T>)
    return K::plain_enum;
  else if constexpr (is_string<T>::value || is_string_view<T>::value ||
                     std::is_same_v<T, const char*>)
    return K::string;
  else if constexpr (is_duration<T>::value)
    return K::duration;
  else if constexpr (is_time_point<T>::value)
    return K::time_point;
  else if constexpr (is_optional<T>::value)
    return K::optional;
  else if constexpr (is_variant<T>::value)
    return K::variant;
  else if constexpr (std::is_same_v<T, std::monostate>)
    return K::monostate;
  else if constexpr (is_tuple<T>::value)
    return K::tuple;
  else if constexpr (is_std_array<T>::value || std::is_bounded_array_v<T>)
    return K::fixed_array;
  else if constexpr (map_like<T>)
    return K::map;
  else if constexpr (set_like<T>)
    return K::set;
  else if constexpr (sequence<T>)
    return K::sequence;
  else if constexpr (described_class<T>)
    return K::described;
  else if constexpr (reflectable<T>)
    return K::pfr;
  else
    return K::unsupported;
}

template <class T>
inline constexpr kind kind_v = kind_of<std::remove_cv_t<T>>();

/// T of a pointer to data member `T C::*`.
template <class M>
struct member_type;
template <class T, class C>
struct member_type<T C::*> {
  using type = T;
};

/// Described members including inherited ones (bases first), any access.
template <class T>
using members_t = boost::describe::describe_members<T, boost::describe::mod_any_access |
                                                           boost::describe::mod_inherited>;

}  // namespace redis_cache::codec::detail
