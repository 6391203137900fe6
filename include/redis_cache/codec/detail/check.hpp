// redis_cache/codec/detail/check.hpp — is a type cacheable, and if not, which inner
// type is to blame and why. Drives codec::cacheable_v and codec::assert_cacheable,
// whose static_assert fires inside codec_not_cacheable<NotCacheableType, Reason>, so
// the compiler's "with NotCacheableType = ..." line names the offending inner type.
#pragma once

#include <chrono>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>
#include <boost/mp11/set.hpp>
#include <redis_cache/codec/detail/traits.hpp>

namespace redis_cache::detail {

enum class codec_why {
  ok,
  pointer,
  member_pointer,
  callable,
  union_type,
  non_const_reference,
  long_double,
  clock,
  no_encoding,
};

template <class Bad, codec_why Why>
struct codec_verdict {
  using bad = Bad;
  static constexpr codec_why why = Why;
  static constexpr bool ok = Why == codec_why::ok;
};
using codec_ok = codec_verdict<void, codec_why::ok>;

template <class T, class Visited>
struct codec_check;

// First failing child, lazily (stops at the first failure).
template <class Visited, class... Cs>
struct codec_first_bad {
  using type = codec_ok;
};
template <bool Ok, class R, class Visited, class... Cs>
struct codec_first_bad_step {
  using type = R;
};
template <class R, class Visited, class... Cs>
struct codec_first_bad_step<true, R, Visited, Cs...> {
  using type = typename codec_first_bad<Visited, Cs...>::type;
};
template <class Visited, class C, class... Cs>
struct codec_first_bad<Visited, C, Cs...> {
  using r = typename codec_check<C, Visited>::type;
  using type = typename codec_first_bad_step<r::ok, r, Visited, Cs...>::type;
};
template <class Visited, class List>
struct codec_first_bad_of;
template <class Visited, template <class...> class L, class... Cs>
struct codec_first_bad_of<Visited, L<Cs...>> {
  using type = typename codec_first_bad<Visited, Cs...>::type;
};

template <class D>
using codec_descriptor_type =
    typename codec_member_type<std::remove_cv_t<decltype(D::pointer)>>::type;

template <class T, class Seq>
struct codec_pfr_fields;
template <class T, std::size_t... I>
struct codec_pfr_fields<T, std::index_sequence<I...>> {
  using type = boost::mp11::mp_list<boost::pfr::tuple_element_t<I, T>...>;
};

/// The types a value of T is made of (what must be cacheable for T to be).
template <class T, codec_kind K = codec_kind_v<T>>
struct codec_children {
  using type = boost::mp11::mp_list<>;
};
template <class T>
struct codec_children<T, codec_kind::hook> {
  using type = boost::mp11::mp_list<codec_hook_repr_t<T>>;
};
template <class T>
struct codec_children<T, codec_kind::optional> {
  using type = boost::mp11::mp_list<typename T::value_type>;
};
template <class T>
struct codec_children<T, codec_kind::variant> {
  using type = boost::mp11::mp_rename<T, boost::mp11::mp_list>;
};
template <class T>
struct codec_children<T, codec_kind::tuple> {
  using type = boost::mp11::mp_rename<T, boost::mp11::mp_list>;
};
template <class T>
struct codec_children<T, codec_kind::map> {
  using type = boost::mp11::mp_list<typename T::key_type, typename T::mapped_type>;
};
template <class T>
struct codec_children<T, codec_kind::set> {
  using type = boost::mp11::mp_list<typename T::value_type>;
};
template <class T>
struct codec_children<T, codec_kind::sequence> {
  using type = boost::mp11::mp_list<typename T::value_type>;
};
template <class T>
struct codec_children<T, codec_kind::fixed_array> {
  using type = boost::mp11::mp_list<std::remove_cv_t<std::remove_all_extents_t<T>>>;
};
template <class T, std::size_t N>
struct codec_children<std::array<T, N>, codec_kind::fixed_array> {
  using type = boost::mp11::mp_list<T>;
};
template <class T>
struct codec_children<T, codec_kind::described> {
  using type = boost::mp11::mp_transform<codec_descriptor_type, codec_members_t<T>>;
};
template <class T>
struct codec_children<T, codec_kind::pfr> {
  using type =
      typename codec_pfr_fields<T, std::make_index_sequence<boost::pfr::tuple_size_v<T>>>::type;
};

template <class T>
inline constexpr bool codec_is_class_kind =
    codec_kind_v<T> == codec_kind::described || codec_kind_v<T> == codec_kind::pfr ||
    codec_kind_v<T> == codec_kind::hook;

template <class T>
concept codec_has_call_operator = requires {
  &T::operator();
};

template <class T, class Visited>
struct codec_check_value {
  static constexpr codec_why own_why() {
    using K = codec_kind;
    constexpr K k = codec_kind_v<T>;
    if constexpr (std::is_same_v<T, long double>)
      return codec_why::long_double;
    else if constexpr (std::is_function_v<T>)
      return codec_why::callable;
    else if constexpr (std::is_pointer_v<T> && !std::is_same_v<T, const char*>) {
      if constexpr (std::is_function_v<std::remove_pointer_t<T>>)
        return codec_why::callable;
      else
        return codec_why::pointer;
    } else if constexpr (std::is_member_pointer_v<T>)
      return codec_why::member_pointer;
    else if constexpr (std::is_union_v<T>)
      return codec_why::union_type;
    else if constexpr (k == K::time_point) {
      if constexpr (std::is_same_v<typename T::clock, std::chrono::system_clock>)
        return codec_why::ok;
      else
        return codec_why::clock;
    } else if constexpr (k == K::duration) {
      if constexpr (std::is_arithmetic_v<typename T::rep> &&
                    !std::is_same_v<typename T::rep, long double>)
        return codec_why::ok;
      else
        return codec_why::no_encoding;
    } else if constexpr (k == K::unsupported) {
      if constexpr (std::is_class_v<T> && codec_has_call_operator<T>)
        return codec_why::callable;
      else
        return codec_why::no_encoding;
    } else
      return codec_why::ok;
  }
  static constexpr codec_why why = own_why();

