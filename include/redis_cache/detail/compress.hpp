// redis_cache/detail/compress.hpp — zstd compression of stored values (Options::compress_above).
//
// A compressed value is the 4-byte magic "\xc1RCZ" followed by one zstd frame (with its
// content size). 0xc1 is the one byte msgpack never uses and cannot start JSON text, so
// no value of ours (msgpack or JSON) starts with it: readers tell compressed entries
// from plain ones by the first byte, and old uncompressed entries still read.
// Implemented in src/compress.cpp (zstd is a private dependency).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace redis_cache::detail {

inline constexpr std::string_view compress_magic{"\xc1RCZ", 4};

/// A frame may declare at most this many times its own size (writers keep
/// values that would compress further plain): bounds what a poisoned entry can
/// make a reader allocate.
inline constexpr std::size_t max_compression_ratio = 1024;

/// True when bytes carry the compression header.
inline bool is_compressed(std::string_view bytes) noexcept {
  return bytes.size() >= compress_magic.size() && bytes[0] == compress_magic[0] &&
         bytes.substr(0, compress_magic.size()) == compress_magic;
}

/// Replaces value by magic + zstd frame when that is smaller; otherwise leaves it.
void compress_value(std::string& value);

/// The original bytes of a compressed value (with the header) into out. Throws
/// DecodeError for a bad frame or a size over codec::max_decode_bytes.
void decompress_value(std::string_view bytes, std::string& out);

/// Bytes the calling thread's compression buffer and zstd context hold, for tests.
std::size_t compress_scratch_bytes() noexcept;

}  // namespace redis_cache::detail
