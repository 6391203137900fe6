// src/codec_tools.hpp — codec helpers for the tools and tests in this tree (the CLI,
// unit tests), not part of the user-facing API. Reached through the CMake target
// redis_cache_internal, which puts src/ on the include path.
#pragma once

#include <string>
#include <string_view>

namespace redis_cache::codec {

/// Any stored value as compact JSON text. Detects the encoding: zstd-compressed (the
/// "\xc1RCZ" header) is decompressed first; then text that is one complete JSON value
/// (Codec::json / Codec::python) is normalised; anything else is decoded as msgpack
/// (codec::msgpack_to_json). A one-byte value is ambiguous (the JSON "7" is also the
/// msgpack integer 55): JSON wins. Throws DecodeError.
std::string any_value_to_json(std::string_view bytes);

}  // namespace redis_cache::codec
