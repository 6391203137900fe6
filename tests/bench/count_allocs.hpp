// Counts C++ heap allocations (g_allocs.load(): those of the calling thread) by
// replacing the global operator new. Include in exactly one translation unit of
// a benchmark executable (each benchmark is its own executable). hiredis
// allocates with malloc: not counted. Per thread: one shared counter made the
// threads of a multi-threaded benchmark contend on its cache line (2 threads
// of nothing-shared work ran at 0.6-0.9x the throughput of one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

// gcc inlines the replaced operators and then sees malloc'd memory freed by "delete".
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

inline thread_local std::uint64_t t_allocs = 0;
struct AllocCount {
  std::uint64_t load() const noexcept { return t_allocs; }
};
inline constexpr AllocCount g_allocs{};

void* operator new(std::size_t n) {
  ++t_allocs;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  return operator new(n);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
