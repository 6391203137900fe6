// redis_cache/detail/result_codec.hpp — the codec choice of one cached function at run time.
//
// CachedFunction and the batch path encode, decode and build keys through these
// helpers; the msgpack path stays one well-predicted branch on FunctionState::codec.
// A compressed entry (detail/compress.hpp) is recognised by its first byte whatever
// the codec, so turning compression on or off never loses old entries.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include <redis_cache/codec/codec.hpp>
#include <redis_cache/codec/json.hpp>
#include <redis_cache/codec/python.hpp>
#include <redis_cache/detail/compress.hpp>
#include <redis_cache/detail/core.hpp>
#include <redis_cache/options.hpp>

namespace redis_cache::detail {

/// Encodes a result as the function's codec says (compressed when large enough) into out.
/// Throws ConfigError when a string of it is not UTF-8 under Codec::json / python.
template <class R>
void encode_result(const FunctionState& st, const R& value, std::string& out) {
  if (st.codec == Codec::msgpack) [[likely]]
    codec::encode_value(value, out);
  else
    codec::encode_json(
        value, out, st.codec == Codec::python ? codec::JsonStyle::python : codec::JsonStyle::plain);
  if (st.compress_above != 0 && out.size() >= st.compress_above) compress_value(out);
}

template <class R>
R decode_plain_result(const FunctionState& st, std::string_view bytes) {
  if (st.codec == Codec::msgpack) [[likely]]
    return codec::decode_value<R>(bytes);
  return codec::decode_json<R>(bytes);
}

/// Decodes stored bytes (compressed or not). Throws DecodeError (a miss) for anything wrong.
template <class R>
R decode_result(const FunctionState& st, std::string_view bytes) {
  if (is_compressed(bytes)) [[unlikely]] {
    std::string plain;
    decompress_value(bytes, plain);
    return decode_plain_result<R>(st, plain);
  }
  return decode_plain_result<R>(st, bytes);
}

/// Converts to R by decoding bytes (and then bumping *count, if given). A
/// function returning it, or a vector emplacing it, constructs the decoded R
/// in place: no move of the value afterwards.
template <class R>
struct DecodeAs {
  const FunctionState& st;
  std::string_view bytes;
  std::atomic<std::uint64_t>* count = nullptr;  ///< e.g. the hits counter
  const CallStart* hit = nullptr;               ///< a hit to notify, begun at *hit
  operator R() const {  // NOLINT(google-explicit-constructor): the point of the type
    R value = decode_result<R>(st, bytes);
    if (count != nullptr) bump(*count);
    if (hit != nullptr) notify(st, EventKind::hit, *hit);
    return value;
  }
};

/// Converts to nothing: a type constructible from it has a constructor
/// template taking any argument, which would take a DecodeAs<R> as is.
struct NotAValue {};

/// Whether R can be built from a DecodeAs<R> through its conversion (in place).
template <class R>
inline constexpr bool decodes_in_place_v = !std::is_constructible_v<R, NotAValue>;

/// The value decoded from bytes, counted in `count` once decoded (and notified
/// as a hit begun at *hit, if given). Returned as a prvalue built in the
/// caller's return slot when R allows (no move afterwards).
template <class R>
R decode_counted(const FunctionState& st, std::string_view bytes, std::atomic<std::uint64_t>& count,
                 const CallStart* hit = nullptr) {
  if constexpr (decodes_in_place_v<R>) {
    return DecodeAs<R>{st, bytes, &count, hit};
  } else {
    R value = decode_result<R>(st, bytes);
    bump(count);
    if (hit != nullptr) notify(st, EventKind::hit, *hit);
    return value;
  }
}

/// Appends the key of a call with args to out.
template <class... Args>
void append_result_key(const FunctionState& st, std::string& out, const Args&... args) {
  out.append(st.key_prefix);
  if (st.codec != Codec::python) [[likely]]
    codec::append_key_args(out, args...);
  else
    codec::append_python_key_args(out, st.arg_names, st.arg_order, args...);
}

/// out = the key of a call with args.
template <class... Args>
void build_result_key(const FunctionState& st, std::string& out, const Args&... args) {
  out.clear();
  append_result_key(st, out, args...);
}

}  // namespace redis_cache::detail