  template <bool Own, class = void>
  struct pick {
    using type = codec_verdict<T, why>;
  };
  template <class Dummy>
  struct pick<true, Dummy> {
    using visited =
        std::conditional_t<codec_is_class_kind<T>, boost::mp11::mp_push_back<Visited, T>, Visited>;
    using type = typename codec_first_bad_of<visited, typename codec_children<T>::type>::type;
  };
  using type = typename pick<why == codec_why::ok>::type;
};

template <class T, class Visited>
struct codec_check {
  // A type being checked further up (recursive types: struct Node { std::vector<Node> kids; })
  // is assumed fine; its own check decides.
  template <bool Seen, class = void>
  struct go {
    using type = codec_ok;
  };
  template <class Dummy>
  struct go<false, Dummy> {
    using type = typename codec_check_value<T, Visited>::type;
  };
  using type = typename go<boost::mp11::mp_contains<Visited, T>::value>::type;
};
template <class T, class Visited>
struct codec_check<T&, Visited> {
  using type = std::conditional_t<std::is_const_v<T>,
                                  typename codec_check<std::remove_cv_t<T>, Visited>::type,
                                  codec_verdict<T&, codec_why::non_const_reference>>;
};
template <class T, class Visited>
struct codec_check<T&&, Visited> {
  using type = typename codec_check<std::remove_cv_t<T>, Visited>::type;
};
template <class T, class Visited>
struct codec_check<const T, Visited> {
  using type = typename codec_check<T, Visited>::type;
};
template <class T, class Visited>
struct codec_check<volatile T, Visited> {
  using type = typename codec_check<T, Visited>::type;
};
template <class T, class Visited>
struct codec_check<const volatile T, Visited> {
  using type = typename codec_check<T, Visited>::type;
};

template <class T>
using codec_verdict_t = typename codec_check<T, boost::mp11::mp_list<>>::type;

template <class T>
inline constexpr bool codec_dependent_false = false;

/// Fails to compile with a message starting "redis_cache:"; the compiler's instantiation
/// note "[with NotCacheableType = ...]" names the inner type that is not cacheable.
template <class NotCacheableType, codec_why Reason>
constexpr void codec_not_cacheable() {
  using T = NotCacheableType;
  if constexpr (Reason == codec_why::pointer) {
    static_assert(codec_dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: it is a raw pointer "
                  "(an address means nothing in another process); cache the pointee or an id");
  } else if constexpr (Reason == codec_why::member_pointer) {
    static_assert(codec_dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: it is a pointer to member");
  } else if constexpr (Reason == codec_why::callable) {
    static_assert(codec_dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: it is a function or "
                  "callable (code cannot be stored in Redis)");
  } else if constexpr (Reason == codec_why::union_type) {
    static_assert(codec_dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: it is a union (which "
                  "member is active is unknown); use std::variant");
  } else if constexpr (Reason == codec_why::non_const_reference) {
    static_assert(codec_dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: it is a non-const "
                  "reference (an output argument would not be restored from the cache)");
  } else if constexpr (Reason == codec_why::long_double) {
    static_assert(codec_dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: long double has no "
                  "portable encoding; use double");
  } else if constexpr (Reason == codec_why::clock) {
    static_assert(codec_dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: only "
                  "std::chrono::system_clock time points mean the same in another process");
  } else {
    static_assert(codec_dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: it is not arithmetic, "
                  "an enum, a std string/container/optional/variant/tuple/chrono type, a plain "
                  "aggregate (Boost.PFR) or a described type (BOOST_DESCRIBE_STRUCT/CLASS); "
                  "specialize redis_cache::codec::adaptor<NotCacheableType> to encode it");
  }
}

/// Fails to compile, naming the type, unless msgpack_bridge<NotCacheableType> is defined
/// (a msgpack-native type is encoded by msgpack-cxx, which the codec does not include).
template <class NotCacheableType>
constexpr void codec_require_msgpack_bridge() {
  static_assert(codec_msgpack_bridged<NotCacheableType>,
                "redis_cache: type NotCacheableType has a msgpack-cxx adaptor of its own "
                "(MSGPACK_DEFINE or codec::use_msgpack_adaptor); include "
                "<redis_cache/codec/msgpack_native.hpp> in the files that cache it");
}

}  // namespace redis_cache::detail
