// redis_cache/codec/detail/check.hpp — is a type cacheable, and if not, which inner
// type is to blame and why. Drives codec::cacheable_v and codec::assert_cacheable,
// whose static_assert fires inside not_cacheable<NotCacheableType, Reason>, so
// the compiler's "with NotCacheableType = ..." line names the offending inner type.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>
#include <boost/mp11/set.hpp>
#include <redis_cache/codec/detail/traits.hpp>
#include <redis_cache/detail/chrono.hpp>

namespace redis_cache::codec::detail {

enum class reason {
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

template <class Bad, reason Why>
struct verdict {
  using bad = Bad;
  static constexpr reason why = Why;
  static constexpr bool ok = Why == reason::ok;
};
using verdict_ok = verdict<void, reason::ok>;

template <class T, class Visited>
struct check;

// First failing child, lazily (stops at the first failure).
template <class Visited, class... Cs>
struct first_bad {
  using type = verdict_ok;
};
template <bool Ok, class R, class Visited, class... Cs>
struct first_bad_step {
  using type = R;
};
template <class R, class Visited, class... Cs>
struct first_bad_step<true, R, Visited, Cs...> {
  using type = typename first_bad<Visited, Cs...>::type;
};
template <class Visited, class C, class... Cs>
struct first_bad<Visited, C, Cs...> {
  using r = typename check<C, Visited>::type;
  using type = typename first_bad_step<r::ok, r, Visited, Cs...>::type;
};
template <class Visited, class List>
struct first_bad_of;
template <class Visited, template <class...> class L, class... Cs>
struct first_bad_of<Visited, L<Cs...>> {
  using type = typename first_bad<Visited, Cs...>::type;
};

template <class D>
using descriptor_type = typename member_type<std::remove_cv_t<decltype(D::pointer)>>::type;

template <class T, class Seq>
struct pfr_fields;
template <class T, std::size_t... I>
struct pfr_fields<T, std::index_sequence<I...>> {
  using type = boost::mp11::mp_list<boost::pfr::tuple_element_t<I, T>...>;
};

/// The types a value of T is made of (what must be cacheable for T to be).
template <class T, kind K = kind_v<T>>
struct children {
  using type = boost::mp11::mp_list<>;
};
template <class T>
struct children<T, kind::hook> {
  using type = boost::mp11::mp_list<hook_repr_t<T>>;
};
template <class T>
struct children<T, kind::optional> {
  using type = boost::mp11::mp_list<typename T::value_type>;
};
template <class T>
struct children<T, kind::variant> {
  using type = boost::mp11::mp_rename<T, boost::mp11::mp_list>;
};
template <class T>
struct children<T, kind::tuple> {
  using type = boost::mp11::mp_rename<T, boost::mp11::mp_list>;
};
template <class T>
struct children<T, kind::map> {
  using type = boost::mp11::mp_list<typename T::key_type, typename T::mapped_type>;
};
template <class T>
struct children<T, kind::set> {
  using type = boost::mp11::mp_list<typename T::value_type>;
};
template <class T>
struct children<T, kind::sequence> {
  using type = boost::mp11::mp_list<typename T::value_type>;
};
template <class T>
struct children<T, kind::fixed_array> {
  using type = boost::mp11::mp_list<std::remove_cv_t<std::remove_all_extents_t<T>>>;
};
template <class T, std::size_t N>
struct children<std::array<T, N>, kind::fixed_array> {
  using type = boost::mp11::mp_list<T>;
};
template <class T>
struct children<T, kind::described> {
  using type = boost::mp11::mp_transform<descriptor_type, members_t<T>>;
};
template <class T>
struct children<T, kind::pfr> {
  using type = typename pfr_fields<T, std::make_index_sequence<boost::pfr::tuple_size_v<T>>>::type;
};

template <class T>
inline constexpr bool is_class_kind =
    kind_v<T> == kind::described || kind_v<T> == kind::pfr || kind_v<T> == kind::hook;

template <class T>
concept has_call_operator = requires {
  &T::operator();
};

template <class T, class Visited>
struct check_value {
  static constexpr reason own_why() {
    using K = kind;
    constexpr K k = kind_v<T>;
    if constexpr (std::is_same_v<T, long double>)
      return reason::long_double;
    else if constexpr (std::is_function_v<T>)
      return reason::callable;
    else if constexpr (std::is_pointer_v<T> && !std::is_same_v<T, const char*>) {
      if constexpr (std::is_function_v<std::remove_pointer_t<T>>)
        return reason::callable;
      else
        return reason::pointer;
    } else if constexpr (std::is_member_pointer_v<T>)
      return reason::member_pointer;
    else if constexpr (std::is_union_v<T>)
      return reason::union_type;
    else if constexpr (k == K::time_point) {
      if constexpr (std::is_same_v<typename T::clock, std::chrono::system_clock>)
        return reason::ok;
      else
        return reason::clock;
    } else if constexpr (k == K::duration) {
      if constexpr (std::is_arithmetic_v<typename T::rep> &&
                    !std::is_same_v<typename T::rep, long double>)
        return reason::ok;
      else
        return reason::no_encoding;
    } else if constexpr (k == K::unsupported) {
      if constexpr (std::is_class_v<T> && has_call_operator<T>)
        return reason::callable;
      else
        return reason::no_encoding;
    } else
      return reason::ok;
  }
  static constexpr reason why = own_why();

