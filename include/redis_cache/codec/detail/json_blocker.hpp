// redis_cache/codec/detail/json_blocker.hpp — which types JSON cannot carry.
//
// Every type the msgpack codec takes, except maps whose keys are neither strings nor
// integers and types that only have a msgpack-cxx adaptor of their own. json_blocker_of
// names the first such inner type ("" when there is none): codec::json_encodable_v and
// RedisCache::cache<...>() (ConfigError under Codec::json / python) use it.
#pragma once

#include <string_view>
#include <type_traits>

#include <redis_cache/codec/detail/check.hpp>
#include <redis_cache/codec/detail/traits.hpp>
#include <redis_cache/codec/detail/type_name.hpp>

namespace redis_cache::codec::detail {

template <class T>
constexpr std::string_view json_blocker_of();

/// The first blocker among a type list's elements.
template <template <class...> class L, class... Ts>
constexpr std::string_view first_json_blocker(L<Ts...>*) {
  std::string_view r{};
  ((r.empty() ? (void)(r = json_blocker_of<std::remove_cv_t<Ts>>()) : void()), ...);
  return r;
}

/// JSON object keys are strings (or integers, as Python writes them).
template <class T>
constexpr bool json_keys_ok() {
  if constexpr (kind_v<T> == kind::map) {
    constexpr kind key = kind_v<std::remove_cv_t<typename T::key_type>>;
    return key == kind::string || key == kind::integer;
  } else {
    return true;
  }
}

/// Type name of the first inner type of T that JSON cannot carry; "" when T can be.
/// Only types of their own (msgpack-native, unsupported) and maps with other keys
/// block; anything else is as good as what it is made of (check.hpp's children).
template <class T>
constexpr std::string_view json_blocker_of() {
  constexpr kind k = kind_v<T>;
  if constexpr (k == kind::msgpack_native || k == kind::unsupported || !json_keys_ok<T>())
    return type_name<T>();
  else
    return first_json_blocker(static_cast<typename children<T>::type*>(nullptr));
}

}  // namespace redis_cache::codec::detail
