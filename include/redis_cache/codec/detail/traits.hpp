// redis_cache/codec/detail/traits.hpp — how the codec sees a type: its "kind".
//
// One classification drives encoding, decoding, the cacheability check and the
// schema fingerprint, so they cannot disagree. Order of precedence:
//   user hook (codec::adaptor<T>) > own msgpack adaptor > fundamental / std types
//   > Boost.Describe > Boost.PFR (only for `codec_reflectable` aggregates).
#pragma once

#include <chrono>
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

namespace redis_cache::detail {

template <class T>
struct codec_is_optional : std::false_type {};
template <class T>
struct codec_is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct codec_is_variant : std::false_type {};
template <class... Ts>
struct codec_is_variant<std::variant<Ts...>> : std::true_type {};

template <class T>
struct codec_is_tuple : std::false_type {};
template <class... Ts>
struct codec_is_tuple<std::tuple<Ts...>> : std::true_type {};
template <class A, class B>
struct codec_is_tuple<std::pair<A, B>> : std::true_type {};

template <class T>
struct codec_is_duration : std::false_type {};
template <class R, class P>
struct codec_is_duration<std::chrono::duration<R, P>> : std::true_type {};

template <class T>
struct codec_is_time_point : std::false_type {};
template <class C, class D>
struct codec_is_time_point<std::chrono::time_point<C, D>> : std::true_type {};

template <class T>
struct codec_is_std_array : std::false_type {};
template <class T, std::size_t N>
struct codec_is_std_array<std::array<T, N>> : std::true_type {};

template <class T>
struct codec_is_string : std::false_type {};
template <class Tr, class A>
struct codec_is_string<std::basic_string<char, Tr, A>> : std::true_type {};

template <class T>
struct codec_is_string_view : std::false_type {};
template <class Tr>
struct codec_is_string_view<std::basic_string_view<char, Tr>> : std::true_type {};

/// A user specialized codec::adaptor<T> (pack and unpack).
template <class T>
concept codec_hooked = requires(const T& v) {
  codec::adaptor<T>::pack(v);
  codec::adaptor<T>::unpack(std::declval<std::decay_t<decltype(codec::adaptor<T>::pack(v))>&&>());
};

template <class T>
using codec_hook_repr_t = std::decay_t<decltype(codec::adaptor<T>::pack(std::declval<const T&>()))>;

/// Stands in for msgpack::packer<Stream> when asking whether T has a msgpack_pack
/// member: MSGPACK_DEFINE (and _ARRAY, _MAP) declare it as a template on the packer.
struct codec_packer_probe {};

/// T has a msgpack-cxx adaptor of its own (MSGPACK_DEFINE or opted in).
template <class T>
concept codec_msgpack_native = codec::use_msgpack_adaptor<T> ||
    requires(const T& v, codec_packer_probe& pk) {
  v.msgpack_pack(pk);
};

/// Encodes and decodes a msgpack-native T through msgpack-cxx: static encode(codec_writer&,
/// const T&) and T decode(codec_reader&). Declared here, defined by
/// <redis_cache/codec/msgpack_native.hpp>, so that only the translation units that cache
/// such types parse msgpack-cxx.
template <class T>
struct msgpack_bridge;

template <class T>
concept codec_msgpack_bridged = requires {
  sizeof(msgpack_bridge<T>);
};

template <class T>
concept codec_described_class =
    std::is_class_v<T> && !std::is_union_v<T> && boost::describe::has_describe_members<T>::value;

template <class T>
concept codec_described_enum =
    std::is_enum_v<T> && boost::describe::has_describe_enumerators<T>::value;

template <class T>
concept codec_range = requires(const T& v) {
  std::begin(v);
  std::end(v);
};

template <class T>
concept codec_map_like = codec_range<T> && requires {
  typename T::key_type;
  typename T::mapped_type;
};

template <class T>
concept codec_set_like = codec_range<T> && !codec_map_like<T> && requires {
  typename T::key_type;
  typename T::value_type;
};

template <class T>
concept codec_unordered = requires {
  typename T::hasher;
};

template <class T>
concept codec_sequence = codec_range<T> && !codec_map_like<T> && !codec_set_like<T> &&
                         requires(T & v, typename T::value_type&& e) {
  v.push_back(std::move(e));
};

template <class T>
concept codec_tuple_like = requires {
  std::tuple_size<T>::value;
};

/// glaze-style: a plain aggregate Boost.PFR may reflect, minus everything that has a
/// meaning of its own (strings, ranges, tuple-likes, optionals, variants, described
/// types, hooked types, types with their own msgpack adaptor).
template <class T>
concept codec_reflectable =
    std::is_class_v<T> && std::is_aggregate_v<T> && !std::is_union_v<T> && !codec_hooked<T> &&
    !codec_msgpack_native<T> && !codec_described_class<T> && !codec_range<T> &&
    !codec_tuple_like<T> && !codec_is_optional<T>::value && !codec_is_variant<T>::value &&
    !codec_is_string<T>::value && !codec_is_string_view<T>::value;

enum class codec_kind {
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
constexpr codec_kind codec_kind_of() {
  using K = codec_kind;
  if constexpr (codec_hooked<T>)
    return K::hook;
  else if constexpr (codec_msgpack_native<T>)
    return K::msgpack_native;
  else if constexpr (std::is_same_v<T, bool>)
    return K::boolean;
  else if constexpr (std::is_integral_v<T>)
    return K::integer;
  else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>)
    return K::floating;
  else if constexpr (codec_described_enum<T>)
    return K::described_enum;
  else if constexpr (std::is_enum_v<T>)
    return K::plain_enum;
  else if constexpr (codec_is_string<T>::value || codec_is_string_view<T>::value ||
                     std::is_same_v<T, const char*>)
    return K::string;
  else if constexpr (codec_is_duration<T>::value)
    return K::duration;
  else if constexpr (codec_is_time_point<T>::value)
    return K::time_point;
  else if constexpr (codec_is_optional<T>::value)
    return K::optional;
  else if constexpr (codec_is_variant<T>::value)
    return K::variant;
  else if constexpr (std::is_same_v<T, std::monostate>)
    return K::monostate;
  else if constexpr (codec_is_tuple<T>::value)
    return K::tuple;
  else if constexpr (codec_is_std_array<T>::value || std::is_bounded_array_v<T>)
    return K::fixed_array;
  else if constexpr (codec_map_like<T>)
    return K::map;
  else if constexpr (codec_set_like<T>)
    return K::set;
  else if constexpr (codec_sequence<T>)
    return K::sequence;
  else if constexpr (codec_described_class<T>)
    return K::described;
  else if constexpr (codec_reflectable<T>)
    return K::pfr;
  else
    return K::unsupported;
}

template <class T>
inline constexpr codec_kind codec_kind_v = codec_kind_of<std::remove_cv_t<T>>();

/// T of a pointer to data member `T C::*`.
template <class M>
struct codec_member_type;
template <class T, class C>
struct codec_member_type<T C::*> {
  using type = T;
};

/// Described members including inherited ones (bases first), any access.
template <class T>
using codec_members_t = boost::describe::describe_members<T, boost::describe::mod_any_access |
                                                                 boost::describe::mod_inherited>;

}  // namespace redis_cache::detail
