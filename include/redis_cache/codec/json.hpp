// redis_cache/codec/json.hpp — the JSON codecs: Codec::json and Codec::python values,
// and python-redis-cache keys.
//
//   std::string out;
//   codec::encode_json(user, out, codec::JsonStyle::python);   // {"id":7,"name":"Ann"}
//   User u = codec::decode_json<User>(out);                    // or DecodeError
//
// Mapping and escaping: detail/json_write.hpp. Both styles sort object keys and write floats
// as Python's repr; JsonStyle::python also escapes every non-ASCII character
// (\uXXXX, json.dumps's default ensure_ascii=True), so the bytes are identical to
// python-redis-cache 4.x's compact_dump: json.dumps(v, separators=(',', ':'), sort_keys=True).
//
// Which types: every type the msgpack codec takes, except those JSON cannot carry —
// maps whose keys are neither strings nor integers, and types that only have a
// msgpack-cxx adaptor of their own. Because Options::codec is chosen at run time, the
// JSON path compiles for every cacheable type (a compile error would break msgpack
// users of those types); instead json_encodable_v<T> is false for them and
// RedisCache::cache<...>() throws ConfigError naming the type when the cache's codec
// is json or python.
#pragma once

#include <cstddef>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>

#include <redis_cache/codec/detail/decode_whole.hpp>
#include <redis_cache/codec/detail/json_read.hpp>
#include <redis_cache/codec/detail/json_write.hpp>
#include <redis_cache/codec/limits.hpp>
#include <redis_cache/errors.hpp>

namespace redis_cache::codec {

enum class JsonStyle {
  plain,   ///< Codec::json: UTF-8 as is
  python,  ///< Codec::python: ensure_ascii, byte-identical to Python's json.dumps
};

/// True when JSON can carry T (as a value or an argument).
template <class T>
inline constexpr bool json_encodable_v = detail::json_blocker_of<std::remove_cvref_t<T>>().empty();

/// The name of the inner type of T that JSON cannot carry ("" when it can).
template <class T>
constexpr std::string_view json_blocker() {
  return detail::json_blocker_of<std::remove_cvref_t<T>>();
}

/// The JSON text of v into out (cleared first). Throws ConfigError for a string that
/// is not valid UTF-8 or a type JSON cannot carry.
template <class T>
void encode_json(const T& v, std::string& out, JsonStyle style = JsonStyle::plain) {
  out.clear();
  detail::json_writer w{&out, style == JsonStyle::python, false};
  detail::encode(w, v);
}

/// Decodes JSON text (ours or Python's) into T. Throws DecodeError on anything wrong.
template <class T>
T decode_json(std::string_view text) {
  static_assert(!std::is_reference_v<T>, "redis_cache: decode_json needs a value type");
  return detail::decode_whole<detail::json_reader>(
      text, [](detail::json_reader& r) { return detail::decode<std::remove_cv_t<T>>(r); });
}

/// Any JSON text rewritten compactly (throws DecodeError when it is not one JSON value).
std::string normalize_json(std::string_view text);

}  // namespace redis_cache::codec
