// redis_cache/codec/codec.hpp — the codec layer: what goes into and comes out of Redis.
//
// Values are msgpack; keys carry base64 of the canonical msgpack array of the arguments
// (DESIGN §3). Types are encoded by compile-time reflection, nothing to write:
//
// clang-format off
//   type                               encoded as
//   ---------------------------------  ------------------------------------------------------
//   bool                               bool
//   integers                           int, smallest form
//   float, double                      float64
//   enum with BOOST_DESCRIBE_ENUM      the enumerator's name (str)
//   other enums                        the underlying integer
//   std::string                        str (binary-safe)
//   string_view, const char*           str (arguments only)
//   vector, deque, list                array
//   set, unordered_set                 array
//   array<T, N>, T[N]                  array of N
//   map, unordered_map                 map
//   optional<T>                        nil or the value (optional<optional<T>>: [] or [value])
//   variant<Ts...>                     [index, value]
//   monostate                          nil
//   tuple, pair                        array
//   chrono::duration<R, P>             count(), as R
//   system_clock time_point            time_since_epoch().count()
//   described struct / class           map field name -> value, bases' fields first (any access)
//   plain aggregate (Boost.PFR)        array of the fields in declaration order
//   codec::adaptor<T> hook             its representation, encoded as above (see adaptor.hpp)
//   MSGPACK_DEFINE types               their own msgpack-cxx adaptor (see msgpack_native.hpp)
// clang-format on
//
// Canonical form (keys; the rules hold for values too unless noted): floats always float64,
// one NaN (0x7ff8000000000000), -0.0 kept distinct from 0.0, integers in the smallest form,
// unordered containers sorted by encoded bytes (keys only), string types alike.
// Decoding is strict and bounded (limits.hpp): it returns a value or throws DecodeError.
#pragma once

#include <cstddef>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>

#include <redis_cache/codec/adaptor.hpp>
#include <redis_cache/codec/base64.hpp>
#include <redis_cache/codec/detail/check.hpp>
#include <redis_cache/codec/detail/decode.hpp>
#include <redis_cache/codec/detail/decode_whole.hpp>
#include <redis_cache/codec/detail/encode.hpp>
#include <redis_cache/codec/detail/fingerprint.hpp>
#include <redis_cache/codec/detail/reader.hpp>
#include <redis_cache/codec/detail/schema_json.hpp>
#include <redis_cache/codec/detail/type_name.hpp>
#include <redis_cache/codec/limits.hpp>
#include <redis_cache/detail/scratch_cap.hpp>
#include <redis_cache/errors.hpp>

namespace redis_cache::codec {

/// True when T can be encoded (for const char* / string_view: as an argument; they
/// cannot be results). const T& is cacheable when T is; non-const references are not.
template <class T>
inline constexpr bool cacheable_v = detail::verdict_t<T>::ok;

/// Use in a template: a static_assert starting "redis_cache:" that says why T is not
/// cacheable; the instantiation note "[with NotCacheableType = ...]" names the inner
/// type to blame (e.g. the raw pointer field inside a struct).
template <class T>
constexpr void assert_cacheable() {
  using V = detail::verdict_t<T>;
  if constexpr (!V::ok) detail::not_cacheable<typename V::bad, V::why>();
}

/// The msgpack bytes of v into out (cleared first; its capacity is reused).
template <class T>
void encode_value(const T& v, std::string& out) {
  assert_cacheable<T>();
  out.clear();
  if constexpr (cacheable_v<T>) {
    detail::msgpack_writer w{&out};
    detail::encode<false>(w, v);
  }
}

/// Decodes bytes written by encode_value<T>. Throws redis_cache::DecodeError on anything
/// wrong (truncated, corrupt, other type, trailing bytes, over the limits).
template <class T>
T decode_value(std::string_view bytes) {
  assert_cacheable<T>();
  static_assert(!std::is_reference_v<T>, "redis_cache: decode_value needs a value type");
  if constexpr (cacheable_v<T>) {
    return detail::decode_whole<detail::msgpack_reader>(
        bytes, [](detail::msgpack_reader& r) { return detail::decode<std::remove_cv_t<T>>(r); });
  } else {
    throw DecodeError("redis_cache: not cacheable");
  }
}

}  // namespace redis_cache::codec

