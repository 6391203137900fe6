// redis_cache/codec/limits.hpp — bounds the decoder enforces on untrusted bytes.
//
// Any byte string given to decode_value / msgpack_to_json yields a value or a
// redis_cache::DecodeError; these limits keep time and memory proportional to the
// input. Override the size limit by defining REDIS_CACHE_MAX_DECODE_BYTES (and the
// depth by REDIS_CACHE_MAX_DECODE_DEPTH) before including any redis_cache header.
#pragma once

#include <cstddef>

#ifndef REDIS_CACHE_MAX_DECODE_BYTES
#define REDIS_CACHE_MAX_DECODE_BYTES (std::size_t{512} * 1024 * 1024)
#endif
#ifndef REDIS_CACHE_MAX_DECODE_DEPTH
#define REDIS_CACHE_MAX_DECODE_DEPTH 64
#endif

namespace redis_cache::codec {

/// Largest value decode_value / msgpack_to_json accept (bytes).
inline constexpr std::size_t max_decode_bytes = REDIS_CACHE_MAX_DECODE_BYTES;
/// Deepest nesting of arrays and maps accepted.
inline constexpr unsigned max_decode_depth = REDIS_CACHE_MAX_DECODE_DEPTH;

}  // namespace redis_cache::codec
