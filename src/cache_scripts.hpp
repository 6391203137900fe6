// Lua scripts of the cache (the benchmark sends the very same FIFO script
// through raw hiredis).
#pragma once

#include "client/script.hpp"

namespace redis_cache::detail {

/// The atomic FIFO store (DESIGN.md §3): KEYS = {index, value key},
/// ARGV = {value, ttl seconds (0 = none), limit}.
const Script& fifo_script();
/// Deletes a stampede lock only if it holds the token: KEYS = {lock}, ARGV = {token}.
const Script& unlock_script();
/// DEL of a value and ZREM from its FIFO index, atomically: KEYS = {index, value key}.
const Script& invalidate_script();

}  // namespace redis_cache::detail
