// redis_cache/codec/detail/json_blocker.hpp — which types JSON cannot carry.
//
// Every type the msgpack codec takes, except maps whose keys are neither strings nor
// integers and types that only have a msgpack-cxx adaptor of their own. json_blocker_of
// names the first such inner type ("" when there is none): codec::json_encodable_v and
// RedisCache::cache<...>() (ConfigError under Codec::json / python) use it.
#pragma once

#include <cstddef>
#include <iterator>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/mp11/algorithm.hpp>
#include <boost/pfr/core.hpp>
#include <redis_cache/codec/detail/traits.hpp>
#include <redis_cache/codec/detail/type_name.hpp>

namespace redis_cache::codec::detail {

template <class T>
constexpr std::string_view json_blocker_of();

template <class... Ts>
constexpr std::string_view first_json_blocker() {
  std::string_view r{};
  ((r.empty() ? (void)(r = json_blocker_of<std::remove_cv_t<Ts>>()) : void()), ...);
  return r;
}

template <class T, std::size_t... I>
constexpr std::string_view pfr_json_blocker(std::index_sequence<I...>) {
  return first_json_blocker<boost::pfr::tuple_element_t<I, T>...>();
}

template <class T>
constexpr std::string_view described_json_blocker() {
  std::string_view r{};
  boost::mp11::mp_for_each<members_t<T>>([&](auto D) {
    using M = std::remove_cv_t<typename member_type<std::remove_cv_t<decltype(D.pointer)>>::type>;
    if (r.empty()) r = json_blocker_of<M>();
  });
  return r;
}

/// Type name of the first inner type of T that JSON cannot carry; "" when T can be.
template <class T>
constexpr std::string_view json_blocker_of() {
  using K = kind;
  constexpr K k = kind_v<T>;
  if constexpr (k == K::hook) {
    return json_blocker_of<hook_repr_t<T>>();
  } else if constexpr (k == K::boolean || k == K::integer || k == K::floating ||
                       k == K::described_enum || k == K::plain_enum || k == K::string ||
                       k == K::duration || k == K::time_point || k == K::monostate) {
    return {};
  } else if constexpr (k == K::optional) {
    return json_blocker_of<typename T::value_type>();
  } else if constexpr (k == K::variant || k == K::tuple) {
    return []<class... Ts>(boost::mp11::mp_list<Ts...>*) {
      return first_json_blocker<Ts...>();
    }(static_cast<boost::mp11::mp_rename<T, boost::mp11::mp_list>*>(nullptr));
  } else if constexpr (k == K::sequence || k == K::set || k == K::fixed_array) {
    return json_blocker_of<std::remove_cv_t<
        std::remove_reference_t<decltype(*std::begin(std::declval<const T&>()))>>>();
  } else if constexpr (k == K::map) {
    using Key = std::remove_cv_t<typename T::key_type>;
    constexpr K kk = kind_v<Key>;
    if constexpr (kk != K::string && kk != K::integer)
      return type_name<T>();  // JSON object keys are strings (or integers, as Python)
    else
      return json_blocker_of<std::remove_cv_t<typename T::mapped_type>>();
  } else if constexpr (k == K::described) {
    return described_json_blocker<T>();
  } else if constexpr (k == K::pfr) {
    return pfr_json_blocker<T>(std::make_index_sequence<boost::pfr::tuple_size_v<T>>{});
  } else {
    return type_name<T>();  // msgpack_native, unsupported
  }
}

}  // namespace redis_cache::codec::detail
