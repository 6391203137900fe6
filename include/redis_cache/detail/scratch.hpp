// redis_cache/detail/scratch.hpp — the thread-local strings a cached call builds
// its key and encodes its value in (src/scratch.cpp).
#pragma once

#include <cstddef>
#include <string>

#include <redis_cache/detail/scratch_cap.hpp>

namespace redis_cache::detail {

/// Thread-local, re-entrant scratch strings (a nested cached call gets its own).
/// Steady state allocates nothing; a thread does not keep the capacity of the
/// largest key or value it ever saw (see scratch_keep_bytes).
class Scratch {
 public:
  Scratch();
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  std::string& str() noexcept { return *s_; }

 private:
  std::string* s_;
};

/// Bytes the calling thread's scratch buffers hold (their capacities), for tests.
std::size_t scratch_capacity() noexcept;

}  // namespace redis_cache::detail
