// redis_cache/detail/scratch_cap.hpp — how much a thread-local buffer may keep.
//
// Thread-local buffers (key bytes, encoded values, sort scratch, the zstd output
// buffer) are reused so that steady state allocates nothing. One large key or value
// would make such a buffer keep its capacity for the life of the thread, so each
// one goes back to the allocator after a use that grew it beyond scratch_keep_bytes:
// one comparison on the common path. Tests: tests/unit/scratch_cap_test.cpp (codec,
// compression), tests/integration/scratch_test.cpp (the cache's Scratch strings).
#pragma once

#include <cstddef>

namespace redis_cache::detail {

/// A scratch buffer that grew beyond this many bytes (for one large key or
/// value) is released after use; smaller ones are kept for reuse.
inline constexpr std::size_t scratch_keep_bytes = 64 * 1024;

/// True when buffer c (std::string, std::vector) holds more than scratch_keep_bytes.
template <class C>
bool scratch_too_large(const C& c) noexcept {
  return c.capacity() > scratch_keep_bytes / sizeof(typename C::value_type);
}

/// Call after a use of c that is over (c's contents are no longer needed): frees
/// its storage when it grew beyond scratch_keep_bytes, else keeps it for reuse.
template <class C>
void release_if_large(C& c) noexcept {
  if (scratch_too_large(c)) [[unlikely]]
    C().swap(c);
}

}  // namespace redis_cache::detail