  template <bool Own, class = void>
  struct pick {
    using type = verdict<T, why>;
  };
  template <class Dummy>
  struct pick<true, Dummy> {
    using visited =
        std::conditional_t<is_class_kind<T>, boost::mp11::mp_push_back<Visited, T>, Visited>;
    using type = typename first_bad_of<visited, typename children<T>::type>::type;
  };
  using type = typename pick<why == reason::ok>::type;
};

template <class T, class Visited>
struct check {
  // A type being checked further up (recursive types: struct Node { std::vector<Node> kids; })
  // is assumed fine; its own check decides.
  template <bool Seen, class = void>
  struct go {
    using type = verdict_ok;
  };
  template <class Dummy>
  struct go<false, Dummy> {
    using type = typename check_value<T, Visited>::type;
  };
  using type = typename go<boost::mp11::mp_contains<Visited, T>::value>::type;
};
template <class T, class Visited>
struct check<T&, Visited> {
  using type =
      std::conditional_t<std::is_const_v<T>, typename check<std::remove_cv_t<T>, Visited>::type,
                         verdict<T&, reason::non_const_reference>>;
};
template <class T, class Visited>
struct check<T&&, Visited> {
  using type = typename check<std::remove_cv_t<T>, Visited>::type;
};
template <class T, class Visited>
struct check<const T, Visited> {
  using type = typename check<T, Visited>::type;
};
template <class T, class Visited>
struct check<volatile T, Visited> {
  using type = typename check<T, Visited>::type;
};
template <class T, class Visited>
struct check<const volatile T, Visited> {
  using type = typename check<T, Visited>::type;
};

template <class T>
using verdict_t = typename check<T, boost::mp11::mp_list<>>::type;

template <class T>
inline constexpr bool dependent_false = false;

/// Fails to compile with a message starting "redis_cache:"; the compiler's instantiation
/// note "[with NotCacheableType = ...]" names the inner type that is not cacheable.
template <class NotCacheableType, reason Reason>
constexpr void not_cacheable() {
  using T = NotCacheableType;
  if constexpr (Reason == reason::pointer) {
    static_assert(dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: it is a raw pointer "
                  "(an address means nothing in another process); cache the pointee or an id");
  } else if constexpr (Reason == reason::member_pointer) {
    static_assert(dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: it is a pointer to member");
  } else if constexpr (Reason == reason::callable) {
    static_assert(dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: it is a function or "
                  "callable (code cannot be stored in Redis)");
  } else if constexpr (Reason == reason::union_type) {
    static_assert(dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: it is a union (which "
                  "member is active is unknown); use std::variant");
  } else if constexpr (Reason == reason::non_const_reference) {
    static_assert(dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: it is a non-const "
                  "reference (an output argument would not be restored from the cache)");
  } else if constexpr (Reason == reason::long_double) {
    static_assert(dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: long double has no "
                  "portable encoding; use double");
  } else if constexpr (Reason == reason::clock) {
    static_assert(dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: only "
                  "std::chrono::system_clock time points mean the same in another process");
  } else {
    static_assert(dependent_false<T>,
                  "redis_cache: type NotCacheableType is not cacheable: it is not arithmetic, "
                  "an enum, a std string/container/optional/variant/tuple/chrono type, a plain "
                  "aggregate (Boost.PFR) or a described type (BOOST_DESCRIBE_STRUCT/CLASS); "
                  "specialize redis_cache::codec::adaptor<NotCacheableType> to encode it");
  }
}

/// Fails to compile, naming the type, unless msgpack_bridge<NotCacheableType> is defined
/// (a msgpack-native type is encoded by msgpack-cxx, which the codec does not include).
template <class NotCacheableType>
constexpr void require_msgpack_bridge() {
  static_assert(msgpack_bridged<NotCacheableType>,
                "redis_cache: type NotCacheableType has a msgpack-cxx adaptor of its own "
                "(MSGPACK_DEFINE or codec::use_msgpack_adaptor); include "
                "<redis_cache/codec/msgpack_native.hpp> in the files that cache it");
}

}  // namespace redis_cache::codec::detail