namespace redis_cache::codec::detail {
/// The calling thread's buffer for the msgpack bytes of a key's arguments.
inline std::string& key_scratch() noexcept {
  thread_local std::string scratch;
  return scratch;
}

/// A char array argument (string literal) encodes as the string it holds.
template <class A>
decltype(auto) key_view(const A& a) {
  if constexpr (std::is_array_v<A> &&
                std::is_same_v<std::remove_cv_t<std::remove_extent_t<A>>, char>) {
    return std::string_view(a, std::char_traits<char>::length(a) < std::extent_v<A>
                                   ? std::char_traits<char>::length(a)
                                   : std::extent_v<A>);
  } else {
    return (a);
  }
}
}  // namespace redis_cache::codec::detail

namespace redis_cache::codec {

/// Appends base64 (standard alphabet, '=' padding) of the canonical msgpack array of
/// args to out. const char*, std::string_view and std::string encode alike. Uses a
/// thread_local scratch buffer: no allocation in steady state beyond out's growth
/// (released after a key above redis_cache::detail::scratch_keep_bytes).
template <class... Args>
void append_key_args(std::string& out, const Args&... args) {
  (assert_cacheable<Args>(), ...);
  if constexpr ((cacheable_v<Args> && ...)) {
    std::string& scratch = detail::key_scratch();
    scratch.clear();
    detail::msgpack_writer w{&scratch};
    w.array(sizeof...(Args));
    (detail::encode<true>(w, detail::key_view(args)), ...);
    base64_append(out, scratch);
    redis_cache::detail::release_if_large(scratch);
  }
}

/// Fully qualified name of function F at compile time: "app::load_user",
/// "app::Repo::load"; anonymous namespaces render "(anonymous)"; never '{' or '}'.
template <auto F>
constexpr std::string_view qualified_name() {
  return detail::value_name<F>();
}

/// Normalized qualified name of a type ("app::User").
template <class T>
constexpr std::string_view type_name() {
  return detail::type_name<T>();
}

/// 8 lowercase hex chars over the schema of the result and argument types (type names,
/// described field names, field types); changes whenever the encoded shape may change.
template <class R, class... Args>
constexpr std::string_view schema_fingerprint() {
  using H = detail::fingerprint_holder<std::remove_cvref_t<R>, std::remove_cvref_t<Args>...>;
  return {H::text.data(), H::text.size()};
}

/// Schema note of T as compact JSON, e.g.
///   {"type":"app::User","encoding":"map","fields":["id","name"],"schema":["i32","str"]}
/// (PFR aggregates: "encoding":"array", fields "0","1",...; std types: "i32", "str",
/// {"seq":...}, {"map":[k,v]}, {"optional":...}, ...). Used by the CLI to label fields.
template <class T>
std::string schema_json() {
  std::string out;
  detail::schema_json<std::remove_cvref_t<T>, boost::mp11::mp_list<>>(out);
  return out;
}

/// Generic msgpack -> compact JSON text, type-free: nil, bools and numbers as JSON (floats
/// as Codec::json writes them, Python's repr; NaN and infinities as the strings "NaN", "Infinity",
/// "-Infinity"); a UTF-8 str as a string, any other str and bin as {"base64":"..."}, ext
/// as {"ext":type,"base64":"..."}; a map key that is not text as its JSON text in a
/// string, or "msgpack:" + base64 of its bytes. Same limits as decode_value; throws
/// DecodeError.
std::string msgpack_to_json(std::string_view bytes);

}  // namespace redis_cache::codec
