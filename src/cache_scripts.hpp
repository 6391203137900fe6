// Lua scripts of the cache core (shared with the benchmark, which sends the
// very same script through raw hiredis).
#pragma once

#include "client/script.hpp"

namespace redis_cache::detail {

/// The atomic FIFO store (DESIGN.md §3): KEYS = {index, value key},
/// ARGV = {value, ttl seconds (0 = none), limit}.
const Script& fifo_script();

}  // namespace redis_cache::detail
